"""Walks that once broke an invariant, replayed against the real servers."""

import pytest

from tests.conversations import regressions
from tests.conversations.talkers import RestTalker
from tests.conversations.walk import Walk

CASES = regressions.cases()


@pytest.mark.parametrize("moves", [moves for _, moves in CASES], ids=[name for name, _ in CASES])
def test_a_walk_that_once_failed_keeps_every_invariant(assistant, moves):
    walk = Walk(RestTalker(assistant))
    for move in moves:
        walk.step(move)
