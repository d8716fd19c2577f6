"""The estimate's form and action, called as Rasa calls them, with a real Tracker."""
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.funding import ActionAskConsultantDays, ActionFundingEstimate, ActionFundingPrefill, ValidateFundingForm
from tests.conftest import make_tracker

DOMAIN = {"forms": {"funding_form": {"required_slots": ["support_type", "consultant_days"]}}}


async def prefill(text, slots=None):
    events = await ActionFundingPrefill().run(CollectingDispatcher(), make_tracker(slots, text, "ask_estimate"), {})
    return {event["name"]: event["value"] for event in events}


async def test_prefill_reads_support_days_and_rate():
    assert await prefill("appui court de 3 jours à 950 € par jour") == {
        "funding": None, "support_type": "court", "consultant_days": "3", "day_rate": "950"}


async def test_a_follow_up_keeps_the_support_of_the_last_estimate():
    values = await prefill("et avec 4 jours ?", {"support_type": "long", "consultant_days": "9"})
    assert values == {"funding": None, "consultant_days": "4"}


async def test_switching_support_without_days_forgets_the_old_day_count():
    values = await prefill("et en appui court ?", {"support_type": "long", "consultant_days": "9"})
    assert values["support_type"] == "court" and values["consultant_days"] is None


async def test_too_many_days_for_the_support_are_explained_and_asked_again():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"support_type": "court", "requested_slot": "consultant_days"}, "7 jours", "inform",
                           active_loop="funding_form")
    events = await ValidateFundingForm().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("consultant_days", None) in events
    assert "5 jours" in dispatcher.messages[0]["text"]


async def test_the_days_question_offers_the_usual_counts_of_the_support():
    dispatcher = CollectingDispatcher()
    await ActionAskConsultantDays().run(dispatcher, make_tracker({"support_type": "long"}), {})
    assert [button["title"] for button in dispatcher.messages[0]["buttons"]] == ["5 jours", "10 jours", "15 jours"]


async def test_the_estimate_says_its_assumption_and_sends_the_payload():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"support_type": "long", "consultant_days": "10"})
    events = await ActionFundingEstimate().run(dispatcher, tracker, {})
    text, payload = dispatcher.messages
    assert text["response"] == "utter_funding_estimate_assumed"
    assert text["company"] == "2\u202f000\u00a0€\u00a0HT" and text["funded"] == "8\u202f000\u00a0€\u00a0HT"
    assert payload["custom"]["funding"]["company_eur"] == 2000
    assert SlotSet("funding", payload["custom"]["funding"]) in events


async def test_a_rate_above_the_ceiling_uses_the_capped_wording():
    dispatcher = CollectingDispatcher()
    await ActionFundingEstimate().run(dispatcher, make_tracker({"support_type": "court", "consultant_days": "2", "day_rate": "1200"}), {})
    assert dispatcher.messages[0]["response"] == "utter_funding_estimate_capped"
    assert dispatcher.messages[0]["requested_rate"] == "1\u202f200\u00a0€\u00a0HT"


async def test_a_faq_question_with_a_day_count_becomes_an_estimate():
    from actions.funding import ActionAnswerFaq

    tracker = make_tracker({}, "7 jours d'appui court", "faq")
    events = await ActionAnswerFaq().run(CollectingDispatcher(), tracker, {})
    assert FollowupAction("funding_form") in events
    assert SlotSet("consultant_days", "7") in events and SlotSet("support_type", "court") in events


async def test_a_plain_faq_question_gets_the_selected_answer():
    from actions.funding import ActionAnswerFaq

    tracker = make_tracker({}, "qui finance ?", "faq")
    tracker.latest_message["response_selector"] = {"faq": {"response": {"utter_action": "utter_faq/pilotage"}}}
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerFaq().run(dispatcher, tracker, {}) == []
    assert dispatcher.messages[0]["response"] == "utter_faq/pilotage"
