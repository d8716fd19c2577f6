"""The speed fixes change no behaviour: the same answers accepted and refused, the same NLU features."""
from __future__ import annotations

import json
import time
import warnings

import jsonschema
import numpy as np
import pytest
import rasa
import scipy.sparse
import tensorflow as tf
import spacy
from rasa.core.actions.action import RemoteAction
from rasa.core.actions.forms import FormAction
from rasa.core.processor import MessageProcessor
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.core.events import (ActionExecuted, ActionReverted, ActiveLoop, Event, Restarted, SessionStarted,
                                     SlotSet, UserUttered, UserUtteranceReverted)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow import model_data_utils
from rasa.utils.tensorflow.models import RasaModel

from bot import rasa_tuning

GOOD = {
    "events": [{"event": "slot", "name": "headcount", "value": 42}, {"event": "slot", "name": "requested_slot", "value": "place"}],
    "responses": [{"response": "utter_ask_place", "progress": "Question 3 sur 9"}],
}
BAD = [
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [], "responses": ["not an object"]},
    {"events": [{"event": "slot", "name": 3, "value": 1}]},
    {"events": [{"event": "slot", "name": "headcount"}]},  # a slot event without its value
    {"events": [{"event": "slot", "name": "headcount", "value": 1, "timestamp": "hier"}]},
    {"events": [{"name": "headcount", "value": 1}]},  # no event name
    {"events": [{"event": 7}]},
    {"events": ["slot"]},
    {"events": None, "responses": []},
    {"events": [{"event": "slot", "name": "headcount", "value": 1, "metadata": "texte"}]},
    {"events": [GOOD["events"][0], {"event": "user", "text": 5}]},  # one bad event after a good one
    ["not", "an", "object"],
]
MORE_GOOD = [
    {"events": [], "responses": []},
    {},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "eligibility_form"},
                {"event": "slot", "name": "quiz_retry", "value": True, "timestamp": None, "metadata": {"a": 1}}]},
    {"events": [{"event": "bot", "text": "Bonjour", "data": {}}, {"event": "action_execution_rejected", "name": "x"}],
     "responses": [{"text": "Bonjour", "buttons": [{"title": "Oui", "payload": "/affirm"}]}]},
]


def rasas_own(monkeypatch):
    """Rasa's own methods in place of the fixes, until the end of the test."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", rasa_tuning.rasa_validate_action_result)
    monkeypatch.setattr(SpacyNLP, "load_model", staticmethod(rasa_tuning._load_spacy_model))
    monkeypatch.setattr(Message, "_combine_features", staticmethod(rasa_tuning.rasa_combine_features))
    monkeypatch.setattr(Message, "get_all_features", rasa_tuning.rasa_get_all_features)
    monkeypatch.setattr(DialogueStateTracker, "applied_events", rasa_tuning.rasa_applied_events)
    monkeypatch.setattr(EndpointConfig, "session", rasa_tuning.rasa_endpoint_session)
    monkeypatch.setattr(DaskGraphRunner, "run", rasa_tuning.rasa_run_graph)
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(rasa_tuning.rasa_resolve_by_type))
    monkeypatch.setattr(model_data_utils, "_create_fake_features", rasa_tuning.rasa_create_fake_features)
    monkeypatch.setattr(RasaModel, "_rasa_predict", rasa_tuning.rasa_rasa_predict)
    monkeypatch.setattr(DialogueStateTracker, "copy", rasa_tuning.rasa_tracker_copy)
    monkeypatch.setattr(FormAction, "_temporary_tracker", rasa_tuning.rasa_temporary_tracker)
    monkeypatch.setattr(DialogueStateTracker, "past_states", rasa_tuning.rasa_past_states)
    monkeypatch.setattr(MessageProcessor, "_check_for_unseen_features", rasa_tuning.rasa_check_for_unseen_features)
    monkeypatch.setattr(DIETClassifier, "_create_model_data", rasa_tuning.rasa_create_model_data)
    monkeypatch.setattr(RasaModel, "run_inference", rasa_tuning.rasa_run_inference)
    monkeypatch.setattr(RasaModel, "load", classmethod(rasa_tuning.rasa_model_load))


@pytest.fixture
def tuned(monkeypatch):
    """The fixes applied for one test, Rasa's own methods back afterwards."""
    rasas_own(monkeypatch)
    assert rasa_tuning.apply()


@pytest.mark.parametrize("answer", [GOOD, *MORE_GOOD])
def test_valid_action_server_answers_pass(answer, tuned):
    assert rasa_tuning.rasa_validate_action_result(RemoteAction("action_x", None), answer)  # Rasa agrees
    assert RemoteAction("action_x", None)._validate_action_result(answer)


