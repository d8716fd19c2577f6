"""A message while a flow waits for an answer: the answer (`answers`), or a detour, a control word, a failure."""

from __future__ import annotations

import re

from bot.dialogue import answers, contact_flow, cues, estimate_flow, quiz_flow, repair, stack
from bot.dialogue.moves import flow_requested
from bot.dialogue.turn import Turn
from bot.program import quiz
from bot.program.french import normalize, parse_yes_no

# Kinds that ask something else than answering: a value read in a question of these kinds is not an answer.
_NOW = re.compile(
    r"\b(?:maintenant|tout de suite|de suite|direct|d'abord l'estimation|d'abord le contact|vas-y|allez-y"
    r"|oui|ok|d'accord|go)\b"
)
_LATER = re.compile(
    r"\b(?:apres|plus tard|d'abord (?:le|la|les) (?:test|quiz|questions|fin)|terminer|finir|finissons"
    r"|termine|non|continuer|continuons|on continue|ensuite)\b"
)
OFFERS = {
    ("quiz", "estimate"): "utter_offer_estimate_in_quiz",
    ("quiz", "contact"): "utter_offer_contact_in_quiz",
    ("estimate", "contact"): "utter_offer_contact_in_estimate",
    ("estimate", "quiz"): "utter_offer_quiz_in_estimate",
}
LATER = {
    "quiz": "utter_later_after_quiz",
    "estimate": "utter_later_after_estimate",
    "contact": "utter_later_after_contact",
}


def handle(turn: Turn, kind: str) -> None:
    """The active flow's pending question meets the visitor's message."""
    flow = turn.state.active
    step = stack.pending(turn)
    if step is None:
        stack.finish(turn, flow)
        return
    answered = answers.READERS[flow](turn, step, kind)
    if answered:
        return
    if kind == "noise" and flow == "contact" and step in contact_flow.OPTIONAL:
        repair.skip(turn, step)
        return
    if flow != "estimate" and old_estimate_button(turn):
        return
    if _control(turn, flow, step, kind) or repair.digression(turn, kind):
        return
    if _dont_know_or_refusal(turn, flow, step, kind):
        return
    if old_quiz_button(turn, step):
        return
    if flow == "contact" and step in contact_flow.OPTIONAL and (kind == "unclear" or cues.is_noise(turn.reading.typed)):
        repair.skip(turn, step)
        return
    repair.failed_answer(turn, flow, step)


# --- control words -----------------------------------------------------------------------------
def _control(turn: Turn, flow: str, step: str, kind: str) -> bool:
    entities = turn.reading.entities
    if kind == "stop":
        stack.cancel(turn, flow)
        turn.mark("stop")
        return True
    if kind == "goodbye":
        for paused in reversed(list(turn.state.stack)):
            stack.cancel(turn, paused, silent=True)
        turn.say("utter_goodbye")
        turn.mark("goodbye")
        return True
    if kind == "why":
        turn.say(f"utter_why_{step}", buttons=False)
        stack.ask_pending(turn, reminder=True)
        turn.mark("why", step=step)
        return True
    if kind == "restart":
        restart(turn, flow, confirmed=entities.get("choice") == "now")
        return True
    if kind == "correct" and cues.is_correction(turn.reading.typed):
        repair.which_correction(turn)
        return True
    if kind == "resume" or kind == "choose":
        stack.ask_pending(turn, reminder=True)
        turn.mark("resume")
        return True
    requested = flow_requested(kind)
    if requested is None:
        return False
    if requested == flow:
        if flow == "estimate" and entities.get("estimate_change") == "days":
            turn.clear("consultant_days")
        stack.ask_pending(turn, reminder=True)
        turn.mark("resume")
        return True
    if entities.get("choice") == "now":
        switch_now(turn, requested)
    else:
        offer_switch(turn, flow, requested)
    return True


