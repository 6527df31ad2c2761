r"""``DataLoader``: batches from a dataset, optionally shuffled and read in parallel.

How one batch is made (map-style dataset, automatic batching)::

    sampler ──indices──> BatchSampler ──[i0, i1, ...]──> fetch ──> collate_fn ──> batch
    (Sequential or Random)                              dataset[i] for each i

With ``batch_size=b`` over ``n`` samples there are :math:`\lceil n/b \rceil`
batches, the last holding :math:`n \bmod b` samples (dropped if ``drop_last``).

Workers are processes, as in PyTorch
------------------------------------
``num_workers > 0`` starts that many worker *processes* (:mod:`._worker`), with
``multiprocessing_context``'s start method or the platform's default. Threads were tried
first and measured: a Pillow pipeline (``python -m benchmarks.dataloader``, 32x32 PNGs,
RandomCrop/flip/ColorJitter/ToTensor/Normalize) ran at 0.54x the single-process rate with
2 threads (the GIL serialises the Python-level transforms) and at 1.87x with 2 processes
on 2 cores. Each worker runs single-threaded (as PyTorch's call ``torch.set_num_threads(1)``).
Batch ``k`` goes to worker ``k mod W`` and batches come back in sampler order, so the
result is the same as with ``num_workers=0``; a worker's exception is re-raised here.
``get_worker_info()`` works inside a worker as in PyTorch, and an ``IterableDataset`` is
iterated once per worker. Batches come back without pickle (a JSON description and the
raw array bytes), so a batch may hold tensors, NumPy arrays, numbers, strings, bytes and
tuples/lists/dicts of them; ``pin_memory`` does nothing.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import itertools
import math
import multiprocessing
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import minitorch

from ._collate import default_collate, default_convert
from ._worker import ProcessPool
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

if TYPE_CHECKING:
    from minitorch import Generator

__all__ = ["DataLoader", "WorkerInfo", "get_worker_info"]


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker knows about itself (see :func:`get_worker_info`)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


_local = threading.local()


def get_worker_info() -> WorkerInfo | None:
    """The :class:`WorkerInfo` of the calling worker, or ``None`` in the main process.

    An ``IterableDataset.__iter__`` can use it to read only its share of the data,
    e.g. items ``info.id, info.id + info.num_workers, ...``.
    """
    return getattr(_local, "info", None)


class _InfiniteConstantSampler(Sampler):
    """The sampler of an ``IterableDataset``: ``None`` forever (the dataset decides)."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


class _MapFetcher:
    """Reads one batch of a map-style dataset for a list of indices (or one sample)."""

    def __init__(
        self, dataset: Any, auto_collation: bool, collate_fn: Callable
    ) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn

    def fetch(self, index: Any) -> Any:
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.collate_fn is default_collate:
            gather = getattr(self.dataset, "_gather_batch", None)
            if gather is not None:
                batch = gather(index)
                if batch is not None:
                    return batch
        get_items = getattr(self.dataset, "__getitems__", None)
        if callable(get_items):
            return self.collate_fn(get_items(index))
        return self.collate_fn([self.dataset[i] for i in index])


class _IterableFetcher:
    """Reads the next batch from one iterator over an ``IterableDataset``.

    ``fetch`` raises ``StopIteration`` once the iterator is exhausted (or, with
    ``drop_last``, when only a short batch is left).
    """

    def __init__(
        self, dataset: Any, auto_collation: bool, collate_fn: Callable, drop_last: bool
    ) -> None:
        self.iterator = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index: Any) -> Any:
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.iterator))
        data = list(itertools.islice(self.iterator, len(index)))
        if len(data) < len(index):
            self.ended = True
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


@dataclass(frozen=True)
class _FetchConfig:
    """What a worker needs to read batches: the loader's settings, not the loader itself
    (a worker holding the loader would keep it alive, and its workers, forever)."""

    dataset: Any
    is_iterable: bool
    auto_collation: bool
    collate_fn: Callable
    drop_last: bool

    def make_fetcher(self) -> _MapFetcher | _IterableFetcher:
        if self.is_iterable:
            return _IterableFetcher(
                self.dataset, self.auto_collation, self.collate_fn, self.drop_last
            )
        return _MapFetcher(self.dataset, self.auto_collation, self.collate_fn)


def _make_fetcher(loader: DataLoader) -> _MapFetcher | _IterableFetcher:
    return loader._fetch_config().make_fetcher()


