"""Speed fixes for the Rasa 3.6 server, applied when it loads our channels (see bot/channels.py).

Like `bot/channels.py`, this module imports Rasa and only the Rasa server loads it.

Action server answers: Rasa checks every answer of the action server with
`jsonschema.validate(answer, schema)`, which first checks the schema itself
against the JSON Schema meta-schema (draft 2020-12, with `$dynamicRef`) and
builds a new validator: 45 ms of CPU per call on this machine, two calls per
quiz question, a third of the Rasa server's time in the benchmark. The schema
never changes, so it is checked once and its validator kept; each answer is
still checked in full, and an invalid one raises the same `ValidationError`
(the one `jsonschema.validate` would pick) with Rasa's message. 1.2 ms per call.
Each event of an answer must match exactly one of 23 event schemas (`oneOf`),
and jsonschema tries all of them: 0.65 ms per event, still 7.7 % of the
server's time under load. Every one of those schemas fixes the `event` name to
a different constant, so an event can only ever match the schema of its own
name: the answer is first checked against that one schema per event (0.05 ms),
and only an answer that fails this is checked again the full way, which
decides (same acceptance, same error). The outcome of an event's check is
remembered by the event's JSON text (4 096 of them), since the same events
come back at every quiz.

spaCy: Rasa loads `fr_core_news_sm` without its parser but with its named
entity recogniser, which nothing of ours reads (the pipeline extracts no
entities; tokens, lemmas and `doc.vector` come from tok2vec, morphologizer and
lemmatizer). Switching it off halves spaCy's time per message (8.6 to 4.5 ms
here) and leaves every feature the classifiers see identical (checked by
tests/unit/test_rasa_tuning.py), so a model trained with it still applies.

Features: before each classifier, Rasa joins the sparse features of the four
featurizers of a message two at a time, copying the first and stacking again
for each further one (1.3 ms per join here, four joins per message). They are
now stacked in one go (0.4 ms), and the entries of COO matrices (what the
featurizers give) joined without scipy's block grid (135 to 50 us alone): the
same matrix, in the same format and order.

Work done twice per message: the conversation's applied events (all its
events minus those undone by rewinds and form loops) are worked out again at
each of their uses, from scratch: twice to check the session at each message,
once per prediction of RulePolicy, and more. They are now kept on the tracker
with the event count and the last event they were computed for, and worked out
again as soon as an event is added. RulePolicy's past states (the state before
each action, from a replay of the applied events into a new tracker, at each
prediction) are carried on the same way, and handed out as copies. Likewise,
DIET and the ResponseSelector each joined the features of the same message;
the second now gets the first's join, kept on the message until a feature is
added.

Running the graphs: Rasa hands the NLU and the dialogue graphs of each
message to dask's synchronous scheduler, which works out an order of the nodes
again at every run and then calls them one at a time: 7 % of the server's time
went to that bookkeeping. The same nodes are now called, with the same
arguments, in an order of their needs worked out once per set of targets.
Reading the action server's answers, Rasa looked up each event's class among
all the event classes, listed again for every event (9 % of the time spent
running an action); each name's class is now looked up once. Before each
classifier, Rasa made empty stand-in features for a missing attribute by
deep-copying the message's own features, matrix included, then replacing the
matrix (2 % of the time); the stand-ins are now made without that copy.

Copies of the conversation: before each action, Rasa copies the tracker by
replaying all its events into a new one (2 % of the time, growing with the
conversation); the copy now takes the tracker's state over (its events, a
copy of each slot, of the active loop and of the latest action), which is the
state a replay gives, and falls back to the replay where it could differ. A
form's temporary conversation (the conversation plus the form's events, built
by a replay at each validation and at each question) is made the same way. And
Rasa checked the parsed intent against the domain after first comparing the
whole domain, as a dict, with an empty one, at every message (1.7 %); whether
the domain is empty is now decided once per domain.

Loading the classifiers: Rasa builds DIET and the ResponseSelector by training
them for one step on one example (`RasaModel.load`), which creates the Adam
optimizer's state (two more copies of every weight) and traces the training
graph, then reads the weights over them. For answering, the weights are read
first and the model is built by its first prediction, which the loader makes
anyway: the same weights (every variable is checked as restored), the same
predictions, 330 MB less memory for the Rasa server and a shorter start.
Fine-tuning (`rasa train --finetune`) keeps Rasa's own loader.

Calling the classifiers: each prediction goes through the `tf.function`'s
dispatch (argument binding, signature matching, cache lookup), 2.4 to 2.7 ms
of the 3.2 to 3.4 ms a prediction takes here, twice per message. The loader
now hands Rasa a direct call of the one graph that function traced, fed with
the same tensors (same dtypes; shapes checked against its signature, else the
`tf.function` is called as before): 0.8 to 1.1 ms, the same outputs. Rasa's
batches (numpy arrays) become tensors through the function TF's conversion
ends in, their shapes checked against the signature in Python; the outputs
become numpy arrays as keras makes them, without `tf.nest`; and keras' tracking
of model attributes is skipped when Rasa sets `_training` to the value it
already has: these took 11 % of the server's time around the two predictions
of a message. DIET and the ResponseSelector read the same features of the
message in the same way: the second now gets the first's model data, batch
and tensors instead of making them again (for the one example a message is,
Rasa's data generator is replaced by the one batch it would give).

Calls to the action server: Rasa opens a new aiohttp session, and so a new
TCP connection that the action server sets up too, for every action it runs
(one or two per message). One session per endpoint is now kept open and its
connections reused (keep-alive, dropped after 4 s idle, under the 5 s after
which Sanic closes them on the action server's side); the requests themselves
are Rasa's own (same headers, authentication, timeout). The sessions are
closed when the Rasa server stops. They write the request's JSON (the whole
conversation, about 90 kB after the quiz) with ujson, which Rasa already
depends on: 0.33 instead of 0.74 ms per call here, the same JSON data (json's
own encoder takes over for anything ujson refuses).

Memory: glibc keeps the memory freed after the model's loading (and after
busy minutes) inside the process. The REST channel calls `release_free_memory`
once the server has started and every minute after: 84 MB given back to the
system after a benchmark here, a few milliseconds each time.

Written against rasa 3.6.21 (requirements.lock pins it): with another version
nothing is changed and the log says so, since the replaced method may differ.
"""
from __future__ import annotations

