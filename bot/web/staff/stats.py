"""Figures of the dashboard: conversations, quiz, verdicts, leads, handoffs, what the assistant did not understand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.records.models import Lead, OutboxMail, utcnow
from bot.web.staff.conversations import conversation_table
from bot.web.staff.events import (
    EVENTS,
    HANDOFF_STATUSES,
    VERDICTS,
    fallback_condition,
    has_events,
    is_not_understood_row,
    load_data,
    to_datetime,
)

PERIODS = (7, 30, 365)


@dataclass
class Misunderstood:
    """A visitor's message the assistant did not understand."""

    sender_id: str
    at: datetime
    text: str


@dataclass
class Dashboard:
    """What the first page shows for a period ending now."""

    days: int
    since: datetime
    conversations: int = 0
    quiz_taken: int = 0
    verdicts: dict = field(default_factory=dict)
    leads: int = 0
    handoffs: int = 0
    pending_mails: int = 0
    visitor_messages: int = 0
    not_understood: int = 0
    misunderstood: list = field(default_factory=list)

    @property
    def fallback_rate(self) -> float | None:
        """Share of the visitor's messages that were not understood, or None without messages."""
        return self.not_understood / self.visitor_messages if self.visitor_messages else None


def misunderstood_messages(rows) -> tuple[int, list[Misunderstood]]:
    """From user rows and fallback-action rows (ordered by sender, id): messages counted, and those not understood.

    A message read as nlu_fallback and then answered by a fallback action counts once.
    """
    total, found = 0, []
    last: dict[str, tuple] = {}  # sender -> (row, already counted)
    for row in rows:
        if row.type_name == "user":
            total += 1
            last[row.sender_id] = (row, False)
        elif is_not_understood_row(row) and row.sender_id in last and not last[row.sender_id][1]:
            found.append(last[row.sender_id][0])
            last[row.sender_id] = (last[row.sender_id][0], True)
    messages = [
        Misunderstood(r.sender_id, to_datetime(r.timestamp), str(load_data(r.data).get("text") or "")) for r in found
    ]
    return total, sorted(messages, key=lambda m: m.at, reverse=True)


def dashboard(session: Session, days: int = 7, now: datetime | None = None, shown: int = 20) -> Dashboard:
    """Figures over the last `days` days."""
    since = (now or utcnow()) - timedelta(days=days)
    board = Dashboard(days=days, since=since)
    board.leads = session.execute(sa.select(sa.func.count(Lead.id)).where(Lead.created_at >= since)).scalar_one()
    board.handoffs = session.execute(
        sa.select(sa.func.count(OutboxMail.id)).where(
            OutboxMail.status.in_(HANDOFF_STATUSES), OutboxMail.created_at >= since
        )
    ).scalar_one()
    board.pending_mails = session.execute(
        sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.status == "pending")
    ).scalar_one()
    board.verdicts = {verdict: 0 for verdict in VERDICTS}
    if not has_events(session):
        return board
    conv = conversation_table()
    recent = conv.c.last >= since.timestamp()
    board.conversations, board.quiz_taken = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(conv.c.quiz), 0)).select_from(conv).where(recent)
    ).one()
    for verdict, count in session.execute(
        sa.select(conv.c.verdict, sa.func.count()).where(recent, conv.c.verdict.isnot(None)).group_by(conv.c.verdict)
    ):
        board.verdicts[verdict] = count
    e = EVENTS.c
    rows = session.execute(
        sa.select(e.sender_id, e.id, e.type_name, e.timestamp, e.intent_name, e.action_name, e.data)
        .where(e.timestamp >= since.timestamp(), sa.or_(e.type_name == "user", fallback_condition()))
        .order_by(e.sender_id, e.id)
    ).all()
    board.visitor_messages, misunderstood = misunderstood_messages(rows)
    board.not_understood = len(misunderstood)
    board.misunderstood = misunderstood[:shown]
    return board
