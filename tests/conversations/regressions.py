"""Failing walks kept as regression cases: the messages of the shortest failing walk hypothesis found."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import yaml

from tests.conversations.moves import Move

FOLDER = Path(__file__).resolve().parent / "regressions"


def save(moves: list[Move], sent: list[str], error: str, where: str) -> Path:
    """Write the walk as tests/conversations/regressions/<where>-<digest>.yml (same walk, same file)."""
    turns = [
        {"say": text, "intent": move.intent, **({"topic": move.topic} if move.topic else {})}
        for move, text in zip(moves, sent)
    ]
    digest = hashlib.sha1(repr(sent).encode()).hexdigest()[:10]
    path = FOLDER / f"{where}-{digest}.yml"
    FOLDER.mkdir(exist_ok=True)
    path.write_text(
        yaml.safe_dump(
            {"found": date.today().isoformat(), "error": error.splitlines()[0][:300], "turns": turns},
            allow_unicode=True,
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    return path


def cases() -> list[tuple[str, list[Move]]]:
    """Every saved case: (name, moves to replay)."""
    found = []
    for path in sorted(FOLDER.glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        moves = [
            Move("replay", turn["say"], turn.get("intent", "inform"), turn.get("topic")) for turn in content["turns"]
        ]
        found.append((path.stem, moves))
    return found
