r"""Batches of sequences of different lengths (PyTorch's ``torch.nn.utils.rnn``).

Two layouts hold such a batch:

* **padded**: a (T, B, \*) tensor (or (B, T, \*) with ``batch_first``), each sequence
  followed by ``padding_value`` up to the longest length T;
* **packed** (:class:`PackedSequence`): the sequences sorted by decreasing length and
  stored time-major without padding: first step 0 of every sequence, then step 1 of
  those at least 2 long, ... ``batch_sizes[t]`` says how many sequences have a step
  ``t``; a recurrent layer then never computes on padding.

Every conversion here is one gather (an index with an integer array) of the input rows,
with a padding row appended where padding is produced, so it is differentiable: the
gradient of a gather is the matching scatter-add, done by the indexing op.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np

from ... import _creation, _dtype
from ..._backend import get_array_module
from ...ops.shape import cat
from ...tensor import Tensor


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse permutation: ``out[permutation[i]] = i``."""
    if permutation is None:
        return None
    p = permutation._data
    xp = get_array_module(p)
    out = xp.empty_like(p)
    out[p] = xp.arange(p.shape[0], dtype=p.dtype)
    return Tensor._wrap(out)


class PackedSequence(PackedSequence_):
    """A packed batch of sequences: ``(data, batch_sizes, sorted_indices,
    unsorted_indices)``, a named tuple as in PyTorch.

    ``data`` holds the steps time-major, (sum of lengths, \\*); ``batch_sizes`` (int64,
    on the CPU) how many sequences have each step; ``sorted_indices[i]`` is the batch
    position of the i-th longest sequence and ``unsorted_indices`` its inverse (both
    ``None`` when the batch was already sorted). Made by :func:`pack_padded_sequence`
    and :func:`pack_sequence`; every recurrent layer accepts it.
    """

    def __new__(  # noqa: PYI034
        cls, data: Any, batch_sizes: Tensor | None = None,
        sorted_indices: Tensor | None = None, unsorted_indices: Tensor | None = None,
    ) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes), ...)
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        elif batch_sizes.device.type != "cpu":
            raise ValueError(
                "batch_sizes should always be on CPU. Instances of PackedSequence should "
                "never be created manually. They should be instantiated by functions like "
                "pack_sequence and pack_padded_sequences in nn.utils.rnn."
            )
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        """Convert ``data`` (dtype and/or device); the indices follow it to its device,
        ``batch_sizes`` stays on the CPU. Returns ``self`` when nothing changes."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self

        def move(t: Tensor | None) -> Tensor | None:
            return None if t is None else t.to(data.device)

        return type(self)(data, self.batch_sizes, move(self.sorted_indices),
                          move(self.unsorted_indices))

    def cpu(self) -> PackedSequence:
        return self.to("cpu")

    def cuda(self, device=None) -> PackedSequence:
        return self.to("cuda" if device is None else device)

    def double(self) -> PackedSequence:
        return self.to(dtype=_dtype.float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=_dtype.float32)

    def half(self) -> PackedSequence:
        return self.to(dtype=_dtype.float16)

    def long(self) -> PackedSequence:
        return self.to(dtype=_dtype.int64)

    def int(self) -> PackedSequence:
        return self.to(dtype=_dtype.int32)

    @property
    def is_cuda(self) -> bool:
        """Whether ``data`` is on a GPU."""
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def _lengths_array(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        return np.asarray(lengths.detach().cpu().numpy(), dtype=np.int64).reshape(-1)
    return np.asarray(list(lengths), dtype=np.int64).reshape(-1)


def _int64(values: np.ndarray) -> Tensor:
    return Tensor._wrap(np.ascontiguousarray(values, dtype=np.int64))


def _gather_rows(rows: Tensor, index: np.ndarray) -> Tensor:
    """``rows[index]`` with ``index`` an integer array (made on ``rows``' device)."""
    return rows[get_array_module(rows._data).asarray(index)]


def pack_padded_sequence(input: Tensor, lengths: Tensor | list[int], batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    r"""Pack a padded batch (T, B, \*) (or (B, T, \*) with ``batch_first``) whose
    sequence ``b`` is ``lengths[b]`` steps long.

    With ``enforce_sorted`` the lengths must be non-increasing; otherwise the batch is
    sorted by decreasing length first (stably) and the permutation is kept in
    ``sorted_indices`` / ``unsorted_indices``. The result's ``data`` gathers the rows
    :math:`(t, b)` with :math:`t < \text{lengths}[b]`, time-major.
    """
    if input.dim() < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    n = _lengths_array(lengths)
    batch_dim = 0 if batch_first else 1
    batch, steps = input.shape[batch_dim], input.shape[1 - batch_dim]
    sorted_indices = None
    if enforce_sorted:
        if np.any(n[1:] > n[:-1]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
        order = np.arange(len(n))
    else:
        order = np.argsort(-n, kind="stable")
        sorted_indices = _int64(order)
    if len(n) != batch:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {len(n)} "
            f"(batch_size={batch})"
        )
    if n.size and n.min() <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in "
            "'lengths' that is <= 0"
        )
    if n.size and n.max() > steps:
        raise RuntimeError(
            f"pack_padded_sequence: a sequence length ({int(n.max())}) exceeds the padded "
            f"input's {steps} time steps"
        )
    sorted_n = n[order]
    batch_sizes = (sorted_n[None, :] > np.arange(int(sorted_n[0]))[:, None]).sum(1)
    index = []  # the flat (time-major or batch-major) row of each packed step
    for t, size in enumerate(batch_sizes):
        b = order[:size]
        index.append(b * steps + t if batch_first else t * batch + b)
    flat = input.reshape((batch * steps,) + tuple(input.shape[2:]))
    data = _gather_rows(flat, np.concatenate(index))
    return PackedSequence(data, _int64(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    r"""Undo :func:`pack_padded_sequence`: a padded (T, B, \*) tensor (or (B, T, \*)) in
    the original batch order, and the int64 lengths.

    ``T`` is the longest length, or ``total_length`` (which may not be shorter).
    """
    data, batch_sizes = sequence.data, _lengths_array(sequence.batch_sizes)
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{steps}"
            )
        steps = total_length
    batch = int(batch_sizes[0])
    lengths = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(1)  # sorted order
    offsets = np.concatenate([[0], np.cumsum(batch_sizes)[:-1]])
    pad_row = data.shape[0]
    grid = np.full((steps, batch), pad_row, dtype=np.int64)  # packed row of (t, sorted b)
    for t, (off, size) in enumerate(zip(offsets, batch_sizes)):
        grid[t, :size] = off + np.arange(size)
    if sequence.unsorted_indices is not None:
        unsorted = _lengths_array(sequence.unsorted_indices)
        grid, lengths = grid[:, unsorted], lengths[unsorted]
    if batch_first:
        grid = grid.T
    pad = _creation.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype,
                         device=data.device)
    return _gather_rows(cat([data, pad]), grid), _int64(lengths)


def _check_padding_side(padding_side: str) -> None:
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )


