"""The cached SQL tracker store gives the same conversations as Rasa's own, whatever else writes to the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.utils.endpoints import read_endpoint_config

from bot.records.tracker_store import CachedSQLTrackerStore

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture
def url(database_url) -> str:
    """An empty database, SQLite and this machine's PostgreSQL in turn (tests/conftest.py)."""
    return database_url


def stored_events(url: str, sender: str) -> list[dict]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})
        return [json.loads(data) for (data,) in rows]


def turn(tracker, text: str, answer: str) -> None:
    """One visitor message and the bot's answer, as the processor adds them."""
    tracker.update(UserUttered(text, {"name": "faq", "confidence": 0.9}))
    tracker.update(ActionExecuted("utter_faq"))
    tracker.update(BotUttered(answer))
    tracker.update(ActionExecuted("action_listen"))


async def exchange(store: TrackerStore, sender: str, text: str, answer: str):
    """One message handled as Rasa handles it: read the conversation, add the turn, save."""
    tracker = await store.retrieve(sender)
    turn(tracker, text, answer)
    await store.save(tracker)
    return tracker


def stored_texts(url: str, sender: str) -> list[str]:
    """What the visitor said, as stored, in order."""
    return [e.get("text") for e in stored_events(url, sender) if e["event"] == "user"]


async def start(store: TrackerStore, sender: str):
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    return tracker


def event_names(tracker) -> list[str]:
    return [event.as_dict()["event"] for event in tracker.events]


async def test_a_conversation_over_several_messages_is_stored_exactly_once_in_order(domain, url):
    store = CachedSQLTrackerStore(domain=domain, host=url)
    await start(store, "alice")
    for n in range(5):
        tracker = await store.retrieve("alice")
        turn(tracker, f"question {n}", f"réponse {n}")
        tracker.update(SlotSet("headcount", n))
        await store.save(tracker)
    stored = stored_events(url, "alice")
    assert [e["event"] for e in stored].count("user") == 5
    assert [e.get("text") for e in stored if e["event"] == "user"] == [f"question {n}" for n in range(5)]
    # Rasa's own store reads the same conversation back from the database.
    plain = await SQLTrackerStore(domain=domain, host=url).retrieve("alice")
    ours = await store.retrieve("alice")
    assert [e.as_dict() for e in plain.events] == [e.as_dict() for e in ours.events]
    assert ours.get_slot("headcount") == 4


async def test_events_written_by_another_instance_are_seen_at_the_next_message(domain, url):
    ours = CachedSQLTrackerStore(domain=domain, host=url)
    other = CachedSQLTrackerStore(domain=domain, host=url)
    await start(ours, "bob")
    await exchange(ours, "bob", "premier", "un")

    await exchange(other, "bob", "deuxième", "deux")

    again = await ours.retrieve("bob")
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["premier", "deuxième"]
    turn(again, "troisième", "trois")
    await ours.save(again)
    assert stored_texts(url, "bob") == ["premier", "deuxième", "troisième"]


async def test_an_erased_conversation_is_not_served_from_memory(domain, url):
    store = CachedSQLTrackerStore(domain=domain, host=url)
    await start(store, "carol")
    await exchange(store, "carol", "mon email est carol@example.org", "merci")
    with sa.create_engine(url).begin() as connection:  # what the staff's "erase" does
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = 'carol'"))
    assert await store.retrieve("carol") is None
    fresh = await store.get_or_create_tracker("carol")
    assert not any(isinstance(e, UserUttered) for e in fresh.events)


async def test_changes_never_saved_are_dropped(domain, url):
    """A turn that failed half-way (action server down…) must not leave its events in memory."""
    store = CachedSQLTrackerStore(domain=domain, host=url)
    await start(store, "dan")
    tracker = await store.retrieve("dan")
    turn(tracker, "perdu", "jamais enregistré")  # no save
    again = await store.retrieve("dan")
    assert not any(isinstance(e, UserUttered) for e in again.events)
    turn(again, "retrouvé", "oui")
    await store.save(again)
    assert stored_texts(url, "dan") == ["retrouvé"]


