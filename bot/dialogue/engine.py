"""One visitor message in, the assistant's reply out: the dialogue of the assistant as plain Python.

`respond` is called once per message by the `action_turn` custom action (the
Rasa policy of `bot/rasa_ext/dialogue_policy.py` predicts it after every message). It
reads the message in the context of the flows under way (quiz, estimate,
contact, kept on a stack) and applies the repair patterns of `repair`; it
returns the messages, the slots to set and the new state, never an exception
the visitor would see as silence (`recover`).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from bot.dialogue import cues, estimate_flow, flows, quiz_flow, repair, stack
from bot.dialogue.moves import SOCIAL, carries_estimate, for_themselves, kind_of, topic_of
from bot.dialogue.reading import Reading
from bot.dialogue.state import State
from bot.dialogue.texts import Texts, default_texts
from bot.dialogue.turn import Outcome, Services, Turn
from bot.program import quiz
from bot.program.french import normalize

ALL_SLOTS = (
    *quiz_flow.ANSWER_SLOTS,
    "eligibility",
    *estimate_flow.VALUE_SLOTS,
    "funding",
    "consent",
    "consent_at",
    "contact_name",
    "contact_email",
    "contact_organisation",
    "contact_phone",
    "contact_project",
    "lead_id",
)
NOT_UNDERSTOOD_MOVES = ("not_understood", "clarify")


def respond(
    reading: Reading,
    slots: Mapping[str, Any],
    state: State | None = None,
    texts: Texts | None = None,
    services: Services | None = None,
    now: Callable[[], str] | None = None,
) -> Outcome:
    """The reply to one message."""
    state = state if state is not None else State.from_slot(slots.get("dialogue"))
    turn = Turn(reading, slots, state, texts or default_texts(), services, now)
    dispatch(turn)
    if turn.record.get("move") not in NOT_UNDERSTOOD_MOVES:
        turn.state.misunderstood = 0
    if turn.record.get("move") is None:
        turn.mark("answer" if turn.state.active else "other")
    return turn.outcome()


def recover(slots: Mapping[str, Any], texts: Texts | None = None) -> Outcome:
    """After an unexpected error: say so in French, close the flows, keep the answers; the next message works."""
    state = State.from_slot(slots.get("dialogue"))
    stopped = ["quiz"] if "quiz" in state.stack or "quiz" in state.stopped else []
    turn = Turn(Reading(), slots, State(stopped=stopped, recent=state.recent), texts or default_texts())
    if "contact" in state.stack:
        turn.clear(
            "consent",
            "consent_at",
            "contact_name",
            "contact_email",
            "contact_organisation",
            "contact_phone",
            "contact_project",
        )
    turn.say("utter_internal_error")
    turn.mark("error", understood=False)
    return turn.outcome()


def dispatch(turn: Turn) -> None:
    reading = turn.reading
    kind = kind_of(reading)
    offer, turn.state.offer = turn.state.offer, None
    if offer and flows.answer_offer(turn, offer, kind):
        return
    if kind == "correct" and reading.entities.get("quiz_field") in quiz.QUESTIONS:
        repair.correct_field(turn, reading.entities["quiz_field"])
        return
    if reading.button and reading.entities.get("answer") and repair.old_answer_button(turn):
        return
    if offer and offer.get("kind") == "correct_which" and repair.correction(turn, asked_for=True):
        return
    if reading.intent == "english" and kind == "human" and not reading.button:
        turn.say("utter_english", buttons=False)  # "I'd like to talk to someone": said in French, then done
    if len(reading.parts) == 1:  # "Bonjour, je voudrais être rappelé": the greeting hid the request
        if cues.says_small_talk("greet", reading.typed.split(",")[0]):
            turn.say("utter_greet_short", buttons=False)
        whole = reading
        turn.reading = reading = reading.parts[0]  # (or a long story's closing question)
        kind = kind_of(reading)
        if kind == "start_quiz" and not turn.state.active and quiz.prefill(whole.typed):
            turn.reading = reading = whole  # "…on est 14, à Voiron. On peut faire votre test ?": the story's facts too
    if (
        reading.parts
        and kind in ("faq", "cost", "unclear", "inform", "noise", "affirm", "dont_know")
        and _several_questions(turn)
    ):
        return
    if (kind == "correct" or cues.is_correction(reading.typed)) and repair.correction(turn):
        return
    if turn.state.active:
        flows.handle(turn, kind)
        return
    outside(turn, kind)


def outside(turn: Turn, kind: str) -> None:
    """No flow waits for an answer: questions, requests to start one, small talk."""
    reading = turn.reading
    text = reading.typed
    found = estimate_flow.values(text, reading.entities) if (text or reading.entities) else {}
    if (
        turn.get("funding") is not None
        and "consultant_days" not in found
        and (days := estimate_flow.follow_up_days(text))
    ):
        found["consultant_days"] = days  # "bon, restons à 15": the new day count
    if kind in ("faq", "unclear", "inform", "capabilities", "why", "out_of_scope", "deny") and _verdict_holds(turn):
        return
    if kind == "start_quiz":
        side = topic_of(reading) if cues.is_question(text) and reading.topic_confidence >= 0.9 else None
        if side in _SIDE_TOPICS:  # "je suis élu CSE d'une PME…, ai-je le droit de présenter le projet ?"
            turn.say(f"utter_faq/{side}", buttons=False)
            turn.mark("faq", topic=side)
        stack.start_quiz(turn, text)
        turn.mark("start", flow="quiz")
    elif kind == "estimate":
        change = reading.entities.get("estimate_change")
        stack.start_estimate(turn, found, change=change, fresh=not found and not change)
        turn.mark("start", flow="estimate")
    elif kind == "human":
        stack.start_contact(turn)
        turn.mark("start", flow="contact")
    elif kind in ("resume", "choose"):
        resume(turn)
    elif kind == "restart":
        restart(turn)
    elif kind == "correct" and quiz_flow.started(turn):
        repair.which_correction(turn)
    elif kind == "stop":
        turn.say("utter_nothing_to_stop")
        turn.mark("stop")
    elif kind == "why":
        turn.say("utter_why_quiz")
        turn.mark("why")
    elif kind == "goodbye":
        turn.say("utter_goodbye")
        turn.mark("goodbye")
    elif kind == "cost" and for_themselves(text):  # "c'est combien pour nous ?": the rule, then their own figures
        turn.say("utter_faq/cout", buttons=False)
        turn.state.topic = "cout"
        stack.start_estimate(turn, found, fresh=not found)
        turn.mark("start", flow="estimate")
    elif kind == "cost":
        repair.answer_topic(turn, "cout")
    elif kind in ("excess", "vat"):
        turn.say(f"utter_{kind}_to_confirm")
        turn.mark("faq", topic=kind)
    elif kind == "faq" and _estimate_follow_up(turn, found):
        return
    elif kind == "faq" and (reading.entities.get("topic") or cues.topic_named(text)):
        repair.answer_topic(turn, topic_of(reading))
    elif kind == "faq" and reading.topic_confidence >= repair.TOPIC_CONFIDENCE:
        repair.answer_topic(turn, reading.topic)
    elif kind == "faq" and reading.intent in ("start_quiz", "inform"):
        repair.answer_topic(turn, "beneficiaires")  # a question on who may apply, read as a request to test
    elif kind in SOCIAL:
        topic = cues.english_topic(text) if kind == "english" else None
        turn.say(repair.SOCIAL_RESPONSES[kind], buttons=topic is None)
        if topic:  # the same facts as in French, in French
            repair.answer_topic(turn, topic)
        turn.mark(kind)
    elif _estimate_follow_up(turn, found) or flows.old_quiz_button(turn, None):
        return
    elif (
        kind == "inform"
        and quiz.prefill(text)
        and cues.asks_something(text)
        and reading.topic_confidence >= repair.TOPIC_CONFIDENCE
    ):
        repair.answer_topic(turn, reading.topic)  # "et les associations, elles peuvent ?" asks the rule
    elif kind == "inform" and quiz.prefill(text):
        stack.start_quiz(turn, text)
        turn.mark("start", flow="quiz")
    elif kind == "noise" or not repair.clarify(turn):
        repair.not_understood(turn)


# Questions a request to take the test may carry that the test itself does not answer.
_SIDE_TOPICS = (
    "porteur",
    "comite",
    "consultants",
    "cout",
    "duree",
    "candidater",
    "calendrier",
    "pilotage",
    "donnees",
    "appui_court",
    "appui_long",
    "types_appui",
)
_EVEN_IF = re.compile(r"^\W*(?:et |mais )?(?:meme si|meme avec|meme en|meme pour|meme quand|pourtant|et si pourtant)\b")

# "Qu'est-ce qui me manque ?" after a verdict that is not a yes: the points the verdict gave.
_WHAT_IS_MISSING = re.compile(
    r"\b(?:qu'est-ce qui (?:me |nous )?(?:manque|bloque|coince|pose probleme|ne va pas)"
    r"|que (?:me |nous )?manque-t-il|qu'est-ce qu'il (?:me |nous )?manque|il (?:me |nous )?manque quoi"
    r"|pour que (?:ce|ca) soit bon|pour (?:etre|devenir) eligibles?|ca bloque ou|pourquoi (?:pas|non)"
    r"|qu'est-ce que je dois (?:faire|changer)|que faut-il (?:faire|changer|de plus))\b"
)


def _verdict_holds(turn: Turn) -> bool:
    """ "Même si le projet est vraiment innovant ?" after a negative verdict: what still blocks, said again."""
    verdict = turn.get("eligibility") or {}
    text = normalize(turn.reading.typed)
    even_if, missing = _EVEN_IF.search(text), _WHAT_IS_MISSING.search(text)
    if verdict.get("verdict") not in ("not_eligible", "to_check") or not (even_if or missing):
        return False
    reasons = verdict.get("reasons") or []
    blocking = [r["message"] for r in reasons if r.get("ok") is False] or [
        r["message"] for r in reasons if r.get("ok") is None
    ]
    turn.say("utter_verdict_holds" if even_if else "utter_verdict_missing", reasons=" ".join(blocking))
    turn.mark("faq", topic="verdict")
    return True


def _estimate_follow_up(turn: Turn, found: dict) -> bool:
    """After an estimate, "et pour 3 jours ?" or "et à 800 € ?" gives a new one with the new value."""
    if turn.get("funding") is None or not found:
        return False
    if (
        not set(found) & {"consultant_days", "day_rate"}
        and kind_of(turn.reading) == "faq"
        and cues.asks_something(turn.reading.typed)
    ):
        return False  # "et le long, il va jusqu'à combien de jours ?" asks, it does not estimate
    stack.start_estimate(turn, found)
    turn.mark("start", flow="estimate")
    return True


def resume(turn: Turn) -> None:
    """ "Reprendre": the quiz left unfinished goes on at its pending question."""
    unfinished = quiz_flow.started(turn) and turn.get("eligibility") is None
    if "quiz" in turn.state.stopped or unfinished:
        stack.start_quiz(turn)
        turn.mark("resume", flow="quiz")
    elif cues.mentions_quiz(turn.reading.typed):
        stack.start_quiz(turn, turn.reading.typed)
        turn.mark("start", flow="quiz")
    else:
        turn.say("utter_nothing_to_resume")
        turn.mark("resume")


def restart(turn: Turn) -> None:
    """ "Recommencer" with nothing under way: the test from its first question if it was meant, else a new start."""
    turn.mark("restart")
    if turn.reading.button or cues.mentions_quiz(turn.reading.typed) or quiz_flow.started(turn):
        quiz_flow.reset(turn)
        turn.state.push("quiz")
        turn.say("utter_quiz_restart")
        stack.ask_pending(turn)
        return
    turn.clear(*ALL_SLOTS)
    turn.state = State(recent=turn.state.recent)
    turn.say("utter_restart")


def _several_questions(turn: Turn) -> bool:
    """A message with several questions: each FAQ answer, then the rest of the message as usual."""
    parts = turn.reading.parts
    if carries_estimate(turn.reading.typed):
        return False  # "pour 10 jours d'appui long, combien on paierait ?" is one request with its values
    faq_parts = [
        part
        for part in parts
        if (kind_of(part) == "faq" and (part.topic_confidence >= 0.3 or cues.topic_named(part.typed)))
        or kind_of(part) == "cost"
    ]
    topics = list(dict.fromkeys("cout" if kind_of(part) == "cost" else topic_of(part) for part in faq_parts))
    topics = [topic for topic in topics if topic]
    others = [part for part in parts if part not in faq_parts and kind_of(part) not in ("unclear", "greet", "thank")]
    if len(topics) + len(others[:1]) < 2:
        return False
    for index, topic in enumerate(topics):
        last = index == len(topics) - 1 and not others and not turn.state.stack
        turn.say(f"utter_faq/{topic}", buttons=last)
        turn.state.topic = topic
    turn.mark("faq", topics=topics)
    if others:
        turn.reading = others[0]
        kind = kind_of(others[0])
        if turn.state.active:
            flows.handle(turn, kind)
        else:
            outside(turn, kind)
        turn.record["topics"] = topics
    elif turn.state.active:
        stack.ask_pending(turn, reminder=True)
    return True
