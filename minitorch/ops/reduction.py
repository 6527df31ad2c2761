r"""Reductions: sums, means, extremes, softmax and friends.

The gradient of a reduction spreads the upstream gradient back over the reduced
dimensions: ``_expand_back`` re-inserts the reduced axes (as size 1) and broadcasts.
"""

from __future__ import annotations

from .._backend import get_array_module
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..tensor import Tensor


def _kept_shape(shape, dims) -> tuple:
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _expand_back(grad: Tensor, in_shape, dims, keepdim: bool) -> Tensor:
    """Broadcast a reduced gradient back to the input's shape."""
    if not keepdim and grad.ndim:  # (a 0-d gradient, of a full reduction, expands as it is)
        grad = grad.reshape(_kept_shape(in_shape, dims))
    return grad.expand(in_shape)


class Sum(ArrayFunction):
    r"""Sum :math:`z = \sum_{i \in \text{dims}} x_i` over ``dims``.

    Gradient: :math:`\partial z/\partial x_i = 1` for every summed element, so
    :math:`\partial L/\partial x_i = g` — the upstream gradient broadcast back over the
    summed dims (the adjoint of a sum is a broadcast).
    """

    @staticmethod
    def forward(ctx: Node, x: Array, dims, keepdim, np_dtype) -> Array:
        ctx.in_shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        return x.sum(axis=dims, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return _expand_back(grad, ctx.in_shape, ctx.dims, ctx.keepdim), None, None, None


class Mean(ArrayFunction):
    r"""Mean :math:`z = \frac1N \sum_i x_i` over ``dims`` (:math:`N` elements each).

    Gradient: :math:`\partial z/\partial x_i = 1/N`, so :math:`\partial L/\partial x_i =
    g/N`, broadcast back over the reduced dims as for :class:`Sum`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, dims, keepdim) -> Array:
        ctx.in_shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        ctx.count = 1
        for d in dims:
            ctx.count *= x.shape[d]
        if x.size == 0:  # NaN (0/0), without NumPy's "Mean of empty slice" warning
            return x.sum(axis=dims, keepdims=keepdim) / x.dtype.type(0)
        return x.mean(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        g = _expand_back(grad, ctx.in_shape, ctx.dims, ctx.keepdim)
        return g / ctx.count, None, None


class Amax(ArrayFunction):
    r"""Maximum :math:`z = \max_i x_i` over ``dims``.

    Gradient: where the maximum is attained once, :math:`z` copies that element, so
    :math:`\partial L/\partial x_i = g\,[x_i = z]`.  When :math:`k` elements tie, PyTorch
    shares :math:`g` evenly: :math:`\partial L/\partial x_i = g\,[x_i = z]/k`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, dims, keepdim, largest) -> Array:
        xp = get_array_module(x)
        out = xp.asarray((xp.amax if largest else xp.amin)(x, axis=dims, keepdims=keepdim))
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, out = ctx.saved_tensors
        dims, keepdim = ctx.dims, ctx.keepdim
        hit = (x == _expand_back(out, x.shape, dims, keepdim)).to(grad.dtype)
        count = hit.sum(dims, keepdim=True)
        return _expand_back(grad, x.shape, dims, keepdim) * hit / count, None, None, None


class Softmax(ArrayFunction):
    r""":math:`s_i = e^{x_i} / \sum_j e^{x_j}` along ``dim``.

    Jacobian: :math:`\partial s_i/\partial x_j = s_i[i = j] - s_i s_j` (quotient rule), so
    :math:`\partial L/\partial x_j = \sum_i g_i s_i([i = j] - s_j) = s_j (g_j - \sum_i g_i
    s_i)`, i.e. :math:`\partial L/\partial x = s \odot (g - \langle g, s\rangle)`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, dim) -> Array:
        xp = get_array_module(x)
        e = xp.exp(x - xp.amax(x, axis=dim, keepdims=True))
        e /= e.sum(axis=dim, keepdims=True)
        ctx.dim = dim
        ctx.save_for_backward(e)
        return e

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (s,) = ctx.saved_tensors
        return s * (grad - (grad * s).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(ArrayFunction):
    r""":math:`y_i = x_i - \log\sum_j e^{x_j}` along ``dim``.

    :math:`\partial y_i/\partial x_j = [i = j] - s_j` with :math:`s = e^{y}` the softmax,
    so :math:`\partial L/\partial x_j = \sum_i g_i([i = j] - s_j) = g_j - s_j \sum_i g_i`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, dim) -> Array:
        xp = get_array_module(x)
        shifted = x - xp.amax(x, axis=dim, keepdims=True)
        out = shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (y,) = ctx.saved_tensors
        return grad - y.exp() * grad.sum(ctx.dim, keepdim=True), None


# ``prod``, ``logsumexp``, ``norm`` and ``std``'s square root live in reduction_more.py, and the
# PyTorch-signature functions (argument checks, dtypes, ``out=``) that call these
# Functions in reduction_api.py; importing them here keeps ``minitorch.ops.reduction.sum``
# and ``.Prod`` working (reduction_more first: reduction_api imports from it).
# isort: off
from .reduction_more import *
from .reduction_api import *
# isort: on
from .reduction_api import _check_nonempty  # noqa: F401
