r"""Datasets: the objects a ``DataLoader`` reads samples from.

Two kinds exist, as in PyTorch:

* **map-style** (:class:`Dataset`): ``dataset[i]`` returns sample ``i`` for
  ``0 <= i < len(dataset)``; a sampler decides the order of the indices.
* **iterable-style** (:class:`IterableDataset`): ``iter(dataset)`` yields samples;
  the dataset itself decides the order.

Batched reading
---------------
A map-style dataset may define ``__getitems__(indices)`` returning the *list* of
samples for a batch of indices (PyTorch 2.x protocol); the ``DataLoader`` then
calls ``collate_fn(dataset.__getitems__(indices))`` instead of one ``dataset[i]``
per index.

minitorch adds one private hook for speed: ``_gather_batch(indices)`` returns
*exactly* what ``default_collate([dataset[i] for i in indices])`` would return,
computed without a Python loop over samples (or ``None`` to decline). The
``DataLoader`` uses it only with the default collate function. :class:`TensorDataset`
implements it with one fancy-index per tensor, and :class:`Subset` forwards it, so
``random_split`` pieces of a ``TensorDataset`` stay fast.
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import minitorch

if TYPE_CHECKING:
    from minitorch import Generator, Tensor

__all__ = [
    "ChainDataset",
    "ConcatDataset",
    "Dataset",
    "IterableDataset",
    "Subset",
    "TensorDataset",
    "random_split",
]


class Dataset:
    """Map-style dataset: subclasses implement ``__getitem__`` and usually ``__len__``.

    ``dataset_a + dataset_b`` is a :class:`ConcatDataset` of the two.
    """

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Iterable-style dataset: subclasses implement ``__iter__``.

    With ``num_workers > 0`` every worker iterates its *own* ``iter(dataset)``
    (exactly as in PyTorch), so a dataset that should not repeat data splits the
    work itself using :func:`minitorch.utils.data.get_worker_info`.
    """

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(
            "Subclasses of IterableDataset should implement __iter__."
        )

    def __add__(self, other: Dataset) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Dataset of tensors sharing their first dimension; sample ``i`` is
    ``(t[i] for t in tensors)`` as a tuple.

    Parameters
    ----------
    *tensors : Tensor
        Tensors with the same size ``N`` of dimension 0.
    """

    def __init__(self, *tensors: Tensor) -> None:
        if any(tensors[0].size(0) != t.size(0) for t in tensors):
            sizes = [t.size(0) for t in tensors]
            raise AssertionError(
                f"Size mismatch between tensors: first dimensions are {sizes}"
            )
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)

    def _gather_batch(self, indices: Sequence[int]) -> list[Tensor]:
        """Vectorised batch: ``[t[idx] for t in tensors]`` with one index tensor.

        Equals ``default_collate([self[i] for i in indices])``, which stacks the
        rows ``t[i]`` of each tensor into ``t[idx]`` (and, like PyTorch, returns a
        list because the samples are tuples).
        """
        index_on: dict = {}  # one index tensor per device the tensors live on
        out = []
        for t in self.tensors:
            key = str(t.device)
            if key not in index_on:
                index_on[key] = minitorch.tensor(
                    list(indices), dtype=minitorch.int64, device=t.device
                )
            out.append(t[index_on[key]])
        return out


class Subset(Dataset):
    """The samples of ``dataset`` at positions ``indices``, in that order.

    Parameters
    ----------
    dataset : Dataset
        The whole dataset.
    indices : sequence of int
        Indices into ``dataset``; ``subset[j]`` is ``dataset[indices[j]]``.
    """

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list:
        inner = [self.indices[i] for i in indices]
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(inner)
        return [self.dataset[i] for i in inner]

    def __len__(self) -> int:
        return len(self.indices)

    def _gather_batch(self, indices: Sequence[int]) -> Any:
        gather = getattr(self.dataset, "_gather_batch", None)
        if gather is None:
            return None
        return gather([self.indices[i] for i in indices])


class ConcatDataset(Dataset):
    r"""Several map-style datasets read one after another.

    With cumulative sizes :math:`c_k = \sum_{j \le k} |D_j|`, global index ``i``
    falls in the first dataset :math:`k` with :math:`i < c_k` (a binary search),
    at local index :math:`i - c_{k-1}`.
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError(  # noqa: TRY004 - PyTorch raises AssertionError
                    "ConcatDataset does not support IterableDataset"
                )
        self.cumulative_sizes = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        if idx < 0:
            if -idx > len(self):
                raise ValueError(
                    "absolute value of index should not exceed dataset length"
                )
            idx = len(self) + idx
        k = bisect.bisect_right(self.cumulative_sizes, idx)
        local = idx if k == 0 else idx - self.cumulative_sizes[k - 1]
        return self.datasets[k][local]


class ChainDataset(IterableDataset):
    """Several iterable datasets iterated one after another."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError(  # noqa: TRY004 - as PyTorch
                    "ChainDataset only supports IterableDataset"
                )
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError(  # noqa: TRY004 - as PyTorch
                    "ChainDataset only supports IterableDataset"
                )
            total += len(d)  # type: ignore[arg-type]
        return total


def _lengths_from_fractions(n: int, fractions: Sequence[float]) -> list[int]:
    r"""Turn fractions summing to 1 into lengths summing to ``n`` (PyTorch's rule).

    Each split first gets :math:`\lfloor n f_i \rfloor` items; the
    :math:`r = n - \sum_i \lfloor n f_i \rfloor` left over are handed out one at a
    time, round-robin from split 0 (split ``i mod k`` gets the ``i``-th one).
    """
    lengths = []
    for i, frac in enumerate(fractions):
        if frac < 0 or frac > 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        lengths.append(math.floor(n * frac))
    for i in range(n - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(
                f"Length of split at index {i} is 0. This might result in an empty dataset.",
                stacklevel=3,
            )
    return lengths


def random_split(
    dataset: Dataset,
    lengths: Sequence[int | float],
    generator: Generator | None = None,
) -> list[Subset]:
    """Randomly split ``dataset`` into non-overlapping :class:`Subset` s.

    Parameters
    ----------
    dataset : Dataset
        Dataset with ``__len__``.
    lengths : sequence of int or float
        Lengths summing to ``len(dataset)``, or fractions summing to 1 (turned into
        lengths by PyTorch's floor-then-round-robin rule, see
        :func:`_lengths_from_fractions`).
    generator : Generator, optional
        Source of the random permutation (default: the global generator, so
        ``minitorch.manual_seed`` makes the split reproducible).

    Returns
    -------
    list of Subset
        Consecutive slices of one random permutation of ``range(len(dataset))``.
    """
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        lengths = _lengths_from_fractions(len(dataset), lengths)  # type: ignore[arg-type]
    if sum(lengths) != len(dataset):  # type: ignore[arg-type]
        raise ValueError(
            "Sum of input lengths does not equal the length of the input dataset!"
        )
    perm = minitorch.randperm(int(sum(lengths)), generator=generator).tolist()
    subsets, start = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, perm[start : start + int(length)]))
        start += int(length)
    return subsets