import asyncio
import copy
import ctypes
import itertools
import json
import logging
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Text, Tuple, Union

import aiohttp
import numpy as np
import rasa
import scipy.sparse
import tensorflow as tf
import ujson
from jsonschema import validators
from jsonschema.exceptions import best_match
from keras.utils import tf_utils
from rasa.core.actions.action import RemoteAction
from rasa.core.actions.forms import FormAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.core.processor import MessageProcessor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.constants import DEFAULT_SENDER_ID, DIAGNOSTIC_DATA, DOCS_BASE_URL
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActionReverted, ActiveLoop, Event, Restarted, SessionStarted,
                                     SlotSet, UserUttered, UserUtteranceReverted)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow import model_data_utils
from rasa.utils.tensorflow.constants import FEATURIZERS
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel
from tensorflow.python.eager import context as tf_context
from tensorflow.python.framework.constant_op import convert_to_eager_tensor
from tensorflow.python.framework.ops import EagerTensor

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"
_validators: Dict[type, Any] = {}
rasa_validate_action_result = RemoteAction._validate_action_result  # Rasa's own, for comparison in the tests


def _response_validator(action: RemoteAction) -> Any:
    """The validator of the action server's answers, built and its schema checked once per action class."""
    validator = _validators.get(type(action))
    if validator is None:
        schema = action.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        validator = _validators[type(action)] = cls(schema)
    return validator


KNOWN_EVENTS = 4096  # event checks remembered (about 1 MB)


class EventChecks:
    """The answer schema split by event name: one validator for the answer around its events, one per event name.

    Only built when every alternative of the events' `oneOf` fixes `event` to its own constant (true of rasa
    3.6.21): then an event matches exactly one alternative if and only if it matches the base schema and the
    alternative of its name, which is what `is_valid` checks.
    """

    def __init__(self, schema: Dict[str, Any]) -> None:
        cls = validators.validator_for(schema)
        items = schema["properties"]["events"]["items"]
        base = {key: value for key, value in items.items() if key != "oneOf"}
        names = [alternative["properties"]["event"]["const"] for alternative in items["oneOf"]]
        if len(set(names)) != len(names):
            raise ValueError("event schemas share a name")
        outer = {**schema, "properties": {**schema["properties"], "events": {**schema["properties"]["events"], "items": {}}}}
        self.outer = cls(outer)
        self.by_name = {name: cls({"allOf": [base, alternative]}) for name, alternative in zip(names, items["oneOf"])}
        self.known: "OrderedDict[str, bool]" = OrderedDict()  # event's JSON text -> its check, the latest last

    def is_valid(self, result: Any) -> bool:
        if not self.outer.is_valid(result):
            return False
        return all(self._event_is_valid(event) for event in result.get("events") or [])

    def _event_is_valid(self, event: Any) -> bool:
        """The check of one event, remembered by its JSON text (which fixes its JSON value, all a schema sees):
        the same slot set to the same value comes back at every quiz, 0.07 ms of checking each time."""
        checks = self.by_name.get(event.get("event")) if isinstance(event, dict) else None
        if checks is None:
            return False
        try:
            text = ujson.dumps(event, sort_keys=True, ensure_ascii=False)
        except (OverflowError, TypeError, ValueError):
            return checks.is_valid(event)
        valid = self.known.get(text)
        if valid is None:
            valid = self.known[text] = checks.is_valid(event)
            if len(self.known) > KNOWN_EVENTS:
                self.known.popitem(last=False)
        else:
            self.known.move_to_end(text)
        return valid


