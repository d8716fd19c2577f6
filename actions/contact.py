"""Consent, the contact form and the handoff to a person of the Aract by email."""
from __future__ import annotations

import asyncio
import logging
import threading
from datetime import datetime, timezone
from functools import lru_cache
from typing import List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import answer_for, latest_text
from bot import handoff, leads
from bot.db import session_scope, upgrade
from bot.french import parse_yes_no
from bot.mailer import Mailer, enqueue
from bot.settings import Settings, load_settings

logger = logging.getLogger(__name__)
CONTACT_SLOTS = ("consent", "contact_name", "contact_email", "contact_organisation", "contact_phone", "contact_project")
NO_PHONE = "aucun"
NOT_UNDERSTOOD = ("utter_default", "utter_default_offer_human")


_SETTINGS_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _load_and_upgrade() -> Settings:
    loaded = load_settings()
    upgrade(loaded.database_url)
    return loaded


def settings() -> Settings:
    """Read once per action-server process, and make sure the tables exist.

    Leads are saved in worker threads; Alembic's context is process-global, so two
    first visitors at the same moment must not run the upgrade together.
    """
    with _SETTINGS_LOCK:
        return _load_and_upgrade()


class ValidateContactForm(FormValidationAction):
    """Consent first; then name, email (typos caught), organisation, optional phone, the project."""

    def name(self) -> Text:
        return "validate_contact_form"

    async def extract_consent(self, dispatcher, tracker, domain):
        return answer_for("consent", tracker, parse_yes_no(latest_text(tracker)) is not None)

    async def extract_contact_name(self, dispatcher, tracker, domain):
        return answer_for("contact_name", tracker, bool(latest_text(tracker).strip()))

    async def extract_contact_email(self, dispatcher, tracker, domain):
        return answer_for("contact_email", tracker, "@" in latest_text(tracker))

    async def extract_contact_organisation(self, dispatcher, tracker, domain):
        return answer_for("contact_organisation", tracker, bool(latest_text(tracker).strip()))

    async def extract_contact_phone(self, dispatcher, tracker, domain):
        return answer_for("contact_phone", tracker, bool(latest_text(tracker).strip()))

    async def extract_contact_project(self, dispatcher, tracker, domain):
        return answer_for("contact_project", tracker, bool(latest_text(tracker).strip()))

    async def validate_consent(self, value, dispatcher, tracker, domain):
        answer = value if value in ("yes", "no") else parse_yes_no(str(value))
        if answer == "yes":
            return {"consent": "yes", "consent_at": datetime.now(timezone.utc).isoformat()}
        if answer == "no":
            # Nothing personal is asked or kept: leave the form with the page's addresses.
            dispatcher.utter_message(response="utter_consent_declined")
            return {"consent": None, "requested_slot": None}
        dispatcher.utter_message(response="utter_consent_unclear")
        return {"consent": None}

    async def validate_contact_name(self, value, dispatcher, tracker, domain):
        name = leads.clean_text(str(value), 200)
        if not name or "@" in name:
            dispatcher.utter_message(response="utter_contact_name_unclear")
            return {"contact_name": None}
        return {"contact_name": name}

    async def validate_contact_email(self, value, dispatcher, tracker, domain):
        check = leads.check_email(str(value))
        if check.value:
            return {"contact_email": check.value}
        if check.problem == "typo":
            dispatcher.utter_message(response="utter_contact_email_typo", suggestion=check.suggestion,
                                     buttons=[{"title": check.suggestion, "payload": check.suggestion}])
        elif check.problem == "missing_at":
            dispatcher.utter_message(response="utter_contact_email_missing_at")
        else:
            dispatcher.utter_message(response="utter_contact_email_invalid")
        return {"contact_email": None}

    async def validate_contact_organisation(self, value, dispatcher, tracker, domain):
        organisation = leads.clean_text(str(value))
        return {"contact_organisation": organisation or None}

    async def validate_contact_phone(self, value, dispatcher, tracker, domain):
        text = str(value)
        if text == NO_PHONE or parse_yes_no(text) == "no" or "pas de" in text.lower() or "passer" in text.lower():
            return {"contact_phone": NO_PHONE}
        phone = leads.check_phone(text)
        if phone is None:
            dispatcher.utter_message(response="utter_contact_phone_unclear")
        return {"contact_phone": phone}

    async def validate_contact_project(self, value, dispatcher, tracker, domain):
        project = leads.clean_text(str(value), leads.MAX_PROJECT, multiline=True)
        return {"contact_project": project or None}