def test_valid_answers_take_the_per_event_check_only(tuned, monkeypatch):
    """The full oneOf check (0.65 ms per event) runs only for answers the per-event check refuses."""
    def full_check(_action):
        raise AssertionError("full schema check used for a valid answer")

    monkeypatch.setattr(rasa_tuning, "_response_validator", full_check)
    for answer in [GOOD, *MORE_GOOD]:
        assert RemoteAction("action_x", None)._validate_action_result(answer)


def test_remembered_event_checks_give_the_same_verdicts(tuned):
    """Each event's check is remembered by its JSON text: a seen event keeps its verdict, a near one gets its own."""
    checks = rasa_tuning._fast_checks(RemoteAction("action_x", None))
    good = {"event": "slot", "name": "headcount", "value": 1, "timestamp": 1.5}
    bad = {"event": "slot", "name": "headcount", "value": 1, "timestamp": "hier"}
    other_value = {"event": "slot", "name": "headcount", "value": "1", "timestamp": 1.5}
    for _ in range(2):  # the second round comes from memory
        for event, valid in ((good, True), (bad, False), (other_value, True), ({"event": "slot", "name": 3, "value": 1}, False)):
            assert checks.is_valid({"events": [event]}) is valid
            assert checks.by_name["slot"].is_valid(event) is valid  # what jsonschema says
    assert len(checks.known) >= 4


@pytest.mark.parametrize("answer", BAD)
def test_invalid_answers_are_refused_with_the_error_rasa_would_give(answer, tuned):
    action = RemoteAction("action_x", None)
    with pytest.raises(jsonschema.ValidationError) as original:
        rasa_tuning.rasa_validate_action_result(action, answer)
    with pytest.raises(jsonschema.ValidationError) as ours:
        action._validate_action_result(answer)
    assert ours.value.message == original.value.message
    assert "Failed to validate Action server response" in ours.value.message


def test_another_rasa_version_is_left_alone(monkeypatch):
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    before = RemoteAction._validate_action_result
    assert rasa_tuning.apply() is False
    assert RemoteAction._validate_action_result is before


def test_spacy_runs_without_its_entity_recogniser_and_gives_the_same_features(tuned):
    tuned_model = SpacyNLP.load_model("fr_core_news_sm").model
    assert "ner" not in tuned_model.pipe_names
    stock = spacy.load("fr_core_news_sm", disable=["parser"])  # what Rasa trained with
    for text in ["Combien coûte l'appui pour une PME de 42 salariés à Villeurbanne ?",
                 "on est une association, je suis élu au CSE", "oui", "C'est quoi le comité de sélection ?"]:
        ours, theirs = tuned_model(text), stock(text)
        assert np.allclose(ours.vector, theirs.vector)
        assert [(t.text, t.lemma_, t.pos_) for t in ours] == [(t.text, t.lemma_, t.pos_) for t in theirs]


def test_free_memory_is_given_back_to_the_system():
    assert rasa_tuning.release_free_memory() is True  # glibc here: malloc_trim ran


def test_the_rest_channel_trims_memory_and_closes_kept_sessions_with_the_server():
    from bot.channels import SiteRestInput

    blueprint = SiteRestInput().blueprint(lambda message: None)
    listeners = [(listener.event, listener.listener) for listener in blueprint._future_listeners]
    assert ("after_server_start", rasa_tuning.release_free_memory_every_minute) in listeners
    assert ("before_server_stop", rasa_tuning.stop_releasing_free_memory) in listeners
    assert ("before_server_stop", rasa_tuning.close_kept_sessions) in listeners


def test_the_minute_trimming_ends_when_the_server_stops():
    import asyncio
    from types import SimpleNamespace

    app = SimpleNamespace(ctx=SimpleNamespace())

    async def start_then_stop():
        await rasa_tuning.release_free_memory_every_minute(app, None)
        assert not app.ctx.memory_trimming.done()  # trimming every minute while the server runs
        await rasa_tuning.stop_releasing_free_memory(app, None)
        await asyncio.sleep(0)
        return app.ctx.memory_trimming.cancelled()

    assert asyncio.run(start_then_stop())  # nothing left pending for the log's "Task was destroyed" at exit


def test_an_answer_schema_of_another_shape_is_checked_the_full_way(tuned, monkeypatch):
    class OtherAction(RemoteAction):
        @staticmethod
        def action_response_format_spec():
            return {"type": "object", "properties": {"events": {"type": "array"}}}  # no per-event alternatives

    action = OtherAction("action_x", None)
    assert rasa_tuning._fast_checks(action) is None
    assert action._validate_action_result({"events": [{"anything": 1}]})
    with pytest.raises(jsonschema.ValidationError):
        action._validate_action_result({"events": "not a list"})


