"""MNIST and Fashion-MNIST, read straight from their IDX files (no torchvision).

Where the files are looked for
------------------------------
``MNIST(root)`` needs, for the training split, ``train-images-idx3-ubyte`` and
``train-labels-idx1-ubyte`` (``t10k-...`` for the test split), gzipped (``.gz``, as
published) or not. They are looked for first in ``root/MNIST/raw/`` (where
``download=True`` puts them, as torchvision does) and then directly in ``root``, so a
folder holding the four published ``.gz`` files works as ``root`` too.
``FashionMNIST`` uses ``root/FashionMNIST/raw/`` and the same file names.

When ``root`` is not given, it is read from the environment variable
``MINITORCH_MNIST_DIR`` (``MINITORCH_FASHIONMNIST_DIR`` for Fashion-MNIST), falling back to
``"data"``. The project's tests and examples set ``MINITORCH_MNIST_DIR`` to the shared
copy of MNIST so that nothing is downloaded.

Published ``.gz`` files are checked against their md5 sums (``resources``) when loaded:
MNIST and Fashion-MNIST use the same file names, and a mix-up would otherwise pass
unnoticed. ``MINITORCH_SKIP_MD5=1`` turns the check off (for self-made files).

The IDX format
--------------
A big-endian header, then the values in C order::

    magic   int32   0x00000800 + ndim: 0x08 = unsigned bytes; 2051 for images (ndim 3),
                    2049 for labels (ndim 1)
    sizes   ndim x int32   (N, 28, 28) for images, (N,) for labels
    data    prod(sizes) unsigned bytes

Items
-----
As in torchvision, ``dataset[i]`` gives ``(image, label)``: ``image`` a 28 x 28 PIL image
of mode ``"L"`` (Pillow, the ``[vision]`` extra) and ``label`` a Python ``int``;
``transforms.ToTensor`` turns the image into a float32 ``(1, 28, 28)`` tensor in [0, 1].
``.data`` is a uint8 tensor ``(N, 28, 28)`` and ``.targets`` an int64 tensor ``(N,)``, as
in torchvision (the old names ``train_data``, ``train_labels``, ``test_data`` and
``test_labels`` still answer, with torchvision's warning). They share memory with the NumPy
arrays ``.images`` and ``.labels``; ``as_arrays()`` returns all images at once as
``ToTensor`` makes them, for vectorised loaders, and a DataLoader over a data set whose
transform is only ``ToTensor``/``Normalize`` builds whole batches at once.
"""

from __future__ import annotations

import gzip
import math
import operator
import os
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

import minitorch
from minitorch.vision import _pil, transforms
from minitorch.vision.datasets.utils import calculate_md5, check_md5, download_url
from minitorch.vision.datasets.vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "read_idx"]

_GZIP_MAGIC = b"\x1f\x8b"
_UBYTE = 0x08


