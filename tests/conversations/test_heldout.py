"""Whole conversations written by helpers who had read neither data/ nor the code, with what must happen at each turn.

heldout/ was written last and never used to tune anything; dev/, written the same
way earlier, was played while developing (its failures were read and fixed) and
stays as a regression set. Each scenario runs against the real servers, with the
invariants of the property walks checked too; pass rates are printed at the end.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from bot.dialogue.texts import default_texts
from bot.program.quiz import answers_from_slots
from tests.conversations.moves import Move
from tests.conversations.talkers import RestTalker
from tests.conversations.walk import Walk

HERE = Path(__file__).resolve().parent
SETS = ("blind", "final", "heldout", "dev")
QUESTION_KEYS = {  # the responses that ask each question
    "consultant_days": ("utter_ask_consultant_days", "utter_reask_consultant_days", "utter_estimate_days_dont_know"),
    "support_type": ("utter_ask_support_type", "utter_reask_support_type", "utter_estimate_support_dont_know"),
    "consent": ("utter_ask_consent", "utter_reask_consent"),
    "contact_email": ("utter_ask_contact_email", "utter_reask_contact_email", "utter_contact_email_"),
}
YES_NO_FIELDS = ("agreement", "novelty", "working_life", "lasting_change", "stakeholders")
RESULTS = {name: {"passed": 0, "failed": []} for name in SETS}


def scenarios() -> list[tuple[str, dict]]:
    found = []
    for name in SETS:
        for path in sorted((HERE / name).glob("*.yml")):
            for scenario in yaml.safe_load(path.read_text(encoding="utf-8")).get("scenarios") or []:
                found.append((f"{name}/{path.stem}: {scenario['name']}", {**scenario, "set": name}))
    return found


SCENARIOS = scenarios()


def fold(text: str) -> str:
    """Case, accents, apostrophes and the kinds of spaces left aside."""
    text = unicodedata.normalize("NFKD", str(text).replace("\u2019", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " ")).strip()


def summary() -> list[str]:
    """Pass rates of the sets played in this run (printed by tests/conftest.py at the end)."""
    lines = []
    for name, result in RESULTS.items():
        total = result["passed"] + len(result["failed"])
        if total:
            lines.append(
                f"{name} conversations: {result['passed']}/{total} passed ({100 * result['passed'] / total:.1f} %)"
            )
            lines += [f"  failed: {failed}" for failed in result["failed"]]
    return lines


@pytest.mark.parametrize("scenario", [s for _, s in SCENARIOS], ids=[name for name, _ in SCENARIOS])
def test_held_out_conversation(assistant, scenario):
    result = RESULTS[scenario["set"]]
    try:
        play(assistant, scenario)
    except AssertionError:
        result["failed"].append(scenario["name"])
        raise
    result["passed"] += 1


def play(assistant: dict, scenario: dict) -> None:
    talker = RestTalker(assistant)
    walk = Walk(talker, track_given=False)
    walk.buttons = list(default_texts().render("utter_greet").buttons)  # the widget opens on the welcome and its menu
    walk.seen_buttons = list(walk.buttons)
    for number, turn in enumerate(scenario["turns"], 1):
        if "say" in turn:
            move = Move("say", str(turn["say"]))
        else:
            title = turn.get("click") or turn.get("click_old")
            pool = walk.buttons if "click" in turn else list(reversed(walk.seen_buttons))
            button = find_button(pool, title)
            assert button, f"turn {number}: no button {title!r} in {[b['title'] for b in pool]}\n" + "\n".join(
                walk.log[-8:]
            )
            move = Move("click", button["payload"])
        reply = walk.step(move)
        check(assistant, talker, reply, turn.get("expect") or {}, f"turn {number} ({move.text!r})", walk)


def find_button(pool: list[dict], title: str) -> dict | None:
    """The button of that title, else the first whose title contains it ("Salarié" is not "…des salariés")."""
    return next((b for b in pool if fold(title) == fold(b["title"])), None) or next(
        (b for b in pool if fold(title) in fold(b["title"])), None
    )


def check(assistant, talker, reply, expect: dict, where: str, walk: Walk) -> None:
    text = fold("\n".join(reply.texts))
    context = f"{where}\n" + "\n".join(walk.log[-10:])
    for wanted in expect.get("says") or []:
        assert fold(wanted) in text, f"{where}: {wanted!r} not said\n{context}"
    if expect.get("says_any"):
        assert any(fold(w) in text for w in expect["says_any"]), f"{where}: none of {expect['says_any']}\n{context}"
    for unwanted in expect.get("not_says") or []:
        assert fold(unwanted) not in text, f"{where}: {unwanted!r} said\n{context}"
    titles = [fold(b["title"]) for b in reply.buttons]
    for wanted in expect.get("buttons") or []:
        assert any(fold(wanted) in title for title in titles), f"{where}: no button {wanted!r} in {titles}\n{context}"
    if "asks" in expect:
        check_asks(reply, expect["asks"], context)
    verdict = next((c["eligibility"] for c in reply.customs if "eligibility" in c), None)
    if "verdict" in expect:
        if expect["verdict"] in (None, "none"):
            assert verdict is None, f"{where}: unexpected verdict {verdict}\n{context}"
        else:
            assert verdict and verdict["verdict"] == expect["verdict"], f"{where}: verdict {verdict}\n{context}"
    # The answers of this turn's verdict, or (mid-quiz) those recorded so far, in the verdict's shape.
    answers = verdict["answers"] if verdict else asdict(answers_from_slots(reply.slots))
    for field, value in (expect.get("answers") or {}).items():
        if field in YES_NO_FIELDS and isinstance(value, bool):
            value = "yes" if value else "no"  # `novelty: yes` unquoted is a YAML boolean
        assert answers.get(field) == value, (
            f"{where}: answer {field} = {answers.get(field)!r}, expected {value!r}"
            + ("" if verdict else " (no verdict yet)")
            + f"\n{context}"
        )
    funding = next((c["funding"] for c in reply.customs if "funding" in c), None)
    if "funding" in expect:
        if expect["funding"] in (None, "none"):
            assert funding is None, f"{where}: unexpected estimate {funding}\n{context}"
        else:
            assert funding, f"{where}: no estimate\n{context}"
            for key, value in expect["funding"].items():
                assert funding.get(key) == value, (
                    f"{where}: {key} = {funding.get(key)!r}, expected {value!r}\n{context}"
                )
    if "lead" in expect or "mail_to" in expect:
        check_lead(assistant, talker.sender, expect, context)


def check_asks(reply, wanted, context: str) -> None:
    asked = (reply.slots.get("last_turn") or {}).get("asked")
    question_keys = [
        key
        for key in reply.keys
        if key.startswith(("utter_ask_", "utter_reask_", "utter_estimate_", "utter_contact_email_"))
    ]
    if wanted in (None, "none"):
        assert asked is None, f"a question is still asked: {asked}\n{context}"
        return
    prefixes = QUESTION_KEYS.get(wanted, (f"utter_ask_{wanted}", f"utter_reask_{wanted}"))
    assert asked == wanted and any(key.startswith(prefixes) for key in question_keys), (
        f"asks {asked!r} ({question_keys}), expected {wanted!r}\n{context}"
    )


def check_lead(assistant, sender: str, expect: dict, context: str) -> None:
    engine = sa.create_engine(assistant["env"]["DATABASE_URL"])
    with engine.connect() as connection:
        leads = connection.execute(
            sa.text("SELECT id, name, email, organisation FROM leads WHERE conversation_id = :c"), {"c": sender}
        ).all()
        mails = connection.execute(
            sa.text("SELECT recipient FROM outbox WHERE lead_id IN (SELECT id FROM leads WHERE conversation_id = :c)"),
            {"c": sender},
        ).all()
    if "lead" in expect:
        if expect["lead"] in (None, "none"):
            assert not leads, f"a lead was kept: {leads}\n{context}"
        else:
            assert len(leads) == 1, f"{len(leads)} leads\n{context}"
            row = dict(zip(("id", "name", "email", "organisation"), leads[0]))
            for key, value in expect["lead"].items():
                assert fold(row.get(key) or "") == fold(value), (
                    f"lead {key} = {row.get(key)!r}, expected {value!r}\n{context}"
                )
    if "mail_to" in expect:
        assert [m[0] for m in mails] == [expect["mail_to"]], f"mails to {mails}\n{context}"


def test_the_held_out_set_is_big_enough():
    assert sum(1 for _, scenario in SCENARIOS if scenario["set"] == "heldout") >= 60
    assert json.dumps([s for _, s in SCENARIOS])  # plain data
