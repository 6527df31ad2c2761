"""Copy kernels: large copies, cache-friendly transposes, and strided window views.

These change only where values sit in memory; :mod:`minitorch.kernels.reference` has no
twin for them because each is checked directly against NumPy's own ``transpose``/copy.
"""

from __future__ import annotations

import ctypes

import numpy as np

from .._backend import get_array_module
from . import threads
from .threads import split_work


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
    if where == x.ndim - 1:
        # ... is the destination's innermost axis: a slab then writes runs of `step`
        # values, and runs shorter than 8 leave most of each cache line to be fetched
        # again by the next slab. Measured (64, 64, 32, 32) -> (64, 32, 32, 64), the DCGAN
        # generator's layout change: 4.6 ms with 2 images a slab, 1.6 ms with 8.
        step = max(step, 8)
    starts = list(range(0, x.shape[0], step))

    def copy(part: slice) -> None:
        idx = [slice(None)] * x.ndim
        for start in starts[part]:
            idx[where] = slice(start, start + step)
            out[tuple(idx)] = x[start : start + step].transpose(axes)

    split_work(copy, len(starts), x.nbytes, xp)
    return out


# ---------------------------------------------------------------------------------------
# 2-D transposes by OpenBLAS's somatcopy
# ---------------------------------------------------------------------------------------
_ROW_MAJOR, _TRANS = 101, 112  # CBLAS's CblasRowMajor and CblasTrans
_somatcopy = None  # OpenBLAS's cblas_somatcopy once looked up (False where there is none)


def _somatcopy_function():
    """OpenBLAS's ``cblas_somatcopy`` (float32 out-of-place scaled transpose), checked
    once on a small matrix; ``None`` for another BLAS.

    Only float32: OpenBLAS's ``domatcopy`` measured slower than NumPy's copy for many
    shapes here (a (1024, 1024) float64 transpose 5.7 against 3.5 ms), and its complex
    ones compute ``1 * z``, which turns ``inf + 0j`` into ``inf + nanj``. The integer
    arguments are passed as 64-bit: right for OpenBLAS's 64-bit-integer builds (NumPy's
    wheels) and, since on x86-64 and arm64 a value below 2**31 reads the same from the
    low half of a register or 8-byte stack slot, for 32-bit builds too; the check below
    falls back to NumPy should that ever not hold.
    """
    global _somatcopy
    if _somatcopy is None:
        _somatcopy = False
        found = threads._openblas_functions("somatcopy", prefixes=("scipy_cblas", "cblas"))
        if found is not None:
            fn = found[0]
            fn.restype = None
            fn.argtypes = [ctypes.c_int64, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
                           ctypes.c_float, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p,
                           ctypes.c_int64]
            a = np.arange(12, dtype=np.float32).reshape(3, 4)
            b = np.zeros((4, 3), dtype=np.float32)
            fn(_ROW_MAJOR, _TRANS, 3, 4, 1.0, a.ctypes.data, 4, b.ctypes.data, 3)
            if np.array_equal(b, a.T):
                _somatcopy = fn
    return _somatcopy or None


def _leading(a) -> int | None:
    """The row stride of the 2-D array ``a`` in elements, if its rows are contiguous runs
    (what BLAS calls a leading dimension), else None."""
    rows, cols = a.strides
    size = a.itemsize
    if cols != size or rows % size or rows // size < max(1, a.shape[1]):
        return None
    return rows // size


def transpose_into(src, dst) -> None:
    """``dst[j, i] = src[i, j]`` for 2-D arrays whose rows are contiguous (any row stride).

    NumPy copies ``src.T`` into ``dst`` element by element, reading ``src`` down its
    columns; OpenBLAS's ``somatcopy`` transposes block by block in registers. Measured on
    this project's machine (one core, float32, against ``dst[...] = src.T``): (1024,
    1024) 0.35 against 3.4 ms, (64, 4096) 0.076 against 0.43, (4096, 64) 0.046 against
    0.17. Large copies are split over threads by bands of ``src``'s rows (OpenBLAS's
    call releases the GIL). float32 only (see :func:`_somatcopy_function`); the plain
    twin, and the path for other dtypes, other BLAS libraries and CuPy, is NumPy's
    ``dst[...] = src.T``. The copy multiplies by 1.0, which changes no float32 value
    (a signalling NaN, which NumPy never makes, would be quieted).
    """
    fn = _somatcopy_function() if isinstance(src, np.ndarray) else None
    lda, ldb = _leading(src), _leading(dst)
    if (fn is None or src.dtype != np.float32 or lda is None or ldb is None
            or dst.dtype != src.dtype or dst.shape != src.shape[::-1]
            or not dst.flags.writeable or 0 in src.shape):
        dst[...] = src.T
        return
    size = src.itemsize

    def copy(part: slice) -> None:
        first, stop, _ = part.indices(src.shape[0])
        fn(_ROW_MAJOR, _TRANS, stop - first, src.shape[1], 1.0,
           src.ctypes.data + first * lda * size, lda, dst.ctypes.data + first * size, ldb)

    split_work(copy, src.shape[0], src.nbytes)


def sliding_windows(x, shape, strides):
    """A strided view of ``x`` (no copy) with the given shape and byte strides."""
    xp = get_array_module(x)
    if xp is np:
        return np.lib.stride_tricks.as_strided(x, shape=shape, strides=strides, writeable=False)
    return xp.lib.stride_tricks.as_strided(x, shape=shape, strides=strides)
