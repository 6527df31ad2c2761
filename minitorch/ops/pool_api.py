r"""The pooling functions users call (``max_pool2d``, ``avg_pool2d``, the adaptive ones).

Each one checks its arguments the way PyTorch does (sizes, padding, the output size),
builds the geometry or averaging matrices, and calls one Function of
:mod:`minitorch.ops.pool`, where the op and its gradient are defined.
"""

from __future__ import annotations

from .._backend import get_array_module
from .._utils import pair
from ..kernels.pool import (
    PoolGeometry,
    Winners,
    adaptive_bounds,
    adaptive_max_indices,
    avg_axis_matrix,
    max_pool_forward,
    pool_out_size,
    window_matrix,
)
from ..tensor import Tensor
from ._util import check_float
from .pool import AdaptiveAvgPool2D, AdaptiveMaxPool2D, AvgPool2D, MaxPool2DWithIndices


# ---------------------------------------------------------------------------------------
# Argument checking (the array kernels are in minitorch.kernels.pool)
# ---------------------------------------------------------------------------------------
def _pool_geometry(fn, input, kernel_size, stride, padding, dilation, ceil_mode) -> PoolGeometry:
    """Check pooling arguments the way PyTorch does and compute the output size."""
    k = pair(kernel_size, "kernel_size", fn)
    no_stride = stride is None or (not isinstance(stride, int) and len(stride) == 0)
    s = k if no_stride else pair(stride, "stride", fn)  # PyTorch: stride defaults to kernel
    p, d = pair(padding, "padding", fn), pair(dilation, "dilation", fn)
    if min(k) <= 0:
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kH: {k[0]} kW: {k[1]}"
        )
    if min(s) <= 0:
        raise RuntimeError("stride should not be zero")
    if min(d) <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilationH: {d[0]} dilationW: {d[1]}"
        )
    if min(p) < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(p)}")
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise RuntimeError(
            f"pad should be at most half of effective kernel size, but got pad={list(p)}, "
            f"kernel_size={list(k)} and dilation={list(d)}"
        )
    c, h, w = input.shape[-3:]
    out = tuple(pool_out_size(n, k[a], s[a], p[a], d[a], ceil_mode) for a, n in enumerate((h, w)))
    if min(out) < 1:
        raise RuntimeError(
            f"Given input size: ({c}x{h}x{w}). Calculated output size: "
            f"({c}x{out[0]}x{out[1]}). Output size is too small"
        )
    return PoolGeometry(k, s, p, d, out)


def _check_input(input: Tensor, fn: str) -> None:
    if input.dim() not in (3, 4) or any(n == 0 for n in input.shape[-3:]):
        raise RuntimeError(
            f"{fn}(): Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got: {list(input.shape)}"
        )


def _batched(fn):
    """Run a pooling function on an unbatched (C, H, W) input by adding a batch axis."""

    def wrapper(input, *args, **kwargs):
        if input.dim() == 3:
            res = fn(input.unsqueeze(0), *args, **kwargs)
            if isinstance(res, tuple):
                return tuple(r.squeeze(0) for r in res)
            return res.squeeze(0)
        return fn(input, *args, **kwargs)

    wrapper.__wrapped__ = fn
    return wrapper


def max_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    r"""2-D max pooling over an (N, C, H, W) or (C, H, W) input, like PyTorch's.

    .. math:: \mathrm{out}_{n,c,p,q} = \max_{i<k_h,\,j<k_w}
        \mathrm{input}_{n,c,\,p s_h + i d_h - \mathrm{pad}_h,\; q s_w + j d_w - \mathrm{pad}_w}

    Parameters
    ----------
    input : Tensor
        Shape (N, C, H, W) or (C, H, W).
    kernel_size : int or (int, int)
        Window size.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size``.
    padding : int or (int, int)
        Implicit :math:`-\infty` on both sides, at most half the kernel size.
    dilation : int or (int, int)
        Spacing between the window's taps.
    ceil_mode : bool
        Round the output size up (a last, partial window), as long as it starts inside
        the input or its left padding.
    return_indices : bool
        Also return the argmax positions, flattened per plane as ``h * W + w`` (int64).

    Returns
    -------
    Tensor or (Tensor, Tensor)
        The pooled tensor (and the indices when asked for).
    """
    _check_input(input, "max_pool2d")
    return _max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