def _features(rows, widths, kind="sequence", fmt="coo"):
    generator = np.random.default_rng(7)
    matrices = [scipy.sparse.random(rows, width, density=0.2, format=fmt, dtype=np.float32, random_state=generator)
                if fmt else generator.random((rows, width)) for width in widths]
    return [Features(matrix, kind, "text", f"featurizer{i}") for i, matrix in enumerate(matrices)]


@pytest.mark.parametrize("features", [
    _features(12, [1697, 8018, 40, 5]),  # the four sparse featurizers of a 12-token message
    _features(1, [1697, 8018, 40, 5], kind="sentence"),
    _features(3, [10, 20], fmt="csr"),
    _features(4, [96, 96], fmt=None),  # dense
    _features(4, [8]),  # a single featurizer
])
def test_features_are_joined_into_the_same_matrix_as_rasa_joins_them(features, tuned):
    ours = Message._combine_features(features, ["a", "b"])
    theirs = rasa_tuning.rasa_combine_features(features, ["a", "b"])
    assert (ours.type, ours.attribute, ours.origin) == (theirs.type, theirs.attribute, theirs.origin)
    assert type(ours.features) is type(theirs.features) and ours.features.dtype == theirs.features.dtype
    if ours.is_sparse():
        assert ours.features.format == theirs.features.format
        ours_coo, theirs_coo = ours.features.tocoo(), theirs.features.tocoo()
        for part in ("row", "col", "data"):
            assert np.array_equal(getattr(ours_coo, part), getattr(theirs_coo, part))
    else:
        assert np.array_equal(ours.features, theirs.features)
    assert ours.fingerprint() == theirs.fingerprint()
    for feature in features:  # the inputs are left as they were
        assert feature.origin.startswith("featurizer")


def test_features_are_joined_once_per_message_until_one_is_added(tuned):
    message = Message(data={"text": "les TPE y ont droit ?"})
    for feature in _features(5, [1697, 8018]) + _features(1, [1697, 8018], kind="sentence") + _features(5, [96], fmt=None):
        message.add_features(feature)
    first = message.get_all_features("text")
    second = message.get_all_features("text")  # the ResponseSelector, after DIET
    assert [f.fingerprint() for f in first] == [f.fingerprint() for f in rasa_tuning.rasa_get_all_features(message, "text")]
    assert all(a is b for a, b in zip(first, second)) and first is not second
    only_one = message.get_all_features("text", ["featurizer1"])  # other featurizers, another join
    assert [f.fingerprint() for f in only_one] == [
        f.fingerprint() for f in rasa_tuning.rasa_get_all_features(message, "text", ["featurizer1"])]
    assert [f.fingerprint() for f in only_one] != [f.fingerprint() for f in first]
    message.add_features(Features(np.ones((1, 3)), "sentence", "text", "late"))
    after = message.get_all_features("text")
    assert [f.fingerprint() for f in after] == [f.fingerprint() for f in rasa_tuning.rasa_get_all_features(message, "text")]
    assert [f.fingerprint() for f in after] != [f.fingerprint() for f in first]


def _quiz_events():
    """A conversation with what changes the applied events: form loop, corrections, rewinds, restart, new session."""
    said = lambda text, intent: UserUttered(text, {"name": intent, "confidence": 0.9})  # noqa: E731
    return [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        said("je veux faire le test", "quiz_start"), ActionExecuted("eligibility_form"), ActiveLoop("eligibility_form"),
        SlotSet("requested_slot", "structure"), ActionExecuted("action_listen"),
        said("une association", "inform"), ActionExecuted("eligibility_form"), SlotSet("structure", "association"),
        ActionExecuted("action_listen"), said("combien ça coûte ?", "faq"), ActionExecuted("action_answer_faq"),
        ActionExecuted("eligibility_form"), ActionExecuted("action_listen"), said("euh", "nlu_fallback"),
        UserUtteranceReverted(), ActionExecuted("action_listen"), said("42 salariés", "inform"),
        ActionExecuted("eligibility_form"), ActionReverted(), ActionExecuted("eligibility_form"),
        SlotSet("headcount", 42), ActiveLoop(None), ActionExecuted("action_eligibility_verdict"),
        ActionExecuted("action_listen"), said("recommencer", "restart"), Restarted(), ActionExecuted("action_listen"),
        said("bonjour", "greet"), ActionExecuted("utter_greet"), ActionExecuted("action_listen"),
        said("combien pour nous ?", "funding"), ActionExecuted("funding_form"), ActiveLoop("funding_form"),
        SlotSet("requested_slot", "consultant_days"), ActionExecuted("action_listen"), said("4 jours", "inform"),
        ActionExecuted("funding_form"), SlotSet("consultant_days", 4), ActiveLoop(None),
        ActionExecuted("action_funding_estimate"), ActionExecuted("action_listen"),
    ]


