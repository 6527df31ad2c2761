r"""The shape functions users call (``minitorch.cat``, ``Tensor.view``, ``permute``, ...).

Each one checks its arguments the way PyTorch does and calls one Function of
:mod:`minitorch.ops.shape` (or composes them), where the op and its gradient are defined.
"""

from __future__ import annotations

import math

import numpy as np

from .._backend import get_array_module
from .._utils import normalize_dim
from ..tensor import Tensor
from .shape import (
    Cat,
    Clone,
    Contiguous,
    Expand,
    Flip,
    Permute,
    Repeat,
    Roll,
    Stack,
    Transpose,
    View,
    infer_shape,
)


def _shape_arg(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def view(input: Tensor, *shape) -> Tensor:
    """The same data with a new shape; raises when the memory layout does not allow it."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)):
        return input.to(shape[0])  # view(dtype) is not a reshape; approximated by a cast
    return View.apply(input, infer_shape(_shape_arg(shape), input.numel()))


def reshape(input: Tensor, *shape) -> Tensor:
    """Like :func:`view`, but copies when the memory layout requires it."""
    shape = infer_shape(_shape_arg(shape), input.numel())
    if shape == input.shape:
        return View.apply(input, shape)
    try:
        return View.apply(input, shape)
    except RuntimeError:
        return View.apply(Contiguous.apply(input), shape)


def permute(input: Tensor, *dims) -> Tensor:
    """Reorder the dimensions (a view)."""
    dims = _shape_arg(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {input.ndim} is "
            f"not equal to len(dims) = {len(dims)}"
        )
    dims = tuple(normalize_dim(d, input.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions (a view)."""
    n = input.ndim
    order = list(range(n))
    if n == 0:
        normalize_dim(dim0, 0), normalize_dim(dim1, 0)
        return Transpose.apply(input, ())
    a, b = normalize_dim(dim0, n), normalize_dim(dim1, n)
    order[a], order[b] = order[b], order[a]
    return Transpose.apply(input, tuple(order))


swapdims = transpose


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """NumPy's name for :func:`transpose` (PyTorch names its arguments ``axis0, axis1``)."""
    return transpose(input, axis0, axis1)


def t(input: Tensor) -> Tensor:
    """Transpose a tensor of at most 2 dims."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return transpose(input, 0, 1) if input.ndim == 2 else input.view(input.shape)


def expand(input: Tensor, *sizes) -> Tensor:
    """Broadcast singleton dims to ``sizes`` (-1 keeps a dim) without copying."""
    sizes = _shape_arg(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError(
            f"expand({input._type_name()}{{{list(input.shape)}}}, size={list(sizes)}): the "
            f"number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({input.ndim})"
        )
    lead = len(sizes) - input.ndim
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                    "non-existing dimension 0"
                )
            target.append(s)
            continue
        have = input.shape[i - lead]
        if s == -1:
            s = have
        if have != s and have != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({have}) "
                f"at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(input.shape)}"
            )
        target.append(s)
    target = tuple(target)
    if target == input.shape:
        return input
    return Expand.apply(input, target)


def broadcast_shapes(*shapes) -> tuple:
    """The shape that ``shapes`` broadcast to, with PyTorch's error when they don't."""
    try:
        return tuple(np.broadcast_shapes(*[tuple(s) for s in shapes]))
    except ValueError:
        raise RuntimeError(
            "shape mismatch: objects cannot be broadcast to a single shape. Mismatch is "
            f"between {' and '.join(str(list(s)) for s in shapes)}"
        ) from None


def broadcast_tensors(*tensors) -> tuple:
    """Expand all tensors to their common broadcast shape (views)."""
    from ._util import _check_broadcast

    try:
        shape = broadcast_shapes(*[t.shape for t in tensors])
    except RuntimeError:
        _check_broadcast(tensors)  # PyTorch's message, naming the two sizes
        raise
    return tuple(expand(t, *shape) for t in tensors)


def broadcast_to(input: Tensor, size) -> Tensor:
    """``input`` expanded to ``size`` (a view), as :func:`expand`."""
    return expand(input, *size)


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Drop size-1 dimensions (all, or those in ``dim``)."""
    if dim is None:
        shape = tuple(s for s in input.shape if s != 1)
    else:
        dims = {normalize_dim(d, input.ndim) for d in ((dim,) if isinstance(dim, int) else dim)}
        shape = tuple(s for i, s in enumerate(input.shape) if not (i in dims and s == 1))
    return View.apply(input, shape)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dimension at ``dim``."""
    d = normalize_dim(dim, input.ndim + 1)
    shape = input.shape[:d] + (1,) + input.shape[d:]
    return View.apply(input, shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one."""
    if input.ndim == 0:
        return reshape(input, 1)
    s, e = normalize_dim(start_dim, input.ndim), normalize_dim(end_dim, input.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = input.shape
    n = 1
    for k in shape[s : e + 1]:
        n *= k
    return reshape(input, shape[:s] + (n,) + shape[e + 1 :])


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes``."""
    d = normalize_dim(dim, input.ndim)
    if -1 not in sizes and math.prod(sizes) != input.shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({input.shape[d]}) in the input tensor")
    sizes = infer_shape(sizes, input.shape[d])
    return reshape(input, input.shape[:d] + tuple(sizes) + input.shape[d + 1 :])


def contiguous(input: Tensor) -> Tensor:
    """The tensor itself if C-contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return Contiguous.apply(input)


def clone(input: Tensor) -> Tensor:
    """A copy that stays in the graph (its gradient flows back to ``input``)."""
    return Clone.apply(input)


def _join_check(tensors, name: str):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    if not tensors:
        if name == "stack":
            raise RuntimeError("stack expects a non-empty TensorList")
        raise ValueError(f"{name}(): expected a non-empty list of Tensors")
    from ._util import promote

    if len({t.dtype for t in tensors}) > 1:
        tensors = promote(*tensors)
    return tensors


def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Concatenate along an existing dimension."""
    from ._util import write_out

    tensors = _join_check(tensors, "cat")
    ref = next((t for t in tensors if t.shape != (0,)), tensors[0])
    d = normalize_dim(dim, ref.ndim)
    tensors = [t for t in tensors if t.shape != (0,) or t is ref]
    for i, t in enumerate(tensors):
        if t.ndim != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {t.ndim}"
            )
        for k in range(ref.ndim):
            if k != d and t.shape[k] != ref.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref.shape[k]} but got size {t.shape[k]} for tensor number {i} in the list."
                )
    return write_out(Cat.apply(*tensors, dim=d), out, "cat")


concat = concatenate = cat


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join same-shaped tensors along a new dimension."""
    from ._util import write_out

    tensors = _join_check(tensors, "stack")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                "stack expects each tensor to be equal size, but got "
                f"{list(tensors[0].shape)} at entry 0 and {list(t.shape)} at entry {i}"
            )
    d = normalize_dim(dim, tensors[0].ndim + 1)
    return write_out(Stack.apply(*tensors, dim=d), out, "stack")


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Split into chunks of ``split_size`` (an int) or of the given sizes (a list)."""
    d = normalize_dim(dim, tensor.ndim)
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={step}")
        if step <= 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got {n}")
        sizes = [min(step, n - i) for i in range(0, n, step)] if n else [0]
    else:
        sizes = list(split_size_or_sections)
        if any(s < 0 for s in sizes):
            raise RuntimeError("split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={sizes}")
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                f"size at dimension {d}), but got split_sizes={sizes}"
            )
    out, start = [], 0
    for s in sizes:
        out.append(tensor.narrow(d, start, s))
        start += s
    return tuple(out)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Split into ``chunks`` pieces of size ``ceil(n / chunks)`` (the last may be smaller)."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    n = input.shape[normalize_dim(dim, input.ndim)]
    return split(input, max(-(-n // chunks), 1), dim)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    """Remove ``dim``, returning the slices along it."""
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = normalize_dim(dim, input.ndim)
    index = (slice(None),) * d
    return tuple(input[index + (i,)] for i in range(input.shape[d]))


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The slice ``start:start+length`` along ``dim`` (a view)."""
    d = normalize_dim(dim, input.ndim)
    size = input.shape[d]
    start, length = int(start), int(length)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return input[(slice(None),) * d + (slice(start, start + length),)]


def repeat(input: Tensor, *sizes) -> Tensor:
    """Tile the tensor: ``sizes[i]`` copies along dim ``i``."""
    reps = _shape_arg(sizes)
    for r in reps:
        if r < 0:
            raise RuntimeError(
                "Trying to create tensor with negative dimension "
                f"{r * (input.shape[-1] if input.ndim else 1)}: {list(reps)}")
    if len(reps) < input.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    return Repeat.apply(input, tuple(reps))


def flip(input: Tensor, dims) -> Tensor:
    """Reverse the element order along ``dims`` (a sequence of ints; the method
    ``x.flip(0, 1)`` also takes them one by one)."""
    if not isinstance(dims, (tuple, list)):
        raise TypeError(f"flip(): argument 'dims' (position 2) must be tuple of ints, not "
                        f"{type(dims).__name__}")
    seen = set()
    for d in dims:
        nd = normalize_dim(d, input.ndim)
        if nd in seen:
            raise RuntimeError(f"dim {nd} appears multiple times in the list of dims")
        seen.add(nd)
    return Flip.apply(input, tuple(normalize_dim(d, input.ndim) for d in dims))


def movedim(input: Tensor, source, destination) -> Tensor:
    """Move dim(s) ``source`` to position(s) ``destination``; the others keep their order."""
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            "movedim: Invalid source or destination dims: source "
            f"({list(src)} dims) should contain the same number of dims as destination "
            f"({list(dst)} dims)"
        )
    src = tuple(normalize_dim(s, input.ndim) for s in src)
    dst = tuple(normalize_dim(d, input.ndim) for d in dst)
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(dims)})")
    rest = iter(d for d in range(input.ndim) if d not in src)
    where = dict(zip(dst, src))
    order = [where[i] if i in where else next(rest) for i in range(input.ndim)]
    return permute(input, order)


