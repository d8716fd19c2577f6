"""Compare what each simulated visitor sent and received with the events the tracker store kept.

For every conversation, the stored events are cut into turns: a `user` event
and the `bot` events after it, up to the next `user` event. Each turn must
match the visitor's own record, in the same order: the message it sent, and the
texts it received. A lost, duplicated, reordered or interleaved event (two
instances handling the same conversation at once) breaks that match.
"""

from __future__ import annotations

import json
import re
from typing import Iterable, List

import sqlalchemy as sa

from bench.scenarios import ConversationLog


def _normal(texts: Iterable[str]) -> str:
    """Texts of a turn, whitespace collapsed: socket.io sends a text split at blank lines, the tracker keeps it whole."""
    return re.sub(r"\s+", " ", " ".join(text for text in texts if text)).strip()


def stored_turns(connection, sender: str) -> tuple[list, list]:
    """(turns, problems) of one conversation as the tracker store has it."""
    rows = connection.execute(
        sa.text("SELECT type_name, timestamp, data FROM events WHERE sender_id = :sender ORDER BY id"),
        {"sender": sender},
    ).all()
    turns: list = []
    problems = []
    last_timestamp = None
    for type_name, timestamp, data in rows:
        if last_timestamp is not None and timestamp is not None and timestamp < last_timestamp:
            problems.append(f"{sender}: events stored out of time order")
        last_timestamp = timestamp if timestamp is not None else last_timestamp
        event = json.loads(data) if isinstance(data, str) else data
        if type_name == "user":
            turns.append((event.get("text"), []))
        elif type_name == "bot" and turns and event.get("text"):
            turns[-1][1].append(event["text"])
    return turns, problems


def check_conversations(database_url: str, logs: List[ConversationLog]) -> dict:
    """Every visitor's turns against the stored ones; a list of readable problems (empty when all match)."""
    problems: list = []
    checked_turns = 0
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            for log in logs:
                stored, order_problems = stored_turns(connection, log.sender)
                problems.extend(order_problems)
                expected = [(sent, _normal(received)) for sent, received in log.turns]
                actual = [(sent, _normal(received)) for sent, received in stored]
                for first, last in log.unordered:  # messages sent at once: compare them as a set
                    expected[first : last + 1] = sorted(expected[first : last + 1])
                    actual[first : last + 1] = sorted(actual[first : last + 1])
                checked_turns += len(expected)
                if len(actual) != len(expected):
                    problems.append(f"{log.sender}: {len(expected)} messages sent, {len(actual)} stored")
                for index, (mine, theirs) in enumerate(zip(expected, actual)):
                    if mine[0] != theirs[0]:
                        problems.append(f"{log.sender} turn {index}: sent {mine[0]!r}, stored {theirs[0]!r}")
                        break
                    if mine[1] != theirs[1]:
                        problems.append(
                            f"{log.sender} turn {index} ({mine[0]!r}): received {mine[1][:80]!r}…, "
                            f"stored {theirs[1][:80]!r}…"
                        )
                        break
    finally:
        engine.dispose()
    return {"conversations": len(logs), "turns": checked_turns, "problems": problems}
