"""Watching the graph being built and run: the one place anomaly mode, the profiler,
``saved_tensors_hooks``, node hooks and ``trace_backward`` plug into autograd.

Cost when unused: nothing in the forward pass and one flag test per node in backward.

* **Forward.** While anomaly mode, a profiler or a saved-tensors hook is on,
  ``Function.apply`` is *replaced* by :func:`_watched_apply`, which times the op, calls the
  plain ``apply`` and then decorates the node it made (the forward traceback for anomaly
  mode, packed saved tensors for ``saved_tensors_hooks``). When all are off the original
  ``apply`` is put back, so ordinary code runs exactly the function it always ran.
* **Backward.** The engine tests ``_instrument.active`` (true while anything above, or a
  ``trace_backward`` tape, is on) and the node's ``_post_hooks``; when either is set it
  runs the node through :func:`run_node` (and leaves through :func:`accumulate`) instead
  of calling ``backward`` directly.
"""

from __future__ import annotations

import os
import re
import traceback
import warnings

from .._backend import get_array_module
from . import grad_mode
from .function import Function

# ---- state (module globals: read by the engine, set by the context managers) -------------
active = False  # anything at all to do in backward
anomaly = False  # detect_anomaly / set_detect_anomaly
check_nan = True
profilers: list = []  # the running minitorch.profiler.profile (at most one)
tapes: list = []  # running trace_backward tapes
pack_hooks: list = []  # stack of (pack_hook, unpack_hook) from saved_tensors_hooks

_PLAIN_APPLY = Function.__dict__["apply"]


def refresh() -> None:
    """Recompute ``active`` and install or remove the watched ``Function.apply``."""
    global active
    watch_forward = bool(anomaly or profilers or pack_hooks)
    active = bool(watch_forward or tapes)
    Function.apply = _WATCHED_APPLY if watch_forward else _PLAIN_APPLY


def _watched_apply(cls, *args, **kwargs):
    """``Function.apply`` while something watches: time it, then decorate the new node."""
    prof = profilers[-1] if profilers else None
    if prof is not None:
        event, result = prof._begin(_forward_name(cls), args), None
        try:
            result = _PLAIN_APPLY.__func__(cls, *args, **kwargs)
        finally:
            prof._end(event, result)
    else:
        result = _PLAIN_APPLY.__func__(cls, *args, **kwargs)
    node = result.grad_fn
    if node is not None:  # a fresh result: its node was made by this very call
        if anomaly:
            node._forward_trace = _user_stack()
        if pack_hooks and node._saved:
            _pack(node, result)
    return result


_WATCHED_APPLY = classmethod(_watched_apply)


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_NN = os.path.join(_PACKAGE, "nn")


def _user_stack() -> str:
    """The current Python stack without minitorch's own op machinery at its end (frames
    in ``minitorch/nn`` stay: they show which layer ran the op)."""
    frames = traceback.extract_stack()[:-2]
    while frames and frames[-1].filename.startswith(_PACKAGE) and not frames[-1].filename.startswith(_NN):
        frames.pop()
    return "".join(traceback.format_list(frames))


def _forward_name(cls) -> str:
    """The profiler's name for a forward op: the node's name without ``Backward0``, in
    snake case (``NllLossBackward0`` -> ``nll_loss``), like PyTorch's ``aten::nll_loss``."""
    name = re.sub(r"Backward0?$", "", cls._node_class().__name__)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _pack(node, result) -> None:
    """Replace each saved value by ``pack_hook(tensor)``; ``saved_tensors`` unpacks it."""
    from ..tensor import Tensor

    pack, unpack = pack_hooks[-1]
    packed = []
    for entry in node._saved:
        if entry is None or entry[0] == "const":
            packed.append(entry)
            continue
        kind, obj = entry[0], entry[1]
        tensor = obj if kind == "in" else (result if kind == "out" else Tensor._wrap(obj))
        with grad_mode.no_grad():
            packed.append(("packed", pack(tensor), None, unpack))
    node._saved = packed


# ---- backward ---------------------------------------------------------------------------
def run_node(node, grad) -> tuple:
    """Run ``node``'s backward with the profiler, node hooks, anomaly checks and tapes."""
    prof = profilers[-1] if profilers else None
    event = prof._begin(node.name(), (grad,)) if prof is not None else None
    try:
        grads = node._fn.backward(node, grad)
    except Exception:
        if anomaly:
            _warn_forward_trace(node)
        raise
    finally:
        if event is not None:
            prof._end(event)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if node._post_hooks:
        grads = _run_post_hooks(node, grads, grad)
    if anomaly and check_nan:
        _check_nan(node, grads)
    for tape in tapes:
        tape._record_node(node, grad, grads)
    return grads


def accumulate(node, grad, create_graph: bool) -> None:
    """``AccumulateGrad`` for a leaf, seen by the profiler and the tapes."""
    from .engine import _accumulate_into_leaf

    prof = profilers[-1] if profilers else None
    event = prof._begin("torch::autograd::AccumulateGrad", (grad,)) if prof is not None else None
    try:
        _accumulate_into_leaf(node.variable, grad, create_graph)
    finally:
        if event is not None:
            prof._end(event)
    for tape in tapes:
        tape._record_leaf(node, grad)


def _run_post_hooks(node, grads: tuple, grad) -> tuple:
    """``Node.register_hook``: ``hook(grad_inputs, grad_outputs)`` may replace grad_inputs.

    ``grad_inputs`` holds one entry per Tensor input (the edges of ``next_functions``),
    already summed to that input's shape, as PyTorch's hooks see them.
    """
    from .engine import _sum_to_shape

    where = [i for i, m in enumerate(node._input_meta) if m is not None]
    grads = tuple(g if g is None or m is None else _sum_to_shape(g, m[1], m[2])
                  for g, m in zip(grads, node._input_meta))
    for hook in list(node._post_hooks):
        new = hook(tuple(grads[i] if i < len(grads) else None for i in where), (grad,))
        if new is not None:
            if len(new) != len(where):
                raise RuntimeError(
                    f"hook of {node.name()} returned {len(new)} gradients, expected "
                    f"{len(where)}"
                )
            grads = list(grads)
            for i, g in zip(where, new):
                grads[i] = g
            grads = tuple(grads)
    return grads


def _check_nan(node, grads: tuple) -> None:
    from ..tensor import Tensor

    for i, g in enumerate(grads):
        if (isinstance(g, Tensor) and g._data.dtype.kind in "fc"
                and bool(get_array_module(g._data).isnan(g._data).any())):
            _warn_forward_trace(node)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def _warn_forward_trace(node) -> None:
    """PyTorch's warning: which node failed and the forward call that made it."""
    trace = node.__dict__.get("_forward_trace")
    if trace is None:
        trace = ("No forward pass information available. Enable detect anomaly during forward "
                 "pass for more information.\n")
        warnings.warn(f"Error detected in {node.name()}. {trace}", stacklevel=3)
        return
    warnings.warn(
        f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
        f"{trace}",
        stacklevel=3,
    )
