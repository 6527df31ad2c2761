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


def _lenet_like(lib: ModuleType, in_channels: int) -> Any:
    """conv in_channels -> 6 5x5, ReLU, max-pool 2; conv 6 -> 16 5x5, ReLU, max-pool 2
    (16 x 5 x 5 = 400 on 32x32 inputs); fully connected 400 -> 120 -> 84 -> 10 with ReLU."""
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def lenet(lib: ModuleType) -> Any:
    """LeNet of the "60-minute blitz": input (N, 1, 32, 32), no padding (:func:`_lenet_like`
    with one input channel: 6 x 14 x 14 after the first pool, 16 x 5 x 5 = 400 after the
    second)."""
    return _lenet_like(lib, 1)


def blitz(lib: ModuleType) -> Any:
    """The "60-minute blitz" CIFAR-10 classifier: input (N, 3, 32, 32); the same layers
    as :func:`lenet` with three input channels."""
    return _lenet_like(lib, 3)


def vgg(lib: ModuleType) -> Any:
    """A VGG-style CIFAR net: 3x3 convolutions (padding 1) + BatchNorm2d + ReLU.

    Input (N, 3, 32, 32); channels 3 -> 32 -> 32, pool, -> 64 -> 64, pool, -> 128, pool
    (128 x 4 x 4 = 2048), then 2048 -> 10.
    """
    nn = lib.nn

    def block(cin: int, cout: int) -> list[Any]:
        return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]

    return nn.Sequential(
        *block(3, 32), *block(32, 32), nn.MaxPool2d(2),
        *block(32, 64), *block(64, 64), nn.MaxPool2d(2),
        *block(64, 128), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(128 * 4 * 4, 10),
    )


def resnet(lib: ModuleType) -> Any:
    """A small CIFAR ResNet: a 3x3 stem (16 channels), three basic blocks (16, 32 with
    stride 2, 64 with stride 2; 1x1 stride-2 convolution + BatchNorm2d shortcuts where the
    shape changes), global average pooling, 64 -> 10. Input (N, 3, 32, 32)."""
    nn = lib.nn

    class BasicBlock(nn.Module):
        def __init__(self, cin: int, cout: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.shortcut = nn.Sequential()
            if stride != 1 or cin != cout:
                self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                                              nn.BatchNorm2d(cout))

        def forward(self, x):
            out = self.bn1(self.conv1(x)).relu()
            out = self.bn2(self.conv2(out))
            return (out + self.shortcut(x)).relu()

    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        BasicBlock(16, 16, 1), BasicBlock(16, 32, 2), BasicBlock(32, 64, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(64, 10),
    )


def wide_mlp(lib: ModuleType) -> Any:
    """A wide MLP: 784 -> 1024 -> 1024 -> 10 with ReLU (input (N, 1, 28, 28))."""
    nn = lib.nn
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 1024), nn.ReLU(),
        nn.Linear(1024, 1024), nn.ReLU(),
        nn.Linear(1024, 10),
    )


def small_mlp(lib: ModuleType) -> Any:
    """The smallest tutorial MLP: 784 -> 128 -> 10 with ReLU (input (N, 1, 28, 28))."""
    nn = lib.nn
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))


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


def lstm(lib: ModuleType) -> Any:
    """The tutorials' LSTM classifier: each (1, 28, 28) image read as a sequence of 28
    rows of 28 pixels by a 2-layer LSTM (hidden 128, ``batch_first``) started from zero
    states, then ``Linear(128, 10)`` on the last step's output."""
    nn = lib.nn

    class LSTMClassifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(28, 128, num_layers=2, batch_first=True)
            self.fc = nn.Linear(128, 10)

        def forward(self, x: Any) -> Any:
            x = x.reshape(-1, 28, 28)
            h0 = lib.zeros(2, x.size(0), 128)
            c0 = lib.zeros(2, x.size(0), 128)
            out, _ = self.lstm(x, (h0, c0))
            return self.fc(out[:, -1, :])

    return LSTMClassifier()


MODELS = {
    "mlp": (mlp, (1, 28, 28)),
    "cnn": (cnn, (1, 28, 28)),
    "lenet": (lenet, (1, 32, 32)),
    "blitz": (blitz, (3, 32, 32)),
    "vgg": (vgg, (3, 32, 32)),
    "resnet": (resnet, (3, 32, 32)),
    "wide_mlp": (wide_mlp, (1, 28, 28)),
    "small_mlp": (small_mlp, (1, 28, 28)),
    "lstm": (lstm, (1, 28, 28)),
}
"""name -> (builder, shape of one input image)."""


def init_parameters(lib: ModuleType, model: Any, seed: int = 0) -> None:
    r"""Overwrite the parameters with PyTorch's default distribution, drawn by NumPy.

    Weights and the bias that follows them get :math:`U(-1/\sqrt{\text{fan\_in}},
    1/\sqrt{\text{fan\_in}})` with ``fan_in`` the weight's ``in_features`` (or
    ``in_channels * kh * kw``), as ``nn.Linear`` and ``nn.Conv2d`` do; the parameters of
    a recurrent layer get :math:`U(-1/\sqrt{\text{hidden}}, 1/\sqrt{\text{hidden}})`, as
    ``nn.LSTM`` does. Drawing them from one seeded NumPy generator makes the torch and
    minitorch models identical. Other layers (BatchNorm's weight 1 and bias 0) keep their
    defaults, which are the same in both libraries.
    """
    rng = np.random.default_rng(seed)
    layers = (lib.nn.Linear, lib.nn.Conv2d, lib.nn.ConvTranspose2d, lib.nn.LSTM)
    with lib.no_grad():
        for m in model.modules():
            if not isinstance(m, layers):
                continue
            if isinstance(m, lib.nn.LSTM):
                bound, params = 1.0 / np.sqrt(m.hidden_size), list(m.parameters())
            else:
                bound = 1.0 / np.sqrt(int(np.prod(tuple(m.weight.shape)[1:])))
                params = [p for p in (m.weight, m.bias) if p is not None]
            for p in params:
                values = rng.uniform(-bound, bound, size=tuple(p.shape)).astype(np.float32)
                p.copy_(lib.from_numpy(values))
