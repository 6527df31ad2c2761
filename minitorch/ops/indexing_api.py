r"""The indexing functions users call (``Tensor.__getitem__``, ``minitorch.gather``, ...).

Each one checks its arguments the way PyTorch does (and handles ``out=`` where PyTorch
has it), then calls the Functions of :mod:`minitorch.ops.indexing`, where the ops and
their gradients are defined.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._backend import get_array_module
from .._utils import normalize_dim
from ..autograd import grad_mode
from ..autograd.function import (
    mark_view,
)
from ..tensor import Tensor
from ._util import write_out
from .indexing import (
    Gather,
    Index,
    IndexBackward,
    IndexPut,
    ScatterAdd,
    Select,
    Slice,
    Tril,
    Triu,
    _is_basic,
)


def convert_key(key, shape) -> tuple:
    """Turn an index into a tuple of raw index objects, raising PyTorch's errors.

    Accepts ints, slices, ``None``, ``...``, bool/int tensors, lists and arrays.
    """
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    for k in key:
        if isinstance(k, Tensor):
            if k.dtype.is_floating_point:
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors"
                )
            if k.dtype.name == "uint8":  # a mask, as in PyTorch (deprecated there)
                warnings.warn(
                    "indexing with dtype minitorch.uint8 is now deprecated, please use a dtype "
                    "minitorch.bool instead.", UserWarning, stacklevel=3)
                k = k.bool()
            k = k._data if k.ndim else (bool(k._data) if k.dtype.name == "bool" else int(k))
        elif isinstance(k, (bool, np.bool_)):
            k = np.asarray(k)
        elif isinstance(k, (int, np.integer)):
            k = int(k)
        elif isinstance(k, (list, tuple, range)):
            k = np.asarray(k)
            if k.dtype.kind == "f":
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors"
                )
        elif isinstance(k, str):
            raise TypeError(f"new(): invalid data type '{type(k).__name__}'")
        elif isinstance(k, slice):
            if k.step is not None and k.step <= 0:
                raise ValueError("step must be greater than zero")
            k = slice(*(None if v is None else _index_int(v) for v in (k.start, k.stop, k.step)))
        elif k is None or k is Ellipsis or hasattr(k, "dtype"):
            pass
        else:
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                f"are valid indices (got {type(k).__name__})"
            )
        out.append(k)
    _check_bounds(out, shape)
    return tuple(out)


def _index_int(v) -> int:
    if isinstance(v, Tensor):
        return int(v)
    if not isinstance(v, (int, np.integer)):
        raise TypeError(
            "slice indices must be integers or None or have an __index__ method"
        )
    return int(v)


def _check_bounds(key: list, shape) -> None:
    used = sum(
        (k.ndim if hasattr(k, "ndim") and k.dtype == bool else 1)
        for k in key
        if k is not None and k is not Ellipsis
    )
    if used > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    dim = 0
    for i, k in enumerate(key):
        if k is Ellipsis:
            rest = sum(1 for j in key[i + 1 :] if j is not None and j is not Ellipsis)
            dim = len(shape) - rest
            continue
        if k is None:
            continue
        if isinstance(k, int):
            n = shape[dim]
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {n}")
        elif hasattr(k, "dtype") and k.dtype == bool:
            want = shape[dim : dim + k.ndim]
            if tuple(k.shape) != tuple(want):
                raise IndexError(
                    f"The shape of the mask {list(k.shape)} at index {dim} does not match the "
                    f"shape of the indexed tensor {list(want)} at index {dim}"
                )
            dim += k.ndim
            continue
        elif hasattr(k, "dtype") and k.size:
            n = shape[dim]
            lo, hi = int(k.min()), int(k.max())
            if lo < -n or hi >= n:
                bad = hi if hi >= n else lo
                raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {n}")
        dim += 1


# ------------------------------------------------------------------ public functions
def getitem(x: Tensor, key) -> Tensor:
    """``x[key]`` with PyTorch's indexing rules (basic indexing returns a view)."""
    key = convert_key(key, x.shape)
    fn = Index
    if _is_basic(key):  # PyTorch names these nodes SelectBackward0 / SliceBackward0
        fn = Select if len(key) == 1 and isinstance(key[0], int) else Slice
    try:
        out = fn.apply(x, key)
    except IndexError as e:
        raise IndexError(str(e).replace("axis", "dimension").replace("array", "tensor")) from None
    if _is_basic(key):
        mark_view(out, x)
    return out


