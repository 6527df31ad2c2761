"""``python -m benchmarks.threads_ab``: training steps with and without the kernels' second core.

One process, the same model, settings taken in turn (A B A B ...), best of ``-n`` wall
times (thread time cannot show a parallel speed-up). The settings:

* ``old``: the splitting before issue 18's pass on threads: ``split_work`` on a
  ``ThreadPoolExecutor`` (submit and a Future per part) for copies, col2im and max
  pooling of 4 MiB or more; ReLU, BatchNorm and the optimizers in one call;
* ``new@X``: this version, with :func:`~minitorch.kernels.threads.split_kernel`'s
  threshold at X MiB of ReLU-pass work (``new@8`` is the default threshold);
  ``new@X+Y`` also sets ``split_work``'s threshold for copies to Y MiB (default 4).

A round is kept only if no other process was runnable just before and just after it
(``/proc/loadavg``) and minitorch saw the other core free (``free_cores``), so a busy
machine costs time, not accuracy. ``--contention`` runs
each case beside one other CPU-bound process instead (and keeps every round).

    python -m benchmarks.threads_ab lenet:64 vgg:32
    python -m benchmarks.threads_ab --settings old,new@4,new@8,new@16 cnn:256
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import minitorch
from benchmarks.cases import train_step
from minitorch.kernels import (
    conv,
    conv_direct,
    conv_fourier,
    conv_shifted,
    conv_transpose_phases,
    copies,
    pool,
    relu,
    threads,
    winograd,
)
from minitorch.ops import normalization
from minitorch.optim import adam, sgd

_COPY_SITES = (conv, conv_direct, conv_fourier, conv_shifted, conv_transpose_phases, copies,
               winograd)  # call split_work (unchanged sizes)
_KERNEL_SITES = (relu, normalization, adam, sgd)  # call split_kernel, one call before
_old_pool = None
_DEFAULT = threads._RELU_BYTES, threads._PARALLEL_BYTES


def old_split_work(fn, length: int, nbytes: int, xp=np) -> None:
    """``split_work`` as it was: one part per thread, handed over with a Future each."""
    global _old_pool
    parts = min(threads.get_num_threads(), length, threads.free_cores())
    if xp is not np or nbytes < (1 << 22) or parts < 2 or threading.current_thread().name.startswith("minitorch"):
        fn(slice(None))
        return
    if _old_pool is None:
        _old_pool = ThreadPoolExecutor(threads.get_num_threads() - 1, thread_name_prefix="minitorch-old")
    bounds = [length * k // parts for k in range(parts + 1)]
    others = [_old_pool.submit(fn, slice(bounds[k], bounds[k + 1])) for k in range(1, parts)]
    fn(slice(bounds[0], bounds[1]))
    for job in others:
        job.result()


def _old_pool_kernel(fn, length: int, relu_bytes: float, xp=np) -> None:
    """Max pooling as it was: split from a 4 MiB input (forward) or input gradient
    (backward); ``relu_bytes`` is 5 (forward) or 4 (backward) times that for 2x2 windows."""
    old_split_work(fn, length, relu_bytes / (5 if fn.__name__ == "pool" else 4), xp)


def _one_call(fn, length: int, nbytes: float, xp=np) -> None:
    fn(slice(None))


def use(setting: str) -> None:
    """Switch every splitting call site to ``setting`` (``old`` or ``new@X``)."""
    old = setting == "old"
    for site in _COPY_SITES:
        site.split_work = old_split_work if old else threads.split_work
    pool.split_kernel = _old_pool_kernel if old else threads.split_kernel
    for site in _KERNEL_SITES:
        site.split_kernel = _one_call if old else threads.split_kernel
    if not old:
        kernels, _, copies_ = setting.split("@")[1].partition("+")
        threads._RELU_BYTES = int(float(kernels) * 2**20)
        threads._PARALLEL_BYTES = int(float(copies_ or 4) * 2**20)


def _quiet() -> bool:
    """No other process runnable now, and none seen by minitorch in the last second
    (``free_cores``: after one is seen, minitorch keeps to one core for a second)."""
    try:
        others = threads._others_running()
    except (OSError, ValueError, IndexError):
        return True  # no /proc: keep every round
    return others == 0 and threads.free_cores() >= min(2, threads._State.cores)


def _wait_for_quiet(limit: float = 3.0) -> None:
    end = time.monotonic() + limit
    threads.refresh()
    while not _quiet() and time.monotonic() < end:
        time.sleep(0.01)
        threads.refresh()  # free_cores rises again a second after the last other process


def measure(case: str, settings: list[str], rounds: int, contention: bool) -> dict[str, list[float]]:
    """Wall times of ``rounds`` kept rounds of each setting for ``model:batch``."""
    name, batch = case.split(":")
    step = train_step(name, int(batch)).build(minitorch)
    for s in settings:  # warm up every setting
        use(s)
        step()
        step()
    times: dict[str, list[float]] = {s: [] for s in settings}
    tries = 0
    while len(times[settings[0]]) < rounds and tries < 5 * rounds:
        tries += 1
        if not contention:
            _wait_for_quiet()
        k = tries % len(settings)
        this = {}
        for s in settings[k:] + settings[:k]:
            use(s)
            start = time.perf_counter()
            step()
            this[s] = time.perf_counter() - start
        if contention or _quiet():
            for s in settings:
                times[s].append(this[s])
    return times


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.threads_ab", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("cases", nargs="*", default=["lenet:64", "cnn:256", "vgg:32", "resnet:32"],
                   help="model:batch (models of benchmarks.models)")
    p.add_argument("--settings", default="old,new@8")
    p.add_argument("-n", type=int, default=20, help="kept rounds per case (default 20)")
    p.add_argument("--contention", action="store_true",
                   help="beside one other CPU-bound process")
    args = p.parse_args(argv)
    settings = args.settings.split(",")
    hog = None
    if args.contention:
        hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(1.5)  # long enough for the load to be seen
    try:
        for case in args.cases:
            times = measure(case, settings, args.n, args.contention)
            base = min(times[settings[0]])
            cells = [f"{s} {min(t) * 1e3:.2f} ms (x{base / min(t):.3f})" for s, t in times.items()]
            print(f"{case:12s} " + "  ".join(cells) + f"  [{len(times[settings[0]])} rounds]",
                  flush=True)
    finally:
        if hog is not None:
            hog.kill()
            hog.wait()
        use(f"new@{_DEFAULT[0] / 2**20:g}+{_DEFAULT[1] / 2**20:g}")


if __name__ == "__main__":
    main()
