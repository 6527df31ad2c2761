"""AlexNet (torchvision's single-GPU variant, "One weird trick", arXiv:1404.5997)."""

from __future__ import annotations

from typing import Any

import minitorch
from minitorch import nn

from ._api import check_weights


class AlexNet(nn.Module):
    """Five convolutions (11x11/4, 5x5, three 3x3) with max pooling, adaptive 6x6 average
    pooling, and three fully connected layers with dropout. 61,100,840 parameters for
    1000 classes. PyTorch's default layer initialisation."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: minitorch.Tensor) -> minitorch.Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(minitorch.flatten(x, 1))


def alexnet(*, weights=None, progress: bool = True, **kwargs: Any) -> AlexNet:
    """AlexNet; ``weights`` must be None (see :func:`~._api.check_weights`)."""
    check_weights("alexnet", weights, kwargs)
    return AlexNet(**kwargs)
