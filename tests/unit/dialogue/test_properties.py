"""Random walks of wandering visitors through the dialogue, in process: invariants after every turn.

Thousands of conversations in seconds; the same walks run against the real
servers in tests/conversations/test_properties.py. `DIALOGUE_WALKS` sets how many.
"""

import os

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from bot.dialogue.reading import from_parse
from tests.conversations import regressions
from tests.conversations.moves import Move, draw_move
from tests.conversations.walk import Reply, Walk
from tests.dialogue_support import Recorder, Visitor

WALKS = int(os.environ.get("DIALOGUE_WALKS") or 600)


class InProcess:
    """Talks to bot.dialogue directly, with the perfect NLU the move describes."""

    def __init__(self) -> None:
        self.visitor = Visitor(Recorder())

    def send(self, move: Move, buttons: list[dict], old_buttons: list[dict]) -> Reply:
        visitor = self.visitor
        if move.click is not None and (buttons if move.family == "click" else old_buttons):
            pool = buttons if move.family == "click" else old_buttons
            payload = pool[int(move.click) % len(pool)]["payload"]
            visitor.say(payload, intent="inform")
            sent = payload
        else:
            text = move.text or "oui"
            visitor.say(text, move.intent, 0.9, move.topic, 0.85)
            sent = text
        return Reply(
            texts=[m.text for m in visitor.replies if m.text],
            keys=[m.key for m in visitor.replies],
            buttons=visitor.buttons,
            customs=[dict(m.custom) for m in visitor.replies if m.custom],
            slots=dict(visitor.slots),
            sent=sent,
        )


SEED = os.environ.get("DIALOGUE_SEED")  # another seed explores other walks (default: the same walks every run)
OPENINGS = {
    "bonjour": ("greet", None),
    "je veux tester mon projet": ("start_quiz", None),
    "combien ça coûte ?": ("faq", "cout"),
    "je voudrais parler à quelqu'un": ("ask_human", None),
    "une asso de 30 salariés à Lyon": ("start_quiz", None),
}


def test_random_walks_keep_every_invariant():
    last: dict = {}

    @settings(
        max_examples=WALKS,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=SEED is None,
    )
    @given(st.data())
    def walk_once(data):
        walk = Walk(InProcess())
        try:
            start = data.draw(st.sampled_from(sorted(OPENINGS)))
            walk.step(Move("start", start, *OPENINGS[start]))
            for _ in range(data.draw(st.integers(10, 20), label="turns")):
                walk.step(draw_move(data, walk.pending()))
        except AssertionError as error:
            last.update(moves=list(walk.moves), sent=list(walk.sent), error=str(error))
            raise

    if SEED is not None:
        walk_once = seed(int(SEED))(walk_once)
    try:
        walk_once()
    except AssertionError:
        if last:
            print(
                f"shrunk failing walk saved as {regressions.save(last['moves'], last['sent'], last['error'], 'dialogue')}"
            )
        raise


@pytest.mark.parametrize(
    "moves", [moves for _, moves in regressions.cases()], ids=[name for name, _ in regressions.cases()]
)
def test_a_walk_that_once_failed_keeps_every_invariant_in_process(moves):
    walk = Walk(InProcess())
    for move in moves:
        walk.step(move)


def test_payload_readings_carry_their_values():
    reading = from_parse({"text": '/ask_estimate{"consultant_days": "5"}', "intent": {"name": "ask_estimate"}})
    assert reading.button and reading.entities == {"consultant_days": "5"} and reading.typed == ""
