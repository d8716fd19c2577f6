"""Conversation repair: digressions, corrections, clarification, failed answers, offers of a choice.

Named after the patterns of Rasa's dialogue stack (CALM): a digression answers and
comes back to the pending question; a correction changes an earlier answer only when
the visitor says so, and says what changed; cannot-handle offers a way forward after
repeated failures instead of asking the same thing forever.
"""

from __future__ import annotations

from bot.dialogue import contact_flow, cues, estimate_flow, quiz_flow, stack
from bot.dialogue.turn import Turn
from bot.program import quiz

SOCIAL_RESPONSES = {
    "greet": "utter_greet",
    "thank": "utter_thank",
    "capabilities": "utter_capabilities",
    "out_of_scope": "utter_out_of_scope",
    "english": "utter_english",
    "announce": "utter_listening",
}
SOCIAL_IN_FLOW = {"greet": "utter_greet_short", "thank": "utter_thank_short", "announce": "utter_listening_short"}
TOPIC_CONFIDENCE = 0.25  # below, the response selector's FAQ topic is a guess: clarify instead
CLARIFY_MARGIN = 0.35


def answer_topic(turn: Turn, topic: str | None) -> bool:
    """The FAQ answer of `topic`, with its next-step buttons only outside the flows."""
    name = f"utter_faq/{topic}"
    if not topic or name not in turn.texts:
        return False
    turn.state.topic = topic
    if turn.state.stack:  # inside a flow the question's own buttons follow; the cost answer keeps "Estimer"
        estimate = [b for b in turn.texts.render(name).buttons if b["payload"] == "/ask_estimate"]
        turn.say(name, buttons=False, extra_buttons=estimate)
    else:
        turn.say(name)
    turn.mark("faq", topic=topic)
    return True


def digression(turn: Turn, kind: str) -> bool:
    """A question on the program or small talk while a flow waits: answer, then the pending question again."""
    reading = turn.reading
    if kind in ("cost", "excess", "vat"):
        if kind == "cost":
            answer_topic(turn, "cout")
        else:
            turn.say(f"utter_{kind}_to_confirm", buttons=False)
            turn.mark("faq", topic=kind)
        stack.ask_pending(turn, reminder=True)
        return True
    asking = reading.button or cues.asks_something(reading.typed)
    if (
        kind in ("faq", "capabilities", "out_of_scope")
        and not asking
        and not cues.is_hostile(reading.typed)
        and turn.state.active
    ):
        return False  # "le mardi" at a yes/no question: a failed answer, not a question on the committee
    if kind == "faq" or (kind == "english" and cues.english_topic(reading.typed)):
        if kind == "english":
            turn.say("utter_english", buttons=False)
            answered = answer_topic(turn, cues.english_topic(reading.typed))
            stack.ask_pending(turn, reminder=True)
            return answered
        named = reading.entities.get("topic") or cues.topic_named(reading.typed)  # a button, or words beyond doubt
        if not named and reading.topic_confidence < TOPIC_CONFIDENCE and kind == "faq":
            return False
        answered = answer_topic(turn, named or reading.topic)
    elif kind in SOCIAL_RESPONSES:
        turn.say(SOCIAL_IN_FLOW.get(kind, SOCIAL_RESPONSES[kind]), buttons=False)
        turn.mark(kind)
        answered = True
    else:
        return False
    if answered and turn.state.active:
        stack.ask_pending(turn, reminder=True)
    return answered


# --- corrections ------------------------------------------------------------------------------
def correction(turn: Turn, asked_for: bool = False) -> bool:
    """An explicit correction of answers already given: change them, say what changed, recompute.

    `asked_for`: the visitor chose "Corriger une réponse" just before, so the message needs no correction words.
    """
    text = turn.reading.typed
    if not (asked_for or cues.is_correction(text)):
        return False  # "Chambéry (73)" read as correct_answer by the model corrects nothing
    changed_quiz = changed_estimate = changed_contact = {}
    if quiz_flow.started(turn):
        changed_quiz = {
            slot: value
            for slot, value in quiz_flow.corrections(turn, text).items()
            if slot in ("in_region",) or turn.get(slot) is not None
        }
        if "place" not in changed_quiz:
            changed_quiz.pop("in_region", None)
    if turn.state.active == "estimate" or turn.get("funding") is not None:
        found = estimate_flow.values(text)
        changed_estimate = {
            slot: value
            for slot, value in found.items()
            if slot != "rate_ttc" and turn.get(slot) is not None and str(turn.get(slot)) != str(value)
        }
        if changed_estimate and "rate_ttc" in found:
            changed_estimate["rate_ttc"] = found["rate_ttc"]
    if turn.state.active == "contact":
        changed_contact = {
            slot: value
            for slot, value in contact_flow.details_in(text).items()
            if turn.get(slot) is not None and turn.get(slot) != value
        }
    if not (changed_quiz or changed_estimate or changed_contact):
        return False
    turn.mark("correction")
    if changed_quiz:
        quiz_flow.store(turn, changed_quiz)
        turn.say("utter_corrected", facts=quiz.summary({k: v for k, v in changed_quiz.items() if k != "in_region"}))
        if turn.get("eligibility") is not None and turn.state.active != "quiz":
            turn.clear("eligibility")
            if quiz_flow.pending(turn) is None:
                quiz_flow.verdict(turn)
            else:  # the change opens a question not asked yet (a new role needing an agreement)
                stack.start_quiz(turn)
                return True
    if changed_contact:
        for slot, value in changed_contact.items():
            turn.set(slot, value)
        turn.say("utter_corrected", facts=contact_flow.describe(turn, changed_contact))
    if changed_estimate:
        problems = estimate_flow.apply(turn, dict(changed_estimate))
        kept = {slot: value for slot, value in changed_estimate.items() if str(turn.get(slot)) == str(value)}
        if turn.state.active == "estimate" and kept:
            turn.say("utter_corrected", facts=estimate_flow.describe(kept))  # said with the estimate otherwise
        for problem in problems:
            turn.say("utter_funding_problem", problem=problem)
        if not turn.state.active and turn.get("funding") is not None and not problems:
            turn.say("utter_corrected_estimate")
            estimate_flow.estimate(turn)
    if turn.state.active:
        stack.ask_pending(turn, reminder=True)
    return True


