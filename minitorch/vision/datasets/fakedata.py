"""``FakeData``: random images, the same ones every time for a given index."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import minitorch
from minitorch.vision.datasets.vision import VisionDataset

__all__ = ["FakeData"]


class FakeData(VisionDataset):
    """``size`` random PIL images and class indices, as torchvision's ``FakeData``.

    Item ``i`` is drawn with minitorch's generator seeded ``i + random_offset`` (the global
    generator's state is restored afterwards): an image ``randn(*image_size)`` turned into a
    PIL image by ``ToPILImage`` and a target ``randint(0, num_classes)``. The values differ
    from torchvision's (another generator), the construction is the same.

    Parameters
    ----------
    size
        Number of items.
    image_size
        ``(C, H, W)`` of each image.
    num_classes
        Targets are drawn from ``0 .. num_classes - 1``.
    transform, target_transform
        Applied to each image and target.
    random_offset
        Added to the index to make the seed.
    """

    def __init__(self, size: int = 1000, image_size: tuple[int, int, int] = (3, 224, 224),
                 num_classes: int = 10, transform: Callable | None = None,
                 target_transform: Callable | None = None, random_offset: int = 0) -> None:
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        from minitorch.vision.transforms import functional as F

        if index >= len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        state = minitorch.get_rng_state()
        try:
            minitorch.manual_seed(index + self.random_offset)
            image = minitorch.randn(*self.image_size)
            target = minitorch.randint(0, self.num_classes, size=(1,), dtype=minitorch.long)[0]
        finally:
            minitorch.set_rng_state(state)
        return self._apply(F.to_pil_image(image), int(target.item()))

    def __len__(self) -> int:
        return self.size
