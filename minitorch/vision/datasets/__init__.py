"""``minitorch.vision.datasets``: torchvision's data sets (MNIST, FashionMNIST, CIFAR10,
CIFAR100, ImageFolder, DatasetFolder, FakeData) with their names, layouts and items."""

from minitorch.vision.datasets.cifar import CIFAR10, CIFAR100
from minitorch.vision.datasets.fakedata import FakeData
from minitorch.vision.datasets.folder import DatasetFolder, ImageFolder
from minitorch.vision.datasets.mnist import MNIST, FashionMNIST, read_idx
from minitorch.vision.datasets.vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "MNIST", "DatasetFolder", "FakeData", "FashionMNIST",
           "ImageFolder", "VisionDataset", "read_idx"]