def old_answer_button(turn: Turn) -> bool:
    """A yes/no button of a question answered earlier: it corrects that answer (and the verdict)."""
    field, answer = turn.reading.entities.get("quiz_field"), turn.reading.entities.get("answer")
    if (
        field not in quiz.QUESTIONS
        or answer not in ("yes", "no", "unknown")
        or turn.get(field) is None
        or (turn.state.active == "quiz" and quiz_flow.pending(turn) == field)
    ):
        return False
    if turn.get(field) != answer:
        quiz_flow.store(turn, {field: answer})
        turn.say("utter_corrected", facts=quiz.summary({field: answer}))
        if turn.get("eligibility") is not None and turn.state.active != "quiz":
            turn.clear("eligibility")
            quiz_flow.verdict(turn)
    turn.mark("correction", step=field)
    if turn.state.active:
        stack.ask_pending(turn, reminder=True)
    elif turn.get(field) == answer and not turn.messages:
        turn.say("utter_quiz_unchanged", facts=quiz.summary({field: answer}))
    return True


def which_correction(turn: Turn) -> None:
    """ "Je veux corriger une réponse": the answers given, as buttons."""
    answered = [question for question in quiz.QUESTIONS if turn.get(question) is not None]
    if not answered and (turn.state.active == "estimate" or turn.get("funding") is not None):
        turn.say("utter_correct_estimate_how", buttons=not turn.state.stack)  # the estimate's values: in words
        if turn.state.active:
            stack.ask_pending(turn, reminder=True)
        turn.mark("correction")
        return
    if not answered:
        turn.say("utter_nothing_to_correct", buttons=not turn.state.stack)
        if turn.state.active:
            stack.ask_pending(turn, reminder=True)
        return
    buttons = [
        {
            "title": quiz.SUMMARY_LABELS[question].capitalize(),
            "payload": f'/correct_answer{{"quiz_field": "{question}"}}',
        }
        for question in answered
    ]
    turn.say("utter_quiz_which_correction", extra_buttons=buttons)
    turn.state.offer = {"kind": "correct_which"}
    turn.mark("correction")


def correct_field(turn: Turn, field: str) -> None:
    """A summary button: that question is asked again, then the quiz (or its verdict) goes on."""
    cleared = [field, "in_region"] if field == "place" else [field]
    turn.clear(*cleared, "eligibility")
    turn.say("utter_quiz_correct_field")
    turn.state.push("quiz")
    stack.ask_pending(turn)
    turn.mark("correction", field=field)


# --- not understood ----------------------------------------------------------------------------
def clarify(turn: Turn) -> bool:
    """When the model hesitates between two or three topics, ask which one, with buttons (two-stage fallback)."""
    reading = turn.reading
    if not reading.typed or cues.is_noise(reading.typed):
        return False
    follow_up = dict(reading.topic_ranking[:2]).get(turn.state.topic, 0.0) if turn.state.topic else 0.0
    if follow_up >= 0.2 and reading.top("faq") >= 0.2:  # "il se réunit souvent ?" right after the committee
        return answer_topic(turn, turn.state.topic)
    catalogue = {button["payload"]: button for button in turn.texts.render("utter_topics").buttons}
    scored: list[tuple[float, str]] = []
    for intent, confidence in reading.ranking[:4]:
        if intent == "faq":
            for topic, topic_confidence in reading.topic_ranking[:3]:
                scored.append((confidence * topic_confidence, f'/faq{{"topic": "{topic}"}}'))
        else:
            scored.append((confidence, f"/{intent}"))
    scored = sorted(((score, payload) for score, payload in scored if payload in catalogue), reverse=True)
    if not scored or scored[0][0] < 0.12:
        return False
    options = [payload for score, payload in scored if score >= 0.08 and scored[0][0] - score <= CLARIFY_MARGIN][:3]
    options = list(dict.fromkeys(options))
    if len(options) < 2:
        return False
    turn.say("utter_clarify", buttons=False, extra_buttons=[catalogue[payload] for payload in options])
    turn.mark("clarify", understood=False)
    return True


