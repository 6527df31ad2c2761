r"""More reductions: ``prod``, ``logsumexp``, ``norm`` and the square root that ``std`` applies
to a variance.

They follow the pattern of :mod:`minitorch.ops.reduction` (read that first): the gradient
spreads the upstream gradient back over the reduced dimensions with ``_expand_back``.
:mod:`minitorch.ops.reduction` re-exports them, so ``minitorch.ops.reduction.Prod`` keeps
working.
"""

from __future__ import annotations

from .._backend import get_array_module
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..tensor import Tensor
from .reduction import _expand_back


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
