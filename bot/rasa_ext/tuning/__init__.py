"""Speed and memory fixes for the Rasa 3.6 server, unless RASA_TUNING=off.

Like `bot/rasa_ext/channels.py`, this package imports Rasa and only the Rasa
server loads it. Every fix gives the same results as Rasa's code for less work,
and the tests compare it with Rasa's own (kept as `rasa_…` beside it). Where
Rasa has an extension point, the fix goes through it: the NLU fixes (`nlu`)
are used by the components of `bot/rasa_ext/nlu_components.py` named in
config.yml. Where it has none, `apply()` replaces the method, at the server's
start by `python -m bot.rasa_ext.rasa_server` (never on import):

- `action_server`: the checks of the action server's answers, and the calls
  themselves (kept connections, ujson), both made inside Rasa's RemoteAction;
- `nlu`: the joining of a message's features (Rasa's Message class);
- `dialogue`: running the graphs (the runner class is fixed in Rasa's message
  processor);
- `memory`: freed memory given back to the system (a listener of the channels).

A fix is kept only for a saving of about 2 % of the server's time or more,
measured by `python -m bench.tuning_shares` (bench/README.md).

Written against rasa 3.6.21 (requirements.lock pins it): with another version
nothing is changed and the log says so, since the replaced methods may differ.
"""

from __future__ import annotations

import logging
from typing import Any

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_ext.tuning import action_server, dialogue, nlu

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"


def fits_this_rasa() -> bool:
    """The fixes are written for one version of Rasa."""
    return rasa.__version__ == RASA_VERSION


def replacements() -> list[tuple[Any, str, Any]]:
    """Every replaced method: (class or module, attribute, our version as it is set on it)."""
    return [
        (RemoteAction, "_validate_action_result", action_server.validate_action_result),
        (EndpointConfig, "session", action_server.endpoint_session),
        (Message, "_combine_features", staticmethod(nlu.combine_features)),
        (Message, "get_all_features", nlu.get_all_features),
        (DaskGraphRunner, "run", dialogue.run_graph),
    ]


def apply() -> bool:
    """Install the fixes on the running Rasa; False (and a log line) when its version is not the one they fit."""
    if not fits_this_rasa():
        logger.warning(
            "bot.rasa_ext.tuning: Rasa %s au lieu de %s, correctifs de vitesse non appliqués",
            rasa.__version__,
            RASA_VERSION,
        )
        return False
    for owner, name, ours in replacements():
        setattr(owner, name, ours)
    return True
