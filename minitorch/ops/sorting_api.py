r"""The sorting and selection functions users call (``minitorch.sort``, ``minitorch.argsort``, ...).

Each one checks its arguments the way PyTorch does (and handles ``out=`` where PyTorch
has it), then calls the Functions of :mod:`minitorch.ops.sorting`, where the ops and
their gradients are defined.
"""

from __future__ import annotations

import numpy as np

from .. import return_types
from .._backend import get_array_module
from .._utils import normalize_dim
from ..tensor import Tensor
from ._util import write_out
from .elementwise import lerp
from .indexing import Gather
from .reduction import _check_nonempty
from .sorting import (
    Kthvalue,
    Median,
    MedianDim,
    Mode,
    NanmedianDim,
    Sort,
    Topk,
)


def _argsort(a, axis: int, descending: bool):
    """Stable sort order along ``axis``; descending keeps equal elements in index order."""
    xp = get_array_module(a)
    if a.dtype == bool:
        a = a.view(xp.uint8)
    if not descending:
        return xp.argsort(a, axis=axis, kind="stable")
    # sort the reversed slice ascending, then reverse: ties come out in index order again
    n = a.shape[axis]
    idx = xp.argsort(xp.flip(a, axis), axis=axis, kind="stable")
    return (n - 1) - xp.flip(idx, axis)


_SELECT = {"sort": Sort, "topk": Topk, "kthvalue": Kthvalue, "median": MedianDim,
           "nanmedian": NanmedianDim, "mode": Mode}


def _pick(input: Tensor, dim: int, idx, name: str, *keepdim) -> tuple[Tensor, Tensor]:
    """``(values, indices)``: ``input`` read at int64 ``idx`` along ``dim`` (0-d aware);
    ``keepdim`` (for the reducing selections) drops ``dim`` from both when False."""
    fn = _SELECT[name]
    idx = idx.astype(np.int64, copy=False)
    if input.ndim == 0:
        return fn.apply(input.reshape(1), 0, idx.reshape(1), *keepdim).reshape(()), \
            Tensor._wrap(idx.reshape(()))
    if keepdim and not keepdim[0]:
        return fn.apply(input, dim, idx, False), Tensor._wrap(idx.squeeze(dim))
    return fn.apply(input, dim, idx, *keepdim), Tensor._wrap(idx)


def _result(cls, values: Tensor, indices: Tensor, out, name: str):
    """The named tuple, or with ``out=(values, indices)`` those tensors, written."""
    if out is None:
        return cls(values, indices)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors")
    write_out(values, out[0], name)
    write_out(indices, out[1], name)
    return cls(out[0], out[1])


def _dim_and_data(input: Tensor, dim):
    d = normalize_dim(dim, input.ndim)
    data = input._data if input.ndim else input._data.reshape(1)
    return d, data


