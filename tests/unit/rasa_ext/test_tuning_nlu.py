"""The NLU fixes give Rasa's features, predictions and answers."""

from __future__ import annotations

import numpy as np
import pytest
import spacy
import tensorflow as tf
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_ext.nlu_components import SpacyNLP
from bot.rasa_ext.tuning import dialogue, nlu
from tests.unit.rasa_ext.tuning_support import features_of, rasas_own


def test_spacy_runs_without_its_entity_recogniser_and_gives_the_same_features(monkeypatch):
    tuned_model = SpacyNLP.load_model("fr_core_news_sm").model
    assert "ner" not in tuned_model.pipe_names
    monkeypatch.setenv("RASA_TUNING", "off")
    assert "ner" in SpacyNLP.load_model("fr_core_news_sm").model.pipe_names  # Rasa's own loader
    stock = spacy.load("fr_core_news_sm", disable=["parser"])  # what Rasa trained with
    for text in [
        "Combien coûte l'appui pour une PME de 42 salariés à Villeurbanne ?",
        "on est une association, je suis élu au CSE",
        "oui",
        "C'est quoi le comité de sélection ?",
    ]:
        ours, theirs = tuned_model(text), stock(text)
        assert np.allclose(ours.vector, theirs.vector)
        assert [(t.text, t.lemma_, t.pos_) for t in ours] == [(t.text, t.lemma_, t.pos_) for t in theirs]


@pytest.mark.parametrize(
    "features",
    [
        features_of(12, [1697, 8018, 40, 5]),  # the four sparse featurizers of a 12-token message
        features_of(1, [1697, 8018, 40, 5], kind="sentence"),
        features_of(3, [10, 20], fmt="csr"),
        features_of(4, [96, 96], fmt=None),  # dense
        features_of(4, [8]),  # a single featurizer
    ],
)
def test_features_are_joined_into_the_same_matrix_as_rasa_joins_them(features, tuned):
    ours = Message._combine_features(features, ["a", "b"])
    theirs = nlu.rasa_combine_features(features, ["a", "b"])
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
    for feature in (
        features_of(5, [1697, 8018]) + features_of(1, [1697, 8018], kind="sentence") + features_of(5, [96], fmt=None)
    ):
        message.add_features(feature)
    first = message.get_all_features("text")
    second = message.get_all_features("text")  # the ResponseSelector, after DIET
    assert [f.fingerprint() for f in first] == [f.fingerprint() for f in nlu.rasa_get_all_features(message, "text")]
    assert all(a is b for a, b in zip(first, second)) and first is not second
    only_one = message.get_all_features("text", ["featurizer1"])  # other featurizers, another join
    assert [f.fingerprint() for f in only_one] == [
        f.fingerprint() for f in nlu.rasa_get_all_features(message, "text", ["featurizer1"])
    ]
    assert [f.fingerprint() for f in only_one] != [f.fingerprint() for f in first]
    message.add_features(Features(np.ones((1, 3)), "sentence", "text", "late"))
    after = message.get_all_features("text")
    assert [f.fingerprint() for f in after] == [f.fingerprint() for f in nlu.rasa_get_all_features(message, "text")]
    assert [f.fingerprint() for f in after] != [f.fingerprint() for f in first]


def test_features_that_do_not_fit_together_get_rasas_error(tuned):
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        Message._combine_features(features_of(3, [5]) + features_of(4, [5]), ["a"])
    with pytest.raises(ValueError, match="Cannot combine sparse and dense"):
        Message._combine_features(features_of(3, [5]) + features_of(3, [5], fmt=None), ["a"])


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
  - name: bot.rasa_ext.nlu_components.DIETClassifier
    epochs: 3
    number_of_transformer_layers: 1
    transformer_size: 32
    entity_recognition: false
  - name: bot.rasa_ext.nlu_components.ResponseSelector
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

        swap = nlu.call_directly

        def call_directly(model):
            swap(model)
            direct_calls.append(isinstance(model._tf_predict_step, nlu.DirectCall))

        during_load.setattr(RasaModel, "fit", no_training)
        during_load.setattr(nlu, "call_directly", call_directly)
        tuned_answers = _answers(tiny_model)
    assert direct_calls == [True, True]  # DIET and the ResponseSelector answer through their graphs directly
    monkeypatch.setenv("RASA_TUNING", "off")  # the components are Rasa's own: its loader, its calls
    assert _answers(tiny_model) == tuned_answers


