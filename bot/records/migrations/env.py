"""Alembic environment: the URL comes from the caller (bot.records.db.upgrade), the tables from bot.records.models."""

from alembic import context

import bot.records.staff_models  # noqa: F401  (registers the staff tables on Base for autogenerate)
from bot.records.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """Run online against the engine given by bot.records.db, or offline to print SQL."""
    connectable = config.attributes.get("connection")
    if connectable is None:
        context.configure(
            url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    context.configure(connection=connectable, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