_event_checks: Dict[type, Optional[EventChecks]] = {}


def _fast_checks(action: RemoteAction) -> Optional[EventChecks]:
    """The split schema of this action class, or None when the schema does not have the expected shape."""
    if type(action) not in _event_checks:
        try:
            _event_checks[type(action)] = EventChecks(action.action_response_format_spec())
        except (KeyError, TypeError, ValueError):
            logger.warning("bot.rasa_tuning: schema des réponses du serveur d'actions inattendu, vérification complète seule")
            _event_checks[type(action)] = None
    return _event_checks[type(action)]


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """Same contract as `RemoteAction._validate_action_result` in rasa 3.6.21, with a kept validator."""
    checks = _fast_checks(self)
    if checks is not None and checks.is_valid(result):
        return True
    error = best_match(_response_validator(self).iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


_load_spacy_model = SpacyNLP.load_model


def load_spacy_model(spacy_model_name: str) -> SpacyModel:
    """Rasa's spaCy model loader, then the named entity recogniser switched off."""
    loaded = _load_spacy_model(spacy_model_name)
    if "ner" in loaded.model.pipe_names:
        loaded.model.disable_pipe("ner")
    return loaded


rasa_combine_features = Message._combine_features  # Rasa's own, for comparison in the tests


def hstack(matrices: List[Any]) -> Any:
    """`scipy.sparse.hstack` of sparse matrices with the same number of rows; for COO matrices (what the featurizers
    give), their entries joined directly: the same matrix, without the block grid scipy builds around them."""
    if not all(scipy.sparse.isspmatrix_coo(matrix) for matrix in matrices):
        return scipy.sparse.hstack(matrices)
    offsets = np.cumsum([0] + [matrix.shape[1] for matrix in matrices])
    shape = (matrices[0].shape[0], int(offsets[-1]))
    index_dtype = scipy.sparse._sputils.get_index_dtype(maxval=max(shape))
    data = np.concatenate([matrix.data for matrix in matrices])
    rows = np.concatenate([matrix.row for matrix in matrices]).astype(index_dtype, copy=False)
    columns = np.concatenate([matrix.col.astype(index_dtype) + offset for matrix, offset in zip(matrices, offsets)])
    return scipy.sparse.coo_matrix((data, (rows, columns.astype(index_dtype, copy=False))), shape=shape)


def combine_features(features: List[Features], featurizers: List[Text]) -> Optional[Features]:
    """`Message._combine_features` of rasa 3.6.21 with one stacking of all the matrices instead of one per pair."""
    if len(features) < 2:
        return rasa_combine_features(features, featurizers)
    first = features[0]
    if all(f.is_sparse() for f in features) and len({f.features.shape[0] for f in features}) == 1:
        stacked = hstack([f.features for f in features])
    elif all(f.is_dense() for f in features) and len({f.features.ndim for f in features}) == 1:
        stacked = np.concatenate([f.features for f in features], axis=-1)
    else:
        return rasa_combine_features(features, featurizers)  # Rasa's own error for features that do not fit
    return Features(stacked, first.type, first.attribute, featurizers)


rasa_applied_events = DialogueStateTracker.applied_events  # Rasa's own, for comparison in the tests


def _loop_names(events: Any) -> set:
    return {event.name for event in events if isinstance(event, ActiveLoop) and event.name}


def _apply(tracker: DialogueStateTracker, applied: List[Event], event: Event, loop_names: set) -> List[Event]:
    """One step of rasa 3.6.21's `applied_events`: `applied` after `event`, with Rasa's own helpers."""
    if isinstance(event, (Restarted, SessionStarted)):
        return []
    if isinstance(event, ActionReverted):
        tracker._undo_till_previous(ActionExecuted, applied)
    elif isinstance(event, UserUtteranceReverted):  # the utterance, then the action_listen before it
        tracker._undo_till_previous(UserUttered, applied)
        tracker._undo_till_previous(ActionExecuted, applied)
    elif (isinstance(event, ActionExecuted) and event.action_name in loop_names
          and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)):
        tracker._undo_till_previous_loop_execution(event.action_name, applied)
    else:
        applied.append(event)
    return applied


