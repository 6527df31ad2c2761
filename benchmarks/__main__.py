"""``python -m benchmarks``: minitorch against PyTorch, each in its own fresh processes.

Examples::

    python -m benchmarks                      # every case but the MNIST epoch
    python -m benchmarks --in-process         # the old method: both libraries in one
                                              # process (their thread pools interfere)
    python -m benchmarks --quick --no-plot    # a fast check that everything runs
    python -m benchmarks --cases train_cnn,matmul --repeat 11
    python -m benchmarks --full-epoch         # also one MNIST epoch per library (minutes)
    python -m benchmarks --profile train_cnn_b64   # cProfile of minitorch's step
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.cases import all_cases, select
from benchmarks.report import markdown, plot_ratios, write_json
from benchmarks.suite import Settings, profile_case, run_suite

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(v) for v in text.split(",") if v.strip())


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks",
                                description="Time minitorch against PyTorch, each library "
                                "in its own fresh processes (alternating, best of each).")
    p.add_argument("--cases", help="comma-separated case names or prefixes (default: all "
                   "but the long epoch_cnn); --list shows them")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    p.add_argument("--repeat", type=int, help="timed repetitions per process (best is kept)")
    p.add_argument("--rounds", type=int, help="processes per library and case, in ABBA "
                   "order (default 3; the best process counts)")
    p.add_argument("--in-process", action="store_true", help="time both libraries in this "
                   "one process, interleaved (misleading: the two thread pools steal each "
                   "other's cores; kept for comparison)")
    p.add_argument("--warmup", type=int, help="untimed calls per library first")
    p.add_argument("--min-time", type=float, help="seconds one repetition lasts at least")
    p.add_argument("--settle", type=float, help="seconds to sleep before each repetition "
                   "so the other library's BLAS/OpenMP threads stop spinning (default 0.2)")
    p.add_argument("--batch-sizes", type=_ints, default=(64, 256),
                   help="batch sizes of the training and loss cases (default 64,256)")
    p.add_argument("--quick", action="store_true", help="tiny repetition counts (and a "
                   "1000-image epoch): checks that everything runs")
    p.add_argument("--full-epoch", action="store_true",
                   help="also run epoch_cnn: one MNIST epoch per library (minutes)")
    p.add_argument("--epoch-batch-size", type=int, default=100)
    p.add_argument("--epoch-rounds", type=int, metavar="R",
                   help="epochs per library, run in ABBA order; the fastest counts (default 2)")
    p.add_argument("--epoch-limit", type=int, metavar="N",
                   help="train epoch_cnn on the first N images only (default: all 60000)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    p.add_argument("--no-plot", action="store_true", help="skip OUT/ratios.png")
    p.add_argument("--profile", metavar="CASE", help="print a cProfile of minitorch's step "
                   "for the cases matching CASE, instead of timing")
    return p.parse_args(argv)


def settings_from(args: argparse.Namespace) -> Settings:
    s = Settings.quick() if args.quick else Settings()
    s.isolated = not args.in_process
    s.batch_sizes = args.batch_sizes
    for name in ("repeat", "warmup", "min_time", "settle", "rounds"):
        if getattr(args, name) is not None:
            setattr(s, name, getattr(args, name))
    s.epoch_batch_size = args.epoch_batch_size
    if args.epoch_limit is not None:
        s.epoch_limit = args.epoch_limit
    if args.epoch_rounds is not None:
        s.epoch_rounds = args.epoch_rounds
    return s


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cases = all_cases(args.batch_sizes)
    if args.list:
        print("\n".join(f"{c.name}{'  (long)' if c.long else ''}" for c in cases))
        return 0
    try:
        chosen = select(cases, args.profile or args.cases, include_long=args.full_epoch)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2

    if args.profile:
        import minitorch

        for case in chosen:
            if case.kind != "epoch":
                print(profile_case(case, minitorch))
        return 0
    settings = settings_from(args)
    torch = minitorch = None
    if not settings.isolated:
        import minitorch  # noqa: I001  (first, as in a user program: minitorch/_process_tweaks.py)
        import torch
    results, meta = run_suite(chosen, settings, torch, minitorch)
    table = markdown(results, meta)
    print()
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(table)
    write_json(args.out / "results.json", results, meta)
    written = ["results.md", "results.json"]
    title = ("minitorch vs PyTorch, each in its own process" if settings.isolated
             else "minitorch vs PyTorch, same process (misleading)")
    if not args.no_plot and plot_ratios(args.out / "ratios.png", results, title):
        written.append("ratios.png")
    print(f"wrote {', '.join(str(args.out / w) for w in written)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
