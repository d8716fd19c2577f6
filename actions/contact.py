"""The handoff's side effects: the lead kept (committed first), the mail queued to the right person, then sent."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from functools import lru_cache
from typing import Any, Iterable, Mapping

from actions.failures import log_failure
from bot.dialogue.contact_flow import NO_PHONE, NO_PROJECT
from bot.dialogue.texts import default_texts
from bot.records import handoff, leads
from bot.records.db import session_scope, upgrade
from bot.records.mailer import Mailer, enqueue
from bot.settings import Settings, load_settings

logger = logging.getLogger(__name__)
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


def consent_text() -> str:
    """The consent question exactly as the visitor read it, to keep with the lead."""
    return default_texts().render("utter_ask_consent").text


class Handoff:
    """The dialogue's `Services` for one conversation: `submit_contact` saves the lead and sends the mail."""

    def __init__(self, conversation_id: str, events: Iterable[Mapping[str, Any]]) -> None:
        self.conversation_id = conversation_id
        self.events = list(events)

    def submit_contact(self, slots: Mapping[str, Any]) -> tuple[str, int]:
        config = settings()
        headcount = slots.get("headcount")
        phone, project = slots.get("contact_phone"), slots.get("contact_project")
        data = leads.LeadData(
            name=slots.get("contact_name"),
            email=slots.get("contact_email"),
            organisation=slots.get("contact_organisation"),
            phone=None if phone == NO_PHONE else phone,
            project=None if project == NO_PROJECT else project,
            structure_type=slots.get("structure_type"),
            headcount=headcount if isinstance(headcount, int) else None,
            eligibility=slots.get("eligibility"),
            funding=slots.get("funding"),
            consent_text=consent_text(),
            consent_at=datetime.fromisoformat(slots.get("consent_at")),
            conversation_id=self.conversation_id,
        )
        try:
            with session_scope(config.database_url) as session:
                lead = leads.save_lead(session, data)
                recipient = handoff.recipient_for(lead, config.help_email, config.applications_email)
                mail = enqueue(
                    session,
                    recipient,
                    handoff.subject_for(lead),
                    handoff.render_body(lead, handoff.transcript(self.events)),
                    reply_to=lead.email,
                    lead=lead,
                )
                session.commit()  # the lead and its mail are safe before any send is tried
                Mailer(config.mail).deliver(mail)
                return recipient, lead.id
        except Exception as error:
            log_failure(logger, "lead could not be saved", error)
            raise