def applied_events(self: DialogueStateTracker) -> List[Event]:
    """`DialogueStateTracker.applied_events` of rasa 3.6.21, carried on from its last result when events were added.

    Rasa works them out from the first event at every call. Events are only
    ever appended (Rasa builds a new tracker for anything else), so the last
    result holds for the events it was computed from, checked by their count and
    the last of them; only a form loop first named by a new event (which can
    change how earlier events apply) makes it start over."""
    events = self.events
    kept = self.__dict__.get("_applied_events")
    if kept is not None and kept[0] is events and len(events) >= kept[1] > 0 and events[kept[1] - 1] is kept[2]:
        new = list(itertools.islice(events, kept[1], None))
        if _loop_names(new) <= kept[3]:
            applied = list(kept[4])  # the kept list is never changed: each step may undo events in place
            for event in new:
                applied = _apply(self, applied, event, kept[3])
            if not new:
                return applied
            self.__dict__["_applied_events"] = (events, len(events), events[-1], kept[3], applied)
            return list(applied)
    loop_names = _loop_names(events)
    applied: List[Event] = []
    for event in events:
        applied = _apply(self, applied, event, loop_names)
    if events:
        self.__dict__["_applied_events"] = (events, len(events), events[-1], loop_names, applied)
    return list(applied)


rasa_tracker_copy = DialogueStateTracker.copy  # Rasa's own, for comparison in the tests


def _state_copy(tracker: DialogueStateTracker, sender_id: Text, max_event_history: Optional[int],
                is_rule_tracker: bool) -> DialogueStateTracker:
    """A new tracker with `tracker`'s events and the state they gave it (what a replay of them gives)."""
    copied = DialogueStateTracker(sender_id, [], max_event_history, is_rule_tracker=is_rule_tracker)
    events = tracker.events
    copied.events = copied._create_events(list(events))
    copied.slots = {name: copy.copy(slot) for name, slot in tracker.slots.items()}
    copied._paused = tracker._paused
    copied.followup_action = tracker.followup_action
    copied.latest_action = copy.copy(tracker.latest_action)
    copied.active_loop = copy.copy(tracker.active_loop)
    # A replay leaves a fresh empty message until an event sets one: share only what events set.
    if any(event is tracker.latest_message for event in events):
        copied.latest_message = tracker.latest_message
    if any(event is tracker.latest_bot_utterance for event in events):
        copied.latest_bot_utterance = tracker.latest_bot_utterance
    return copied


def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    """`DialogueStateTracker.copy` of rasa 3.6.21 without replaying every event into the new tracker.

    Rasa copies the conversation before running each action, by replaying all
    its events into a new tracker. A tracker's state is what its events made it,
    so the copy takes that state over: the events, a copy of each slot, of the
    active loop and of the latest action, the latest message and bot utterance
    (the events themselves, as a replay shares them), and the rest as
    `init_copy` sets it. Anything a replay could make differently (no slots
    declared, a capped history, an event a replay would stop at) is copied
    Rasa's way."""
    if type(self.slots) is not dict or self._max_event_history is not None or any(
            not event.timestamp <= float("inf") for event in self.events):
        return rasa_tracker_copy(self)
    return _state_copy(self, self.sender_id or DEFAULT_SENDER_ID, None, self.is_rule_tracker)


rasa_temporary_tracker = FormAction._temporary_tracker  # Rasa's own, for comparison in the tests


def temporary_tracker(self: FormAction, current_tracker: DialogueStateTracker, additional_events: List[Event],
                      domain: Domain) -> DialogueStateTracker:
    """`FormAction._temporary_tracker` of rasa 3.6.21: the conversation with the form's events added, made from the
    conversation's state (as `copy_tracker` does) instead of replaying its events into a tracker with the
    domain's slots, when both give the same state: no restart, the domain's slots and no capped history."""
    slots = current_tracker.slots
    if (type(slots) is not dict or current_tracker._max_event_history is not None or current_tracker.is_rule_tracker
            or len(slots) != len(domain.slots)
            or any(type(slots.get(slot.name)) is not type(slot) for slot in domain.slots)
            or current_tracker.idx_after_latest_restart() != 0):
        return rasa_temporary_tracker(self, current_tracker, additional_events, domain)
    tracker = _state_copy(current_tracker, current_tracker.sender_id, None, False)
    for event in [SlotSet(REQUESTED_SLOT, self.get_slot_to_fill(current_tracker)), ActionExecuted(self.name()),
                  *additional_events]:
        tracker.update(event)
    return tracker


rasa_check_for_unseen_features = MessageProcessor._check_for_unseen_features  # Rasa's own, for the tests