def test_a_direct_call_gives_the_functions_outputs_and_leaves_other_inputs_to_it():
    @tf.function(input_signature=[[tf.TensorSpec([None, 3], tf.float32), tf.TensorSpec([None], tf.int64)]])
    def predict(batch):
        return {"score": tf.reduce_sum(batch[0], axis=-1) * tf.cast(batch[1], tf.float32)}

    predict((np.ones((2, 3), np.float32), np.arange(2)))  # traced once, as Rasa's warm-up prediction does
    direct = nlu.DirectCall(predict)
    batch = (np.random.default_rng(3).random((5, 3)).astype(np.float32), np.arange(5))
    assert np.array_equal(direct(batch)["score"].numpy(), predict(batch)["score"].numpy())
    with pytest.raises(ValueError):  # a shape the signature refuses: the function's own error
        direct((np.ones((2, 4), np.float32), np.arange(2)))
    with pytest.raises((TypeError, ValueError)):
        direct((np.ones((2, 3), np.float32),))


def test_prediction_outputs_are_made_numpy_as_keras_makes_them():
    from keras.utils import tf_utils

    outputs = {
        "i_scores": tf.constant([[0.25, 0.75]]),
        "t": tf.constant(3),
        "diagnostic_data": {"attention_weights": tf.zeros((1, 0)), "text_transformed": tf.ones((1, 2, 4))},
        "pair": (tf.constant(1.5), [tf.constant([1])]),
    }
    ours, keras_ = nlu.to_numpy(outputs), tf_utils.sync_to_numpy_or_python_type(outputs)
    assert list(ours) == list(keras_) and list(ours["diagnostic_data"]) == list(keras_["diagnostic_data"])
    assert ours["t"] == keras_["t"] == 3 and type(ours["t"]) is type(keras_["t"]) is int
    assert ours["pair"][0] == keras_["pair"][0] == 1.5 and type(ours["pair"]) is tuple
    np.testing.assert_array_equal(ours["i_scores"], keras_["i_scores"])
    assert ours["diagnostic_data"]["attention_weights"].shape == (1, 0)
    odd = {
        "scores": tf.constant([1.0]),
        "sparse": tf.sparse.from_dense([[0, 1]]),
    }  # keras leaves sparse tensors as they are
    assert isinstance(nlu.to_numpy(odd)["sparse"], tf.SparseTensor)


def test_the_classifiers_answer_as_with_rasas_own_code_and_share_one_message_s_data(tiny_model, tuned, monkeypatch):
    """All the fixes at once give Rasa's answers; the ResponseSelector reads DIET's data and tensors of a message."""
    made, converted = [], []
    make = nlu.rasa_create_model_data
    monkeypatch.setattr(nlu, "rasa_create_model_data", lambda *args, **kwargs: made.append(1) or make(*args, **kwargs))
    convert = nlu.DirectCall._tensor
    monkeypatch.setattr(nlu.DirectCall, "_tensor", lambda *args: converted.append(1) or convert(*args))
    tuned_answers = _answers(tiny_model)
    made.clear(), converted.clear()
    _answers(tiny_model)  # loading predicts once per classifier, Rasa's way, before the direct calls
    assert len(made) == len(QUESTIONS)  # one per question, not one per classifier
    assert len(converted) == 8 * len(QUESTIONS)  # the batch's 8 arrays, made tensors once per question
    monkeypatch.setattr(nlu, "rasa_create_model_data", make)
    rasas_own(monkeypatch)
    monkeypatch.setenv("RASA_TUNING", "off")
    assert _answers(tiny_model) == tuned_answers


def test_the_assistants_graphs_answer_as_with_dask(tiny_model, tuned, monkeypatch):
    from rasa.engine.runner.dask import DaskGraphRunner

    tuned_answers = _answers(tiny_model)
    monkeypatch.setattr(DaskGraphRunner, "run", dialogue.rasa_run_graph)
    assert _answers(tiny_model) == tuned_answers
