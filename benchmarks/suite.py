"""Running the cases: timing both libraries, checking they agree, profiling minitorch."""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from benchmarks.cases import EPOCH_TARGETS, Case
from benchmarks.epoch import run_epochs
from benchmarks.isolated import gemm_isolated, machine_isolated, run_case_isolated
from benchmarks.machine import machine_info
from benchmarks.rows import compare_first, error_text, finish_row, new_row
from benchmarks.timing import gemm_gflops, time_interleaved


@dataclass
class Settings:
    """How hard to measure (the command line's flags)."""

    repeat: int = 7
    warmup: int = 2
    min_time: float = 0.05  # seconds one timed repetition lasts at least
    settle: float = 0.2  # seconds of (untimed) sleep before each repetition
    gemm_n: int = 1024
    epoch_batch_size: int = 100
    epoch_limit: int | None = None  # first N training images only (None: the full epoch)
    epoch_rounds: int = 2  # epochs per library, in ABBA order; the fastest counts
    isolated: bool = True  # each library in its own fresh processes (False: one process)
    rounds: int = 3  # isolated: processes per library and case, in ABBA order
    batch_sizes: tuple[int, ...] = (64, 256)  # isolated: rebuilds the cases in the workers

    @classmethod
    def quick(cls) -> Settings:
        """Tiny counts: checks that everything runs, numbers only roughly indicative."""
        return cls(repeat=2, warmup=1, min_time=0.0, settle=0.0, gemm_n=256, epoch_limit=1000,
                   epoch_rounds=1, rounds=1)


def to_numpy(t: Any) -> np.ndarray:
    """A tensor of either library (or None) as a NumPy array."""
    return np.asarray(t.detach().numpy()) if t is not None else np.array(np.nan)


def measure_meta(torch: ModuleType | None, settings: Settings) -> dict[str, Any]:
    """Machine description and the measured GEMM rates (GFLOP/s).

    Isolated, each GEMM rate comes from a process with only that library in it."""
    gemm_repeat = 3 if settings.gemm_n < 1024 else 5
    if settings.isolated:
        machine, gemm = machine_isolated(), gemm_isolated(settings.gemm_n, gemm_repeat)
    else:
        machine = machine_info(torch)
        gemm = gemm_gflops(torch, settings.gemm_n, gemm_repeat, settings.settle)
    return {
        "machine": machine,
        "gemm_n": settings.gemm_n,
        "gemm_gflops": gemm,
        "method": "isolated" if settings.isolated else "in-process",
        "rounds": settings.rounds,
        "repeat": settings.repeat,
        "warmup": settings.warmup,
        "min_time": settings.min_time,
        "settle": settings.settle,
    }


def run_case(case: Case, libs: dict[str, ModuleType], settings: Settings,
             gemm_rate: float | None = None) -> dict[str, Any]:
    """Time one case in both libraries; never raises (an error becomes the row's ``error``)."""
    row = new_row(case)
    try:
        row["flops"] = case.flops
        if case.kind == "epoch":
            return _epoch_row(row, settings)
        steps = {name: case.build(lib) for name, lib in libs.items()}
        first = {name: to_numpy(step()) for name, step in steps.items()}  # also a warm-up call
        compare_first(row, first["minitorch"], first["torch"])
        timed = time_interleaved(steps, settings.repeat, max(0, settings.warmup - 1),
                                 settings.min_time, settings.settle)
    except Exception as exc:  # noqa: BLE001  (report and go on with the other cases)
        row["error"] = error_text(exc)
        return row
    return finish_row(row, timed, case, gemm_rate)


def _epoch_row(row: dict[str, Any], settings: Settings) -> dict[str, Any]:
    per = run_epochs(settings.epoch_batch_size, settings.epoch_limit,
                     rounds=settings.epoch_rounds)
    row["epoch"] = per
    row["memory_target"] = EPOCH_TARGETS["peak_memory"]
    mt, to = per.get("minitorch", {}), per.get("torch", {})
    if "wall_s" in mt and "wall_s" in to:
        row.update(minitorch_ms=mt["wall_s"] * 1e3, torch_ms=to["wall_s"] * 1e3,
                   ratio=mt["wall_s"] / to["wall_s"])
        # memory: the largest peak of each library's epochs (the conservative reading)
        row["memory_ratio"] = (mt.get("peak_growth_mb_max", mt["peak_growth_mb"])
                               / max(to.get("peak_growth_mb_max", to["peak_growth_mb"]), 1e-3))
        row["meets_target"] = (row["ratio"] <= row["target"]
                               and row["memory_ratio"] <= row["memory_target"])
    else:
        row["error"] = "; ".join(f"{k}: {v.get('error')}" for k, v in per.items() if "error" in v)
    return row


def run_suite(cases: list[Case], settings: Settings, torch: ModuleType | None = None,
              minitorch: ModuleType | None = None,
              log=sys.stderr) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Measure the machine, then every case in turn (progress lines go to ``log``).

    Isolated (the default), each library runs in fresh processes of its own and the two
    modules are not needed here; in-process, both are timed in this process."""
    meta = measure_meta(torch, settings)
    meta["load_average_before"] = os.getloadavg()
    busy = meta["load_average_before"][0] > 0.5 * meta["machine"]["cores_usable"]
    if busy and log is not None:
        print(f"warning: the machine is busy (1-minute load average "
              f"{meta['load_average_before'][0]:.1f} on {meta['machine']['cores_usable']} cores): "
              "timings will be noisy", file=log, flush=True)
    rate = max(meta["gemm_gflops"].values())
    libs = {"minitorch": minitorch, "torch": torch}
    results = []
    for case in cases:
        if case.contention and not settings.isolated:
            continue  # another process's load is only meaningful for isolated timings
        if settings.isolated and case.kind != "epoch":
            row = run_case_isolated(case, settings, settings.batch_sizes, rate)
        else:
            row = run_case(case, libs, settings, rate)
        results.append(row)
        if log is not None:
            if row["error"]:
                print(f"{case.name:36s} ERROR {row['error']}", file=log, flush=True)
            else:
                print(f"{case.name:36s} minitorch {row['minitorch_ms']:9.3f} ms  torch "
                      f"{row['torch_ms']:9.3f} ms  ratio {row['ratio']:5.2f}", file=log, flush=True)
    meta["load_average_after"] = os.getloadavg()
    return results, meta


def profile_case(case: Case, minitorch: ModuleType, calls: int = 20, top: int = 30) -> str:
    """cProfile of ``calls`` minitorch steps of ``case`` (after 2 warm-up calls): the
    ``top`` entries by own time (tottime)."""
    step = case.build(minitorch)
    step()
    step()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        step()
    profiler.disable()
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    return f"cProfile of {calls} minitorch steps of {case.name}\n" + buf.getvalue()