@_batched
def _max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    geo = _pool_geometry("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode)
    if not return_indices:
        return MaxPool2DWithIndices.apply(input, geo)
    out, tap = max_pool_forward(input._data, geo)
    winners = Winners(input.shape[2:], tap=tap, geo=geo)
    return MaxPool2DWithIndices.apply(input, geo, (out, winners)), Tensor._wrap(winners.indices())


def avg_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    r"""2-D average pooling over an (N, C, H, W) or (C, H, W) input, like PyTorch's.

    .. math:: \mathrm{out}_{n,c,p,q} = \frac{1}{D_{pq}} \sum_{i<k_h,\,j<k_w}
        \mathrm{input}_{n,c,\,p s_h + i - \mathrm{pad}_h,\; q s_w + j - \mathrm{pad}_w}

    Parameters
    ----------
    input : Tensor
        Shape (N, C, H, W) or (C, H, W).
    kernel_size, stride, padding, ceil_mode
        As in :func:`max_pool2d` (padding is zeros here).
    count_include_pad : bool
        Whether zero padding counts in the divisor :math:`D_{pq}`; windows that
        ``ceil_mode`` lets run past the padding never count the overhang.
    divisor_override : int, optional
        Use this divisor for every window instead.

    Returns
    -------
    Tensor
        Shape (N, C, OH, OW).
    """
    _check_input(input, "avg_pool2d")
    check_float(input, "avg_pool2d")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    return _avg_pool2d(
        input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


@_batched
def _avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor):
    geo = _pool_geometry("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode)
    xp, dt = get_array_module(input._data), input._data.dtype
    h, w = input.shape[2:]
    (kh, kw), (sh, sw), (ph, pw), _, (oh, ow) = geo
    a = avg_axis_matrix(h, kh, sh, ph, oh, count_include_pad, xp, dt)
    b = avg_axis_matrix(w, kw, sw, pw, ow, count_include_pad, xp, dt)
    if divisor is not None:  # plain window sums, then one constant divisor
        a, b = (a != 0).astype(dt) / dt.type(divisor), (b != 0).astype(dt)
    blocks = None
    if (sh, sw) == (kh, kw) and (ph, pw) == (0, 0) and (oh * kh, ow * kw) == (h, w):
        blocks = (kh, kw, 1.0 / (kh * kw) if divisor is None else 1.0 / divisor)
    return AvgPool2D.apply(input, a, b, blocks)


def _adaptive_size(input: Tensor, output_size, fn: str) -> tuple[int, int]:
    if input.dim() not in (3, 4):
        raise RuntimeError(f"{fn}(): Expected 3D or 4D tensor, but got {list(input.shape)}")
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    output_size = tuple(output_size)
    if len(output_size) != 2:
        raise RuntimeError(f"{fn}: output_size must be 2 (got {list(output_size)})")
    size = tuple(input.shape[-2 + a] if o is None else int(o) for a, o in enumerate(output_size))
    if min(size) < 0:
        raise RuntimeError(f"{fn}: elements of output_size must be greater than or equal to 0")
    return size


def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple[int | None, int | None]) -> Tensor:
    r"""Average pooling to a fixed output size, like PyTorch's ``adaptive_avg_pool2d``.

    Output row :math:`i` averages input rows
    :math:`\lfloor iH/OH \rfloor \le h < \lceil (i+1)H/OH \rceil` (columns likewise), so
    the windows tile the input and may overlap by one when ``OH`` does not divide ``H``.

    Parameters
    ----------
    input : Tensor
        Shape (N, C, H, W) or (C, H, W).
    output_size : int or (int or None, int or None)
        ``(OH, OW)``; ``None`` keeps that input size.

    Returns
    -------
    Tensor
        Shape (N, C, OH, OW) (or (C, OH, OW)).
    """
    oh, ow = _adaptive_size(input, output_size, "adaptive_avg_pool2d")
    check_float(input, "adaptive_avg_pool2d")
    return _adaptive_avg(input, oh, ow)


@_batched
def _adaptive_avg(input, oh: int, ow: int):
    xp, dt = get_array_module(input._data), input._data.dtype
    h, w = input.shape[2:]
    mats = []
    for size, out in ((h, oh), (w, ow)):
        lo, hi = adaptive_bounds(size, out)
        mats.append(window_matrix(lo, hi, size, [e - s for s, e in zip(lo, hi)], xp, dt))
    blocks = None
    if oh and ow and h % oh == 0 and w % ow == 0:  # the windows tile the input exactly
        kh, kw = h // oh, w // ow
        blocks = (kh, kw, 1.0 / (kh * kw))
    return AdaptiveAvgPool2D.apply(input, mats[0], mats[1], blocks)


def adaptive_max_pool2d(
    input: Tensor, output_size: int | tuple[int | None, int | None], return_indices: bool = False
) -> Tensor | tuple[Tensor, Tensor]:
    r"""Max pooling to a fixed output size (windows as in :func:`adaptive_avg_pool2d`).

    One vectorised max per output *pixel* (a loop of OH*OW steps over all images and
    channels at once), with gradients routed like :func:`max_pool2d`'s.

    Returns
    -------
    Tensor or (Tensor, Tensor)
        The pooled tensor, and the flat ``h * W + w`` argmax indices if asked for.
    """
    oh, ow = _adaptive_size(input, output_size, "adaptive_max_pool2d")
    return _adaptive_max(input, oh, ow, return_indices)


@_batched
def _adaptive_max(input, oh: int, ow: int, return_indices: bool):
    idx = adaptive_max_indices(input._data, oh, ow)
    out = AdaptiveMaxPool2D.apply(input, Winners(input.shape[2:], indices=idx))
    return (out, Tensor._wrap(idx)) if return_indices else out


__all__ = [
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "avg_pool2d",
    "max_pool2d",
    "pool_out_size",
]
