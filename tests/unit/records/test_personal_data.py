"""A person's data on SQLite and on PostgreSQL: erasure leaves nothing behind, retention per kind, replay after restore."""

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.records import leads, personal_data
from bot.records.db import make_engine, session_scope
from bot.records.mailer import Mailer, MailSettings, enqueue
from bot.records.models import Base, Erasure
from bot.records.personal_data import Retention
from bot.records.staff_models import AuditEntry, ConversationReview, ConversationTag, LeadNote
from tests.unit.records.test_leads import lead_data

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)  # the fake clock of the retention tests
RETENTION = Retention(timedelta(days=3 * 365), timedelta(days=180), timedelta(days=365))
ADDRESS = "elodie@coop-exemple.fr"


def add_events(url: str, sender: str, when: datetime, text: str = "bonjour") -> None:
    """An event of Rasa's events table, as its SQL tracker store writes it (created here if Rasa has not yet)."""
    with make_engine(url).begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE IF NOT EXISTS events (id SERIAL PRIMARY KEY, sender_id VARCHAR(255), "
                "type_name VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
                if url.startswith("postgresql")
                else "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), "
                "type_name VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
            )
        )
        data = json.dumps({"event": "user", "text": text, "timestamp": when.timestamp()})
        connection.execute(
            sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, :d)"),
            {"s": sender, "t": when.timestamp(), "d": data},
        )


