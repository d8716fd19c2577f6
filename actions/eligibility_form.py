"""The eligibility quiz form: reading answers, choosing the next question and its wording, the verdict."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import answer_for, latest_text
from bot import quiz
from bot.eligibility import evaluate

MAX_SILENT_RETRIES = 2  # after two answers we cannot read, offer help and buttons
AGREEMENT_OF = {"representant_salaries": "du dirigeant", "porteur_collectif": "des organisations concernées"}


def _retries(slots: Dict[Text, Any]) -> Dict[str, int]:
    """Failed tries per question, from the `quiz_retries` slot."""
    return dict(slots.get("quiz_retries") or {})


def question_slots(question: str, slots: Dict[Text, Any], dispatcher: CollectingDispatcher) -> List[EventType]:
    """What the question's response (`utter_ask_<question>`) reads: its place in the quiz, whether to
    rephrase it, whose agreement the role needs; after repeated failures, help comes first.

    The form says the response itself, without calling the action server again.
    """
    position, total = quiz.progress(slots, question)
    retries = _retries(slots).get(question, 0)
    if retries >= MAX_SILENT_RETRIES:
        dispatcher.utter_message(response="utter_quiz_help")
    return [
        SlotSet("quiz_position", position),
        SlotSet("quiz_total", total),
        SlotSet("quiz_retry", retries > 0),
        SlotSet("agreement_of", AGREEMENT_OF.get(slots.get("role"), "du dirigeant")),
    ]


class ValidateEligibilityForm(FormValidationAction):
    """Reads each free-text or button answer with the parsers of `bot.quiz`."""

    def name(self) -> Text:
        return "validate_eligibility_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Read the answer, choose the next question, and set what its response needs."""
        events = await super().run(dispatcher, tracker, domain)
        requested = [event["value"] for event in events if event.get("event") == "slot" and event.get("name") == "requested_slot"]
        question = requested[-1] if requested else tracker.get_slot("requested_slot")
        # Nothing read from a message that asks something else: leave the events as they are, so that
        # Rasa steps the form aside for the rules (any other slot set would keep the form running).
        answered = any(event.get("event") == "slot" and event.get("name") != "requested_slot" for event in events)
        if question in quiz.QUESTIONS and (answered or not tracker.get_slot("requested_slot")):
            events += question_slots(question, {**tracker.slots, "requested_slot": question}, dispatcher)
        return events

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        return quiz.required_questions(tracker.slots)

    async def extract_requested(self, question: str, tracker: Tracker) -> Dict[Text, Any]:
        """The latest message, when it answers this question."""
        return answer_for(question, tracker, quiz.read_answer(question, latest_text(tracker)) is not None)

    async def validate_requested(self, question: str, value: Any, tracker: Tracker) -> Dict[Text, Any]:
        """Normalise an answer, or count a failed try so the next question is rephrased."""
        retries = _retries(tracker.slots)
        answer = quiz.read_answer(question, value)
        if answer is None:
            retries[question] = retries.get(question, 0) + 1
            return {question: None, "quiz_retries": retries}
        retries.pop(question, None)
        result = {question: answer["value"], "quiz_retries": retries}
        if "in_region" in answer:
            result["in_region"] = answer["in_region"]
        return result


def _bind(question: str) -> None:
    """Give the validator its extract_<slot> and validate_<slot> methods, as rasa-sdk expects."""

    async def extract(self, dispatcher, tracker, domain):
        return await self.extract_requested(question, tracker)

    async def validate(self, value, dispatcher, tracker, domain):
        return await self.validate_requested(question, value, tracker)

    setattr(ValidateEligibilityForm, f"extract_{question}", extract)
    setattr(ValidateEligibilityForm, f"validate_{question}", validate)


for _question in quiz.QUESTIONS:
    _bind(_question)


class ActionEligibilityVerdict(Action):
    """Summary of the answers, then the verdict for people and for programs."""

    def name(self) -> Text:
        return "action_eligibility_verdict"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answers = quiz.answers_from_slots(tracker.slots)
        verdict = evaluate(answers)
        dispatcher.utter_message(response="utter_quiz_summary", summary=quiz.summary(tracker.slots))
        # Not eligible: name the criteria not met; to check: the points to confirm.
        failed = [reason.message for reason in verdict.reasons if reason.ok is False]
        open_points = failed or [reason.message for reason in verdict.reasons if reason.ok is None]
        dispatcher.utter_message(response=f"utter_verdict_{verdict.outcome}", reasons=" ".join(open_points))
        result = verdict.to_dict(answers)
        dispatcher.utter_message(json_message={"eligibility": result})
        return [SlotSet("eligibility", result), SlotSet("quiz_retries", None)]