def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False,
         out=None):
    r"""Sort along ``dim``: ``(values, indices)`` with ``values = input.gather(dim, indices)``.

    The sort is always stable (``stable`` is accepted): equal elements keep their order.
    """
    d, data = _dim_and_data(input, dim)
    values, indices = _pick(input, d, _argsort(data, d, descending), "sort")
    return _result(return_types.sort, values, indices, out, "sort")


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *,
            stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (stable)."""
    d, data = _dim_and_data(input, dim)
    return Tensor._wrap(_argsort(data, d, descending).astype(np.int64).reshape(input.shape))


def msort(input: Tensor, *, out=None) -> Tensor:
    """``sort(input, dim=0).values``."""
    return write_out(sort(input, 0).values, out, "msort")


def _check_k(input: Tensor, d: int, k: int, name: str, lo: int) -> int:
    n = input.shape[d] if input.ndim else 1
    if not lo <= k <= n:
        msg = ("selected index k out of range" if name == "topk"
               else f"kthvalue(): selected number k out of range for dimension {d}")
        raise RuntimeError(msg)
    return n


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *,
         out=None):
    r"""The ``k`` largest (``largest=False``: smallest) elements along ``dim``, in order.

    The result is always sorted (PyTorch leaves the order open when ``sorted=False``).
    """
    d, data = _dim_and_data(input, dim)
    _check_k(input, d, k, "topk", 0)
    idx = _argsort(data, d, largest)
    xp = get_array_module(idx)
    idx = xp.take(idx, xp.arange(k), axis=d)
    values, indices = _pick(input, d, idx, "topk")
    return _result(return_types.topk, values, indices, out, "topk")


def _reduce_pick(input: Tensor, d: int, pos, keepdim: bool, cls, idx=None, out=None):
    """Read sorted position ``pos`` (an array with size-1 ``d``) of the stable sort."""
    data = input._data if input.ndim else input._data.reshape(1)
    xp = get_array_module(data)
    if idx is None:
        idx = _argsort(data, d, False)
    chosen = xp.take_along_axis(idx, xp.asarray(pos, dtype=np.int64), axis=d)
    values, indices = _pick(input, d, chosen, cls.__name__, keepdim)
    return _result(cls, values, indices, out, cls.__name__)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False, *, out=None):
    """The ``k``-th smallest element along ``dim`` (1-based) and its index."""
    d, data = _dim_and_data(input, dim)
    _check_k(input, d, k, "kthvalue", 1)
    pos = np.full(data.shape[:d] + (1,) + data.shape[d + 1:], k - 1)
    return _reduce_pick(input, d, pos, keepdim, return_types.kthvalue, out=out)


def _median_pos(data, d: int, ignore_nan: bool):
    """Sorted position of the lower median (size 1 along ``d``); NaN (sorted last) wins
    unless ignored."""
    xp = get_array_module(data)
    n = data.shape[d]
    nans = (xp.isnan(data) if data.dtype.kind == "f" else xp.zeros(data.shape, dtype=bool))
    nans = nans.sum(axis=d, keepdims=True)
    valid = n - nans
    if ignore_nan:
        return xp.maximum((valid - 1) // 2, 0)
    return xp.where(nans > 0, valid, (n - 1) // 2)


def _median(input: Tensor, dim, keepdim: bool, ignore_nan: bool, name: str, out):
    cls = getattr(return_types, name)
    if dim is None:
        if input.numel() == 0:
            return input.new_tensor(float("nan")) if input.is_floating_point() else \
                input.new_zeros(())
        flat = input.reshape(-1)
        pos = _median_pos(flat._data, 0, ignore_nan).reshape(1)
        value = _reduce_pick(flat.detach(), 0, pos, False, cls).values
        return write_out(Median.apply(input, value._data.reshape(())), out, name)
    d, data = _dim_and_data(input, dim)
    _check_nonempty(input, (d,), name)
    return _reduce_pick(input, d, _median_pos(data, d, ignore_nan), keepdim, cls, out=out)


def median(input: Tensor, dim=None, keepdim: bool = False, *, out=None):
    r"""The lower median (of two middle values, the smaller): over all elements (a tensor),
    or along ``dim`` (``(values, indices)``). A NaN in the slice makes the median NaN."""
    return _median(input, dim, keepdim, False, "median", out)


def nanmedian(input: Tensor, dim=None, keepdim: bool = False, *, out=None):
    """Like :func:`median`, ignoring NaNs (NaN only where a slice is all NaN)."""
    return _median(input, dim, keepdim, True, "nanmedian", out)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False, *, out=None):
    r"""The most frequent value along ``dim`` (of equally frequent ones, the smallest) and
    the index of its last occurrence."""
    d, data = _dim_and_data(input, dim)
    _check_nonempty(input, (d,), "mode")
    xp = get_array_module(data)
    idx = _argsort(data, d, False)
    s = xp.moveaxis(xp.take_along_axis(data, idx, axis=d), d, -1)
    n = s.shape[-1]
    # length of the run of equal values ending at each sorted position
    new_run = xp.ones(s.shape, dtype=bool)
    new_run[..., 1:] = s[..., 1:] != s[..., :-1]
    run = xp.cumsum(new_run, axis=-1) - 1  # which run each sorted position is in
    starts = xp.argsort(~new_run, axis=-1, kind="stable")  # run starts, in order, first
    start = xp.take_along_axis(starts, run, axis=-1)
    best = (xp.arange(n) - start).argmax(axis=-1)[..., None]  # first longest: smallest value
    return _reduce_pick(input, d, xp.moveaxis(best, -1, d), keepdim, return_types.mode, idx,
                        out)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def quantile(input: Tensor, q, dim=None, keepdim: bool = False, *,
             interpolation: str = "linear", out=None) -> Tensor:
    r"""The ``q``-quantiles along ``dim`` (all elements when None).

    With the slice sorted, :math:`r = q (n - 1)` and the result interpolates between the
    sorted values at :math:`\lfloor r\rfloor` and :math:`\lceil r\rceil`
    (``interpolation`` says how). A composition of ``sort`` (a gather) and a linear
    blend, so its gradient lands on the two picked elements with weights
    :math:`1 - w` and :math:`w`. A 1-D ``q`` puts its dimension first.
    """
    from .shape import movedim

    if not input.is_floating_point():
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest. Got {interpolation}")
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError("quantile() q must be a scalar or 1D tensor")
        if q.dtype is not input.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        qs, scalar_q = q._data.reshape(-1).astype(np.float64), q.ndim == 0
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
        qs, scalar_q = np.asarray([q], dtype=np.float64), True
    if qs.size and (qs.min() < 0 or qs.max() > 1):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    if input.numel() == 0:
        raise IndexError("quantile() input tensor must be non-empty")
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else normalize_dim(dim, input.ndim)
    if x.ndim == 0:
        x = x.reshape(1)
    values = sort(x, d).values
    data = values._data
    xp = get_array_module(data)
    n = data.shape[d]
    ranks = xp.asarray(qs, dtype=data.dtype) * (n - 1)  # in the input's precision, like torch
    if interpolation == "lower":
        ranks = xp.floor(ranks)
    elif interpolation == "higher":
        ranks = xp.ceil(ranks)
    elif interpolation == "nearest":
        ranks = xp.round(ranks)
    shape = [1] * data.ndim
    shape[d] = len(qs)
    ranks = xp.broadcast_to(ranks.reshape(shape), data.shape[:d] + (len(qs),) + data.shape[d + 1:])
    has_nan = xp.isnan(data).any(axis=d, keepdims=True)
    ranks = xp.where(has_nan, n - 1, ranks)
    lo = xp.floor(ranks).astype(np.int64)
    hi = xp.ceil(ranks).astype(np.int64)
    below, above = Gather.apply(values, d, lo), Gather.apply(values, d, hi)
    weight = 0.5 if interpolation == "midpoint" else Tensor._wrap((ranks - lo).astype(data.dtype))
    result = lerp(below, above, weight)  # as PyTorch interpolates (inf/NaN alike)
    result = movedim(result, d, 0)  # (Q, ...rest)
    if keepdim:
        kept = (1,) * input.ndim if dim is None else None
        if kept is not None:
            result = result.reshape((len(qs),) + kept)
        else:
            result = result.unsqueeze(d + 1)
    if scalar_q:
        result = result.squeeze(0)
    return write_out(result, out, "quantile")


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim=None):
    """The distinct elements (or slices along ``dim``), sorted, with optionally the index of
    each input element in them and their counts. Not differentiable."""
    xp = get_array_module(input._data)
    data = input._data
    if dim is not None:
        dim = normalize_dim(dim, input.ndim)
    kwargs = {"equal_nan": False} if dim is None else {}
    res = xp.unique(data if dim is not None else data.reshape(-1), return_inverse=True,
                    return_counts=True, axis=dim, **kwargs)
    values, inverse, counts = res
    out = [Tensor._wrap(values)]
    if return_inverse:
        inv = inverse.reshape(input.shape if dim is None else (-1,)).astype(np.int64)
        out.append(Tensor._wrap(inv))
    if return_counts:
        out.append(Tensor._wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False,
                 right: bool = False, side=None, out=None, sorter=None) -> Tensor:
    r"""For each value, the index where it would be inserted to keep the innermost dim of
    ``sorted_sequence`` sorted (``right``/``side='right'``: after equal elements)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to "
                               "opposites, got side of left while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    scalar = not isinstance(input, Tensor)
    xp = get_array_module(seq)
    vals = xp.asarray(input, dtype=seq.dtype) if scalar else input._data
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._data, axis=-1)
    how = "right" if right else "left"
    if seq.ndim == 1:
        res = xp.searchsorted(seq, vals, side=how)
    else:
        if scalar or vals.shape[:-1] != seq.shape[:-1]:
            raise RuntimeError(
                "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                "dimensions of boundaries tensor and input value tensor must match, but we got "
                f"boundaries tensor {list(seq.shape)} and input value tensor "
                f"{list(vals.shape)}")
        s2, v2 = seq.reshape(-1, seq.shape[-1]), vals.reshape(-1, vals.shape[-1])
        res = xp.stack([xp.searchsorted(a, b, side=how) for a, b in zip(s2, v2)])
        res = res.reshape(vals.shape)
    res = xp.asarray(res, dtype=np.int32 if out_int32 else np.int64)
    return write_out(Tensor._wrap(res), out, "searchsorted")


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False,
              out=None) -> Tensor:
    r"""The bucket of each element of ``input``: the index :math:`i` with
    :math:`b_{i-1} < x \le b_i` (``right=True``: :math:`b_{i-1} \le x < b_i`)."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)

