"""Data protection from the staff app: erase one person, purge what is past retention, with the staff's own rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.records.leads import erase_person, purge_older_than
from bot.records.models import Erasure, Lead, OutboxMail, utcnow
from bot.records.staff_models import ConversationReview, ConversationTag, LeadNote
from bot.web.staff.events import EVENTS, has_events

DEFAULT_RETENTION = "3y"  # three years, as the README's data-protection section states


@dataclass(frozen=True)
class Preview:
    """What an erasure or a purge would remove, shown before the staff confirm."""

    leads: int
    mails: int
    conversations: int
    events: int


def _person_leads(session: Session, email: str) -> list[Lead]:
    return session.execute(sa.select(Lead).where(sa.func.lower(Lead.email) == email.strip().lower())).scalars().all()


def _event_counts(session: Session, condition) -> tuple[int, int]:
    if not has_events(session):
        return 0, 0
    return session.execute(
        sa.select(sa.func.count(sa.distinct(EVENTS.c.sender_id)), sa.func.count()).select_from(EVENTS).where(condition)
    ).one()


def erase_preview(session: Session, email: str) -> Preview:
    """Counts of what erasing this address would remove."""
    leads = _person_leads(session, email)
    conversations = sorted({lead.conversation_id for lead in leads if lead.conversation_id})
    mails = session.execute(
        sa.select(sa.func.count(OutboxMail.id)).where(
            sa.or_(
                OutboxMail.lead_id.in_([lead.id for lead in leads] or [-1]),
                sa.and_(OutboxMail.lead_id.is_(None), sa.func.lower(OutboxMail.reply_to) == email.strip().lower()),
            )
        )
    ).scalar_one()
    found, events = _event_counts(session, EVENTS.c.sender_id.in_(conversations or [""]))
    return Preview(len(leads), mails, found, events)


def erase(session: Session, email: str) -> Erasure:
    """Erase a person (bot.records.leads.erase_person) and the staff's notes, reviews and tags about them."""
    leads = _person_leads(session, email)
    conversations = [lead.conversation_id for lead in leads if lead.conversation_id]
    session.execute(sa.delete(LeadNote).where(LeadNote.lead_id.in_([lead.id for lead in leads] or [-1])))
    for table in (ConversationReview, ConversationTag):
        session.execute(sa.delete(table).where(table.sender_id.in_(conversations or [""])))
    return erase_person(session, email)


def purge_preview(session: Session, age: timedelta, now: datetime | None = None) -> Preview:
    """Counts of what a retention purge with this age would remove."""
    cutoff = (now or utcnow()) - age
    old_leads = sa.select(Lead.id).where(Lead.created_at < cutoff)
    leads = session.execute(sa.select(sa.func.count()).select_from(old_leads.subquery())).scalar_one()
    mails = session.execute(
        sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.lead_id.in_(old_leads))
    ).scalar_one()
    found, events = _event_counts(session, EVENTS.c.timestamp < cutoff.timestamp())
    return Preview(leads, mails, found, events)


def purge(session: Session, age: timedelta, now: datetime | None = None) -> Erasure:
    """Retention purge (bot.records.leads.purge_older_than), then the staff's rows left without their subject."""
    erasure = purge_older_than(session, age, now)
    session.execute(
        sa.delete(LeadNote)
        .where(LeadNote.lead_id.notin_(sa.select(Lead.id)))
        .execution_options(synchronize_session=False)
    )
    if has_events(session):
        remaining = sa.select(EVENTS.c.sender_id).distinct()
        for table in (ConversationReview, ConversationTag):
            session.execute(
                sa.delete(table).where(table.sender_id.notin_(remaining)).execution_options(synchronize_session=False)
            )
    return erasure


def past_erasures(session: Session, limit: int = 20) -> list[Erasure]:
    """The latest erasures and purges (counts only)."""
    query = sa.select(Erasure).order_by(Erasure.erased_at.desc(), Erasure.id.desc()).limit(limit)
    return session.execute(query).scalars().all()
