"""CIFAR-10 and CIFAR-100 from their published Python-pickle batch files.

The layout is torchvision's: ``root/cifar-10-batches-py/`` holding ``data_batch_1`` ...
``data_batch_5``, ``test_batch`` and ``batches.meta`` (``root/cifar-100-python/`` holding
``train``, ``test`` and ``meta`` for CIFAR-100), as the published archives unpack. Each
batch file is a pickled dict::

    "data"      uint8 array (N, 3072): per image 1024 red, 1024 green, 1024 blue values,
                row by row, so it reshapes to (N, 3, 32, 32)
    "labels"    list of N ints (CIFAR-100: "fine_labels" and "coarse_labels")
    "filenames", "batch_label"   strings

Pickles can run any code when loaded, so these files are read with
:class:`RestrictedUnpickler`, which admits only what the batch files hold (dicts, lists,
strings, bytes, numbers and NumPy's array reconstruction, object arrays excluded) and
refuses anything else with ``pickle.UnpicklingError`` before it can run.
"""

from __future__ import annotations

import io
import os
import pickle
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from minitorch.vision import _pil
from minitorch.vision.datasets.utils import (
    check_integrity,
    download_and_extract_archive,
)
from minitorch.vision.datasets.vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "RefusedPickle", "RestrictedUnpickler", "load_pickle"]


class RefusedPickle(pickle.UnpicklingError):
    """A pickle asked for something a CIFAR batch file never holds; nothing was run."""


def _safe_dtype(*args: Any) -> np.dtype:
    """``numpy.dtype(...)`` for plain (non-object) dtypes only."""
    dtype = np.dtype(*args)
    if dtype.hasobject:
        raise RefusedPickle(f"refusing a NumPy array of dtype {dtype}: object arrays "
                                     "can hold arbitrary pickled objects")
    return dtype


def _reconstruct(subtype: Any, shape: Any, dtype: Any) -> np.ndarray:
    """NumPy's ``multiarray._reconstruct`` for plain ndarrays: an empty array whose
    ``__setstate__`` then fills it from the pickle."""
    if subtype is not np.ndarray:
        raise RefusedPickle(f"refusing to reconstruct {subtype!r}: only numpy.ndarray")
    return np.ndarray.__new__(np.ndarray, shape, _safe_dtype(dtype))


def _latin1_bytes(text: str, encoding: str) -> bytes:
    """``_codecs.encode`` as protocol 2 uses it for ``bytes`` (latin-1 text only)."""
    if not isinstance(text, str) or encoding.replace("-", "").replace("_", "") != "latin1":
        raise RefusedPickle(f"refusing _codecs.encode with encoding {encoding!r}: "
                                     "protocol 2 writes bytes with 'latin1' only")
    return text.encode("latin1")


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only NumPy's array reconstruction.

    Plain containers and scalars (dict, list, tuple, str, bytes, int, float, bool, None)
    need no global lookup; every global a pickle names goes through :meth:`find_class`,
    which admits ``ndarray``, ``numpy.dtype`` (no object dtypes),
    ``multiarray._reconstruct`` and ``_codecs.encode`` with ``latin1`` (how pickle protocol
    2 writes ``bytes``) and raises ``pickle.UnpicklingError`` naming anything else,
    before it is called.
    """

    _ALLOWED: ClassVar[dict[tuple[str, str], Any]] = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): _safe_dtype,
        ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
        ("_codecs", "encode"): _latin1_bytes,
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._ALLOWED:
            return self._ALLOWED[module, name]
        raise RefusedPickle(
            f"refusing to load global {module}.{name}: a CIFAR batch file holds only dicts, "
            "lists, strings, numbers and NumPy arrays")


def load_pickle(path: str | os.PathLike) -> Any:
    """Load a CIFAR batch file with :class:`RestrictedUnpickler` (``latin1`` strings, as
    the files were written by Python 2).

    Raises
    ------
    pickle.UnpicklingError
        If the file names anything but the admitted globals; nothing of it is run.
    RuntimeError
        If the file is unreadable or truncated, naming it.
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise RuntimeError(f"cannot read {path}: {e.strerror or e}") from e
    try:
        return RestrictedUnpickler(io.BytesIO(data), encoding="latin1").load()
    except RefusedPickle as e:
        raise RefusedPickle(f"{path}: {e}") from e
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError, KeyError, AttributeError) as e:
        raise RuntimeError(f"{path}: corrupt or truncated pickle ({type(e).__name__}: {e})") from e


class CIFAR10(VisionDataset):
    """The CIFAR-10 data set: 50000 training and 10000 test 32 x 32 colour images, 10 classes.

    Parameters
    ----------
    root
        The folder holding ``cifar-10-batches-py`` (or where ``download=True`` puts it).
    train
        The training batches (True) or the test batch (False).
    transform
        Applied to each image, a 32 x 32 RGB PIL image; e.g. ``transforms.ToTensor()``.
    target_transform
        Applied to each label (an ``int``).
    download
        Fetch the archive (md5-checked, written atomically), extract it (atomically) into
        ``root``; does nothing when the files are present and intact.

    Attributes
    ----------
    data : numpy.ndarray
        ``(N, 32, 32, 3)`` uint8, as in torchvision.
    targets : list[int]
    classes : list[str]
    class_to_idx : dict[str, int]
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list: ClassVar[list[list[str]]] = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list: ClassVar[list[list[str]]] = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta: ClassVar[dict[str, str]] = {
        "filename": "batches.meta",
        "key": "label_names",
        "md5": "5ff9c542aee3614f3951f8cda6e48888",
    }

    def __init__(self, root: str | os.PathLike, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to "
                               "download it")
        chunks, self.targets = [], []
        for name, _ in self.train_list if train else self.test_list:
            path = os.path.join(self.root, self.base_folder, name)
            entry = load_pickle(path)
            data = np.asarray(entry["data"], dtype=np.uint8)
            labels = entry["labels"] if "labels" in entry else entry["fine_labels"]
            if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(data) != len(labels):
                raise RuntimeError(f"{path}: expected a (N, 3072) uint8 'data' array and N "
                                   f"labels, got data of shape {data.shape} and "
                                   f"{len(labels)} labels")
            chunks.append(data)
            self.targets.extend(int(t) for t in labels)
        self.data = np.vstack(chunks).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        self._load_meta()

    def _load_meta(self) -> None:
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if not check_integrity(path, self.meta["md5"]):
            raise RuntimeError("Dataset metadata file not found or corrupted. You can use "
                               "download=True to download it")
        self.classes = list(load_pickle(path)[self.meta["key"]])
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image = _pil.image_module().fromarray(self.data[index])  # mode "RGB"
        return self._apply(image, self.targets[index])

    def __len__(self) -> int:
        return len(self.data)

    def _pixel_arrays(self) -> tuple[np.ndarray, list[int]]:
        return self.data, self.targets

    def _check_integrity(self) -> bool:
        return all(check_integrity(os.path.join(self.root, self.base_folder, name), md5)
                   for name, md5 in self.train_list + self.test_list)

    def download(self) -> None:
        """Fetch and extract the archive unless the batch files are present and intact."""
        if self._check_integrity():
            return
        download_and_extract_archive(self.url, self.root, filename=self.filename,
                                     md5=self.tgz_md5)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR-100: as :class:`CIFAR10`, 100 classes; ``targets`` are the fine labels."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list: ClassVar[list[list[str]]] = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list: ClassVar[list[list[str]]] = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta: ClassVar[dict[str, str]] = {
        "filename": "meta",
        "key": "fine_label_names",
        "md5": "7973b15100ade9c7d40fb424638fde48",
    }