def restart(turn: Turn, flow: str, confirmed: bool = False) -> None:
    """Start the active flow over; the quiz asks first, its answers being lost."""
    turn.mark("restart")
    if flow == "quiz" and not confirmed:
        turn.say("utter_quiz_restart_confirm")
        turn.state.offer = {"kind": "restart_confirm"}
        return
    if flow == "quiz":
        quiz_flow.reset(turn)
        turn.say("utter_quiz_restart")
    elif flow == "estimate":
        estimate_flow.reset(turn)
        turn.say("utter_estimate_restart")
    else:
        contact_flow.forget_details(turn)
        turn.say("utter_contact_restart")
    stack.ask_pending(turn)


def offer_switch(turn: Turn, current: str, requested: str) -> None:
    """Another flow asked while one runs: a choice with buttons (the contact flow promises it for after)."""
    turn.mark("switch_offer", to=requested)
    if requested == "estimate":  # the days or rate of the request are kept, whatever the choice
        for problem in estimate_flow.apply(turn, estimate_flow.values(turn.reading.typed, turn.reading.entities)):
            turn.say("utter_funding_problem", problem=problem)
    if current == "contact":
        if requested not in turn.state.after:
            turn.state.after.append(requested)
        turn.say(LATER["contact"], buttons=False)
        stack.ask_pending(turn, reminder=True)
        return
    turn.say(OFFERS[(current, requested)])
    turn.state.offer = {"kind": "switch", "to": requested, "text": turn.reading.typed}


def switch_now(turn: Turn, requested: str, text: str = "") -> None:
    """Pause the active flow and start the requested one; the paused one resumes when it ends."""
    turn.mark("switch", to=requested)
    found = estimate_flow.values(turn.reading.typed, turn.reading.entities) if requested == "estimate" else {}
    stack.start(turn, requested, text=text or turn.reading.typed, found=found)


def answer_offer(turn: Turn, offer: dict, kind: str) -> bool:
    """The visitor answers the choice offered last: "now" or "after", restart or not, a person or not."""
    reading = turn.reading
    choice = reading.entities.get("choice")
    words = normalize(reading.typed)
    short = len(words.split()) <= 6
    if offer.get("kind") == "switch":
        if (
            choice == "now"
            or (not choice and short and _NOW.search(words) and not _LATER.search(words))
            or (kind == "affirm" and short)
        ):
            if turn.state.active:
                switch_now(turn, offer["to"], offer.get("text") or "")
                return True
            return False
        if not choice and (cues.is_refusal(words) or kind == "deny") and not _LATER.search(words.replace("non", "")):
            turn.say("utter_request_dropped", buttons=False)  # "non merci": neither now nor later
            turn.mark("deny")
            stack.ask_pending(turn, reminder=True)
            return True
        if choice == "later" or (not choice and short and _LATER.search(words)):
            to = offer["to"]
            if to not in turn.state.after:
                turn.state.after.append(to)
            current = turn.state.active or "quiz"
            turn.say(LATER[current], buttons=False)
            turn.mark("switch_later", to=to)
            stack.ask_pending(turn, reminder=True)
            return True
        return False
    if offer.get("kind") == "restart_confirm":
        if choice == "now" or (kind in ("affirm", "restart") and short):
            restart(turn, "quiz", confirmed=True)
            return True
        if kind in ("deny", "resume") or choice == "later":
            turn.say("utter_quiz_restart_cancelled", buttons=False)
            stack.ask_pending(turn, reminder=True)
            turn.mark("resume")
            return True
        return False
    if (
        offer.get("kind") == "email"
        and turn.state.active == "contact"
        and short
        and not cues.find_email(reading.typed)
        and (kind == "affirm" or parse_yes_no(reading.typed) == "yes" or "bien" in words)
    ):
        turn.set("contact_email", offer["suggestion"])  # "oui, c'est bien gmail": the suggested address
        turn.mark("answer", step="contact_email")
        stack.ask_pending(turn)
        return True
    if offer.get("kind") == "handoff" and short:
        if kind == "affirm":
            stack.start_contact(turn)
            turn.mark("human")
            return True
        if kind == "deny":
            turn.say("utter_anything_else")
            turn.mark("deny")
            return True
    return False


