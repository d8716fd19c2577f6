"""The training data and the held-out set stay apart and cover every intent."""

import re
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def examples(folder: str) -> dict[str, list[str]]:
    """intent (or faq/sub-intent) -> examples, from every YAML file of a folder."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / folder).glob("**/*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in item:
                lines = [line[2:].strip() for line in item["examples"].splitlines() if line.startswith("- ")]
                found.setdefault(item["intent"], []).extend(lines)
    return found


def key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"[^a-z0-9]+", " ", "".join(c for c in text if not unicodedata.combining(c))).strip()


TRAINING = examples("data/nlu")
HELD_OUT = examples("tests/nlu")  # dev/ (used while developing) and heldout/ (written later, never tuned on)


def test_every_intent_has_enough_varied_training_examples():
    thin = {intent: len(lines) for intent, lines in TRAINING.items() if len(set(map(key, lines))) < 15}
    assert not thin


def test_every_intent_has_a_held_out_set():
    # At least 5 examples per intent (3 in heldout/: its yes/no/greeting forms that training also has were dropped).
    for folder, least in (("tests/nlu/dev", 5), ("tests/nlu/heldout", 3)):
        held_out = examples(folder)
        assert set(held_out) == set(TRAINING), folder
        assert all(len(lines) >= least for lines in held_out.values()), folder


def test_no_held_out_example_is_in_the_training_data():
    training = {key(line) for lines in TRAINING.values() for line in lines}
    leaked = [line for lines in HELD_OUT.values() for line in lines if key(line) in training]
    assert not leaked


def test_no_training_example_sits_under_two_intents():
    # Each intent counts once per normalised text: a spelling variant inside one intent only weighs it more.
    owners = Counter(text for lines in TRAINING.values() for text in {key(line) for line in lines})
    assert [text for text, count in owners.items() if count > 1] == []
