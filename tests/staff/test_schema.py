"""Migration 0002 creates exactly the tables of bot.records.staff_models; the staff app's modules import no Rasa."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.records.db import make_engine

STAFF_CODE = sorted((Path(__file__).resolve().parents[2] / "bot" / "web" / "staff").glob("*.py")) + [
    Path(__file__).resolve().parents[2] / "bot" / "records" / "staff_models.py"
]


def test_the_migrations_match_the_models(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import bot.records.staff_models  # noqa: F401  (registers the staff tables on Base)
    from bot.records.models import Base

    with make_engine(database_url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


@pytest.mark.parametrize("path", STAFF_CODE, ids=lambda path: path.name)
def test_staff_modules_import_no_rasa(path):
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"rasa", "rasa_sdk"}
