r"""Convolutions with few input channels (the first layer of a CNN), im2col a few images at a time.

Why. A network's first convolution sees 1 or 3 channels (MNIST, CIFAR), so a 5x5 kernel
makes an im2col column matrix of only ``C kh kw`` = 25 or 75 rows, but 25x as large as
the input: at batch 256 on 28x28 maps, 20 MB written, then read back by a product that
does only ``2 O`` FLOPs per entry (``O`` = 6 or 16 output channels). That product is
limited by memory, not arithmetic: building the whole matrix first and multiplying it
afterwards streams it through main memory twice. Here the columns of a *block* of
images (a few MiB) are built and used at once, while they are still in the cache,
and the next block reuses the same buffer.

The columns, cheaply. Pad each input map once into rows of width :math:`P_w` (one spare
zero row at the bottom) and read it as one flat line of pixels. The output pixel
:math:`(p, q)` sees padded pixel :math:`(p + i, q + j)` through tap :math:`(i, j)`, which
sits :math:`i P_w + j` places after position :math:`t = p P_w + q` in that line. So
computing the output at *every* :math:`t = 0 \ldots OH\,P_w - 1` (all :math:`P_w`
columns, of which only the first :math:`OW` are real output pixels), row ``(c, i, j)`` of
the column matrix is one contiguous stretch of the line,

.. math::

    \mathrm{cols}_{(c,i,j),\,t} = x^{\mathrm{pad}}_{c}[\,t + i P_w + j\,],
    \qquad t = 0, \ldots, OH\,P_w - 1,

a plain memory copy (runs of ``OH * P_w`` values instead of im2col's runs of ``OW``).
The :math:`P_w - OW` extra columns per row ("wrap" columns, whose windows run across the
right edge into the next row) cost :math:`P_w / OW` more work (32/28 for the tutorial's
first layer) and are dropped from the output. In the gradients the output gradient
:math:`G` is laid out the same way with *zeros* in the wrap columns, so they add
nothing:

* forward, per image: :math:`Y_n = W\,\mathrm{cols}_n` (:math:`W` as ``O x C kh kw``);
* weight: :math:`\partial L/\partial W = \sum_n G_n\,\mathrm{cols}_n^\top`, block by block too;
* input: :math:`\mathrm{cols}(\partial L/\partial X)_n = W^\top G_n`, each row added back
  onto the stretch of the line it came from (col2im as ``C kh kw`` slice-additions).

A wrap column does multiply input values by a zero gradient, so an infinite input would
make a NaN where the exact sum has none: like the Fourier path, this one is left for
im2col when an input is not finite (``conv.local_if_not_finite``).

The blocks of a large batch run on two threads when a core is free (``split_work``):
each image's product is too small for OpenBLAS to share it out. Small batches keep their
columns for the weight gradient (``_KEEP_BYTES``); larger ones keep only the padded input
and rebuild them, on the lines, or, with 8 or more output channels, as im2col's exact
windows, which spare laying out the gradient (:func:`weight_grad`).

Stride 1, no dilation or groups, float32/float64 on the CPU. Chosen for first layers
from a few images on (``conv.prefer_direct``, fitted on measurements). Twins: im2col
(``conv.py``) and the loops of ``reference.py``.
"""

from __future__ import annotations

import numpy as np

from .copies import sliding_windows
from .threads import parts_region, split_work

