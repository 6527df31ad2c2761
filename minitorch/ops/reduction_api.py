r"""The reductions users call (``minitorch.sum``, ``Tensor.softmax``, ...).

Each one checks its arguments the way PyTorch does, resolves ``dim``/``keepdim``/``dtype``,
handles ``out=``, and then calls one Function of :mod:`minitorch.ops.reduction`, where the
op and its gradient are defined.
"""

from __future__ import annotations

import builtins

from .. import _dtype, return_types
from .._backend import get_array_module
from .._utils import normalize_dim, normalize_dims
from ..tensor import Tensor
from ._util import write_out
from .reduction import (
    Amax,
    LogSoftmax,
    Mean,
    Softmax,
    Sum,
)
from .reduction_more import LogSumExp, Norm, Prod, SqrtOfVar


def _check_kernel_float(input: Tensor, kernel: str) -> None:
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f'"{kernel}" not implemented for \'{input._scalar_type_name()}\'')


def _check_float(input: Tensor, name: str) -> None:
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {input._scalar_type_name()}"
        )


def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    r"""Sum over ``dim`` (all dims by default); integer and bool inputs sum to int64."""
    dims = normalize_dims(dim, input.ndim)
    if dtype is not None:
        np_dtype = _dtype.to_np(dtype)
    elif not input.dtype.is_floating_point:
        np_dtype = _dtype.int64.np
    else:
        np_dtype = None
    return write_out(Sum.apply(input, dims, keepdim, np_dtype), out, "sum")


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    r"""Arithmetic mean over ``dim`` (all dims by default); needs a floating dtype."""
    if dtype is not None:
        input = input.to(dtype)
    _check_float(input, "mean")
    dims = normalize_dims(dim, input.ndim)
    return write_out(Mean.apply(input, dims, keepdim), out, "mean")


def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    r"""Product over ``dim`` (all dims when ``dim`` is None)."""
    if dtype is not None:
        input = input.to(dtype)
    dims = normalize_dims(dim, input.ndim)
    return Prod.apply(input, dims, keepdim)


def _check_nonempty(input: Tensor, dims, name: str, no_dim_exc=RuntimeError) -> None:
    if input.numel() == 0 and (not dims or builtins.any(input.shape[d] == 0 for d in dims)):
        raise (IndexError if dims else no_dim_exc)(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument."
            if not dims
            else f"{name}(): Expected reduction dim {dims[0]} to have non-zero size."
        )


def amax(input: Tensor, dim=(), keepdim: bool = False, *, out=None) -> Tensor:
    r"""Maximum over ``dim`` (all dims when empty); ties share the gradient evenly."""
    dims = normalize_dims(dim if dim != () else None, input.ndim)
    _check_nonempty(input, dims, "amax")
    return write_out(Amax.apply(input, dims, keepdim, True), out, "amax")


def amin(input: Tensor, dim=(), keepdim: bool = False, *, out=None) -> Tensor:
    r"""Minimum over ``dim`` (all dims when empty); ties share the gradient evenly."""
    dims = normalize_dims(dim if dim != () else None, input.ndim)
    _check_nonempty(input, dims, "amin")
    return write_out(Amax.apply(input, dims, keepdim, False), out, "amin")


_MaxResult = return_types.max
_MinResult = return_types.min


def _extreme(input: Tensor, dim, keepdim: bool, largest: bool, other):
    name = "max" if largest else "min"
    if isinstance(dim, Tensor):  # torch.max(a, b) is the elementwise maximum
        other, dim = dim, None
    if other is not None:
        from .elementwise import maximum, minimum

        return (maximum if largest else minimum)(input, other)
    if dim is None:
        _check_nonempty(input, (), name)
        return Amax.apply(input, tuple(range(input.ndim)), False, largest)
    d = normalize_dim(dim, input.ndim)
    _check_nonempty(input, (d,), name)
    idx = (argmax if largest else argmin)(input, d, keepdim=True)
    values = input.gather(d, idx) if input.ndim else input.clone()
    if not keepdim and input.ndim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return (_MaxResult if largest else _MinResult)(values, idx)


def max(input: Tensor, dim=None, keepdim: bool = False, *, other=None):
    r"""``max(input)``: the largest element; ``max(input, dim)``: ``(values, indices)``;
    ``max(input, other)``: the elementwise maximum."""
    return _extreme(input, dim, keepdim, True, other)


def min(input: Tensor, dim=None, keepdim: bool = False, *, other=None):
    r"""Like :func:`max`, for the smallest elements."""
    return _extreme(input, dim, keepdim, False, other)


