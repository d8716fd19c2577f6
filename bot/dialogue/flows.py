"""A message while a flow waits for an answer: the answer, or a detour, a control word, a failure."""
from __future__ import annotations

import re

from bot import quiz
from bot.dialogue import contact_flow, cues, estimate_flow, quiz_flow, repair, stack
from bot.dialogue.moves import carries_estimate, flow_requested
from bot.dialogue.turn import Turn
from bot.french import normalize, parse_yes_no
from bot.leads import check_email, check_phone

# Kinds that ask something else than answering: a value read in a question of these kinds is not an answer.
ASKING = ("faq", "cost", "why", "estimate", "human", "start_quiz", "restart", "stop", "resume", "capabilities")
_STARTS_YES_NO = re.compile(r"^\W*(?:oui|ouais|non|nan|si)\b")
_NOW = re.compile(r"\b(?:maintenant|tout de suite|de suite|direct|d'abord l'estimation|d'abord le contact|vas-y|allez-y"
                  r"|oui|ok|d'accord|go)\b")
_LATER = re.compile(r"\b(?:apres|plus tard|d'abord (?:le|la|les) (?:test|quiz|questions|fin)|terminer|finir|finissons"
                    r"|termine|non|continuer|continuons|on continue|ensuite)\b")
OFFERS = {
    ("quiz", "estimate"): "utter_offer_estimate_in_quiz", ("quiz", "contact"): "utter_offer_contact_in_quiz",
    ("estimate", "contact"): "utter_offer_contact_in_estimate", ("estimate", "quiz"): "utter_offer_quiz_in_estimate",
}
LATER = {"quiz": "utter_later_after_quiz", "estimate": "utter_later_after_estimate",
         "contact": "utter_later_after_contact"}


def handle(turn: Turn, kind: str) -> None:
    """The active flow's pending question meets the visitor's message."""
    flow = turn.state.active
    step = stack.pending(turn)
    if step is None:
        stack.finish(turn, flow)
        return
    answered = {"quiz": _quiz_answer, "estimate": _estimate_answer, "contact": _contact_answer}[flow](turn, step, kind)
    if answered:
        return
    if kind == "noise" and flow == "contact" and step in contact_flow.OPTIONAL:
        repair.skip(turn, step)
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


# --- answers -----------------------------------------------------------------------------------
def _control_words(text: str, kind: str) -> bool:
    """"stop", "recommencer", "reprendre": only these words (not a guess of the model on a town's name) stop an answer."""
    return (kind == "stop" and cues.is_stop(text)) or (kind == "restart" and cues.is_restart(text)) or \
        (kind == "resume" and cues.is_resume(text)) or (kind in ("stop", "restart", "resume") and len(text.split()) <= 2
                                                       and not any(c.isdigit() for c in text) and _BARE_CONTROL.search(normalize(text)))



def _quiz_answer(turn: Turn, step: str, kind: str) -> bool:
    text = turn.reading.typed
    if not text or quiz_flow.looks_like_contact_detail(text) or _control_words(text, kind):
        return False
    if step == "headcount" and carries_estimate(text):
        return False  # "12 jours à 850 €" gives days and a rate, not a headcount
    values = quiz_flow.read(step, text)
    if values is None:
        return False
    asking = cues.is_question(text) and kind in ASKING
    if asking and (step == "headcount" or (step in quiz.YES_NO_QUESTIONS and not _STARTS_YES_NO.search(normalize(text)))):
        return False
    carried = quiz_flow.carried(turn, text, step)
    quiz_flow.store(turn, {**carried, **values})
    if any(slot != "in_region" for slot in carried):  # nothing read is kept silently
        turn.say("utter_quiz_also_noted", facts=quiz.summary(carried))
    turn.state.clear_fails(f"quiz:{step}")
    turn.mark("answer", step=step)
    if asking and kind == "faq":
        repair.answer_topic(turn, turn.reading.topic)
    requested = flow_requested(kind) if asking else None
    if requested and requested != "quiz" and stack.pending(turn) is not None:
        offer_switch(turn, "quiz", requested)
        return True
    stack.ask_pending(turn)
    return True


def _estimate_answer(turn: Turn, step: str, kind: str) -> bool:
    reading = turn.reading
    text = reading.typed
    if _control_words(text, kind) or kind in ("why", "human", "start_quiz"):
        return False
    if cues.is_question(text) and kind == "faq" and not carries_estimate(text):
        return False
    found = estimate_flow.values(text, reading.entities, asking=step)
    if not found:
        return False
    problems = estimate_flow.apply(turn, found)
    turn.mark("answer", step=step)
    if problems:
        repair.failed_answer(turn, "estimate", stack.pending(turn) or step, problems[0])
        return True
    turn.state.clear_fails(f"estimate:{step}")
    stack.ask_pending(turn)
    return True


