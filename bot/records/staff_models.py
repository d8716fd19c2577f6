"""Tables of the staff app: accounts, reviews and tags of conversations, notes on leads, the audit log.

They sit beside bot.records.models (same Base, so Alembic sees one schema) and never
touch Rasa's `events` table: a conversation is referred to by its sender_id.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.records.models import Base, utcnow


class StaffUser(Base):
    """A staff account: argon2 password hash, failed-login counter and lock-out."""

    __tablename__ = "staff_users"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(254), nullable=False, unique=True)
    password_hash = sa.Column(sa.String(255), nullable=False)
    # Changes at every login and logout: a cookie signed for an older value is dead.
    session_nonce = sa.Column(sa.String(64), nullable=False)
    failed_logins = sa.Column(sa.Integer, nullable=False, default=0)
    locked_until = sa.Column(sa.DateTime(timezone=True))
    last_login_at = sa.Column(sa.DateTime(timezone=True))
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)


class ConversationReview(Base):
    """What the staff recorded about one conversation: reviewed or not, and a note."""

    __tablename__ = "staff_reviews"

    sender_id = sa.Column(sa.String(255), primary_key=True)
    reviewed = sa.Column(sa.Boolean, nullable=False, default=False)
    note = sa.Column(sa.Text)
    updated_by = sa.Column(sa.String(254))
    updated_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class ConversationTag(Base):
    """One tag on one conversation."""

    __tablename__ = "staff_tags"
    __table_args__ = (sa.UniqueConstraint("sender_id", "tag", name="uq_staff_tags_sender_tag"),)

    id = sa.Column(sa.Integer, primary_key=True)
    sender_id = sa.Column(sa.String(255), nullable=False, index=True)
    tag = sa.Column(sa.String(50), nullable=False, index=True)


class LeadNote(Base):
    """The staff's note on a lead (the lead's status lives on the lead itself)."""

    __tablename__ = "staff_lead_notes"

    lead_id = sa.Column(sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True)
    note = sa.Column(sa.Text, nullable=False, default="")
    updated_by = sa.Column(sa.String(254))
    updated_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class AuditEntry(Base):
    """Who did what, when: one row per staff action (never the personal data acted upon)."""

    __tablename__ = "staff_audit"

    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    actor = sa.Column(sa.String(254), nullable=False)
    action = sa.Column(sa.String(40), nullable=False)
    target = sa.Column(sa.String(255))
    detail = sa.Column(sa.Text)
