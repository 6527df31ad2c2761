"""One MNIST training epoch of the tutorial CNN per library, each in its own process.

Run as ``python -m benchmarks.epoch --lib torch --data DIR`` (the suite does this), or
call :func:`run_epochs`.

Method
------
* **Same data.** The parent process reads MNIST once with
  ``minitorch.vision.datasets.MNIST`` (``$MINITORCH_MNIST_DIR``, else
  ``../shared/data/mnist``), and saves the images (float32, pixel/255) and labels as
  ``.npy`` files that each worker loads. Both workers use the same shuffling
  (``default_rng(0).permutation``) and the same initial weights (:func:`init_parameters`),
  so their losses agree up to rounding.
* **Wall time** covers the whole epoch: batch slicing, forward, loss, backward, Adam,
  zero_grad, and one ``loss.item()`` per step, as a tutorial's loop does.
* **Peak memory** is the growth of the process's resident set (RSS) during the epoch:
  after imports, data loading and model building, the worker notes its current RSS
  (``VmRSS``) and resets the kernel's high-water mark (writing ``5`` to
  ``/proc/self/clear_refs``); after the epoch, the peak is ``VmHWM`` from
  ``/proc/self/status``. Growth = peak - baseline: what training itself needed (graph,
  activations, gradients, optimizer state, allocator caches), without the interpreter,
  the libraries and the 188 MB of images. Where the reset is not allowed, the peak falls
  back to ``getrusage(RUSAGE_SELF).ru_maxrss``, which may then include a transient peak
  of the set-up. RSS counts what the operating system gave the process, so memory that
  ``malloc`` keeps for reuse counts too, for both libraries alike (tracemalloc would see
  NumPy's buffers but not torch's, so it cannot compare the two).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.machine import openblas_threads
from benchmarks.models import cnn, init_parameters

REPO = Path(__file__).resolve().parent.parent


def mnist_dir() -> Path:
    """``$MINITORCH_MNIST_DIR``, else ``../shared/data/mnist`` beside the repository."""
    return Path(os.environ.get("MINITORCH_MNIST_DIR", REPO.parent / "shared" / "data" / "mnist"))


def save_mnist_arrays(folder: Path, limit: int | None = None) -> None:
    """Read the MNIST training set once and save it as ``images.npy`` / ``labels.npy``."""
    from minitorch.vision.datasets import MNIST

    images, labels = MNIST(root=str(mnist_dir()), train=True).as_arrays()
    np.save(folder / "images.npy", images[:limit])
    np.save(folder / "labels.npy", labels[:limit])


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset the kernel's record of peak RSS (``VmHWM``); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def train_one_epoch(lib_name: str, data: Path, batch_size: int) -> dict[str, Any]:
    """The worker: one epoch of the tutorial CNN with Adam, measured as the module says."""
    lib = importlib.import_module(lib_name)
    images, labels = np.load(data / "images.npy"), np.load(data / "labels.npy")
    model = cnn(lib)
    init_parameters(lib, model)
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    F = lib.nn.functional
    order = np.random.default_rng(0).permutation(len(images))

    gc.collect()
    baseline_kb = _status_kb("VmRSS")
    reset = _reset_peak()
    losses = []
    t0 = time.perf_counter()
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        x, y = lib.from_numpy(images[idx]), lib.from_numpy(labels[idx])
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    wall = time.perf_counter() - t0
    peak_kb = _status_kb("VmHWM") if reset else None
    if peak_kb is None:  # ru_maxrss is in kB on Linux
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if lib_name == "torch":
        threads = f"torch intra-op {lib.get_num_threads()}"
    else:
        threads = f"NumPy OpenBLAS {openblas_threads()}"
    return {
        "library": lib_name,
        "wall_s": wall,
        "steps": len(losses),
        "batch_size": batch_size,
        "baseline_rss_mb": (baseline_kb or 0) / 1024,
        "peak_rss_mb": peak_kb / 1024,
        "peak_growth_mb": (peak_kb - (baseline_kb or 0)) / 1024,
        "peak_method": "VmHWM after clear_refs" if reset else "ru_maxrss",
        "first_loss": losses[0],
        "mean_loss": float(np.mean(losses)),
        "last_loss": losses[-1],
        "threads": threads,
    }


def run_epochs(batch_size: int = 100, limit: int | None = None,
               libraries: tuple[str, ...] = ("minitorch", "torch"),
               rounds: int = 2) -> dict[str, dict[str, Any]]:
    """Save the data once, then run worker processes, one epoch each, one after the other.

    With ``rounds`` > 1 every library runs that many epochs in ABBA order (minitorch,
    torch, torch, minitorch, ...), so a slow spell of a shared machine hits both alike;
    each library keeps its fastest epoch (``wall_s``, and the other fields of that
    run), with every wall time in ``walls_s`` and the largest peak in
    ``peak_growth_mb_max``. ``limit`` keeps only the first ``limit`` images (for a
    quick check of the machinery).
    """
    runs: dict[str, list[dict[str, Any]]] = {lib: [] for lib in libraries}
    order = [lib for r in range(rounds) for lib in (libraries if r % 2 == 0 else libraries[::-1])]
    with tempfile.TemporaryDirectory(prefix="minitorch-bench-") as tmp:
        save_mnist_arrays(Path(tmp), limit)
        for lib_name in order:
            cmd = [sys.executable, "-m", "benchmarks.epoch", "--lib", lib_name,
                   "--data", tmp, "--batch-size", str(batch_size)]
            proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                lines = proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
                runs[lib_name].append({"library": lib_name, "error": lines[-1]})
                continue
            runs[lib_name].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    results = {}
    for lib_name, done in runs.items():
        ok = [r for r in done if "error" not in r]
        if not ok:
            results[lib_name] = done[-1]
            continue
        best = dict(min(ok, key=lambda r: r["wall_s"]))
        best["walls_s"] = [round(r["wall_s"], 2) for r in ok]
        best["peak_growth_mb_max"] = max(r["peak_growth_mb"] for r in ok)
        results[lib_name] = best
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lib", choices=("minitorch", "torch"), required=True)
    parser.add_argument("--data", type=Path, required=True, help="folder with images.npy, labels.npy")
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args(argv)
    print(json.dumps(train_one_epoch(args.lib, args.data, args.batch_size)))


if __name__ == "__main__":
    main()