def check_for_unseen_features(self: MessageProcessor, parse_data: Dict[Text, Any]) -> None:
    """`MessageProcessor._check_for_unseen_features` of rasa 3.6.21, with whether the domain is empty decided once
    per domain: Rasa compares the whole domain, as a dict, with a new empty one at every message."""
    domain = self.domain
    kept = self.__dict__.get("_domain_is_empty")
    if kept is None or kept[0] is not domain:
        kept = self.__dict__["_domain_is_empty"] = (domain, not domain or domain.is_empty())
    if kept[1]:
        return
    intent = parse_data["intent"][INTENT_NAME_KEY]
    entities = parse_data["entities"] or []
    if (intent and intent not in domain.intents) or any(
            element["entity"] and element["entity"] not in domain.entities for element in entities):
        rasa_check_for_unseen_features(self, parse_data)  # Rasa's own warnings


rasa_past_states = DialogueStateTracker.past_states  # Rasa's own, for comparison in the tests


class _PastStates:
    """Where `past_states` got to: the applied events it has gone through, the tracker they replayed into,
    and the state before each action among them."""

    def __init__(self, tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool) -> None:
        self.domain, self.omit_unset_slots = domain, omit_unset_slots
        self.applied: List[Event] = []
        self.replay = tracker.init_copy()
        self.states: List[Dict[Text, Any]] = []


def _own_state(state: Dict[Text, Any]) -> Dict[Text, Any]:
    """A state the caller may change (Rasa's featurizer removes keys of the last user sub-state)."""
    return {kind: dict(sub_state) if isinstance(sub_state, dict) else sub_state for kind, sub_state in state.items()}


def past_states(self: DialogueStateTracker, domain: Domain, omit_unset_slots: bool = False,
                ignore_rule_only_turns: bool = False, rule_only_data: Optional[Dict[Text, Any]] = None) -> List[Any]:
    """`DialogueStateTracker.past_states` of rasa 3.6.21, carried on from the last call when events were added.

    Rasa replays every applied event into a new tracker and takes the state
    before each action, at every prediction of RulePolicy (several per
    message). The replay and the states so far are kept on the tracker and
    carried on while its applied events only grow; the states handed out are
    copies. Ignoring rule-only turns (ML policies, which we do not use) is
    left to Rasa."""
    if ignore_rule_only_turns:
        return rasa_past_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    applied = self.applied_events()
    kept = self.__dict__.get("_past_states")
    if (kept is None or kept.domain is not domain or kept.omit_unset_slots != omit_unset_slots
            or len(applied) < len(kept.applied) or any(old is not new for old, new in zip(kept.applied, applied))):
        kept = self.__dict__["_past_states"] = _PastStates(self, domain, omit_unset_slots)
    for event in applied[len(kept.applied):]:  # Rasa's `generate_all_prior_trackers`, from where it got to
        if isinstance(event, ActionExecuted):
            kept.states.append(domain.get_active_state(kept.replay, omit_unset_slots=omit_unset_slots))
        kept.replay.update(event)
        kept.applied.append(event)
    last = domain.get_active_state(kept.replay, omit_unset_slots=omit_unset_slots)
    return [domain._clean_state(_own_state(state)) for state in kept.states] + [domain._clean_state(last)]


rasa_get_all_features = Message.get_all_features  # Rasa's own, for comparison in the tests


def get_all_features(self: Message, attribute: Text, featurizers: Optional[List[Text]] = None) -> List[Features]:
    """`Message.get_all_features` of rasa 3.6.21, joined once per attribute while no feature is added."""
    which = (attribute, tuple(featurizers or ()))
    count, last = len(self.features), (self.features[-1] if self.features else None)
    kept = self.__dict__.setdefault("_joined_features", {})
    found = kept.get(which)
    if found is None or found[0] != count or found[1] is not last:
        found = kept[which] = (count, last, rasa_get_all_features(self, attribute, featurizers))
    return list(found[2])


rasa_model_load = RasaModel.load.__func__  # Rasa's own classmethod, for comparison in the tests
TENSORFLOW_VERSION = "2.12.0"  # DirectCall uses ConcreteFunction._call_flat of this version


_last_tensors: Optional[Tuple[Any, List[Any], List[Any]]] = None  # (batch, input signature, its tensors)


