"""The eligibility quiz as a flow: its pending question, how an answer is read, corrections, the verdict."""

from __future__ import annotations

import re
from typing import Any

from bot.dialogue import cues
from bot.dialogue.turn import Turn
from bot.program import quiz
from bot.program.eligibility import evaluate
from bot.program.places import parse_place

NAME = "quiz"
ANSWER_SLOTS = (*quiz.QUESTIONS, "in_region")
AGREEMENT_OF = {"representant_salaries": "du dirigeant", "porteur_collectif": "des organisations concernées"}


def pending(turn: Turn) -> str | None:
    """The next question of the quiz, or None when its verdict can be given."""
    return quiz.next_question(turn.slots)


def started(turn: Turn) -> bool:
    return any(turn.get(question) is not None for question in quiz.QUESTIONS)


def ask(turn: Turn, question: str, *, reminder: bool = False, retry: bool = False) -> None:
    """The question with its place in the quiz ("Question 3 sur 8"), announcing a change of the total."""
    position, total = quiz.progress(turn.slots, question)
    known = turn.state.quiz_total
    if known is not None and known != total:
        turn.say("utter_quiz_total_changed", total=total)
    turn.state.quiz_total = total
    progress = turn.text_of("utter_quiz_progress", position=position, total=total)
    name = f"utter_reask_{question}" if retry else f"utter_ask_{question}"
    turn.say(
        name,
        progress=progress,
        agreement_of=AGREEMENT_OF.get(turn.get("role"), "du dirigeant"),
        prefix="utter_quiz_resume" if reminder else None,
        question=question,
    )
    turn.asked = question


def read(question: str, text: str, structure_type: str | None = None) -> dict | None:
    """Slot values when `text` answers `question`, else None."""
    answer = quiz.read_answer(question, text, structure_type) if text.strip() else None
    if answer is None:
        return None
    values = {question: answer["value"]}
    if "in_region" in answer:
        values["in_region"] = answer["in_region"]
    return values


def refusal_value(question: str) -> str:
    """A refusal in words: "non" to a project criterion, "à vérifier" elsewhere (conversation matrix)."""
    return "no" if question in quiz.YES_NO_QUESTIONS else quiz.UNKNOWN


def carried(turn: Turn, text: str, answered: str) -> dict:
    """Other answers the same message gives ("une asso de 40 salariés à Lyon"): only for questions not answered yet."""
    facts = quiz.prefill(text, turn.get("structure_type"))
    if answered in quiz.YES_NO_QUESTIONS:  # "oui pour la nouveauté, et oui aussi pour la qualité de vie"
        facts.update(quiz.criteria_answers(text))  # the project criteria only, never the agreement
    if answered == "structure_type":
        facts.pop("structure_type", None)
    if "place" in facts and answered != "place" and parse_place(re.sub(r"\d+", " ", text)) is None:
        facts.pop("place")  # a bare number answers the question asked ("45" salariés), not the place (Loiret)
        facts.pop("in_region", None)
    return {
        slot: value
        for slot, value in facts.items()
        if slot != answered and turn.get(slot) is None and not (slot == "in_region" and answered == "place")
    }


def store(turn: Turn, values: dict) -> None:
    for slot, value in values.items():
        turn.set(slot, value)


def reset(turn: Turn) -> None:
    """Forget every answer and the verdict."""
    turn.clear(*ANSWER_SLOTS, "eligibility")
    turn.state.quiz_total = None
    turn.state.clear_fails(NAME + ":")


def corrections(turn: Turn, text: str) -> dict:
    """Answers an explicit correction changes ("en fait on est 300"): only values that differ from the known ones."""
    facts = quiz.correction(text)
    if facts.get("place") and facts["place"] == turn.get("place"):
        # "Marseille c'est notre siège, la structure est à Oyonnax": the old place named to be corrected
        name = facts["place"].split(" (")[0]
        other = parse_place(re.sub(re.escape(name), " ", text, flags=re.IGNORECASE))
        if other:
            facts["place"], facts["in_region"] = other.label, other.in_region
    for question, answer in quiz.criterion_correction(text).items():
        if turn.get(question) is not None:
            facts.setdefault(question, answer)
    return {slot: value for slot, value in facts.items() if turn.get(slot) != value}


def describe(facts: dict) -> str:
    """ "effectif : 300 salariés ; lieu : Ain" for the facts given (summary labels)."""
    return quiz.summary(facts)


def verdict(turn: Turn) -> None:
    """Summary, the verdict for people, the same for programs; kept in the `eligibility` slot."""
    answers = quiz.answers_from_slots(turn.slots)
    result = evaluate(answers)
    turn.say("utter_quiz_summary", summary=quiz.summary(turn.slots))
    # Not eligible: the criteria not met; to check: the points to confirm.
    failed = [reason.message for reason in result.reasons if reason.ok is False]
    open_points = failed or [reason.message for reason in result.reasons if reason.ok is None]
    turn.say(f"utter_verdict_{result.outcome}", reasons=" ".join(open_points), buttons=not turn.state.stack)
    payload = result.to_dict(answers)
    turn.send_custom({"eligibility": payload})
    turn.set("eligibility", payload)
    turn.state.clear_fails(NAME + ":")


def dont_know_value(question: str) -> dict:
    values: dict[str, Any] = {question: quiz.UNKNOWN}
    if question == "place":
        values["in_region"] = None
    return values


def looks_like_contact_detail(text: str) -> bool:
    """An email or a phone number: never an answer to a quiz question."""
    return cues.has_email_like(text) or cues.find_phone(text) is not None
