"""``minitorch.vision.transforms``: torchvision's image transforms, on PIL images (through
Pillow) and on tensor images ``(..., C, H, W)``; ``transforms.functional`` holds the
functional forms."""

from minitorch.vision.transforms import functional, transforms
from minitorch.vision.transforms.functional import InterpolationMode, to_chw_array
from minitorch.vision.transforms.transforms import *  # every transform class
from minitorch.vision.transforms.transforms import _can_batch  # (used by datasets)

__all__ = ["InterpolationMode", "functional", "transforms"]
__all__ += transforms.__all__  # every transform class
