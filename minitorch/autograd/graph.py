"""Walking the backward graph from outside the engine (``add_graph``, graph drawing).

:func:`iter_graph` yields every node reachable from some roots in the order the engine
would run them: a node comes only after *all* the nodes that consume its output, so a
node's consumers are always known before it is (Kahn's algorithm over the consumer
counts that :func:`minitorch.autograd.engine._collect` computes for ``backward``;
one traversal serves both). It uses an explicit stack, never recursion, so a graph
thousands of ops deep is walked without hitting Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .engine import _collect
from .function import Node

__all__ = ["iter_graph"]


def _root_nodes(roots: Any) -> list[Node]:
    """The graph nodes of ``roots``: Nodes, or Tensors (their ``grad_fn``, or a leaf's
    ``AccumulateGrad`` when it requires grad); tensors outside any graph are skipped."""
    from ..tensor import Tensor

    if isinstance(roots, (Node, Tensor)):
        roots = [roots]
    nodes: list[Node] = []
    for r in roots:
        if isinstance(r, Tensor):
            if not r.requires_grad:
                continue
            r = r.grad_fn if r.grad_fn is not None else r._grad_accumulator_node()
        elif not isinstance(r, Node):
            raise TypeError(
                f"iter_graph(): expected Tensors or graph nodes as roots, got {type(r).__name__}"
            )
        if r not in nodes:
            nodes.append(r)
    return nodes


def iter_graph(roots: Any) -> Iterator[Node]:
    """Yield the nodes reachable from ``roots`` in a deterministic topological order.

    Parameters
    ----------
    roots : Tensor, Node, or an iterable of them
        Where to start (usually the loss, or a model's outputs).

    Yields
    ------
    Node
        ``grad_fn`` nodes and the ``AccumulateGrad`` nodes of leaves, each once. A node
        is yielded after every node that consumes it (the roots first, leaves last):
        the order in which ``backward`` runs them. Reverse the list for forward order.
        The order depends only on the graph (each node's ``next_functions`` order), so
        the same program always gives the same sequence.
    """
    start = _root_nodes(roots)
    consumers = _collect(start)
    ready = [n for n in reversed(start) if consumers.get(n, 0) == 0]
    while ready:
        node = ready.pop()
        yield node
        # Push in reverse so that a node's first input is visited first.
        for nxt, _ in reversed(node.next_functions):
            if nxt is None:
                continue
            consumers[nxt] -= 1
            if consumers[nxt] == 0:
                ready.append(nxt)