def _arg(input: Tensor, dim, keepdim: bool, largest: bool) -> Tensor:
    name = "argmax" if largest else "argmin"
    xp = get_array_module(input._data)
    f = xp.argmax if largest else xp.argmin
    if dim is None:
        _check_nonempty(input, (), name, IndexError)
        r = f(input._data.reshape(-1))
        r = xp.asarray(r, dtype=xp.int64)
        if keepdim:
            r = r.reshape((1,) * input.ndim)
        return Tensor._wrap(r)
    d = normalize_dim(dim, input.ndim)
    _check_nonempty(input, (d,), name)
    if input.ndim == 0:
        return Tensor._wrap(xp.zeros((), dtype=xp.int64))
    return Tensor._wrap(f(input._data, axis=d, keepdims=keepdim).astype(xp.int64, copy=False))


def argmax(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    r"""Index of the (first) largest element, overall or along ``dim``."""
    return _arg(input, dim, keepdim, True)


def argmin(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    r"""Index of the (first) smallest element, overall or along ``dim``."""
    return _arg(input, dim, keepdim, False)


def var(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    r"""Variance :math:`\frac{1}{N - c}\sum (x - \bar x)^2` with ``correction`` c (default 1)."""
    if isinstance(dim, bool) and unbiased is None:  # var(x, False) means unbiased=False
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    _check_float(input, "var")
    dims = normalize_dims(dim, input.ndim)
    n = 1
    for d in dims:
        n *= input.shape[d]
    centered = input - input.mean(dims, keepdim=True)
    return (centered * centered).sum(dims, keepdim=keepdim) / builtins.max(n - correction, 0)


def std(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    r"""Standard deviation, the square root of :func:`var` (gradient 0 where it is 0)."""
    return SqrtOfVar.apply(var(input, dim, unbiased, keepdim, correction=correction))


def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    r""":math:`\log\sum\exp` over ``dim``, computed without overflow."""
    _check_float(input, "logsumexp")
    return LogSumExp.apply(input, normalize_dims(dim, input.ndim), keepdim)


def softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    r"""Softmax along ``dim``: :math:`e^{x_i} / \sum_j e^{x_j}`."""
    if dtype is not None:
        input = input.to(dtype)
    _check_kernel_float(input, "softmax_lastdim_kernel_impl")
    return Softmax.apply(input, normalize_dim(dim, input.ndim))


def log_softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    r"""Log of the softmax along ``dim``, computed stably."""
    if dtype is not None:
        input = input.to(dtype)
    _check_kernel_float(input, "log_softmax_lastdim_kernel_impl")
    return LogSoftmax.apply(input, normalize_dim(dim, input.ndim))


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    r"""The vector :math:`p`-norm over ``dim`` (all elements by default); ``'fro'`` is 2."""
    if dtype is not None:
        input = input.to(dtype)
    _check_float(input, "norm")
    if p == "fro" or p is None:
        p = 2
    dims = normalize_dims(dim, input.ndim)
    if p == float("inf"):
        return input.abs().amax(dims, keepdim=keepdim)
    if p == float("-inf"):
        return input.abs().amin(dims, keepdim=keepdim)
    if p == 0:
        return (input != 0).to(input.dtype).sum(dims, keepdim=keepdim)
    return Norm.apply(input, p, dims, keepdim)


def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """True where every element (along ``dim``) is non-zero."""
    xp = get_array_module(input._data)
    dims = normalize_dims(dim, input.ndim)
    return Tensor._wrap(xp.asarray(xp.all(input._data, axis=dims, keepdims=keepdim)))


def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """True where some element (along ``dim``) is non-zero."""
    xp = get_array_module(input._data)
    dims = normalize_dims(dim, input.ndim)
    return Tensor._wrap(xp.asarray(xp.any(input._data, axis=dims, keepdims=keepdim)))


def var_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
             correction=None) -> tuple[Tensor, Tensor]:
    r"""``(var(input, ...), mean(input, ...))`` over the same dims (a plain tuple)."""
    if isinstance(dim, bool) and unbiased is None:
        dim, unbiased = None, dim
    mean_dims = normalize_dims(dim, input.ndim)
    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, mean_dims, keepdim))


def std_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
             correction=None) -> tuple[Tensor, Tensor]:
    r"""``(std(input, ...), mean(input, ...))`` over the same dims (a plain tuple)."""
    v, m = var_mean(input, dim, unbiased, keepdim, correction=correction)
    return v.sqrt(), m
