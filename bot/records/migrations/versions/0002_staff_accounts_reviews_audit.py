"""Staff app: accounts, reviews and tags of conversations, notes on leads, audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("session_nonce", sa.String(64), nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("last_login_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("email", name="uq_staff_users_email"),
    )
    op.create_table(
        "staff_reviews",
        sa.Column("sender_id", sa.String(255), primary_key=True),
        sa.Column("reviewed", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("updated_by", sa.String(254)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "staff_tags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("tag", sa.String(50), nullable=False),
        sa.UniqueConstraint("sender_id", "tag", name="uq_staff_tags_sender_tag"),
    )
    op.create_index("ix_staff_tags_sender_id", "staff_tags", ["sender_id"])
    op.create_index("ix_staff_tags_tag", "staff_tags", ["tag"])
    op.create_table(
        "staff_lead_notes",
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("updated_by", sa.String(254)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "staff_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(255)),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_staff_audit_at", "staff_audit", ["at"])


def downgrade() -> None:
    op.drop_index("ix_staff_audit_at", "staff_audit")
    op.drop_table("staff_audit")
    op.drop_table("staff_lead_notes")
    op.drop_index("ix_staff_tags_tag", "staff_tags")
    op.drop_index("ix_staff_tags_sender_id", "staff_tags")
    op.drop_table("staff_tags")
    op.drop_table("staff_reviews")
    op.drop_table("staff_users")
