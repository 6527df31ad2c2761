"""Shared test fixtures: where the test data lives, and a fixed random state per test.

``MINITORCH_DATA`` defaults to ``../shared/data`` beside the repository and
``MINITORCH_MNIST_DIR`` to its ``mnist/`` folder (``.ci/run`` sets both explicitly).
Tests never download anything.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

import minitorch

_REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("MINITORCH_DATA", str(_REPO.parent / "shared" / "data"))
os.environ.setdefault("MINITORCH_MNIST_DIR", str(Path(os.environ["MINITORCH_DATA"]) / "mnist"))


def cuda_ready() -> bool:
    """True where minitorch has CUDA (CuPy) *and* PyTorch has CUDA to compare against."""
    if not minitorch.cuda.is_available():
        return False
    import torch

    return torch.cuda.is_available()


DEVICES = [
    "cpu",
    pytest.param("cuda", marks=pytest.mark.skipif(
        not cuda_ready(), reason="needs CUDA: CuPy for minitorch and a CUDA build of torch")),
]
"""The devices a differential test runs on; the CUDA case skips cleanly without a GPU."""


@pytest.fixture(params=DEVICES)
def device(request) -> str:
    """Run the test once per device: minitorch and torch both compute on it."""
    return request.param


@pytest.fixture(autouse=True)
def _seed() -> None:
    """Every test starts from seed 0 in NumPy's global RNG, minitorch and (if loaded) torch."""
    np.random.seed(0)
    minitorch.manual_seed(0)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(0)


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded NumPy generator for test inputs."""
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder holding the four MNIST ``.gz`` files; skips the test where it is absent."""
    path = Path(os.environ["MINITORCH_MNIST_DIR"])
    if not (path / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"MNIST files not found in {path} (set MINITORCH_MNIST_DIR)")
    return path
