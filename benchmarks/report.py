"""Writing the results: a markdown table, a JSON file and a bar chart of the ratios."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.{digits}g}"


def _verdict(ratio: float | None, target: float | None) -> str:
    if target is None or ratio is None:
        return "-"
    return f"<= {target:g} {'ok' if ratio <= target else 'MISSED'}"


def disagree(r: dict[str, Any], rtol: float = 1e-3) -> bool:
    """Whether the two libraries' first results differ by more than ``rtol`` (relative
    to the largest torch value): the case would then not measure the same computation."""
    return (r.get("max_rel_diff") or 0.0) > rtol


def header(meta: dict[str, Any]) -> list[str]:
    """Lines describing the machine, threads, GEMM rates and the method."""
    m, t = meta["machine"], meta["machine"]["threads"]
    gemm = meta.get("gemm_gflops", {})
    blas = m["numpy_blas"]
    machine = (
        f"Machine: {m['cpu_model']}, {m['cores_usable']} usable cores ({m['cores_logical']} "
        f"logical); Python {m['python']}, NumPy {m['numpy']} ({blas.get('name', '?')} "
        f"{blas.get('version', '')}), torch {m['torch']} ({m['torch_blas']})"
    )
    threads = (
        f"Threads: torch intra-op {t['torch_intra_op']} (default, left alone), inter-op "
        f"{t['torch_inter_op']}; minitorch = NumPy, whose OpenBLAS uses "
        f"{t['numpy_openblas']} threads for matrix products (idle threads sleep after "
        f"2^{t.get('OPENBLAS_THREAD_TIMEOUT') or 28} cycles); minitorch's large copies, "
        f"col2im, max pooling, ReLU, batch norm and the optimizers' updates use "
        f"{t.get('minitorch_copies', 1)} threads on large arrays, convolutions from 512 KiB "
        f"of activations run their batch in {t.get('minitorch_copies', 1)} parts (one per "
        f"thread, each part's "
        f"products on one OpenBLAS thread), other elementwise NumPy code 1"
        + ("; both step down to the cores other processes leave free "
           "(minitorch/kernels/threads.py)" if t.get("minitorch_adaptive") else "")
    )
    lines = [machine, threads]
    if gemm:
        lines.append(
            f"float32 GEMM {meta['gemm_n']}^3: NumPy {gemm['numpy']:.1f} GFLOP/s, torch "
            f"{gemm['torch']:.1f} GFLOP/s; 'floor' = the step's conv/linear FLOPs at the "
            f"faster rate ({max(gemm.values()):.1f} GFLOP/s)"
        )
    if meta.get("method", "in-process") == "isolated":
        lines.append(
            f"Timing: each library in its own fresh processes ({meta['rounds']} per library "
            f"and case, in ABBA order), as users run them; in each process {meta['warmup']} "
            f"warm-up calls, then the best of {meta['repeat']} repetitions, each running the "
            f"step enough times to last >= {meta['min_time'] * 1000:g} ms; the best process "
            "counts. contention_* cases run while one other CPU-bound process is busy"
        )
    else:
        lines.append(
            f"Timing: IN ONE PROCESS (misleading: the two libraries' thread pools steal each "
            f"other's cores), repetitions interleaved, best of {meta['repeat']} after "
            f"{meta['warmup']} warm-up calls; each repetition runs the step enough times to "
            f"last >= {meta['min_time'] * 1000:g} ms, after an untimed "
            f"{meta.get('settle', 0) * 1000:g} ms sleep (lets the other library's threads idle)"
        )
    if "load_average_before" in meta:
        before, after = meta["load_average_before"][0], meta.get("load_average_after", ["?"])[0]
        lines.append(f"1-minute load average before / after: {before:.2f} / {after:.2f} "
                     f"(other work on the {m['cores_usable']} cores makes timings noisy)")
    return lines


def markdown(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The results as markdown: a header, the per-step table and the epoch table."""
    out = ["# minitorch vs PyTorch", ""] + [f"- {line}" for line in header(meta)] + [""]
    out += ["| case | minitorch ms | torch ms | ratio mt/torch | target | GFLOP | floor ms |",
            "|---|---:|---:|---:|---|---:|---:|"]
    for r in results:
        if r["kind"] == "epoch":
            continue
        if r.get("error"):
            out.append(f"| {r['case']} | error: {r['error']} | | | | | |")
            continue
        gflop = r["flops"] / 1e9 if r.get("flops") else None
        name = r["case"] + (" (results differ!)" if disagree(r) else "")
        out.append(
            f"| {name} | {_fmt(r['minitorch_ms'])} | {_fmt(r['torch_ms'])} | "
            f"{r['ratio']:.2f} | {_verdict(r['ratio'], r.get('target'))} | {_fmt(gflop)} | "
            f"{_fmt(r.get('floor_ms'))} |"
        )
    out += summary_lines(results)
    for r in results:
        if r["kind"] == "epoch":
            out += ["", *epoch_markdown(r)]
    return "\n".join(out) + "\n"


