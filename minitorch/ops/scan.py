r"""Scans along one dimension: cumulative sums and products, and finite differences.

A scan :math:`y_j = x_1 \circ \dots \circ x_j` makes every output depend on every earlier
input, so its gradient runs the other way: output :math:`j` sends :math:`g_j` back to every
:math:`k \le j`, i.e. input :math:`k` collects a *reversed* scan of the upstream gradient.
"""

from __future__ import annotations

from .._backend import get_array_module
from ..autograd import grad_mode
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..tensor import Tensor


def _reverse_cumsum(g: Tensor, dim: int) -> Tensor:
    r""":math:`r_k = \sum_{j \ge k} g_j` along ``dim`` (a cumsum of the flipped tensor)."""
    return cumsum(g.flip(dim), dim).flip(dim)


class Cumsum(ArrayFunction):
    r""":math:`y_j = \sum_{k \le j} x_k` along ``dim``.

    Gradient: :math:`\partial y_j / \partial x_k = [k \le j]`, so
    :math:`\partial L/\partial x_k = \sum_{j \ge k} g_j`, the reversed cumulative sum of
    :math:`g` (itself a cumsum, so it differentiates again).
    """

    @staticmethod
    def forward(ctx: Node, x: Array, dim, np_dtype) -> Array:
        ctx.dim = dim
        return get_array_module(x).cumsum(x, axis=dim, dtype=np_dtype)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return _reverse_cumsum(grad, ctx.dim), None, None


class Cumprod(ArrayFunction):
    r""":math:`y_j = \prod_{k \le j} x_k` along ``dim``.

    Gradient: :math:`\partial y_j / \partial x_k = [k \le j] \prod_{i \le j, i \ne k} x_i`.
    Without zeros this is :math:`y_j / x_k`, so
    :math:`\partial L/\partial x_k = \frac{1}{x_k}\sum_{j \ge k} g_j y_j`
    (a reversed cumsum).

    With zeros, let :math:`z` be the first zero of the slice. Inputs before it keep the
    formula above (every :math:`y_j, j \ge z` is 0 and so is its derivative). Inputs after
    it get 0 (each of their products still holds :math:`x_z = 0`). Input :math:`z` itself
    gets :math:`y_{z-1} \sum_{j \ge z} g_j \prod_{z < i \le j} x_i`, the last product
    being a cumprod of :math:`x` with the entries up to :math:`z` set to 1.

    Second derivatives: the gradient of an input :math:`k > z` is 0 only because it holds
    the factor :math:`x_z = 0`; it is :math:`x_z h_k` with :math:`h` the cumprod gradient
    of :math:`x` with :math:`x_z` set to 1 (the same rule applied to the next zero). With
    ``create_graph=True`` it is built that way, so differentiating it again is exact.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, dim, np_dtype) -> Array:
        ctx.dim = dim
        out = get_array_module(x).cumprod(x, axis=dim, dtype=np_dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y = ctx.saved_tensors
        return _cumprod_vjp(x, y, grad, ctx.dim), None, None


def _cumprod_vjp(x: Tensor, y: Tensor, g: Tensor, dim: int) -> Tensor:
    if x.numel() == 0:
        return g
    if not (x._data == 0).any():
        return _reverse_cumsum(g * y, dim) / x
    return _cumprod_grad_with_zeros(x, y, g, dim)


def _cumprod_grad_with_zeros(x: Tensor, y: Tensor, g: Tensor, dim: int) -> Tensor:
    """The gradient of cumprod along ``dim`` when some inputs are 0 (see :class:`Cumprod`).

    The positions (of the first zero ``z`` in each slice, and which entries lie before,
    at or after it) are constants computed on the arrays; the values are Tensor ops.
    """
    from .elementwise import where

    xd = x._data
    xp = get_array_module(xd)
    n = xd.shape[dim]
    shape = [1] * xd.ndim
    shape[dim] = n
    pos = xp.arange(n).reshape(shape)
    is_zero = xd == 0
    first = xp.where(is_zero.any(dim, keepdims=True), is_zero.argmax(dim, keepdims=True), n)
    before_z, at_z, from_z = (Tensor._wrap(m) for m in (pos < first, pos == first, pos >= first))
    safe = where(Tensor._wrap(is_zero), 1.0, x)
    out = where(before_z, _reverse_cumsum(g * y, dim) / safe, 0.0)
    after = cumprod(where(Tensor._wrap(pos <= first), 1.0, x), dim)  # prod_{z < i <= j} x_i
    total = where(from_z, g * after, 0.0).sum(dim, keepdim=True)
    prefix = y.gather(dim, Tensor._wrap(xp.maximum(first - 1, 0).astype(xp.int64)))
    prefix = where(Tensor._wrap(first == 0), 1.0, prefix)  # y_{z-1}, or 1 when z = 0
    out = where(at_z, prefix * total, out)
    if grad_mode.is_grad_enabled():  # create_graph: keep the x_z factor of the later inputs
        x_z = x.gather(dim, Tensor._wrap(xp.minimum(first, n - 1).astype(xp.int64)))
        rest = where(at_z, 1.0, x)
        later = _cumprod_vjp(rest, cumprod(rest, dim), g, dim)
        out = where(Tensor._wrap(pos > first), x_z * later, out)
    return out


# The PyTorch-signature functions (argument checks, dtype promotion, ``out=``) that call
# these Functions live in scan_api.py; importing them here keeps
# ``minitorch.ops.scan.cumsum`` working.
from .scan_api import *
