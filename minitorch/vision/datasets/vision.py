"""``VisionDataset``: what torchvision's data sets share (root, transforms, repr)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from minitorch.utils.data import Dataset

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
