"""The speed fixes change no behaviour: the same answers accepted and refused, the same NLU features."""
from __future__ import annotations

import jsonschema
import numpy as np
import pytest
import rasa
import spacy
from rasa.core.actions.action import RemoteAction
from rasa.nlu.utils.spacy_utils import SpacyNLP

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
]


@pytest.fixture
def tuned(monkeypatch):
    """The fixes applied for one test, Rasa's own methods back afterwards."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", rasa_tuning.rasa_validate_action_result)
    monkeypatch.setattr(SpacyNLP, "load_model", staticmethod(rasa_tuning._load_spacy_model))
    assert rasa_tuning.apply()


def test_valid_action_server_answers_pass(tuned):
    assert RemoteAction("action_x", None)._validate_action_result(GOOD)


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


def test_the_rest_channel_trims_memory_once_the_server_has_started():
    from bot.channels import SiteRestInput

    blueprint = SiteRestInput().blueprint(lambda message: None)
    listeners = [(listener.event, listener.listener) for listener in blueprint._future_listeners]
    assert ("after_server_start", rasa_tuning.release_free_memory_every_minute) in listeners