def test_applied_events_are_rasas_after_every_event(tuned):
    tracker = DialogueStateTracker("visitor", slots=[])
    seen_changes = 0
    for event in _quiz_events():
        before = tracker.applied_events()
        tracker.update(event)
        ours = tracker.applied_events()
        assert ours == rasa_tuning.rasa_applied_events(tracker)
        seen_changes += ours != before + [event]  # a rewind, loop or restart took events away
        ours.clear()  # a caller's list is its own
        assert tracker.applied_events() == rasa_tuning.rasa_applied_events(tracker)
    assert seen_changes >= 3
    copy = tracker.copy()
    assert copy.applied_events() == tracker.applied_events()


def test_applied_events_go_on_from_the_last_result(tuned, monkeypatch):
    tracker = DialogueStateTracker("visitor", slots=[])
    for event in _quiz_events():
        tracker.update(event)
    tracker.applied_events()
    steps = []
    monkeypatch.setattr(rasa_tuning, "_apply", lambda *args: steps.append(args[2]) or rasa_tuning_apply(*args))
    tracker.update(UserUttered("merci", {"name": "thanks", "confidence": 0.9}))
    assert tracker.applied_events() == rasa_tuning.rasa_applied_events(tracker)
    assert len(steps) == 1  # the new event only, not the whole conversation again


rasa_tuning_apply = rasa_tuning._apply


def test_features_that_do_not_fit_together_get_rasas_error(tuned):
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        Message._combine_features(_features(3, [5]) + _features(4, [5]), ["a"])
    with pytest.raises(ValueError, match="Cannot combine sparse and dense"):
        Message._combine_features(_features(3, [5]) + _features(3, [5], fmt=None), ["a"])


