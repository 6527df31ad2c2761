r"""Loop-based twins of the fast kernels: each op's definition, one multiply-add at a time.

Read these first, then the fast kernels: both compute the same numbers, but a twin says
what the op *is*, while :mod:`~minitorch.kernels.conv`, :mod:`~minitorch.kernels.pool`
and :mod:`~minitorch.kernels.cross_entropy` rearrange the same sums into a few large
array operations so that they run thousands of times faster. ``tests/test_kernels.py``
checks every fast kernel against its twin on random shapes (hypothesis).

====================================  ===================================================
fast kernel                           twin here
====================================  ===================================================
``conv.conv_forward`` (im2col,        :func:`conv_forward` (and :func:`conv2d_naive`,
Fourier, Winograd, shifted, direct,   the same with PyTorch's symmetric padding)
1x1 paths)
``conv.conv_input_grad``              :func:`conv_input_grad`
``conv.conv_weight_grad``             :func:`conv_weight_grad`
``pool.max_pool_forward`` + indices   :func:`max_pool_forward`
``pool.scatter_to_planes``            :func:`max_pool_backward`
``pool.separable_apply`` /            :func:`avg_pool_forward`, :func:`avg_pool_backward`
``block_sum`` (average pooling)
``pool.adaptive_max_indices``        :func:`adaptive_max_pool_forward` (backward:
                                      :func:`max_pool_backward`)
adaptive average (``window_matrix``)  :func:`adaptive_avg_pool_forward`,
                                      :func:`adaptive_avg_pool_backward`
``cross_entropy.cross_entropy_forward``  :func:`cross_entropy_forward`
``cross_entropy.cross_entropy_grad``  :func:`cross_entropy_grad`
``relu.relu``                         :func:`relu`
====================================  ===================================================

All work on NumPy arrays of shape (N, C, H, W) (class dim 1 for cross-entropy).
"""

from __future__ import annotations

import math

import numpy as np


