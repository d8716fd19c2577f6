"""Helpers shared by the actions: reading the latest message and resetting slots."""
from __future__ import annotations

from typing import Any, Iterable

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

# Intents that, during a form, ask for something else than answering the question:
# the form steps aside and a rule answers them, then the form resumes.
INTERRUPTING_INTENTS = frozenset({
    "faq", "stop_quiz", "restart_quiz", "why_question", "correct_answer", "ask_human",
    "greet", "goodbye", "thank", "capabilities", "out_of_scope", "english",
    "ask_estimate", "start_quiz",
})


def latest_text(tracker: Tracker) -> str:
    """What the visitor typed last (a button payload such as "/start_quiz" counts as empty)."""
    text = (tracker.latest_message or {}).get("text") or ""
    return "" if text.startswith("/") else text


def latest_intent(tracker: Tracker) -> str:
    """Name of the intent of the latest message."""
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def latest_entity(tracker: Tracker, name: str) -> Any:
    """Value of an entity sent with a button payload (`/intent{"name": "value"}`)."""
    return next(tracker.get_latest_entity_values(name), None)


def is_interruption(tracker: Tracker) -> bool:
    """The latest message asks something else rather than answering."""
    return latest_intent(tracker) in INTERRUPTING_INTENTS


def looks_like_question(text: str) -> bool:
    """A question mark: "une association, ça marche ?" asks rather than answers."""
    return "?" in text


def answer_for(slot: str, tracker: Tracker, understood: bool) -> dict:
    """Take the latest message as the answer to the form's question, unless it asks something else.

    An answer we can read wins even when the intent classifier thought otherwise
    ("une association" read as a question on the program), except when it is a
    question; an unreadable message of an interrupting intent is left to the
    rules (the form steps aside); anything else goes to validation, which asks again.
    """
    if tracker.get_slot("requested_slot") != slot:
        return {}
    text = latest_text(tracker)
    if understood and not (looks_like_question(text) and is_interruption(tracker)):
        return {slot: text}
    return {} if is_interruption(tracker) else {slot: text}


def reset(slots: Iterable[str]) -> list[SlotSet]:
    """SlotSet(None) for each slot."""
    return [SlotSet(slot, None) for slot in slots]
