"""The backward graph as an object you can inspect and hook (``torch.autograd.graph``).

* :class:`Node` is the type of every ``grad_fn``: ``name()``, ``next_functions``,
  ``metadata``, ``register_hook``, ``register_prehook`` (defined in ``function.py``).
* ``grad_fn._saved_<name>``: what a node saved for backward, under PyTorch's names
  (``MulBackward0._saved_other``, ``ExpBackward0._saved_result``,
  ``SumBackward0._saved_self_sym_sizes`` ...), from the table :data:`SAVED_NAMES`.
* :class:`saved_tensors_hooks` / :class:`save_on_cpu`: transform tensors as they are saved
  for backward and back when backward needs them.
* the errors ``ctx.saved_tensors`` raises (:func:`freed_error`, :func:`modified_error`).
* :func:`iter_graph`: every node reachable from some roots, in the order the engine would
  run them: a node comes only after *all* the nodes that consume its output (Kahn's
  algorithm over the consumer counts that the engine's ``_collect`` computes for
  ``backward``; one traversal serves both), with an explicit stack, never recursion.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import _instrument, function
from .engine import _collect
from .function import Node

__all__ = ["Node", "iter_graph", "save_on_cpu", "saved_tensors_hooks"]

# How each node class exposes what it saved, as PyTorch names it. A value is
#   int k            -> the k-th saved tensor (``ctx.save_for_backward`` order)
#   ("sizes", k)     -> the shape of forward input k, as a tuple
#   ("numel", k)     -> the number of elements of forward input k
#   ("scalar", k)    -> the k-th saved value, a number (``pow``'s exponent)
#   ("const", v)     -> the constant v (``add``'s alpha is always 1 here)
_RESULT = {"result": 0}
_SELF = {"self": 0}
SAVED_NAMES: dict[str, dict[str, Any]] = {
    "AddBackward0": {"alpha": ("const", 1)},
    "SubBackward0": {"alpha": ("const", 1)},
    "MulBackward0": {"other": 0, "self": 1},
    "DivBackward0": {"self": 0, "other": 1},
    "PowBackward0": {"self": 0, "exponent": ("scalar", 1)},
    "ExpBackward0": _RESULT,
    "SqrtBackward0": _RESULT,
    "ReluBackward0": _RESULT,
    "SigmoidBackward0": _RESULT,
    "TanhBackward0": _RESULT,
    "LogBackward0": _SELF,
    "SinBackward0": _SELF,
    "CosBackward0": _SELF,
    "AbsBackward0": _SELF,
    "SumBackward0": {"self_sym_sizes": ("sizes", 0)},
    "MeanBackward0": {"self_sym_sizes": ("sizes", 0), "self_sym_numel": ("numel", 0)},
    "ViewBackward0": {"self_sym_sizes": ("sizes", 0)},
    "MmBackward0": {"self": 0, "mat2": 1, "self_sym_sizes": ("sizes", 0),
                    "mat2_sym_sizes": ("sizes", 1)},
    "DotBackward0": {"self": 0, "tensor": 1},
}


def freed_error() -> RuntimeError:
    """``saved_tensors`` after backward freed them (PyTorch's message)."""
    return RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved "
        "tensors after they have already been freed). Saved intermediate values of the "
        "graph are freed when you call .backward() or autograd.grad(). Specify "
        "retain_graph=True if you need to backward through the graph a second time or "
        "if you need to access saved tensors after calling backward."
    )


def modified_error(node: Node, kind: str, obj, now: int, version: int) -> RuntimeError:
    """A saved tensor was changed in place after it was saved (PyTorch's message)."""
    t = obj if kind == "in" else function.Tensor._wrap(obj)
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by "
        f"an inplace operation: [{t._type_name()} {list(t.shape)}], which is "
        f"{'an input' if kind == 'in' else 'output 0'} of {node.name()}, is at "
        f"version {now}; expected version {version} instead. Hint: the "
        "operation that changed it is an in-place op (ending in '_') or an "
        "assignment into the tensor."
    )


def saved_attribute(node: Node, attr: str) -> Any:
    """The value of ``node._saved_<name>`` (see :data:`SAVED_NAMES`).

    Raises
    ------
    AttributeError
        When the node's class exposes no such name.
    RuntimeError
        When the saved tensors were freed by a backward pass (as ``saved_tensors`` does).
    """
    name = attr[len("_saved_"):]
    how = SAVED_NAMES.get(node.name(), {}).get(name)
    if how is None:
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '{attr}'")
    if isinstance(how, int):
        return node.saved_tensors[how]
    kind, arg = how
    if kind == "const":
        return arg
    if kind == "scalar":
        value = node.saved_tensors[arg]  # a NumPy scalar becomes a Python number; a Tensor
        return value.item() if isinstance(value, np.generic) else value  # exponent stays
    shape = tuple(node._input_meta[arg][1])
    if kind == "sizes":
        return shape
    numel = 1
    for n in shape:
        numel *= n
    return numel


class saved_tensors_hooks:
    """Context manager: ``pack_hook(tensor)`` runs on every tensor an op saves for backward,
    and ``unpack_hook(packed)`` on its result when backward (or ``_saved_*``) needs it back.

    Parameters
    ----------
    pack_hook : Callable[[Tensor], Any]
        Must not modify its argument in place.
    unpack_hook : Callable[[Any], Tensor]
        Must return a tensor with the saved tensor's values.

    Examples
    --------
    >>> with saved_tensors_hooks(lambda t: t.numpy().copy(), minitorch.from_numpy):
    ...     y = x.exp()   # exp's saved result is kept as a NumPy array
    """

    def __init__(self, pack_hook: Callable[[Any], Any], unpack_hook: Callable[[Any], Any]) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):  # returns self
        _instrument.pack_hooks.append((self.pack_hook, self.unpack_hook))
        _instrument.refresh()
        return self

    def __exit__(self, *exc) -> None:
        _instrument.pack_hooks.pop()
        _instrument.refresh()


class save_on_cpu(saved_tensors_hooks):
    """Keep tensors saved for backward in CPU memory and move them back when needed.

    Each saved tensor is copied to the CPU when saved and returned to its device in backward,
    trading transfer time for accelerator memory. On a CPU-only machine it simply keeps a
    copy. ``pin_memory`` is accepted (NumPy has no pinned memory).
    """

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack(tensor):
            return tensor.device, tensor.detach().cpu().clone()

        def unpack(packed):
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack, unpack)


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
