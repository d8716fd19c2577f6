"""Speed and memory fixes for the Rasa 3.6 server, applied by `python -m bot.rasa_ext.rasa_server` before Rasa starts,
unless RASA_TUNING=off (never on import).

Like `bot/rasa_ext/channels.py`, this package imports Rasa and only the Rasa server
loads it. Each fix replaces one method of Rasa by a version that gives the
same results for less work, and the tests compare it with Rasa's own (kept
as `rasa_…` beside it):

- `action_server`: the checks of the action server's answers, the event
  classes, the calls themselves (kept connections, ujson);
- `nlu`: spaCy, the features, loading and calling DIET and the ResponseSelector;
- `dialogue`: running the graphs, the applied events, RulePolicy's past states,
  copies of the conversation;
- `memory`: freed memory given back to the system.

Written against rasa 3.6.21 (requirements.lock pins it): with another version
nothing is changed and the log says so, since the replaced methods may differ.
"""
from __future__ import annotations

import logging

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.core.actions.forms import FormAction
from rasa.core.processor import MessageProcessor
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow import model_data_utils
from rasa.utils.tensorflow.models import RasaModel

from bot.rasa_ext.tuning import action_server, dialogue, nlu

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"


def apply() -> bool:
    """Install the fixes on the running Rasa; False (and a log line) when its version is not the one they fit."""
    if rasa.__version__ != RASA_VERSION:
        logger.warning("bot.rasa_ext.tuning: Rasa %s au lieu de %s, correctifs de vitesse non appliqués", rasa.__version__, RASA_VERSION)
        return False
    RemoteAction._validate_action_result = action_server.validate_action_result
    Event.resolve_by_type = staticmethod(action_server.resolve_by_type)
    EndpointConfig.session = action_server.endpoint_session
    SpacyNLP.load_model = staticmethod(nlu.load_spacy_model)
    Message._combine_features = staticmethod(nlu.combine_features)
    Message.get_all_features = nlu.get_all_features
    model_data_utils._create_fake_features = nlu.create_fake_features
    DIETClassifier._create_model_data = nlu.create_model_data
    RasaModel.load = classmethod(nlu.load_model_for_inference)
    RasaModel._rasa_predict = nlu.rasa_predict
    RasaModel.run_inference = nlu.run_inference
    DaskGraphRunner.run = dialogue.run_graph
    DialogueStateTracker.applied_events = dialogue.applied_events
    DialogueStateTracker.past_states = dialogue.past_states
    DialogueStateTracker.copy = dialogue.copy_tracker
    FormAction._temporary_tracker = dialogue.temporary_tracker
    MessageProcessor._check_for_unseen_features = dialogue.check_for_unseen_features
    return True
