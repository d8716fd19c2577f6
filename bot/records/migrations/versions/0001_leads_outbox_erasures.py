"""Leads, outbox of emails and log of erasures.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("organisation", sa.String(300)),
        sa.Column("phone", sa.String(40)),
        sa.Column("structure_type", sa.String(40)),
        sa.Column("headcount", sa.Integer),
        sa.Column("verdict", sa.String(20)),
        sa.Column("verdict_reasons", sa.JSON),
        sa.Column("quiz_answers", sa.JSON),
        sa.Column("funding", sa.JSON),
        sa.Column("project", sa.Text),
        sa.Column("conversation_id", sa.String(255)),
        sa.Column("consent_text", sa.Text, nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_leads_email", "leads", ["email"])
    op.create_index("ix_leads_conversation_id", "leads", ["conversation_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE")),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("reply_to", sa.String(254)),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("tries", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_outbox_lead_id", "outbox", ["lead_id"])
    op.create_table(
        "erasures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("leads", sa.Integer, nullable=False),
        sa.Column("mails", sa.Integer, nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("erasures")
    op.drop_index("ix_outbox_lead_id", "outbox")
    op.drop_table("outbox")
    op.drop_index("ix_leads_conversation_id", "leads")
    op.drop_index("ix_leads_email", "leads")
    op.drop_table("leads")
