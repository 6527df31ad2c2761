r"""Samplers: iterables of dataset indices (or of lists of indices, for batches).

A ``DataLoader`` over a map-style dataset draws indices from a sampler and groups
them with a :class:`BatchSampler`. All randomness comes from ``minitorch``'s
generators (``generator=`` or the global one seeded by ``minitorch.manual_seed``),
drawn each time a sampler is *iterated*, so every epoch gets a fresh order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import TYPE_CHECKING, Any

import numpy as np

import minitorch

if TYPE_CHECKING:
    from minitorch import Generator

__all__ = [
    "BatchSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
]


def _is_positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


class Sampler:
    """Base class: subclasses implement ``__iter__`` (and ``__len__`` when known)."""

    def __init__(self, data_source: Sized | None = None) -> None:
        # Accepted for backward compatibility, as in PyTorch; unused.
        pass

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """Indices ``0, 1, ..., len(data_source) - 1`` in order."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    r"""Random indices into ``data_source``.

    Without replacement, the indices are a random permutation of
    ``range(n)``; if ``num_samples > n`` whole permutations are chained, the last
    one cut short, so every index appears :math:`\lfloor m/n \rfloor` or
    :math:`\lceil m/n \rceil` times (:math:`m` = ``num_samples``). With replacement
    the ``num_samples`` indices are i.i.d. uniform on ``{0, ..., n-1}``.

    Parameters
    ----------
    data_source : Sized
        Dataset to sample from (only its length is used).
    replacement : bool
        Draw with replacement.
    num_samples : int, optional
        Number of indices per iteration (default ``len(data_source)``).
    generator : Generator, optional
        Source of randomness (default: the global generator).
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        if not _is_positive_int(self.num_samples):
            raise ValueError(
                "num_samples should be a positive integer value, "
                f"but got num_samples={self.num_samples}"
            )

    @property
    def num_samples(self) -> int:
        """Indices drawn per iteration (the dataset's length unless given)."""
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        m = self.num_samples
        if self.replacement:
            yield from minitorch.randint(0, n, (m,), generator=self.generator).tolist()
            return
        for _ in range(m // n):
            yield from minitorch.randperm(n, generator=self.generator).tolist()
        if m % n:
            yield from minitorch.randperm(n, generator=self.generator).tolist()[: m % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order (a fresh permutation per iteration)."""

    def __init__(
        self, indices: Sequence[int], generator: Generator | None = None
    ) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in minitorch.randperm(
            len(self.indices), generator=self.generator
        ).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


def _weighted_draw(
    weights: np.ndarray,
    num_samples: int,
    replacement: bool,
    generator: Generator | None,
) -> list[int]:
    r"""Draw indices with :math:`P(i) = w_i / \sum_j w_j` (``minitorch.multinomial``).

    Falls back to the generator's NumPy ``Generator`` if the core has no
    ``multinomial``. Without replacement each draw removes the chosen index and
    renormalises the remaining weights.
    """
    multinomial = getattr(minitorch, "multinomial", None)
    if multinomial is not None:
        w = minitorch.tensor(weights, dtype=minitorch.float64)
        return multinomial(w, num_samples, replacement, generator=generator).tolist()
    if not replacement and num_samples > len(weights):
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    gen = generator if generator is not None else minitorch.default_generator
    p = weights / weights.sum()
    return gen._np.choice(
        len(weights), size=num_samples, replace=replacement, p=p
    ).tolist()


class WeightedRandomSampler(Sampler):
    r"""Indices ``0..len(weights)-1`` drawn with probabilities proportional to ``weights``.

    :math:`P(\text{index} = i) = w_i / \sum_j w_j` for each draw (weights need
    not sum to 1). A common use: weight each sample by the inverse frequency of
    its class to see balanced batches from unbalanced data.

    Parameters
    ----------
    weights : sequence of float
        One non-negative weight per index (1-D).
    num_samples : int
        Number of indices per iteration.
    replacement : bool
        Draw with replacement (default ``True``).
    generator : Generator, optional
        Source of randomness (default: the global generator).
    """

    def __init__(
        self,
        weights: Sequence[float],
        num_samples: int,
        replacement: bool = True,
        generator: Generator | None = None,
    ) -> None:
        if not _is_positive_int(num_samples):
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={num_samples}"
            )
        if not isinstance(replacement, bool):
            raise ValueError(  # noqa: TRY004 - PyTorch raises ValueError here
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        if isinstance(weights, minitorch.Tensor):
            weights = weights.tolist()
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}"
            )
        self.weights = minitorch.tensor(w, dtype=minitorch.float64)
        self._weights_np = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        drawn = _weighted_draw(
            self._weights_np, self.num_samples, self.replacement, self.generator
        )
        yield from drawn

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    r"""Groups the indices of ``sampler`` into lists of ``batch_size``.

    For :math:`n` indices there are :math:`\lceil n / b \rceil` batches, the last
    one holding :math:`n - b\lfloor n/b \rfloor` indices when that is not zero;
    ``drop_last=True`` drops that short batch, leaving :math:`\lfloor n/b \rfloor`.

    Examples
    --------
    >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False))
    [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    """

    def __init__(
        self, sampler: Iterable[int], batch_size: int, drop_last: bool
    ) -> None:
        if not _is_positive_int(batch_size):
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(  # noqa: TRY004 - PyTorch raises ValueError here
                f"drop_last should be a boolean value, but got drop_last={drop_last}"
            )
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size
