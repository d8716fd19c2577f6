"""What the tests of bot/rasa_ext/tuning share: Rasa's own methods put back, features like the featurizers'."""

from __future__ import annotations

import numpy as np
import scipy.sparse
from rasa.core.actions.action import RemoteAction
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_ext.tuning import action_server, dialogue, nlu


def rasas_own(monkeypatch):
    """Rasa's own methods in place of the replacements, until the end of the test."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", action_server.rasa_validate_action_result)
    monkeypatch.setattr(Message, "_combine_features", staticmethod(nlu.rasa_combine_features))
    monkeypatch.setattr(Message, "get_all_features", nlu.rasa_get_all_features)
    monkeypatch.setattr(EndpointConfig, "session", action_server.rasa_endpoint_session)
    monkeypatch.setattr(DaskGraphRunner, "run", dialogue.rasa_run_graph)


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
