"""Database engine for the assistant's own tables and the start-up check."""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session


class DatabaseUnavailable(RuntimeError):
    """The configured database cannot be reached."""


def prepare_sqlite_dir(url: str) -> None:
    """Create the folder of a SQLite file so a fresh clone starts without set-up."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        from pathlib import Path

        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


@lru_cache(maxsize=8)
def make_engine(url: str) -> Engine:
    """One engine per URL and process; connections are opened lazily."""
    prepare_sqlite_dir(url)
    # A failed statement's values (a visitor's name, address, messages) never reach an error or a log.
    kwargs = {"pool_pre_ping": True, "hide_parameters": True}
    sqlite = make_url(url).get_backend_name() == "sqlite"
    if sqlite:
        # Several processes (Rasa, actions, web) share the file: wait rather than fail.
        kwargs["connect_args"] = {"timeout": 15}
    engine = sa.create_engine(url, future=True, **kwargs)
    if sqlite:
        sa.event.listen(engine, "connect", sqlite_pragmas)
    return engine


def sqlite_pragmas(connection, _record) -> None:
    """WAL lets readers (web app, Rasa) work while a writer commits; it stays set in the file for Rasa's own engine.
    SQLite checks foreign keys only when asked, per connection: without it no ON DELETE CASCADE would fire."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def check_database(url: str) -> None:
    """Open one connection, or raise DatabaseUnavailable with a readable reason."""
    try:
        with make_engine(url).connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as error:  # any driver error means the same thing to the operator
        try:
            safe_url = make_url(url).render_as_string(hide_password=True)
        except Exception:  # not even a URL: say so without echoing it (it may hold a password)
            raise DatabaseUnavailable(
                "DATABASE_URL n'est pas une URL SQLAlchemy valide "
                "(exemple : postgresql://utilisateur:motdepasse@hote:5432/base)"
            ) from None
        raise DatabaseUnavailable(
            f"base de données injoignable ({safe_url}) : {error.__class__.__name__}: {error}"
        ) from error


def upgrade(url: str) -> None:
    """Bring the assistant's tables to the latest schema (Alembic, from an empty database too)."""
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    with make_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """One session per unit of work: committed on success, rolled back on error."""
    session = Session(make_engine(url), future=True)
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
