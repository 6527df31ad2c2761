"""Splitting array work over threads (``split_work``), and how many threads to use *now*.

NumPy runs copies and elementwise loops on one core but releases the GIL while doing so,
so the independent parts of a large job (its channels, its images, its slabs) can run on
several threads at once. Matrix products are already parallel inside OpenBLAS, which keeps
its own thread count. ``minitorch.set_num_threads(1)`` turns the splitting off.

Who splits: large copies and col2im (convolutions), max pooling, ReLU both ways,
BatchNorm's passes, and the Adam and SGD-momentum updates, as PyTorch runs its
elementwise, pooling, normalisation and optimizer kernels on all cores. Each part gets
the same operations in the same order as one call would, so the bits never depend on
the number of threads (the tests compare each split kernel with its one-call twin).

**The hand-off.** One persistent worker thread per extra core waits on a queue; a split
job is cut into chunks that the caller and the workers take in turn (:class:`_Job`).
Waking a sleeping thread costs 7-15 us on the measured machine (more when its core is
busy), so a worker starts late; the caller does not wait for it but goes on taking
chunks, and sleeps only if a worker is still on its last one. A job too short to be
worth a worker is thus done by the caller alone at the price of a queue put (~3 us, the
``ThreadPoolExecutor`` used before cost 25-50 us), and one whose worker's core is taken
by another process (or by OpenBLAS's threads, which spin ~1.5 ms after each product) is
not held up by it. Splitting pays from about 8 MiB of
ReLU-like work (:func:`split_kernel`; each kernel scales its size by its cost per byte,
measured): ReLU, a pure memory stream, gains little even then, kernels with more
arithmetic per byte (pooling, Adam, BatchNorm's sums) pay from smaller arrays
(docs/PERFORMANCE.md has the measurements). Copies keep ``split_work``'s 4 MiB.

**Fewer threads while other processes keep the cores busy.** A matrix product split
over two threads finishes when the slower half does. On a machine whose other cores are
busy with other processes, the second thread waits for a time slice (milliseconds)
while the first has finished: measured on 2 cores with other CPU-bound processes
running, the tutorial CNN's training step was several times slower with two OpenBLAS
threads than with one, and single small products sometimes took tens of times longer.
With the other core idle, two threads are faster. So the right number of threads
depends on what else runs, and changes from second to second.

How. Linux counts the runnable tasks of the whole machine (the fourth field of
``/proc/loadavg``, an instantaneous count, not the 1-minute average); the ones that are
not ours (``/proc/self/task/*/stat`` in state R) are using cores we would otherwise
wait for. :func:`refresh` (called once per backward pass and per convolution; it reads
``/proc`` at most every 50 ms) sets OpenBLAS's thread count, and the count used by
``split_work``, to the cores left free, between 1 and what the user allowed. It drops at
the second look in a row (>= 50 ms apart) that sees another process, and rises again
only after a second without one: waiting for a busy core costs far more than leaving
an idle one unused for a moment.

The price: OpenBLAS's products can differ in the last bits between one and two
threads, so a run on a busy machine need not repeat a quiet run bit for bit. For
bit-for-bit repeatable runs set ``MINITORCH_ADAPTIVE_THREADS=0``, or fix the count
yourself: an explicit ``OPENBLAS_NUM_THREADS`` (or ``OMP_NUM_THREADS``) is respected
and never changed (``split_work``, whose results do not depend on its thread count,
still steps aside). Off Linux, or where NumPy's BLAS is not OpenBLAS, nothing changes.
"""

from __future__ import annotations

import ctypes
import os
import queue
import re
import threading
import time

import numpy as np


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), else ``os.cpu_count()``."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_num_threads = usable_cores()
_pool = None  # the worker threads split_work uses now (a list), made on first use
_PARALLEL_BYTES = 1 << 22  # below 4 MiB a second thread costs more than it saves


def set_num_threads(num: int) -> None:
    """How many threads minitorch's own kernels use (like ``torch.set_num_threads``).

    NumPy's OpenBLAS keeps its own thread count for matrix products.
    """
    global _num_threads, _pool
    if int(num) < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, but got {num}")
    _num_threads, _pool = int(num), None


def get_num_threads() -> int:
    """The number of threads set by :func:`set_num_threads` (default: the usable cores)."""
    return _num_threads


