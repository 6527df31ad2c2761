r"""2-D pooling: max pooling by kernel taps, average pooling as two small matrix products.

**Max pooling.** Every output pixel is the largest value in its window. Instead of
copying the windows out, we walk over the ``kh * kw`` kernel *taps*: tap ``(i, j)`` of
every window at once is one strided slice of the padded input, so the running maximum
(and which tap won it) takes ``kh * kw`` vectorised comparisons, whatever the stride,
padding or dilation. Padding is :math:`-\infty`, so it never wins. The backward pass
sends each output gradient to the input pixel that won (PyTorch's ``indices``, flattened
as ``h * W + w`` per plane), which is again one slice-addition per tap. In the usual
case of disjoint windows (kernel = stride) the input reshaped to (N, C, OH, kh, OW, kw)
shows every window at once and tap ``(i, j)`` is the view ``[:, :, :, i, :, j]``: the
gradient is then one masked write per tap, with no index arithmetic (the fast path).

**Average pooling** is linear and *separable*: averaging windows of rows, then windows
of columns, is the same as averaging the 2-D windows. So with a row-averaging matrix
:math:`A` (OH x H) and a column-averaging matrix :math:`B` (OW x W),

.. math:: Y = A\,X\,B^\top \quad\text{(for every image and channel)},

and the gradient is :math:`\partial L/\partial X = A^\top\,G\,B`, the same op with the
transposed matrices. Padding, ``ceil_mode``, ``count_include_pad``, ``divisor_override``
and adaptive pooling only change the entries of :math:`A` and :math:`B`. When the
windows tile the input (kernel = stride, no padding), the reshape fast path sums each
block's rows and columns directly and the gradient is a plain repeat.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._backend import get_array_module, scatter_add
from .._utils import pair
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..kernels.threads import split_work
from ..tensor import Tensor
from ._util import check_float


# ---------------------------------------------------------------------------------------
# Sizes and argument checking
# ---------------------------------------------------------------------------------------
def pool_out_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    r"""PyTorch's pooling output length along one axis.

    :math:`\lfloor (L + 2p - d(k-1) - 1)/s \rfloor + 1` (ceil instead of floor with
    ``ceil_mode``), minus one if ``ceil_mode`` made the last window start past the input
    and its left padding (every window must start inside them).
    """
    span = size + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


class PoolGeometry(NamedTuple):
    """Kernel, stride, padding, dilation (each ``(h, w)``) and the output size."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    out: tuple[int, int]


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


# ---------------------------------------------------------------------------------------
# Max pooling: kernels on raw arrays
# ---------------------------------------------------------------------------------------
def _tap_slices(geo: PoolGeometry):
    """For each kernel tap ``(i, j)`` in row-major order, the slice of the padded input it reads."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = geo.kernel, geo.stride, geo.dilation, geo.out
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
            cols = slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)
            yield (Ellipsis, rows, cols)


def _padded_extent(h: int, w: int, geo: PoolGeometry) -> tuple[int, int]:
    """Size of the padded input that holds every window (ceil_mode may reach past pad)."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow) = geo
    return (
        max(h + 2 * ph, sh * (oh - 1) + dh * (kh - 1) + 1),
        max(w + 2 * pw, sw * (ow - 1) + dw * (kw - 1) + 1),
    )


def max_pool_forward(x, geo: PoolGeometry):
    """Raw max pooling of (N, C, H, W): returns ``(out, tap)``.

    ``tap[n, c, p, q]`` is the number ``i * kw + j`` of the kernel tap that won window
    ``(p, q)`` (:func:`window_indices` turns it into PyTorch's flat ``h * W + w``
    indices, only when someone asks). Ties go to the first maximum in the window
    (row-major), a NaN always wins, and padding (:math:`-\\infty`) never does, exactly
    like PyTorch's CPU kernel.
    """
    xp = get_array_module(x)
    n, c, h, w = x.shape
    (ph, pw), (hp, wp) = geo.padding, _padded_extent(h, w, geo)
    if (ph, pw) == (0, 0) and (hp, wp) == (h, w):
        xpad = x
    else:
        xpad = xp.full((n, c, hp, wp), _lowest(x.dtype, xp), dtype=x.dtype)
        xpad[:, :, ph : ph + h, pw : pw + w] = x
    taps = [xpad[sl] for sl in _tap_slices(geo)]
    first = _first_tap_inside(geo, xp)
    best = xp.empty((n, c, *geo.out), dtype=x.dtype)
    tap = xp.empty(best.shape, dtype=xp.min_scalar_type(len(taps)))

    def pool(images: slice) -> None:  # images are independent: split over cores
        part = [v[images] for v in taps]
        out = (best[images], tap[images])
        _running_argmax(part, first, xp, out)
        if xp.isnan(out[0]).any():  # rare: redo the comparisons NaN-aware
            _running_argmax(part, first, xp, out, nan_wins=True)

    split_work(pool, n, x.nbytes, xp)
    return best, tap


