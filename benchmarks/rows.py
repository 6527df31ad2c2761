"""One result row per case, built the same way by both timing methods (``suite.run_case``
in one process, ``isolated.run_case_isolated`` in fresh processes)."""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.cases import Case


def new_row(case: Case) -> dict[str, Any]:
    """The row before any measurement: the case's name, kind and target."""
    return {"case": case.name, "kind": case.kind, "target": case.target, "flops": None,
            "error": None}


def compare_first(row: dict[str, Any], a: np.ndarray, b: np.ndarray) -> None:
    """Record how far minitorch's first result ``a`` is from torch's ``b``: the two
    libraries must have computed the same thing for the timings to compare."""
    if a.shape == b.shape:
        row["max_abs_diff"] = float(np.max(np.abs(a - b))) if a.size else 0.0
        largest = float(np.max(np.abs(b))) if b.size else 0.0
        row["max_rel_diff"] = row["max_abs_diff"] / max(largest, 1e-30)
    row["first_value_shape"] = list(a.shape)


def error_text(exc: Exception) -> str:
    """An exception as one short line for the table."""
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"


def finish_row(row: dict[str, Any], timing: dict[str, dict[str, Any]], case: Case,
               gemm_rate: float | None) -> dict[str, Any]:
    """Add each library's best time, the ratio, the target verdict and the FLOP floor."""
    row.update(timing=timing, minitorch_ms=timing["minitorch"]["best_s"] * 1e3,
               torch_ms=timing["torch"]["best_s"] * 1e3)
    row["ratio"] = row["minitorch_ms"] / row["torch_ms"]
    row["meets_target"] = None if case.target is None else row["ratio"] <= case.target
    if row["flops"] and gemm_rate:
        row["floor_ms"] = row["flops"] / (gemm_rate * 1e9) * 1e3
    return row