TINY_NLU = """version: "3.1"
nlu:
  - intent: greet
    examples: |
      - bonjour
      - salut
      - bonsoir à vous
      - coucou
  - intent: faq/cout
    examples: |
      - combien ça coûte
      - quel est le prix
      - c'est payant ?
      - quel tarif
  - intent: faq/territoire
    examples: |
      - quelle région
      - où se trouve la structure
      - c'est pour quel territoire
      - on est à Lyon, ça marche ?
responses:
  utter_faq/cout:
    - text: "Le coût dépend de l'appui."
  utter_faq/territoire:
    - text: "La région Auvergne-Rhône-Alpes."
"""
TINY_CONFIG = """recipe: default.v1
language: fr
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 2
    max_ngram: 3
  - name: DIETClassifier
    epochs: 3
    number_of_transformer_layers: 1
    transformer_size: 32
    entity_recognition: false
  - name: ResponseSelector
    retrieval_intent: faq
    epochs: 3
policies: []
"""
QUESTIONS = ["bonjour", "combien ça coûte", "c'est où ?", "quel prix pour Lyon", "salut, quel territoire"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A small DIET and ResponseSelector model, trained in a few seconds."""
    from rasa.model_training import train_nlu

    folder = tmp_path_factory.mktemp("tiny")
    (folder / "nlu.yml").write_text(TINY_NLU, encoding="utf-8")
    (folder / "config.yml").write_text(TINY_CONFIG, encoding="utf-8")
    path = train_nlu(str(folder / "config.yml"), str(folder / "nlu.yml"), str(folder), fixed_model_name="tiny")
    return path


def _answers(model_path):
    """Intent rankings and selected answers of the model, as Rasa gives them to the dialogue."""
    import asyncio

    from rasa.core.agent import Agent

    agent = Agent.load(model_path)

    async def parse():
        return [await agent.parse_message(text) for text in QUESTIONS]

    return [(parsed["intent_ranking"], parsed["response_selector"]) for parsed in asyncio.run(parse())]


def test_classifiers_load_without_a_training_step_and_answer_as_with_rasas_loader(tiny_model, tuned, monkeypatch):
    from rasa.utils.tensorflow.models import RasaModel

    tuned_answers = None
    direct_calls = []
    with monkeypatch.context() as during_load:
        def no_training(*_args, **_kwargs):
            raise AssertionError("a training step at load")

        swap = rasa_tuning.call_directly

        def call_directly(model):
            swap(model)
            direct_calls.append(isinstance(model._tf_predict_step, rasa_tuning.DirectCall))

        during_load.setattr(RasaModel, "fit", no_training)
        during_load.setattr(rasa_tuning, "call_directly", call_directly)
        tuned_answers = _answers(tiny_model)
    assert direct_calls == [True, True]  # DIET and the ResponseSelector answer through their graphs directly
    monkeypatch.setattr(RasaModel, "load", classmethod(rasa_tuning.rasa_model_load))
    assert _answers(tiny_model) == tuned_answers


def test_a_direct_call_gives_the_functions_outputs_and_leaves_other_inputs_to_it():
    @tf.function(input_signature=[[tf.TensorSpec([None, 3], tf.float32), tf.TensorSpec([None], tf.int64)]])
    def predict(batch):
        return {"score": tf.reduce_sum(batch[0], axis=-1) * tf.cast(batch[1], tf.float32)}

    predict((np.ones((2, 3), np.float32), np.arange(2)))  # traced once, as Rasa's warm-up prediction does
    direct = rasa_tuning.DirectCall(predict)
    batch = (np.random.default_rng(3).random((5, 3)).astype(np.float32), np.arange(5))
    assert np.array_equal(direct(batch)["score"].numpy(), predict(batch)["score"].numpy())
    with pytest.raises(ValueError):  # a shape the signature refuses: the function's own error
        direct((np.ones((2, 4), np.float32), np.arange(2)))
    with pytest.raises((TypeError, ValueError)):
        direct((np.ones((2, 3), np.float32),))


def test_prediction_outputs_are_made_numpy_as_keras_makes_them():
    from keras.utils import tf_utils

    outputs = {"i_scores": tf.constant([[0.25, 0.75]]), "t": tf.constant(3), "diagnostic_data": {
        "attention_weights": tf.zeros((1, 0)), "text_transformed": tf.ones((1, 2, 4))}, "pair": (tf.constant(1.5), [tf.constant([1])])}
    ours, keras_ = rasa_tuning.to_numpy(outputs), tf_utils.sync_to_numpy_or_python_type(outputs)
    assert list(ours) == list(keras_) and list(ours["diagnostic_data"]) == list(keras_["diagnostic_data"])
    assert ours["t"] == keras_["t"] == 3 and type(ours["t"]) is type(keras_["t"]) is int
    assert ours["pair"][0] == keras_["pair"][0] == 1.5 and type(ours["pair"]) is tuple
    np.testing.assert_array_equal(ours["i_scores"], keras_["i_scores"])
    assert ours["diagnostic_data"]["attention_weights"].shape == (1, 0)
    odd = {"scores": tf.constant([1.0]), "sparse": tf.sparse.from_dense([[0, 1]])}  # keras leaves sparse tensors as they are
    assert isinstance(rasa_tuning.to_numpy(odd)["sparse"], tf.SparseTensor)


def test_action_server_calls_reuse_one_connection_with_rasas_request(tuned):
    """Two actions in a row go over one kept connection (Rasa's own session opens one per call), same answers."""
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    async def scenario():
        seen = []

        async def webhook(request: web.Request) -> web.Response:
            body = await request.json()
            seen.append((request.transport.get_extra_info("peername")[1], request.headers.get("Authorization"),
                         request.headers.get("X-Site")))
            return web.json_response({"events": [], "responses": [{"text": body["next_action"]}]})

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"X-Site": "aract"},
                                  basic_auth={"username": "rasa", "password": "secret"})
        answers = [await endpoint.request(json={"next_action": name}, method="post") for name in ("a", "b")]
        kept = list(seen)
        await rasa_tuning.close_kept_sessions()
        EndpointConfig.session = rasa_tuning.rasa_endpoint_session  # Rasa's own, to compare
        seen.clear()
        rasa_answers = [await endpoint.request(json={"next_action": name}, method="post") for name in ("a", "b")]
        EndpointConfig.session = rasa_tuning.endpoint_session
        await runner.cleanup()
        return answers, kept, rasa_answers, list(seen)

    answers, kept, rasa_answers, rasa_seen = asyncio.run(scenario())
    assert answers == rasa_answers == [{"events": [], "responses": [{"text": "a"}]}, {"events": [], "responses": [{"text": "b"}]}]
    assert kept[0][1:] == rasa_seen[0][1:] and kept[0][1].startswith("Basic ") and kept[0][2] == "aract"
    assert kept[0][0] == kept[1][0]  # the same client port: one connection for both calls
    assert rasa_seen[0][0] != rasa_seen[1][0]  # what the fix saves: Rasa connects again for each call


@pytest.mark.parametrize("value", [
    {"next_action": "validate_eligibility_form", "tracker": {"events": [
        {"event": "user", "text": "on est 42 à Clermont-Ferrand, l'équipe € / « ok »", "timestamp": 1732745712.1234567,
         "parse_data": {"intent": {"name": "inform", "confidence": 0.30000000000000004}, "entities": []}}],
        "slots": {"headcount": 42, "rate": 1e-07, "none": None, "flag": True}}},
    {1: "une clé entière", "big": 2 ** 70, "nan": float("nan"), "inf": float("inf")},
    ["\u2028", "a\"b", "\\", ""],
])
def test_request_bodies_carry_the_same_json_data(value):
    ours = json.loads(rasa_tuning.dumps_json(value))
    theirs = json.loads(json.dumps(value))
    assert json.dumps(ours, sort_keys=True) == json.dumps(theirs, sort_keys=True)  # NaN-safe comparison


