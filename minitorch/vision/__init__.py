"""``minitorch.vision``: torchvision's MNIST/FashionMNIST data sets and image transforms.

Use it where a PyTorch tutorial uses torchvision::

    from minitorch.vision import datasets, transforms
from minitorch.vision import models

    train = datasets.MNIST("data", train=True, download=True,
                           transform=transforms.Compose([transforms.ToTensor(),
                                                         transforms.Normalize((0.1307,), (0.3081,))]))
"""

from minitorch.vision import datasets, models, transforms
from minitorch.vision.datasets import MNIST, FashionMNIST

__all__ = ["MNIST", "FashionMNIST", "datasets", "transforms"]
__all__ += ["models"]
