"""A visitor talking to the dialogue in process (bot/dialogue, no Rasa), for fast tests of whole conversations.

The NLU is replaced by what the test says the message is (its intent, its FAQ
topic); everything after the NLU is the real code: the engine, the flows, the
texts of the domain (domain/), and the services given (a real SQLite lead store in some tests).
"""

from __future__ import annotations

import re
from typing import Any

from bot.dialogue import engine
from bot.dialogue.reading import Reading, button_intent, from_parse
from bot.dialogue.state import State

EXPECTED_APOLOGIES = ("utter_contact_failed", "utter_internal_error")  # the failure the test caused, said in French
TECHNICAL = re.compile(r"\{[a-z_]+\}|None|problème technique|Traceback|utter_", re.IGNORECASE)


class Recorder:
    """Services that keep the submitted leads in memory."""

    def __init__(self, fail: bool = False) -> None:
        self.leads: list[dict] = []
        self.fail = fail

    def submit_contact(self, slots) -> tuple[str, int]:
        if self.fail:
            raise RuntimeError("database down")
        self.leads.append(dict(slots))
        verdict = (slots.get("eligibility") or {}).get("verdict")
        return ("v.semavoine@anact.fr" if verdict == "eligible" else "j.bertin@anact.fr"), len(self.leads)


def plain(text: str) -> str:
    """French no-break spaces made plain, for comparisons."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


class Visitor:
    """One conversation; `say` and `click` return the visitor for chaining."""

    def __init__(self, services: Any = None) -> None:
        self.slots: dict = {}
        self.services = services if services is not None else Recorder()
        self.replies: list = []
        self.transcript: list[str] = []  # every bot text, in order
        self.buttons_seen: list[dict] = []

    def say(
        self,
        text: str,
        intent: str = "inform",
        confidence: float = 0.95,
        topic: str | None = None,
        topic_confidence: float = 0.9,
        ranking: tuple = (),
        topic_ranking: tuple = (),
        parts: tuple = (),
    ) -> "Visitor":
        if button_intent(text):
            reading = from_parse(
                {"text": text, "intent": {"name": button_intent(text).split("/")[0], "confidence": 1.0}}
            )
        else:
            reading = Reading(
                text=text,
                intent=intent,
                confidence=confidence,
                ranking=ranking or ((intent, confidence),),
                topic=topic,
                topic_confidence=topic_confidence if topic else 0.0,
                topic_ranking=topic_ranking or (((topic, topic_confidence),) if topic else ()),
                parts=parts,
            )
        return self.read(reading)

    def read(self, reading: Reading) -> "Visitor":
        outcome = engine.respond(
            reading,
            self.slots,
            State.from_slot(self.slots.get("dialogue")),
            services=self.services,
            now=lambda: "2026-12-03T10:00:00+00:00",
        )
        self.slots.update(outcome.changes)
        self.slots["dialogue"] = outcome.state.to_slot()
        self.slots["last_turn"] = outcome.record
        self.replies = outcome.messages
        assert self.replies, f"no reply to {reading.text!r}"
        for message in self.replies:
            if message.text:
                assert message.key in EXPECTED_APOLOGIES or not TECHNICAL.search(message.text), message.text
                self.transcript.append(message.text)
            self.buttons_seen.extend(message.buttons)
        return self

    def faq(self, text: str, topic: str, confidence: float = 0.9) -> "Visitor":
        return self.say(text, "faq", 0.9, topic, confidence)

    def click(self, title: str) -> "Visitor":
        for button in self.buttons:
            if title.lower() in button["title"].lower():
                return self.say(button["payload"], intent=_intent_of_plain(button["payload"]))
        raise AssertionError(f"no button {title!r} in {[b['title'] for b in self.buttons]}")

    def click_old(self, title: str) -> "Visitor":
        for button in reversed(self.buttons_seen):
            if title.lower() in button["title"].lower():
                return self.say(button["payload"], intent=_intent_of_plain(button["payload"]))
        raise AssertionError(f"no earlier button {title!r}")

    @property
    def text(self) -> str:
        return plain("\n".join(message.text for message in self.replies if message.text))

    @property
    def keys(self) -> list[str]:
        return [message.key for message in self.replies]

    @property
    def buttons(self) -> list[dict]:
        return [button for message in self.replies for button in message.buttons]

    def custom(self, key: str) -> dict | None:
        for message in self.replies:
            if message.custom and key in message.custom:
                return message.custom[key]
        return None

    @property
    def state(self) -> State:
        return State.from_slot(self.slots.get("dialogue"))

    def asks(self) -> str | None:
        """The question the reply ends on (the step recorded for the staff), or None."""
        record = self.slots.get("last_turn") or {}
        return record.get("asked")


def _intent_of_plain(payload: str) -> str:
    """A button's plain payload ("oui", "Une PME") as the NLU would mostly read it."""
    lowered = payload.lower()
    if lowered in ("oui",):
        return "affirm"
    if lowered in ("non",):
        return "deny"
    if "sais pas" in lowered:
        return "dont_know"
    return "inform"
