"""Random walks of wandering visitors against the real servers (REST, trained model, SQLite tracker store).

After every turn the invariants of tests/conversations/walk.py are checked. At
least 150 conversations per `make test`; `make test-conversations N=2000` runs
more. A failing walk is shrunk by hypothesis and kept under
tests/conversations/regressions/, which test_regressions.py replays for good.
"""

import os

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conversations import regressions
from tests.conversations.moves import Move, draw_move
from tests.conversations.talkers import RestTalker
from tests.conversations.walk import Walk

WALKS = int(os.environ.get("CONVERSATION_WALKS") or 150)
OPENINGS = [
    "bonjour",
    "je voudrais savoir si notre projet peut être accompagné",
    "ça coûte combien ?",
    "je souhaite être rappelé par quelqu'un",
    "on est une association de 25 salariés à Valence, on peut ?",
    "slt c pour koi ce truc",
]
FIGURES: dict = {"walks": 0, "turns": 0, "estimates": 0, "verdicts": 0}


def summary() -> list[str]:
    """What the walks covered (printed by tests/conftest.py at the end)."""
    if not FIGURES["walks"]:
        return []
    return [
        f"property walks against the servers: {FIGURES['walks']} conversations, {FIGURES['turns']} turns, "
        f"{FIGURES['verdicts']} verdicts and {FIGURES['estimates']} estimates checked"
    ]


def test_random_walks_against_the_servers(assistant):
    last: dict = {}

    @settings(
        max_examples=WALKS,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def walk_once(data):
        walk = Walk(RestTalker(assistant))
        try:
            walk.step(Move("start", data.draw(st.sampled_from(OPENINGS), label="opening")))
            for _ in range(data.draw(st.integers(10, 20), label="turns")):
                walk.step(draw_move(data, walk.pending()))
        except AssertionError as error:
            last.update(moves=list(walk.moves), sent=list(walk.sent), error=str(error))
            raise
        FIGURES["walks"] += 1
        FIGURES["turns"] += len(walk.sent)
        FIGURES["estimates"] += walk.estimates
        FIGURES["verdicts"] += walk.verdicts

    try:
        walk_once()
    except AssertionError:
        if last:
            path = regressions.save(last["moves"], last["sent"], last["error"], "server")
            print(f"shrunk failing walk saved as {path}")
        raise