def window_indices(tap, geo: PoolGeometry, w: int):
    """Winning tap numbers -> flat per-plane input indices ``h * W + w`` (int64).

    Tap ``t = (i, j)`` of window ``(p, q)`` reads input pixel
    ``(p*sh - ph + i*dh, q*sw - pw + j*dw)``.
    """
    xp = get_array_module(tap)
    (_, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow) = geo
    base = (xp.arange(oh)[:, None] * sh - ph) * w + (xp.arange(ow)[None, :] * sw - pw)
    ii, jj = xp.divmod(xp.arange(geo.kernel[0] * kw), kw)
    offset = (ii * dh * w + jj * dw).astype(xp.int64)
    return base + offset[tap]


def _running_argmax(taps, first, xp, out, nan_wins: bool = False) -> None:
    """Max over the tap slices, and the number of the first tap that attains it, into ``out``.

    ``first`` holds, per window, its first tap inside the input (None when no window
    touches padding); the running max starts at :math:`-\\infty` on that tap. Tap ``k``
    *wins* where it is strictly larger than the running max (so ties keep the earlier
    tap); the winner is the last tap that won, i.e. the largest ``k * win``, which
    keeps the bookkeeping to one multiply and one maximum per tap (masked assignment is
    several times slower in NumPy).
    """
    best, tap = out
    if first is None:
        best[...], tap[...], start = taps[0], 0, 1
    else:
        best[...], tap[...], start = _lowest(best.dtype, xp), first, 0
    for k in range(start, len(taps)):
        v = taps[k]
        win = v > best
        if nan_wins:
            win |= xp.isnan(v)
            xp.copyto(best, v, where=win)
        else:
            xp.maximum(best, v, out=best)
        xp.maximum(tap, xp.multiply(win, k, dtype=tap.dtype), out=tap)


def _lowest(dtype, xp):
    """The padding value of max pooling: -inf, or the smallest integer for integer inputs."""
    return -xp.inf if dtype.kind == "f" else xp.iinfo(dtype).min


