"""The backward engine: walk the graph in reverse topological order, without recursion.

``backward`` and ``grad`` both call :func:`run_backward`, which

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

import numpy as np

from .._backend import get_array_module
from . import _instrument, grad_mode
from .function import AccumulateGrad, Node

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
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps


def _run_hooks(hooks, grad):
    for hook in list(hooks):
        new = hook(grad)
        if new is not None:
            _check_hook_result(hook, grad, new)
            grad = new
    return grad


def _check_hook_result(hook, grad, new) -> None:
    """A hook may replace a gradient only by a tensor of the same shape and dtype."""
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    name = getattr(hook, "__name__", repr(hook))
    if new._data.shape != grad._data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value (was "
                           f"{list(grad.shape)} got {list(new.shape)})")
    if new._data.dtype != grad._data.dtype:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                           f"{grad._type_name()} got {new._type_name()})")


def _accumulate_into_leaf(leaf, grad, create_graph: bool) -> None:
    if leaf._hooks:
        grad = _run_hooks(leaf._hooks, grad)
    if leaf.grad is None:
        # A fresh tensor: never alias an array the user (or another leaf) may still hold.
        leaf.grad = grad if create_graph else Tensor._wrap(grad._data.copy())
    elif create_graph:
        leaf.grad = leaf.grad + grad
    else:
        leaf.grad._data += grad._data


def run_backward(
    roots: Sequence,
    root_grads: Sequence,
    retain_graph: bool,
    create_graph: bool,
    capture: Sequence | None = None,
    allow_unused: bool = False,
):
    """Backpropagate ``root_grads`` from the tensors ``roots``.

    With ``capture`` (a list of tensors, as in ``autograd.grad``) the gradients reaching
    those tensors are returned instead of being accumulated into ``.grad``.
    """
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
    with grad_mode.set_grad_enabled(create_graph), np.errstate(all="ignore"):
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
    result = []
    for t, node in zip(capture, capture_nodes):
        g = captured.get(node)
        if g is None and not allow_unused:
            raise RuntimeError(
                "One of the differentiated Tensors appears to not have been used in the graph. "
                "Set allow_unused=True if this is the desired behavior."
            )
        result.append(g)
    return tuple(result)


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
            g = _sum_to_shape(g, shape, dtype)
            prev = buffers.get(nxt)
            buffers[nxt] = g if prev is None else prev + g
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
        for nxt, _ in n.next_functions:
            if nxt is None:
                continue
            deps[nxt] -= 1
            if deps[nxt] == 0:
                if nxt in buffers:
                    ready.append(nxt)
                else:
                    stack.append(nxt)


def backward(
    tensors,
    grad_tensors=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs=None,
) -> None:
    """Compute the gradients of ``tensors`` with respect to graph leaves (``Tensor.backward``).

    Parameters
    ----------
    tensors : Tensor or sequence of Tensors
    grad_tensors : the upstream gradients (``None`` allowed for scalar outputs).
    retain_graph : keep saved tensors for another backward (defaults to ``create_graph``).
    create_graph : record the backward pass itself, for higher-order gradients.
    """
    tensors, grads = _prepare(tensors, grad_tensors, "backward")
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
        got = run_backward(tensors, grads, retain_graph, create_graph, inputs, True)
        for t, g in zip(inputs, got):
            if g is not None:
                _accumulate_into_leaf(t, g, create_graph)
        return
    run_backward(tensors, grads, retain_graph, create_graph)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """Return the gradients of ``outputs`` with respect to ``inputs`` (no ``.grad`` changes).

    ``only_inputs`` is deprecated in PyTorch and ignored (as there); ``is_grads_batched``
    (vmap over the first dimension of ``grad_outputs``) is not provided.
    """
    if is_grads_batched:
        raise NotImplementedError("minitorch.autograd.grad: is_grads_batched=True is not "
                                  "supported (loop over the batch of grad_outputs instead)")
    outputs, grads = _prepare(outputs, grad_outputs, "grad")
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    allow = bool(allow_unused) or materialize_grads
    result = run_backward(outputs, grads, retain_graph, create_graph, inputs, allow)
    if materialize_grads:
        result = tuple(
            g if g is not None else t.new_zeros(t.shape) for g, t in zip(result, inputs)
        )
    return result


def _prepare(tensors, grads, what: str):
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    tensors = list(tensors)
    if grads is None or isinstance(grads, Tensor):
        grads = [grads] * len(tensors) if grads is None else [grads]
    grads = list(grads)
    for g in grads:
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
    if len(grads) != len(tensors):
        raise RuntimeError(
            f"{'grad_tensors' if what == 'backward' else 'grad_outputs'} should have the same "
            f"length as {'tensors' if what == 'backward' else 'outputs'} "
            f"({len(grads)} vs {len(tensors)})"
        )
    out = []
    for i, (t, g) in enumerate(zip(tensors, grads)):
        if not t.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            if t.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = Tensor._wrap(get_array_module(t._data).ones_like(t._data))
        elif tuple(g.shape) != tuple(t.shape):
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {_sz(g.shape)} and "
                f"output[{i}] has a shape of {_sz(t.shape)}."
            )
        out.append(g)
    return tensors, out


def _sz(shape) -> str:
    return f"torch.Size({list(shape)})"
