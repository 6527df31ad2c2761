r"""The rest of the elementwise Functions: extremes, remainders, rounding, clamping,
``abs``, ``sign``, ``log1p``, ``rsqrt``, dtype casts and ``nan_to_num``.

They follow exactly the pattern of :mod:`minitorch.ops.elementwise` (read that first):
``forward`` on arrays, ``backward`` in Tensor ops, broadcasting undone by the engine.
:mod:`minitorch.ops.elementwise` re-exports them, so ``minitorch.ops.elementwise.Clamp``
keeps working.
"""

from __future__ import annotations

from .. import _dtype
from .._backend import get_array_module
from ..autograd.function import Array, Grads, Node
from ..tensor import Tensor
from ._util import _Broadcasting


class Maximum(_Broadcasting):
    r""":math:`z = \max(x, y)`; :math:`\partial L/\partial x = g\,([x > y] + \tfrac12[x = y])`,
    and symmetrically for :math:`y` (the larger input gets :math:`g`; ties split it)."""

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        ctx.save_for_backward(x, y)
        return get_array_module(x).maximum(x, y)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y = ctx.saved_tensors
        share = (x > y).to(grad.dtype) + 0.5 * (x == y).to(grad.dtype)
        return grad * share, grad * (1 - share)


class Minimum(_Broadcasting):
    r""":math:`z = \min(x, y)`; :math:`\partial L/\partial x = g\,([x < y] + \tfrac12[x = y])`,
    and symmetrically for :math:`y` (the smaller input gets :math:`g`; ties split it)."""

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        ctx.save_for_backward(x, y)
        return get_array_module(x).minimum(x, y)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y = ctx.saved_tensors
        share = (x < y).to(grad.dtype) + 0.5 * (x == y).to(grad.dtype)
        return grad * share, grad * (1 - share)


class Remainder(_Broadcasting):
    r""":math:`z = x - \lfloor x/y \rfloor y` (sign of the divisor, like Python's ``%``).

    :math:`\partial z/\partial x = 1`, :math:`\partial z/\partial y = -\lfloor x/y \rfloor`.
    """

    kernel, rounding = "remainder", "floor"  # the NumPy function; how x/y is rounded

    @classmethod
    def forward(cls, ctx: Node, x: Array, y: Array) -> Array:
        _check_int_divisor(x, y)
        ctx.save_for_backward(x, y)
        return getattr(get_array_module(x), cls.kernel)(x, y)

    @classmethod
    def backward(cls, ctx: Node, grad: Tensor) -> Grads:
        x, y = ctx.saved_tensors
        gy = -grad * getattr(x / y, cls.rounding)() if ctx.needs_input_grad[1] else None
        return grad, gy


class FloorDivide(_Broadcasting):
    r""":math:`z = \lfloor x / y \rfloor`: piecewise constant, so the gradient is zero."""

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        _check_int_divisor(x, y)
        return get_array_module(x).floor_divide(x, y)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad * 0, grad * 0


class Fmod(Remainder):
    r""":math:`z = x - \operatorname{trunc}(x/y)\, y` (sign of the dividend, like C's ``fmod``).

    :math:`\partial z/\partial x = 1`, :math:`\partial z/\partial y =
    -\operatorname{trunc}(x/y)`. Integer inputs give an integer result.
    """

    kernel, rounding = "fmod", "trunc"


def _check_int_divisor(x, y) -> None:
    """Integer division by zero raises in PyTorch (NumPy would warn and return 0)."""
    kind = getattr(y, "dtype", None)
    if (kind is not None and kind.kind in "iub" and getattr(x, "dtype", kind).kind in "iub"
            and not get_array_module(y).all(y)):
        raise RuntimeError("ZeroDivisionError")


class Sign(_Broadcasting):
    r""":math:`z = \operatorname{sign}(x)`: piecewise constant, gradient 0."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        xp = get_array_module(x)  # PyTorch: sign(NaN) = 0
        out = xp.sign(x, out=xp.empty_like(x))
        if x.dtype.kind == "f":
            out[xp.isnan(out)] = 0
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad * 0


class Log1p(_Broadcasting):
    r""":math:`z = \ln(1 + x)`, gradient :math:`g / (1 + x)`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        ctx.save_for_backward(x)
        return get_array_module(x).log1p(x)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        return grad / (x + 1)


class Rsqrt(_Broadcasting):
    r""":math:`z = x^{-1/2}`, gradient :math:`-\tfrac12 g x^{-3/2} = -\tfrac12 g z^3`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        out = 1 / get_array_module(x).sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (out,) = ctx.saved_tensors
        return -0.5 * grad * out * out * out


class Clamp(_Broadcasting):
    r""":math:`z = \min(\max(x, a), b)`; gradient :math:`g \cdot [a \le x \le b]`."""

    @staticmethod
    def forward(ctx: Node, x: Array, lo, hi) -> Array:
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        xp = get_array_module(x)
        out = x
        if lo is not None:
            out = xp.maximum(out, lo)
        if hi is not None:
            out = xp.minimum(out, hi)
        return out if out is not x else x.copy()

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        mask = None
        if ctx.lo is not None:
            mask = x >= ctx.lo
        if ctx.hi is not None:
            mask = (x <= ctx.hi) if mask is None else mask & (x <= ctx.hi)
        return (grad if mask is None else grad * mask), None, None


class Round(_Broadcasting):
    r"""Rounding (``floor``/``ceil``/``round``/``trunc``): piecewise constant, gradient 0."""

    @staticmethod
    def forward(ctx: Node, x: Array, how) -> Array:
        return getattr(get_array_module(x), how)(x)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad * 0, None


class ToDtype(_Broadcasting):
    r"""A dtype conversion :math:`y = x`; :math:`\partial L/\partial x = g` in x's dtype."""

    @staticmethod
    def forward(ctx: Node, x: Array, np_dtype) -> Array:
        ctx.in_dtype = _dtype.from_np(x.dtype)
        return x.astype(np_dtype)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad.to(ctx.in_dtype), None


# ------------------------------------------------------------------ non-finite values
class NanToNum(_Broadcasting):
    r""":math:`y = x` where finite; ``nan``, ``posinf``, ``neginf`` replace the others.

    Gradient: :math:`g` where :math:`x` is finite, 0 where it was replaced (a constant).
    """

    @staticmethod
    def forward(ctx: Node, x: Array, nan, posinf, neginf) -> Array:
        xp = get_array_module(x)
        if x.dtype.kind != "f":
            return x.copy()
        ctx.save_for_backward(x)
        return xp.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        return where(isfinite(x), grad, 0.0), None, None, None


class Abs(_Broadcasting):
    r""":math:`z = |x|`, gradient :math:`g \operatorname{sign}(x)` (0 at 0)."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        ctx.save_for_backward(x)
        return get_array_module(x).abs(x)  # not abs(): this module's abs is the Tensor op

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        return grad * x.sign()


# The PyTorch-signature functions live in elementwise_api.py; importing them here gives
# backward methods ``where`` etc. (as in elementwise.py).
from .elementwise_api import *
