r"""``F.interpolate`` (and its deprecated names ``upsample*``): resizing by nearest
neighbours, linear interpolation along each axis, or area averaging.

Every mode is a composition of existing differentiable ops: nearest is a gather
(``index_select``) along each spatial axis; (bi)linear is, along each axis in turn, two
gathers weighted by :math:`\lambda_0, \lambda_1`; area is adaptive average pooling. So
the gradients (and their derivatives) come from autograd, and a NaN stays at the pixels
that read it, as in PyTorch. Index and weight arithmetic follows PyTorch's kernels
(``UpSample.h``), including the float32 scales of nearest.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .._backend import get_array_module
from ..ops._util import check_float
from ..ops.pool import adaptive_avg_pool2d
from ..tensor import Tensor

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_LINEAR = {3: "linear", 4: "bilinear", 5: "trilinear"}


def _interp_sizes(input: Tensor, size, scale_factor, recompute_scale_factor):
    """Output sizes, and the scale factors the kernels see (None: use in/out)."""
    spatial = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        sizes = [size] * spatial if isinstance(size, int) else list(size)
        if len(sizes) != spatial:
            raise ValueError(
                "Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(input.shape[2:])} and output size of "
                f"{size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                "output size in (o1, o2, ...,oK) format."
            )
        return [int(s) for s in sizes], [None] * spatial
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    scales = [scale_factor] * spatial if isinstance(scale_factor, (int, float)) \
        else list(scale_factor)
    if len(scales) != spatial:
        raise ValueError(
            "Input and scale_factor must have the same number of spatial dimensions, but got "
            f"input with spatial dimensions of {list(input.shape[2:])} and scale_factor of "
            f"shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
            "format and scale_factor in (s1, s2, ...,sK) format."
        )
    sizes = [math.floor(float(n) * float(s)) for n, s in zip(input.shape[2:], scales)]
    return sizes, [None] * spatial if recompute_scale_factor else [float(s) for s in scales]


def _kernel_scale(in_size: int, out_size: int, scale: float | None, real):
    """PyTorch's ``compute_scales_value``: 1/scale_factor if given, else in/out."""
    if scale is not None and scale > 0:
        return real(1.0 / scale)
    return real(in_size) / real(out_size)


def _nearest_index(in_size: int, out_size: int, scale, exact: bool) -> np.ndarray:
    r"""Source index of each output position: :math:`\min(\lfloor j\,r \rfloor, L_{in}-1)`
    (``'nearest'``) or :math:`\min(\lfloor (j + \frac12) r \rfloor, L_{in}-1)`
    (``'nearest-exact'``), :math:`r` in float32 as PyTorch's kernel computes it."""
    j = np.arange(out_size)
    if not exact and out_size == in_size:
        return j
    if not exact and out_size == 2 * in_size:
        return j >> 1
    r = _kernel_scale(in_size, out_size, scale, np.float32)
    pos = (j.astype(np.float32) + np.float32(0.5 if exact else 0.0)) * r
    return np.minimum(np.floor(pos).astype(np.int64), in_size - 1)


