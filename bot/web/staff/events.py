"""Rasa's tracker store table as SQLAlchemy Core sees it, read-only, and what its rows mean."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

# SQLTrackerStore's table: events(id, sender_id, type_name, timestamp, intent_name, action_name, data).
EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("intent_name", sa.String),
    sa.column("action_name", sa.String),
    sa.column("data", sa.Text),
)
# The assistant did not understand: our own action, Rasa's default reply, or the core fallback.
FALLBACK_ACTIONS = ("action_not_understood", "utter_default", "action_default_fallback")
FALLBACK_INTENT = "nlu_fallback"
# The quiz was taken: its start, its form, or its verdict (answers given before asking skip the form).
QUIZ_ACTIONS = ("action_quiz_start", "eligibility_form", "action_eligibility_verdict")
VERDICTS = ("eligible", "not_eligible", "to_check")
HANDOFF_STATUSES = ("sent", "written")


def has_events(session: Session) -> bool:
    """Rasa creates its table on its first start: until then there is no conversation."""
    return sa.inspect(session.get_bind()).has_table("events")


def fallback_condition():
    """SQL: this row shows the assistant did not understand."""
    return sa.or_(EVENTS.c.action_name.in_(FALLBACK_ACTIONS), EVENTS.c.intent_name == FALLBACK_INTENT)


def verdict_pattern(verdict: str) -> str:
    """LIKE pattern of a verdict inside a bot event's data, as json.dumps writes it."""
    return f'%"verdict": "{verdict}"%'


def load_data(raw: str | None) -> dict[str, Any]:
    """An event's JSON data, or {} when it cannot be read."""
    try:
        data = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def json_fragment(text: str) -> str:
    """Text as Rasa's json.dumps stores it (ASCII with \\u escapes), without the quotes."""
    return json.dumps(text)[1:-1]


def to_datetime(timestamp: float | None) -> datetime | None:
    """A tracker timestamp (seconds since 1970) as an aware UTC datetime."""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc) if timestamp is not None else None
