"""The fixes are applied to the Rasa version they fit only, and the server gives freed memory back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import rasa
from rasa.core.actions.action import RemoteAction

from bot.rasa_ext import tuning as rasa_tuning
from bot.rasa_ext.tuning import action_server, memory


def test_another_rasa_version_is_left_alone(monkeypatch):
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    before = RemoteAction._validate_action_result
    assert rasa_tuning.apply() is False
    assert RemoteAction._validate_action_result is before
    from bot.rasa_ext import nlu_components

    assert not nlu_components.tuned()  # the NLU components run Rasa's own code too


def test_free_memory_is_given_back_to_the_system():
    assert memory.release_free_memory() is True  # glibc here: malloc_trim ran


def test_the_rest_channel_trims_memory_and_closes_kept_sessions_with_the_server():
    from bot.rasa_ext.channels import SiteRestInput

    blueprint = SiteRestInput().blueprint(lambda message: None)
    listeners = [(listener.event, listener.listener) for listener in blueprint._future_listeners]
    assert ("after_server_start", memory.release_free_memory_every_minute) in listeners
    assert ("before_server_stop", memory.stop_releasing_free_memory) in listeners
    assert ("before_server_stop", action_server.close_kept_sessions) in listeners


def test_the_minute_trimming_ends_when_the_server_stops():
    import asyncio
    from types import SimpleNamespace

    app = SimpleNamespace(ctx=SimpleNamespace())

    async def start_then_stop():
        await memory.release_free_memory_every_minute(app, None)
        assert not app.ctx.memory_trimming.done()  # trimming every minute while the server runs
        await memory.stop_releasing_free_memory(app, None)
        await asyncio.sleep(0)
        return app.ctx.memory_trimming.cancelled()

    assert asyncio.run(start_then_stop())  # nothing left pending for the log's "Task was destroyed" at exit


def test_the_switch_reads_on_and_off_and_refuses_anything_else():
    from bot.settings import SettingsError, rasa_tuning_enabled

    assert rasa_tuning_enabled({}) and rasa_tuning_enabled({"RASA_TUNING": "on"})
    assert not rasa_tuning_enabled({"RASA_TUNING": "off"})
    with pytest.raises(SettingsError, match="RASA_TUNING"):
        rasa_tuning_enabled({"RASA_TUNING": "maybe"})


def test_importing_the_channels_changes_nothing_in_rasa_and_the_server_start_applies_the_fixes():
    probe = (
        "import bot.rasa_ext.channels; from rasa.core.actions.action import RemoteAction as R; "
        "print(R._validate_action_result.__module__); import bot.rasa_ext.rasa_server as s, rasa.__main__ as m; "
        "m.main = lambda: print(R._validate_action_result.__module__); s.main = m.main; s.run()"
    )
    for switch, applied in (("on", "bot.rasa_ext.tuning.action_server"), ("off", "rasa.core.actions.action")):
        output = subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "RASA_TUNING": switch},
        ).stdout.split()
        assert output == ["rasa.core.actions.action", applied], (switch, output)


def test_the_pipeline_names_the_nlu_components_that_carry_the_fixes():
    """spaCy, DIET and the ResponseSelector of config.yml are the subclasses of bot/rasa_ext/nlu_components.py."""
    import yaml

    from bot.rasa_ext import nlu_components

    config = yaml.safe_load((Path(__file__).resolve().parents[3] / "config.yml").read_text(encoding="utf-8"))
    names = [component["name"] for component in config["pipeline"]]
    for component in (nlu_components.SpacyNLP, nlu_components.DIETClassifier, nlu_components.ResponseSelector):
        assert f"{component.__module__}.{component.__name__}" in names
        rasas = [base for base in component.__mro__[1:] if base.__name__ == component.__name__]
        assert rasas and rasas[0].__module__.startswith("rasa.nlu.")  # a subclass of Rasa's own, same name
