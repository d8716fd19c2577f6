"""Erasure log: hashed identifiers of what each erasure removed, to apply it again after a restore.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("erasures") as table:
        table.add_column(sa.Column("subjects", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("erasures") as table:
        table.drop_column("subjects")