def setitem(x: Tensor, key, value) -> None:
    """``x[key] = value``, in place, recorded in the graph when gradients are involved."""
    byte_mask = isinstance(key, Tensor) and key.dtype.name == "uint8"
    key = convert_key(key, x.shape)
    if byte_mask and (not isinstance(value, Tensor) or value.ndim == 0):
        _not_bool_mask(Tensor._wrap(np.zeros(0, np.uint8)))  # PyTorch's masked_fill_ path
    tracked = grad_mode.is_grad_enabled() and (
        x.requires_grad or (isinstance(value, Tensor) and value.requires_grad)
    )
    if not tracked:
        x._check_inplace()
        try:
            x._data[key] = value._data if isinstance(value, Tensor) else value
        except ValueError:
            _raise_setitem_shape(x, key, value)
            raise
        x._bump_version()
        return
    if not isinstance(value, Tensor):
        value = x.new_tensor(value)
    if value.dtype is not x.dtype:
        value = value.to(x.dtype)
    x._rebase_inplace(lambda snapshot: IndexPut.apply(snapshot, value, key))


def _check_range(index, d: int, size: int) -> None:
    """PyTorch's error for an index outside ``[0, size)`` (negative indices do not wrap)."""
    if index.size:
        lo, hi = int(index.min()), int(index.max())
        if lo < 0 or hi >= size:
            raise RuntimeError(
                f"index {lo if lo < 0 else hi} is out of bounds for dimension {d} with size {size}"
            )


def _check_sizes(index, input: Tensor, d: int, src: Tensor | None = None) -> None:
    """``index`` may not be larger than ``input`` (but along ``d``) nor than ``src``."""
    ish, sh = list(index.shape), list(input.shape)
    bad = [k for k, (i, s) in enumerate(zip(ish, sh)) if k != d and i > s]
    if bad or (src is not None and any(i > s for i, s in zip(ish, src.shape))):
        if src is None:
            raise RuntimeError(
                f"Size does not match at dimension {bad[0]} expected index {ish} to be no "
                f"larger than self {sh} apart from dimension {d}")
        raise RuntimeError(
            f"Expected index {ish} to be no larger than self {sh} apart from dimension {d} "
            f"and to be no larger size than src {list(src.shape)}")


def _raise_setitem_shape(x: Tensor, key, value) -> None:
    """PyTorch's error for ``x[key] = value`` when ``value`` does not fit ``x[key]``."""
    if not isinstance(value, Tensor):
        return
    target = list(x._data[key].shape)
    src = list(value.shape)
    for k in range(1, len(src) + 1):
        t = target[-k] if k <= len(target) else None
        if t is None or (src[-k] != t and src[-k] != 1):
            raise RuntimeError(
                f"The expanded size of the tensor ({t}) must match the existing size ({src[-k]}) "
                f"at non-singleton dimension {len(target) - k}.  Target sizes: {target}.  "
                f"Tensor sizes: {src}") from None


