"""Small data sets written in the real on-disk formats, for tests (nothing is downloaded).

:func:`write_cifar` writes a synthetic CIFAR-10 or CIFAR-100 exactly as the published
archives unpack: ``root/cifar-10-batches-py/data_batch_1..5``, ``test_batch`` and
``batches.meta`` (``root/cifar-100-python/train``, ``test``, ``meta``), each a pickled dict
(protocol 2, as the originals) holding a ``(N, 3072)`` uint8 ``"data"`` array (per image
1024 red, 1024 green, 1024 blue bytes, row by row), the labels as a list of ints and the
file names. Their md5 sums differ from the published ones, so load them with
``MINITORCH_SKIP_MD5=1``.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                   "ship", "truck"]


def _dump(path: Path, obj: object) -> None:
    with open(path, "wb") as fh:
        pickle.dump(obj, fh, protocol=2)


def write_cifar(root: str | Path, per_batch: int = 4, n_test: int = 6, cifar100: bool = False,
                seed: int = 0, learnable: bool = False) -> dict[str, np.ndarray]:
    """Write a synthetic CIFAR-10 (or CIFAR-100) under ``root``.

    Parameters
    ----------
    per_batch
        Images in each training batch file (CIFAR-10 has 5 of them, CIFAR-100 one).
    n_test
        Images in the test file.
    learnable
        Make each class a distinct colour plus noise, so a network can learn it.

    Returns
    -------
    dict
        ``train_images`` / ``test_images`` ``(N, 32, 32, 3)`` uint8 (HWC, as
        ``CIFAR10.data``) and ``train_labels`` / ``test_labels``, in file order.
    """
    rng = np.random.default_rng(seed)
    n_classes = 100 if cifar100 else 10
    folder = Path(root) / ("cifar-100-python" if cifar100 else "cifar-10-batches-py")
    folder.mkdir(parents=True, exist_ok=True)

    def images_and_labels(n: int) -> tuple[np.ndarray, np.ndarray]:
        labels = rng.integers(0, n_classes, n)
        if learnable:
            colours = np.random.default_rng(1234).integers(30, 226, (n_classes, 3))
            noise = rng.integers(-30, 31, (n, 32, 32, 3))
            images = np.clip(colours[labels][:, None, None, :] + noise, 0, 255)
        else:
            images = rng.integers(0, 256, (n, 32, 32, 3))
        return images.astype(np.uint8), labels

    def entry(images: np.ndarray, labels: np.ndarray, name: str) -> dict:
        data = images.transpose(0, 3, 1, 2).reshape(len(images), 3072)
        out = {"batch_label": name, "data": np.ascontiguousarray(data),
               "filenames": [f"img_{k}.png" for k in range(len(images))]}
        if cifar100:
            out["fine_labels"] = [int(v) for v in labels]
            out["coarse_labels"] = [int(v) // 5 for v in labels]
        else:
            out["labels"] = [int(v) for v in labels]
        return out

    train_names = ["train"] if cifar100 else [f"data_batch_{k}" for k in range(1, 6)]
    train_images, train_labels = [], []
    for name in train_names:
        images, labels = images_and_labels(per_batch if not cifar100 else 5 * per_batch)
        _dump(folder / name, entry(images, labels, name))
        train_images.append(images)
        train_labels.append(labels)
    test_images, test_labels = images_and_labels(n_test)
    _dump(folder / ("test" if cifar100 else "test_batch"), entry(test_images, test_labels, "test"))
    if cifar100:
        _dump(folder / "meta", {"fine_label_names": [f"class_{k}" for k in range(100)],
                                "coarse_label_names": [f"super_{k}" for k in range(20)]})
    else:
        _dump(folder / "batches.meta", {"label_names": CIFAR10_CLASSES, "num_cases_per_batch":
                                        per_batch, "num_vis": 3072})
    return {"train_images": np.concatenate(train_images),
            "train_labels": np.concatenate(train_labels),
            "test_images": test_images, "test_labels": test_labels}
