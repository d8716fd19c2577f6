"""Rasa's SQL tracker store, with the conversations under way kept in memory between messages.

Named in endpoints.yml (`type: bot.records.tracker_store.CachedSQLTrackerStore`); like
`bot/rasa_ext/channels.py`, only the Rasa server loads it.

Rasa's `SQLTrackerStore` reads and decodes a conversation's whole session from
the database at every message, then counts its stored events again to know
which ones to add: a large share of the Rasa server's time in the benchmark,
growing with the conversation. This store keeps, for each recent conversation,
the tracker it last saved, and serves it again at the next message when the
database still ends with the same event (one indexed query). Anything else
(another instance wrote to the conversation, staff erased it, the tracker was
changed without being saved, a new session began) reloads from the database as
Rasa does. Writes go to the database before the cache is updated, so nothing
is lost on a restart; the database stays the only truth. A message's new
events go in one multi-row INSERT (SQLAlchemy's ORM inserted them one at a
time to learn each row's id).

A kept tracker is handed to one caller at a time: a second read of the same
conversation while the first is under way (Rasa's lock prevents that for
messages) gets its own copy from the database, and each copy's new events are
all written when it is saved.
"""

from __future__ import annotations

import itertools
import json
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.records.db import sqlite_pragmas
from bot.settings import load_settings

DEFAULT_CACHED_CONVERSATIONS = 500  # bounds the memory: a tracker is small even after a whole quiz


class _DriverQuery:
    """A Core SELECT of one row compiled once for the engine's driver, run on the driver's cursor.

    SQLAlchemy's work at each execution (cache lookup, parameters, result
    objects) cost several times the indexed query itself; these queries take
    plain values and give back integers, which need none of it."""

    def __init__(self, statement: Any, dialect: Any) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.names = compiled.positiontup if compiled.positional else None

    def row(self, dbapi_connection: Any, **values: Any) -> Any:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(self.sql, tuple(values[name] for name in self.names) if self.names is not None else values)
            return cursor.fetchone()
        finally:
            cursor.close()


@dataclass
class _Loaded:
    """What the database held when a tracker was read or last saved."""

    tracker: "weakref.ref[DialogueStateTracker]"
    rows: int  # events of the tracker that are stored (since its session start)
    last_id: Optional[int]  # id of the conversation's last row then


class CachedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that serves recent conversations from memory when the database has not moved."""

    def __init__(self, *args: Any, cached_conversations: int = DEFAULT_CACHED_CONVERSATIONS, **kwargs: Any) -> None:
        if len(args) < 3 and kwargs.get("host") is None:  # (domain, dialect, host, …)
            # No `url` in the endpoints file (endpoints.yml, for `rasa shell` and the like): the assistant's own
            # database, DATABASE_URL or the SQLite file under VAR_DIR, as every other process reads it.
            settings = load_settings()
            settings.var_dir.mkdir(parents=True, exist_ok=True)
            kwargs["host"] = settings.database_url
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy 1.4 opens a new connection for each session on a SQLite file (NullPool), a cost at every
            # message. Rasa runs its store on the event loop's thread only; a small pool serves it.
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(
                url, poolclass=QueuePool, pool_size=2, connect_args={"check_same_thread": False}
            )
            # The settings of the assistant's own connections to the same file (bot/records/db.py): WAL, wait when
            # another process writes, and no fsync at each commit (a wait at every message); in WAL mode
            # that loses no committed message when a process stops or crashes, only on a power cut.
            sa.event.listen(self.engine, "connect", sqlite_pragmas)
            self.sessionmaker = sessionmaker(bind=self.engine)
        # As for the assistant's own engines (bot/records/db.py): no visitor text in an error or a log.
        self.engine.hide_parameters = True
        events = self.SQLEvent.__table__
        sender = events.c.sender_id == sa.bindparam("sender_id")
        self._last_id_query = _DriverQuery(sa.select(sa.func.max(events.c.id)).where(sender), self.engine.dialect)
        self._rows_after_query = _DriverQuery(
            sa.select(sa.func.count(), sa.func.max(events.c.id)).where(sender, events.c.id > sa.bindparam("after")),
            self.engine.dialect,
        )
        self._insert = events.insert()
        self.cached_conversations = int(cached_conversations)
        self._kept: "OrderedDict[Text, DialogueStateTracker]" = OrderedDict()  # saved, not lent to anybody
        self._loaded: Dict[int, _Loaded] = {}  # by id() of every tracker handed out or kept (trackers are unhashable)

    def _last_event_id(self, dbapi_connection: Any, sender_id: Text) -> Optional[int]:
        return self._last_id_query.row(dbapi_connection, sender_id=sender_id)[0]

    def _note(self, tracker: DialogueStateTracker, rows: int, last_id: Optional[int]) -> None:
        key = id(tracker)
        self._loaded[key] = _Loaded(weakref.ref(tracker, lambda _, key=key: self._loaded.pop(key, None)), rows, last_id)

    def _noted(self, tracker: DialogueStateTracker) -> Optional[_Loaded]:
        loaded = self._loaded.get(id(tracker))
        return loaded if loaded is not None and loaded.tracker() is tracker else None

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The latest session of a conversation: from memory if the database still ends where it did."""
        kept = self._kept.pop(sender_id, None)
        connection = self.engine.raw_connection()  # an ORM session costs several times more
        try:
            last_id = self._last_event_id(connection, sender_id)
        finally:
            connection.close()  # back to the pool
        noted = self._noted(kept) if kept is not None else None
        if noted is not None and last_id is not None and noted.last_id == last_id and len(kept.events) == noted.rows:
            return kept  # lent: out of `_kept` until it is saved
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._note(tracker, len(tracker.events), last_id)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Add the tracker's new events to the database, then keep the tracker for the next message."""
        noted = self._noted(tracker)
        await self.stream_events(tracker)  # an event broker, if one is set, compares with a fresh read
        if noted is not None:
            start = noted.rows
        else:  # Rasa's own rule when we do not know: the rows stored since the session start come first
            with self.session_scope() as session:
                start = self._event_query(session, tracker.sender_id, False).count()
        new_events = list(itertools.islice(tracker.events, start, None))
        rows = [self._row(tracker.sender_id, event) for event in new_events]
        # One multi-row INSERT in one transaction: the ORM inserted the rows one by one to learn each id.
        with self.engine.begin() as connection:
            dbapi_connection = connection.connection  # the same connection and transaction, for the checks
            last_id = self._last_event_id(dbapi_connection, tracker.sender_id)
            unchanged = noted is not None and noted.last_id == last_id
            if rows:
                connection.execute(self._insert, rows)
                # The conversation now ends with our rows, and only them if nothing else wrote meanwhile.
                added, last_id = self._rows_after_query.row(
                    dbapi_connection, sender_id=tracker.sender_id, after=-1 if last_id is None else last_id
                )
                unchanged = unchanged and added == len(rows)
        self._kept.pop(tracker.sender_id, None)
        # Keep it only if it holds the whole conversation: nothing else wrote since it was read, no new
        # session began (Rasa reads from the latest session start: the database gives that view).
        if unchanged and not any(isinstance(event, SessionStarted) for event in new_events):
            self._note(tracker, len(tracker.events), last_id)
            self._kept[tracker.sender_id] = tracker
            while len(self._kept) > self.cached_conversations:
                self._kept.popitem(last=False)
        else:
            self._loaded.pop(id(tracker), None)

    @staticmethod
    def _row(sender_id: Text, event: Event) -> Dict[Text, Any]:
        """The columns Rasa's SQLTrackerStore writes for an event."""
        data = event.as_dict()
        return dict(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )
