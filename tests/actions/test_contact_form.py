"""Consent and contact details, validated as Rasa calls the validator, with a real Tracker."""
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import ActionNotUnderstood, ValidateContactForm
from tests.conftest import make_tracker

DOMAIN = {"forms": {"contact_form": {"required_slots": ["consent", "contact_name", "contact_email"]}}}


async def validate(slot, text, intent="inform", slots=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({**(slots or {}), "requested_slot": slot}, text, intent, active_loop="contact_form")
    events = await ValidateContactForm().run(dispatcher, tracker, DOMAIN)
    return {event["name"]: event["value"] for event in events}, [m["response"] for m in dispatcher.messages]


async def test_consent_yes_is_timestamped():
    slots, _ = await validate("consent", "oui, j'accepte", "affirm")
    assert slots["consent"] == "yes" and slots["consent_at"]


async def test_consent_no_ends_the_form_and_gives_the_addresses():
    slots, responses = await validate("consent", "non merci", "deny")
    assert slots["consent"] is None and slots["requested_slot"] is None
    assert responses == ["utter_consent_declined"]


async def test_an_email_typo_is_pointed_out_with_the_fix():
    slots, responses = await validate("contact_email", "sophie@gmial.com", slots={"consent": "yes"})
    assert slots["contact_email"] is None and responses == ["utter_contact_email_typo"]


async def test_a_valid_email_is_kept_clean():
    slots, _ = await validate("contact_email", "C'est sophie.roux@mairie-exemple.fr", slots={"consent": "yes"})
    assert slots["contact_email"] == "sophie.roux@mairie-exemple.fr"


async def test_a_question_while_giving_details_is_left_to_the_rules():
    slots, _ = await validate("contact_name", "c'est quoi l'Aract ?", "faq", slots={"consent": "yes"})
    assert "contact_name" not in slots


def bot(response):
    return {"event": "bot", "text": "…", "metadata": {"utter_action": response}}


async def test_the_second_misunderstanding_in_a_row_offers_a_person():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({}, "…", "nlu_fallback")
    tracker.events = [bot("utter_greet")]
    await ActionNotUnderstood().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_default"
    tracker.events = [bot("utter_greet"), bot("utter_default")]
    dispatcher = CollectingDispatcher()
    await ActionNotUnderstood().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_default_offer_human"