def summary_lines(results: list[dict[str, Any]]) -> list[str]:
    """The training steps' geometric-mean and worst ratio, and each library's slowdown
    under contention (the contention case's time over the same step's quiet time)."""
    ok = {r["case"]: r for r in results if r.get("ratio") is not None}
    train = [r for r in ok.values() if r["kind"] == "train" and not r["case"].startswith(
        "contention_")]
    out = []
    if train:
        geo = math.exp(sum(math.log(r["ratio"]) for r in train) / len(train))
        worst = max(train, key=lambda r: r["ratio"])
        out += ["", (f"Training steps ({len(train)}): geometric mean ratio {geo:.2f}, worst "
                f"{worst['ratio']:.2f} ({worst['case']}).")]
    for name, r in ok.items():
        quiet = ok.get(name.removeprefix("contention_"))
        if name.startswith("contention_") and quiet is not None:
            mt = r["minitorch_ms"] / quiet["minitorch_ms"]
            to = r["torch_ms"] / quiet["torch_ms"]
            out += ["", (f"Under contention ({name}): minitorch {mt:.2f}x its quiet time, "
                    f"torch {to:.2f}x.")]
    return out


def epoch_markdown(r: dict[str, Any]) -> list[str]:
    """The MNIST epoch as a small table: wall time and peak memory growth per library."""
    per = r["epoch"]
    b = next((v.get("batch_size") for v in per.values() if "batch_size" in v), "?")
    rounds = max((len(v.get("walls_s", [1])) for v in per.values()), default=1)
    title = (f"One MNIST epoch, tutorial CNN, Adam, batch {b} (separate processes; "
             + (f"{rounds} epochs per library in ABBA order, the fastest counts; "
                if rounds > 1 else "")
             + "peak = growth of resident memory during the epoch, the largest of the runs; "
             "see benchmarks/epoch.py)")
    out = [title, "",
           ("| library | wall s | every epoch s | peak RSS growth MB | peak RSS MB | mean loss "
            "| threads |"),
           "|---|---:|---|---:|---:|---:|---|"]
    for name, v in per.items():
        if "error" in v:
            out.append(f"| {name} | error: {v['error']} | | | | | |")
        else:
            walls = ", ".join(f"{w:.1f}" for w in v.get("walls_s", [v["wall_s"]]))
            peak = v.get("peak_growth_mb_max", v["peak_growth_mb"])
            out.append(f"| {name} | {v['wall_s']:.1f} | {walls} | {peak:.0f} | "
                       f"{v['peak_rss_mb']:.0f} | {v['mean_loss']:.4f} | {v['threads']} |")
    if r.get("ratio") is not None:
        mem = r.get("memory_ratio")
        out.append(f"| ratio mt/torch | {r['ratio']:.2f} ({_verdict(r['ratio'], r['target'])}) "
                   f"| | {_fmt(mem, 3)} ({_verdict(mem, r['memory_target'])}) | | | |")
    return out


def write_json(path: Path, results: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    path.write_text(json.dumps({"meta": meta, "results": results}, indent=2, default=str) + "\n")


def plot_ratios(path: Path, results: list[dict[str, Any]],
                title: str = "minitorch vs PyTorch, each in its own process") -> bool:
    """A horizontal bar chart of minitorch/torch per case, targets marked; False without
    matplotlib."""
    try:
        import matplotlib
        import matplotlib.ticker

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    rows = [r for r in results if r.get("ratio") is not None]
    if not rows:
        return False
    names = [r["case"] for r in rows][::-1]
    ratios = [r["ratio"] for r in rows][::-1]
    targets = [r.get("target") for r in rows][::-1]
    colors = ["tab:gray" if t is None else ("tab:green" if v <= t else "tab:red")
              for v, t in zip(ratios, targets)]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(rows) + 1.2))
    # bars start at 1 (parity): to the left where minitorch is faster, to the right slower
    ax.barh(names, [v - 1 for v in ratios], left=1, color=colors)
    for i, v in enumerate(ratios):
        ax.text(v, i, f" {v:.2f} ", va="center", ha="left" if v >= 1 else "right", fontsize=8)
    for i, t in enumerate(targets):
        if t is not None:
            ax.plot([t, t], [i - 0.4, i + 0.4], color="black", lw=2)
    ax.axvline(1.0, color="black", lw=0.8, ls="--")
    ax.set_xscale("log")
    low, high = min(ratios + [1.0]), max(ratios + [t for t in targets if t] + [1.0])
    ax.set_xlim(low / 1.6, high * 1.6)
    ticks = [t for t in (0.1, 0.2, 0.5, 1, 1.5, 2, 3, 5, 10, 20, 50, 100)
             if low / 1.6 <= t <= high * 1.6]
    ax.xaxis.set_major_locator(matplotlib.ticker.FixedLocator(ticks))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x:g}"))
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("time ratio minitorch / torch (log scale; black ticks: targets)")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
