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
    if not keepdim:
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


class Prod(ArrayFunction):
    r""":math:`z = \prod_i x_i`; :math:`\partial z/\partial x_j = \prod_{i\ne j} x_i = z / x_j`.

    The quotient form fails when some :math:`x_j = 0`; then the product of the *other*
    elements is computed directly (first-order exact; not differentiated again).
    """

    @staticmethod
    def forward(ctx: Node, x: Array, dims, keepdim) -> Array:
        ctx.dims, ctx.keepdim = dims, keepdim
        xp = get_array_module(x)
        out = xp.asarray(xp.prod(x, axis=dims, keepdims=keepdim))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, out = ctx.saved_tensors
        dims, keepdim = ctx.dims, ctx.keepdim
        g = _expand_back(grad, x.shape, dims, keepdim)
        xd = x._data
        if not (xd == 0).any():
            return g * _expand_back(out, x.shape, dims, keepdim) / x, None, None
        return g * Tensor._wrap(_product_of_others(xd, dims)), None, None


def _product_of_others(x, dims):
    r"""For every element, the product of the *other* elements of its reduction group.

    With the reduced axes moved last and flattened to one axis of length R, the product
    excluding position :math:`k` is (product of positions :math:`< k`) times (product of
    positions :math:`> k`): two exclusive cumulative products, no division by zero.
    """
    xp = get_array_module(x)
    if not dims:
        return xp.ones_like(x)
    last = tuple(range(-len(dims), 0))
    moved = xp.moveaxis(x, dims, last)
    flat = moved.reshape(moved.shape[: -len(dims)] + (-1,))
    one = xp.ones(flat.shape[:-1] + (1,), dtype=x.dtype)
    before = xp.concatenate([one, xp.cumprod(flat[..., :-1], axis=-1)], axis=-1)
    rev = flat[..., ::-1]
    after = xp.concatenate([one, xp.cumprod(rev[..., :-1], axis=-1)], axis=-1)[..., ::-1]
    return xp.moveaxis((before * after).reshape(moved.shape), last, dims)


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


class LogSumExp(ArrayFunction):
    r""":math:`z = \log \sum_i e^{x_i}`, computed as :math:`m + \log\sum e^{x_i - m}`.

    Gradient: :math:`\partial z/\partial x_i = e^{x_i} / \sum_j e^{x_j} = e^{x_i - z}` (the
    softmax), so :math:`\partial L/\partial x_i = g\,e^{x_i - z}` (:math:`g` and :math:`z`
    broadcast back over the reduced dims).
    """

    @staticmethod
    def forward(ctx: Node, x: Array, dims, keepdim) -> Array:
        xp = get_array_module(x)
        m = xp.amax(x, axis=dims, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        out = xp.log(xp.sum(xp.exp(x - m), axis=dims, keepdims=True)) + m
        if not keepdim:
            out = out.squeeze(axis=dims)
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, out = ctx.saved_tensors
        dims, keepdim = ctx.dims, ctx.keepdim
        soft = (x - _expand_back(out, x.shape, dims, keepdim)).exp()
        return _expand_back(grad, x.shape, dims, keepdim) * soft, None, None


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


class Norm(ArrayFunction):
    r""":math:`\|x\|_p = (\sum |x_i|^p)^{1/p}` for finite :math:`p \ge 1`.

    :math:`\partial \|x\|_p / \partial x_i = x_i |x_i|^{p-2} / \|x\|_p^{p-1}`, taken as 0
    where the norm is 0 (PyTorch's subgradient choice).
    """

    @staticmethod
    def forward(ctx: Node, x: Array, p, dims, keepdim) -> Array:
        xp = get_array_module(x)
        a = xp.abs(x) if x.dtype.itemsize >= 4 else xp.abs(x).astype(xp.float32)  # float16:
        with xp.errstate(over="ignore"):  # sum in float32 like PyTorch, so no overflow
            out = (xp.sqrt((a * a).sum(axis=dims, keepdims=keepdim)) if p == 2 else (
                (a**p).sum(axis=dims, keepdims=keepdim) ** (1.0 / p))).astype(x.dtype)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        out = xp.asarray(out)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, out = ctx.saved_tensors
        p, dims, keepdim = ctx.p, ctx.dims, ctx.keepdim
        n = _expand_back(out, x.shape, dims, keepdim)
        g = _expand_back(grad, x.shape, dims, keepdim)
        safe = _where0(n)
        if p == 2:
            local = x / safe
        elif p == 1:
            local = x.sign()
        else:
            local = x * x.abs() ** (p - 2) / safe ** (p - 1)
        from .elementwise import where

        return where(n == 0, 0.0, g * local), None, None, None


def _where0(n: Tensor) -> Tensor:
    from .elementwise import where

    return where(n == 0, 1.0, n)


class SqrtOfVar(ArrayFunction):
    r""":math:`s = \sqrt{v}` for a variance :math:`v`, with :math:`\partial s/\partial v =
    1/(2s)` taken as 0 where :math:`s = 0`.

    At :math:`s = 0` all the values are equal and :math:`v` is at its minimum, so its own
    gradient is 0; PyTorch defines the product :math:`0 \cdot \infty` there as 0 (not NaN).
    """

    @staticmethod
    def forward(ctx: Node, v: Array) -> Array:
        out = get_array_module(v).sqrt(v)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (s,) = ctx.saved_tensors
        from .elementwise import where

        return where(s == 0, 0.0, grad / (2 * _where0(s)))


# The PyTorch-signature functions (argument checks, dtypes, ``out=``) that call these
# Functions live in reduction_api.py; importing them here keeps
# ``minitorch.ops.reduction.sum`` working.
from .reduction_api import *
from .reduction_api import _check_nonempty  # noqa: F401