_EXHAUSTED = object()  # a worker's answer once its IterableDataset iterator has ended


def _make_pool(loader: DataLoader, base_seed: int) -> Any:
    """``num_workers`` worker processes (``multiprocessing_context``'s start method, or the
    platform's default), as PyTorch's."""
    config = loader._fetch_config()
    n = loader.num_workers
    infos = [WorkerInfo(wid, n, base_seed + wid, loader.dataset) for wid in range(n)]
    return ProcessPool(config, infos, loader.worker_init_fn, loader.multiprocessing_context)


class _DataLoaderIter:
    """One pass over a ``DataLoader``: ``next()`` gives the next batch."""

    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        # As in PyTorch, each pass draws a base seed (for workers' WorkerInfo.seed)
        # whatever num_workers is, so shuffling is the same with and without workers.
        self._base_seed = int(
            minitorch.randint(0, 2**62, (1,), generator=loader.generator).tolist()[0]
        )
        self._index_iter = iter(loader._index_sampler)
        self._pool: Any = None
        self._fetcher: _MapFetcher | _IterableFetcher | None = None
        if loader.num_workers == 0:
            self._fetcher = _make_fetcher(loader)
            return
        if loader.persistent_workers and loader._pool is not None:
            self._pool = loader._pool
            self._pool.reset()
        else:
            self._pool = _make_pool(loader, self._base_seed)
            if loader.persistent_workers:
                loader._pool = self._pool
        self._queue: collections.deque = collections.deque()
        self._active = [True] * loader.num_workers
        self._worker_cycle = itertools.cycle(range(loader.num_workers))
        self._sampler_done = False
        for _ in range(max(1, loader.prefetch_factor * loader.num_workers)):
            self._put_index()

    def __iter__(self) -> _DataLoaderIter:
        return self

    def __len__(self) -> int:
        return len(self._loader)

    def __next__(self) -> Any:
        if self._pool is None:
            if self._fetcher is None:  # finished or closed
                raise StopIteration
            return self._fetcher.fetch(next(self._index_iter))
        timeout = self._loader.timeout if self._loader.timeout > 0 else None
        while self._queue:
            wid, future = self._queue.popleft()
            try:
                data = future.result(timeout=timeout)
            except concurrent.futures.TimeoutError:
                self._close()
                raise RuntimeError(
                    f"DataLoader timed out after {timeout} seconds"
                ) from None
            except BaseException:
                self._close()
                raise
            if data is _EXHAUSTED:
                self._active[wid] = False
            self._put_index()
            if data is not _EXHAUSTED:
                return data
        self._close()
        raise StopIteration

    def _put_index(self) -> None:
        """Send the next index (batch) to the next active worker, round-robin."""
        if self._sampler_done or not any(self._active):
            return
        try:
            index = next(self._index_iter)
        except StopIteration:
            self._sampler_done = True
            return
        wid = next(self._worker_cycle)
        while not self._active[wid]:
            wid = next(self._worker_cycle)
        self._queue.append((wid, self._pool.submit(wid, index)))  # type: ignore[union-attr]

    def _close(self) -> None:
        """Cancel queued work; stop the workers unless they persist."""
        if self._pool is None:
            return
        pending = [future for _, future in self._queue]
        for future in pending:
            future.cancel()
        self._queue.clear()
        if self._pool is self._loader._pool:
            self._pool.drain(pending)  # the next epoch reuses these workers
        else:
            self._pool.shutdown()
        self._pool = None
        self._fetcher = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # never raise from a finalizer
            self._close()


def _check_context(context: Any, num_workers: int) -> None:
    """PyTorch's checks of ``multiprocessing_context``."""
    if context is None:
        return
    if num_workers == 0:
        raise ValueError(
            "multiprocessing_context can only be used with multi-process loading "
            f"(num_workers > 0), but got num_workers={num_workers}"
        )
    if isinstance(context, str):
        methods = multiprocessing.get_all_start_methods()
        if context not in methods:
            raise ValueError(
                "multiprocessing_context option should specify a valid start method in "
                f"{methods!r}, but got multiprocessing_context={context!r}"
            )
    elif not isinstance(context, multiprocessing.context.BaseContext):
        raise TypeError(
            "multiprocessing_context option should be a valid context object or a string "
            f"specifying the start method, but got multiprocessing_context={context}"
        )


