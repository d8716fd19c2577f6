"""Rasa's tracker store table as SQLAlchemy Core sees it, read-only, and what its rows mean."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from bot.program.quiz import QUESTIONS
from bot.records.models import EVENTS, has_events  # noqa: F401  (read from here by the staff modules)

# The assistant did not understand. Since the dialogue runs in one action (action_turn), each turn ends with a
# `last_turn` slot saying what the message was taken for; a name typed at the contact question is read by the
# model as nlu_fallback but understood as an answer, so the slot decides, not the intent. Conversations held
# before (rules and forms) are still read by their fallback actions.
FALLBACK_ACTIONS = ("action_not_understood", "utter_default", "action_default_fallback")
TURN_SLOT = "last_turn"
NOT_UNDERSTOOD = '%"understood": false%'
# The quiz was taken: an answer to one of its questions, or its verdict; for older conversations, its actions.
QUIZ_QUESTIONS = QUESTIONS
QUIZ_ACTIONS = ("action_quiz_start", "eligibility_form", "action_eligibility_verdict", *QUIZ_QUESTIONS)
VERDICTS = ("eligible", "not_eligible", "to_check")
HANDOFF_STATUSES = ("sent", "written")


def not_understood_turn():
    """SQL: this row is the record of a turn the dialogue did not understand."""
    return sa.and_(EVENTS.c.type_name == "slot", EVENTS.c.action_name == TURN_SLOT, EVENTS.c.data.like(NOT_UNDERSTOOD))


def fallback_condition():
    """SQL: this row shows the assistant did not understand (a turn record, or an older conversation's fallback).

    The model's nlu_fallback intent alone does not: names and addresses typed at the contact questions get it."""
    return sa.or_(EVENTS.c.action_name.in_(FALLBACK_ACTIONS), not_understood_turn())


def is_not_understood_row(row) -> bool:
    """In Python: a fallback action of an older conversation, or a turn record saying "not understood"."""
    if row.action_name in FALLBACK_ACTIONS:
        return True
    return row.type_name == "slot" and row.action_name == TURN_SLOT and '"understood": false' in (row.data or "")


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
