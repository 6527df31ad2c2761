"""The benchmarked networks, written once against the PyTorch API.

Every builder takes the library module (``torch`` or ``minitorch``) as its argument, so
the two models are the same code; :func:`init_parameters` then overwrites every
parameter with the same NumPy-drawn values, so the two start from identical weights and
their first losses agree (the suite checks this).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np


def mlp(lib: ModuleType) -> Any:
    """The tutorial MLP: 784 -> 128 -> 256 -> 10 with ReLU (input (N, 1, 28, 28))."""
    nn = lib.nn
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 128), nn.ReLU(),
        nn.Linear(128, 256), nn.ReLU(),
        nn.Linear(256, 10),
    )


def cnn(lib: ModuleType) -> Any:
    """The tutorial CNN: two (conv 5x5 pad 2, ReLU, max-pool 2) blocks, then 1568 -> 10.

    Input (N, 1, 28, 28); channels 1 -> 16 -> 32; 32 * 7 * 7 = 1568 features.
    """
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 10),
    )


def lenet(lib: ModuleType) -> Any:
    """LeNet of the "60-minute blitz": input (N, 1, 32, 32), no padding.

    conv 1 -> 6 5x5, ReLU, max-pool 2 (6 x 14 x 14); conv 6 -> 16 5x5, ReLU, max-pool 2
    (16 x 5 x 5 = 400); fully connected 400 -> 120 -> 84 -> 10 with ReLU.
    """
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def dcgan_generator(lib: ModuleType, nz: int = 100, ngf: int = 64, nc: int = 3) -> Any:
    """The generator of PyTorch's DCGAN tutorial: z (N, nz, 1, 1) -> image (N, nc, 64, 64).

    Four ConvTranspose2d(4x4, stride 2, pad 1) + BatchNorm + ReLU blocks after a first
    4x4 projection: 1 -> 4 -> 8 -> 16 -> 32 -> 64 pixels, channels nz -> 8 ngf -> 4 ngf
    -> 2 ngf -> ngf -> nc, then Tanh.
    """
    nn = lib.nn
    return nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh(),
    )


MODELS = {"mlp": (mlp, (1, 28, 28)), "cnn": (cnn, (1, 28, 28)), "lenet": (lenet, (1, 32, 32))}
"""name -> (builder, shape of one input image)."""


def init_parameters(lib: ModuleType, model: Any, seed: int = 0) -> None:
    r"""Overwrite the parameters with PyTorch's default distribution, drawn by NumPy.

    Weights and the bias that follows them get :math:`U(-1/\sqrt{\text{fan\_in}},
    1/\sqrt{\text{fan\_in}})` with ``fan_in`` the weight's ``in_features`` (or
    ``in_channels * kh * kw``), as ``nn.Linear`` and ``nn.Conv2d`` do. Drawing them from
    one seeded NumPy generator makes the torch and minitorch models identical.
    """
    rng = np.random.default_rng(seed)
    fan_in = 1
    with lib.no_grad():
        for p in model.parameters():
            shape = tuple(p.shape)
            if len(shape) > 1:
                fan_in = int(np.prod(shape[1:]))
            bound = 1.0 / np.sqrt(fan_in)
            values = rng.uniform(-bound, bound, size=shape).astype(np.float32)
            p.copy_(lib.from_numpy(values))