def pad_sequence(sequences: Tensor | Iterable[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    r"""Stack sequences of shapes (L_i, \*) into a (T, B, \*) tensor (or (B, T, \*)),
    T the longest L_i, filling with ``padding_value`` after each sequence
    (``padding_side='right'``) or before it (``'left'``). All take the first's dtype.
    """
    if not isinstance(sequences, Iterable):
        raise RuntimeError(  # noqa: TRY004 - PyTorch raises RuntimeError
            "pad_sequence: Expected iterable for input sequences, but got arg of type: "
            f"{type(sequences)}"
        )
    sequences = list(sequences)
    _check_padding_side(padding_side)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    first = sequences[0]
    trailing = tuple(first.shape[1:])
    for s in sequences[1:]:
        if tuple(s.shape[1:]) != trailing:
            d = next((k for k, (a, b) in enumerate(zip(s.shape[1:], trailing)) if a != b),
                     len(trailing))
            raise RuntimeError(
                f"The size of tensor a ({trailing[d] if d < len(trailing) else 1}) must match "
                f"the size of tensor b ({s.shape[1 + d] if d < s.dim() - 1 else 1}) at "
                f"non-singleton dimension {d + 1}"
            )
    parts = [s if s.dtype == first.dtype else s.to(first.dtype) for s in sequences]
    lengths = [int(s.shape[0]) for s in parts]
    steps, total = max(lengths), sum(lengths)
    grid = np.full((steps, len(parts)), total, dtype=np.int64)  # row of (t, b)
    start = 0
    for b, n in enumerate(lengths):
        t0 = steps - n if padding_side == "left" else 0
        grid[t0 : t0 + n, b] = start + np.arange(n)
        start += n
    if batch_first:
        grid = grid.T
    pad = _creation.full((1,) + trailing, padding_value, dtype=first.dtype,
                         device=first.device)
    return _gather_rows(cat(parts + [pad]), grid)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor,
                   batch_first: bool = False) -> list[Tensor]:
    r"""Split a padded batch back into its sequences, ``padded[:lengths[b], b]`` each
    (PyTorch transposes a time-major input in place here; minitorch leaves it as is)."""
    n = _lengths_array(lengths)
    if batch_first:
        return [padded_sequences[b, : int(n[b])] for b in range(len(n))]
    return [padded_sequences[: int(n[b]), b] for b in range(len(n))]


def pack_sequence(sequences: list[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of (L_i, \\*) sequences: :func:`pad_sequence`, then
    :func:`pack_padded_sequence`."""
    lengths = [int(v.shape[0]) for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences in a :class:`PackedSequence`, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]
