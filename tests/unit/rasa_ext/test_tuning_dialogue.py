"""The dialogue fixes give Rasa's graph runs, applied events, past states and tracker copies."""

from __future__ import annotations

import time
import warnings

import pytest
from rasa.core.actions.forms import FormAction
from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext.tuning import dialogue
from tests.unit.rasa_ext.tuning_support import domain_and_more_events, quiz_events, tracker_state


def test_applied_events_are_rasas_after_every_event(tuned):
    tracker = DialogueStateTracker("visitor", slots=[])
    seen_changes = 0
    for event in quiz_events():
        before = tracker.applied_events()
        tracker.update(event)
        ours = tracker.applied_events()
        assert ours == dialogue.rasa_applied_events(tracker)
        seen_changes += ours != before + [event]  # a rewind, loop or restart took events away
        ours.clear()  # a caller's list is its own
        assert tracker.applied_events() == dialogue.rasa_applied_events(tracker)
    assert seen_changes >= 3
    copy = tracker.copy()
    assert copy.applied_events() == tracker.applied_events()


def test_applied_events_go_on_from_the_last_result(tuned, monkeypatch):
    tracker = DialogueStateTracker("visitor", slots=[])
    for event in quiz_events():
        tracker.update(event)
    tracker.applied_events()
    steps = []
    apply_one = dialogue._apply
    monkeypatch.setattr(dialogue, "_apply", lambda *args: steps.append(args[2]) or apply_one(*args))
    tracker.update(UserUttered("merci", {"name": "thanks", "confidence": 0.9}))
    assert tracker.applied_events() == dialogue.rasa_applied_events(tracker)
    assert len(steps) == 1  # the new event only, not the whole conversation again


class _Node:
    """Stands for a GraphNode: records its calls, returns its name and what it received."""

    def __init__(self, name, calls, fail=None):
        self.name, self.calls, self.fail = name, calls, fail

    def __call__(self, *received):
        self.calls.append(self.name)
        if self.fail:
            raise self.fail
        return self.name, [item[1] if isinstance(item, tuple) else f"unresolved {item}" for item in received]


def _runner(nodes, targets, fail=None):
    """A DaskGraphRunner over a schema of nodes {name: {parameter: need}}, without any component."""
    from rasa.engine.graph import GraphSchema, SchemaNode
    from rasa.engine.runner.dask import DaskGraphRunner

    calls = []
    runner = DaskGraphRunner.__new__(DaskGraphRunner)
    runner._graph_schema = GraphSchema(
        {
            name: SchemaNode(
                needs=needs, uses=object, constructor_name="load", fn="run", config={}, is_target=name in targets
            )
            for name, needs in nodes.items()
        }
    )
    runner._instantiated_nodes = {name: _Node(name, calls, fail if name == "parse" else None) for name in nodes}
    runner._execution_context = None  # only logged by Rasa
    return runner, calls


GRAPH = {  # the shape of our NLU and dialogue graphs: a chain, providers beside it, a node nothing needs
    "converter": {"messages": "__message__"},
    "provide_model": {},
    "tokenize": {"messages": "converter", "model": "provide_model"},
    "featurize": {"messages": "tokenize"},
    "parse": {"messages": "featurize", "model": "provide_model"},
    "policy": {"tracker": "__tracker__", "domain": "domain_provider"},
    "domain_provider": {},
    "select": {"policy": "policy", "domain": "domain_provider", "tracker": "__tracker__"},
    "unused": {"messages": "tokenize"},
}


@pytest.mark.parametrize(
    "targets, inputs",
    [
        (["parse"], {"__message__": ["bonjour"]}),
        (["select"], {"__tracker__": "tracker"}),
        (["parse", "select"], {"__message__": ["bonjour"], "__tracker__": "tracker"}),
        (["select"], {}),  # a placeholder nobody gives: passed as its name, as dask does
        (["parse"], {"tokenize": ["given"]}),  # an input in place of a node: the node and what only it needs do not run
    ],
)
def test_the_graph_runs_the_nodes_rasa_runs_and_gives_the_same_results(targets, inputs):
    ours, our_calls = _runner(GRAPH, targets)
    rasas, rasa_calls = _runner(GRAPH, targets)
    for _ in range(2):  # the second run uses the kept order
        our_calls.clear(), rasa_calls.clear()
        assert dialogue.run_graph(ours, dict(inputs)) == dialogue.rasa_run_graph(rasas, dict(inputs))
        assert sorted(our_calls) == sorted(rasa_calls) and len(set(our_calls)) == len(our_calls)
        for name in our_calls:  # each node after the nodes it needs
            assert all(
                our_calls.index(need) < our_calls.index(name) for need in GRAPH[name].values() if need in our_calls
            )


