"""``DatasetFolder`` and ``ImageFolder``: one sub-folder per class, as torchvision has them.

::

    root/dog/xxx.png
    root/dog/nested/xxy.png
    root/cat/123.png

Classes are the sub-folders' names, sorted; ``class_to_idx`` numbers them in that order;
``samples`` lists ``(path, class_index)`` for every valid file, walked in sorted order
(sub-folders of a class included, symbolic links followed).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from minitorch.vision import _pil
from minitorch.vision.datasets.vision import VisionDataset

__all__ = ["IMG_EXTENSIONS", "DatasetFolder", "ImageFolder", "default_loader",
           "find_classes", "has_file_allowed_extension", "make_dataset", "pil_loader"]

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename: str, extensions: str | tuple[str, ...]) -> bool:
    """Whether ``filename`` ends (case-insensitively) with one of ``extensions``."""
    exts = (extensions,) if isinstance(extensions, str) else tuple(extensions)
    return filename.lower().endswith(tuple(e.lower() for e in exts))


def find_classes(directory: str | os.PathLike) -> tuple[list[str], dict[str, int]]:
    """The sorted sub-folder names of ``directory`` and their indices.

    Raises
    ------
    FileNotFoundError
        If ``directory`` has no sub-folder (or does not exist).
    """
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(directory: str | os.PathLike, class_to_idx: dict[str, int] | None = None,
                 extensions: str | tuple[str, ...] | None = None,
                 is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> list[tuple[str, int]]:
    """``(path, class_index)`` for each valid file under ``directory/<class>/``.

    Exactly one of ``extensions`` and ``is_valid_file`` decides which files count.

    Raises
    ------
    ValueError
        If both or neither of ``extensions`` and ``is_valid_file`` are given.
    FileNotFoundError
        If a class folder holds no valid file (unless ``allow_empty``), naming the classes.
    """
    directory = os.path.expanduser(os.fspath(directory))
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the "
                         "same time")
    if extensions is not None:
        def is_valid_file(path: str) -> bool:
            return has_file_allowed_extension(path, extensions)

    instances, found = [], set()
    for target_class in sorted(class_to_idx):
        class_index = class_to_idx[target_class]
        target_dir = os.path.join(directory, target_class)
        if not os.path.isdir(target_dir):
            continue
        for folder, _, fnames in sorted(os.walk(target_dir, followlinks=True)):
            for fname in sorted(fnames):
                path = os.path.join(folder, fname)
                if is_valid_file(path):
                    instances.append((path, class_index))
                    found.add(target_class)
    empty = set(class_to_idx) - found
    if empty and not allow_empty:
        message = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            listed = extensions if isinstance(extensions, str) else ", ".join(extensions)
            message += f"Supported extensions are: {listed}"
        raise FileNotFoundError(message)
    return instances


class DatasetFolder(VisionDataset):
    """Samples in ``root/<class>/...``, each opened with ``loader(path)``.

    Parameters
    ----------
    root
        The folder holding one sub-folder per class.
    loader
        Opens one file: ``loader(path) -> sample``.
    extensions
        The file name endings that count (case-insensitive); or give ``is_valid_file``.
    transform, target_transform
        Applied to each sample and each class index.
    is_valid_file
        ``is_valid_file(path) -> bool``, in place of ``extensions``.
    allow_empty
        Accept class folders without a valid file (else FileNotFoundError).

    Attributes
    ----------
    classes : list[str]
    class_to_idx : dict[str, int]
    samples : list[tuple[str, int]]
    targets : list[int]
    """

    def __init__(self, root: str | os.PathLike, loader: Callable[[str], Any],
                 extensions: tuple[str, ...] | None = None, transform: Callable | None = None,
                 target_transform: Callable | None = None,
                 is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx, extensions, is_valid_file,
                                    allow_empty=allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [s[1] for s in samples]

    @staticmethod
    def make_dataset(directory: str | os.PathLike, class_to_idx: dict[str, int],
                     extensions: tuple[str, ...] | None = None,
                     is_valid_file: Callable[[str], bool] | None = None,
                     allow_empty: bool = False) -> list[tuple[str, int]]:
        """See :func:`make_dataset`; override to change how samples are found."""
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory: str | os.PathLike) -> tuple[list[str], dict[str, int]]:
        """See :func:`find_classes`; override to change how classes are found."""
        return find_classes(directory)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        path, target = self.samples[index]
        return self._apply(self.loader(path), target)

    def __len__(self) -> int:
        return len(self.samples)


def pil_loader(path: str) -> Any:
    """Open an image file with Pillow and convert it to RGB (read fully, file closed).

    Raises
    ------
    OSError
        (Pillow's ``UnidentifiedImageError`` for an unreadable file) naming ``path``,
        when the file is not an image Pillow can read or is truncated.
    """
    image_module = _pil.image_module()
    try:
        with open(path, "rb") as fh:
            image = image_module.open(fh)
            return image.convert("RGB")
    except OSError as e:
        if str(path) in str(e):
            raise
        raise type(e)(f"{path}: cannot read the image: {e}") from e


def default_loader(path: str) -> Any:
    """torchvision's default image loader: :func:`pil_loader`."""
    return pil_loader(path)


class ImageFolder(DatasetFolder):
    """Images in ``root/<class>/...`` (extensions :data:`IMG_EXTENSIONS`), opened as RGB PIL
    images by ``loader`` (default :func:`default_loader`).

    Same parameters as :class:`DatasetFolder` (no ``extensions``); ``imgs`` is ``samples``.
    """

    def __init__(self, root: str | os.PathLike, transform: Callable | None = None,
                 target_transform: Callable | None = None,
                 loader: Callable[[str], Any] = default_loader,
                 is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> None:
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None,
                         transform=transform, target_transform=target_transform,
                         is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
