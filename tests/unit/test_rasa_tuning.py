"""The fixes are applied to the Rasa version they fit only, and the server gives freed memory back."""
from __future__ import annotations

import rasa
from rasa.core.actions.action import RemoteAction

from bot import rasa_tuning
from bot.rasa_tuning import action_server, memory


def test_another_rasa_version_is_left_alone(monkeypatch):
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    before = RemoteAction._validate_action_result
    assert rasa_tuning.apply() is False
    assert RemoteAction._validate_action_result is before


def test_free_memory_is_given_back_to_the_system():
    assert memory.release_free_memory() is True  # glibc here: malloc_trim ran


def test_the_rest_channel_trims_memory_and_closes_kept_sessions_with_the_server():
    from bot.channels import SiteRestInput

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
