"""The speed fixes change nothing a visitor gets: the same conversations, replayed against a Rasa server with
RASA_TUNING=on (the session's assistant) and one with RASA_TUNING=off, give the same bot events turn by turn
(texts, buttons, cards, response names, slots; times and row ids left aside)."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.conversations.talkers import RestTalker
from tests.conversations.test_heldout import SCENARIOS, find_button
from tests.security.conftest import Stack, running_stack

# Every third scenario of the development set: quiz, detours, estimates, contact, corrections, fallbacks.
DEV = [(name, scenario) for name, scenario in SCENARIOS if scenario["set"] == "dev"][::3]
CORPUS = [scenario for _, scenario in DEV]


@pytest.fixture(scope="module")
def untuned(tmp_path_factory) -> Iterator[Stack]:
    yield from running_stack(tmp_path_factory, "untuned", {"RASA_TUNING": "off"})


def replay(assistant: dict, scenario: dict) -> list[dict]:
    """The scenario's messages and clicks (a click by the title of a button the bot offered), with what came back."""
    talker = RestTalker(assistant)
    offered: list[dict] = []
    seen: list[dict] = []
    turns = []
    for turn in scenario["turns"]:
        if "say" in turn:
            text = str(turn["say"])
        else:
            title = turn.get("click") or turn.get("click_old")
            pool = offered if "click" in turn else list(reversed(seen))
            button = find_button(pool, title)
            if button is None:
                turns.append({"click": title, "missing": True})
                break
            text = button["payload"]
        reply = talker.say(text)
        offered = reply.buttons
        seen.extend(reply.buttons)
        # The moment of a consent and the row of a lead differ between two databases, not whether they exist.
        slots = {
            name: (f"<{name}>" if name.endswith(("_at", "_id")) and value is not None else value)
            for name, value in reply.slots.items()
        }
        turns.append(
            {
                "sent": text,
                "texts": reply.texts,
                "buttons": reply.buttons,
                "customs": reply.customs,
                "keys": reply.keys,
                "slots": slots,
            }
        )
    return turns


def test_the_corpus_is_varied_enough():
    files = {name.split(":")[0] for name, _ in DEV}  # "dev/corrections", "dev/contact", …
    assert len(CORPUS) >= 50 and len(files) >= 6, files


@pytest.mark.parametrize("scenario", CORPUS, ids=[scenario["name"] for scenario in CORPUS])
def test_the_same_conversation_with_and_without_the_speed_fixes(assistant, untuned, scenario):
    tuned_turns = replay(assistant, scenario)
    plain_turns = replay({"url": untuned.url, "env": untuned.env}, scenario)
    for number, (tuned, plain) in enumerate(zip(tuned_turns, plain_turns), 1):
        for key in ("texts", "buttons", "customs", "keys", "slots"):
            assert tuned.get(key) == plain.get(key), (
                f"turn {number} ({tuned.get('sent')!r}): {key} differ\non:  {tuned.get(key)}\noff: {plain.get(key)}"
            )
    assert len(tuned_turns) == len(plain_turns)
