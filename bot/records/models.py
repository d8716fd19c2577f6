"""Tables of the assistant's own data: leads, the outbox of emails, the log of erasures.

Rasa's conversations live in its own `events` table (tracker store) in the same
database; nothing here writes to it except erasure.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> datetime:
    """Timezone-aware now, stored as UTC."""
    return datetime.now(timezone.utc)


class Lead(Base):
    """A visitor who agreed to be contacted, with what the conversation established."""

    __tablename__ = "leads"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(200), nullable=False)
    email = sa.Column(sa.String(254), nullable=False, index=True)
    organisation = sa.Column(sa.String(300))
    phone = sa.Column(sa.String(40))
    structure_type = sa.Column(sa.String(40))
    headcount = sa.Column(sa.Integer)
    verdict = sa.Column(sa.String(20))
    verdict_reasons = sa.Column(sa.JSON)
    quiz_answers = sa.Column(sa.JSON)
    funding = sa.Column(sa.JSON)
    project = sa.Column(sa.Text)
    conversation_id = sa.Column(sa.String(255), index=True)
    consent_text = sa.Column(sa.Text, nullable=False)
    consent_at = sa.Column(sa.DateTime(timezone=True), nullable=False)
    status = sa.Column(sa.String(30), nullable=False, default="new")
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    mails = relationship("OutboxMail", back_populates="lead", cascade="all, delete-orphan")


class OutboxMail(Base):
    """An email to send; it stays here with its error until it is sent."""

    __tablename__ = "outbox"

    id = sa.Column(sa.Integer, primary_key=True)
    lead_id = sa.Column(sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    recipient = sa.Column(sa.String(254), nullable=False)
    reply_to = sa.Column(sa.String(254))
    subject = sa.Column(sa.String(300), nullable=False)
    body = sa.Column(sa.Text, nullable=False)
    status = sa.Column(sa.String(20), nullable=False, default="pending")  # pending, sent, written
    tries = sa.Column(sa.Integer, nullable=False, default=0)
    last_error = sa.Column(sa.Text)
    next_attempt_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = sa.Column(sa.DateTime(timezone=True))

    lead = relationship("Lead", back_populates="mails")


class Erasure(Base):
    """What an erasure removed, without the personal data it removed."""

    __tablename__ = "erasures"

    id = sa.Column(sa.Integer, primary_key=True)
    erased_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)
    reason = sa.Column(sa.String(30), nullable=False)  # request, retention
    leads = sa.Column(sa.Integer, nullable=False, default=0)
    mails = sa.Column(sa.Integer, nullable=False, default=0)
    events = sa.Column(sa.Integer, nullable=False, default=0)
    # Hashes of the addresses and conversation ids erased (bot.records.personal_data.subject_hash), so that
    # `python -m bot erasures replay` can erase them again after a backup is restored; none for retention.
    subjects = sa.Column(sa.JSON)


# Rasa's own table of conversation events (SQLTrackerStore), read by the staff app and erased by
# bot.records.personal_data: events(id, sender_id, type_name, timestamp, intent_name, action_name, data).
EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("intent_name", sa.String),
    sa.column("action_name", sa.String),
    sa.column("data", sa.Text),
)


def has_events(session) -> bool:
    """Rasa creates its table on its first start: until then there is no conversation."""
    return sa.inspect(session.get_bind()).has_table("events")
