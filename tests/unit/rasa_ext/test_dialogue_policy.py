"""The policy hands each message to action_turn once, then listens: never a loop for the circuit breaker."""

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext.dialogue_policy import next_action
from tests.conftest import ROOT


def tracker(*events):
    domain = Domain.load(str(ROOT / "domain"))
    conversation = DialogueStateTracker("visitor", domain.slots)
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"), *events):
        conversation.update(event)
    return conversation


def said(text, intent="inform"):
    return UserUttered(text, {"name": intent, "confidence": 0.9})


def test_a_message_gets_the_dialogue_action_then_listen():
    assert next_action(tracker()) == "action_listen"
    assert next_action(tracker(said("bonjour", "greet"))) == "action_turn"
    assert (
        next_action(tracker(said("bonjour", "greet"), ActionExecuted("action_turn"), SlotSet("dialogue", {})))
        == "action_listen"
    )


def test_rasa_built_in_intents_keep_their_actions():
    assert next_action(tracker(said("/restart", "restart"))) == "action_restart"
    assert next_action(tracker(said("/session_start", "session_start"))) == "action_session_start"


def test_a_message_after_a_turn_cut_short_still_gets_its_action():
    # The breaker stopped the last turn before action_listen: the new message is handled all the same.
    cut_short = tracker(said("une PME"), ActionExecuted("action_turn"), said("42 salariés"))
    assert next_action(cut_short) == "action_turn"
