r"""ReLU's forward, :math:`\max(x, 0)`, at the speed of an addition.

``np.maximum(x, 0)`` is the plain twin (:func:`minitorch.kernels.reference.relu`). With a
scalar operand NumPy 2.4 runs a loop that is not vectorised: measured on (64, 16, 28, 28)
float32, 0.24 ms, against 0.062 ms for ``x + x`` and 0.076 ms for ``np.maximum(x, z)``
with ``z`` an *array* of zeros. So :func:`relu` compares against a small array of zeros
instead, broadcast over rows of 4096 values (0.099 ms): same ufunc, same results bit for
bit (NaN stays NaN, -inf becomes 0), and no zero array as large as ``x``.
"""

from __future__ import annotations

import numpy as np

from .._backend import get_array_module

_ROW = 4096  # values per row of the zeros the input is compared with
_ZEROS = {}  # dtype -> read-only zeros of length _ROW


def relu(x):
    """``max(x, 0)`` elementwise, a new array of ``x``'s shape and dtype."""
    xp = get_array_module(x)
    if xp is not np or x.size < 4 * _ROW or x.dtype.kind != "f":
        return xp.maximum(x, 0)  # small, CuPy or integer arrays: the plain twin
    zeros = _ZEROS.get(x.dtype)
    if zeros is None:
        zeros = _ZEROS[x.dtype] = np.zeros(_ROW, x.dtype)
        zeros.flags.writeable = False
    flat = x.reshape(-1)  # a copy only when x is not contiguous
    out = np.empty_like(flat)
    full = flat.size - flat.size % _ROW
    np.maximum(flat[:full].reshape(-1, _ROW), zeros, out=out[:full].reshape(-1, _ROW))
    np.maximum(flat[full:], zeros[: flat.size - full], out=out[full:])
    return out.reshape(x.shape)