def test_what_ujson_refuses_gets_jsons_own_answer():
    with pytest.raises(TypeError):  # what Rasa's json.dumps raises for an object it cannot write
        rasa_tuning.dumps_json({"when": object()})
    assert json.loads(rasa_tuning.dumps_json({"huge": 2 ** 200})) == {"huge": 2 ** 200}


def test_kept_sessions_are_closed_when_the_server_stops():
    import asyncio

    from rasa.utils.endpoints import EndpointConfig

    async def scenario():
        session = rasa_tuning.endpoint_session(EndpointConfig("http://127.0.0.1:9/webhook")).session
        again = rasa_tuning.endpoint_session(EndpointConfig("http://127.0.0.1:9/other")).session
        await rasa_tuning.close_kept_sessions()
        return session is again, session.closed

    assert asyncio.run(scenario()) == (True, True)  # one session for the same settings, closed at the stop


class _Node:
    """Stands for a GraphNode: records its calls, returns its name and what it received."""

    def __init__(self, name, calls, fail=None):
        self.name, self.calls, self.fail = name, calls, fail

    def __call__(self, *received):
        self.calls.append(self.name)
        if self.fail:
            raise self.fail
        return self.name, [item[1] if isinstance(item, tuple) else f"unresolved {item}" for item in received]


def _runner(nodes, targets, fail=None):
    """A DaskGraphRunner over a schema of nodes {name: {parameter: need}}, without any component."""
    from rasa.engine.graph import GraphSchema, SchemaNode
    from rasa.engine.runner.dask import DaskGraphRunner

    calls = []
    runner = DaskGraphRunner.__new__(DaskGraphRunner)
    runner._graph_schema = GraphSchema({
        name: SchemaNode(needs=needs, uses=object, constructor_name="load", fn="run", config={},
                         is_target=name in targets) for name, needs in nodes.items()})
    runner._instantiated_nodes = {name: _Node(name, calls, fail if name == "parse" else None) for name in nodes}
    runner._execution_context = None  # only logged by Rasa
    return runner, calls


GRAPH = {  # the shape of our NLU and dialogue graphs: a chain, providers beside it, a node nothing needs
    "converter": {"messages": "__message__"},
    "provide_model": {},
    "tokenize": {"messages": "converter", "model": "provide_model"},
    "featurize": {"messages": "tokenize"},
    "parse": {"messages": "featurize", "model": "provide_model"},
    "policy": {"tracker": "__tracker__", "domain": "domain_provider"},
    "domain_provider": {},
    "select": {"policy": "policy", "domain": "domain_provider", "tracker": "__tracker__"},
    "unused": {"messages": "tokenize"},
}


@pytest.mark.parametrize("targets, inputs", [
    (["parse"], {"__message__": ["bonjour"]}),
    (["select"], {"__tracker__": "tracker"}),
    (["parse", "select"], {"__message__": ["bonjour"], "__tracker__": "tracker"}),
    (["select"], {}),  # a placeholder nobody gives: passed as its name, as dask does
    (["parse"], {"tokenize": ["given"]}),  # an input in place of a node: the node and what only it needs do not run
])
def test_the_graph_runs_the_nodes_rasa_runs_and_gives_the_same_results(targets, inputs):
    ours, our_calls = _runner(GRAPH, targets)
    rasas, rasa_calls = _runner(GRAPH, targets)
    for _ in range(2):  # the second run uses the kept order
        our_calls.clear(), rasa_calls.clear()
        assert rasa_tuning.run_graph(ours, dict(inputs)) == rasa_tuning.rasa_run_graph(rasas, dict(inputs))
        assert sorted(our_calls) == sorted(rasa_calls) and len(set(our_calls)) == len(our_calls)
        for name in our_calls:  # each node after the nodes it needs
            assert all(our_calls.index(need) < our_calls.index(name) for need in GRAPH[name].values() if need in our_calls)


