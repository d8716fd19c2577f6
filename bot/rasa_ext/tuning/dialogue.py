"""Dialogue fixes of the Rasa server: graphs, tracker copies and states (rasa 3.6.21; see bot/rasa_ext/tuning/__init__.py).

Running the graphs: Rasa hands the NLU and the dialogue graphs of each
message to dask's synchronous scheduler, which works out an order of the nodes
again at every run and then calls them one at a time: 7 % of the server's time
went to that bookkeeping. The same nodes are now called, with the same
arguments, in an order of their needs worked out once per set of targets.

Work done again at every use: the conversation's applied events (all its
events minus those undone by rewinds and form loops) were worked out from
scratch twice to check the session at each message, once per prediction of
RulePolicy, and more. They are now kept on the tracker with the event count
and the last event they were computed for, and carried on as events are
added. RulePolicy's past states (the state before each action, from a replay
of the applied events into a new tracker, at each prediction) are carried on
the same way, and handed out as copies.

Copies of the conversation: before each action, Rasa copies the tracker by
replaying all its events into a new one (2 % of the time, growing with the
conversation); the copy now takes the tracker's state over (its events, a
copy of each slot, of the active loop and of the latest action), which is the
state a replay gives, and falls back to the replay where it could differ. A
form's temporary conversation (the conversation plus the form's events, built
by a replay at each validation and at each question) is made the same way. And
Rasa checked the parsed intent against the domain after first comparing the
whole domain, as a dict, with an empty one, at every message (1.7 %); whether
the domain is empty is now decided once per domain.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.core.actions.forms import FormAction
from rasa.core.processor import MessageProcessor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

rasa_run_graph = DaskGraphRunner.run  # Rasa's own, for comparison in the tests


def _graph_plan(
    self: DaskGraphRunner, targets: Tuple[Text, ...], inputs: Tuple[Text, ...]
) -> List[Tuple[Text, Any, List[Text]]]:
    """The nodes dask would run for these targets and inputs (Rasa's minimal schema, less the nodes an input
    replaces), each after the nodes it needs: (name, node, names of its needs)."""
    schema = self._graph_schema.minimal_graph_schema(list(targets))
    nodes = {name: node for name, node in schema.nodes.items() if name not in inputs}
    order: List[Text] = []
    placed: set = set()

    def place(name: Text) -> None:  # depth first: the needs of a node, then the node
        if name in placed or name not in nodes:
            return
        placed.add(name)
        for need in nodes[name].needs.values():
            place(need)
        order.append(name)

    for name in nodes:
        place(name)
    return [(name, self._instantiated_nodes[name], list(nodes[name].needs.values())) for name in order]


def run_graph(
    self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None
) -> Dict[Text, Any]:
    """`DaskGraphRunner.run` of rasa 3.6.21 with the nodes called one after the other in the order of their needs.

    dask's synchronous scheduler runs the same nodes with the same arguments,
    one at a time, in an order it works out again at every run; the order of
    independent nodes makes no difference, as a node only sees its needs."""
    run_targets = targets if targets else self._graph_schema.target_names
    inputs = inputs or {}
    key = (tuple(run_targets), tuple(inputs))
    plans = self.__dict__.setdefault("_plans", {})
    plan = plans.get(key)
    if plan is None:
        plan = plans[key] = _graph_plan(self, *key)
    for value in inputs.values():  # Rasa's own check of the inputs
        if isinstance(value, str) and any(value == node_name for node_name, _, _ in plan):
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the input names passed "
                f"to the `run` method are the same as node names in the graph schema."
            )
    results: Dict[Text, Any] = {name: (name, value) for name, value in inputs.items()}
    try:
        for name, node, needs in plan:
            # as with dask, a need that is neither a node nor an input is passed as its name (the node warns)
            results[name] = node(*[results.get(need, need) for need in needs])
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(results[target] for target in run_targets)


rasa_applied_events = DialogueStateTracker.applied_events  # Rasa's own, for comparison in the tests


def _loop_names(events: Any) -> set:
    return {event.name for event in events if isinstance(event, ActiveLoop) and event.name}


def _apply(tracker: DialogueStateTracker, applied: List[Event], event: Event, loop_names: set) -> List[Event]:
    """One step of rasa 3.6.21's `applied_events`: `applied` after `event`, with Rasa's own helpers."""
    if isinstance(event, (Restarted, SessionStarted)):
        return []
    if isinstance(event, ActionReverted):
        tracker._undo_till_previous(ActionExecuted, applied)
    elif isinstance(event, UserUtteranceReverted):  # the utterance, then the action_listen before it
        tracker._undo_till_previous(UserUttered, applied)
        tracker._undo_till_previous(ActionExecuted, applied)
    elif (
        isinstance(event, ActionExecuted)
        and event.action_name in loop_names
        and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
    ):
        tracker._undo_till_previous_loop_execution(event.action_name, applied)
    else:
        applied.append(event)
    return applied


def applied_events(self: DialogueStateTracker) -> List[Event]:
    """`DialogueStateTracker.applied_events` of rasa 3.6.21, carried on from its last result when events were added.

    Rasa works them out from the first event at every call. Events are only
    ever appended (Rasa builds a new tracker for anything else), so the last
    result holds for the events it was computed from, checked by their count and
    the last of them; only a form loop first named by a new event (which can
    change how earlier events apply) makes it start over."""
    events = self.events
    kept = self.__dict__.get("_applied_events")
    if kept is not None and kept[0] is events and len(events) >= kept[1] > 0 and events[kept[1] - 1] is kept[2]:
        new = list(itertools.islice(events, kept[1], None))
        if _loop_names(new) <= kept[3]:
            applied = list(kept[4])  # the kept list is never changed: each step may undo events in place
            for event in new:
                applied = _apply(self, applied, event, kept[3])
            if not new:
                return applied
            self.__dict__["_applied_events"] = (events, len(events), events[-1], kept[3], applied)
            return list(applied)
    loop_names = _loop_names(events)
    applied: List[Event] = []
    for event in events:
        applied = _apply(self, applied, event, loop_names)
    if events:
        self.__dict__["_applied_events"] = (events, len(events), events[-1], loop_names, applied)
    return list(applied)


rasa_past_states = DialogueStateTracker.past_states  # Rasa's own, for comparison in the tests


class _PastStates:
    """Where `past_states` got to: the applied events it has gone through, the tracker they replayed into,
    and the state before each action among them."""

    def __init__(self, tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool) -> None:
        self.domain, self.omit_unset_slots = domain, omit_unset_slots
        self.applied: List[Event] = []
        self.replay = tracker.init_copy()
        self.states: List[Dict[Text, Any]] = []


def _own_state(state: Dict[Text, Any]) -> Dict[Text, Any]:
    """A state the caller may change (Rasa's featurizer removes keys of the last user sub-state)."""
    return {kind: dict(sub_state) if isinstance(sub_state, dict) else sub_state for kind, sub_state in state.items()}


def past_states(
    self: DialogueStateTracker,
    domain: Domain,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[Text, Any]] = None,
) -> List[Any]:
    """`DialogueStateTracker.past_states` of rasa 3.6.21, carried on from the last call when events were added.

    Rasa replays every applied event into a new tracker and takes the state
    before each action, at every prediction of RulePolicy (several per
    message). The replay and the states so far are kept on the tracker and
    carried on while its applied events only grow; the states handed out are
    copies. Ignoring rule-only turns (ML policies, which we do not use) is
    left to Rasa."""
    if ignore_rule_only_turns:
        return rasa_past_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    applied = self.applied_events()
    kept = self.__dict__.get("_past_states")
    if (
        kept is None
        or kept.domain is not domain
        or kept.omit_unset_slots != omit_unset_slots
        or len(applied) < len(kept.applied)
        or any(old is not new for old, new in zip(kept.applied, applied))
    ):
        kept = self.__dict__["_past_states"] = _PastStates(self, domain, omit_unset_slots)
    for event in applied[len(kept.applied) :]:  # Rasa's `generate_all_prior_trackers`, from where it got to
        if isinstance(event, ActionExecuted):
            kept.states.append(domain.get_active_state(kept.replay, omit_unset_slots=omit_unset_slots))
        kept.replay.update(event)
        kept.applied.append(event)
    # States from `get_active_state` are already clean (Rasa cleans them twice); the last one is new, the others copies.
    return [_own_state(state) for state in kept.states] + [
        domain.get_active_state(kept.replay, omit_unset_slots=omit_unset_slots)
    ]


