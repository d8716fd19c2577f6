"""The quiz's validator and actions, called as Rasa calls them, with a real Tracker."""
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.eligibility_form import ActionEligibilityVerdict, ValidateEligibilityForm
from actions.quiz_control import ActionQuizCorrect, ActionQuizStart, ActionQuizStop
from tests.conftest import make_tracker

DOMAIN = {"forms": {"eligibility_form": {"required_slots": ["structure_type"]}}}


async def run_validator(slots, text, intent="inform", requested="structure_type"):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({**slots, "requested_slot": requested}, text, intent, active_loop="eligibility_form")
    events = await ValidateEligibilityForm().run(dispatcher, tracker, DOMAIN)
    return {event["name"]: event["value"] for event in events}, dispatcher


async def test_a_free_text_answer_is_normalised_and_the_next_question_requested():
    slots, _ = await run_validator({}, "on est une petite asso")
    assert slots["structure_type"] == "association"
    assert slots["requested_slot"] == "headcount"


async def test_an_answer_read_as_a_faq_intent_still_fills_the_slot():
    slots, _ = await run_validator({}, "une association", intent="faq")
    assert slots["structure_type"] == "association"


async def test_a_question_during_the_quiz_is_left_to_the_rules():
    slots, _ = await run_validator({}, "les associations peuvent candidater ?", intent="faq")
    # Nothing but the requested slot: any other slot would keep Rasa's form from stepping aside.
    assert set(slots) <= {"requested_slot"}


async def test_an_unreadable_answer_counts_a_failed_try():
    slots, _ = await run_validator({"quiz_retries": {"structure_type": 1}}, "bleu ciel")
    assert slots["structure_type"] is None
    assert slots["quiz_retries"] == {"structure_type": 2}


async def test_a_place_answer_sets_the_region_flag():
    slots, _ = await run_validator({"structure_type": "pme", "headcount": 20}, "on est à Annecy", requested="place")
    assert slots["in_region"] is True and "Annecy" in slots["place"]


async def test_three_hundred_employees_ends_the_quiz():
    slots, _ = await run_validator({"structure_type": "pme"}, "300 salariés", requested="headcount")
    assert slots["headcount"] == 300 and slots["requested_slot"] is None


async def test_the_next_question_carries_its_progress_and_is_rephrased_after_a_failure():
    slots, dispatcher = await run_validator({}, "une PME")
    assert (slots["requested_slot"], slots["quiz_position"], slots["quiz_total"]) == ("headcount", 2, 8)
    assert slots["quiz_retry"] is False and not dispatcher.messages
    slots, dispatcher = await run_validator({"structure_type": "pme"}, "bof", requested="headcount")
    assert (slots["requested_slot"], slots["quiz_position"], slots["quiz_retry"]) == ("headcount", 2, True)
    assert not dispatcher.messages  # one failure: the question is only rephrased
    slots, dispatcher = await run_validator({"structure_type": "pme", "quiz_retries": {"headcount": 1}}, "euh", requested="headcount")
    assert slots["quiz_retry"] is True
    assert [m["response"] for m in dispatcher.messages] == ["utter_quiz_help"]


async def test_whose_agreement_is_asked_depends_on_the_role():
    known = {"structure_type": "association", "headcount": 12, "place": "Lyon (69)", "in_region": True}
    slots, _ = await run_validator(known, "élu au CSE", requested="role")
    assert (slots["requested_slot"], slots["agreement_of"]) == ("agreement", "du dirigeant")
    slots, _ = await run_validator({**known, "structure_type": "collectif"}, "Je représente l'organisation porteuse du collectif", requested="role")
    assert (slots["requested_slot"], slots["agreement_of"]) == ("agreement", "des organisations concernées")


async def test_the_verdict_sends_summary_text_and_the_custom_payload():
    slots = {"structure_type": "association", "headcount": 40, "place": "Lyon (69)", "in_region": True,
             "role": "dirigeant", "novelty": "yes", "working_life": "no", "lasting_change": "yes", "stakeholders": "yes"}
    dispatcher = CollectingDispatcher()
    events = await ActionEligibilityVerdict().run(dispatcher, make_tracker(slots), {})
    responses = [m["response"] for m in dispatcher.messages if m["response"]]
    assert responses == ["utter_quiz_summary", "utter_verdict_not_eligible"]
    payload = dispatcher.messages[-1]["custom"]["eligibility"]
    assert payload["verdict"] == "not_eligible"
    failed = [reason["criterion"] for reason in payload["reasons"] if reason["ok"] is False]
    assert failed == ["working_life"]
    assert SlotSet("eligibility", payload) in events


async def test_start_with_facts_prefills_the_answers():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({}, "nous sommes une association de 40 salariés à Lyon, c'est bon pour nous ?", "start_quiz")
    events = await ActionQuizStart().run(dispatcher, tracker, {})
    values = {event["name"]: event["value"] for event in events}
    assert values["structure_type"] == "association" and values["headcount"] == 40 and values["in_region"] is True


async def test_start_after_a_stopped_quiz_resumes_it():
    dispatcher = CollectingDispatcher()
    events = await ActionQuizStart().run(dispatcher, make_tracker({"structure_type": "pme"}, "/start_quiz", "start_quiz"), {})
    assert dispatcher.messages[0]["response"] == "utter_quiz_resume"
    assert SlotSet("structure_type", None) not in events


async def test_stop_leaves_the_form():
    events = await ActionQuizStop().run(CollectingDispatcher(), make_tracker({}, "stop", "stop_quiz"), {})
    assert ActiveLoop(None) in events


async def test_a_correction_in_words_changes_the_answer_and_reruns_the_form():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"structure_type": "pme", "headcount": 30}, "en fait on est 300", "correct_answer")
    events = await ActionQuizCorrect().run(dispatcher, tracker, {})
    assert SlotSet("headcount", 300) in events and FollowupAction("eligibility_form") in events


async def test_a_correction_without_detail_offers_the_answered_questions():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"structure_type": "pme", "headcount": 30}, "je me suis trompé", "correct_answer")
    await ActionQuizCorrect().run(dispatcher, tracker, {})
    titles = [button["title"] for button in dispatcher.messages[0]["buttons"]]
    assert titles == ["Structure", "Effectif"]