def test_graph_errors_are_rasas():
    from rasa.engine.exceptions import GraphRunError

    ours, _ = _runner(GRAPH, ["parse"])
    rasas, _ = _runner(GRAPH, ["parse"])
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        rasa_tuning.run_graph(ours, {"__message__": "tokenize"})
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        rasa_tuning.rasa_run_graph(rasas, {"__message__": "tokenize"})
    for fail, expected in [(RuntimeError("boom"), GraphRunError), (KeyError("boom"), KeyError)]:
        ours, _ = _runner(GRAPH, ["parse"], fail)
        rasas, _ = _runner(GRAPH, ["parse"], fail)
        with pytest.raises(expected):
            rasa_tuning.run_graph(ours, {"__message__": ["bonjour"]})
        with pytest.raises(expected):
            rasa_tuning.rasa_run_graph(rasas, {"__message__": ["bonjour"]})


def test_the_classifiers_answer_as_with_rasas_own_code_and_share_one_message_s_data(tiny_model, tuned, monkeypatch):
    """All the fixes at once give Rasa's answers; the ResponseSelector reads DIET's data and tensors of a message."""
    made, converted = [], []
    make = rasa_tuning.rasa_create_model_data
    monkeypatch.setattr(rasa_tuning, "rasa_create_model_data", lambda *args, **kwargs: made.append(1) or make(*args, **kwargs))
    convert = rasa_tuning.DirectCall._tensor
    monkeypatch.setattr(rasa_tuning.DirectCall, "_tensor", lambda *args: converted.append(1) or convert(*args))
    tuned_answers = _answers(tiny_model)
    made.clear(), converted.clear()
    _answers(tiny_model)  # loading predicts once per classifier, Rasa's way, before the direct calls
    assert len(made) == len(QUESTIONS)  # one per question, not one per classifier
    assert len(converted) == 8 * len(QUESTIONS)  # the batch's 8 arrays, made tensors once per question
    monkeypatch.setattr(rasa_tuning, "rasa_create_model_data", make)
    rasas_own(monkeypatch)
    assert _answers(tiny_model) == tuned_answers


def test_the_assistants_graphs_answer_as_with_dask(tiny_model, tuned, monkeypatch):
    from rasa.engine.runner.dask import DaskGraphRunner

    tuned_answers = _answers(tiny_model)
    monkeypatch.setattr(DaskGraphRunner, "run", rasa_tuning.rasa_run_graph)
    assert _answers(tiny_model) == tuned_answers


def test_event_classes_are_the_ones_rasa_finds(tuned):
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    for name in {cls.type_name for cls in all_subclasses(Event)}:
        for _ in range(2):
            assert rasa_tuning.resolve_by_type(name) is rasa_tuning.rasa_resolve_by_type(name)
    assert Event.from_parameters({"event": "slot", "name": "place", "value": "Lyon"}) == SlotSet("place", "Lyon")
    assert rasa_tuning.resolve_by_type("topic") is None
    assert rasa_tuning.resolve_by_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        rasa_tuning.resolve_by_type("no_such_event")
    with pytest.raises(ValueError, match="Unknown event name"):  # what a bad action server answer leads to
        Event.from_parameters({"event": "no_such_event"})


@pytest.mark.parametrize("features", [
    [_features(4, [7, 5]), _features(1, [3], "sentence", "csr")],
    [Features(np.ones((4, 96), np.float32), "sequence", "text", ["SpacyFeaturizer"]),
     Features(np.ones((1, 96), np.float32), "sentence", "text", "SpacyFeaturizer")],
])
def test_stand_in_features_are_rasas(features):
    """Features of a missing attribute: empty matrices of the same width, type and origin, like Rasa's."""
    features = [feature for group in features for feature in (group if isinstance(group, list) else [group])]
    ours = rasa_tuning.create_fake_features([[None, features]])
    rasas = rasa_tuning.rasa_create_fake_features([[None, features]])
    assert len(ours) == len(rasas) == len(features)
    for our, rasa_, original in zip(ours, rasas, features):
        assert vars(our).keys() == vars(rasa_).keys()
        assert (our.type, our.attribute, our.origin) == (rasa_.type, rasa_.attribute, rasa_.origin)
        assert type(our.features) is type(rasa_.features) and our.features.shape == rasa_.features.shape
        assert our.features.dtype == rasa_.features.dtype and our.features.shape[0] == 0
        assert our.origin is not original.origin or isinstance(original.origin, str)  # a copy, as Rasa's
        assert original.features.shape[0] > 0  # the message's own features are untouched


def _tracker_state(tracker):
    """Everything a tracker holds, slot by slot, comparable with ==."""
    others = {name: value for name, value in vars(tracker).items() if name not in ("events", "slots", "_applied_events")}
    slots = {name: (type(slot), vars(slot)) for name, slot in tracker.slots.items()}
    return others, slots, list(tracker.events), tracker.current_state(EventVerbosity.ALL)


