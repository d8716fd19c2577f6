"""The one custom action, called as Rasa calls it, with a real Tracker: texts, slots, the lead, errors."""

import json

import sqlalchemy as sa
from rasa_sdk.executor import CollectingDispatcher

from actions import contact, dialogue
from actions.dialogue import ActionTurn
from tests.conftest import make_tracker


async def turn(slots: dict, text: str, intent: str = "inform", **parse):
    """Run action_turn on one message; the new slots (old ones updated by the events) and the messages."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots, text, intent)
    tracker.latest_message.update(parse)
    events = await ActionTurn().run(dispatcher, tracker, {})
    assert all(event["event"] == "slot" for event in events)
    return {**slots, **{event["name"]: event["value"] for event in events}}, dispatcher.messages


async def test_a_message_gets_texts_with_their_response_names_and_the_state_as_slots():
    slots, messages = await turn({}, "je veux tester mon projet", "start_quiz")
    assert [m["utter_action"] for m in messages] == ["utter_quiz_intro", "utter_ask_structure_type"]
    assert messages[1]["text"].startswith("Question 1 sur 8") and messages[1]["buttons"]
    assert slots["dialogue"]["stack"] == ["quiz"] and slots["last_turn"]["asked"] == "structure_type"
    json.dumps(slots)  # everything the tracker store keeps is plain JSON
    slots, messages = await turn(slots, "une association de 30 salariés")
    assert slots["structure_type"] == "association" and slots["headcount"] == 30
    assert messages[-1]["utter_action"] == "utter_ask_place"


async def test_the_faq_answer_is_the_one_the_response_selector_chose():
    selector = {"faq": {"response": {"intent_response_key": "faq/comite", "confidence": 0.93}, "ranking": []}}
    _, messages = await turn({}, "qui choisit les projets ?", "faq", response_selector=selector)
    assert messages[0]["utter_action"] == "utter_faq/comite" and "comité" in messages[0]["text"]


async def test_an_error_in_the_dialogue_is_said_in_french_and_the_flows_are_closed(monkeypatch):
    slots, _ = await turn({}, "je veux tester mon projet", "start_quiz")

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(dialogue.engine, "respond", broken)
    slots, messages = await turn(slots, "une PME")
    assert messages[0]["utter_action"] == "utter_internal_error" and "incident" in messages[0]["text"]
    assert slots["dialogue"]["stack"] == [] and slots["dialogue"]["stopped"] == ["quiz"]
    monkeypatch.undo()
    slots, messages = await turn(slots, "reprendre le test", "resume")
    assert messages[-1]["utter_action"] == "utter_ask_structure_type"


async def test_the_handoff_keeps_the_lead_and_writes_the_mail(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SMTP_HOST", raising=False)
    contact._load_and_upgrade.cache_clear()
    try:
        slots, _ = await turn({}, "je voudrais être recontacté", "ask_human")
        for text in ("oui", "Claire Martin", "claire@exemple.org", "Les Ateliers", "pas de téléphone"):
            slots, messages = await turn(slots, text, "affirm" if text == "oui" else "inform")
        slots, messages = await turn(slots, "Réorganiser les plannings avec l'équipe")
        assert messages[0]["utter_action"] == "utter_contact_done" and "j.bertin@anact.fr" in messages[0]["text"]
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'bot.db'}")
        with engine.connect() as connection:
            lead = connection.execute(sa.text("SELECT name, email, phone, consent_text FROM leads")).one()
        assert lead[:3] == ("Claire Martin", "claire@exemple.org", None) and "3 ans" in lead[3]
        assert list((tmp_path / "outbox").glob("*.eml")), "without a mail server the mail is written as a file"
    finally:
        contact._load_and_upgrade.cache_clear()
