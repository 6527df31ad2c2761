"""The backward engine: walk the graph in reverse topological order, without recursion.

``backward`` and ``grad`` (their argument checks are in ``engine_api.py``) both call
:func:`run_backward`, which

1. collects every node reachable from the roots with an explicit stack and counts, for
   each node, how many edges point into it (its number of consumers);
2. runs nodes in Kahn's order: a node runs once *all* its consumers have sent their
   gradient, which the engine sums into one buffer per node;
3. for each input of a node, sums the returned gradient back to the input's shape
   (the single place where broadcasting is undone) and passes it on;
4. at a leaf (an ``AccumulateGrad`` node), adds the gradient into ``leaf.grad``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..kernels import threads
from . import _instrument, grad_mode
from ._quiet import quiet_numpy
from .function import AccumulateGrad, Node
from .hooks import run_hooks as _run_hooks

Tensor = None  # set by minitorch.tensor


def _sum_to_shape(g, shape, np_dtype):
    """Undo broadcasting: sum ``g`` down to ``shape`` (and cast to the input's dtype)."""
    if g._data.shape != shape:
        g = g.sum_to_size(shape)
    if g._data.dtype != np_dtype and np_dtype.kind == "f":
        g = g.to(np_dtype)
    return g


def _collect(roots: Sequence[Node]) -> dict[Node, int]:
    """Number of consumers of every node reachable from ``roots`` (iterative DFS)."""
    deps: dict[Node, int] = {}
    stack = [r for r in roots]
    seen = set(stack)
    while stack:
        node = stack.pop()
        for meta in node._input_meta:  # the edges (next_functions, without building it)
            if meta is None or meta[0] is None:
                continue
            nxt = meta[0]
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps


def _accumulate_into_leaf(leaf, grad, create_graph: bool) -> None:
    # ``leaf._grad``, not the checked ``leaf.grad`` setter: ``grad`` has the leaf's shape
    # and dtype already (summed and cast to the input's in ``_pass_on``; hooks' results
    # are checked in ``run_hooks``).
    if leaf._hooks:
        grad = _run_hooks(leaf._hooks, grad)
    if leaf._grad is None:
        # A fresh tensor: never alias an array the user (or another leaf) may still hold.
        leaf._grad = grad if create_graph else Tensor._wrap(grad._data.copy())
    elif create_graph:
        leaf._grad = leaf._grad + grad
    else:
        leaf._grad._data += grad._data


def run_backward(
    roots: Sequence,
    root_grads: Sequence,
    retain_graph: bool,
    create_graph: bool,
    capture: Sequence | None = None,
):
    """Backpropagate ``root_grads`` from the tensors ``roots``.

    With ``capture`` (a list of tensors, as in ``autograd.grad``) the gradients reaching
    those tensors are returned (``None`` for one no gradient reached) instead of being
    accumulated into ``.grad``.
    """
    threads.refresh()  # fewer threads while other processes hold the cores
    buffers: dict[Node, object] = {}
    root_nodes = []
    for t, g in zip(roots, root_grads):
        node = t.grad_fn
        if node is None:
            node = t._grad_accumulator_node()
        if node in buffers:
            buffers[node] = buffers[node] + g
        else:
            buffers[node] = g
            root_nodes.append(node)

    captured: dict[Node, object] = {}
    capture_nodes: list = []
    if capture is not None:
        for t in capture:
            capture_nodes.append(t.grad_fn if t.grad_fn is not None else t._grad_accumulator_node())

    deps = _collect(root_nodes)
    ready = [n for n in root_nodes if deps.get(n, 0) == 0]
    with grad_mode.set_grad_enabled(create_graph), quiet_numpy():
        while ready:
            node = ready.pop()
            grad = buffers.pop(node)
            if node._pre_hooks:
                grad = _run_hooks(node._pre_hooks, grad)
            if capture is not None and node in capture_nodes:
                captured[node] = grad
            if isinstance(node, AccumulateGrad):
                if capture is None:
                    if _instrument.active:  # profiler / trace_backward: autograd/_instrument.py
                        _instrument.accumulate(node, grad, create_graph)
                    else:
                        _accumulate_into_leaf(node.variable, grad, create_graph)
                continue
            if _instrument.active or node._post_hooks:  # anomaly mode, profiler, hooks, traces
                grads = _instrument.run_node(node, grad)
            else:
                grads = node._fn.backward(node, grad)
                if not isinstance(grads, tuple):
                    grads = (grads,)
            if not retain_graph:
                node._release()
            _pass_on(node, grads, buffers, deps, ready)
    if capture is None:
        return None
    return tuple(captured.get(node) for node in capture_nodes)


def _pass_on(node: Node, grads: tuple, buffers: dict, deps: dict, ready: list) -> None:
    metas = node._input_meta
    if len(grads) != len(metas):
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients "
            f"(expected {len(metas)}, got {len(grads)})"
        )
    for g, meta in zip(grads, metas):
        if meta is None:
            continue
        nxt, shape, dtype = meta
        if nxt is None:
            continue
        if g is not None:
            if g._data.shape != shape or g._data.dtype != dtype:  # (the test alone is cheaper)
                g = _sum_to_shape(g, shape, dtype)
            prev = buffers.get(nxt)
            if prev is None:
                buffers[nxt] = g
            elif grad_mode.is_grad_enabled() or prev._data.dtype != g._data.dtype:
                buffers[nxt] = prev + g  # create_graph (the sum joins the graph), or promotion
            else:  # a plain sum of the arrays, without an op's overhead
                buffers[nxt] = Tensor._wrap(prev._data + g._data)
        deps[nxt] -= 1
        if deps[nxt] == 0:
            if nxt in buffers:
                ready.append(nxt)
            else:  # no gradient reached it: nothing flows further down this path
                _skip(nxt, buffers, deps, ready)


def _skip(node: Node, buffers: dict, deps: dict, ready: list) -> None:
    """A node received no gradient at all; release its consumers' counts iteratively."""
    stack = [node]
    while stack:
        n = stack.pop()
        for meta in n._input_meta:
            if meta is None or meta[0] is None:
                continue
            nxt = meta[0]
            deps[nxt] -= 1
            if deps[nxt] == 0:
                if nxt in buffers:
                    ready.append(nxt)
                else:
                    stack.append(nxt)
