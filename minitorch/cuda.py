"""``minitorch.cuda``: is a GPU usable (through CuPy), how many, and waiting for it."""

from __future__ import annotations

from . import _backend
from ._legacy import CUDA_TYPES as _CUDA_TYPES

# The legacy GPU tensor types (``torch.cuda.FloatTensor`` ...), as in older tutorials.
FloatTensor = _CUDA_TYPES["FloatTensor"]
DoubleTensor = _CUDA_TYPES["DoubleTensor"]
HalfTensor = _CUDA_TYPES["HalfTensor"]
LongTensor = _CUDA_TYPES["LongTensor"]
IntTensor = _CUDA_TYPES["IntTensor"]
ShortTensor = _CUDA_TYPES["ShortTensor"]
CharTensor = _CUDA_TYPES["CharTensor"]
ByteTensor = _CUDA_TYPES["ByteTensor"]
BoolTensor = _CUDA_TYPES["BoolTensor"]


def is_available() -> bool:
    """True when CuPy is installed and sees at least one GPU."""
    return _backend.cuda_available()


def device_count() -> int:
    return _backend.cuda_device_count()


def synchronize(device=None) -> None:
    """Wait for all queued GPU work to finish (a no-op without CUDA)."""
    _backend.synchronize()


def manual_seed(seed: int) -> None:
    if _backend._cupy is not None:
        _backend._cupy.random.seed(int(seed) & 0xFFFFFFFF)


manual_seed_all = manual_seed


def current_device() -> int:
    _backend._require_cuda()
    return _backend._cupy.cuda.Device().id