def not_understood(turn: Turn) -> None:
    """Outside the flows: ask to rephrase with topics; the second time in a row, offer a person."""
    turn.state.misunderstood += 1
    if turn.state.misunderstood % 2 == 0:
        turn.say("utter_default_offer_human")
        turn.state.offer = {"kind": "handoff"}
    else:
        turn.say("utter_default")
    turn.mark("not_understood", understood=False)


# --- failed answers ----------------------------------------------------------------------------
def failed_answer(turn: Turn, flow: str, step: str, problem: str | None = None) -> None:
    """The pending question was not answered: say why and ask again; then help; then a way forward."""
    count = turn.state.fail(f"{flow}:{step}")
    turn.mark("invalid_answer", understood=False, step=step)
    if problem:
        turn.say("utter_funding_problem", problem=problem)
    if flow == "quiz":
        _quiz_failed(turn, step, count)
    elif flow == "estimate":
        _estimate_failed(turn, step, count, bool(problem))
    else:
        _contact_failed(turn, step, count)


def _quiz_failed(turn: Turn, step: str, count: int) -> None:
    if count == 1:
        quiz_flow.ask(turn, step, retry=True)
    elif count == 2:
        turn.say("utter_quiz_help", buttons=False)
        quiz_flow.ask(turn, step)
        _add_dont_know(turn)
    elif count == 3:
        turn.say("utter_quiz_cannot_handle")
        turn.asked = step
    else:  # still nothing: note "à vérifier" and go on rather than ask a fourth time
        quiz_flow.store(turn, quiz_flow.dont_know_value(step))
        turn.say("utter_quiz_unknown_recorded")
        turn.state.clear_fails(f"quiz:{step}")
        stack.ask_pending(turn)


def _add_dont_know(turn: Turn) -> None:
    """A "je ne sais pas" button on the question just asked, if it has none."""
    last = turn.messages[-1]
    if not any(button["title"] == "Je ne sais pas" for button in last.buttons):
        extra = turn.texts.render("utter_dont_know_button").buttons
        turn.messages[-1] = last.with_buttons((*last.buttons, *extra))


def _estimate_failed(turn: Turn, step: str, count: int, explained: bool) -> None:
    if count == 1 or (explained and count == 3):  # a value out of the limits was understood: the limit said, ask again
        estimate_flow.ask(turn, step, retry=not explained)
    elif count == 2:
        turn.say("utter_estimate_help", buttons=False)
        estimate_flow.ask(turn, step)
        _add_dont_know(turn)
    elif count == 3:
        turn.say("utter_estimate_cannot_handle", max_days=estimate_flow.max_days(turn))
        turn.asked = step
    else:  # go on with the page's limits rather than ask again
        if step == "support_type":
            turn.set("support_type", "court")
            turn.say("utter_estimate_default_support")
        else:
            turn.set("consultant_days", str(estimate_flow.max_days(turn)))
            turn.say("utter_estimate_default_days", max_days=estimate_flow.max_days(turn))
        turn.state.clear_fails(f"estimate:{step}")
        stack.ask_pending(turn)


def _contact_failed(turn: Turn, step: str, count: int) -> None:
    if step == "consent":
        if count <= 2:
            contact_flow.ask(turn, step, retry=True)
        else:  # no clear yes: nothing is kept
            turn.say("utter_consent_unclear_declined", buttons=False)
            decline(turn)
        return
    if step in contact_flow.OPTIONAL:
        if count == 1:
            turn.say(f"utter_reask_{step}")
            turn.asked = step
        else:
            skip(turn, step)
        return
    if count == 1:
        turn.say(f"utter_reask_{step}")
        turn.asked = step
    elif count == 2:
        turn.say("utter_contact_help", buttons=True)
        contact_flow.ask(turn, step)
    else:
        turn.say("utter_contact_cannot_handle")
        turn.asked = step


def skip(turn: Turn, step: str) -> None:
    """An optional question left aside, said so."""
    if step == "contact_phone":
        turn.set("contact_phone", contact_flow.NO_PHONE)
        turn.say("utter_contact_phone_skipped", buttons=False)
    else:
        turn.set("contact_project", contact_flow.NO_PROJECT)
        turn.say("utter_contact_project_skipped", buttons=False)
    turn.state.clear_fails(f"contact:{step}")
    turn.mark("skip", step=step)
    stack.ask_pending(turn)


def decline(turn: Turn) -> None:
    """No consent: nothing personal is kept; the page's addresses instead; the paused flow goes on."""
    contact_flow.forget_details(turn)
    turn.state.pop("contact")
    turn.say("utter_consent_declined", buttons=not turn.state.stack)
    turn.mark("consent_declined")
    stack.go_on(turn)
