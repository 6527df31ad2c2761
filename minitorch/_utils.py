"""Argument helpers shared by the ops and the layers: dims and (h, w) pairs.

They only check and normalise arguments, raising PyTorch's exception types and messages;
no array code lives here.
"""

from __future__ import annotations

import builtins


def normalize_dim(dim: int, ndim: int) -> int:
    """Wrap a negative dim; PyTorch's IndexError when out of range (0-d tensors take 0/-1)."""
    n = builtins.max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n if ndim else 0


def normalize_dims(dim, ndim: int) -> tuple[int, ...]:
    """``None`` means every dim; an int or a sequence is wrapped and checked."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int):
        dim = (dim,)
    dims = tuple(normalize_dim(d, ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    return dims if ndim else ()


def pair(value, name: str, fn: str | None = None) -> tuple[int, int]:
    """An int, or a sequence of one or two ints, as ``(h, w)``.

    Anything longer raises PyTorch's RuntimeError: pooling's wording when ``fn`` names the
    pooling function, convolution's otherwise.
    """
    if isinstance(value, int):
        return (value, value)
    value = tuple(value)
    if len(value) == 1:
        return (int(value[0]), int(value[0]))
    if len(value) != 2:
        if fn is not None:
            raise RuntimeError(f"{fn}: {name} must either be a single int, or a tuple of two ints")
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of 2 values to match "
            f"the convolution dimensions, but got {name}={list(value)}"
        )
    return (int(value[0]), int(value[1]))


def ntuple(value, n: int) -> tuple:
    """How PyTorch's layers store sizes (``nn.modules.utils._ntuple``): an int repeated
    ``n`` times, any other iterable as a tuple, unchecked (the functional op checks it)."""
    return (value,) * n if isinstance(value, int) else tuple(value)
