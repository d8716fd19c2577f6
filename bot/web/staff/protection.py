"""Data protection from the staff app: erase one person, purge what is past retention (bot.records.personal_data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.records import personal_data
from bot.records.models import Erasure
from bot.records.personal_data import Holdings, Retention


@dataclass(frozen=True)
class Preview:
    """What an erasure or a purge would remove, shown before the staff confirm."""

    leads: int
    mails: int
    conversations: int
    events: int


def _preview(holdings: Holdings) -> Preview:
    return Preview(len(holdings.leads), len(holdings.mails), len(holdings.conversations), holdings.events)


def erase_preview(session: Session, email: str) -> Preview:
    """Counts of what erasing this address would remove (every conversation that holds it included)."""
    return _preview(personal_data.find_person(session, email))


def erase(session: Session, email: str, outbox_dir: Path | None = None) -> Erasure:
    """Erase everything held on a person."""
    return personal_data.erase_person(session, email, outbox_dir)


def purge_preview(session: Session, retention: Retention, now: datetime | None = None) -> Preview:
    """Counts of what a retention purge would remove."""
    return _preview(personal_data.find_expired(session, retention, None, now))


def purge(
    session: Session, retention: Retention, outbox_dir: Path | None = None, now: datetime | None = None
) -> Erasure:
    """Retention purge."""
    return personal_data.purge(session, retention, outbox_dir, now)


def past_erasures(session: Session, limit: int = 20) -> list[Erasure]:
    """The latest erasures and purges (counts only)."""
    query = sa.select(Erasure).order_by(Erasure.erased_at.desc(), Erasure.id.desc()).limit(limit)
    return session.execute(query).scalars().all()
