"""Splitting array work over threads (``split_work``) and the thread count.

NumPy runs copies and elementwise loops on one core but releases the GIL while doing so,
so the independent parts of a large job (its channels, its images, its slabs) can run on
several threads at once. Matrix products are already parallel inside OpenBLAS, which keeps
its own thread count. ``minitorch.set_num_threads(1)`` turns the splitting off.
"""

from __future__ import annotations

import os
import threading

import numpy as np


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), else ``os.cpu_count()``."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_num_threads = usable_cores()
_pool = None  # worker threads, made on first use
_PARALLEL_BYTES = 1 << 22  # below 4 MiB a second thread costs more than it saves


def set_num_threads(num: int) -> None:
    """How many threads minitorch's own large copies use (like ``torch.set_num_threads``).

    NumPy's OpenBLAS keeps its own thread count for matrix products.
    """
    global _num_threads, _pool
    if int(num) < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, but got {num}")
    _num_threads, _pool = int(num), None


def get_num_threads() -> int:
    """The number of threads set by :func:`set_num_threads` (default: the usable cores)."""
    return _num_threads


def split_work(fn, length: int, nbytes: int, xp=np) -> None:
    """Run ``fn(part)`` for ``slice``s that cover ``range(length)``, in parallel when large.

    ``fn`` must touch only its part (e.g. its channels), so the parts are independent.
    The calling thread does the first part and worker threads the rest; small jobs, CuPy
    arrays and ``set_num_threads(1)`` get a single ``fn(slice(None))`` call.
    """
    global _pool
    parts = min(_num_threads, length)
    if (xp is not np or nbytes < _PARALLEL_BYTES or parts < 2
            or threading.current_thread().name.startswith("minitorch")):  # no waiting on ourselves
        fn(slice(None))
        return
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor

        _pool = ThreadPoolExecutor(_num_threads - 1, thread_name_prefix="minitorch")
    bounds = [length * k // parts for k in range(parts + 1)]
    others = [_pool.submit(fn, slice(bounds[k], bounds[k + 1])) for k in range(1, parts)]
    fn(slice(bounds[0], bounds[1]))
    for job in others:
        job.result()