def read_idx(path: str | os.PathLike, ndim: int) -> np.ndarray:
    """Read an IDX file of unsigned bytes with ``ndim`` dimensions (gzipped or plain).

    Parameters
    ----------
    path
        The file. Gzip is recognised by its magic bytes, not by the file name.
    ndim
        The expected number of dimensions: 3 for images, 1 for labels.

    Returns
    -------
    numpy.ndarray
        A ``uint8`` array of the shape the header gives.

    Raises
    ------
    RuntimeError
        Naming the file and the problem: unreadable, corrupt gzip, wrong magic number,
        truncated header or data, or bytes left over after the data.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise RuntimeError(f"cannot read {path}: {e.strerror or e}") from e
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as e:
            raise RuntimeError(f"{path}: truncated or corrupt gzip data ({e})") from e
    expected_magic = (_UBYTE << 8) + ndim
    header_size = 4 + 4 * ndim
    if len(raw) < 4:
        raise RuntimeError(f"{path}: truncated: {len(raw)} bytes, too short for an IDX header")
    magic = int.from_bytes(raw[:4], "big")
    if magic != expected_magic:
        raise RuntimeError(
            f"{path}: bad magic number {magic} (0x{magic:08x}); expected {expected_magic} "
            f"(0x{expected_magic:08x}), an IDX file of unsigned bytes with {ndim} "
            f"dimension{'s' if ndim > 1 else ''}")
    if len(raw) < header_size:
        raise RuntimeError(f"{path}: truncated: the header needs {header_size} bytes, "
                           f"the file holds {len(raw)}")
    shape = tuple(int.from_bytes(raw[4 + 4 * k: 8 + 4 * k], "big") for k in range(ndim))
    needed, present = math.prod(shape), len(raw) - header_size
    if present < needed:
        raise RuntimeError(
            f"{path}: truncated: the header promises {' x '.join(map(str, shape))} = {needed} "
            f"bytes of data, the file holds {present}")
    if present > needed:
        raise RuntimeError(f"{path}: corrupt: {present - needed} unexpected bytes after the "
                           f"{needed} bytes of data")
    data = np.frombuffer(raw, dtype=np.uint8, count=needed, offset=header_size)
    return data.reshape(shape).copy()  # writable, and frees the header



class MNIST(VisionDataset):
    """The MNIST handwritten digits: 60000 training and 10000 test images, 28 x 28.

    Parameters
    ----------
    root
        Folder holding the files (see the module docstring for where in it they are
        looked for). Default: ``$MINITORCH_MNIST_DIR``, else ``"data"``.
    train
        The training split (True) or the test split (False).
    transform
        Applied to each image (a 28 x 28 PIL image of mode ``"L"``), e.g.
        ``transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])``.
    target_transform
        Applied to each label (a Python int).
    download
        Fetch missing files from ``mirrors`` into ``root/MNIST/raw`` (md5-checked,
        written atomically). Files already present are never downloaded again.
    """

    mirrors: ClassVar[list[str]] = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    resources: ClassVar[list[tuple[str, str]]] = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes: ClassVar[list[str]] = [
        "0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
        "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine",
    ]
    env_var = "MINITORCH_MNIST_DIR"
    image_size = (28, 28)
    download_timeout = 30.0  # seconds without data before a mirror is given up

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        if root is None:
            root = os.environ.get(self.env_var) or "data"
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        files = self._find_files()
        if files is None and download:
            self.download()
            files = self._find_files()
        if files is None:
            raise RuntimeError(self._missing_message(download))
        images_file, labels_file = files
        self.images = read_idx(images_file, 3)
        self.labels = read_idx(labels_file, 1).astype(np.int64)
        self._check(images_file, labels_file)
        self.data = minitorch.from_numpy(self.images)
        self.targets = minitorch.from_numpy(self.labels)

    # ---------------------------------------------------------------- the data

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: Any) -> tuple[Any, Any]:
        if isinstance(index, minitorch.Tensor):
            index = index.item()
        index = operator.index(index)
        image = _pil.image_module().fromarray(self.images[index])  # mode "L"
        return self._apply(image, int(self.labels[index]))

    def _pixel_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return self.images, self.labels

    def as_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All images and labels at once, for vectorised loaders.

        Returns
        -------
        images : numpy.ndarray
            float32, shape ``(N, 1, 28, 28)``, values ``pixel / 255`` in [0, 1]: exactly
            what ``transforms.ToTensor`` makes of each image.
        labels : numpy.ndarray
            int64, shape ``(N,)``.
        """
        return transforms.to_chw_array(self.images), self.labels.copy()

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.classes)}

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"

    # ------------------------------------------------- torchvision's old attribute names

    @property
    def train_labels(self) -> minitorch.Tensor:
        warnings.warn("train_labels has been renamed targets", stacklevel=2)
        return self.targets

    @property
    def test_labels(self) -> minitorch.Tensor:
        warnings.warn("test_labels has been renamed targets", stacklevel=2)
        return self.targets

    @property
    def train_data(self) -> minitorch.Tensor:
        warnings.warn("train_data has been renamed data", stacklevel=2)
        return self.data

    @property
    def test_data(self) -> minitorch.Tensor:
        warnings.warn("test_data has been renamed data", stacklevel=2)
        return self.data

    # ---------------------------------------------------------------- the files

    @property
    def raw_folder(self) -> str:
        """``root/<ClassName>/raw``: where ``download=True`` puts the files."""
        return os.path.join(self.root, type(self).__name__, "raw")

    def _split_resources(self) -> list[tuple[str, str]]:
        """The (file name, md5) pairs of this split: images first, then labels."""
        prefix = "train" if self.train else "t10k"
        return [r for r in self.resources if r[0].startswith(prefix + "-")]

    def _find_files(self) -> tuple[Path, Path] | None:
        """The split's image and label files from the first folder holding both."""
        for folder in (Path(self.raw_folder), Path(self.root)):
            found = []
            for name, md5 in self._split_resources():
                gz, plain = folder / name, folder / name.removesuffix(".gz")
                if gz.is_file():
                    self._check_md5(gz, md5)
                    found.append(gz)
                elif plain.is_file():
                    found.append(plain)
            if len(found) == 2:
                return found[0], found[1]
        return None

    def _check_md5(self, path: Path, md5: str) -> None:
        if not check_md5(path, md5):
            got = calculate_md5(path)
            raise RuntimeError(
                f"{path}: md5 {got} does not match {md5}, the published {type(self).__name__} "
                "file's: it is corrupt or belongs to another data set (MNIST and FashionMNIST "
                "use the same file names). Delete it and pass download=True, or replace it")

    def _check(self, images_file: Path, labels_file: Path) -> None:
        n, height, width = self.images.shape
        if (height, width) != self.image_size:
            raise RuntimeError(f"{images_file}: images are {height} x {width}, expected "
                               f"{self.image_size[0]} x {self.image_size[1]}")
        if n != len(self.labels):
            raise RuntimeError(f"{images_file} holds {n} images but {labels_file} holds "
                               f"{len(self.labels)} labels")
        if n and self.labels.max() >= len(self.classes):
            raise RuntimeError(f"{labels_file}: label {self.labels.max()} is out of range "
                               f"0..{len(self.classes) - 1}")

    def _missing_message(self, tried_download: bool) -> str:
        names = "\n".join(f"    {name}" for name, _ in self._split_resources())
        split = "train" if self.train else "test"
        text = (f"{type(self).__name__} {split} files not found. Put these files (gzipped or "
                f"not) in {os.path.abspath(self.raw_folder)} or in "
                f"{os.path.abspath(self.root)}:\n{names}\n")
        if tried_download:
            return text + "The download did not provide them."
        return text + (f"or pass download=True to fetch them from {self.mirrors[0]}, or set "
                       f"{self.env_var} to the folder that holds them.")

    def download(self) -> None:
        """Fetch every file of ``resources`` missing from ``raw_folder``.

        Each file is tried from each of ``mirrors`` in turn, streamed into a temporary
        file in ``raw_folder``, checked against its md5 and only then renamed into place,
        so a failed or corrupt download leaves nothing behind.

        Raises
        ------
        RuntimeError
            If a file could not be fetched from any mirror, listing each attempt and
            where to put the file by hand.
        """
        for name, md5 in self.resources:
            download_url([mirror + name for mirror in self.mirrors], self.raw_folder, name, md5,
                         timeout=self.download_timeout)


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28 x 28 images of clothes in 10 classes, MNIST's format.

    Same parameters as :class:`MNIST`; files in ``root/FashionMNIST/raw`` or ``root``,
    default root ``$MINITORCH_FASHIONMNIST_DIR``, else ``"data"``.
    """

    mirrors: ClassVar[list[str]] = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources: ClassVar[list[tuple[str, str]]] = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes: ClassVar[list[str]] = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
        "Bag", "Ankle boot",
    ]
    env_var = "MINITORCH_FASHIONMNIST_DIR"