class ActionContactSubmit(Action):
    """Keep the lead (committed first), queue the email to the right person, try to send it."""

    def name(self) -> Text:
        return "action_contact_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # Declined consent ends the form too; a handoff already made is not sent twice.
        if tracker.get_slot("consent") != "yes" or tracker.get_slot("lead_id") is not None:
            return []
        try:
            recipient, lead_id = await asyncio.to_thread(self._save, tracker, domain)
        except Exception:  # the visitor must not lose the contact because our database failed
            logger.exception("lead could not be saved")
            dispatcher.utter_message(response="utter_contact_failed")
            return []
        dispatcher.utter_message(response="utter_contact_done", recipient=recipient,
                                 email=tracker.get_slot("contact_email"))
        return [SlotSet("lead_id", lead_id)]

    def _save(self, tracker: Tracker, domain: DomainDict) -> tuple[str, int]:
        config = settings()
        phone = tracker.get_slot("contact_phone")
        headcount = tracker.get_slot("headcount")
        data = leads.LeadData(
            name=tracker.get_slot("contact_name"), email=tracker.get_slot("contact_email"),
            organisation=tracker.get_slot("contact_organisation"), phone=None if phone == NO_PHONE else phone,
            project=tracker.get_slot("contact_project"), structure_type=tracker.get_slot("structure_type"),
            headcount=headcount if isinstance(headcount, int) else None,
            eligibility=tracker.get_slot("eligibility"), funding=tracker.get_slot("funding"),
            consent_text=consent_text(domain), consent_at=datetime.fromisoformat(tracker.get_slot("consent_at")),
            conversation_id=tracker.sender_id,
        )
        with session_scope(config.database_url) as session:
            lead = leads.save_lead(session, data)
            recipient = handoff.recipient_for(lead, config.help_email, config.applications_email)
            mail = enqueue(session, recipient, handoff.subject_for(lead),
                           handoff.render_body(lead, handoff.transcript(tracker.events)), reply_to=lead.email, lead=lead)
            session.commit()  # the lead and its mail are safe before any send is tried
            Mailer(config.mail).deliver(mail)
            return recipient, lead.id


def consent_text(domain: DomainDict) -> str:
    """The consent sentence exactly as the visitor read it, to store with the lead."""
    return domain["responses"]["utter_ask_consent"][0]["text"]


class ActionContactStart(Action):
    """Begin the handoff: the form then asks consent and only the details not known yet."""

    def name(self) -> Text:
        return "action_contact_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        already_sent = tracker.get_slot("lead_id") is not None
        dispatcher.utter_message(response="utter_contact_already_sent" if already_sent else "utter_contact_intro")
        return []


class ActionNotUnderstood(Action):
    """Ask to rephrase; the second misunderstanding in a row also offers a person."""

    def name(self) -> Text:
        return "action_not_understood"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # The assistant's previous answer tells whether it already failed to understand
        # (whatever path produced that answer: NLU or dialogue fallback).
        bot_answers = [event.get("metadata", {}).get("utter_action") for event in tracker.events if event.get("event") == "bot"]
        twice = bool(bot_answers) and bot_answers[-1] in NOT_UNDERSTOOD
        dispatcher.utter_message(response="utter_default_offer_human" if twice else "utter_default")
        return []