# Columns per block. Measured (forward and weight gradient, 1->16 at b64 and b256,
# 1->6 and 3->6 at 32x32): 4-8 MiB blocks were fastest, 1.5-2x faster than 256 KiB
# blocks (each block's products are small, and OpenBLAS has a fixed cost per product)
# and up to 2x faster than the whole batch at once (the columns then leave the 32 MiB L3).
_BLOCK_BYTES = 1 << 22
# Weight gradient with at least this many output channels: im2col's exact windows (see
# weight_grad) and the product (cols_n G_n^T)^T, which OpenBLAS runs faster than G_n cols_n^T
# when O is not small (its kernels prefer the longer side as rows). Measured (AVX-512
# kernels, batch 64, ms): 1->16 at 28x28, padding 2: columns + gradient lines + product
# 0.075 + 0.121 + 0.325 against windows + product 0.216 + 0.224; 3->32 3x3 at 32x32
# (batch 32): 0.05 + 0.13 + 0.48 against 0.14 + 0.37; but 1->6 at 32x32: 0.078 + 0.046 +
# 0.137 against 0.215 + 0.117, and 3->6: 0.94 against 1.17. The product alone, 16 images
# of 896 positions: O = 16, K = 75: 0.30 against 0.58 ms; O = 6: 3-6% slower at every K.
_WINDOW_COLUMNS_MIN_O = 8
# ... and at most this many bytes of window columns in all: 1->16 at batch 256 (19 MiB) took
# 2.4-2.7 ms with windows against 2.2-2.3 on the lines, whatever the block size (0.5-8 MiB);
# at batch 128 (9.6 MiB) the two were on par.
_WINDOW_COLUMNS_MAX_BYTES = 8 << 20
# The forward keeps the whole batch's columns for the weight gradient up to this size (they
# stay in the caches until the backward pass). Measured in whole training steps (in-process
# A/B, 25 rounds): the blitz net at batch 4 (1.1 MiB of columns) 2-3% faster; with 6 MiB
# (the tutorial CNN and LeNet at batch 64) 2-7% *slower* than rebuilding them from the
# padded input, which the other layers leave in the cache where they evict the columns.
_KEEP_BYTES = 1 << 21


def _sizes(x_shape, kh: int, kw: int, padding):
    """(P_h, P_w, OH, OW, T): padded size, output size, and T = OH * P_w line positions."""
    pt, pb, pl, pr = padding
    ph, pw = x_shape[2] + pt + pb, x_shape[3] + pl + pr
    oh, ow = ph - kh + 1, pw - kw + 1
    return ph, pw, oh, ow, oh * pw


def padded_lines(x, padding):
    """(N, C, H, W) -> zero-padded (N, C, P_h + 1, P_w): one spare zero row, so that the
    last tap's stretch of the line stays inside each map."""
    pt, pb, pl, pr = padding
    n, c, h, w = x.shape
    xpad = np.zeros((n, c, h + pt + pb + 1, w + pl + pr), dtype=x.dtype)
    xpad[:, :, pt : pt + h, pl : pl + w] = x
    return xpad


def _columns(xpad, lo: int, hi: int, kh: int, kw: int, t: int, out):
    """Columns of images ``lo:hi`` into ``out`` (>= hi - lo, >= C kh kw, T): entry
    ``[b, (c, i, j), s]`` is line position ``s + i P_w + j`` of map ``(lo + b, c)``."""
    n_b, c = hi - lo, xpad.shape[1]
    sn, sc, sh, sw = xpad.strides
    view = sliding_windows(xpad[lo:], (n_b, c, kh, kw, t), (sn, sc, sh, sw, sw))
    out[: n_b, : c * kh * kw].reshape(n_b, c, kh, kw, t)[...] = view  # (rows past C kh kw kept)
    return out[: n_b]


def _window_columns(xpad, lo: int, hi: int, kh: int, kw: int, oh: int, ow: int, out):
    """im2col's exact windows of images ``lo:hi`` into ``out`` (>= hi - lo, C kh kw, OH OW):
    entry ``[b, (c, i, j), (p, q)]`` is padded pixel ``(p + i, q + j)`` of map ``(lo + b, c)``."""
    n_b, c = hi - lo, xpad.shape[1]
    sn, sc, sh, sw = xpad.strides
    view = sliding_windows(xpad[lo:], (n_b, c, kh, kw, oh, ow), (sn, sc, sh, sw, sh, sw))
    out[:n_b].reshape(n_b, c, kh, kw, oh, ow)[...] = view
    return out[:n_b]


