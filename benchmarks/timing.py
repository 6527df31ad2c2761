"""How the suite times things: interleaved repetitions, best of N after warm-up.

Both libraries run in the same process, one after the other, repetition by repetition
(minitorch, torch, torch, minitorch, ...), so a slow spell of the machine (another job,
frequency scaling) hits both alike. Each repetition runs the step ``number`` times in a
row, ``number`` chosen so a repetition lasts at least ``min_time`` seconds; the reported
time per step is the best repetition (the least disturbed one), as ``timeit`` advises.
The garbage collector stays on: collecting minitorch's graphs is part of its real cost.

Two thread pools in one process
-------------------------------
NumPy's OpenBLAS and torch's OpenMP each keep a pool of worker threads, one per core, and
after a parallel call those workers *spin* for a while (OpenBLAS: up to ~0.1 s) before
they sleep. Switching library right away makes the two pools fight over the cores:
measured on 2 busy cores, an MLP step went from ~2 ms to over 100 ms in both libraries.
So before each timed repetition the timer sleeps ``settle`` seconds (untimed), letting
the other library's workers go idle, as they would be in a program using one library.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from types import ModuleType

import numpy as np

Step = Callable[[], object]


def calibrate(step: Step, min_time: float, cap: int = 10_000) -> int:
    """How many calls of ``step`` in a row take at least ``min_time`` seconds (>= 1)."""
    if min_time <= 0:
        return 1
    t0 = time.perf_counter()
    step()
    once = time.perf_counter() - t0
    return max(1, min(cap, math.ceil(min_time / max(once, 1e-9))))


def time_interleaved(
    steps: dict[str, Step], repeat: int, warmup: int, min_time: float, settle: float = 0.0
) -> dict[str, dict[str, float]]:
    """Time each library's step, alternating libraries between repetitions.

    Parameters
    ----------
    steps
        library name -> a no-argument callable doing one step.
    repeat
        Timed repetitions per library (the minimum is reported).
    warmup
        Untimed calls per library before calibration (caches, allocator, lazy imports).
    min_time
        Seconds one repetition should last at least (0: one call per repetition).
    settle
        Seconds to sleep (untimed) before each repetition, so that the thread pool
        of the library that ran last stops spinning; see the module docstring.

    Returns
    -------
    dict
        library -> ``{"best_s", "median_s", "number", "repeat"}``, seconds per step.
    """
    for _ in range(warmup):
        for step in steps.values():
            step()
    numbers = {}
    for name, step in steps.items():
        time.sleep(settle)
        numbers[name] = calibrate(step, min_time)
    times: dict[str, list[float]] = {name: [] for name in steps}
    names = list(steps)
    for r in range(max(1, repeat)):
        for name in names if r % 2 == 0 else names[::-1]:
            step, n = steps[name], numbers[name]
            time.sleep(settle)
            t0 = time.perf_counter()
            for _ in range(n):
                step()
            times[name].append((time.perf_counter() - t0) / n)
    return {
        name: {
            "best_s": min(ts),
            "median_s": float(np.median(ts)),
            "number": numbers[name],
            "repeat": len(ts),
        }
        for name, ts in times.items()
    }


def gemm_gflops(torch: ModuleType, n: int = 1024, repeat: int = 5,
                settle: float = 0.2) -> dict[str, float]:
    r"""The machine's float32 GEMM rate: best of ``repeat`` :math:`n^3` products.

    An :math:`n \times n` by :math:`n \times n` product costs :math:`2n^3` floating-point
    operations (one multiply and one add per term). NumPy's rate is what minitorch can
    reach; torch's is what PyTorch's BLAS reaches on the same cores.
    """
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), np.float32)
    ta, tb, tc = torch.from_numpy(a), torch.from_numpy(b), torch.empty(n, n)
    steps = {
        "numpy": lambda: np.matmul(a, b, out=c),
        "torch": lambda: torch.mm(ta, tb, out=tc),
    }
    timed = time_interleaved(steps, repeat=repeat, warmup=1, min_time=0.0, settle=settle)
    flops = 2.0 * n**3
    return {name: flops / t["best_s"] / 1e9 for name, t in timed.items()}