class _Job:
    """One ``split_work`` call: ``fn`` and the chunks of its range, handed out one at a
    time to whichever thread asks first (the caller and the workers).

    Handing out chunks instead of one fixed part per thread matters because a worker
    starts late: waking a sleeping thread takes 7-15 us here (docs/PERFORMANCE.md), and
    much longer when another process holds its core. Meanwhile the caller goes on taking
    chunks, and when it runs out, it sleeps (another wake-up) only if a worker is still
    on one. A worker that wakes after the last chunk is gone finds nothing to do.
    """

    __slots__ = ("bounds", "error", "finished", "fn", "lock", "next", "pending", "waiting")

    def __init__(self, fn, length: int, chunks: int) -> None:
        self.fn, self.bounds = fn, [length * k // chunks for k in range(chunks + 1)]
        self.lock, self.finished = threading.Lock(), threading.Lock()
        self.finished.acquire()  # released when the caller waits and the last chunk ends
        self.next = self.pending = 0
        self.waiting, self.error = False, None

    def run(self) -> None:
        """Take chunks and run them until none are left."""
        while True:
            with self.lock:
                k = self.next
                if k >= len(self.bounds) - 1:
                    return
                self.next, self.pending = k + 1, self.pending + 1
            try:
                self.fn(slice(self.bounds[k], self.bounds[k + 1]))
            except BaseException as e:  # noqa: BLE001 (raised by the caller)
                self.error = self.error or e
                self.next = len(self.bounds)  # hand out no more chunks
            finally:
                with self.lock:
                    self.pending -= 1
                    if self.pending == 0 and self.waiting:
                        self.finished.release()

    def wait(self) -> None:
        """Return when no chunk is running (the caller has taken the last one)."""
        with self.lock:
            self.waiting = self.pending > 0
        if self.waiting:
            self.finished.acquire()
        if self.error is not None:
            raise self.error


_jobs: queue.SimpleQueue = queue.SimpleQueue()  # a job, once for each worker it wants
_workers: list[threading.Thread] = []  # every worker made so far (they live with the process)
_busy = threading.Lock()  # held while a split_work call hands out chunks
_CHUNK_BYTES = 1 << 23  # the work of one chunk (ReLU bytes), at least one chunk per thread
_MAX_CHUNKS_PER_THREAD = 4


def _worker_loop() -> None:
    while True:
        _jobs.get().run()


def _workers_for(count: int) -> list[threading.Thread]:
    """``count`` worker threads, made on first use."""
    global _pool
    while len(_workers) < count:
        _workers.append(threading.Thread(target=_worker_loop, daemon=True,
                                         name=f"minitorch-{len(_workers)}"))
        _workers[-1].start()
    _pool = _workers[:count]
    return _pool


def _forget_workers() -> None:
    """In a forked child: the workers were not copied, so start afresh (none is waiting)."""
    global _jobs, _busy, _pool
    _jobs, _busy, _pool = queue.SimpleQueue(), threading.Lock(), None
    _workers.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_workers)


