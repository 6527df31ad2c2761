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


MODELS = {"mlp": (mlp, (1, 28, 28)), "cnn": (cnn, (1, 28, 28)), "lenet": (lenet, (1, 32, 32))}
"""name -> (builder, shape of one input image)."""

SEQUENCE_MODELS = {"lstm": (lstm, (1, 28, 28))}
"""Recurrent networks, benchmarked at the tutorials' batch size only."""


def init_parameters(lib: ModuleType, model: Any, seed: int = 0) -> None:
    r"""Overwrite the parameters with PyTorch's default distribution, drawn by NumPy.

    Weights and the bias that follows them get :math:`U(-1/\sqrt{\text{fan\_in}},
    1/\sqrt{\text{fan\_in}})` with ``fan_in`` the weight's ``in_features`` (or
    ``in_channels * kh * kw``), as ``nn.Linear`` and ``nn.Conv2d`` do; the parameters of
    a recurrent layer get :math:`U(-1/\sqrt{\text{hidden}}, 1/\sqrt{\text{hidden}})`, as
    ``nn.LSTM`` does. Drawing them from one seeded NumPy generator makes the torch and
    minitorch models identical.
    """
    rng = np.random.default_rng(seed)
    fan_in = 1
    recurrent = {id(p): m.hidden_size for m in model.modules() if hasattr(m, "all_weights")
                 for p in m.parameters()}
    with lib.no_grad():
        for p in model.parameters():
            shape = tuple(p.shape)
            if len(shape) > 1:
                fan_in = int(np.prod(shape[1:]))
            bound = 1.0 / np.sqrt(recurrent.get(id(p), fan_in))
            values = rng.uniform(-bound, bound, size=shape).astype(np.float32)
            p.copy_(lib.from_numpy(values))
