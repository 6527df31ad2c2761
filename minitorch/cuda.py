"""``minitorch.cuda``: is a GPU usable (through CuPy), how many, and waiting for it."""

from __future__ import annotations

from . import _backend


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
