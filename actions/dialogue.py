"""The one custom action: every visitor message goes through the dialogue of `bot.dialogue`."""

from __future__ import annotations

import asyncio
import logging
from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.contact import Handoff
from actions.failures import log_failure
from bot.dialogue import engine
from bot.dialogue.reading import from_parse
from bot.dialogue.state import State

logger = logging.getLogger(__name__)


class ActionTurn(Action):
    """Read the message in its context, answer it, and keep the answers and the dialogue's state as slots."""

    def name(self) -> Text:
        return "action_turn"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        slots = dict(tracker.slots)
        services = Handoff(tracker.sender_id, tracker.events)
        try:
            outcome = await asyncio.to_thread(
                engine.respond,
                from_parse(tracker.latest_message),
                slots,
                State.from_slot(slots.get("dialogue")),
                services=services,
            )
        except Exception as error:  # never a silent or dead conversation: apologise, close the flows, keep the answers
            log_failure(logger, f"the dialogue failed on a message of {tracker.sender_id}", error)
            outcome = engine.recover(slots)
        for message in outcome.messages:
            if message.custom:
                dispatcher.utter_message(json_message=dict(message.custom))
            else:
                dispatcher.utter_message(
                    text=message.text, buttons=[dict(b) for b in message.buttons], utter_action=message.key
                )
        return [
            *(SlotSet(slot, value) for slot, value in outcome.changes.items()),
            SlotSet("dialogue", outcome.state.to_slot()),
            SlotSet("last_turn", outcome.record),
        ]
