"""The Rasa policy of the assistant: after every visitor message, `action_turn`; after it, listen.

The dialogue itself (flows on a stack, repair patterns) is plain Python in
`bot/dialogue/`, run by the custom action `action_turn`; this policy is the
extension point that hands it every message, as Rasa's own FlowPolicy hands
messages to its dialogue stack. It learns nothing from stories and keeps no
state: the conversation's state is in the tracker's slots.

It also makes the circuit breaker unreachable in normal use: one action per
message, never a loop. Rasa's built-in intents keep their built-in actions
(`/restart`, `/session_start`, `/back`), as RulePolicy's default rules do.
Like `bot/rasa_ext/channels.py`, this module imports Rasa; only the Rasa server loads it.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import (
    ACTION_BACK_NAME,
    ACTION_LISTEN_NAME,
    ACTION_RESTART_NAME,
    ACTION_SESSION_START_NAME,
    USER_INTENT_BACK,
    USER_INTENT_RESTART,
    USER_INTENT_SESSION_START,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

TURN_ACTION = "action_turn"
BUILT_IN = {
    USER_INTENT_RESTART: ACTION_RESTART_NAME,
    USER_INTENT_SESSION_START: ACTION_SESSION_START_NAME,
    USER_INTENT_BACK: ACTION_BACK_NAME,
}


def next_action(tracker: DialogueStateTracker) -> str:
    """`action_turn` for a message not answered yet (or Rasa's own action for its built-in intents), else listen."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            intent = (event.intent or {}).get("name")
            return BUILT_IN.get(intent, TURN_ACTION)
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            return ACTION_LISTEN_NAME  # the message already had its action: wait for the next one
        if isinstance(event, ActionExecuted):
            continue
    return ACTION_LISTEN_NAME


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class DialoguePolicy(Policy):
    """Predicts `action_turn` after each message with full confidence, and `action_listen` after it."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 6}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource  # nothing to learn: the dialogue is code, tested as such

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        probabilities[domain.index_for_action(next_action(tracker))] = 1.0
        return self._prediction(probabilities)
