r"""Pooling kernels on raw (N, C, H, W) arrays: max pooling by kernel taps, average
pooling as block sums or two small matrix products.

The interface:

* max pooling: ``max_pool_forward(x, geo) -> (out, tap)``; :class:`Winners` (which pixel
  won each window); ``scatter_to_planes(grad, winners)`` (the backward: a scatter-add)
  and ``gather_from_planes(u, winners)`` (its adjoint); ``adaptive_max_indices``;
* average pooling: ``separable_apply(x, a, b)`` (:math:`A X B^\top`) with the averaging
  matrices from ``avg_axis_matrix``/``window_matrix``, and the tiled fast path
  ``block_sum``/``block_spread``.

Loop-based twins of the forward and backward passes are in
:mod:`minitorch.kernels.reference`. How each works is explained in
:mod:`minitorch.ops.pool` and the docstrings below.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._backend import get_array_module, scatter_add
from .threads import split_kernel


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

    # the work: per tap, about 5 ReLU passes over the output (measured, 2x2 windows)
    split_kernel(pool, n, 5 * len(taps) * best.nbytes, xp)
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

        # the work: per tap, about 4 ReLU passes over the gradient (measured, 2x2 windows)
        taps = win.geo.kernel[0] * win.geo.kernel[1]
        split_kernel(scatter, n, 4 * taps * grad.nbytes, xp)
        return out if (hp, wp) == (h, w) else xp.ascontiguousarray(out[..., ph : ph + h, pw : pw + w])
    out = xp.zeros((n, c, h, w), dtype=grad.dtype)
    idx = win.indices()
    outside = _outside(idx, h * w, xp)
    if outside is not None:  # windows of padding only pass no gradient
        idx, grad = xp.where(outside, 0, idx), xp.where(outside, 0, grad)
    flat = _global_index(idx, h * w).reshape(-1)
    scatter_add(out.reshape(-1), flat, grad.reshape(-1))
    return out


def _outside(idx, plane: int, xp):
    """With dilation a window can cover only padding: its output is -inf and its winner
    an index outside the plane (as PyTorch's), and it passes no gradient (PyTorch's is 0
    there too). The mask of such winners, or None when there are none (one min/max)."""
    if idx.size == 0 or (int(idx.min()) >= 0 and int(idx.max()) < plane):
        return None
    return (idx < 0) | (idx >= plane)


def gather_from_planes(x, win: Winners):
    """``out[n, c, k] = x[n, c].flat[winner[n, c, k]]`` (0 for a window of padding only)."""
    xp = get_array_module(x)
    plane = x.shape[2] * x.shape[3]
    idx = win.indices()
    outside = _outside(idx, plane, xp)
    if outside is None:
        return x.reshape(-1)[_global_index(idx, plane)]
    return xp.where(outside, 0, x.reshape(-1)[_global_index(xp.where(outside, 0, idx), plane)])


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
    """Adjoint of :func:`block_sum`: every pixel of a block gets ``scale`` times its value.

    Two repeats, or from 4 columns a block one broadcast copy (whose innermost
    runs are ``kw`` long: too short below that). Measured (float32, us): a global
    average pool's gradient, (32, 64, 1, 1) to 8x8 blocks, 24.5 -> 13.4; (32, 512, 1, 1)
    to 4x4, 101 -> 55; but 2x2 blocks of (64, 16, 14, 14), 377 against 983.
    """
    xp = get_array_module(g)
    if kw < 4:
        return xp.repeat(xp.repeat(g * scale, kh, axis=2), kw, axis=3)
    n, c, oh, ow = g.shape
    spread = xp.broadcast_to((g * scale)[:, :, :, None, :, None], (n, c, oh, kh, ow, kw))
    return xp.ascontiguousarray(spread).reshape(n, c, oh * kh, ow * kw)


def separable_apply(x, a, b):
    """Raw :math:`A X B^\\top` on (N, C, H, W): two GEMMs with the batch folded into rows."""
    xp = get_array_module(x)
    n, c, h, w = x.shape
    t = x.reshape(-1, w) @ b.T  # (N*C*H, OW): columns averaged
    t = xp.ascontiguousarray(t.reshape(n * c, h, -1).transpose(0, 2, 1))
    y = t.reshape(-1, h) @ a.T  # (N*C*OW, OH): rows averaged
    return xp.ascontiguousarray(y.reshape(n, c, -1, a.shape[0]).transpose(0, 1, 3, 2))


def window_matrix(starts, ends, size: int, divisors, xp, dtype):
    """Matrix M (len(starts) x size) with M[o, starts[o]:ends[o]] = 1 / divisors[o]."""
    pos = np.arange(size)[None, :]
    inside = (pos >= np.asarray(starts)[:, None]) & (pos < np.asarray(ends)[:, None])
    m = inside / np.asarray(divisors, dtype=np.float64)[:, None]
    return xp.asarray(m.astype(dtype))


def avg_axis_matrix(size, k, s, p, out, count_include_pad, xp, dtype):
    """Row (or column) averaging matrix of avg_pool2d along one axis (PyTorch's divisors)."""
    start = np.arange(out) * s - p
    end_padded = np.minimum(start + k, size + p)  # window clipped to the padded input
    lo, hi = np.maximum(start, 0), np.minimum(end_padded, size)
    div = (end_padded - start) if count_include_pad else (hi - lo)
    return window_matrix(lo, hi, size, div, xp, dtype)


def adaptive_bounds(size: int, out: int) -> tuple[list[int], list[int]]:
    r"""Window i spans :math:`[\lfloor i L / O \rfloor, \lceil (i+1) L / O \rceil)`."""
    starts = [(i * size) // out for i in range(out)]
    ends = [-((-(i + 1) * size) // out) for i in range(out)]
    return starts, ends


def adaptive_max_indices(x, oh: int, ow: int):
    """Flat per-plane ``h * W + w`` argmax of every adaptive window of (N, C, H, W) ``x``.

    One vectorised argmax per output pixel (OH*OW steps over all images and channels).
    """
    xp = get_array_module(x)
    n, c, h, w = x.shape
    idx = xp.empty((n, c, oh, ow), dtype=xp.int64)
    rs, re = adaptive_bounds(h, oh)
    cs, ce = adaptive_bounds(w, ow)
    for i in range(oh):
        for j in range(ow):
            win = x[:, :, rs[i] : re[i], cs[j] : ce[j]].reshape(n, c, -1)
            local = xp.argmax(win, axis=-1)  # first maximum; a NaN counts as largest
            width = ce[j] - cs[j]
            idx[:, :, i, j] = (rs[i] + local // width) * w + cs[j] + local % width
    return idx
