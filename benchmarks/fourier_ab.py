"""Old against new Fourier convolution kernels, alternating in ONE process.

Run ``python -m benchmarks.fourier_ab --old PATH/TO/old/conv_fourier.py`` (for example
``git show c7fcf79:minitorch/kernels/conv_fourier.py > /tmp/old_cf.py``). The old file is
imported as ``minitorch.kernels._old_conv_fourier`` (its relative imports resolve to this
tree's ``copies`` and ``threads``), then:

* every layer that takes the Fourier path in the benchmark models (VGG and ResNet 3x3
  layers at batch 32, the tutorial CNN's and LeNet's/the blitz's 5x5 layers at batch 4,
  64, 256) runs forward, then forward + both gradients, on the old and the new kernels
  call by call;
* whole training steps (``benchmarks.cases.train_step``: forward, cross-entropy,
  backward, Adam) alternate step by step with the Fourier module swapped in
  ``kernels.conv``.

Each prints the best wall time and the best CPU time (``process_time``, which other
processes disturb less) of each side; the thread counts are set for the load before each
call, as ``conv2d`` sets them in training.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import time

import numpy as np

from minitorch.kernels import conv as kconv
from minitorch.kernels import conv_fourier, threads

# (name, batch, in, out, side, kernel, padding)
LAYERS = [
    ("vgg 32->32 @32", 32, 32, 32, 32, 3, 1),
    ("vgg 32->64 @16", 32, 32, 64, 16, 3, 1),
    ("vgg 64->64 @16", 32, 64, 64, 16, 3, 1),
    ("vgg 64->128 @8", 32, 64, 128, 8, 3, 1),
    ("resnet 32->32 @16", 32, 32, 32, 16, 3, 1),
    ("resnet 64->64 @8", 32, 64, 64, 8, 3, 1),
    *((f"cnn 16->32 5x5 @14 b{n}", n, 16, 32, 14, 5, 2) for n in (4, 64, 256)),
    *((f"lenet/blitz 6->16 5x5 @14 b{n}", n, 6, 16, 14, 5, 0) for n in (4, 64, 256)),
]
STEPS = [("lenet", 64), ("blitz", 64), ("cnn", 64), ("vgg", 32), ("resnet", 32)]


def load_old(path: str):
    """The old ``conv_fourier.py`` at ``path``, as a module of this tree's kernels package."""
    spec = importlib.util.spec_from_file_location("minitorch.kernels._old_conv_fourier", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _layer_call(mod, x, w, pad, g, backward: bool) -> None:
    _, xhat = mod.forward(x, w, pad)
    if backward:
        ghat = mod.grad_spectrum(g, x.shape, pad)
        mod.input_grad(g, w, x.shape, pad, ghat)
        mod.weight_grad(x, g, w.shape, pad, xhat, ghat)


def _best(calls: dict, repeats: int) -> dict:
    """Best (wall, CPU) seconds of each named call, the calls alternating."""
    best = {name: [float("inf"), float("inf")] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            threads.refresh()
            t0, c0 = time.perf_counter(), time.process_time()
            call()
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            best[name] = [min(best[name][0], wall), min(best[name][1], cpu)]
    return best


def layers(old, repeats: int) -> None:
    print("layer: old / new, ms (wall best; CPU best)")
    for name, n, c, o, side, k, p in LAYERS:
        rng = np.random.default_rng(0)
        x = rng.standard_normal((n, c, side, side)).astype(np.float32)
        w = (rng.standard_normal((o, c, k, k)) * 0.1).astype(np.float32)
        pad = (p,) * 4
        g = rng.standard_normal(old.forward(x, w, pad)[0].shape).astype(np.float32)
        cells = []
        for backward in (False, True):
            calls = {tag: functools.partial(_layer_call, m, x, w, pad, g, backward)
                     for tag, m in (("old", old), ("new", conv_fourier))}
            for call in calls.values():
                call()
            b = _best(calls, repeats)
            cells.append(f"{'fwd+bwd' if backward else 'fwd'} {1e3 * b['old'][0]:.2f} / "
                         f"{1e3 * b['new'][0]:.2f} (CPU {1e3 * b['old'][1]:.2f} / {1e3 * b['new'][1]:.2f})")
        print(f"  {name:28s} " + "   ".join(cells), flush=True)


def _step_with(mod, step) -> None:
    kconv.conv_fourier = mod  # the module kernels.conv routes the Fourier path to
    step()


def steps(old, repeats: int) -> None:
    import minitorch
    from benchmarks.cases import train_step

    print("training step: old / new, ms (wall best; CPU best)")
    for model, batch in STEPS:
        step = train_step(model, batch).build(minitorch)
        calls = {tag: functools.partial(_step_with, m, step)
                 for tag, m in (("old", old), ("new", conv_fourier))}
        try:
            for call in (*calls.values(), *calls.values()):
                call()
            b = _best(calls, repeats)
        finally:
            kconv.conv_fourier = conv_fourier
        print(f"  train_{model}_b{batch:<4d} {1e3 * b['old'][0]:.2f} / {1e3 * b['new'][0]:.2f} "
              f"(CPU {1e3 * b['old'][1]:.2f} / {1e3 * b['new'][1]:.2f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", required=True, help="path of the old conv_fourier.py")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--skip-steps", action="store_true")
    args = parser.parse_args()
    old = load_old(args.old)
    layers(old, args.repeats)
    if not args.skip_steps:
        steps(old, args.repeats)


if __name__ == "__main__":
    main()
