"""Each library in its own fresh process, as users run them (the suite's default method).

Why not one process
-------------------
PyTorch keeps an OpenMP thread pool and NumPy's OpenBLAS another, one worker per core
each, and both let their workers *spin* for a while after a parallel call. In one process
the two pools steal each other's cores: PyTorch's tutorial-CNN step measured ~17 ms in a
process shared with minitorch and 7-9 ms alone on the same 2-core machine, and the other
way round the examples' ``--compare-torch`` once showed minitorch 6x slower than it runs
alone. A user runs one library per program, so each measurement here is a fresh
``python -c "import LIB; ..._worker()" CASE LIB`` process that imports only that library.

Method
------
For every case the parent starts ``rounds`` processes per library in ABBA order
(minitorch, torch, torch, minitorch, ...), so a slow spell of the machine hits both.
Each process builds the step, calls it once (its result is saved for the correctness
check), warms up, picks how many calls make a repetition last ``min_time``, and times
``repeat`` repetitions; the best repetition of the best process counts, as ``timeit``
advises. A *contention* case runs the same step while one other CPU-bound process
(a Python busy loop, bounded in time) occupies a core, as a user's other work would.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.cases import Case, all_cases
from benchmarks.rows import compare_first, error_text, finish_row, new_row
from benchmarks.timing import calibrate

REPO = Path(__file__).resolve().parent.parent
LIBS = ("minitorch", "torch")
BUSY_LOOP = "import time\nend = time.time() + {seconds}\nwhile time.time() < end:\n    pass\n"


# ------------------------------------------------------------------ inside a worker


def _threads(lib_name: str, lib: Any) -> dict[str, Any]:
    if lib_name == "torch":
        return {"torch_intra_op": lib.get_num_threads(),
                "torch_inter_op": lib.get_num_interop_threads()}
    from benchmarks.machine import openblas_threads
    from minitorch.kernels import threads

    return {"numpy_openblas": openblas_threads(), "minitorch_copies": lib.get_num_threads(),
            "OPENBLAS_THREAD_TIMEOUT": os.environ.get("OPENBLAS_THREAD_TIMEOUT"),
            "minitorch_adaptive": threads._State.enabled and not threads._State.blas_fixed}


def time_case(case: Case, lib_name: str, repeat: int, warmup: int, min_time: float,
              first_out: Path | None = None) -> dict[str, Any]:
    """Time ``case`` with one library in this process (which imports only that library)."""
    lib = importlib.import_module(lib_name)
    step = case.build(lib)
    first = step()
    if first_out is not None:
        np.save(first_out, np.asarray(first.detach().numpy()))
    for _ in range(warmup):
        step()
    number = calibrate(step, min_time)
    times = []
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        for _ in range(number):
            step()
        times.append((time.perf_counter() - t0) / number)
    return {"best_s": min(times), "times_s": times, "number": number,
            "threads": _threads(lib_name, lib)}


def _worker(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.isolated")
    p.add_argument("case")
    p.add_argument("lib", choices=LIBS)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--min-time", type=float, default=0.05)
    p.add_argument("--batch-sizes", default="64,256")
    p.add_argument("--first-out", type=Path)
    a = p.parse_args(argv)
    sizes = tuple(int(v) for v in a.batch_sizes.split(","))
    case = next(c for c in all_cases(sizes) if c.name == a.case)
    result = time_case(case, a.lib, a.repeat, a.warmup, a.min_time, a.first_out)
    print(json.dumps(result))
    return 0


# ------------------------------------------------------------------ in the parent


def _spawn(case: Case, lib: str, settings: Any, batch_sizes: tuple[int, ...],
           first_out: Path | None) -> dict[str, Any]:
    # the library is imported first, as a user's program does (minitorch sets
    # OPENBLAS_THREAD_TIMEOUT only when it is imported before NumPy)
    code = f"import {lib}, sys; from benchmarks.isolated import _worker; sys.exit(_worker())"
    cmd = [sys.executable, "-c", code, case.name, lib,
           "--repeat", str(settings.repeat), "--warmup", str(settings.warmup),
           "--min-time", str(settings.min_time),
           "--batch-sizes", ",".join(str(b) for b in batch_sizes)]
    if first_out is not None:
        cmd += ["--first-out", str(first_out)]
    busy = None
    if case.contention:  # one other CPU-bound process for the whole measurement (bounded)
        busy = subprocess.Popen([sys.executable, "-c", BUSY_LOOP.format(seconds=600)])
    try:
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False,
                              timeout=1200)
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{lib} worker failed: {tail[:200]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_case_isolated(case: Case, settings: Any, batch_sizes: tuple[int, ...],
                      gemm_rate: float | None = None) -> dict[str, Any]:
    """Time one case, each library in ``settings.rounds`` fresh processes (ABBA order).

    Never raises: an error becomes the row's ``error``.
    """
    row = new_row(case)
    try:
        row["flops"] = case.flops
        runs: dict[str, list[dict[str, Any]]] = {lib: [] for lib in LIBS}
        with tempfile.TemporaryDirectory(prefix="minitorch-bench-") as tmp:
            firsts = {lib: Path(tmp) / f"{lib}.npy" for lib in LIBS}
            for r in range(max(1, settings.rounds)):
                for lib in LIBS if r % 2 == 0 else LIBS[::-1]:
                    out = firsts[lib] if not runs[lib] else None
                    runs[lib].append(_spawn(case, lib, settings, batch_sizes, out))
            compare_first(row, np.load(firsts["minitorch"]), np.load(firsts["torch"]))
    except Exception as exc:  # noqa: BLE001  (report and go on with the other cases)
        row["error"] = error_text(exc)
        return row
    timing = {}
    for lib, rs in runs.items():
        bests = [r["best_s"] for r in rs]
        timing[lib] = {"best_s": min(bests), "median_s": float(np.median(bests)),
                       "process_bests_s": bests, "number": rs[0]["number"],
                       "repeat": settings.repeat, "processes": len(rs),
                       "threads": rs[0]["threads"]}
    return finish_row(row, timing, case, gemm_rate)


def _gemm_worker(lib_name: str, n: int, repeat: int) -> float:
    """float32 n^3 GEMM rate (GFLOP/s) of NumPy or torch, alone in this process."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    if lib_name == "torch":
        import torch

        ta, tb, tc = torch.from_numpy(a), torch.from_numpy(b), torch.empty(n, n)
        step = lambda: torch.mm(ta, tb, out=tc)
    else:
        c = np.empty((n, n), np.float32)
        step = lambda: np.matmul(a, b, out=c)
    step()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - t0)
    return 2.0 * n**3 / best / 1e9


def gemm_isolated(n: int, repeat: int) -> dict[str, float]:
    """The machine's float32 GEMM rate for NumPy and torch, each in its own process."""
    rates = {}
    for name in ("numpy", "torch"):
        code = (f"from benchmarks.isolated import _gemm_worker; "
                f"print(_gemm_worker({name!r}, {n}, {repeat}))")
        proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                              text=True, check=True, timeout=600)
        rates[name] = float(proc.stdout.strip().splitlines()[-1])
    return rates


def machine_isolated() -> dict[str, Any]:
    """:func:`benchmarks.machine.machine_info`, asked in a process of its own."""
    # minitorch first, as in its workers, so the OpenBLAS settings it makes are the ones
    # reported (this process times nothing)
    code = ("import minitorch, json, torch; from benchmarks.machine import machine_info; "
            "print(json.dumps(machine_info(torch)))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, check=True, timeout=600)
    return json.loads(proc.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(_worker())
