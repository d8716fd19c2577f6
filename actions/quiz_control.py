"""The visitor steers the quiz: start with facts, stop, restart, ask why, correct an answer."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_entity, latest_text, reset
from bot import quiz

QUIZ_FORM = "eligibility_form"
QUIZ_SLOTS = (*quiz.QUESTIONS, "in_region", "eligibility", "quiz_retries")


def _facts_events(facts: dict) -> List[EventType]:
    return [SlotSet(slot, value) for slot, value in facts.items()]


class ActionQuizStart(Action):
    """Introduce the quiz and keep what the visitor already said about the structure."""

    def name(self) -> Text:
        return "action_quiz_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        facts = quiz.prefill(latest_text(tracker))
        started = any(tracker.get_slot(question) is not None for question in quiz.QUESTIONS)
        # A quiz left unfinished (stopped, or paused for an estimate) resumes where it was.
        if tracker.active_loop_name == QUIZ_FORM or (started and tracker.get_slot("eligibility") is None):
            dispatcher.utter_message(response="utter_quiz_resume")
            return _facts_events(facts)
        dispatcher.utter_message(response="utter_quiz_intro")
        if facts:
            dispatcher.utter_message(response="utter_quiz_prefilled", facts=quiz.summary(facts))
        return reset(QUIZ_SLOTS) + _facts_events(facts)


class ActionQuizStop(Action):
    """Leave the quiz; the answers stay until the next start."""

    def name(self) -> Text:
        return "action_quiz_stop"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_quiz_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionQuizRestart(Action):
    """Forget every answer; the form then starts from the first question."""

    def name(self) -> Text:
        return "action_quiz_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_quiz_restart")
        return reset(QUIZ_SLOTS) + [SlotSet("requested_slot", None)]


class ActionQuizWhy(Action):
    """Explain why the current question matters for the program."""

    def name(self) -> Text:
        return "action_quiz_why"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        question = tracker.get_slot("requested_slot")
        dispatcher.utter_message(response=f"utter_why_{question}" if question in quiz.QUESTIONS else "utter_why_quiz")
        return []


def _ask_again() -> List[EventType]:
    """Start the quiz form afresh: its validator picks the next question from the answers now known
    and sets the slots its wording reads (a form resumed without validation would reuse stale ones)."""
    return [ActiveLoop(None), SlotSet("requested_slot", None), FollowupAction(QUIZ_FORM)]


class ActionQuizCorrect(Action):
    """Change an answer: from the sentence ("en fait on est 300") or by choosing the question."""

    def name(self) -> Text:
        return "action_quiz_correct"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # Once something changed, the form runs again: it asks what is missing,
        # or, with every answer known, gives the new verdict.
        field = latest_entity(tracker, "quiz_field")
        if field in quiz.QUESTIONS:
            dispatcher.utter_message(response="utter_quiz_correct_field")
            cleared = [field, "in_region"] if field == "place" else [field]
            return reset([*cleared, "eligibility"]) + _ask_again()
        facts = quiz.correction(latest_text(tracker))
        if facts:
            dispatcher.utter_message(response="utter_quiz_corrected", facts=quiz.summary(facts))
            return _facts_events(facts) + [SlotSet("eligibility", None)] + _ask_again()
        answered = [question for question in quiz.QUESTIONS if tracker.get_slot(question) is not None]
        buttons = [
            {"title": quiz.SUMMARY_LABELS[question].capitalize(), "payload": f'/correct_answer{{"quiz_field": "{question}"}}'}
            for question in answered
        ]
        dispatcher.utter_message(response="utter_quiz_which_correction", buttons=buttons)
        return [FollowupAction(QUIZ_FORM)] if tracker.active_loop_name == QUIZ_FORM else []