def _linear_weights(in_size: int, out_size: int, scale, align_corners: bool, real):
    r"""Neighbours :math:`i_0, i_1` and weights :math:`\lambda_0, \lambda_1` of each output.

    Source position :math:`u = j\,(L_{in}-1)/(L_{out}-1)` with ``align_corners``, else
    :math:`u = \max((j + \frac12) r - \frac12, 0)`; :math:`i_0 = \lfloor u \rfloor`,
    :math:`i_1 = \min(i_0 + 1, L_{in} - 1)`, :math:`\lambda_1 = u - i_0`,
    :math:`\lambda_0 = 1 - \lambda_1` (PyTorch's ``area_pixel_compute_source_index``).
    """
    j = np.arange(out_size).astype(real)
    if align_corners:
        r = real(in_size - 1) / real(out_size - 1) if out_size > 1 else real(0)
        u = r * j
    else:
        r = _kernel_scale(in_size, out_size, scale, real)
        u = np.maximum(r * (j + real(0.5)) - real(0.5), real(0))
    i0 = np.minimum(np.floor(u).astype(np.int64), in_size - 1)
    lam1 = np.clip(u - i0.astype(real), 0, 1).astype(real)
    i1 = i0 + (i0 < in_size - 1)
    return i0, i1, (real(1) - lam1).astype(real), lam1


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    r"""Resize the spatial dims of an (N, C, L) or (N, C, H, W) input, like PyTorch's.

    Modes:

    * ``'nearest'``: output :math:`j` copies input :math:`\lfloor j\,r \rfloor` along each
      axis (:math:`r = L_{in}/L_{out}`, or ``1/scale_factor``); ``'nearest-exact'`` uses
      :math:`\lfloor (j + \frac12) r \rfloor`. A gather, whose gradient adds each output
      gradient back onto the pixel it was copied from.
    * ``'linear'`` (3-D) / ``'bilinear'`` (4-D): along each axis
      :math:`y_j = \lambda_0 x_{i_0} + \lambda_1 x_{i_1}` (see :func:`_linear_weights`,
      ``align_corners`` as in PyTorch); bilinear is this along H, then along W. Each
      step is two gathers and a weighted sum, so the gradient spreads :math:`\lambda_0 g`
      and :math:`\lambda_1 g` back to the two neighbours, and only they (a NaN stays local).
    * ``'area'``: adaptive average pooling to the output size.
    """
    if mode not in _MODES:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
            "for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | "
            f"area | nearest-exact (got {mode})"
        )
    linear = mode in ("linear", "bilinear", "bicubic", "trilinear")
    if align_corners is not None and not linear:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: "
            "linear | bilinear | bicubic | trilinear"
        )
    if input.dim() not in (3, 4, 5):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
            "for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | "
            f"area | nearest-exact (got {mode})"
        )
    if linear and _LINEAR[input.dim()] != mode:
        raise NotImplementedError(
            f"Got {input.dim()}D input, but {mode} mode needs "
            f"{ {'linear': 3, 'bilinear': 4, 'trilinear': 5, 'bicubic': 4}[mode] }D input"
        )
    if mode == "bicubic" or antialias or input.dim() == 5:
        raise NotImplementedError(
            f"minitorch's interpolate supports 3-D and 4-D inputs in the modes nearest, "
            f"nearest-exact, linear, bilinear and area without antialias; got a "
            f"{input.dim()}-D input, mode='{mode}', antialias={antialias}"
        )
    sizes, scales = _interp_sizes(input, size, scale_factor, recompute_scale_factor)
    if min(sizes) <= 0 or min(input.shape[2:]) <= 0:
        names = "HW" if input.dim() == 4 else "W"
        ins = ", ".join(f"{a}: {n}" for a, n in zip(names, input.shape[2:]))
        outs = ", ".join(f"{a}: {n}" for a, n in zip(names, sizes))
        raise RuntimeError(
            f"Input and output sizes should be greater than 0, but got input ({ins}) "
            f"output ({outs})"
        )
    if mode == "area":
        if input.dim() == 3:
            return adaptive_avg_pool2d(input.unsqueeze(2), (1, sizes[0])).squeeze(2)
        return adaptive_avg_pool2d(input, tuple(sizes))
    if linear:
        check_float(input, f"upsample_{mode}{input.dim() - 2}d")
    xp = get_array_module(input._data)
    out = input
    for axis, (n_in, n_out, scale) in enumerate(zip(input.shape[2:], sizes, scales), start=2):
        if mode.startswith("nearest"):
            idx = _nearest_index(n_in, n_out, scale, exact=mode == "nearest-exact")
            out = out.index_select(axis, Tensor._wrap(xp.asarray(idx)))
            continue
        real = input._data.dtype.type
        i0, i1, lam0, lam1 = _linear_weights(n_in, n_out, scale, bool(align_corners), real)
        bshape = (n_out,) + (1,) * (input.dim() - 1 - axis)
        w0 = Tensor._wrap(xp.asarray(lam0.reshape(bshape)))
        w1 = Tensor._wrap(xp.asarray(lam1.reshape(bshape)))
        out = (out.index_select(axis, Tensor._wrap(xp.asarray(i0))) * w0
               + out.index_select(axis, Tensor._wrap(xp.asarray(i1))) * w1)
    return out


def _deprecated_upsample(name: str) -> None:
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=3)


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated name of :func:`interpolate` (warns, as PyTorch does)."""
    _deprecated_upsample("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    _deprecated_upsample("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    _deprecated_upsample("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


__all__ = ["interpolate", "upsample", "upsample_bilinear", "upsample_nearest"]
