r"""Elementwise operations: arithmetic, unary math and ``where`` (comparisons and logical
ops, which have no gradient, are in ``comparison.py``).

Each gradient is written with Tensor operations, so differentiating it again
(``create_graph=True``) simply records more graph.  Broadcasting is *not* undone here:
the engine sums each returned gradient down to its input's shape.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._backend import get_array_module
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..tensor import Tensor


class _Broadcasting(ArrayFunction):
    """An ArrayFunction that turns NumPy's broadcasting ValueError into PyTorch's error."""

    @classmethod
    def apply(cls, *args, **kwargs):
        try:
            return super().apply(*args, **kwargs)
        except ValueError:  # NumPy's broadcasting error: raise PyTorch's clearer one instead
            _check_broadcast(args)
            raise


def _check_broadcast(args) -> None:
    """Raise PyTorch's RuntimeError naming the first pair of sizes that do not broadcast."""
    shapes = [a.shape for a in args if isinstance(a, Tensor)]
    for i, sa in enumerate(shapes):
        for sb in shapes[i + 1 :]:
            n = max(len(sa), len(sb))
            for k in range(1, min(len(sa), len(sb)) + 1):
                if sa[-k] != sb[-k] and sa[-k] != 1 and sb[-k] != 1:
                    raise RuntimeError(
                        f"The size of tensor a ({sa[-k]}) must match the size of tensor b "
                        f"({sb[-k]}) at non-singleton dimension {n - k}"
                    ) from None


# ----------------------------------------------------------------- binary arithmetic
class Add(_Broadcasting):
    r""":math:`z = x + y`; :math:`\partial z/\partial x = \partial z/\partial y = 1`."""

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        return x + y

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad, grad


class Sub(_Broadcasting):
    r""":math:`z = x - y`; the gradient is :math:`(g, -g)`."""

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        return x - y

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Mul(_Broadcasting):
    r""":math:`z = x y`; :math:`\partial z/\partial x = y`, :math:`\partial z/\partial y = x`.

    Only the input needed for the *other* gradient is saved.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        nx, ny = ctx.needs_input_grad
        ctx.save_for_backward(y if nx else None, x if ny else None)
        return x * y

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        y, x = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        return (grad * y if nx else None), (grad * x if ny else None)


class Div(_Broadcasting):
    r""":math:`z = x / y`; :math:`\partial z/\partial x = 1/y`,
    :math:`\partial z/\partial y = -x/y^2`."""

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y)
        return x / y

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        gx = grad / y if nx else None
        gy = -grad * x / (y * y) if ny else None
        return gx, gy


class Pow(_Broadcasting):
    r""":math:`z = x^y`.

    :math:`\partial z/\partial x = y x^{y-1}` and :math:`\partial z/\partial y = z \ln x`,
    taken as 0 where :math:`x = 0, y \ge 0` (PyTorch's convention, avoiding ``0 * -inf``).
    For an exponent of 0 the gradient with respect to ``x`` is 0.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        try:
            out = x**y
        except ValueError as e:  # NumPy: "Integers to negative integer powers are not allowed."
            if "Integers" not in str(e):
                raise
            raise RuntimeError(str(e)) from None
        ctx.save_for_backward(x, y, out if ctx.needs_input_grad[1] else None)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y, out = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        gx = gy = None
        if nx:
            if isinstance(y, Tensor):
                gx = where(y == 0, 0.0, grad * y * x ** (y - 1))
            else:
                gx = grad * 0.0 if y == 0 else grad * y * x ** (y - 1)
        if ny:
            xt = x if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x))
            gy = where((xt == 0) & (y >= 0), 0.0, grad * out * xt.log())
        return gx, gy


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


# ----------------------------------------------------------------------- unary math
class Neg(_Broadcasting):
    r""":math:`z = -x`, gradient :math:`-g`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        return -x

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return -grad


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


class Exp(_Broadcasting):
    r""":math:`z = e^x`; :math:`\partial L/\partial x = g\,e^x = g z`, so the saved output is
    reused."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        out = get_array_module(x).exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (out,) = ctx.saved_tensors
        return grad * out


class Log(_Broadcasting):
    r""":math:`z = \ln x`, gradient :math:`g / x`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        ctx.save_for_backward(x)
        return get_array_module(x).log(x)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        return grad / x


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


class Sqrt(_Broadcasting):
    r""":math:`z = \sqrt{x}`, gradient :math:`g / (2 z)`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        out = get_array_module(x).sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


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


class Sin(_Broadcasting):
    r""":math:`z = \sin x`, gradient :math:`g \cos x`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        ctx.save_for_backward(x)
        return get_array_module(x).sin(x)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        return grad * x.cos()


class Cos(_Broadcasting):
    r""":math:`z = \cos x`, gradient :math:`-g \sin x`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        ctx.save_for_backward(x)
        return get_array_module(x).cos(x)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        return -grad * x.sin()


class Tanh(_Broadcasting):
    r""":math:`z = \tanh x`, gradient :math:`g (1 - z^2)`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        out = get_array_module(x).tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


class Sigmoid(_Broadcasting):
    r""":math:`z = 1 / (1 + e^{-x})`, gradient :math:`g z (1 - z)`.

    Computed as :math:`\tfrac12(1 + \tanh(x/2))`, which never overflows.
    """

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        xp = get_array_module(x)
        out = xp.tanh(x * x.dtype.type(0.5))
        out += 1
        out *= x.dtype.type(0.5)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class Relu(_Broadcasting):
    r""":math:`z = \max(x, 0)`, gradient :math:`g \cdot [x > 0]`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        out = get_array_module(x).maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (out,) = ctx.saved_tensors
        return grad * (out > 0)


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


class Where(_Broadcasting):
    r""":math:`z = c\,?\,x : y`; :math:`\partial L/\partial x = g\,[c]`,
    :math:`\partial L/\partial y = g\,[\lnot c]` (the condition gets none)."""

    @staticmethod
    def forward(ctx: Node, cond: Array, x: Array, y: Array) -> Array:
        ctx.save_for_backward(cond)
        return get_array_module(cond).where(cond, x, y)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (cond,) = ctx.saved_tensors
        _, nx, ny = ctx.needs_input_grad
        zero = grad.new_zeros(())
        gx = where(cond, grad, zero) if nx else None
        gy = where(cond, zero, grad) if ny else None
        return None, gx, gy


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


# The PyTorch-signature functions (argument checks, dtype promotion, ``out=``) that call
# these Functions live in elementwise_api.py; importing them here keeps
# ``minitorch.ops.elementwise.add`` working and gives backward methods ``where`` etc.
from .elementwise_api import *