# --- "je ne sais pas" and refusals ----------------------------------------------------------------
def _dont_know_or_refusal(turn: Turn, flow: str, step: str, kind: str) -> bool:
    text = turn.reading.typed
    # "bof" or "peut-être" say nothing about a headcount or a place: there only explicit words count
    dont_know = cues.is_dont_know(text) or (kind == "dont_know" and (flow != "quiz" or step in quiz.YES_NO_QUESTIONS))
    refusal = (
        not dont_know and not cues.asks_back(text) and (cues.is_refusal(text) or (kind == "deny" and flow != "quiz"))
    )
    if not (dont_know or refusal):
        return False
    if flow == "quiz":
        value = quiz_flow.dont_know_value(step) if dont_know else {step: quiz_flow.refusal_value(step)}
        if step == "place" and not dont_know:
            value = quiz_flow.dont_know_value(step)
        quiz_flow.store(turn, value)
        turn.say("utter_quiz_noted", facts=quiz.summary({step: value[step]}), buttons=False)
        turn.state.clear_fails(f"quiz:{step}")
        turn.mark("dont_know" if dont_know else "refusal", step=step)
        stack.ask_pending(turn)
        return True
    if flow == "estimate":
        if refusal:
            stack.cancel(turn, flow)
            turn.mark("refusal", step=step)
            return True
        count = turn.state.fail(f"estimate:{step}")
        turn.mark("dont_know", step=step)
        if count >= 3:
            turn.state.fails[f"estimate:{step}"] = count - 1
            repair.failed_answer(turn, flow, step)
            return True
        if step == "support_type":
            turn.say("utter_estimate_support_dont_know")
        else:
            support = turn.get("support_type") or "long"
            turn.say(f"utter_estimate_days_dont_know_{support}", max_days=estimate_flow.max_days(turn))
        turn.asked = step
        return True
    # contact
    if step == "consent":
        if refusal:
            repair.decline(turn)
            return True
        return False
    if step in contact_flow.OPTIONAL:
        repair.skip(turn, step)
        return True
    if refusal and len(text.split()) <= 10:
        stack.cancel(turn, flow)
        turn.mark("refusal", step=step)
        return True
    return False


def old_estimate_button(turn: Turn) -> bool:
    """ "Appui long" clicked again once an estimate is made: the estimate with that support, then the question again."""
    if turn.get("funding") is None or turn.get("support_type") is None:
        return False
    text = turn.reading.typed.strip().lower()
    support = {
        button["payload"].lower(): button["payload"] for button in turn.texts.render("utter_ask_support_type").buttons
    }.get(text)
    found = estimate_flow.values(support) if support else {}
    if found.get("support_type") in (None, turn.get("support_type")):
        return False
    problems = estimate_flow.apply(turn, found)
    for problem in problems:
        turn.say("utter_funding_problem", problem=problem)
    if not problems:
        turn.say("utter_corrected", facts=estimate_flow.describe(found))
        estimate_flow.estimate(turn)
    turn.mark("correction", step="support_type")
    stack.ask_pending(turn, reminder=True)
    return True


def old_quiz_button(turn: Turn, pending_step: str | None) -> bool:
    """A button of an earlier quiz question clicked again: it corrects that answer."""
    text = turn.reading.typed.strip()
    if not text:
        return False
    for question in quiz.QUESTIONS:
        if question == pending_step or question in quiz.YES_NO_QUESTIONS or turn.get(question) is None:
            continue
        payloads = {
            button["payload"].lower()
            for button in turn.texts.render(f"utter_ask_{question}", progress="", agreement_of="").buttons
        }
        if text.lower() in payloads:
            values = quiz_flow.read(question, text)
            if not values or all(turn.get(slot) == value for slot, value in values.items()):
                return False
            quiz_flow.store(turn, values)
            turn.say("utter_corrected", facts=quiz.summary({question: values[question]}))
            turn.mark("correction", step=question)
            if turn.state.active:
                stack.ask_pending(turn, reminder=True)
            elif turn.get("eligibility") is not None:
                turn.clear("eligibility")
                if quiz_flow.pending(turn) is None:
                    quiz_flow.verdict(turn)
                else:
                    stack.start_quiz(turn)
            return True
    return False
