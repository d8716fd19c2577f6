"""The eligibility quiz form: reading answers, asking questions with progress, the verdict."""
from __future__ import annotations

from abc import ABC, abstractmethod
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


def _retries(tracker: Tracker) -> Dict[str, int]:
    return dict(tracker.get_slot("quiz_retries") or {})


class ValidateEligibilityForm(FormValidationAction):
    """Reads each free-text or button answer with the parsers of `bot.quiz`."""

    def name(self) -> Text:
        return "validate_eligibility_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        return quiz.required_questions(tracker.slots)

    async def extract_requested(self, question: str, tracker: Tracker) -> Dict[Text, Any]:
        """The latest message, when it answers this question."""
        return answer_for(question, tracker, quiz.read_answer(question, latest_text(tracker)) is not None)

    async def validate_requested(self, question: str, value: Any, tracker: Tracker) -> Dict[Text, Any]:
        """Normalise an answer, or count a failed try so the next question is rephrased."""
        retries = _retries(tracker)
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


class AskQuizQuestion(Action, ABC):
    """Ask one quiz question with its progress mark; rephrase after a failed answer."""

    @property
    @abstractmethod
    def question(self) -> str:
        """The slot this action asks for."""

    def name(self) -> Text:
        return f"action_ask_{self.question}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        position, total = quiz.progress(tracker.slots, self.question)
        retries = _retries(tracker).get(self.question, 0)
        if retries >= MAX_SILENT_RETRIES:
            dispatcher.utter_message(response="utter_quiz_help")
        response = f"utter_ask_{self.question}" + ("_retry" if retries else "")
        dispatcher.utter_message(
            response=response,
            progress=f"Question {position} sur {total}",
            agreement_of=AGREEMENT_OF.get(tracker.get_slot("role"), "du dirigeant"),
        )
        return []


# One `action_ask_<slot>` per question, as Rasa's forms look them up by name; kept in a
# tuple because rasa-sdk finds actions through (weakly held) subclass references.
ASK_ACTIONS = tuple(
    type(f"Ask{question.title().replace('_', '')}", (AskQuizQuestion,), {"question": question})
    for question in quiz.QUESTIONS
)


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
