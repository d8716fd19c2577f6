"""Leads on SQLite and on PostgreSQL: checks of what visitors type, save, export, erasure, retention."""

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from bot.records import leads
from bot.records.db import make_engine, session_scope
from bot.records.mailer import enqueue
from bot.records.models import Erasure


@pytest.mark.parametrize(
    "text,value,problem,suggestion",
    [
        ("marie.durand@asso-lien.fr", "marie.durand@asso-lien.fr", None, None),
        ("mon mail c'est Paul@Exemple.FR merci", "Paul@exemple.fr", None, None),
        ("marie.durand.gmail.com", None, "missing_at", None),
        ("marie@gmial.com", None, "typo", "marie@gmail.com"),
        ("jean@hotmial.com", None, "typo", "jean@hotmail.com"),
        ("jean@localhost", None, "invalid", None),
        ("a@b.fr\r\nBcc: victime@example.com", None, "invalid", None),
    ],
)
def test_check_email(text, value, problem, suggestion):
    check = leads.check_email(text)
    assert (check.value, check.problem, check.suggestion) == (value, problem, suggestion)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("04 72 10 20 30", "04 72 10 20 30"),
        ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("12", None),
        ("appelez-moi", None),
    ],
)
def test_check_phone(text, expected):
    assert leads.check_phone(text) == expected


def lead_data(**changes) -> leads.LeadData:
    values = dict(
        name="Élodie Martin",
        email="elodie@coop-exemple.fr",
        consent_text="Vos coordonnées seront conservées…",
        consent_at=datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc),
        conversation_id="conv-1",
        organisation="Coop Exemple",
        project="Un atelier partagé 🌱 pour l'équipe",
        structure_type="association",
        headcount=40,
        eligibility={"verdict": "eligible", "reasons": [], "answers": {"structure_type": "association"}},
        funding={"support": "long", "days": 10, "company_eur": 2000},
    )
    values.update(changes)
    return leads.LeadData(**values)


def test_a_lead_is_saved_with_its_consent_and_exported_intact(database_url):
    with session_scope(database_url) as session:
        leads.save_lead(session, lead_data(project="'); DROP TABLE leads;--  " + "é" * 10_000))
    with session_scope(database_url) as session:
        stored = leads.all_leads(session)
        assert len(stored) == 1 and stored[0].consent_text.startswith("Vos coordonnées")
        assert stored[0].project.startswith("'); DROP TABLE leads;--")  # stored verbatim, tables intact
        assert len(stored[0].project) > 10_000
        rows = list(csv.DictReader(io.StringIO(leads.export_leads(stored, "csv"))))
        as_json = json.loads(leads.export_leads(stored, "json"))
    assert rows[0]["name"] == "Élodie Martin" and rows[0]["funding_company_eur"] == "2000"
    assert as_json[0]["organisation"] == "Coop Exemple"


def test_emoji_and_accents_survive_the_csv(database_url):
    with session_scope(database_url) as session:
        leads.save_lead(session, lead_data(project="Projet « bien-être » 🌱 à Saint-Étienne"))
    with session_scope(database_url) as session:
        exported = leads.export_leads(leads.all_leads(session))
    assert "Projet « bien-être » 🌱 à Saint-Étienne" in exported


def test_giving_details_twice_updates_the_same_lead(database_url):
    with session_scope(database_url) as session:
        leads.save_lead(session, lead_data())
        leads.save_lead(session, lead_data(phone="04 72 10 20 30"))
    with session_scope(database_url) as session:
        assert [lead.phone for lead in leads.all_leads(session)] == ["04 72 10 20 30"]


def add_conversation_events(url: str, sender: str, timestamp: float) -> None:
    """A minimal copy of Rasa's events table, as its SQL tracker store creates it."""
    with make_engine(url).begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), type_name VARCHAR(255), "
                "timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO events (id, sender_id, type_name, timestamp, data) VALUES "
                "(:id, :sender, 'user', :ts, '{}')"
            ),
            {"id": int(timestamp * 1000) % 2_000_000_000 + len(sender), "sender": sender, "ts": timestamp},
        )