def run_bot(database_url: str, var_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m bot …` on this database, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "VAR_DIR": str(var_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def senders(url: str) -> list[str]:
    with make_engine(url).connect() as connection:
        return sorted(connection.execute(sa.text("SELECT DISTINCT sender_id FROM events")).scalars())


def every_row_holding(url: str, text: str) -> list[str]:
    """Tables whose rows contain `text` anywhere (every column read as text)."""
    found = []
    engine = make_engine(url)
    with engine.connect() as connection:
        for table in sa.inspect(engine).get_table_names():
            for row in connection.execute(sa.text(f"SELECT * FROM {table}")):
                if text.lower() in " ".join(str(value) for value in row).lower():
                    found.append(table)
    return found


@pytest.fixture
def person(database_url, tmp_path):
    """Élodie: a lead from conv-1 with its handoff mail written as .eml, staff notes and tags, and a second
    conversation (conv-2) where she typed her address without leaving a lead; someone else beside her."""
    add_events(database_url, "conv-1", NOW, "je m'appelle Élodie")
    add_events(database_url, "conv-2", NOW, f"mon adresse : {ADDRESS.upper()}")
    add_events(database_url, "other", NOW, "combien ça coûte ?")
    outbox = tmp_path / "outbox"
    with session_scope(database_url) as session:
        lead = leads.save_lead(session, lead_data())
        enqueue(session, "j.bertin@anact.fr", "Demande d'Élodie", f"Écrire à {ADDRESS}", reply_to=ADDRESS, lead=lead)
        session.flush()
        session.add(LeadNote(lead_id=lead.id, note="Rappeler lundi"))
        session.add(ConversationReview(sender_id="conv-2", reviewed=True, note="adresse dans le texte"))
        session.add(ConversationTag(sender_id="conv-1", tag="à rappeler"))
        session.add(ConversationTag(sender_id="other", tag="coût"))
        leads.save_lead(session, lead_data(email="autre@exemple.fr", name="Paul Autre", conversation_id="other"))
    settings = MailSettings(host="", port=25, user="", password="", starttls=False, sender="a@b.fr", timeout=5,
                            outbox_dir=outbox)  # fmt: skip
    with session_scope(database_url) as session:
        Mailer(settings).deliver_due(session)
    assert any(ADDRESS in path.read_text(errors="replace").lower() for path in outbox.glob("*.eml"))
    return outbox


def test_erasing_an_address_leaves_no_row_and_no_file_holding_it(database_url, person):
    with session_scope(database_url) as session:
        preview = personal_data.find_person(session, " Elodie@Coop-Exemple.fr ", person)
        assert (len(preview.leads), len(preview.mails), preview.conversations) == (1, 1, {"conv-1", "conv-2"})
        erasure = personal_data.erase_person(session, "Elodie@Coop-Exemple.fr", person)
        assert (erasure.leads, erasure.mails, erasure.events) == (1, 1, 2)
    assert every_row_holding(database_url, ADDRESS) == []
    assert every_row_holding(database_url, "Élodie") == []  # her first conversation went too
    assert not [path for path in person.glob("*") if ADDRESS in path.read_text(errors="replace").lower()]
    assert senders(database_url) == ["other"]
    with session_scope(database_url) as session:
        assert session.execute(sa.select(ConversationTag.sender_id)).scalars().all() == ["other"]
        assert session.execute(sa.select(sa.func.count()).select_from(ConversationReview)).scalar_one() == 0
        assert session.execute(sa.select(sa.func.count()).select_from(LeadNote)).scalar_one() == 0
        logged = session.execute(sa.select(Erasure)).scalar_one()
        assert personal_data.subject_hash("email", ADDRESS) in logged.subjects  # to apply it again, not to read it


def test_an_erasure_is_applied_again_after_a_backup_is_restored(database_url, person, tmp_path):
    tables = [Base.metadata.tables[name] for name in ("leads", "outbox", "staff_tags")] + [personal_data.EVENTS]
    with make_engine(database_url).connect() as connection:  # the backup: every row before the erasure
        backup = {table.name: [dict(row._mapping) for row in connection.execute(sa.select(table))] for table in tables}
    with session_scope(database_url) as session:
        personal_data.erase_person(session, ADDRESS, person)
    with make_engine(database_url).begin() as connection:  # the restore puts her rows back
        for table in reversed(tables):
            connection.execute(sa.delete(table))
        for table in tables:
            if backup[table.name]:
                connection.execute(sa.insert(table), backup[table.name])
    assert every_row_holding(database_url, ADDRESS), "the restore did not bring her rows back"
    result = run_bot(database_url, tmp_path, "erasures", "replay")
    assert result.returncode == 0, result.stderr[-2000:]
    assert every_row_holding(database_url, ADDRESS) == [] and senders(database_url) == ["other"]
    assert "appliqué(s) de nouveau" in result.stdout


def test_retention_applies_to_each_kind_with_its_own_duration(database_url):
    add_events(database_url, "old-lead-conv", NOW - timedelta(days=4 * 365))
    add_events(database_url, "recent-lead-conv", NOW - timedelta(days=400))  # a kept lead keeps its conversation
    add_events(database_url, "quiet-7-months", NOW - timedelta(days=210))
    add_events(database_url, "quiet-1-month", NOW - timedelta(days=30))
    add_events(database_url, "long-but-active", NOW - timedelta(days=300))
    add_events(database_url, "long-but-active", NOW - timedelta(days=2))
    with session_scope(database_url) as session:
        old = leads.save_lead(session, lead_data(conversation_id="old-lead-conv", email="ancien@exemple.fr"))
        old.created_at = NOW - timedelta(days=4 * 365)
        recent = leads.save_lead(session, lead_data(conversation_id="recent-lead-conv", email="recent@exemple.fr"))
        recent.created_at = NOW - timedelta(days=400)
        session.add(AuditEntry(actor="a@exemple.fr", action="login", at=NOW - timedelta(days=400)))
        session.add(AuditEntry(actor="a@exemple.fr", action="login", at=NOW - timedelta(days=10)))
    with session_scope(database_url) as session:
        erasure = personal_data.purge(session, RETENTION, now=NOW)
        assert (erasure.leads, erasure.reason, erasure.subjects) == (1, "retention", None)
        assert [lead.email for lead in leads.all_leads(session)] == ["recent@exemple.fr"]
        assert session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar_one() == 1
    assert senders(database_url) == ["long-but-active", "quiet-1-month", "recent-lead-conv"]


def test_sqlite_and_postgresql_cascade_a_deleted_lead_to_its_mails_and_notes(database_url):
    with session_scope(database_url) as session:
        lead = leads.save_lead(session, lead_data())
        enqueue(session, "j.bertin@anact.fr", "Demande", "corps", reply_to=ADDRESS, lead=lead)
        session.flush()
        session.add(LeadNote(lead_id=lead.id, note="note"))
    with make_engine(database_url).begin() as connection:  # plain SQL, as an operator would
        connection.execute(sa.text("DELETE FROM leads"))
    with make_engine(database_url).connect() as connection:
        for table in ("outbox", "staff_lead_notes"):
            assert connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table


@pytest.mark.parametrize("text,days", [("3y", 1095), ("18m", 540), ("90d", 90), ("30d", 30)])
def test_parse_age(text, days):
    assert personal_data.parse_age(text) == timedelta(days=days)


@pytest.mark.parametrize("text", ["trois ans", "0d", "1d", "29d", ""])
def test_parse_age_refuses_nonsense_and_less_than_thirty_days(text):
    with pytest.raises(ValueError):
        personal_data.parse_age(text)


def test_the_background_worker_applies_each_retention_by_itself(database_url, tmp_path):
    now = datetime.now(timezone.utc)
    add_events(database_url, "expired-lead-conv", now - timedelta(days=100))
    add_events(database_url, "expired-quiet-conv", now - timedelta(days=40))
    add_events(database_url, "recent-conv", now)
    with session_scope(database_url) as session:
        old = leads.save_lead(session, lead_data(conversation_id="expired-lead-conv", email="ancien@exemple.fr"))
        old.created_at = now - timedelta(days=100)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "VAR_DIR": str(tmp_path),
        "RETENTION_LEADS": "90d",
        "RETENTION_CONVERSATIONS": "30d",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot", "outbox", "work"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and senders(database_url) != ["recent-conv"]:
            time.sleep(0.5)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=10)[0]
    assert senders(database_url) == ["recent-conv"], output[-2000:]
    assert "conservation : 1 fiche(s)" in output


def test_a_person_gets_a_copy_of_everything_held_on_them(database_url, person, tmp_path):
    result = run_bot(
        database_url, tmp_path, "person", "export", "--email", "Elodie@Coop-Exemple.fr", "--format", "json"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    copy = json.loads(result.stdout)
    (lead,) = copy["leads"]
    assert (lead["name"], lead["email"], lead["consent_at"][:16]) == ("Élodie Martin", ADDRESS, "2026-11-27T09:30")
    assert lead["consent_text"] and lead["staff_note"] == "Rappeler lundi"
    assert [mail["subject"] for mail in copy["mails"]] == ["Demande d'Élodie"]
    assert {c["id"]: [m["text"] for m in c["messages"]] for c in copy["conversations"]} == {
        "conv-1": ["je m'appelle Élodie"],
        "conv-2": [f"mon adresse : {ADDRESS.upper()}"],
    }
    assert "Paul" not in result.stdout and "combien" not in result.stdout  # nobody else's data
    with session_scope(database_url) as session:
        text = personal_data.export_text(personal_data.export_person(session, ADDRESS))
        assert "Fiche contact :" in text and "visiteur : je m'appelle Élodie" in text
        nobody = personal_data.export_text(personal_data.export_person(session, "personne@exemple.fr"))
        assert "Aucune donnée n'est conservée pour cette adresse." in nobody


def test_a_2000_character_structure_name_still_saves_the_lead_and_its_mail(database_url):
    from bot.records import handoff

    with session_scope(database_url) as session:
        lead = leads.save_lead(session, lead_data(name="É" * 2000, organisation="Association " + "très " * 400))
        subject = handoff.subject_for(lead)
        enqueue(session, "j.bertin@anact.fr", subject, "corps", reply_to=ADDRESS, lead=lead)
    assert len(subject) <= 300 and subject.endswith("… - semble éligible")  # the verdict is kept
    with session_scope(database_url) as session:
        assert len(leads.all_leads(session)) == 1


def test_a_failed_statement_never_carries_the_visitors_values(database_url):
    with pytest.raises(sa.exc.IntegrityError) as failure:
        with make_engine(database_url).begin() as connection:
            connection.execute(
                sa.text("INSERT INTO leads (name, email) VALUES (:name, :email)"),
                {"name": "Élodie Secrète", "email": ADDRESS},
            )
    # SQLAlchemy never renders the values; PostgreSQL's own DETAIL line may still quote the row (see the note
    # in docs/data-protection.md): what our code logs leaves exception messages out (actions/failures.py).
    assert "SQL parameters hidden" in str(failure.value)
    if database_url.startswith("sqlite"):
        assert "Secrète" not in str(failure.value) and ADDRESS not in str(failure.value)


def test_an_actions_failure_is_logged_without_its_message(caplog):
    import logging

    from actions.failures import log_failure

    try:
        {}[f"mon adresse est {ADDRESS}"]
    except KeyError as error:
        log_failure(logging.getLogger("actions.test"), "the dialogue failed", error)
    assert "KeyError" in caplog.text and "test_personal_data.py" in caplog.text
    assert ADDRESS not in caplog.text


def test_the_command_line_erases_by_lead_number_and_by_conversation(database_url, person, tmp_path):
    def erase(*how: str) -> subprocess.CompletedProcess:
        return run_bot(database_url, tmp_path, "leads", "erase", *how)

    assert erase("--conversation", "other").returncode == 0
    assert senders(database_url) == ["conv-1", "conv-2"] and every_row_holding(database_url, "autre@exemple.fr") == []
    with session_scope(database_url) as session:
        (lead_id,) = session.execute(sa.select(leads.Lead.id)).scalars()
    assert erase("--lead", "999999").returncode == 1
    done = erase("--lead", str(lead_id))
    assert done.returncode == 0 and "Effacé : 1 fiche(s)" in done.stdout
    assert every_row_holding(database_url, ADDRESS) == [] and senders(database_url) == []