def _contact_answer(turn: Turn, step: str, kind: str) -> bool:
    reading = turn.reading
    text = reading.typed
    if not text or _control_words(text, kind):
        return False
    if step == "consent":
        if cues.is_question(text) or kind == "why":
            return False  # "ça sert à quoi ?": answered, then the consent question again
        answer = contact_flow.consent_answer(text, reading.intent, reading.confidence)
        if answer == "yes":
            contact_flow.give_consent(turn)
            _keep_details(turn, contact_flow.details_in(text))
            turn.mark("answer", step=step)
            stack.ask_pending(turn)
            return True
        if answer == "no":
            repair.decline(turn)
            return True
        return False
    details = contact_flow.details_in(text)
    changed = {slot: value for slot, value in details.items()
               if turn.get(slot) not in (None, contact_flow.NO_PHONE) and turn.get(slot) != value}
    if changed:  # a new address typed at a later question corrects the one given
        for slot, value in changed.items():
            turn.set(slot, value)
        turn.say("utter_corrected", facts=contact_flow.describe(turn, changed))
        _keep_details(turn, details)
        turn.mark("correction", step=step)
        stack.ask_pending(turn, reminder=True)
        return True
    filled = _keep_details(turn, details)
    if step in filled:
        turn.mark("answer", step=step)
        turn.state.clear_fails(f"contact:{step}")
        stack.ask_pending(turn)
        return True
    if step == "contact_email":
        return _email_problem(turn, text, kind)
    if step == "contact_phone":
        if cues.is_refusal(text) or kind == "deny":
            repair.skip(turn, step)
            return True
        phone = check_phone(text)
        if phone:
            turn.set("contact_phone", phone)
            turn.mark("answer", step=step)
            stack.ask_pending(turn)
            return True
        return bool(filled) and _next(turn)
    return _free_text(turn, step, kind, text) or (bool(filled) and _next(turn))


def _keep_details(turn: Turn, details: dict) -> list:
    """Details given ahead of their question are kept (never over a known one)."""
    kept = []
    for slot, value in details.items():
        if turn.get(slot) is None:
            turn.set(slot, value)
            kept.append(slot)
    return kept


def _next(turn: Turn) -> bool:
    stack.ask_pending(turn)
    return True


def _email_problem(turn: Turn, text: str, kind: str) -> bool:
    """An address that cannot be used: say why (missing "@", a known typo) and count a failed answer."""
    if "@" not in text and (" " in text.strip() or kind in ("faq", "why", "human", "estimate", "start_quiz")):
        return False
    check = check_email(text)
    count = turn.state.fail("contact:contact_email")
    turn.mark("invalid_answer", understood=False, step="contact_email")
    turn.asked = "contact_email"
    if check.problem == "typo":
        turn.say("utter_contact_email_typo", suggestion=check.suggestion,
                 extra_buttons=[{"title": check.suggestion, "payload": check.suggestion}])
    elif count >= 3:
        turn.say("utter_contact_cannot_handle")
    elif check.problem == "missing_at":
        turn.say("utter_contact_email_missing_at")
    else:
        turn.say("utter_contact_email_invalid")
    return True


_BARE_CONTROL = re.compile(r"^(?:stop|stoppe|annule\w*|arret\w*|reprend\w*|recommenc\w*|continu\w*|reset|fin)\b")
_REQUEST = re.compile(r"\b(?:je|j'|on|nous) ?(?:veux|voudrais|voudrait|aimerais|souhaite|souhaiterais|prefere|peux)\b"
                      r"|\b(?:pourquoi|a quoi bon)\b")
_BARE_REPLY = re.compile(r"^\W*(?:bonjour|bonsoir|salut|hello|coucou|merci|ok|okay|d'accord|oui|non|ouais|nan|je ne sais pas"
                         r"|je sais pas|aucune idee|au revoir|bye)\W*$")
_SHORT_REPLIES = ("affirm", "deny", "dont_know", "greet", "thank", "goodbye", "capabilities", "out_of_scope",
                  "english", "why", "human", "estimate", "start_quiz", "faq", "cost")


def _free_text(turn: Turn, step: str, kind: str, text: str) -> bool:
    """A name, a structure or a project as typed, unless the message clearly asks or says something else.

    Names and organisations are words the model cannot place: whatever intent it guesses, they are taken,
    except a question, a bare yes / no / greeting / thanks, or a request in words ("je voudrais parler à…").
    """
    words = normalize(text)
    if cues.is_question(text) and len(text.split()) < 12 and step != "contact_project":
        return False
    if len(text.split()) <= 3 and (_BARE_REPLY.search(words) or parse_yes_no(text)) \
            and not (step == "contact_name" and cues.looks_like_name(text)):
        return False
    if kind in ("human", "estimate", "start_quiz", "why", "faq") and _REQUEST.search(words) and step != "contact_project":
        return False
    if step == "contact_project" and cues.is_refusal(text) and len(text.split()) <= 6:
        repair.skip(turn, step)
        return True
    value = contact_flow.read_free_text(step, text)
    if value is None:
        return False
    if step == "contact_name" and not cues.looks_like_name(value) and (len(value.split()) > 5 or kind not in ("inform", "unclear")):
        return False
    turn.set(step, value)
    turn.state.clear_fails(f"contact:{step}")
    turn.mark("answer", step=step)
    stack.ask_pending(turn)
    return True


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
        if choice == "now" or (not choice and short and _NOW.search(words) and not _LATER.search(words)) \
                or (kind == "affirm" and short):
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
    refusal = not dont_know and (cues.is_refusal(text) or (kind == "deny" and flow != "quiz"))
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


def old_quiz_button(turn: Turn, pending_step: str | None) -> bool:
    """A button of an earlier quiz question clicked again: it corrects that answer."""
    text = turn.reading.typed.strip()
    if not text:
        return False
    for question in quiz.QUESTIONS:
        if question == pending_step or question in quiz.YES_NO_QUESTIONS or turn.get(question) is None:
            continue
        payloads = {button["payload"].lower() for button in turn.texts.render(
            f"utter_ask_{question}", progress="", agreement_of="").buttons}
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
