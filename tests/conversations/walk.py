"""A random walk through a conversation, with the invariants visitors rely on checked after every turn.

The same walk runs in process (tests/unit/dialogue/test_properties.py) and against
the real servers (tests/conversations/test_properties.py): a `talker` sends a
message and says what came back and what the tracker now holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from bot.dialogue.state import State
from bot.program import quiz
from bot.program.funding import SUPPORT_MAX_DAYS, FundingError, compute_split
from tests.conversations.moves import Move

TECHNICAL = re.compile(r"\{[a-z_]+\}|\bNone\b|problème technique|Traceback|utter_|action_|nlu_fallback", re.IGNORECASE)
QUIZ_SLOTS = quiz.QUESTIONS
CLOSINGS = {  # a flow leaves the stack only with one of these said in the same reply
    "quiz": (
        "utter_verdict_",
        "utter_quiz_stopped",
        "utter_goodbye",
        "utter_quiz_restart",
        "utter_restart",
        "utter_internal_error",
    ),
    "estimate": (
        "utter_funding_estimate_",
        "utter_funding_stopped",
        "utter_goodbye",
        "utter_restart",
        "utter_funding_problem",
        "utter_internal_error",
    ),
    "contact": (
        "utter_contact_done",
        "utter_contact_failed",
        "utter_consent_declined",
        "utter_contact_stopped",
        "utter_goodbye",
        "utter_contact_already_sent",
        "utter_restart",
        "utter_internal_error",
    ),
}
# Moves that ask for no flow: a flow may start after them only when one promised for later comes due, or as the
# choice offered in the last reply ("ok" to "maintenant ou après le test ?").
NEVER_STARTING = ("faq", "noise", "small_talk", "off_topic", "refusal", "dont_know")
CHANGING_MOVES = ("correction", "restart", "start")  # the only turns that may change an answer already given


class Talker(Protocol):
    def send(self, move: Move, buttons: list[dict], old_buttons: list[dict]) -> "Reply": ...


@dataclass
class Reply:
    """What one turn produced, as the visitor and the tracker see it."""

    texts: list[str]
    keys: list[str]  # the responses the texts came from ("utter_ask_place"…)
    buttons: list[dict]
    customs: list[dict]
    slots: dict
    sent: str = ""  # what was actually sent (a button's payload for clicks)


@dataclass
class Walk:
    talker: Any
    transcript: list[str] = field(default_factory=list)
    buttons: list[dict] = field(default_factory=list)
    seen_buttons: list[dict] = field(default_factory=list)
    slots: dict = field(default_factory=dict)
    given: dict = field(default_factory=dict)  # estimate values the visitor gave (support, days, rate HT)
    log: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)  # what was sent, turn by turn (payloads for clicks)
    moves: list = field(default_factory=list)
    estimates: int = 0
    verdicts: int = 0
    track_given: bool = True  # the moves say which values they give (random walks); scenarios state their own

    def pending(self) -> str | None:
        return (self.slots.get("last_turn") or {}).get("asked")

    def step(self, move: Move) -> Reply:
        before = dict(self.slots)
        reply = self.talker.send(move, self.buttons, self.seen_buttons)
        self.moves.append(move)
        self.sent.append(reply.sent or move.text)
        self.log.append(f"> {reply.sent or move.text}")
        self.log.extend(f"< {text}" for text in reply.texts)
        self._track_given(move, reply)
        self.check(before, reply)
        self.transcript.extend(reply.texts)
        self.buttons = reply.buttons
        self.seen_buttons.extend(reply.buttons)
        self.slots = reply.slots
        return reply

    # --- invariants ------------------------------------------------------------------------
    def check(self, before: dict, reply: Reply) -> None:
        where = "\n".join(self.log[-12:])
        assert reply.texts or reply.customs, f"no answer\n{where}"
        for text in reply.texts:
            assert text.strip(), f"an empty message\n{where}"
            assert not TECHNICAL.search(text) or "utter_contact_failed" in reply.keys, (
                f"technical text: {text}\n{where}"
            )
        history = self.transcript + reply.texts
        for a, b, c in zip(history, history[1:], history[2:]):
            assert not (a == b == c), f"the same message three times in a row: {a}\n{where}"
        self._check_flows(before, reply, where)
        self._check_answers(before, reply, where)
        self._check_estimates(reply, where)

    def _check_flows(self, before: dict, reply: Reply, where: str) -> None:
        """A flow that leaves the stack was finished or stopped, and said so: never dropped silently."""
        previous = State.from_slot(before.get("dialogue"))
        old, new = previous.stack, State.from_slot(reply.slots.get("dialogue")).stack
        for flow in set(old) - set(new):
            assert any(key.startswith(CLOSINGS[flow]) for key in reply.keys), (
                f"the {flow} flow was dropped silently ({reply.keys})\n{where}"
            )
        started = set(new) - set(old)
        if (
            started
            and self.moves
            and self.moves[-1].family in NEVER_STARTING
            and not (previous.after or previous.offer)
        ):
            raise AssertionError(f"a {self.moves[-1].family} move started the {started} flow\n{where}")

    def _check_answers(self, before: dict, reply: Reply, where: str) -> None:
        """An answer given survives unchanged unless the visitor corrected it or started over."""
        move = (reply.slots.get("last_turn") or {}).get("move")
        for slot in QUIZ_SLOTS:
            old, new = before.get(slot), reply.slots.get(slot)
            if old is not None and new != old:
                assert move in CHANGING_MOVES or any(
                    k in ("utter_quiz_restart", "utter_restart", "utter_quiz_intro") for k in reply.keys
                ), f"{slot} changed from {old!r} to {new!r} on a {move!r} turn\n{where}"
                if new is not None and move == "correction":
                    assert any(k in ("utter_corrected", "utter_quiz_correct_field") for k in reply.keys), (
                        f"{slot} corrected without saying so\n{where}"
                    )
        for custom in reply.customs:
            if "eligibility" in custom:
                self.verdicts += 1
                answers = custom["eligibility"]["answers"]
                for slot in ("structure_type", "role", "place"):
                    value = reply.slots.get(slot)
                    assert answers[slot] == (None if value == quiz.UNKNOWN else value), (
                        f"the verdict's {slot} is {answers[slot]!r}, the answer was {value!r}\n{where}"
                    )

    def _track_given(self, move: Move, reply: Reply) -> None:
        """Which days and rate the visitor gave, as the program's rules read them (spec, not implementation)."""
        sent = reply.sent or move.text
        if "estimate_change" in sent:
            self.given.pop("days", None)
        if any(key == "utter_restart" or key == "utter_estimate_restart" for key in reply.keys):
            self.given.clear()
        gives = dict(move.gives)
        match = re.search(r'"consultant_days": "(\d+)"', sent)
        if match:
            gives["days"] = int(match.group(1))
        if sent in ("Appui court", "Appui long"):
            gives["support"] = sent.split()[-1].lower()
        if move.family == "flow_request" and move.intent == "ask_estimate" and not gives and self.estimates:
            self.given.clear()  # a bare request after an estimate starts a new one
        self.given.update(gives)
        if "utter_estimate_default_days" in reply.keys:
            self.given.pop("days", None)

    def _check_estimates(self, reply: Reply, where: str) -> None:
        """Every estimate equals bot.program.funding on the values given (rate at the ceiling when none was given)."""
        for custom in reply.customs:
            if "funding" not in custom:
                continue
            self.estimates += 1
            shown = custom["funding"]
            rate = shown["day_rate_eur"]
            try:
                expected = compute_split(shown["support"], shown["days"], rate).to_dict()
            except FundingError as error:
                raise AssertionError(f"an impossible estimate was shown: {shown} ({error.message})\n{where}") from error
            assert shown == expected, f"estimate {shown} != bot.program.funding {expected}\n{where}"
            if not self.track_given:
                continue
            if "rate" in self.given:
                assert Decimal(str(shown["day_rate_eur"])) == Decimal(self.given["rate"]), (
                    f"rate {shown['day_rate_eur']} but the visitor gave {self.given['rate']}\n{where}"
                )
            else:
                assert shown["day_rate_eur"] == 1000, f"no rate given but {shown['day_rate_eur']} used\n{where}"
            days = self.given.get("days")
            if (
                days is not None
                and days <= SUPPORT_MAX_DAYS[shown["support"]]
                and self.given.get("support", shown["support"]) == shown["support"]
            ):
                assert shown["days"] == days, f"{shown['days']} days but the visitor gave {days}\n{where}"
            if "support" in self.given:
                assert shown["support"] == self.given["support"] or days is None, (
                    f"support {shown['support']} but the visitor gave {self.given['support']}\n{where}"
                )
