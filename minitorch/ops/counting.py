r"""Counting: ``bincount``, ``histc`` and ``count_nonzero``.

Counts are piecewise constant in the data, so these ops have no gradient (PyTorch
defines none either).
"""

from __future__ import annotations

import numpy as np

from .._backend import get_array_module
from .._utils import normalize_dims
from ..tensor import Tensor
from ._util import write_out


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    r"""How often each value :math:`0, 1, \dots` occurs in the 1-D non-negative integer
    ``input`` (with ``weights``: the sum of their weights), at least ``minlength`` long.

    The result is int64, or with ``weights`` float32 for float32 weights and float64 else.
    """
    data = input._data
    xp = get_array_module(data)
    if data.dtype.kind not in "iub":
        raise NotImplementedError(
            f"\"bincount_cpu\" not implemented for '{input._scalar_type_name()}'")
    if input.ndim != 1 or (data.size and data.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return Tensor._wrap(xp.bincount(data, minlength=minlength).astype(np.int64))
    if weights.ndim != 1 or weights.shape[0] != data.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    w = weights._data
    out_dtype = np.float32 if w.dtype == np.float32 else np.float64
    return Tensor._wrap(xp.bincount(data, w.astype(np.float64), minlength).astype(out_dtype))


def histc(input: Tensor, bins: int = 100, min=0, max=0, *, out=None) -> Tensor:
    r"""A histogram of ``bins`` equal-width bins over ``[min, max]`` (the data's range when
    ``min == max``); elements outside are ignored, ``max`` falls in the last bin.

    Element :math:`x` goes to bin :math:`\lfloor (x - \min)\, n / (\max - \min) \rfloor`,
    corrected by one where rounding put it on the wrong side of a bin edge.
    """
    data = input._data
    xp = get_array_module(data)
    if data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"histogram_cpu\" not implemented for '{input._scalar_type_name()}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histc(): bins must be > 0, but got {bins} for bins")
    lo, hi = float(min), float(max)
    if lo == hi and data.size:
        lo, hi = float(data.min()), float(data.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"torch.histc(): max must be larger than min, but got min {lo} "
                           f"max {hi}")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc(): range of [{lo}, {hi}] is not finite")
    x = data.reshape(-1)
    x = x[(x >= lo) & (x <= hi)]
    edges = xp.linspace(lo, hi, bins + 1).astype(data.dtype)
    pos = xp.clip(((x - lo) * bins / (hi - lo)).astype(np.int64), 0, bins - 1)
    pos = pos - (x < edges[pos])
    pos = pos + ((x >= edges[pos + 1]) & (pos < bins - 1))
    counts = xp.bincount(pos, minlength=bins).astype(data.dtype)
    return write_out(Tensor._wrap(counts), out, "histc")


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    """The number of non-zero elements (along ``dim``), as int64."""
    dims = normalize_dims(dim, input.ndim)
    xp = get_array_module(input._data)
    return Tensor._wrap(xp.asarray(xp.count_nonzero(input._data, axis=dims), dtype=np.int64))
