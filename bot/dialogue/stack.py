"""The dialogue stack: starting a flow pauses the active one, and when a flow ends the paused one resumes."""

from __future__ import annotations

from bot.dialogue import contact_flow, estimate_flow, quiz_flow
from bot.dialogue.turn import Turn
from bot.program import quiz

FLOWS = {"quiz": quiz_flow, "estimate": estimate_flow, "contact": contact_flow}
STOPPED = {"quiz": "utter_quiz_stopped", "estimate": "utter_funding_stopped", "contact": "utter_contact_stopped"}


def pending(turn: Turn, flow: str | None = None) -> str | None:
    flow = flow or turn.state.active
    return FLOWS[flow].pending(turn) if flow else None


def ask_pending(turn: Turn, *, reminder: bool = False, retry: bool = False) -> None:
    """Ask the active flow's pending question, or end the flow when nothing is missing."""
    flow = turn.state.active
    if flow is None:
        return
    step = FLOWS[flow].pending(turn)
    if step is None:
        finish(turn, flow)
    else:
        FLOWS[flow].ask(turn, step, reminder=reminder, retry=retry)


def finish(turn: Turn, flow: str) -> None:
    """The flow has all it needs: the verdict, the estimate or the handoff; then what was waiting goes on."""
    turn.state.pop(flow)
    if flow == "quiz":
        quiz_flow.verdict(turn)
    elif flow == "estimate":
        estimate_flow.estimate(turn)
    else:
        contact_flow.submit(turn)
    turn.state.clear_fails(flow + ":")
    go_on(turn)


def go_on(turn: Turn) -> None:
    """After a flow ended or was stopped: resume the paused flow, else start the one promised for later."""
    if turn.state.active:
        ask_pending(turn, reminder=True)
    elif turn.state.after:
        start(turn, turn.state.after.pop(0), promised=True)


def start(turn: Turn, flow: str, text: str = "", found: dict | None = None, promised: bool = False) -> None:
    if flow == "quiz":
        start_quiz(turn, text)
    elif flow == "estimate":
        start_estimate(turn, found or {}, promised=promised)
    else:
        start_contact(turn, promised=promised)


def start_quiz(turn: Turn, text: str = "") -> None:
    """A new quiz (keeping the facts of the request), or the one left unfinished, at its pending question."""
    if turn.get("eligibility") is not None:
        quiz_flow.reset(turn)
    facts = {slot: value for slot, value in quiz.prefill(text).items() if turn.get(slot) is None} if text else {}
    resuming = quiz_flow.started(turn)
    turn.state.push("quiz")
    quiz_flow.store(turn, facts)
    if resuming:
        ask_pending(turn, reminder=True)
        return
    turn.state.quiz_total = None
    turn.say("utter_quiz_intro")
    if facts:
        turn.say("utter_quiz_prefilled", facts=quiz.summary(facts))
    ask_pending(turn)


def start_estimate(
    turn: Turn, found: dict, change: str | None = None, fresh: bool = False, promised: bool = False
) -> None:
    """An estimate with what the request gives; `fresh` (a bare request after an estimate) starts a new one."""
    if change == "days":
        turn.clear("consultant_days")
    elif fresh and turn.get("funding") is not None:
        estimate_flow.reset(turn)
    turn.clear("funding")
    problems = estimate_flow.apply(turn, dict(found))
    for problem in problems:
        turn.say("utter_funding_problem", problem=problem)
    turn.state.push("estimate")
    if promised:
        turn.say("utter_estimate_now")
    ask_pending(turn)


def start_contact(turn: Turn, promised: bool = False) -> None:
    """The handoff: what it does with the data first, then consent (once sent, it is not sent twice)."""
    if turn.get("lead_id") is not None:
        turn.say("utter_contact_already_sent", buttons=not turn.state.stack)
        go_on(turn)
        return
    turn.state.push("contact")
    # What the request itself gives ("je suis Karim Benali, rappelez-moi au 06…") is not asked again; forgotten if
    # the visitor declines.
    for slot, value in contact_flow.details_in(turn.reading.typed).items():
        if turn.get(slot) is None:
            turn.set(slot, value)
    turn.say("utter_contact_intro")
    ask_pending(turn)


def cancel(turn: Turn, flow: str, *, silent: bool = False) -> None:
    """The visitor stops the flow: answers of the quiz are kept to resume it, contact details are forgotten."""
    turn.state.pop(flow)
    turn.state.clear_fails(flow + ":")
    turn.state.after = []
    if flow == "quiz":
        turn.state.stopped.append("quiz")
    elif flow == "contact":
        contact_flow.forget_details(turn)
    if not silent:
        turn.say(STOPPED[flow], buttons=not turn.state.stack)
    if not silent:
        go_on(turn)
