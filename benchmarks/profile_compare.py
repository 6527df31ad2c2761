"""``python -m benchmarks.profile_compare``: where each library spends a training step.

Runs the same model (same weights, same batch) under ``minitorch.profiler`` and under
``torch.profiler``, **each library in its own fresh process** (in one process their thread
pools compete for the cores and both timings lie), and prints the per-op rows side by side:
forward ops (``addmm`` / ``aten::addmm``) and backward nodes (``AddmmBackward0``) matched by
name, with calls and self time per step.

    python -m benchmarks.profile_compare                 # the tutorial CNN, batch 64
    python -m benchmarks.profile_compare --model mlp --steps 20 --rows 15

Times are self CPU time (an op's time minus the ops it called), averaged per step over
``--steps`` profiled steps after ``--warmup`` unprofiled ones. Only ops are timed: Python
between them (the modules, the optimizer) is left out, in both libraries alike.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from benchmarks.models import MODELS

REPO = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.profile_compare",
                                description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=tuple(MODELS), default="cnn")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--steps", type=int, default=5, help="profiled training steps (default 5)")
    p.add_argument("--warmup", type=int, default=2, help="unprofiled steps first (default 2)")
    p.add_argument("--rows", type=int, default=20, help="rows to print (default 20)")
    p.add_argument("--worker", choices=("minitorch", "torch"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    for flag in ("batch_size", "steps", "rows"):
        if getattr(args, flag) < 1:
            p.error(f"--{flag.replace('_', '-')} must be at least 1")
    if args.warmup < 0:
        p.error("--warmup must be at least 0")
    return args


def profile_library(name: str, args: argparse.Namespace) -> list[dict]:
    """Train ``args.steps`` steps under the library's profiler; one dict per row."""
    from benchmarks.models import MODELS, init_parameters

    if name == "torch":
        import torch as lib
        from torch.profiler import ProfilerActivity, profile
    else:
        import minitorch as lib
        from minitorch.profiler import ProfilerActivity, profile
    build, shape = MODELS[args.model]
    model = build(lib)
    init_parameters(lib, model)
    rng = np.random.default_rng(0)
    x = lib.from_numpy(rng.standard_normal((args.batch_size, *shape)).astype(np.float32))
    y = lib.from_numpy(rng.integers(0, 10, args.batch_size))
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(args.steps):
            step()
    return [{"name": e.key, "calls": e.count, "self_us": e.self_cpu_time_total,
             "total_us": e.cpu_time_total} for e in prof.key_averages()]


def _run_worker(name: str, args: argparse.Namespace) -> list[dict]:
    """The rows from a fresh process running ``main(["--worker", name, ...])``."""
    # the library is imported first, as a user's program does (minitorch shortens
    # OpenBLAS's spin only when it is imported before NumPy: minitorch._process_tweaks)
    code = (f"import {name}, sys; from benchmarks.profile_compare import main; "
            "sys.exit(main(sys.argv[1:]))")
    cmd = [sys.executable, "-c", code, "--worker", name,
           "--model", args.model, "--batch-size", str(args.batch_size),
           "--steps", str(args.steps), "--warmup", str(args.warmup)]
    env = dict(os.environ, OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "PASSIVE"))
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"the {name} worker failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def normalise(name: str) -> str:
    """Match the two libraries' row names: ``aten::addmm`` -> ``addmm``; PyTorch's
    ``autograd::engine::evaluate_function: X`` wrapper rows are dropped (None)."""
    if name.startswith("autograd::engine::evaluate_function"):
        return ""
    return name.removeprefix("aten::")


def side_by_side(ours: list[dict], theirs: list[dict], steps: int, rows: int) -> str:
    """The matched table: op, then calls and self ms per step for each library."""
    table: dict[str, dict] = {}
    for lib, entries in (("mt", ours), ("pt", theirs)):
        for e in entries:
            key = normalise(e["name"])
            if key:
                row = table.setdefault(key, {})
                row[lib] = (row.get(lib, (0, 0.0))[0] + e["calls"],
                            row.get(lib, (0, 0.0))[1] + e["self_us"])
    order = sorted(table, key=lambda k: -max(v[1] for v in table[k].values()))
    width = max([len(k) for k in order[:rows]] + [10]) + 2
    head = (f"{'op (per step)':<{width}} {'minitorch calls':>15} {'self ms':>9}   "
            f"{'torch calls':>11} {'self ms':>9}   {'ratio':>6}")
    lines = [head, "-" * len(head)]
    totals = {"mt": 0.0, "pt": 0.0}
    for lib in totals:
        totals[lib] = sum(v[lib][1] for v in table.values() if lib in v) / steps / 1e3
    for key in order[:rows]:
        cells = []
        for lib, w in (("mt", 15), ("pt", 11)):
            calls, self_us = table[key].get(lib, (0, 0.0))
            cells.append((f"{calls / steps:>{w}.4g}", f"{self_us / steps / 1e3:>9.3f}")
                         if calls else (f"{'-':>{w}}", f"{'-':>9}"))
        mt, pt = table[key].get("mt"), table[key].get("pt")
        ratio = f"{mt[1] / pt[1]:>6.2f}" if mt and pt and pt[1] > 0 else f"{'':>6}"
        lines.append(f"{key:<{width}} {cells[0][0]} {cells[0][1]}   {cells[1][0]} {cells[1][1]}"
                     f"   {ratio}")
    lines.append("-" * len(head))
    lines.append(f"{'all ops':<{width}} {'':>15} {totals['mt']:>9.3f}   {'':>11} "
                 f"{totals['pt']:>9.3f}   {totals['mt'] / totals['pt']:>6.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(profile_library(args.worker, args)))
        return 0
    ours, theirs = _run_worker("minitorch", args), _run_worker("torch", args)
    print(f"== {args.model}, batch {args.batch_size}: self CPU time per training step "
          f"(mean of {args.steps} steps, each library in its own process) ==")
    print(side_by_side(ours, theirs, args.steps, args.rows))
    print("Forward rows are ops (minitorch's 'addmm' is torch's 'aten::addmm'); rows ending "
          "in Backward0 are graph nodes run by backward(). An op only one library has shows "
          "'-' on the other side (torch splits some ops into several, minitorch fuses some).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
