"""Fixtures of the tuning tests (bot/rasa_ext/tuning/)."""

import pytest

from bot.rasa_ext import tuning as rasa_tuning
from tests.unit.rasa_ext.tuning_support import rasas_own


@pytest.fixture
def tuned(monkeypatch):
    """The fixes applied for one test, Rasa's own methods back afterwards."""
    monkeypatch.setenv("RASA_TUNING", "on")  # the components of bot/rasa_ext/nlu_components.py too
    rasas_own(monkeypatch)
    assert rasa_tuning.apply()
