r"""Shape operations: views, permutations, broadcasting, joining and splitting.

Most of these only move the upstream gradient back into the input's layout: a reshape's
gradient is reshaped back, a permutation's is permuted by the inverse permutation, and
an expand's is summed over the broadcast dimensions (by the engine).
"""

from __future__ import annotations

import numpy as np

from .._backend import get_array_module, reshape_view
from ..autograd import grad_mode
from ..autograd.function import Array, ArrayFunction, Grads, MovementFunction, Node
from ..tensor import Tensor


def infer_shape(shape, numel: int) -> tuple[int, ...]:
    """Resolve one ``-1`` in ``shape``; PyTorch's errors for impossible shapes."""
    shape = tuple(int(s) for s in shape)
    known = 1
    infer = None
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s}")
        else:
            known *= s
    if infer is not None:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[:infer] + (numel // known,) + shape[infer + 1 :]
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class View(MovementFunction):
    r"""A new shape over the same memory: :math:`y = \mathrm{reshape}(x)`.

    Gradient: a reshape only renumbers the elements (:math:`y_{\pi(i)} = x_i`), so
    :math:`\partial L/\partial x = \mathrm{reshape}(g, \text{shape of } x)`.
    """

    _is_view = True

    @staticmethod
    def forward(ctx: Node, x: Array, shape) -> Array:
        ctx.in_shape = x.shape
        try:
            return reshape_view(x, shape)
        except (ValueError, AttributeError):
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        if not grad_mode.is_grad_enabled():  # nothing recorded: reshape the array itself
            return Tensor._wrap(grad._data.reshape(ctx.in_shape)), None
        return grad.reshape(ctx.in_shape), None


class Permute(MovementFunction):
    r"""Reorder the axes: :math:`y_{i_{p_0} \dots i_{p_{n-1}}} = x_{i_0 \dots i_{n-1}}`.

    Gradient: every element is moved, not changed, so :math:`\partial L/\partial x` is
    :math:`g` moved back: permuted by the inverse permutation :math:`p^{-1}`.
    """

    _is_view = True

    @staticmethod
    def forward(ctx: Node, x: Array, dims) -> Array:
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        inverse = tuple(int(i) for i in np.argsort(ctx.dims))
        return grad.permute(inverse), None


class Transpose(Permute):
    r"""Swap two axes: a :class:`Permute`; the gradient swaps them back."""


class Expand(MovementFunction):
    r"""Broadcast to a larger shape without copying.

    Each input element is used for many outputs, so its gradient is the *sum* over the
    broadcast dimensions: the engine's ``sum_to_size`` does that for us.
    """

    _is_view = True

    @staticmethod
    def forward(ctx: Node, x: Array, shape) -> Array:
        return get_array_module(x).broadcast_to(x, shape)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad, None


class SumToSize(MovementFunction):
    r"""Sum :math:`x` down to ``shape`` over the dims that broadcasting added or stretched.

    It is :class:`Sum` over those dims (keeping size-1 ones), so its gradient is the
    broadcast back: :math:`\partial L/\partial x = \mathrm{expand}(g, \text{shape of } x)`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, shape) -> Array:
        ctx.in_shape = x.shape
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1
        )
        out = x.sum(axis=axes, keepdims=True) if axes else x
        return out.reshape(shape)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad.expand(ctx.in_shape), None


class Contiguous(MovementFunction):
    r"""A C-contiguous copy :math:`y = x`; :math:`\partial L/\partial x = g`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        return get_array_module(x).array(x, copy=True, order="C")

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad


Clone = type("Clone", (Contiguous,), {"__doc__": "A copy; the gradient passes through."})


class Cat(MovementFunction):
    r"""Join tensors along ``dim``: :math:`y = [x^{(1)}; x^{(2)}; \dots]`.

    Gradient: input :math:`k` fills the rows :math:`o_k \le i < o_k + n_k` of :math:`y`
    (:math:`o_k` the sizes before it), so :math:`\partial L/\partial x^{(k)}` is that slice
    of :math:`g` along ``dim``.
    """

    @staticmethod
    def forward(ctx: Node, *xs: Array, dim) -> Array:
        ctx.dim = dim
        ctx.sizes = [x.shape[dim] for x in xs]
        return get_array_module(xs[0]).concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return tuple(grad.split(ctx.sizes, ctx.dim))


class Stack(MovementFunction):
    r"""Join same-shaped tensors along a new ``dim``: :math:`y_{\dots k \dots} = x^{(k)}`.

    Gradient: :math:`\partial L/\partial x^{(k)} = g_{\dots k \dots}`, index :math:`k` of
    :math:`g` along ``dim``.
    """

    @staticmethod
    def forward(ctx: Node, *xs: Array, dim) -> Array:
        ctx.dim = dim
        return get_array_module(xs[0]).stack(xs, axis=dim)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return tuple(grad.unbind(ctx.dim))


class Repeat(MovementFunction):
    r"""Tile the tensor ``reps`` times per dim.

    Output element :math:`(r_0 s_0 + i_0, \dots)` copies input :math:`(i_0, \dots)`, so the
    gradient sums over the repetition index :math:`r`: reshape to
    :math:`(r_0, s_0, r_1, s_1, \dots)` and sum the :math:`r` axes.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, reps) -> Array:
        xp = get_array_module(x)
        x = x.reshape((1,) * (len(reps) - x.ndim) + x.shape)
        ctx.in_shape = x.shape
        ctx.reps = reps
        return xp.tile(x, reps)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        split = []
        for r, s in zip(ctx.reps, ctx.in_shape):
            split += [r, s]
        g = grad.reshape(split).sum(tuple(range(0, len(split), 2)))
        return g, None


class Flip(MovementFunction):
    r"""Reverse the order along ``dims``: :math:`y_i = x_{n-1-i}`.

    Gradient: a permutation of the elements that is its own inverse, so
    :math:`\partial L/\partial x = \mathrm{flip}(g)`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, dims) -> Array:
        ctx.dims = dims
        return get_array_module(x).flip(x, axis=dims).copy()

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad.flip(ctx.dims), None


class Roll(MovementFunction):
    r""":math:`y_{i + s} = x_i` (indices modulo the size) along ``dims``, or over the
    flattened tensor when ``dims`` is None.

    A permutation of the elements, so the gradient rolls :math:`g` back by :math:`-s`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, shifts, dims) -> Array:
        ctx.shifts, ctx.dims = shifts, dims
        return get_array_module(x).roll(x, shifts, axis=dims)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        back = tuple(-s for s in ctx.shifts) if ctx.dims is not None else -ctx.shifts
        return Roll.apply(grad, back, ctx.dims), None, None


# ------------------------------------------------------------- constant padding
class Pad(ArrayFunction):
    r"""Constant padding: ``widths`` is one ``(before, after)`` pair (non-negative) per dim.

    The output holds the input in its middle, so the gradient is the middle of the
    upstream gradient: ``grad[before_0 : before_0 + n_0, ...]`` (a differentiable slice).
    """

    @staticmethod
    def forward(ctx: Node, x: Array, widths, value) -> Array:
        ctx.widths, ctx.in_shape = widths, x.shape
        return get_array_module(x).pad(x, widths, constant_values=value)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        key = tuple(slice(lo, lo + n) for (lo, _), n in zip(ctx.widths, ctx.in_shape))
        return grad[key], None, None


# The PyTorch-signature functions (argument checks, ``out=``) that call these Functions
# live in shape_api.py; importing them here keeps ``minitorch.ops.shape.cat`` working.
from .shape_api import *
from .shape_api import _shape_arg  # noqa: F401
