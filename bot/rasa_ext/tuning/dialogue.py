"""Running the graphs of the Rasa server (rasa 3.6.21; see bot/rasa_ext/tuning/__init__.py).

Rasa hands the NLU and the dialogue graphs of each message to dask's
synchronous scheduler, which works out an order of the nodes again at every
run and then calls them one at a time: a noticeable share of the server's time
went to that bookkeeping (measured in bench/README.md). The same nodes are now
called, with the same arguments, in an order of their needs worked out once per
set of targets. Rasa's message processor creates its graph runner itself (no
setting names the class), hence a replaced method rather than a component.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

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
