r"""The cumulative functions users call (``minitorch.cumsum``, ``minitorch.cumprod``, ...).

Each one checks its arguments the way PyTorch does (and handles ``out=`` where PyTorch
has it), then calls the Functions of :mod:`minitorch.ops.scan`, where the ops and
their gradients are defined.
"""

from __future__ import annotations

from .. import _dtype
from .._utils import normalize_dim
from ..autograd.function import ArrayFunction
from ..tensor import Tensor
from ._util import write_out
from .scan import (
    Cumprod,
    Cumsum,
)


# ------------------------------------------------------------------ public functions
def _scan_dtype(input: Tensor, dtype):
    """The NumPy dtype of the result: ``dtype``, or int64 for integer and bool inputs."""
    if dtype is not None:
        return _dtype.to_np(dtype)
    if not input.dtype.is_floating_point:
        return _dtype.int64.np
    return None


def _scan(fn: type[ArrayFunction], name: str, input: Tensor, dim: int, dtype, out) -> Tensor:
    d = normalize_dim(dim, input.ndim)
    x = input.reshape(1) if input.ndim == 0 else input  # a 0-d tensor scans as one element
    y = fn.apply(x, d, _scan_dtype(input, dtype))
    return write_out(y.reshape(()) if input.ndim == 0 else y, out, name)


def cumsum(input: Tensor, dim: int, *, dtype=None, out=None) -> Tensor:
    r"""Cumulative sum :math:`y_j = \sum_{k \le j} x_k` along ``dim`` (ints sum to int64)."""
    return _scan(Cumsum, "cumsum", input, dim, dtype, out)


def cumprod(input: Tensor, dim: int, *, dtype=None, out=None) -> Tensor:
    r"""Cumulative product :math:`y_j = \prod_{k \le j} x_k` along ``dim``."""
    return _scan(Cumprod, "cumprod", input, dim, dtype, out)


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

