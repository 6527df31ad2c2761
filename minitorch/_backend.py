"""The one place that knows about NumPy versus CuPy.

Everything else asks this module for the array module of a device (``xp_for``) or of an
array (``get_array_module``), so that the same op code runs on the CPU and on the GPU.
CuPy is optional: on a machine without it, ``cuda_available()`` is simply False.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from .kernels import threads

try:  # CuPy is optional; import errors of any kind mean "no CUDA here"
    import cupy as _cupy

    _cupy.cuda.runtime.getDeviceCount()
except Exception:  # noqa: BLE001
    _cupy = None


def _keep_freed_memory() -> None:
    """Ask glibc to keep freed large blocks for reuse instead of returning them to the OS.

    NumPy allocates a fresh array for every op result; by default glibc hands blocks above
    128 KiB straight back to the kernel when they are freed, so the next op's array of the
    same size page-faults its memory in again (measured: ~20% of a CNN training step).
    Raising the mmap and trim thresholds to 1 GiB makes those blocks reusable, like the
    caching allocators of deep learning frameworks. Set ``MINITORCH_KEEP_FREED_MEMORY=0``
    to opt out. It has no effect off glibc (macOS, Windows, musl).
    """
    import ctypes
    import os
    import sys

    if os.environ.get("MINITORCH_KEEP_FREED_MEMORY", "1") == "0" or not sys.platform.startswith(
        "linux"
    ):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_mmap_threshold, 1 << 30)
        libc.mallopt(m_trim_threshold, 1 << 30)
    except (OSError, AttributeError):
        pass


_keep_freed_memory()


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
    if get_array_module(x) is np:
        return np.reshape(x, shape, copy=False)
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


# ---------------------------------------------------------------------------------------
# Two cores for the large copies. NumPy runs copies and elementwise loops on one core but
# releases the GIL while doing so, so the independent halves of a large job can run on
# two threads at once. (Matrix products are already parallel inside OpenBLAS.)
# ---------------------------------------------------------------------------------------
def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), else ``os.cpu_count()``."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_num_threads = usable_cores()
_pool = None  # worker threads, made on first use
_PARALLEL_BYTES = 1 << 22  # below 4 MiB a second thread costs more than it saves


def set_num_threads(num: int) -> None:
    """How many threads minitorch's own large copies use (like ``torch.set_num_threads``).

    NumPy's OpenBLAS keeps its own thread count for matrix products.
    """
    global _num_threads, _pool
    if int(num) < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, but got {num}")
    _num_threads, _pool = int(num), None


def get_num_threads() -> int:
    """The number of threads set by :func:`set_num_threads` (default: the usable cores)."""
    return _num_threads


def split_work(fn, length: int, nbytes: int, xp=np) -> None:
    """Run ``fn(part)`` for ``slice``s that cover ``range(length)``, in parallel when large.

    ``fn`` must touch only its part (e.g. its channels), so the parts are independent.
    The calling thread does the first part and worker threads the rest; small jobs, CuPy
    arrays, ``set_num_threads(1)`` and cores busy with other processes
    (``kernels/threads.py``) get a single ``fn(slice(None))`` call.
    """
    global _pool
    parts = min(_num_threads, length, threads.free_cores())
    if (xp is not np or nbytes < _PARALLEL_BYTES or parts < 2
            or threading.current_thread().name.startswith("minitorch")):  # no waiting on ourselves
        fn(slice(None))
        return
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor

        _pool = ThreadPoolExecutor(_num_threads - 1, thread_name_prefix="minitorch")
    bounds = [length * k // parts for k in range(parts + 1)]
    others = [_pool.submit(fn, slice(bounds[k], bounds[k + 1])) for k in range(1, parts)]
    fn(slice(bounds[0], bounds[1]))
    for job in others:
        job.result()


def contiguous_copy(x):
    """A C-contiguous copy of ``x`` (any strides), split over threads when it is large."""
    xp = get_array_module(x)
    out = xp.empty(x.shape, dtype=x.dtype)
    axis = next((a for a, n in enumerate(x.shape) if n >= 2), None)
    if axis is None:
        out[...] = x
        return out
    lead = (slice(None),) * axis

    def copy(part: slice) -> None:
        out[lead + (part,)] = x[lead + (part,)]

    split_work(copy, x.shape[axis], x.nbytes, xp)
    return out


_SLAB_BYTES = 1 << 19  # 512 KiB: a slab of the source plus its scattered writes fit in L2


def permuted_copy(x, axes, out=None):
    """``x.transpose(axes)`` copied into ``out`` (a new C-contiguous array if None).

    NumPy copies a transposed array by walking the destination in order, which strides
    through the whole source for every output row and misses the cache on most reads.
    Copying slab by slab along the source's first axis keeps each slab (and the part of
    the destination it lands in) in cache: measured 1.5-2x faster for the convolution's
    layout changes at batch 256 on 2 cores, and the same speed for small arrays. The
    slabs are independent, so large copies share them out over threads (:func:`split_work`).
    """
    xp = get_array_module(x)
    if out is None:
        out = xp.empty(tuple(x.shape[a] for a in axes), dtype=x.dtype)
    slab = x.nbytes // x.shape[0] if x.ndim and x.shape[0] else 0
    if xp is not np or x.nbytes <= _SLAB_BYTES or slab == 0:
        out[...] = x.transpose(axes)
        return out
    step = max(1, _SLAB_BYTES // slab)  # source rows per slab
    where = list(axes).index(0)  # the source's first axis, in the destination
    starts = list(range(0, x.shape[0], step))

    def copy(part: slice) -> None:
        idx = [slice(None)] * x.ndim
        for start in starts[part]:
            idx[where] = slice(start, start + step)
            out[tuple(idx)] = x[start : start + step].transpose(axes)

    split_work(copy, len(starts), x.nbytes, xp)
    return out


def sliding_windows(x, shape, strides):
    """A strided view of ``x`` (no copy) with the given shape and byte strides."""
    xp = get_array_module(x)
    if xp is np:
        return np.lib.stride_tricks.as_strided(x, shape=shape, strides=strides, writeable=False)
    return xp.lib.stride_tricks.as_strided(x, shape=shape, strides=strides)
