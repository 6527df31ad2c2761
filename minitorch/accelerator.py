"""``minitorch.accelerator``: PyTorch's device-agnostic accelerator API (CUDA through CuPy).

PyTorch's own tutorials now pick their device with::

    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"

minitorch's only accelerator is CUDA, used through CuPy, so these functions answer the
same questions as :mod:`minitorch.cuda`. One difference: PyTorch's
``current_accelerator()`` reports the accelerator the library was *compiled* for even
when no device is present. minitorch has no compile step; it reports CUDA exactly when
CuPy finds a GPU, so ``check_available`` changes nothing.
"""

from __future__ import annotations

from . import _backend, cuda
from ._backend import device


def is_available() -> bool:
    """True when an accelerator (a GPU seen by CuPy) can be used."""
    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> device | None:
    """``device(type='cuda')`` when a GPU is usable, else ``None``.

    As in PyTorch, the returned device has no index; see :func:`current_device_index`.
    """
    return device("cuda") if is_available() else None


def device_count() -> int:
    """How many accelerator devices there are (0 without one)."""
    return cuda.device_count()


def _require_accelerator() -> None:
    if not is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")


def current_device_index() -> int:
    """Index of the current accelerator device; RuntimeError when there is none."""
    _require_accelerator()
    return cuda.current_device()


def set_device_index(device: device | str | int) -> None:
    """Make ``device`` (an index, ``'cuda:1'`` or a device) the current accelerator device."""
    _require_accelerator()
    index = device if isinstance(device, int) else _backend.canonical_device(device).index
    _backend._cupy.cuda.Device(index).use()


def synchronize(device: device | str | int | None = None) -> None:
    """Wait until all work queued on the accelerator has finished."""
    _require_accelerator()
    cuda.synchronize(device)
