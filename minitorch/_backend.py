"""The one place that knows about NumPy versus CuPy.

Everything else asks this module for the array module of a device (``xp_for``) or of an
array (``get_array_module``), so that the same op code runs on the CPU and on the GPU.
CuPy is optional: on a machine without it, ``cuda_available()`` is simply False.
"""

from __future__ import annotations

import numpy as np

try:  # CuPy is optional; import errors of any kind mean "no CUDA here"
    import cupy as _cupy

    _cupy.cuda.runtime.getDeviceCount()
except Exception:  # noqa: BLE001
    _cupy = None


class device:
    """Where a tensor's memory lives: ``device('cpu')``, ``device('cuda')``, ``device('cuda:1')``."""

    __slots__ = ("index", "type")

    def __init__(self, spec: str | device = "cpu", index: int | None = None) -> None:
        if isinstance(spec, device):
            self.type, self.index = spec.type, spec.index
            return
        if isinstance(spec, int):
            spec, index = "cuda", spec
        if not isinstance(spec, str):
            raise TypeError(f"device() expected a string or int, but got {type(spec).__name__}")
        kind, _, idx = spec.partition(":")
        if kind not in ("cpu", "cuda"):
            raise RuntimeError(
                "Expected one of cpu, cuda device type at start of device string: " + spec
            )
        if idx:
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{spec}'")
            index = int(idx)
        self.type = kind
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return (
            isinstance(other, device) and self.type == other.type and self.index == other.index
        )

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def cuda_available() -> bool:
    return _cupy is not None


def cuda_device_count() -> int:
    return _cupy.cuda.runtime.getDeviceCount() if _cupy is not None else 0


def _require_cuda() -> None:
    if _cupy is None:
        raise RuntimeError(
            "CUDA is not available: minitorch runs on the GPU through CuPy, which is not "
            "installed or finds no GPU (pip install 'minitorch[cuda]')."
        )


def canonical_device(d) -> device:
    """Turn ``None``/str/int/device into a concrete device (``cuda`` -> ``cuda:0``)."""
    if d is None:
        return CPU
    d = d if isinstance(d, device) else device(d)
    if d.type == "cuda":
        _require_cuda()
        return device("cuda", d.index or 0)
    return CPU


def xp_for(d: device):
    """The array module (numpy or cupy) for a device."""
    if d.type == "cpu":
        return np
    _require_cuda()
    return _cupy


def get_array_module(arr):
    """``numpy`` for NumPy arrays, ``cupy`` for CuPy arrays."""
    if _cupy is not None and isinstance(arr, _cupy.ndarray):
        return _cupy
    return np


def is_array(x) -> bool:
    """True for NumPy and CuPy arrays (not for scalars)."""
    return isinstance(x, np.ndarray) or (_cupy is not None and isinstance(x, _cupy.ndarray))


def device_of(arr) -> device:
    if _cupy is not None and isinstance(arr, _cupy.ndarray):
        return device("cuda", arr.device.id)
    return CPU


def to_device(arr, d: device):
    """Copy a raw array to device ``d`` (no copy when it is already there)."""
    if d.type == "cpu":
        return _cupy.asnumpy(arr) if get_array_module(arr) is not np else arr
    _require_cuda()
    with _cupy.cuda.Device(d.index or 0):
        return _cupy.asarray(arr)


def reshape_view(x, shape):
    """Reshape without copying; ValueError when the strides do not allow a view."""
    if isinstance(x, np.ndarray):
        return x.reshape(shape, copy=False)  # the method: a third of np.reshape's cost
    v = x.view()
    v.shape = shape
    return v


def synchronize() -> None:
    if _cupy is not None:
        _cupy.cuda.Device().synchronize()


def scatter_add(target, index, values) -> None:
    """``target[index] += values`` with repeated indices accumulated (NumPy: ``np.add.at``)."""
    xp = get_array_module(target)
    if xp is np:
        np.add.at(target, index, values)
    else:
        xp.add.at(target, index, values)
