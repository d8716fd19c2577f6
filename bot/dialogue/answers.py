"""The answer to the pending question of a flow: read, kept with everything else the message gives, or not an answer."""

from __future__ import annotations

import re

from bot.dialogue import contact_flow, cues, estimate_flow, quiz_flow, repair, stack
from bot.dialogue.moves import carries_estimate, flow_requested, topic_of
from bot.dialogue.turn import Turn
from bot.program import quiz
from bot.program.french import normalize, parse_yes_no
from bot.records.leads import check_email, check_phone

ASKING = (
    "faq",
    "cost",
    "excess",
    "vat",
    "why",
    "estimate",
    "human",
    "start_quiz",
    "restart",
    "stop",
    "resume",
    "capabilities",
)
_STARTS_YES_NO = re.compile(r"^\W*(?:oui|ouais|non|nan|si)\b")


def _control_words(text: str, kind: str) -> bool:
    """ "stop", "recommencer", "reprendre": only these words (not a guess of the model on a town's name) stop an answer."""
    return (
        (kind == "stop" and cues.is_stop(text))
        or (kind == "restart" and cues.is_restart(text))
        or (kind == "resume" and cues.is_resume(text))
        or (
            kind in ("stop", "restart", "resume")
            and len(text.split()) <= 2
            and not any(c.isdigit() for c in text)
            and _BARE_CONTROL.search(normalize(text))
        )
    )


def _quiz_answer(turn: Turn, step: str, kind: str) -> bool:
    entities = turn.reading.entities
    if entities.get("quiz_field") == step and entities.get("answer") in ("yes", "no", "unknown"):
        quiz_flow.store(turn, {step: entities["answer"]})  # its button
        turn.state.clear_fails(f"quiz:{step}")
        turn.mark("answer", step=step)
        stack.ask_pending(turn)
        return True
    text = turn.reading.typed
    if not text or quiz_flow.looks_like_contact_detail(text) or _control_words(text, kind):
        return False
    if step == "headcount" and carries_estimate(text):
        return False  # "12 jours à 850 €" gives days and a rate, not a headcount
    values = quiz_flow.read(step, text, turn.get("structure_type"))
    if values is None:
        return False
    if (
        step in quiz.YES_NO_QUESTIONS
        and kind in ("estimate", "human", "start_quiz", "restart")
        and (_REQUEST.search(normalize(text)) or kind == "restart")
        and not _STARTS_YES_NO.search(normalize(text))
    ):
        return False  # "je voudrais carrément une estimation": a request, whatever "carrément" says
    asking = cues.is_question(text) and kind in ASKING
    if asking and (
        step == "headcount"
        or (step in quiz.YES_NO_QUESTIONS and not _STARTS_YES_NO.search(normalize(text)))
        or cues.is_question(re.split(r"[,?]", text)[0])
    ):
        return False  # "quel genre de consultant on aurait ?" is a question, not the role "consultant"
    if step == "headcount" and len(text.split()) > 12 and quiz.parse_staff_count(text) is None:
        return False  # a long story with numbers in it: the headcount only with its noun
    carried = quiz_flow.carried(turn, text, step)
    quiz_flow.store(turn, {**carried, **values})
    if any(slot != "in_region" for slot in carried):  # nothing read is kept silently
        turn.say("utter_quiz_also_noted", facts=quiz.summary(carried))
    turn.state.clear_fails(f"quiz:{step}")
    turn.mark("answer", step=step)
    if asking and kind == "faq":
        repair.answer_topic(turn, topic_of(turn.reading))
    requested = flow_requested(kind) if asking else None
    if requested and requested != "quiz" and stack.pending(turn) is not None:
        from bot.dialogue.flows import offer_switch  # a request inside an answer: the same offer

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
    if kind == "english":
        return False
    found = estimate_flow.values(text, reading.entities, asking=step)
    known = {slot: value for slot, value in found.items() if slot in estimate_flow.VALUE_SLOTS}
    if not found or (known and len(known) == len(found) and all(str(turn.get(s)) == str(v) for s, v in known.items())):
        return False  # nothing new: "how long can the long support last?" names the support already chosen
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
    changed = {
        slot: value
        for slot, value in details.items()
        if turn.get(slot) not in (None, contact_flow.NO_PHONE) and turn.get(slot) != value
    }
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
    if "@" not in text and (
        " " in text.strip()
        or kind in ("faq", "why", "human", "estimate", "start_quiz")
        or parse_yes_no(text)
        or cues.is_refusal(text)
    ):
        return False
    check = check_email(text)
    count = turn.state.fail("contact:contact_email")
    turn.mark("invalid_answer", understood=False, step="contact_email")
    turn.asked = "contact_email"
    if check.problem == "typo":
        turn.say(
            "utter_contact_email_typo",
            suggestion=check.suggestion,
            extra_buttons=[{"title": check.suggestion, "payload": check.suggestion}],
        )
        turn.state.offer = {"kind": "email", "suggestion": check.suggestion}
    elif count >= 3:
        turn.say("utter_contact_cannot_handle")
    elif check.problem == "missing_at":
        turn.say("utter_contact_email_missing_at")
    else:
        turn.say("utter_contact_email_invalid")
    return True


