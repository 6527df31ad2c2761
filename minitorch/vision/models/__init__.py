"""``minitorch.vision.models``: torchvision's classic image classifiers, built from
``minitorch.nn`` with torchvision's module names, so ``state_dict()`` keys, shapes and
parameter counts are torchvision's, and so is the initialisation. No pretrained weights
are downloaded: convert torchvision's with :mod:`minitorch.utils.torch_interop`.

    from minitorch.vision import models
    model = models.resnet18(num_classes=10)
    model.fc = nn.Linear(model.fc.in_features, 2)
"""

from .alexnet import AlexNet, alexnet
from .densenet import DenseNet, densenet121
from .mobilenetv2 import MobileNetV2, mobilenet_v2
from .resnet import ResNet, resnet18, resnet34, resnet50
from .squeezenet import SqueezeNet, squeezenet1_0, squeezenet1_1
from .vgg import VGG, vgg11, vgg11_bn, vgg16, vgg16_bn

__all__ = [
    "VGG",
    "AlexNet",
    "DenseNet",
    "MobileNetV2",
    "ResNet",
    "SqueezeNet",
    "alexnet",
    "densenet121",
    "mobilenet_v2",
    "resnet18",
    "resnet34",
    "resnet50",
    "squeezenet1_0",
    "squeezenet1_1",
    "vgg11",
    "vgg11_bn",
    "vgg16",
    "vgg16_bn",
]
