"""Time every applicable convolution path on each conv layer of the ResNet and VGG
benchmark models, and print the path conv2d's cost models choose.

Run ``python -m benchmarks.conv_paths [--batch-size 32] [--repeats 30]``. For each layer
shape it times the forward alone and forward + backward (``requires_grad`` on the input as
in the model: not on a stem) on im2col and on every path that applies (Fourier, Winograd,
shifted, direct), forced by building the ``ConvGeometry`` flags directly. The paths run in
ONE process, alternating call by call, and each reports its best time: on a shared,
noisy machine only such interleaved A/B comparisons are trustworthy. float32; before each
call the thread counts are set for the machine's load, as ``conv2d`` sets them in training.
It also prints the cost models' choices for the other benchmark models' layers, to check
that a change of a model leaves them alone.
"""

from __future__ import annotations

import argparse
import time

# minitorch before NumPy, as in a user's program (OpenBLAS's spin: minitorch._process_tweaks)
import minitorch

# isort: split
import numpy as np

from minitorch.kernels import conv as kconv
from minitorch.kernels import threads
from minitorch.ops import conv_api
from minitorch.ops.conv import Convolution

# (name, in channels, out channels, map side, stride, input needs a gradient)
LAYERS = {
    "resnet": [
        ("stem 3->16", 3, 16, 32, 1, False),
        ("16->16", 16, 16, 32, 1, True),
        ("16->32 s2", 16, 32, 32, 2, True),
        ("32->32", 32, 32, 16, 1, True),
        ("32->64 s2", 32, 64, 16, 2, True),
        ("64->64", 64, 64, 8, 1, True),
    ],
    "vgg": [
        ("stem 3->32", 3, 32, 32, 1, False),
        ("32->32", 32, 32, 32, 1, True),
        ("32->64", 32, 64, 16, 1, True),
        ("64->64", 64, 64, 16, 1, True),
        ("64->128", 64, 128, 8, 1, True),
    ],
}

# Other benchmark models' layers: (name, batch, in, out, side, kernel, padding, input grad)
OTHERS = [
    (f"{m} {c}->{o} 5x5 @{s} b{n}", n, c, o, s, 5, p, c > 3)
    for m, layers, batches in (
        ("cnn", ((1, 16, 28, 2), (16, 32, 14, 2)), (64, 100, 256)),
        ("lenet", ((1, 6, 32, 0), (6, 16, 14, 0)), (4, 64, 256)),
        ("blitz", ((3, 6, 32, 0), (6, 16, 14, 0)), (4, 64, 256)),
    )
    for c, o, s, p in layers
    for n in batches
]


def chosen_path(x, w, stride: int, padding: int) -> str:
    """The path ``conv2d`` takes for these tensors (its geometry's flag)."""
    geo = conv_api.conv2d(x, w, stride=stride, padding=padding).grad_fn.geo  # w needs a grad
    flags = [f for f in ("fourier", "winograd", "shifted", "direct", "pointwise") if getattr(geo, f)]
    return (flags[0] if flags else "im2col") + (f"/{geo.parts}" if geo.parts > 1 else "")


def candidate_paths(x, w_shape, geo, parts: int = 1) -> dict:
    """Geometries of im2col and of every other path that applies to this layer (and with
    ``parts > 1`` of each with the batch cut into that many parts: ``path/parts``)."""
    paths = {"im2col": geo}
    if kconv.fourier_applies(x, geo):
        paths["fourier"] = geo._replace(fourier=True)
    if kconv.winograd_applies(x, w_shape, geo):
        paths["winograd"] = geo._replace(winograd=True)
    if kconv.shifted_applies(x, w_shape, geo):
        paths["shifted"] = geo._replace(shifted=True)
    if kconv.direct_applies(x, w_shape, geo):
        paths["direct"] = geo._replace(direct=True)
    if parts > 1:  # each path also with the batch in parts, one per core
        paths.update({f"{p}/{parts}": g._replace(parts=parts) for p, g in list(paths.items())})
    return paths


def time_layer(n, c, o, side, stride, input_grad, repeats, parts=1):
    """Best forward and forward + backward times (ms) of each path, interleaved."""
    rng = np.random.default_rng(0)
    xa = rng.standard_normal((n, c, side, side)).astype(np.float32)
    wa = (rng.standard_normal((o, c, 3, 3)) * 0.1).astype(np.float32)
    x = minitorch.tensor(xa, requires_grad=input_grad)
    w = minitorch.tensor(wa, requires_grad=True)
    geo = kconv.ConvGeometry((stride, stride), (1, 1, 1, 1), (1, 1), 1,
                             kconv.prefer_batch_last(c * 9, o))
    paths = candidate_paths(xa, (o, c, 3, 3), geo, parts)
    oh, ow = geo.out_size(side, side, 3, 3)
    up = minitorch.tensor(rng.standard_normal((n, o, oh, ow)).astype(np.float32))
    best = {(p, k): float("inf") for p in paths for k in ("fwd", "fwd+bwd")}
    for _ in range(repeats):
        for p, g in paths.items():
            threads.refresh()  # the thread counts for the load now, as conv2d sets them
            t0 = time.perf_counter()
            y = Convolution.apply(x, w, None, g)
            t1 = time.perf_counter()
            y.backward(up)
            t2 = time.perf_counter()
            x.grad = w.grad = None
            best[p, "fwd"] = min(best[p, "fwd"], t1 - t0)
            best[p, "fwd+bwd"] = min(best[p, "fwd+bwd"], t2 - t0)
    choice = chosen_path(x, w, stride, 1)
    return {k: 1e3 * v for k, v in best.items()}, list(paths), choice


def other_choices() -> list[tuple[str, str]]:
    """The path conv2d chooses for the other benchmark models' layers."""
    rows = []
    for name, n, c, o, s, k, p, grad in OTHERS:
        x = minitorch.zeros(n, c, s, s, requires_grad=grad)
        w = minitorch.zeros(o, c, k, k, requires_grad=True)
        rows.append((name, chosen_path(x, w, 1, p)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--models", default="resnet,vgg")
    parser.add_argument("--parts", type=int, default=1,
                        help="also time each path with the batch in this many parts")
    args = parser.parse_args()
    for model in args.models.split(","):
        print(f"{model}, batch {args.batch_size}, best of {args.repeats} (ms, float32)")
        for name, c, o, side, stride, grad in LAYERS[model]:
            times, paths, choice = time_layer(args.batch_size, c, o, side, stride, grad,
                                              args.repeats, args.parts)
            cells = "  ".join(f"{p} {times[p, 'fwd']:.2f}/{times[p, 'fwd+bwd']:.2f}" for p in paths)
            print(f"  {name:12s} @{side:<2d} chosen {choice:9s} fwd/fwd+bwd: {cells}")
    print("other models' layers: chosen path")
    for name, choice in other_choices():
        print(f"  {name:24s} {choice}")


if __name__ == "__main__":
    main()
