"""``minitorch.vision``: torchvision's data sets, image transforms and image utilities.

Use it where a PyTorch tutorial uses torchvision (``import minitorch.vision as
torchvision``)::

    from minitorch.vision import datasets, models, transforms, utils

    train = datasets.CIFAR10("data", train=True, download=True,
                             transform=transforms.Compose([transforms.ToTensor(),
                                                           transforms.Normalize((0.5,) * 3,
                                                                                (0.5,) * 3)]))

Items are PIL images before the transform, as in torchvision: Pillow is the ``[vision]``
extra (``import minitorch`` itself needs only NumPy).
"""

from minitorch.vision import datasets, models, transforms, utils
from minitorch.vision.datasets import MNIST, FashionMNIST

__all__ = ["MNIST", "FashionMNIST", "datasets", "models", "transforms", "utils"]