def test_erasure_removes_lead_mails_and_conversation_and_logs_only_counts(database_url):
    add_conversation_events(database_url, "conv-1", datetime.now(timezone.utc).timestamp())
    add_conversation_events(database_url, "someone-else", datetime.now(timezone.utc).timestamp() + 1)
    with session_scope(database_url) as session:
        lead = leads.save_lead(session, lead_data())
        enqueue(session, "j.bertin@anact.fr", "Demande", "corps", reply_to=lead.email, lead=lead)
    with session_scope(database_url) as session:
        erasure = leads.erase_person(session, "ELODIE@coop-exemple.fr")
        assert (erasure.leads, erasure.mails, erasure.events) == (1, 1, 1)
    with make_engine(database_url).connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM leads")).scalar() == 0
        assert connection.execute(sa.text("SELECT count(*) FROM outbox")).scalar() == 0
        assert connection.execute(sa.text("SELECT sender_id FROM events")).scalars().all() == ["someone-else"]
        logged = connection.execute(sa.select(Erasure.__table__)).mappings().one()
    assert "elodie" not in json.dumps({k: str(v) for k, v in logged.items()}).lower()


def test_retention_purges_only_what_is_older(database_url):
    now = datetime.now(timezone.utc)
    add_conversation_events(database_url, "old-conv", (now - timedelta(days=4 * 365)).timestamp())
    add_conversation_events(database_url, "new-conv", now.timestamp())
    with session_scope(database_url) as session:
        old = leads.save_lead(session, lead_data(conversation_id="old-conv", email="old@exemple.fr"))
        old.created_at = now - timedelta(days=4 * 365)
        leads.save_lead(session, lead_data(conversation_id="new-conv", email="new@exemple.fr"))
    with session_scope(database_url) as session:
        erasure = leads.purge_older_than(session, leads.parse_age("3y"))
        assert erasure.leads == 1
    with session_scope(database_url) as session:
        assert [lead.email for lead in leads.all_leads(session)] == ["new@exemple.fr"]
    with make_engine(database_url).connect() as connection:
        assert connection.execute(sa.text("SELECT sender_id FROM events")).scalars().all() == ["new-conv"]


@pytest.mark.parametrize("text,days", [("3y", 1095), ("18m", 540), ("90d", 90)])
def test_parse_age(text, days):
    assert leads.parse_age(text) == timedelta(days=days)


def test_parse_age_refuses_nonsense():
    with pytest.raises(ValueError):
        leads.parse_age("trois ans")


def test_single_line_fields_lose_their_line_breaks_but_the_project_keeps_them():
    assert leads.clean_text("Jean\r\nBcc: victime@example.com") == "Jean  Bcc: victime@example.com"
    assert leads.clean_text("ligne 1\nligne 2 🌱", multiline=True) == "ligne 1\nligne 2 🌱"


def test_the_background_worker_applies_the_retention_by_itself(database_url, tmp_path):
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    now = datetime.now(timezone.utc)
    add_conversation_events(database_url, "expired-conv", (now - timedelta(days=100)).timestamp())
    add_conversation_events(database_url, "recent-conv", now.timestamp())
    with session_scope(database_url) as session:
        old = leads.save_lead(session, lead_data(conversation_id="expired-conv", email="ancien@exemple.fr"))
        old.created_at = now - timedelta(days=100)
    env = {**os.environ, "DATABASE_URL": database_url, "VAR_DIR": str(tmp_path), "RETENTION": "90d"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot", "outbox", "work"],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with session_scope(database_url) as session:
                if not leads.all_leads(session):
                    break
            time.sleep(0.5)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=10)[0]
    with make_engine(database_url).connect() as connection:
        assert connection.execute(sa.text("SELECT DISTINCT sender_id FROM events")).scalars().all() == ["recent-conv"]
    assert "conservation (90d) : 1 fiche(s)" in output