def split_work(fn, length: int, nbytes: int, xp=np) -> None:
    """Run ``fn(part)`` for ``slice``s that cover ``range(length)``, in parallel when large.

    ``fn`` must touch only its part (e.g. its channels), so the parts are independent.
    ``nbytes`` is the size of the job (its array, for a copy; see :func:`split_kernel`
    for kernels that do more per byte). The calling thread and
    worker threads take chunks of the range in turn (:class:`_Job`); small jobs, CuPy
    arrays, ``set_num_threads(1)`` and cores busy with other processes
    (:func:`free_cores`) get a single ``fn(slice(None))`` call, as does a call made while
    the workers are busy (from a worker, or from another thread of the user's).
    """
    parts = min(_num_threads, length, free_cores())
    if xp is not np or nbytes < _PARALLEL_BYTES or parts < 2 or not _busy.acquire(False):
        fn(slice(None))
        return
    try:
        if _pool is None or len(_pool) < parts - 1:
            _workers_for(parts - 1)
        # Chunks of ~8 MiB (~0.25 ms): a chunk's Python calls take the GIL, and
        # many small chunks on two threads pass it to and fro (a wake-up each time).
        per_thread = max(1, min(nbytes // (parts * _CHUNK_BYTES), _MAX_CHUNKS_PER_THREAD))
        chunks = min(length, parts * per_thread)
        job = _Job(fn, length, chunks)
        for _ in range(parts - 1):
            _jobs.put(job)
        job.run()
        job.wait()
    finally:
        _busy.release()


_RELU_BYTES = 1 << 23  # a ReLU-like pass pays for a second thread from about 8 MiB


def worth_splitting(relu_bytes: float) -> bool:
    """Whether :func:`split_kernel` may split this much work: a cheap test that lets a
    small kernel skip building its parts (a few microseconds per call)."""
    return relu_bytes >= _RELU_BYTES or _PARALLEL_BYTES <= 0


def split_kernel(fn, length: int, relu_bytes: float, xp=np) -> None:
    """:func:`split_work` for a kernel whose work is given in bytes of a ReLU pass (one
    read and one write per element; each kernel's factor is measured against ReLU):
    split when that is at least ``_RELU_BYTES``, measured on whole training steps
    (docs/PERFORMANCE.md). ``split_work``'s own size is that of a plain large copy."""
    if not worth_splitting(relu_bytes):  # the common small case, at the cost of one call
        fn(slice(None))
        return
    split_work(fn, length, int(relu_bytes * _PARALLEL_BYTES / _RELU_BYTES), xp)


# ---------------------------------------------------------------------------------------
# Stepping aside for other processes (see the module docstring)
# ---------------------------------------------------------------------------------------
_PERIOD = 0.05  # s between two looks at /proc
_HOLD = 1.0  # s without other runnable tasks before using more threads again


def _openblas_functions(*names: str, prefixes=("scipy_openblas", "openblas")):
    """The functions ``names`` of the OpenBLAS NumPy uses (found under its prefixes and
    suffixes), or None. With ``prefixes=("scipy_cblas", "cblas")``: its CBLAS functions."""
    try:
        with open("/proc/self/maps") as f:
            paths = sorted(set(re.findall(r"/\S*openblas\S*\.so\S*", f.read())))
    except OSError:
        return None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in prefixes:
            for suffix in ("64_", ""):
                found = [getattr(lib, f"{prefix}_{name}{suffix}", None) for name in names]
                if all(f is not None for f in found):
                    return found
    return None


def _openblas():
    """(set_num_threads, get_num_threads) of the OpenBLAS NumPy uses, or None."""
    found = _openblas_functions("set_num_threads", "get_num_threads")
    if found is None:
        return None
    found[1].restype = ctypes.c_int
    return found[0], found[1]


_blas_pair = None  # OpenBLAS's (set_num_threads, get_num_threads), or (), once looked up


def _blas():
    """:func:`_openblas`, looked up once (``()`` where there is none)."""
    global _blas_pair
    if _blas_pair is None:
        _blas_pair = _openblas() or ()
    return _blas_pair


_core = None


def blas_core() -> str:
    """The kernels NumPy's OpenBLAS runs on this CPU (``'SkylakeX'``, ``'Haswell'``, ...;
    ``''`` for another BLAS): a cost model's products are only as fast as these."""
    global _core
    if _core is None:
        found = _openblas_functions("get_corename")
        if found is not None:
            found[0].restype = ctypes.c_char_p
        _core = found[0]().decode() if found is not None else ""
    return _core


def _others_running() -> int:
    """Runnable tasks that are not threads of this process, on the CPUs we may use.

    ``/proc/loadavg`` counts the whole machine's; when this process may use only some
    of its CPUs (a container pinned to a few cores of a large host), count the share
    of those CPUs, assuming the others' tasks spread evenly.
    """
    with open("/proc/loadavg") as f:
        running = int(f.read().split()[3].split("/")[0])
    ours = 0
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/stat") as f:
                stat = f.read()
        except OSError:  # the thread ended meanwhile
            continue
        ours += stat[stat.rindex(")") + 2] == "R"
    others = max(0, running - ours)
    machine = os.cpu_count() or _State.cores
    return others if machine <= _State.cores else round(others * _State.cores / machine)


class _State:
    enabled = os.environ.get("MINITORCH_ADAPTIVE_THREADS", "1") != "0"
    # the user fixed OpenBLAS's thread count: never change it
    blas_fixed = any(v in os.environ for v in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS",
                                               "OMP_NUM_THREADS"))
    blas = None  # (setter, getter) once looked up
    blas_max = 1  # OpenBLAS's own thread count at the first refresh: the ceiling
    cores = usable_cores()
    free = cores  # cores not busy with other processes, as last decided
    seen = cores  # the free cores the last look saw
    next_look = 0.0
    hold_until = 0.0
    parts_time = -1.0  # when a parts_region last began (time.perf_counter)


def single_threaded() -> None:
    """One thread for everything in this process: minitorch's copies, NumPy's OpenBLAS,
    and no adapting to the load. For DataLoader worker processes, which are the
    parallelism themselves (PyTorch's workers call ``torch.set_num_threads(1)``)."""
    set_num_threads(1)
    _State.enabled = False
    blas = _blas()
    if blas and not _State.blas_fixed:
        blas[0](1)


def free_cores() -> int:
    """Cores this process can use without waiting for other processes (>= 1)."""
    return _State.free


def refresh() -> None:
    """Look at the machine's load (at most every 50 ms) and set the thread counts."""
    s = _State
    now = time.monotonic()
    if not s.enabled or now < s.next_look:
        return
    s.next_look = now + _PERIOD
    if s.blas is None:
        s.blas = _blas()
        if not os.path.exists("/proc/loadavg"):
            s.enabled = False
            return
        s.blas_fixed = s.blas_fixed or not s.blas
        s.blas_max = s.blas[1]() if s.blas else 1
    try:
        seen = max(1, s.cores - _others_running())
    except (OSError, ValueError, IndexError):
        s.enabled = False
        return
    # A core counts as taken only when two looks in a row see it taken: single looks
    # catch kernel threads passing by (kdamond, every few seconds on the measured VM)
    # and our own threads changing state between the two reads of /proc, and a false
    # alarm costs a whole second on one core.
    free, s.seen = max(seen, s.seen), seen
    if free > s.free and now < s.hold_until:
        return
    if free < s.cores:  # someone else is running: wait a while before using more threads
        s.hold_until = now + _HOLD
    if free != s.free:
        s.free = free
        if not s.blas_fixed:
            s.blas[0](max(1, min(free, s.blas_max)))


class one_blas_thread:
    """``with one_blas_thread(): ...``: OpenBLAS on one thread inside the block, its count
    before the block restored after it.

    For work that spreads over the cores by itself (:func:`split_work` over a batch's
    images, each part with its own products): products called from two threads at once
    would otherwise each wake OpenBLAS's own threads, four threads on two cores. A count
    the user fixed is left alone (see :func:`parts_may_run_together`), as is any count
    off Linux or with another BLAS.
    """

    __slots__ = ("before",)

    def __enter__(self) -> None:
        self.before = None
        blas = _blas()
        if blas and not _State.blas_fixed:
            self.before = blas[1]()
            if self.before != 1:
                blas[0](1)

    def __exit__(self, *exc) -> None:
        if self.before is not None and self.before != 1:
            _blas()[0](self.before)


class parts_region(one_blas_thread):
    """``with parts_region(): ...``: :class:`one_blas_thread` around work that our own
    threads split, each part with its own products (a convolution's batch in parts, the
    direct path's blocks of images), noting when it began for
    :func:`parts_ran_recently`."""

    __slots__ = ()

    def __enter__(self) -> None:
        _State.parts_time = time.perf_counter()
        super().__enter__()


_PARTS_RECENT = 0.1  # seconds


def parts_ran_recently() -> bool:
    """Did a :class:`parts_region` begin in the last 0.1 s, i.e. is this process running
    a model whose convolutions split their batch over our threads?

    Then a mid-size matrix product between them had better run on one OpenBLAS thread:
    OpenBLAS's second thread would spin for ~1.5 ms after it (``_process_tweaks``) on
    the core that the next parts need (``ops.linalg._mm``)."""
    return time.perf_counter() - _State.parts_time < _PARTS_RECENT


def parts_may_run_together() -> bool:
    """Can independent parts with their own products run on threads of ours without
    oversubscribing the cores? Yes unless the user fixed OpenBLAS at several threads
    (then :class:`one_blas_thread` may not lower it) or NumPy's BLAS is not OpenBLAS
    (whose thread count we cannot set)."""
    blas = _blas()
    return bool(blas) and (not _State.blas_fixed or blas[1]() == 1)