def _not_bool_mask(mask) -> None:
    from ..tensor import _C_NAMES

    got = _C_NAMES[mask.dtype.name] if isinstance(mask, Tensor) else type(mask).__name__
    raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {got}")


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """Pick values along ``dim`` at ``index`` (same number of dims as ``input``)."""
    d = normalize_dim(dim, input.ndim)
    if index.dtype.name not in ("int64", "int32"):
        raise RuntimeError("gather(): Expected dtype int64 for index")
    if index.ndim != input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    _check_sizes(index, input, d)
    _check_range(index._data, d, input.shape[d] if input.ndim else 1)
    return Gather.apply(input, d, index._data)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """Out-of-place ``input.scatter_add_(dim, index, src)``."""
    d = normalize_dim(dim, input.ndim)
    if index.dtype.name not in ("int64", "int32"):
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    if src.dtype is not input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype "
                           f"({input.dtype} vs {src.dtype})")
    if index.ndim != input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    _check_sizes(index, input, d, src)
    _check_range(index._data, d, input.shape[d] if input.ndim else 1)
    return ScatterAdd.apply(input, d, index._data, src)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """Select the entries ``index`` (1-D) along ``dim``."""
    d = normalize_dim(dim, input.ndim)
    if index.dtype.name not in ("int64", "int32"):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    size = input.shape[d] if input.ndim else 1
    i = index._data.reshape(-1)
    if i.size and (int(i.min()) < 0 or int(i.max()) >= size):
        bad = int(i.min()) if int(i.min()) < 0 else int(i.max())
        raise IndexError(f"index out of range in self (index {bad} is out of bounds for "
                         f"dimension {d} with size {size})")
    return input[(slice(None),) * d + (Tensor._wrap(i),)]


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """``value`` where ``mask`` is True, ``input`` elsewhere."""
    from .elementwise import where

    if not isinstance(mask, Tensor) or mask.dtype.name != "bool":
        _not_bool_mask(mask)
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        value = value.to(input.dtype)
    return where(mask, value if isinstance(value, Tensor) else input.new_tensor(value), input)


def nonzero(input: Tensor, *, as_tuple: bool = False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or one tensor per dim."""
    xp = get_array_module(input._data)
    idx = xp.nonzero(input._data if input.ndim else input._data.reshape(1))
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(xp.int64)) for i in idx)
    return Tensor._wrap(xp.stack(idx, axis=1).astype(xp.int64) if idx else xp.zeros((0, 0)))


def _triangle(fn, name: str, input: Tensor, diagonal: int) -> Tensor:
    if input.dim() < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    return fn.apply(input, int(diagonal))


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """Zero the elements above the ``diagonal``-th diagonal of the last two dims (``torch.tril``)."""
    return _triangle(Tril, "tril", input, diagonal)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """Zero the elements below the ``diagonal``-th diagonal of the last two dims (``torch.triu``)."""
    return _triangle(Triu, "triu", input, diagonal)


# ------------------------------------------------------------- index_put, take, select
def _index_tuple(indices, name: str) -> tuple:
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"{name}(): argument 'indices' must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    return tuple(indices)


def index_put(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    r"""Out-of-place ``input[indices] = values`` (``accumulate=True``: ``+=``, adding up
    repeated indices).

    Without accumulation it is :class:`IndexPut`. With it, it is
    :math:`x + \mathrm{scatter}(v)`: the scatter is :class:`IndexBackward` (which adds
    repeats), so :math:`x` gets :math:`g` and :math:`v` gets :math:`g[\text{indices}]`.
    """
    key = convert_key(_index_tuple(indices, "index_put"), input.shape)
    if not isinstance(values, Tensor):
        values = input.new_tensor(values)
    if values.dtype is not input.dtype:
        raise RuntimeError(
            f"Index put requires the source and destination dtypes match, got "
            f"{input._scalar_type_name()} for the destination and "
            f"{values._scalar_type_name()} for the source.")
    target = input._data[key].shape
    try:
        ok = np.broadcast_shapes(values.shape, target) == target
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(values.shape)} cannot "
                           f"be broadcast to indexing result of shape {list(target)}")
    if not accumulate:
        return IndexPut.apply(input, values, key)
    return input + IndexBackward.apply(values.expand(target), key, input.shape)


def index_put_(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """In-place :func:`index_put`."""
    return input._rebase_inplace(lambda s: index_put(s, indices, values, accumulate))


def masked_select(input: Tensor, mask: Tensor, *, out=None) -> Tensor:
    """The elements of ``input`` where the (broadcast) bool ``mask`` is True, as 1-D."""
    from .shape import broadcast_tensors

    if mask.dtype.name != "bool":
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    input, mask = broadcast_tensors(input, mask)
    return write_out(input[mask], out, "masked_select")


def take(input: Tensor, index: Tensor) -> Tensor:
    """``input.reshape(-1)[index]``: the result has ``index``'s shape."""
    if index.dtype.name != "int64":
        raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                           f"{index._scalar_type_name()}")
    n = input.numel()
    data = index._data
    if data.size and (data.min() < -n or data.max() >= n):
        bad = int(data.max() if data.max() >= n else data.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         "elements.")
    return input.reshape(-1)[index]

