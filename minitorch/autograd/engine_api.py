"""``autograd.backward`` and ``autograd.grad``: argument checks around the engine.

They turn their arguments into lists of root tensors and upstream gradients (raising
PyTorch's errors for bad ones) and call :func:`minitorch.autograd.engine.run_backward`.
"""

from __future__ import annotations

from .._backend import get_array_module
from .engine import _accumulate_into_leaf, run_backward

Tensor = None  # set by minitorch.tensor (an import cycle otherwise)


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
        got = run_backward(tensors, grads, retain_graph, create_graph, inputs)
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
    result = run_backward(outputs, grads, retain_graph, create_graph, inputs)
    if not allow and any(g is None for g in result):
        raise RuntimeError(
            "One of the differentiated Tensors appears to not have been used in the graph. "
            "Set allow_unused=True if this is the desired behavior."
        )
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
