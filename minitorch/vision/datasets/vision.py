"""``VisionDataset``: what torchvision's data sets share (root, transforms, repr)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import minitorch
from minitorch.utils.data import Dataset
from minitorch.vision import transforms

__all__ = ["VisionDataset"]


class VisionDataset(Dataset):
    """Base class of the image data sets.

    Parameters
    ----------
    root
        The data set's folder (``~`` expanded).
    transform
        Applied to each image (a PIL image, for the built-in data sets).
    target_transform
        Applied to each target.
    """

    _repr_indent = 4

    def __init__(self, root: str | os.PathLike | None = None, transform: Callable | None = None,
                 target_transform: Callable | None = None) -> None:
        self.root = os.path.expanduser(os.fspath(root)) if root is not None else None
        self.transform = transform
        self.target_transform = target_transform

    def _apply(self, image: Any, target: Any) -> tuple[Any, Any]:
        """``(transform(image), target_transform(target))``, each where given."""
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def _pixel_arrays(self) -> tuple[np.ndarray, Any] | None:
        """``(images, labels)`` when all images are one uint8 array ``(N, H, W[, C])`` whose
        item ``i`` is the pixels of ``self[i]``'s image (enables :meth:`_gather_batch`)."""
        return None

    def _gather_batch(self, indices: Sequence[int]) -> list[minitorch.Tensor] | None:
        """The DataLoader's fast path: ``default_collate([self[i] for i in indices])``.

        Computed with one fancy index and the transform applied to the whole batch, when
        the data set holds its pixels in one array and the transform is made only of
        ``ToTensor`` and ``Normalize`` (deterministic and per pixel, so batching changes
        nothing); ``None`` otherwise.
        """
        arrays = self._pixel_arrays()
        if (arrays is None or self.transform is None or self.target_transform is not None
                or not transforms._can_batch(self.transform)):
            return None
        images, labels = arrays
        idx = np.asarray(indices, dtype=np.int64)
        if isinstance(labels, np.ndarray):
            targets = minitorch.from_numpy(labels[idx].astype(np.int64))
        else:
            targets = minitorch.tensor([int(labels[i]) for i in idx], dtype=minitorch.int64)
        return [self.transform._batch(images[idx]), targets]

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        body = [f"Number of datapoints: {len(self)}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if self.transform is not None:
            body += _format_transform(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += _format_transform(self.target_transform, "Target transform: ")
        indent = " " * self._repr_indent
        return "\n".join([f"Dataset {type(self).__name__}"] + [indent + line for line in body])


def _format_transform(transform: Callable, head: str) -> list[str]:
    lines = repr(transform).splitlines()
    return [head + lines[0]] + [" " * len(head) + line for line in lines[1:]]