def roll(input: Tensor, shifts, dims=()) -> Tensor:
    """Shift the elements ``shifts`` places along ``dims`` (wrapping around); with no
    ``dims`` (``()``, or None), over the flattened tensor, keeping its shape."""
    shifts_t = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is not None and not isinstance(dims, int):
        dims = tuple(dims) or None
    if dims is None:
        if len(shifts_t) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts_t)}, "
                               "dims:0")
        return Roll.apply(input, shifts_t[0], None)
    dims_t = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts_t) != len(dims_t):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts_t)}, dims:"
                           f"{len(dims_t)}")
    dims_t = tuple(normalize_dim(d, input.ndim) for d in dims_t)
    if input.ndim == 0:
        return input.clone()
    return Roll.apply(input, shifts_t, dims_t)


def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by ``k`` quarter turns in the plane of ``dims``, from the first dim towards
    the second (a composition of ``flip`` and ``transpose``)."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = (normalize_dim(d, input.ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    k %= 4
    if k == 1:
        return flip(input, (d1,)).transpose(d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return flip(input, (d0,)).transpose(d0, d1)
    return input.clone()


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    r"""Coordinate grids of 1-D inputs: output :math:`k` holds ``tensors[k]`` along dim
    :math:`k` (``indexing='xy'`` swaps the first two dims), expanded over the rest."""
    import warnings

    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {t}")
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    sizes = [t.numel() for t in tensors]
    pos = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        pos[0], pos[1] = 1, 0
    shape = [0] * len(tensors)
    for p, n in zip(pos, sizes):
        shape[p] = n
    out = []
    for p, t in zip(pos, tensors):
        view = [1] * len(tensors)
        view[p] = -1
        out.append(t.reshape(view).expand(shape))
    return tuple(out)


def repeat_interleave(input: Tensor, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """Repeat each element (each slice along ``dim``) ``repeats`` times in place; with only
    a 1-D integer tensor, repeat each index ``i`` ``input[i]`` times. A composition of
    ``index_select``, whose gradient adds the copies back up."""
    from .indexing import index_select

    if repeats is None:  # repeat_interleave(repeats): indices
        reps = input._data
        if input.ndim != 1 or reps.dtype.kind not in "iu":
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if reps.size and reps.min() < 0:
            raise RuntimeError("repeats can not be negative")
        xp = get_array_module(reps)
        return Tensor._wrap(xp.repeat(xp.arange(reps.size, dtype=np.int64), reps))
    if dim is None:
        input, d = input.reshape(-1), 0
    else:
        d = normalize_dim(dim, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if isinstance(repeats, Tensor):
        if repeats.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        reps = repeats._data.reshape(-1)
        if reps.size == 1:
            reps = np.full(n, int(reps[0]))
        elif reps.size != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {reps.size} and input.size({d}) = {n}")
    else:
        if int(repeats) < 0:
            raise RuntimeError("Repeats must be non-negative")
        reps = np.full(n, int(repeats))
    if reps.size and reps.min() < 0:
        raise RuntimeError("repeats can not be negative")
    xp = get_array_module(input._data)
    index = xp.repeat(xp.arange(n, dtype=np.int64), xp.asarray(reps))
    if output_size is not None and output_size != index.size:
        raise RuntimeError("allocated size does not match required size")
    if input.ndim == 0:
        input = input.reshape(1)
    return index_select(input, d, Tensor._wrap(index))


