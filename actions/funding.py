"""The funding estimate: what the structure would pay, what the program funds."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import answer_for, latest_entity, latest_text
from bot.french import format_eur
from bot.funding import (
    SUPPORT_MAX_DAYS, FundingError, compute_split, parse_day_rate, parse_days, parse_support,
)

SUPPORT_LABELS = {"court": "appui court", "long": "appui long"}
DAY_CHOICES = {"court": (1, 2, 3, 5), "long": (5, 10, 15)}
DAYS_WORD = re.compile(r"\bjours?\b|\bjourn[ée]es?\b", re.IGNORECASE)


def _days_error(support: str | None, days: Any) -> str | None:
    """The French explanation when a day count does not fit the support, else None."""
    try:
        compute_split(support or "long", Decimal(str(days)))
    except FundingError as error:
        return error.message
    return None


class ActionFundingPrefill(Action):
    """Read support, days and rate from the question; keep the context of the last estimate."""

    def name(self) -> Text:
        return "action_funding_prefill"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = latest_text(tracker)
        support = latest_entity(tracker, "support_type") or parse_support(text)
        days = latest_entity(tracker, "consultant_days") or parse_days(text)
        rate = parse_day_rate(text)
        events: List[EventType] = [SlotSet("funding", None)]
        if support:
            events.append(SlotSet("support_type", support))
            # Switching support without a day count: the old count may not fit the new support.
            if days is None and support != tracker.get_slot("support_type"):
                events.append(SlotSet("consultant_days", None))
        if days is not None:
            events.append(SlotSet("consultant_days", str(days)))
        if rate is not None:
            events.append(SlotSet("day_rate", str(rate)))
        return events


class ValidateFundingForm(FormValidationAction):
    """Ask only what is missing: the kind of support, then the number of days."""

    def name(self) -> Text:
        return "validate_funding_form"

    def _answer(self, slot: str, parser, tracker: Tracker) -> Dict[Text, Any]:
        entity = latest_entity(tracker, slot)
        if entity is not None and tracker.get_slot("requested_slot") == slot:
            return {slot: entity}
        return answer_for(slot, tracker, parser(latest_text(tracker)) is not None)

    async def extract_support_type(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._answer("support_type", parse_support, tracker)

    async def extract_consultant_days(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._answer("consultant_days", parse_days, tracker)

    async def validate_support_type(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        support = value if value in SUPPORT_MAX_DAYS else parse_support(str(value))
        if support is None:
            dispatcher.utter_message(response="utter_funding_support_unclear")
            return {"support_type": None}
        days = tracker.get_slot("consultant_days")
        if days is not None and _days_error(support, days):
            dispatcher.utter_message(text=_days_error(support, days))
            return {"support_type": support, "consultant_days": None}
        return {"support_type": support}

    async def validate_consultant_days(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        days = parse_days(str(value))
        if days is None:
            dispatcher.utter_message(response="utter_funding_days_unclear")
            return {"consultant_days": None}
        error = _days_error(tracker.get_slot("support_type"), days)
        if error:
            dispatcher.utter_message(text=error)
            return {"consultant_days": None}
        return {"consultant_days": str(days)}


class ActionAskConsultantDays(Action):
    """Ask the number of days with the usual counts of the chosen support as buttons."""

    def name(self) -> Text:
        return "action_ask_consultant_days"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        support = tracker.get_slot("support_type") or "long"
        buttons = [
            {"title": f"{count} jour{'s' if count > 1 else ''}", "payload": f'/inform{{"consultant_days": "{count}"}}'}
            for count in DAY_CHOICES[support]
        ]
        dispatcher.utter_message(
            response="utter_ask_consultant_days", buttons=buttons,
            support=SUPPORT_LABELS[support], max_days=SUPPORT_MAX_DAYS[support],
        )
        return []


class ActionFundingEstimate(Action):
    """Compute the split with bot.funding and say it, with every assumption made."""

    def name(self) -> Text:
        return "action_funding_estimate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        support = tracker.get_slot("support_type")
        rate = tracker.get_slot("day_rate")
        try:
            split = compute_split(support, Decimal(str(tracker.get_slot("consultant_days"))),
                                  Decimal(rate) if rate else None)
        except FundingError as error:  # the form validated the days; a bad rate remains possible
            dispatcher.utter_message(text=error.message)
            return [SlotSet("day_rate", None), SlotSet("funding", None)]
        # One wording per assumption on the rate, so the visitor knows what was used.
        variant = "capped" if split.rate_capped else "assumed" if split.rate_assumed else "given"
        dispatcher.utter_message(
            response=f"utter_funding_estimate_{variant}",
            support=SUPPORT_LABELS[split.support],
            days=split.days,
            day_word="jour" if split.days == 1 else "jours",
            total=format_eur(split.total_eur),
            funded=format_eur(split.funded_eur),
            company=format_eur(split.company_eur),
            rate=format_eur(split.day_rate_eur),
            requested_rate=format_eur(split.requested_rate_eur) if split.requested_rate_eur else "",
        )
        result = split.to_dict()
        dispatcher.utter_message(json_message={"funding": result})
        return [SlotSet("funding", result)]



class ActionFundingStop(Action):
    """Leave the estimate form."""

    def name(self) -> Text:
        return "action_funding_stop"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_funding_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionAnswerFaq(Action):
    """Say the FAQ answer the ResponseSelector chose, unless the question carries a day count.

    "7 jours d'appui court" reads like the FAQ on the short support, but a visitor who
    gives a number of days wants an estimate: the funding form takes over.
    """

    def name(self) -> Text:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = latest_text(tracker)
        if parse_days(text) is not None and DAYS_WORD.search(text):
            events = await ActionFundingPrefill().run(dispatcher, tracker, domain)
            return events + [FollowupAction("funding_form")]
        selector = (tracker.latest_message or {}).get("response_selector", {}).get("faq", {})
        response = (selector.get("response") or {}).get("utter_action")
        dispatcher.utter_message(response=response or "utter_default")
        return []