rasa_tracker_copy = DialogueStateTracker.copy  # Rasa's own, for comparison in the tests


def _state_copy(
    tracker: DialogueStateTracker, sender_id: Text, max_event_history: Optional[int], is_rule_tracker: bool
) -> DialogueStateTracker:
    """A new tracker with `tracker`'s events and the state they gave it (what a replay of them gives)."""
    copied = DialogueStateTracker(sender_id, [], max_event_history, is_rule_tracker=is_rule_tracker)
    events = tracker.events
    copied.events = copied._create_events(list(events))
    copied.slots = {name: copy.copy(slot) for name, slot in tracker.slots.items()}
    copied._paused = tracker._paused
    copied.followup_action = tracker.followup_action
    copied.latest_action = copy.copy(tracker.latest_action)
    copied.active_loop = copy.copy(tracker.active_loop)
    # A replay leaves a fresh empty message until an event sets one: share only what events set.
    if any(event is tracker.latest_message for event in events):
        copied.latest_message = tracker.latest_message
    if any(event is tracker.latest_bot_utterance for event in events):
        copied.latest_bot_utterance = tracker.latest_bot_utterance
    return copied


def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    """`DialogueStateTracker.copy` of rasa 3.6.21 without replaying every event into the new tracker.

    Rasa copies the conversation before running each action, by replaying all
    its events into a new tracker. A tracker's state is what its events made it,
    so the copy takes that state over: the events, a copy of each slot, of the
    active loop and of the latest action, the latest message and bot utterance
    (the events themselves, as a replay shares them), and the rest as
    `init_copy` sets it. Anything a replay could make differently (no slots
    declared, a capped history, an event a replay would stop at) is copied
    Rasa's way."""
    if (
        type(self.slots) is not dict
        or self._max_event_history is not None
        or any(not event.timestamp <= float("inf") for event in self.events)
    ):
        return rasa_tracker_copy(self)
    return _state_copy(self, self.sender_id or DEFAULT_SENDER_ID, None, self.is_rule_tracker)