class DirectCall:
    """A model's prediction `tf.function` (one input signature, so one graph) called without its dispatch."""

    def __init__(self, function: Any) -> None:
        self.function = function
        self.graph = function.get_concrete_function()
        self.specs = list(self.graph.structured_input_signature[0][0])
        self.dims = [None if spec.shape.rank is None else tuple(spec.shape.as_list()) for spec in self.specs]
        self.context = tf_context.context()

    def _tensor(self, value: Any, spec: Any, dims: Optional[Tuple[Optional[int], ...]]) -> Optional[Any]:
        """The value as the input tensor `spec` describes, or None when it does not fit."""
        try:
            if isinstance(value, np.ndarray) and dims is not None:  # Rasa's batches: checked without TF's layers
                if len(value.shape) != len(dims) or any(d is not None and d != n for d, n in zip(dims, value.shape)):
                    return None
                return convert_to_eager_tensor(value, self.context, spec.dtype)  # what tf.convert_to_tensor ends in
            tensor = tf.convert_to_tensor(value, dtype=spec.dtype)
        except (TypeError, ValueError):
            return None
        return tensor if spec.is_compatible_with(tensor) else None

    def __call__(self, batch_in: Any) -> Any:
        if len(batch_in) == len(self.specs):
            global _last_tensors
            signature = [(spec.dtype, dims) for spec, dims in zip(self.specs, self.dims)]
            last = _last_tensors
            if last is not None and last[0] is batch_in and last[1] == signature:
                tensors = last[2]  # the batch the other classifier just read, for the same inputs
            else:
                tensors = [self._tensor(value, spec, dims) for value, spec, dims in zip(batch_in, self.specs, self.dims)]
                _last_tensors = (batch_in, signature, tensors)
            if all(tensor is not None for tensor in tensors):
                return self.graph._call_flat(tensors, self.graph.captured_inputs)
        return self.function(batch_in)  # what Rasa would call: its own errors for inputs that do not fit


def to_numpy(outputs: Any) -> Any:
    """keras' `sync_to_numpy_or_python_type` for the dicts, lists and tuples of eager tensors a prediction gives
    (anything else goes to keras' own)."""

    def convert(value: Any) -> Any:
        if type(value) is dict:
            return {key: convert(item) for key, item in value.items()}
        if type(value) in (list, tuple):
            return type(value)(convert(item) for item in value)
        if not isinstance(value, EagerTensor):
            raise TypeError(type(value).__name__)
        array = value.numpy()
        return array.item() if array.ndim == 0 else array

    try:
        return convert(outputs)
    except TypeError:
        return tf_utils.sync_to_numpy_or_python_type(outputs)


rasa_rasa_predict = RasaModel._rasa_predict  # Rasa's own, for comparison in the tests


def rasa_predict(self: RasaModel, batch_in: Tuple[np.ndarray, ...]) -> Dict[Text, Any]:
    """`RasaModel._rasa_predict` of rasa 3.6.21 for a model answering through a DirectCall: keras' attribute
    tracking only when `_training` changes, the outputs made numpy without `tf.nest`."""
    if self._run_eagerly or not self.prepared_for_prediction or not isinstance(self._tf_predict_step, DirectCall):
        return rasa_rasa_predict(self, batch_in)
    if self._training is not False:
        self._training = False
    outputs = to_numpy(self._tf_predict_step(batch_in))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


def call_directly(model: RasaModel) -> None:
    """Swap the model's traced prediction function for a DirectCall (nothing when it has none or TF differs)."""
    function = getattr(model, "_tf_predict_step", None)
    if function is None or tf.__version__ != TENSORFLOW_VERSION:
        return
    try:
        model._tf_predict_step = DirectCall(function)
    except (AttributeError, IndexError, TypeError, ValueError):
        logger.warning("bot.rasa_tuning: fonction de prédiction de %s inattendue, appel ordinaire", type(model).__name__)


def load_model_for_inference(cls: type, model_file_name: Text, model_data_example: Any,
                             predict_data_example: Any = None, finetune_mode: bool = False,
                             *args: Any, **kwargs: Any) -> RasaModel:
    """`RasaModel.load` of rasa 3.6.21 without its one training step: weights read, then the model built by a prediction."""
    if finetune_mode or predict_data_example is None:
        return rasa_model_load(cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
                               *args, **kwargs)
    model = cls(*args, **kwargs)
    status = model.load_weights(model_file_name)  # restored into each variable as the prediction creates it
    model.run_inference(predict_data_example)
    try:
        status.expect_partial()  # the optimizer's state in the file has no use here
        status.assert_existing_objects_matched()
    except AssertionError:
        logger.warning("bot.rasa_tuning: poids de %s incomplets, chargement par Rasa", model_file_name, exc_info=True)
        return rasa_model_load(cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
                               *args, **kwargs)
    call_directly(model)
    return model


rasa_run_graph = DaskGraphRunner.run  # Rasa's own, for comparison in the tests


def _graph_plan(self: DaskGraphRunner, targets: Tuple[Text, ...], inputs: Tuple[Text, ...]) -> List[Tuple[Text, Any, List[Text]]]:
    """The nodes dask would run for these targets and inputs (Rasa's minimal schema, less the nodes an input
    replaces), each after the nodes it needs: (name, node, names of its needs)."""
    schema = self._graph_schema.minimal_graph_schema(list(targets))
    nodes = {name: node for name, node in schema.nodes.items() if name not in inputs}
    order: List[Text] = []
    placed: set = set()

    def place(name: Text) -> None:  # depth first: the needs of a node, then the node
        if name in placed or name not in nodes:
            return
        placed.add(name)
        for need in nodes[name].needs.values():
            place(need)
        order.append(name)

    for name in nodes:
        place(name)
    return [(name, self._instantiated_nodes[name], list(nodes[name].needs.values())) for name in order]