def _domain_and_more_events():
    """The assistant's domain and `_quiz_events` with every other kind of event a conversation may hold."""
    from pathlib import Path

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (ActionExecutionRejected, BotUttered, ConversationPaused, ConversationResumed,
                                         FollowupAction, LoopInterrupted)

    domain = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))
    events = _quiz_events()
    events[8:8] = [BotUttered("Quel type de structure ?", {"buttons": []}), LoopInterrupted(True),
                   ActionExecutionRejected("eligibility_form"), FollowupAction("action_listen"), ConversationPaused(),
                   ConversationResumed(), SlotSet("place", {"name": "Lyon", "department": "69"}), SlotSet("nope", 1)]
    return domain, events


def test_past_states_are_rasas_after_every_event_and_can_be_changed_by_the_caller(tuned):
    domain, events = _domain_and_more_events()
    tracker = DialogueStateTracker("visitor", slots=domain.slots)
    longest = 0
    for event in events:
        tracker.update(event)
        for omit_unset_slots in (False, True):
            ours = rasa_tuning.past_states(tracker, domain, omit_unset_slots)
            longest = max(longest, len(ours))
            assert ours == rasa_tuning.rasa_past_states(tracker, domain, omit_unset_slots)
            for state in ours:  # what Rasa's featurizer does to the last user input, and worse
                state.get("user", {}).pop("intent", None)
                state.pop("slots", None)
            assert rasa_tuning.past_states(tracker, domain, omit_unset_slots) == rasa_tuning.rasa_past_states(
                tracker, domain, omit_unset_slots)
    assert longest >= 10  # the quiz part, before the restart
    rules = {"rule_only_slots": ["quiz_retry"], "rule_only_loops": []}
    assert rasa_tuning.past_states(tracker, domain, False, True, rules) == rasa_tuning.rasa_past_states(
        tracker, domain, False, True, rules)


def test_a_copied_tracker_is_the_one_rasas_replay_gives(tuned, monkeypatch):
    domain, events = _domain_and_more_events()
    tracker = DialogueStateTracker("visitor", slots=domain.slots)
    tracker.model_id, tracker.assistant_id = "model", "assistant"  # set by Rasa's processor, not by events
    changed_in_a_loop = False
    form = FormAction("eligibility_form", None)
    for event in events:
        tracker.update(event)
        ours, rasas = rasa_tuning.copy_tracker(tracker), rasa_tuning.rasa_tracker_copy(tracker)
        assert _tracker_state(ours) == _tracker_state(rasas)
        added = [SlotSet("headcount", 12), ActiveLoop(None)]  # what a form's validation may add
        with monkeypatch.context() as clock:  # the two events each version makes get the same time
            clock.setattr(time, "time", lambda: 1_800_000_000.0)
            assert (_tracker_state(rasa_tuning.temporary_tracker(form, tracker, list(added), domain))
                    == _tracker_state(rasa_tuning.rasa_temporary_tracker(form, tracker, list(added), domain)))
        if tracker.active_loop is not None:  # the copy is the action's own: the conversation is untouched
            before = _tracker_state(tracker)
            ours.active_loop.rejected = not ours.active_loop.rejected
            ours.interrupt_loop(not ours.active_loop.is_interrupted)
            ours.latest_action["action_name"] = "changed"
            ours.update(SlotSet("structure_type", "scop"))
            assert _tracker_state(tracker) == before
            changed_in_a_loop = True
    assert changed_in_a_loop
    empty = DialogueStateTracker("visitor", slots=domain.slots)  # nothing said yet: fresh empty messages, as Rasa's
    assert rasa_tuning.copy_tracker(empty).latest_message is not empty.latest_message
    assert _tracker_state(rasa_tuning.copy_tracker(empty)) == _tracker_state(rasa_tuning.rasa_tracker_copy(empty))


def test_intents_and_entities_the_domain_lacks_are_still_reported(tuned):
    from types import SimpleNamespace

    from rasa.shared.core.domain import Domain

    domain = Domain.from_dict({"intents": ["greet", "faq"], "entities": ["place"]})
    processor = SimpleNamespace(domain=domain)
    known = {"intent": {"name": "greet"}, "entities": [{"entity": "place"}]}
    for parse_data, warned in [(known, False), ({"intent": {"name": "unknown_intent"}, "entities": []}, True),
                               ({"intent": {"name": "faq"}, "entities": [{"entity": "city"}]}, True),
                               ({"intent": {"name": None}, "entities": None}, False)]:
        for check in (rasa_tuning.check_for_unseen_features, rasa_tuning.rasa_check_for_unseen_features):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                check(processor, parse_data)
            assert bool(caught) is warned, (check, parse_data)
    processor.domain = Domain.empty()  # an empty domain: nothing is reported, as by Rasa
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rasa_tuning.check_for_unseen_features(processor, {"intent": {"name": "unknown_intent"}, "entities": []})
    assert not caught
