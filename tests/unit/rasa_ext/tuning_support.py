"""What the tests of bot/rasa_ext/tuning share: Rasa's own methods put back, the fixes applied, test conversations."""

from __future__ import annotations

import numpy as np
import scipy.sparse
from rasa.core.actions.action import RemoteAction
from rasa.core.actions.forms import FormAction
from rasa.core.processor import MessageProcessor
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow import model_data_utils
from rasa.utils.tensorflow.models import RasaModel

from bot.rasa_ext.tuning import action_server, dialogue, nlu


def rasas_own(monkeypatch):
    """Rasa's own methods in place of the fixes, until the end of the test."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", action_server.rasa_validate_action_result)
    monkeypatch.setattr(SpacyNLP, "load_model", staticmethod(nlu._load_spacy_model))
    monkeypatch.setattr(Message, "_combine_features", staticmethod(nlu.rasa_combine_features))
    monkeypatch.setattr(Message, "get_all_features", nlu.rasa_get_all_features)
    monkeypatch.setattr(DialogueStateTracker, "applied_events", dialogue.rasa_applied_events)
    monkeypatch.setattr(EndpointConfig, "session", action_server.rasa_endpoint_session)
    monkeypatch.setattr(DaskGraphRunner, "run", dialogue.rasa_run_graph)
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(action_server.rasa_resolve_by_type))
    monkeypatch.setattr(model_data_utils, "_create_fake_features", nlu.rasa_create_fake_features)
    monkeypatch.setattr(RasaModel, "_rasa_predict", nlu.rasa_rasa_predict)
    monkeypatch.setattr(DialogueStateTracker, "copy", dialogue.rasa_tracker_copy)
    monkeypatch.setattr(FormAction, "_temporary_tracker", dialogue.rasa_temporary_tracker)
    monkeypatch.setattr(DialogueStateTracker, "past_states", dialogue.rasa_past_states)
    monkeypatch.setattr(MessageProcessor, "_check_for_unseen_features", dialogue.rasa_check_for_unseen_features)
    monkeypatch.setattr(DIETClassifier, "_create_model_data", nlu.rasa_create_model_data)
    monkeypatch.setattr(RasaModel, "run_inference", nlu.rasa_run_inference)
    monkeypatch.setattr(RasaModel, "load", classmethod(nlu.rasa_model_load))


def features_of(rows, widths, kind="sequence", fmt="coo"):
    """Random features of one message, one per featurizer, as the featurizers make them (sparse COO by default)."""
    generator = np.random.default_rng(7)
    matrices = [
        scipy.sparse.random(rows, width, density=0.2, format=fmt, dtype=np.float32, random_state=generator)
        if fmt
        else generator.random((rows, width))
        for width in widths
    ]
    return [Features(matrix, kind, "text", f"featurizer{i}") for i, matrix in enumerate(matrices)]


def quiz_events():
    """A conversation with what changes the applied events: form loop, corrections, rewinds, restart, new session."""
    said = lambda text, intent: UserUttered(text, {"name": intent, "confidence": 0.9})  # noqa: E731
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        said("je veux faire le test", "quiz_start"),
        ActionExecuted("eligibility_form"),
        ActiveLoop("eligibility_form"),
        SlotSet("requested_slot", "structure"),
        ActionExecuted("action_listen"),
        said("une association", "inform"),
        ActionExecuted("eligibility_form"),
        SlotSet("structure", "association"),
        ActionExecuted("action_listen"),
        said("combien ça coûte ?", "faq"),
        ActionExecuted("action_answer_faq"),
        ActionExecuted("eligibility_form"),
        ActionExecuted("action_listen"),
        said("euh", "nlu_fallback"),
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
        said("42 salariés", "inform"),
        ActionExecuted("eligibility_form"),
        ActionReverted(),
        ActionExecuted("eligibility_form"),
        SlotSet("headcount", 42),
        ActiveLoop(None),
        ActionExecuted("action_eligibility_verdict"),
        ActionExecuted("action_listen"),
        said("recommencer", "restart"),
        Restarted(),
        ActionExecuted("action_listen"),
        said("bonjour", "greet"),
        ActionExecuted("utter_greet"),
        ActionExecuted("action_listen"),
        said("combien pour nous ?", "funding"),
        ActionExecuted("funding_form"),
        ActiveLoop("funding_form"),
        SlotSet("requested_slot", "consultant_days"),
        ActionExecuted("action_listen"),
        said("4 jours", "inform"),
        ActionExecuted("funding_form"),
        SlotSet("consultant_days", 4),
        ActiveLoop(None),
        ActionExecuted("action_funding_estimate"),
        ActionExecuted("action_listen"),
    ]


def tracker_state(tracker):
    """Everything a tracker holds, slot by slot, comparable with ==."""
    others = {
        name: value for name, value in vars(tracker).items() if name not in ("events", "slots", "_applied_events")
    }
    slots = {name: (type(slot), vars(slot)) for name, slot in tracker.slots.items()}
    return others, slots, list(tracker.events), tracker.current_state(EventVerbosity.ALL)


def domain_and_more_events():
    """The assistant's domain and `quiz_events` with every other kind of event a conversation may hold."""
    from pathlib import Path

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (
        ActionExecutionRejected,
        BotUttered,
        ConversationPaused,
        ConversationResumed,
        FollowupAction,
        LoopInterrupted,
    )

    domain = Domain.load(str(Path(__file__).resolve().parents[3] / "domain"))
    events = quiz_events()
    events[8:8] = [
        BotUttered("Quel type de structure ?", {"buttons": []}),
        LoopInterrupted(True),
        ActionExecutionRejected("eligibility_form"),
        FollowupAction("action_listen"),
        ConversationPaused(),
        ConversationResumed(),
        SlotSet("place", {"name": "Lyon", "department": "69"}),
        SlotSet("nope", 1),
    ]
    return domain, events