def test_graph_errors_are_rasas():
    from rasa.engine.exceptions import GraphRunError

    ours, _ = _runner(GRAPH, ["parse"])
    rasas, _ = _runner(GRAPH, ["parse"])
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        dialogue.run_graph(ours, {"__message__": "tokenize"})
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        dialogue.rasa_run_graph(rasas, {"__message__": "tokenize"})
    for fail, expected in [(RuntimeError("boom"), GraphRunError), (KeyError("boom"), KeyError)]:
        ours, _ = _runner(GRAPH, ["parse"], fail)
        rasas, _ = _runner(GRAPH, ["parse"], fail)
        with pytest.raises(expected):
            dialogue.run_graph(ours, {"__message__": ["bonjour"]})
        with pytest.raises(expected):
            dialogue.rasa_run_graph(rasas, {"__message__": ["bonjour"]})


def test_past_states_are_rasas_after_every_event_and_can_be_changed_by_the_caller(tuned):
    domain, events = domain_and_more_events()
    tracker = DialogueStateTracker("visitor", slots=domain.slots)
    longest = 0
    for event in events:
        tracker.update(event)
        for omit_unset_slots in (False, True):
            ours = dialogue.past_states(tracker, domain, omit_unset_slots)
            longest = max(longest, len(ours))
            assert ours == dialogue.rasa_past_states(tracker, domain, omit_unset_slots)
            for state in ours:  # what Rasa's featurizer does to the last user input, and worse
                state.get("user", {}).pop("intent", None)
                state.pop("slots", None)
            assert dialogue.past_states(tracker, domain, omit_unset_slots) == dialogue.rasa_past_states(
                tracker, domain, omit_unset_slots
            )
    assert longest >= 10  # the quiz part, before the restart
    rules = {"rule_only_slots": ["quiz_retry"], "rule_only_loops": []}
    assert dialogue.past_states(tracker, domain, False, True, rules) == dialogue.rasa_past_states(
        tracker, domain, False, True, rules
    )


def test_a_copied_tracker_is_the_one_rasas_replay_gives(tuned, monkeypatch):
    domain, events = domain_and_more_events()
    tracker = DialogueStateTracker("visitor", slots=domain.slots)
    tracker.model_id, tracker.assistant_id = "model", "assistant"  # set by Rasa's processor, not by events
    changed_in_a_loop = False
    form = FormAction("eligibility_form", None)
    for event in events:
        tracker.update(event)
        ours, rasas = dialogue.copy_tracker(tracker), dialogue.rasa_tracker_copy(tracker)
        assert tracker_state(ours) == tracker_state(rasas)
        added = [SlotSet("headcount", 12), ActiveLoop(None)]  # what a form's validation may add
        with monkeypatch.context() as clock:  # the two events each version makes get the same time
            clock.setattr(time, "time", lambda: 1_800_000_000.0)
            assert tracker_state(dialogue.temporary_tracker(form, tracker, list(added), domain)) == tracker_state(
                dialogue.rasa_temporary_tracker(form, tracker, list(added), domain)
            )
        if tracker.active_loop is not None:  # the copy is the action's own: the conversation is untouched
            before = tracker_state(tracker)
            ours.active_loop.rejected = not ours.active_loop.rejected
            ours.interrupt_loop(not ours.active_loop.is_interrupted)
            ours.latest_action["action_name"] = "changed"
            ours.update(SlotSet("structure_type", "scop"))
            assert tracker_state(tracker) == before
            changed_in_a_loop = True
    assert changed_in_a_loop
    empty = DialogueStateTracker("visitor", slots=domain.slots)  # nothing said yet: fresh empty messages, as Rasa's
    assert dialogue.copy_tracker(empty).latest_message is not empty.latest_message
    assert tracker_state(dialogue.copy_tracker(empty)) == tracker_state(dialogue.rasa_tracker_copy(empty))


def test_intents_and_entities_the_domain_lacks_are_still_reported(tuned):
    from types import SimpleNamespace

    from rasa.shared.core.domain import Domain

    domain = Domain.from_dict({"intents": ["greet", "faq"], "entities": ["place"]})
    processor = SimpleNamespace(domain=domain)
    known = {"intent": {"name": "greet"}, "entities": [{"entity": "place"}]}
    for parse_data, warned in [
        (known, False),
        ({"intent": {"name": "unknown_intent"}, "entities": []}, True),
        ({"intent": {"name": "faq"}, "entities": [{"entity": "city"}]}, True),
        ({"intent": {"name": None}, "entities": None}, False),
    ]:
        for check in (dialogue.check_for_unseen_features, dialogue.rasa_check_for_unseen_features):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                check(processor, parse_data)
            assert bool(caught) is warned, (check, parse_data)
    processor.domain = Domain.empty()  # an empty domain: nothing is reported, as by Rasa
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dialogue.check_for_unseen_features(processor, {"intent": {"name": "unknown_intent"}, "entities": []})
    assert not caught