rasa_temporary_tracker = FormAction._temporary_tracker  # Rasa's own, for comparison in the tests


def temporary_tracker(
    self: FormAction, current_tracker: DialogueStateTracker, additional_events: List[Event], domain: Domain
) -> DialogueStateTracker:
    """`FormAction._temporary_tracker` of rasa 3.6.21: the conversation with the form's events added, made from the
    conversation's state (as `copy_tracker` does) instead of replaying its events into a tracker with the
    domain's slots, when both give the same state: no restart, the domain's slots and no capped history."""
    slots = current_tracker.slots
    if (
        type(slots) is not dict
        or current_tracker._max_event_history is not None
        or current_tracker.is_rule_tracker
        or len(slots) != len(domain.slots)
        or any(type(slots.get(slot.name)) is not type(slot) for slot in domain.slots)
        or current_tracker.idx_after_latest_restart() != 0
    ):
        return rasa_temporary_tracker(self, current_tracker, additional_events, domain)
    tracker = _state_copy(current_tracker, current_tracker.sender_id, None, False)
    for event in [
        SlotSet(REQUESTED_SLOT, self.get_slot_to_fill(current_tracker)),
        ActionExecuted(self.name()),
        *additional_events,
    ]:
        tracker.update(event)
    return tracker


rasa_check_for_unseen_features = MessageProcessor._check_for_unseen_features  # Rasa's own, for the tests


def check_for_unseen_features(self: MessageProcessor, parse_data: Dict[Text, Any]) -> None:
    """`MessageProcessor._check_for_unseen_features` of rasa 3.6.21, with whether the domain is empty decided once
    per domain: Rasa compares the whole domain, as a dict, with a new empty one at every message."""
    domain = self.domain
    kept = self.__dict__.get("_domain_is_empty")
    if kept is None or kept[0] is not domain:
        kept = self.__dict__["_domain_is_empty"] = (domain, not domain or domain.is_empty())
    if kept[1]:
        return
    intent = parse_data["intent"][INTENT_NAME_KEY]
    entities = parse_data["entities"] or []
    if (intent and intent not in domain.intents) or any(
        element["entity"] and element["entity"] not in domain.entities for element in entities
    ):
        rasa_check_for_unseen_features(self, parse_data)  # Rasa's own warnings