def run_graph(self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None,
              targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
    """`DaskGraphRunner.run` of rasa 3.6.21 with the nodes called one after the other in the order of their needs.

    dask's synchronous scheduler runs the same nodes with the same arguments,
    one at a time, in an order it works out again at every run; the order of
    independent nodes makes no difference, as a node only sees its needs."""
    run_targets = targets if targets else self._graph_schema.target_names
    inputs = inputs or {}
    key = (tuple(run_targets), tuple(inputs))
    plans = self.__dict__.setdefault("_plans", {})
    plan = plans.get(key)
    if plan is None:
        plan = plans[key] = _graph_plan(self, *key)
    for name, value in inputs.items():  # Rasa's own check of the inputs
        if isinstance(value, str) and any(value == node_name for node_name, _, _ in plan):
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the input names passed "
                f"to the `run` method are the same as node names in the graph schema.")
    results: Dict[Text, Any] = {name: (name, value) for name, value in inputs.items()}
    try:
        for name, node, needs in plan:
            # as with dask, a need that is neither a node nor an input is passed as its name (the node warns)
            results[name] = node(*[results.get(need, need) for need in needs])
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(results[target] for target in run_targets)


rasa_resolve_by_type = Event.resolve_by_type  # Rasa's own, for comparison in the tests
_event_classes: Dict[Text, type] = {}


def resolve_by_type(type_name: Text, default: Optional[type] = None) -> Optional[type]:
    """`Event.resolve_by_type` of rasa 3.6.21, each name's class looked up once (Rasa lists every event class at each
    event it reads back: 9 % of the time spent running an action)."""
    found = _event_classes.get(type_name)
    if found is None:
        found = rasa_resolve_by_type(type_name, default)
        if found is not None and found is not default:
            _event_classes[type_name] = found
    return found


rasa_create_fake_features = model_data_utils._create_fake_features  # Rasa's own, for comparison in the tests


def create_fake_features(all_features: List[List[List[Features]]]) -> List[Features]:
    """`_create_fake_features` of rasa 3.6.21 without deep-copying each feature matrix it then replaces by an empty one."""
    example = next(iter([features for per_example in all_features for features in per_example if features is not None]))
    fakes = []
    for features in example:
        fake = Features.__new__(Features)
        fake.__dict__.update({name: copy.deepcopy(value) for name, value in features.__dict__.items() if name != "features"})
        if features.is_sparse():
            fake.features = scipy.sparse.coo_matrix((0, features.features.shape[-1]), features.features.dtype)
        else:
            fake.features = np.zeros((0, features.features.shape[-1]), features.features.dtype)
        fakes.append(fake)
    return fakes


rasa_create_model_data = DIETClassifier._create_model_data  # Rasa's own, for comparison in the tests


def create_model_data(self: DIETClassifier, training_data: List[Message], label_id_dict: Optional[Dict[Text, int]] = None,
                      label_attribute: Optional[Text] = None, training: bool = True) -> RasaModelData:
    """`DIETClassifier._create_model_data` of rasa 3.6.21 (also the ResponseSelector's), made once per message at
    prediction for the classifiers that read the same features in the same way, while no feature is added."""
    if training or label_id_dict is not None or label_attribute is not None or len(training_data) != 1:
        return rasa_create_model_data(self, training_data, label_id_dict, label_attribute, training)
    message = training_data[0]
    # At prediction only the text is read (entity tags and their BILOU scheme are training labels).
    reading = (self.component_config.get(FEATURIZERS), self.label_key, self.label_sub_key)
    count, last = len(message.features), (message.features[-1] if message.features else None)
    kept = message.__dict__.get("_model_data")
    if kept is None or kept[0] != count or kept[1] is not last or kept[2] != reading:
        kept = message.__dict__["_model_data"] = (count, last, reading, rasa_create_model_data(
            self, training_data, label_id_dict, label_attribute, training))
    return kept[3]


rasa_run_inference = RasaModel.run_inference  # Rasa's own, for comparison in the tests


def run_inference(self: RasaModel, model_data: RasaModelData, batch_size: Union[int, List[int]] = 1,
                  output_keys_expected: Optional[List[Text]] = None) -> Dict[Text, Any]:
    """`RasaModel.run_inference` of rasa 3.6.21 for one example answered through a DirectCall: its one batch made
    as Rasa's data generator makes it, once per model data (the ResponseSelector reads DIET's)."""
    if batch_size != 1 or not isinstance(self._tf_predict_step, DirectCall) or model_data.number_of_examples() != 1:
        return rasa_run_inference(self, model_data, batch_size, output_keys_expected)
    batch_in = model_data.__dict__.get("_batch")
    if batch_in is None:
        batch_in = model_data.__dict__["_batch"] = RasaBatchDataGenerator.prepare_batch(model_data.data, 0, 1)
    batch_out = self._rasa_predict(batch_in)
    if output_keys_expected:
        batch_out = {key: output for key, output in batch_out.items() if key in output_keys_expected}
    return batch_out


