r"""Elementwise operations: arithmetic, unary math and ``where`` (comparisons and logical
ops, which have no gradient, are in ``comparison.py``).

Each gradient is written with Tensor operations, so differentiating it again
(``create_graph=True``) simply records more graph.  Broadcasting is *not* undone here:
the engine sums each returned gradient down to its input's shape.
"""

from __future__ import annotations

import numpy as np

from .._backend import get_array_module
from ..autograd import grad_mode
from ..autograd.function import Array, Grads, Node
from ..kernels import relu as relu_kernel
from ..tensor import Tensor
from ._util import _Broadcasting


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


# ----------------------------------------------------------------------- unary math
class Neg(_Broadcasting):
    r""":math:`z = -x`, gradient :math:`-g`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        return -x

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return -grad


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
    r""":math:`z = \max(x, 0)`, gradient :math:`g` where :math:`z \ne 0`, else :math:`0`.

    As PyTorch's ``threshold_backward(g, z, 0)`` (``z <= 0 ? 0 : g``): a select, not a
    product, so an inf or NaN :math:`g` where :math:`z = 0` gives 0, and a NaN input
    (:math:`z` NaN) passes :math:`g` through. Since :math:`z \ge 0` or NaN, ":math:`z
    \le 0`" is ":math:`z = 0`". Without ``create_graph`` the select runs on arrays as an
    integer product of :math:`g`'s bits with the 0/1 mask (exact: bits times 0 is +0.0),
    one pass as fast as ``g * mask`` and with no graph nodes (``kernels/relu.py``; both
    directions split over cores when large).
    """

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        out = relu_kernel.relu(x)  # np.maximum(x, 0), vectorised
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (out,) = ctx.saved_tensors
        if grad_mode.is_grad_enabled():  # create_graph: differentiable Tensor ops
            keep = out._data != 0  # z > 0 or NaN
            return where(Tensor._wrap(keep), grad, grad.new_zeros(()))
        return Tensor._wrap(relu_kernel.relu_backward(out._data, grad._data))


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


# The long tail (maximum, remainder, clamp, round, sign, casts, ...) lives in
# elementwise_more.py, and the PyTorch-signature functions (argument checks, dtype
# promotion, ``out=``) that call these Functions live in elementwise_api.py.  Importing
# both here keeps ``minitorch.ops.elementwise.add`` and ``.Clamp`` working and gives
# backward methods ``where`` etc.  (elementwise_more first: it imports elementwise_api
# when both Function modules are complete.)
# isort: off
from .elementwise_more import *
from .elementwise_api import *
# isort: on