def conv2d_naive(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: tuple[int, int] = (1, 1),
    padding: tuple[int, int] = (0, 0),
    dilation: tuple[int, int] = (1, 1),
    groups: int = 1,
) -> np.ndarray:
    r"""Convolution (cross-correlation) of NumPy arrays by its definition, with loops.

    .. math::

        y_{n,o,p,q} = b_o + \sum_{c=0}^{C/g-1} \sum_{i=0}^{k_h-1} \sum_{j=0}^{k_w-1}
            w_{o,c,i,j}\; x^{\mathrm{pad}}_{n,\; g(o) C/g + c,\; p s_h + i d_h,\; q s_w + j d_w}

    where :math:`g(o)` is the group of output channel :math:`o` and :math:`x^{\mathrm{pad}}`
    is the input with ``padding`` zeros on each side.

    Parameters
    ----------
    x : ndarray
        Input of shape (N, C, H, W).
    w : ndarray
        Weight of shape (O, C / groups, kh, kw).
    b : ndarray, optional
        Bias of shape (O,).
    stride, padding, dilation : (int, int)
        Step between windows, zeros added on each side, spacing between kernel taps.
    groups : int
        Channels are split into this many groups; output channel ``o`` only sees the
        input channels of its own group.

    Returns
    -------
    ndarray
        Shape (N, O, OH, OW), with
        ``OH = (H + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1``.
    """
    n_batch, c_in, height, width = x.shape
    c_out, c_per_group, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    out_per_group = c_out // groups

    x_pad = np.zeros((n_batch, c_in, height + 2 * ph, width + 2 * pw), dtype=x.dtype)
    x_pad[:, :, ph : ph + height, pw : pw + width] = x
    out_h = (height + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    out_w = (width + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n_batch, c_out, out_h, out_w), dtype=x.dtype)

    for n in range(n_batch):  # every image
        for o in range(c_out):  # every output channel (one filter)
            first_channel = (o // out_per_group) * c_per_group  # its group's first input channel
            for p in range(out_h):  # every output pixel
                for q in range(out_w):
                    total = b[o] if b is not None else 0.0
                    for c in range(c_per_group):  # the filter's window: channels, rows, cols
                        for i in range(kh):
                            for j in range(kw):
                                pixel = x_pad[
                                    n, first_channel + c, p * sh + i * dh, q * sw + j * dw
                                ]
                                total += w[o, c, i, j] * pixel
                    y[n, o, p, q] = total
    return y


# ---------------------------------------------------------------------------------------
# Convolution with explicit (top, bottom, left, right) padding, forward and both gradients
# ---------------------------------------------------------------------------------------
def _conv_taps(x_shape, w_shape, stride, padding, dilation, groups):
    """Every multiply-add of a convolution as ``(n, o, p, q, ci, c, i, j, row, col)``:
    output pixel ``(n, o, p, q)`` adds ``w[o, c, i, j] * x[n, ci, row, col]`` (taps that
    fall on the zero padding are left out: they add nothing)."""
    n_batch, _, height, width = x_shape
    c_out, c_per_group, kh, kw = w_shape
    (sh, sw), (pt, pb, pl, pr), (dh, dw) = stride, padding, dilation
    out_h = (height + pt + pb - dh * (kh - 1) - 1) // sh + 1
    out_w = (width + pl + pr - dw * (kw - 1) - 1) // sw + 1
    out_per_group = c_out // groups
    for n in range(n_batch):
        for o in range(c_out):
            first_channel = (o // out_per_group) * c_per_group
            for p in range(out_h):
                for q in range(out_w):
                    for c in range(c_per_group):
                        for i in range(kh):
                            for j in range(kw):
                                row, col = p * sh + i * dh - pt, q * sw + j * dw - pl
                                if 0 <= row < height and 0 <= col < width:
                                    yield n, o, p, q, first_channel + c, c, i, j, row, col


def _out_shape(x_shape, w_shape, stride, padding, dilation):
    (sh, sw), (pt, pb, pl, pr), (dh, dw) = stride, padding, dilation
    kh, kw = w_shape[2:]
    return (
        x_shape[0],
        w_shape[0],
        (x_shape[2] + pt + pb - dh * (kh - 1) - 1) // sh + 1,
        (x_shape[3] + pl + pr - dw * (kw - 1) - 1) // sw + 1,
    )


def conv_forward(x, w, stride, padding, dilation, groups):
    r""":math:`y_{n,o,p,q} = \sum_{c,i,j} w_{o,c,i,j}\, x_{n,\,g(o)+c,\; p s_h + i d_h - p_t,\;
    q s_w + j d_w - p_l}` (no bias), ``padding`` = (top, bottom, left, right)."""
    y = np.zeros(_out_shape(x.shape, w.shape, stride, padding, dilation), dtype=x.dtype)
    for n, o, p, q, ci, c, i, j, row, col in _conv_taps(
        x.shape, w.shape, stride, padding, dilation, groups
    ):
        y[n, o, p, q] += w[o, c, i, j] * x[n, ci, row, col]
    return y


def conv_input_grad(grad, w, x_shape, stride, padding, dilation, groups):
    r""":math:`\partial L/\partial x`: every multiply-add sends :math:`w \cdot g` back to
    the input pixel it read (a transposed convolution)."""
    gx = np.zeros(x_shape, dtype=grad.dtype)
    for n, o, p, q, ci, c, i, j, row, col in _conv_taps(
        x_shape, w.shape, stride, padding, dilation, groups
    ):
        gx[n, ci, row, col] += w[o, c, i, j] * grad[n, o, p, q]
    return gx


def conv_weight_grad(x, grad, w_shape, stride, padding, dilation, groups):
    r""":math:`\partial L/\partial w_{o,c,i,j} = \sum_{n,p,q} g_{n,o,p,q}\, x_{n,\,g(o)+c,
    \,\text{row},\,\text{col}}`: every multiply-add sends :math:`x \cdot g` to its weight."""
    gw = np.zeros(w_shape, dtype=grad.dtype)
    for n, o, p, q, ci, c, i, j, row, col in _conv_taps(
        x.shape, w_shape, stride, padding, dilation, groups
    ):
        gw[o, c, i, j] += grad[n, o, p, q] * x[n, ci, row, col]
    return gw


# ---------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------
def _window(p, q, kernel, stride, padding, dilation, height, width):
    """The input pixels ``(row, col)`` of window ``(p, q)``, row-major, padding left out."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    for i in range(kh):
        for j in range(kw):
            row, col = p * sh + i * dh - ph, q * sw + j * dw - pw
            if 0 <= row < height and 0 <= col < width:
                yield row, col


def max_pool_forward(x, kernel, stride, padding, dilation, out_size):
    """Max of every window and the flat index ``row * W + col`` of its winner.

    Ties go to the first maximum (row-major); a NaN beats every number; padding never
    wins (PyTorch's rules). A window that only covers padding (possible with dilation)
    gives -inf at the first tap position at or after the input's start, as PyTorch's.
    """
    n_batch, channels, height, width = x.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    y = np.empty((n_batch, channels, *out_size), dtype=x.dtype)
    idx = np.empty(y.shape, dtype=np.int64)
    for n in range(n_batch):
        for c in range(channels):
            for p in range(out_size[0]):
                for q in range(out_size[1]):
                    row0, col0 = p * sh - ph, q * sw - pw
                    while row0 < 0:
                        row0 += dh
                    while col0 < 0:
                        col0 += dw
                    best, where = -math.inf, row0 * width + col0
                    for row, col in _window(p, q, kernel, stride, padding, dilation, height, width):
                        v = x[n, c, row, col]
                        if v > best or (math.isnan(v) and not math.isnan(best)):
                            best, where = v, row * width + col
                    y[n, c, p, q], idx[n, c, p, q] = best, where
    return y, idx


def max_pool_backward(grad, idx, x_shape):
    """Each output gradient goes back to its window's winner; winners of several windows
    collect all of theirs."""
    gx = np.zeros(x_shape, dtype=grad.dtype)
    width = x_shape[3]
    for n, c, p, q in np.ndindex(*grad.shape):
        row, col = divmod(int(idx[n, c, p, q]), width)
        gx[n, c, row, col] += grad[n, c, p, q]
    return gx


def _avg_divisor(p, q, kernel, stride, padding, height, width, count_include_pad, divisor):
    """PyTorch's divisor of window ``(p, q)``: ``divisor`` if given; else the window's size
    clipped to the padded input (with padding) or the number of real pixels in it."""
    if divisor is not None:
        return divisor
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    if count_include_pad:
        rows = min(p * sh - ph + kh, height + ph) - (p * sh - ph)
        cols = min(q * sw - pw + kw, width + pw) - (q * sw - pw)
        return rows * cols
    return len(list(_window(p, q, kernel, stride, padding, (1, 1), height, width)))


def avg_pool_forward(x, kernel, stride, padding, out_size, count_include_pad=True, divisor=None):
    """Mean of every window (the real pixels summed, divided by PyTorch's divisor)."""
    n_batch, channels, height, width = x.shape
    y = np.zeros((n_batch, channels, *out_size), dtype=x.dtype)
    for n, c, p, q in np.ndindex(*y.shape):
        d = _avg_divisor(p, q, kernel, stride, padding, height, width, count_include_pad, divisor)
        for row, col in _window(p, q, kernel, stride, padding, (1, 1), height, width):
            y[n, c, p, q] += x[n, c, row, col] / d
    return y


def avg_pool_backward(grad, x_shape, kernel, stride, padding, count_include_pad=True,
                      divisor=None):
    """Every real pixel of window ``(p, q)`` gets ``g[p, q] / divisor``."""
    height, width = x_shape[2:]
    gx = np.zeros(x_shape, dtype=grad.dtype)
    for n, c, p, q in np.ndindex(*grad.shape):
        d = _avg_divisor(p, q, kernel, stride, padding, height, width, count_include_pad, divisor)
        for row, col in _window(p, q, kernel, stride, padding, (1, 1), height, width):
            gx[n, c, row, col] += grad[n, c, p, q] / d
    return gx


def _adaptive_window(i: int, size: int, out: int) -> range:
    """Adaptive pooling's window ``i`` of ``out`` over ``size``:
    rows ``floor(i * size / out)`` up to ``ceil((i + 1) * size / out)``."""
    return range(i * size // out, -(-(i + 1) * size // out))


def adaptive_max_pool_forward(x, out_size):
    """Max of every adaptive window and the flat index ``row * W + col`` of its winner
    (the first maximum, row-major; a NaN beats every number)."""
    n_batch, channels, height, width = x.shape
    y = np.empty((n_batch, channels, *out_size), dtype=x.dtype)
    idx = np.empty(y.shape, dtype=np.int64)
    for n, c, p, q in np.ndindex(*y.shape):
        best, where = None, -1
        for row in _adaptive_window(p, height, out_size[0]):
            for col in _adaptive_window(q, width, out_size[1]):
                v = x[n, c, row, col]
                if best is None or v > best or (math.isnan(v) and not math.isnan(best)):
                    best, where = v, row * width + col
        y[n, c, p, q], idx[n, c, p, q] = best, where
    return y, idx


def adaptive_avg_pool_forward(x, out_size):
    """Mean of every adaptive window."""
    height, width = x.shape[2:]
    y = np.zeros((*x.shape[:2], *out_size), dtype=x.dtype)
    for n, c, p, q in np.ndindex(*y.shape):
        rows = _adaptive_window(p, height, out_size[0])
        cols = _adaptive_window(q, width, out_size[1])
        y[n, c, p, q] = sum(x[n, c, r, k] for r in rows for k in cols) / (len(rows) * len(cols))
    return y


def adaptive_avg_pool_backward(grad, x_shape):
    """Every pixel of adaptive window ``(p, q)`` gets ``g[p, q]`` over the window's size."""
    height, width = x_shape[2:]
    out_size = grad.shape[2:]
    gx = np.zeros(x_shape, dtype=grad.dtype)
    for n, c, p, q in np.ndindex(*grad.shape):
        rows = _adaptive_window(p, height, out_size[0])
        cols = _adaptive_window(q, width, out_size[1])
        for r in rows:
            for k in cols:
                gx[n, c, r, k] += grad[n, c, p, q] / (len(rows) * len(cols))
    return gx


# ---------------------------------------------------------------------------------------
# Cross-entropy with class-index targets (class dim 1)
# ---------------------------------------------------------------------------------------
def _positions(x):
    """Every position ``(n, d1, ...)`` and the index of its class vector in ``x``."""
    rest = x.shape[2:]
    for n in range(x.shape[0]):
        for pos in np.ndindex(*rest):
            yield (n, *pos), (n, slice(None), *pos)


def _log_sum_exp(logits) -> float:
    """:math:`\\log\\sum_c e^{x_c}`, with the max subtracted first so no exponential
    overflows."""
    m = max(logits)
    return m + math.log(sum(math.exp(v - m) for v in logits))


def cross_entropy_forward(x, target, ignore_index):
    r""":math:`\ell = \log\sum_c e^{x_c} - x_t` per position (0 where the target is
    ``ignore_index``), with the max subtracted first so no exponential overflows."""
    loss = np.zeros(target.shape, dtype=x.dtype)
    for pos, vec in _positions(x):
        t = int(target[pos])
        if t == ignore_index:
            continue
        loss[pos] = _log_sum_exp(x[vec]) - x[vec][t]
    return loss


def cross_entropy_grad(x, target, v, ignore_index):
    r""":math:`\partial \ell/\partial x_c = (\mathrm{softmax}(x)_c - [c = t])\, v` per
    position (``v``: its upstream gradient times its weight); 0 at ignored positions."""
    gx = np.zeros(x.shape, dtype=x.dtype)
    for pos, vec in _positions(x):
        t = int(target[pos])
        if t == ignore_index:
            continue
        lse = _log_sum_exp(x[vec])
        for c, u in enumerate(x[vec]):
            gx[(pos[0], c, *pos[1:])] = (math.exp(u - lse) - (c == t)) * v[pos]
    return gx


def relu(x):
    """``max(x, 0)``, one element at a time (NaN stays NaN: ``NaN > 0`` is false)."""
    out = np.array(x, copy=True)
    for i in np.ndindex(out.shape):
        v = out[i]
        out[i] = v if (v > 0 or math.isnan(v)) else 0
    return out
