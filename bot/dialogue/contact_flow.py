"""The handoff to a person as a flow: consent first, then only the details not known yet, then the lead and the mail."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from bot.dialogue import cues
from bot.dialogue.turn import Turn
from bot.program.french import normalize
from bot.records import leads

NAME = "contact"
FIELDS = ("contact_name", "contact_email", "contact_organisation", "contact_phone", "contact_project")
OPTIONAL = ("contact_phone", "contact_project")
DETAIL_SLOTS = ("consent", "consent_at", *FIELDS)
NO_PHONE = "aucun"
NO_PROJECT = "(non renseigné)"
FREE_TEXT = ("contact_name", "contact_organisation", "contact_project")

_CONSENT_YES = re.compile(
    r"\b(?:oui|ouais|ok|okay|d'accord|dac|j'accepte|accepte|j'approuve|je consens|consens|bien sur|volontiers"
    r"|allez-y|allez y|vas-y|vas y|pas de (?:souci|soucis|probleme)|aucun (?:souci|probleme)|c'est bon|ca marche"
    r"|evidemment|absolument|tout a fait|avec plaisir|yes|go|parfait|entendu|je suis d'accord|sans probleme)\b"
)


def pending(turn: Turn) -> str | None:
    if turn.get("consent") != "yes":
        return "consent"
    return next((field for field in FIELDS if turn.get(field) is None), None)


def ask(turn: Turn, step: str, *, reminder: bool = False, retry: bool = False) -> None:
    prefix = "utter_contact_resume" if reminder and step != "consent" else None
    if step == "consent" and (reminder or retry):
        turn.say("utter_reask_consent")
    else:
        turn.say(f"utter_ask_{step}", prefix=prefix)
    turn.asked = step


def consent_answer(text: str, intent: str, confidence: float) -> str | None:
    """ "yes", "no" or None for a message at the consent question ("J'accepte", "non merci je préfère pas")."""
    if cues.asks_back(text):
        return None
    if cues.is_refusal(text) or re.search(r"\b(?:je refuse|refus|non)\b", normalize(text)):
        return "no"
    if _CONSENT_YES.search(normalize(text)):
        return "yes"  # consent is given in words: "mouais" or "bof" is no clear yes, whatever the model heard
    if intent == "deny" and confidence >= 0.6:
        return "no"
    return None


def give_consent(turn: Turn) -> None:
    turn.set("consent", "yes")
    turn.set("consent_at", turn.now() if turn.now else datetime.now(timezone.utc).isoformat())


def forget_details(turn: Turn) -> None:
    """Nothing personal is kept when the visitor declines or stops."""
    turn.clear(*DETAIL_SLOTS)
    turn.state.clear_fails(NAME + ":")


def details_in(text: str) -> dict:
    """Email, phone and a name given with a cue, wherever they appear in a message of the contact flow."""
    found = {}
    email = cues.find_email(text)
    if email:
        check = leads.check_email(email)
        if check.value:
            found["contact_email"] = check.value
    phone = cues.find_phone(text)
    if phone:
        found["contact_phone"] = leads.check_phone(phone) or phone
    name = cues.find_name(text)
    if name:
        found["contact_name"] = leads.clean_text(name, 200)
    organisation = cues.find_organisation(text)
    if organisation:
        found["contact_organisation"] = leads.clean_text(organisation)
    return found


def read_free_text(step: str, text: str) -> str | None:
    """A name, an organisation or a project as typed; None when there is nothing to keep."""
    limit = leads.MAX_PROJECT if step == "contact_project" else (200 if step == "contact_name" else leads.MAX_FIELD)
    value = leads.clean_text(text, limit, multiline=step == "contact_project")
    if not value or cues.is_noise(value):
        return None
    if step == "contact_name":
        rest = cues.without(value, cues.find_email(value), cues.find_phone(value))
        if not rest or "@" in rest or any(c.isdigit() for c in rest):
            return None
        return rest
    if step == "contact_organisation" and (cues.has_email_like(value) or cues.find_phone(value)):
        return None
    return value


def describe(turn: Turn, values: dict) -> str:
    """ "adresse électronique : claire@exemple.org" for the changed details."""
    labels = {
        "contact_name": "nom",
        "contact_email": "adresse électronique",
        "contact_organisation": "structure",
        "contact_phone": "téléphone",
        "contact_project": "projet",
    }
    return " ; ".join(f"{labels[slot]} : {value}" for slot, value in values.items() if slot in labels)


def submit(turn: Turn) -> None:
    """Keep the lead and queue the mail (through the services), then say where it went."""
    if turn.get("lead_id") is not None:
        return
    try:
        recipient, lead_id = turn.services.submit_contact(turn.slots)
    except Exception:  # the visitor must not lose the contact because our database failed: give the address
        turn.say("utter_contact_failed", buttons=not turn.state.stack)
        return
    turn.say("utter_contact_done", buttons=not turn.state.stack, recipient=recipient, email=turn.get("contact_email"))
    turn.set("lead_id", lead_id)
