"""The graph runner gives Rasa's graph runs."""

from __future__ import annotations

import pytest

from bot.rasa_ext.tuning import dialogue


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