_BARE_CONTROL = re.compile(r"^(?:stop|stoppe|annule\w*|arret\w*|reprend\w*|recommenc\w*|continu\w*|reset|fin)\b")
_REQUEST = re.compile(
    r"\b(?:je|j'|on|nous) ?(?:veux|voudrais|voudrait|aimerais|souhaite|souhaiterais|prefere|peux)\b"
    r"|\b(?:pourquoi|a quoi bon)\b"
)
_BARE_REPLY = re.compile(
    r"^\W*(?:bonjour|bonsoir|salut|hello|coucou|merci|ok|okay|d'accord|oui|non|ouais|nan|je ne sais pas"
    r"|je sais pas|aucune idee|au revoir|bye)\W*$"
)
_SHORT_REPLIES = (
    "affirm",
    "deny",
    "dont_know",
    "greet",
    "thank",
    "goodbye",
    "capabilities",
    "out_of_scope",
    "english",
    "why",
    "human",
    "estimate",
    "start_quiz",
    "faq",
    "cost",
)


def _free_text(turn: Turn, step: str, kind: str, text: str) -> bool:
    """A name, a structure or a project as typed, unless the message clearly asks or says something else.

    Names and organisations are words the model cannot place: whatever intent it guesses, they are taken,
    except a question, a bare yes / no / greeting / thanks, or a request in words ("je voudrais parler à…").
    """
    words = normalize(text)
    if cues.is_hostile(text):
        return False  # an insult is never a name or a structure
    if cues.is_question(text) and step != "contact_project":
        return False  # a name or a structure is no question; a project description may hold one
    if (
        len(text.split()) <= 3
        and (_BARE_REPLY.search(words) or parse_yes_no(text))
        and not (step == "contact_name" and cues.looks_like_name(text))
    ):
        return False
    if (
        kind in ("human", "estimate", "start_quiz", "why", "faq")
        and _REQUEST.search(words)
        and step != "contact_project"
    ):
        return False
    if step == "contact_project" and cues.is_refusal(text) and len(text.split()) <= 6:
        repair.skip(turn, step)
        return True
    value = contact_flow.read_free_text(step, text)
    if value is None:
        return False
    if (
        step == "contact_name"
        and not cues.looks_like_name(value)
        and (len(value.split()) > 5 or kind not in ("inform", "unclear"))
    ):
        return False
    turn.set(step, value)
    turn.state.clear_fails(f"contact:{step}")
    turn.mark("answer", step=step)
    stack.ask_pending(turn)
    return True


READERS = {"quiz": _quiz_answer, "estimate": _estimate_answer, "contact": _contact_answer}