def _blocks(n: int, per_image: int) -> int:
    """Images per block: as many as fit ``_BLOCK_BYTES`` of columns (at least one)."""
    return max(1, min(n, _BLOCK_BYTES // max(per_image, 1)))


def _over_blocks(fn, n: int, per_image: int) -> list:
    """Run ``buf = fn(lo, hi, buf, step)`` on consecutive blocks of ``step`` images (``buf``:
    None on a part's first block, then what ``fn`` returned, so the blocks share their
    buffers); returns each part's last ``buf``.

    The batch is cut into parts run on threads at once (``split_work``: when the work is
    large and cores are free), each part with its own buffers and its products on one
    OpenBLAS thread (:class:`~minitorch.kernels.threads.parts_region`). One image's
    product is small (the tutorial CNN's first layer: 16 x 26 x 896 = 373 thousand
    multiply-adds, 20-40 us): OpenBLAS shares products out from 262144 on, but it gains
    little on such sizes, and called from both our threads it would run four threads on
    two cores, its idle ones spinning ~1.5 ms afterwards on the core the next layer's
    parts need. Measured in the blitz net's training step at batch 64 with OpenBLAS's
    threads allowed: the first layer's weight gradient took 1.6 ms on the worker's half
    of the batch against 0.5 ms on the caller's.
    """
    step = _blocks(n, per_image)
    parts: dict = {}

    def run(images: slice) -> None:
        start, stop, _ = images.indices(n)
        buf = None
        for lo in range(start, stop, step):
            buf = fn(lo, min(stop, lo + step), buf, step)
        parts[start] = buf

    with parts_region():
        split_work(run, n, n * per_image)
    return [parts[start] for start in sorted(parts)]  # in order: sums repeat bit for bit


def forward(x, w, padding, bias=None, xpad=None):
    r"""Stride-1 convolution (N, C, H, W) * (O, C, kh, kw) (+ bias) -> (N, O, OH, OW).

    Per block of images: build the columns, :math:`Y_n = W \mathrm{cols}_n` for each image,
    keep the first OW of every P_w output columns (adding the bias on the way). Returns
    ``(out, cache)``, what :func:`weight_grad` reuses: the columns of the whole batch when
    they take at most ``_KEEP_BYTES``, else the padded input (``xpad``, reused if given).
    """
    n = x.shape[0]
    o, c, kh, kw = w.shape
    _, pw, oh, ow, t = _sizes(x.shape, kh, kw, padding)
    if xpad is None:
        xpad = padded_lines(x, padding)
    k = c * kh * kw
    # The bias rides along in the product: one more column of W (the bias) against one
    # more row of ones in the columns. Adding it afterwards would be a broadcasting pass
    # over the strided valid part of the output: measured 2.3x slower than the plain copy.
    wmat = w.reshape(o, k) if bias is None else np.concatenate([w.reshape(o, k), bias.reshape(o, 1)], 1)
    rows = wmat.shape[1]
    kept = np.empty((n, rows, t), x.dtype) if n * rows * t * x.itemsize <= _KEEP_BYTES else None
    if kept is not None:
        kept[:, k:] = 1
    out = np.empty((n, o, oh, ow), dtype=x.dtype)

    def block(lo: int, hi: int, buf, step: int):
        if buf is None:  # (the block's columns, unless kept; its product)
            buf = None if kept is not None else np.empty((step, rows, t), x.dtype), np.empty((step, o, t), x.dtype)
            if kept is None:
                buf[0][:, k:] = 1
        cols = _columns(xpad, lo, hi, kh, kw, t, kept[lo:hi] if kept is not None else buf[0])
        y = np.matmul(wmat, cols, out=buf[1][: hi - lo])
        out[lo:hi] = y.reshape(hi - lo, o, oh, pw)[..., :ow]
        return buf

    _over_blocks(block, n, rows * t * x.itemsize)
    return out, (xpad if kept is None else kept)


def grad_lines(g, padding, x_shape):
    """The output gradient (N, O, OH, OW) as (N, O, OH * P_w), zeros in the wrap columns."""
    n, o, oh, ow = g.shape
    pw = x_shape[3] + padding[2] + padding[3]
    gpad = np.zeros((n, o, oh, pw), dtype=g.dtype)
    gpad[..., :ow] = g
    return gpad.reshape(n, o, oh * pw)


def weight_grad(x, g, w_shape, padding, cache=None):
    r""":math:`\partial L/\partial W = \sum_n G_n \mathrm{cols}_n^\top`, block by block.

    ``cache``: what :func:`forward` returned, the columns (used as they are) or the
    padded input (the columns rebuilt block by block). Two layouts of a block:

    * on the lines, as in the forward: each block's gradient is laid out on the lines
      (:func:`grad_lines`) in a buffer whose wrap columns are zeroed once and never
      written, so the whole gradient is never padded in main memory;
    * with 8 or more output channels (``_WINDOW_COLUMNS_MIN_O``) and up to 8 MiB of them
      (``_WINDOW_COLUMNS_MAX_BYTES``), im2col's exact windows
      (runs of ``OW`` values, no wrap columns), so that the product reads the gradient
      as it is: laying out ``O`` gradient rows per image then costs more than the
      slower copy of ``C kh kw`` column rows, and the product is smaller.
    """
    n = x.shape[0]
    o, c, kh, kw = w_shape
    _, pw, oh, ow, t = _sizes(x.shape, kh, kw, padding)
    k = c * kh * kw
    kept = cache if cache is not None and cache.ndim == 3 else None  # the forward's columns
    xpad = cache if cache is not None and cache.ndim == 4 else None
    if kept is None and xpad is None:
        xpad = padded_lines(x, padding)
    windows = (kept is None and o >= _WINDOW_COLUMNS_MIN_O
               and n * k * oh * ow * x.itemsize <= _WINDOW_COLUMNS_MAX_BYTES)

    def block(lo: int, hi: int, buf, step: int):
        if buf is None:  # (columns, gradient lines, this part's sum)
            buf = (None if kept is not None else np.empty((step, k, oh * ow if windows else t), x.dtype),
                   None if windows else np.zeros((step, o, t), x.dtype), np.zeros((o, k), x.dtype))
        if windows:
            cols = _window_columns(xpad, lo, hi, kh, kw, oh, ow, buf[0])
            buf[2][...] += np.matmul(cols, g[lo:hi].reshape(hi - lo, o, oh * ow).transpose(0, 2, 1)).sum(0).T
            return buf
        cols = kept[lo:hi, :k] if kept is not None else _columns(xpad, lo, hi, kh, kw, t, buf[0])
        lines = buf[1][: hi - lo]
        lines.reshape(hi - lo, o, oh, pw)[..., :ow] = g[lo:hi]
        if o < _WINDOW_COLUMNS_MIN_O:
            buf[2][...] += np.matmul(lines, cols.transpose(0, 2, 1)).sum(0)  # (O, K), in place
        else:  # the transposed product: faster with many channels, see _WINDOW_COLUMNS_MIN_O
            buf[2][...] += np.matmul(cols, lines.transpose(0, 2, 1)).sum(0).T
        return buf

    per_image = (k + o) * (oh * ow if windows else t) * x.itemsize  # columns and gradient
    return sum(part[2] for part in _over_blocks(block, n, per_image)).reshape(w_shape)


def input_grad(g, w, x_shape, padding):
    r""":math:`\partial L/\partial X`: the columns :math:`W^\top G_n` of all images in one
    product, then each row ``(c, i, j)`` added onto its stretch of the padded line."""
    n, c, h, wd = x_shape
    o, _, kh, kw = w.shape
    _, pw, _, _, t = _sizes(x_shape, kh, kw, padding)
    pt, _, pl, _ = padding
    dcols = np.matmul(w.reshape(o, -1).T, grad_lines(g, padding, x_shape)).reshape(n, c, kh, kw, t)
    ph = x_shape[2] + padding[0] + padding[1]
    dpad = np.zeros((n, c, (ph + 1) * pw), dtype=g.dtype)
    for i in range(kh):
        for j in range(kw):
            start = i * pw + j
            dpad[:, :, start : start + t] += dcols[:, :, i, j]
    return np.ascontiguousarray(dpad.reshape(n, c, ph + 1, pw)[:, :, pt : pt + h, pl : pl + wd])