def _first_tap_inside(geo: PoolGeometry, xp):
    """Per window, the number of its first tap inside the input; None without padding."""
    (_, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow) = geo
    if (ph, pw) == (0, 0):
        return None
    i0 = xp.maximum(0, -((xp.arange(oh) * sh - ph) // dh))  # ceil((ph - p*sh) / dh), >= 0
    j0 = xp.maximum(0, -((xp.arange(ow) * sw - pw) // dw))
    return i0[:, None] * kw + j0[None, :]


def _global_index(indices, hw: int):
    """Per-plane flat indices (N, C, ...) -> indices into the whole flattened (N, C, H, W)."""
    xp = get_array_module(indices)
    n, c = indices.shape[:2]
    planes = xp.arange(n * c, dtype=indices.dtype).reshape(n, c, *([1] * (indices.ndim - 2)))
    return indices + planes * hw


class Winners:
    """Which input pixel won each max-pooling window, as the backward passes need it.

    Max pooling keeps the winning *tap* per window (one byte each) and its geometry; the
    flat ``h * W + w`` indices (8 bytes each) are made only when asked for
    (``return_indices``, double backward). Adaptive max pooling has no kernel taps and
    hands over its indices directly (``geo`` is then None).
    """

    __slots__ = ("_indices", "geo", "in_hw", "tap")

    def __init__(self, in_hw, tap=None, geo: PoolGeometry | None = None, indices=None) -> None:
        self.in_hw, self.tap, self.geo, self._indices = tuple(in_hw), tap, geo, indices

    def indices(self):
        """Flat per-plane indices ``h * W + w`` of the winners, shaped like the output."""
        if self._indices is None:
            self._indices = window_indices(self.tap, self.geo, self.in_hw[1])
        return self._indices

    def windows_disjoint(self) -> bool:
        """True when no two windows share a pixel (e.g. the usual kernel = stride)."""
        if self.geo is None:
            return False
        (kh, kw), (sh, sw), _, (dh, dw), _ = self.geo
        return sh > dh * (kh - 1) and sw > dw * (kw - 1)


def scatter_to_planes(grad, win: Winners):
    """``out[n, c].flat[winner[n, c, k]] += grad[n, c, k]``: the adjoint of a gather.

    When the windows are disjoint (the common kernel = stride case), every pixel wins
    at most one window, and the windows are the views ``[:, :, :, i, :, j]`` of the input
    reshaped to (N, C, OH, kh, OW, kw), i.e. the tap slices. So the scatter is one
    masked write per tap: ``grad * (tap == k)`` into tap ``k``'s slice, with no index
    arithmetic at all (the reshape fast path). Otherwise a pixel that wins several
    overlapping windows collects all their gradients with NumPy's unbuffered
    ``add.at``, which runs as fast as a plain fancy-index assignment.
    """
    xp = get_array_module(grad)
    n, c = grad.shape[:2]
    h, w = win.in_hw
    if win.windows_disjoint():
        hp, wp = _padded_extent(h, w, win.geo)
        ph, pw = win.geo.padding
        tiled = (hp, wp) == (h, w) and all(  # every pixel is in exactly one window
            o * k == size for o, k, size in zip(win.geo.out, win.geo.kernel, (h, w))
        )
        out = (xp.empty if tiled else xp.zeros)((n, c, hp, wp), dtype=grad.dtype)

        def scatter(images: slice) -> None:  # images are independent: split over cores
            for k, sl in enumerate(_tap_slices(win.geo)):
                xp.multiply(grad[images], win.tap[images] == k, out=out[images][sl])

        split_work(scatter, n, out.nbytes, xp)
        return out if (hp, wp) == (h, w) else xp.ascontiguousarray(out[..., ph : ph + h, pw : pw + w])
    out = xp.zeros((n, c, h, w), dtype=grad.dtype)
    flat = _global_index(win.indices(), h * w).reshape(-1)
    scatter_add(out.reshape(-1), flat, grad.reshape(-1))
    return out


def gather_from_planes(x, win: Winners):
    """``out[n, c, k] = x[n, c].flat[winner[n, c, k]]``."""
    return x.reshape(-1)[_global_index(win.indices(), x.shape[2] * x.shape[3])]


class MaxPool2DWithIndices(ArrayFunction):
    r"""Max pooling :math:`y_k = x_{\iota(k)}`, where :math:`\iota(k)` is the argmax of window k.

    Locally (almost everywhere) :math:`y` just *copies* the winning pixel, so
    :math:`\partial L/\partial x_m = \sum_{k:\,\iota(k)=m} \partial L/\partial y_k`: each
    output gradient goes back to its winner (:class:`MaxPool2dScatter`); pixels that win
    several overlapping windows collect all of their gradients.
    """


    @staticmethod
    def forward(ctx: Node, x: Array, geo: PoolGeometry, pooled: tuple | None = None) -> Array:
        # ``pooled``: (output, Winners) already computed by a caller that also returns the
        # indices (``return_indices``); otherwise the pooling is computed here.
        if pooled is None:
            out, tap = max_pool_forward(x, geo)
            pooled = out, Winners(x.shape[2:], tap=tap, geo=geo)
        out, ctx.winners = pooled
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        grad_x = MaxPool2dScatter.apply(grad, ctx.winners)
        return (grad_x,) + (None,) * (len(ctx.needs_input_grad) - 1)  # none for geo, pooled


class MaxPool2dScatter(ArrayFunction):
    r"""Backward of max pooling: :math:`z_m = \sum_{k:\,\iota(k)=m} g_k` (a scatter-add).

    It is linear in :math:`g` with adjoint the gather: for an upstream gradient :math:`u`
    (shaped like the pooling input), :math:`\partial L/\partial g_k = u_{\iota(k)}`
    (:class:`MaxPool2dGather`). This gives max pooling its second derivatives.
    """


    @staticmethod
    def forward(ctx: Node, grad: Array, winners: Winners) -> Array:
        ctx.winners = winners
        return scatter_to_planes(grad, winners)

    @staticmethod
    def backward(ctx: Node, up: Tensor) -> Grads:
        return MaxPool2dGather.apply(up, ctx.winners), None


class MaxPool2dGather(ArrayFunction):
    r"""Gather :math:`y_k = u_{\iota(k)}` (max pooling's second-order path).

    Linear in :math:`u`, with adjoint the scatter-add: :math:`\partial L/\partial u_m =
    \sum_{k:\,\iota(k)=m} g_k` (:class:`MaxPool2dScatter`).
    """


    @staticmethod
    def forward(ctx: Node, u: Array, winners: Winners) -> Array:
        ctx.winners = winners
        return gather_from_planes(u, winners)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return MaxPool2dScatter.apply(grad, ctx.winners), None


class AdaptiveMaxPool2D(MaxPool2dGather):
    r"""adaptive_max_pool2d: :math:`y_k = x_{\iota(k)}` at each window's argmax.

    Gradient as for max pooling: :math:`\partial L/\partial x_m = \sum_{k:\,\iota(k)=m}
    g_k` (grad_fn ``AdaptiveMaxPool2DBackward0``).
    """


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


# ---------------------------------------------------------------------------------------
# Average pooling as Y = A X B^T
# ---------------------------------------------------------------------------------------
class SeparableLinear(ArrayFunction):
    r""":math:`Y = A\,X\,B^\top` over the last two axes, for constant matrices A and B.

    For every plane, :math:`Y_{pq} = \sum_{h,w} A_{ph} X_{hw} B_{qw}`, so
    :math:`\partial L/\partial X_{hw} = \sum_{p,q} A_{ph} G_{pq} B_{qw}`, i.e.
    :math:`\partial L/\partial X = A^\top G B`: the same Function with the matrices
    transposed (and its backward transposes them back, giving all higher derivatives).

    ``blocks = (kh, kw, scale)`` says that A and B just sum non-overlapping blocks of
    ``kh`` rows and ``kw`` columns that tile the input (times ``scale``): average pooling
    with stride = kernel. Then the same :math:`Y` is computed by the reshape fast path
    (:func:`block_sum`) and its transpose by repeating (:func:`block_spread`).
    """


    @staticmethod
    def forward(ctx: Node, x: Array, a, b, blocks=None) -> Array:
        ctx.a, ctx.b, ctx.blocks = a, b, blocks
        if blocks is None:
            return separable_apply(x, a, b)
        kh, kw, scale = blocks
        if a.shape[1] == a.shape[0] * kh and b.shape[1] == b.shape[0] * kw:  # A is (OH, H)
            return block_sum(x, kh, kw, scale)
        return block_spread(x, kh, kw, scale)  # A is (H, OH): its transpose

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        grad_x = SeparableLinear.apply(grad, ctx.a.T, ctx.b.T, ctx.blocks)
        return (grad_x,) + (None,) * (len(ctx.needs_input_grad) - 1)  # none for A, B, blocks


def block_sum(x, kh: int, kw: int, scale: float):
    """``scale`` times the sum of every (kh x kw) block of (N, C, kh*OH, kw*OW) ``x``.

    Reshaped to (N, C, OH, kh, OW*kw), the kh rows of a block are whole contiguous rows,
    summed first; the row sums reshaped to (N, C, OH, OW, kw) give the kw columns.
    """
    n, c, h, w = x.shape
    rows = x.reshape(n, c, h // kh, kh, w)
    acc = rows[:, :, :, 0].copy()
    for i in range(1, kh):
        acc += rows[:, :, :, i]
    cols = acc.reshape(n, c, h // kh, w // kw, kw)
    out = cols[..., 0].copy()
    for j in range(1, kw):
        out += cols[..., j]
    out *= scale  # once, on the smallest array
    return out


def block_spread(g, kh: int, kw: int, scale: float):
    """Adjoint of :func:`block_sum`: every pixel of a block gets ``scale`` times its value."""
    xp = get_array_module(g)
    return xp.repeat(xp.repeat(g * scale, kh, axis=2), kw, axis=3)


class AvgPool2D(SeparableLinear):
    r"""avg_pool2d: :math:`Y = A X B^\top`, :math:`A` and :math:`B` averaging windows of
    rows and columns (a :class:`SeparableLinear`, so :math:`\partial L/\partial X = A^\top
    G B`; its own class only for the grad_fn name).
    """


class AdaptiveAvgPool2D(SeparableLinear):
    r"""adaptive_avg_pool2d: :math:`Y = A X B^\top` as :class:`SeparableLinear`, with
    :math:`\partial L/\partial X = A^\top G B` (grad_fn ``AdaptiveAvgPool2DBackward0``).
    """


def separable_apply(x, a, b):
    """Raw :math:`A X B^\\top` on (N, C, H, W): two GEMMs with the batch folded into rows."""
    xp = get_array_module(x)
    n, c, h, w = x.shape
    t = x.reshape(-1, w) @ b.T  # (N*C*H, OW): columns averaged
    t = xp.ascontiguousarray(t.reshape(n * c, h, -1).transpose(0, 2, 1))
    y = t.reshape(-1, h) @ a.T  # (N*C*OW, OH): rows averaged
    return xp.ascontiguousarray(y.reshape(n, c, -1, a.shape[0]).transpose(0, 1, 3, 2))


def _window_matrix(starts, ends, size: int, divisors, xp, dtype):
    """Matrix M (len(starts) x size) with M[o, starts[o]:ends[o]] = 1 / divisors[o]."""
    pos = np.arange(size)[None, :]
    inside = (pos >= np.asarray(starts)[:, None]) & (pos < np.asarray(ends)[:, None])
    m = inside / np.asarray(divisors, dtype=np.float64)[:, None]
    return xp.asarray(m.astype(dtype))


def _avg_axis_matrix(size, k, s, p, out, count_include_pad, xp, dtype):
    """Row (or column) averaging matrix of avg_pool2d along one axis (PyTorch's divisors)."""
    start = np.arange(out) * s - p
    end_padded = np.minimum(start + k, size + p)  # window clipped to the padded input
    lo, hi = np.maximum(start, 0), np.minimum(end_padded, size)
    div = (end_padded - start) if count_include_pad else (hi - lo)
    return _window_matrix(lo, hi, size, div, xp, dtype)


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
    a = _avg_axis_matrix(h, kh, sh, ph, oh, count_include_pad, xp, dt)
    b = _avg_axis_matrix(w, kw, sw, pw, ow, count_include_pad, xp, dt)
    if divisor is not None:  # plain window sums, then one constant divisor
        a, b = (a != 0).astype(dt) / dt.type(divisor), (b != 0).astype(dt)
    blocks = None
    if (sh, sw) == (kh, kw) and (ph, pw) == (0, 0) and (oh * kh, ow * kw) == (h, w):
        blocks = (kh, kw, 1.0 / (kh * kw) if divisor is None else 1.0 / divisor)
    return AvgPool2D.apply(input, a, b, blocks)


def _adaptive_bounds(size: int, out: int) -> tuple[list[int], list[int]]:
    r"""Window i spans :math:`[\lfloor i L / O \rfloor, \lceil (i+1) L / O \rceil)`."""
    starts = [(i * size) // out for i in range(out)]
    ends = [-((-(i + 1) * size) // out) for i in range(out)]
    return starts, ends


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
        lo, hi = _adaptive_bounds(size, out)
        mats.append(_window_matrix(lo, hi, size, [e - s for s, e in zip(lo, hi)], xp, dt))
    return AdaptiveAvgPool2D.apply(input, mats[0], mats[1])


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
    x = input._data
    xp = get_array_module(x)
    n, c, h, w = x.shape
    idx = xp.empty((n, c, oh, ow), dtype=xp.int64)
    rs, re = _adaptive_bounds(h, oh)
    cs, ce = _adaptive_bounds(w, ow)
    for i in range(oh):
        for j in range(ow):
            win = x[:, :, rs[i] : re[i], cs[j] : ce[j]].reshape(n, c, -1)
            local = xp.argmax(win, axis=-1)  # first maximum; a NaN counts as largest
            width = ce[j] - cs[j]
            idx[:, :, i, j] = (rs[i] + local // width) * w + cs[j] + local % width
    out = AdaptiveMaxPool2D.apply(input, Winners((h, w), indices=idx))
    return (out, Tensor._wrap(idx)) if return_indices else out


__all__ = [
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "avg_pool2d",
    "max_pool2d",
    "pool_out_size",
]