KEEP_ALIVE_SECONDS = 4  # Sanic (the action server) closes an idle connection after 5 s
rasa_endpoint_session = EndpointConfig.session  # Rasa's own, for comparison in the tests
_kept_sessions: Dict[Tuple[Any, ...], aiohttp.ClientSession] = {}


def dumps_json(value: Any) -> str:
    """The JSON text of a request body: ujson's encoding, or json's for what ujson refuses (same errors as Rasa's)."""
    try:
        return ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False)
    except (OverflowError, TypeError, ValueError):
        return json.dumps(value)


class KeptSession:
    """What `EndpointConfig.session()` returns: the endpoint's open session, left open by `async with`."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_exc: Any) -> None:
        return None

    def __getattr__(self, name: Text) -> Any:
        return getattr(self.session, name)


def endpoint_session(self: EndpointConfig) -> Any:
    """`EndpointConfig.session` of rasa 3.6.21 kept open per endpoint settings and event loop, connections reused."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return rasa_endpoint_session(self)  # no loop to keep it on: Rasa's own, closed after use
    auth = tuple(sorted(self.basic_auth.items())) if self.basic_auth else None
    key = (loop, tuple(sorted((self.headers or {}).items())), auth)
    session = _kept_sessions.get(key)
    if session is None or session.closed:
        session = aiohttp.ClientSession(  # the settings of Rasa's session, plus the connector
            headers=self.headers,
            auth=aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_SECONDS),
            json_serialize=dumps_json,
        )
        _kept_sessions[key] = session
    return KeptSession(session)


async def close_kept_sessions(_app: Any = None, _loop: Any = None) -> None:
    """Sanic listener (before_server_stop): close the sessions kept on this event loop."""
    loop = asyncio.get_running_loop()
    for key in [key for key in _kept_sessions if key[0] is loop]:
        await _kept_sessions.pop(key).close()


TRIM_EVERY_SECONDS = 60
_libc: Optional[Any] = None


def release_free_memory() -> bool:
    """Hand the heap's free pages back to the system (glibc's malloc_trim); False without glibc."""
    global _libc
    try:
        _libc = _libc or ctypes.CDLL("libc.so.6")
        return bool(_libc.malloc_trim(0))
    except (OSError, AttributeError):
        return False


async def release_free_memory_every_minute(app: Any, _loop: Any) -> None:
    """Sanic listener (after_server_start): trim now that the model is loaded, then every minute."""

    async def keep_trimming() -> None:
        while True:
            await asyncio.sleep(TRIM_EVERY_SECONDS)
            release_free_memory()

    release_free_memory()
    app.ctx.memory_trimming = asyncio.ensure_future(keep_trimming())


async def stop_releasing_free_memory(app: Any, _loop: Any) -> None:
    """Sanic listener (before_server_stop): end the minute loop, which Rasa's shutdown would leave pending
    ("Task was destroyed but it is pending!" in the log at every stop)."""
    trimming = getattr(app.ctx, "memory_trimming", None)
    if trimming is not None:
        trimming.cancel()


def apply() -> bool:
    """Install the fixes on the running Rasa; False (and a log line) when its version is not the one they fit."""
    if rasa.__version__ != RASA_VERSION:
        logger.warning("bot.rasa_tuning: Rasa %s au lieu de %s, correctifs de vitesse non appliqués", rasa.__version__, RASA_VERSION)
        return False
    RemoteAction._validate_action_result = validate_action_result
    SpacyNLP.load_model = staticmethod(load_spacy_model)
    Message._combine_features = staticmethod(combine_features)
    RasaModel.load = classmethod(load_model_for_inference)
    EndpointConfig.session = endpoint_session
    DialogueStateTracker.applied_events = applied_events
    Message.get_all_features = get_all_features
    DaskGraphRunner.run = run_graph
    Event.resolve_by_type = staticmethod(resolve_by_type)
    model_data_utils._create_fake_features = create_fake_features
    RasaModel._rasa_predict = rasa_predict
    DialogueStateTracker.copy = copy_tracker
    FormAction._temporary_tracker = temporary_tracker
    DialogueStateTracker.past_states = past_states
    MessageProcessor._check_for_unseen_features = check_for_unseen_features
    DIETClassifier._create_model_data = create_model_data
    RasaModel.run_inference = run_inference
    return True

