r"""Scans along one dimension: cumulative sums and products, and finite differences.

A scan :math:`y_j = x_1 \circ \dots \circ x_j` makes every output depend on every earlier
input, so its gradient runs the other way: output :math:`j` sends :math:`g_j` back to every
:math:`k \le j`, i.e. input :math:`k` collects a *reversed* scan of the upstream gradient.
"""

from __future__ import annotations

from .. import _dtype
from .._backend import get_array_module
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import write_out
from .reduction import normalize_dim


class _Builtin(Function):
    _builtin = True


def _reverse_cumsum(g: Tensor, dim: int) -> Tensor:
    r""":math:`r_k = \sum_{j \ge k} g_j` along ``dim`` (a cumsum of the flipped tensor)."""
    return cumsum(g.flip(dim), dim).flip(dim)


class Cumsum(_Builtin):
    r""":math:`y_j = \sum_{k \le j} x_k` along ``dim``.

    Gradient: :math:`\partial y_j / \partial x_k = [k \le j]`, so
    :math:`\partial L/\partial x_k = \sum_{j \ge k} g_j`, the reversed cumulative sum of
    :math:`g` (itself a cumsum, so it differentiates again).
    """

    @staticmethod
    def forward(ctx, x, dim, np_dtype):
        ctx.dim = dim
        return get_array_module(x).cumsum(x, axis=dim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return _reverse_cumsum(grad, ctx.dim), None, None


class Cumprod(_Builtin):
    r""":math:`y_j = \prod_{k \le j} x_k` along ``dim``.

    Gradient: :math:`\partial y_j / \partial x_k = [k \le j] \prod_{i \le j, i \ne k} x_i`.
    Without zeros this is :math:`y_j / x_k`, so
    :math:`\partial L/\partial x_k = \frac{1}{x_k}\sum_{j \ge k} g_j y_j`
    (a reversed cumsum; differentiable again).

    With zeros, let :math:`z` be the first zero of the slice. Inputs before it keep the
    formula above (every :math:`y_j, j \ge z` is 0 and so is its derivative). Inputs after
    it get 0 (each of their products still holds :math:`x_z = 0`). Input :math:`z` itself
    gets :math:`y_{z-1} \sum_{j \ge z} g_j \prod_{z < i \le j} x_i`, computed directly:
    exact to first order, not differentiated again (like :class:`Prod`).
    """

    @staticmethod
    def forward(ctx, x, dim, np_dtype):
        ctx.dim = dim
        out = get_array_module(x).cumprod(x, axis=dim, dtype=np_dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        dim = ctx.dim
        if x.numel() == 0:
            return grad, None, None
        if not (x._data == 0).any():
            return _reverse_cumsum(grad * y, dim) / x, None, None
        return Tensor._wrap(_cumprod_grad_with_zeros(x._data, y._data, grad._data, dim)), None, None


def _cumprod_grad_with_zeros(x, y, g, dim):
    """First-order gradient of cumprod along ``dim`` when some inputs are 0 (see Cumprod)."""
    xp = get_array_module(x)
    x, y, g = (xp.moveaxis(a, dim, -1) for a in (x, y, g))
    n = x.shape[-1]
    pos = xp.arange(n)
    is_zero = x == 0
    first = xp.where(is_zero.any(-1), is_zero.argmax(-1), n)[..., None]  # z (n: no zero)
    safe = xp.where(is_zero, 1, x)
    rev = xp.flip(xp.cumsum(xp.flip(g * y, -1), -1), -1)
    out = xp.where(pos < first, rev / safe, 0)
    # input z: y_{z-1} * sum_{j >= z} g_j prod_{z < i <= j} x_i
    after = xp.cumprod(xp.where(pos <= first, 1, x), -1)
    at_z = xp.where(pos >= first, g * after, 0).sum(-1, keepdims=True)
    before = xp.take_along_axis(y, xp.maximum(first - 1, 0), -1)
    before = xp.where(first == 0, 1, before)
    out = xp.where(pos == first, before * at_z, out)
    return xp.moveaxis(out.astype(g.dtype, copy=False), -1, dim)


# ------------------------------------------------------------------ public functions
def _scan_dtype(input: Tensor, dtype):
    """The NumPy dtype of the result: ``dtype``, or int64 for integer and bool inputs."""
    if dtype is not None:
        return _dtype.to_np(dtype)
    if not input.dtype.is_floating_point:
        return _dtype.int64.np
    return None


def cumsum(input: Tensor, dim: int, *, dtype=None, out=None) -> Tensor:
    r"""Cumulative sum :math:`y_j = \sum_{k \le j} x_k` along ``dim`` (ints sum to int64)."""
    d = normalize_dim(dim, input.ndim)
    if input.ndim == 0:
        return write_out(Cumsum.apply(input.reshape(1), 0, _scan_dtype(input, dtype))
                         .reshape(()), out, "cumsum")
    return write_out(Cumsum.apply(input, d, _scan_dtype(input, dtype)), out, "cumsum")


def cumprod(input: Tensor, dim: int, *, dtype=None, out=None) -> Tensor:
    r"""Cumulative product :math:`y_j = \prod_{k \le j} x_k` along ``dim``."""
    d = normalize_dim(dim, input.ndim)
    if input.ndim == 0:
        return write_out(Cumprod.apply(input.reshape(1), 0, _scan_dtype(input, dtype))
                         .reshape(()), out, "cumprod")
    return write_out(Cumprod.apply(input, d, _scan_dtype(input, dtype)), out, "cumprod")


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    r"""The ``n``-th forward difference :math:`y_k = x_{k+1} - x_k` along ``dim``.

    A composition of slices and a subtraction (bool tensors use ``!=``, like PyTorch), so
    the gradient is the adjoint of the difference: :math:`-g_k + g_{k-1}`.
    """
    from .shape import cat

    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = normalize_dim(dim, input.ndim)
    parts = [p for p in (prepend, input, append) if p is not None]
    if len(parts) > 1:
        parts = [p if isinstance(p, Tensor) else input.new_tensor(p) for p in parts]
        parts = [p if p.ndim else p.expand(input.shape[:d] + (1,) + input.shape[d + 1:])
                 for p in parts]
        input = cat(parts, d)
    for _ in range(n):
        size = input.shape[d]
        if size == 0:
            break
        hi, lo = input.narrow(d, 1, size - 1), input.narrow(d, 0, size - 1)
        input = hi != lo if input.dtype.name == "bool" else hi - lo
    return input