async def test_two_readers_at_once_get_their_own_tracker_and_no_row_is_doubled(domain, url):
    store = CachedSQLTrackerStore(domain=domain, host=url)
    await start(store, "eve")
    first = await store.retrieve("eve")
    second = await store.retrieve("eve")
    assert first is not second
    turn(first, "un", "1")
    await store.save(first)
    turn(second, "deux", "2")
    await store.save(second)
    texts = stored_texts(url, "eve")
    assert texts == ["un", "deux"]


async def test_a_new_session_is_read_as_rasa_reads_it(domain, url):
    store = CachedSQLTrackerStore(domain=domain, host=url)
    await start(store, "fay")
    await exchange(store, "fay", "avant", "ancienne session")
    tracker = await store.retrieve("fay")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "après", "nouvelle session")
    await store.save(tracker)
    ours = await store.retrieve("fay")
    plain = await SQLTrackerStore(domain=domain, host=url).retrieve("fay")
    assert [e.as_dict() for e in ours.events] == [e.as_dict() for e in plain.events]
    assert [e.text for e in ours.events if isinstance(e, UserUttered)] == ["après"]


async def test_memory_is_bounded(domain, url):
    store = CachedSQLTrackerStore(domain=domain, host=url, cached_conversations=3)
    for n in range(6):
        await start(store, f"visitor-{n}")
        tracker = await store.retrieve(f"visitor-{n}")
        turn(tracker, "bonjour", "bonjour")
        await store.save(tracker)
    assert len(store._kept) == 3
    oldest = await store.retrieve("visitor-0")  # read back from the database
    assert [e.text for e in oldest.events if isinstance(e, UserUttered)] == ["bonjour"]


def test_endpoints_yml_loads_this_store_and_not_rasas_silent_in_memory_fallback(domain, url, monkeypatch):
    """endpoints.yml needs no variable (plain `rasa shell` works); the store opens the database of DATABASE_URL."""
    monkeypatch.setenv("DATABASE_URL", url)
    production = (ROOT / "deploy" / "endpoints.production.yml").read_text(encoding="utf-8")
    assert "tracker_store:\n  type: bot.records.tracker_store.CachedSQLTrackerStore\n" in production
    store = TrackerStore.create(read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store"), domain)
    inner = getattr(store, "_tracker_store", store)
    inner = getattr(inner, "_tracker_store", inner)
    assert isinstance(inner, CachedSQLTrackerStore)
    assert str(inner.engine.url) == url


def test_without_a_url_the_store_opens_the_assistants_default_database(domain, tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    store = CachedSQLTrackerStore(domain=domain)
    assert str(store.engine.url) == f"sqlite:///{tmp_path / 'var' / 'bot.db'}"


async def test_the_next_message_reuses_the_saved_conversation(domain, url):
    """The point of the store: no reading back of what was just written, while the database has not moved."""
    store = CachedSQLTrackerStore(domain=domain, host=url)
    await start(store, "gus")
    tracker = await exchange(store, "gus", "bonjour", "bonjour")
    assert await store.retrieve("gus") is tracker


async def test_a_sqlite_file_is_opened_with_the_settings_of_the_assistants_other_connections(domain, url):
    """On SQLite the store shares the file with the staff app and the action server: same settings (bot/records/db.py)."""
    if not url.startswith("sqlite"):
        pytest.skip("SQLite settings only")
    store = CachedSQLTrackerStore(domain=domain, host=url)
    await start(store, "hal")
    await exchange(store, "hal", "bonjour", "bonjour")
    with store.engine.connect() as connection:
        settings = [
            connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "busy_timeout", "synchronous")
        ]
    assert settings == ["wal", 15000, 1]  # 1: NORMAL, no fsync at each commit (safe in WAL mode but for power cuts)
    assert stored_texts(url, "hal") == ["bonjour"]