class DataLoader:
    r"""Iterate over ``dataset`` in batches.

    Parameters
    ----------
    dataset : Dataset or IterableDataset
        Where samples come from.
    batch_size : int or None
        Samples per batch (default 1); ``None`` turns batching off (each item is one
        sample, passed through :func:`default_convert`).
    shuffle : bool, optional
        Reshuffle the indices every epoch (uses :class:`RandomSampler`).
    sampler : Sampler or iterable, optional
        Order of indices; exclusive with ``shuffle``.
    batch_sampler : Sampler or iterable of lists, optional
        Yields whole lists of indices; exclusive with ``batch_size``, ``shuffle``,
        ``sampler`` and ``drop_last``.
    num_workers : int
        Worker processes reading batches ahead (0: read in the calling process).
    collate_fn : callable, optional
        Merges a list of samples into a batch (default :func:`default_collate`).
    pin_memory : bool
        Accepted for compatibility; has no effect.
    drop_last : bool
        Drop the last batch if it is short.
    timeout : float
        Seconds to wait for a worker's batch (0: forever).
    worker_init_fn : callable, optional
        Called as ``worker_init_fn(worker_id)`` in each worker process when it starts.
    multiprocessing_context : str or multiprocessing context, optional
        The workers' start method (``"fork"``, ``"spawn"``, ``"forkserver"``) or a
        ``multiprocessing`` context; ``None``: the platform's default, as in PyTorch.
    generator : Generator, optional
        Source of randomness for shuffling and for the base seed.
    prefetch_factor : int, optional
        Batches in flight per worker (default 2 when ``num_workers > 0``).
    persistent_workers : bool
        Keep the worker processes (and their ``worker_init_fn`` state) across epochs.

    Notes
    -----
    ``len(loader)`` is ``len(batch_sampler)`` (or ``len(sampler)`` without batching):
    :math:`\lceil n/b \rceil`, or :math:`\lfloor n/b \rfloor` with ``drop_last``.
    """

    _initialized = False

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable | None = None,
        batch_sampler: Sampler | Iterable | None = None,
        num_workers: int = 0,
        collate_fn: Callable | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; "
                "use num_workers=0 to disable multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing. "
                "let num_workers > 0 to enable multiprocessing, otherwise set "
                "prefetch_factor to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        _check_context(multiprocessing_context, num_workers)

        self._is_iterable = isinstance(dataset, IterableDataset)
        if self._is_iterable:
            if shuffle not in {False, None}:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle option, "
                    f"but got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler option, "
                    f"but got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler "
                    f"option, but got batch_sampler={batch_sampler}"
                )
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, "
                    "shuffle, sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually "
                "exclusive with drop_last"
            )

        if sampler is None:
            if self._is_iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        self.persistent_workers = persistent_workers
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self._pool: Any = None
        self._last_iter: weakref.ref | None = None
        self._initialized = True

    def __setattr__(self, attr: str, value: Any) -> None:
        frozen = (
            "batch_size",
            "batch_sampler",
            "sampler",
            "drop_last",
            "dataset",
            "persistent_workers",
        )
        if self._initialized and attr in frozen:
            raise ValueError(
                f"{attr} attribute should not be set after {type(self).__name__} is initialized"
            )
        super().__setattr__(attr, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Iterable:
        """What the iterator draws from: lists of indices when batching, else indices."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self) -> _DataLoaderIter:
        if self._last_iter is not None:  # persistent workers serve one pass at a time
            previous = self._last_iter()
            if previous is not None:
                previous._close()
        it = _DataLoaderIter(self)
        if self.persistent_workers:
            self._last_iter = weakref.ref(it)
        return it

    def _fetch_config(self) -> _FetchConfig:
        return _FetchConfig(
            self.dataset, self._is_iterable, self._auto_collation, self.collate_fn,
            self.drop_last,
        )

    def __len__(self) -> int:
        if self._is_iterable:
            n = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is None:
                return n
            return (
                n // self.batch_size
                if self.drop_last
                else math.ceil(n / self.batch_size)
            )
        return len(self._index_sampler)  # type: ignore[arg-type]

    def __del__(self) -> None:
        pool = self.__dict__.get("_pool")
        if pool is not None:
            with contextlib.suppress(Exception):  # never raise from a finalizer
                pool.shutdown()
