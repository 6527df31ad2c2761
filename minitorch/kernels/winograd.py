r"""3x3 stride-1 convolution by Winograd's minimal filtering, as batched matrix products.

Why. im2col (``ops/conv.py``) copies every input pixel 9 times for a 3x3 kernel and
spends :math:`9\,C\,O` multiply-adds on every output pixel. Winograd's minimal filtering
algorithm :math:`F(m \times m, 3 \times 3)` (Lavin & Gray, 2015) computes an
:math:`m \times m` block ("tile") of outputs from an :math:`(m+2) \times (m+2)` block of
inputs with :math:`(m+2)^2` multiplications instead of :math:`9 m^2`: 16 instead of 36
for :math:`F(2 \times 2, 3 \times 3)`, 36 instead of 144 for :math:`F(4 \times 4, 3 \times 3)`.

The algorithm, for one input tile :math:`d` ((m+2) x (m+2)), one 3x3 filter :math:`g` and
the constant matrices :math:`B^\top, G, A^\top` of the chosen :math:`F`:

.. math::

    Y = A^\top \big[ (G g G^\top) \odot (B^\top d B) \big] A .

Summed over input channels, the elementwise product at each of the :math:`(m+2)^2`
*points* :math:`p` of the transformed tile is a matrix product, exactly as each frequency
is one on the Fourier path (``conv_fourier.py``):

.. math::

    M_p = V_p U_p^\top, \qquad U_p = (G g G^\top)_p: O \times C, \quad
    V_p = (B^\top d B)_p: T \times C, \quad M_p: T \times O,

over all :math:`T = t_h t_w N` tiles of the batch at once (``conv2d`` uses
:math:`F(4 \times 4, 3 \times 3)`; the tests run :math:`F(2 \times 2, 3 \times 3)` too);
then every tile's output is :math:`A^\top M A`. Output tiles sit at stride :math:`m`;
input tiles overlap by 2 pixels. The filters' transform is one small product with the
Kronecker matrix :math:`G \otimes G`
(:math:`\mathrm{vec}(G g G^\top) = (G \otimes G)\,\mathrm{vec}(g)`).

Layout is the whole speed. The input and output transforms are done separably, along H
and then W, as small products with :math:`B^\top` (:math:`A^\top`) on the image in
(H, W, N, C) order: row :math:`i` of every tile is every m-th image row, a contiguous
run of W N C values, and column :math:`j` every m-th run of N C values, so each product
streams long contiguous runs (strided views of the overlapping tiles, never copies),
and the per-point products read and write (T, C) and (T, O) matrices as they lie. In
(N, C, H, W) order every m-th *column* is a stride-m walk along the innermost axis,
which NumPy cannot vectorise: the earlier version of this module, done that way with
one in-place addition per matrix entry, spent 3.7 ms on the input transform and 3.2 ms
on the output transform of F(2x2) for a 32 -> 32 layer on 32x32 maps at batch 32 (the
products: 1.7 ms), and was never chosen. Here one blocked transposing copy in and one
out (:func:`_to_pixel_major`) pay for the layout; F(4x4, 3x3)'s products need a quarter
of im2col's multiplications. Measured in docs/PERFORMANCE.md.

Gradients are the adjoint linear maps, in reverse order (with :math:`\partial Y` cut into
the same tiles and :math:`\partial M = (A \otimes A)\,\mathrm{vec}(\partial Y)`, shared
by both):

* input: :math:`\partial V_p = \partial M_p U_p`, then
  :math:`\partial d = B\,\partial V B^\top` per tile, added back onto the pixels of the
  overlapping tiles (the separable transform's adjoint: products with :math:`B` along
  W, then along H, each tile's first m columns (rows) written, its last two added onto
  its neighbour's);
* weight: :math:`\partial U_p = \partial M_p^\top V_p` (the :math:`V` saved by the
  forward pass), then :math:`\partial g = G^\top \partial U\, G`.

These are exactly the gradients of the convolution, because the forward pass *is* the
convolution (in exact arithmetic) and the adjoint of a composition is the reverse
composition of adjoints.

Numerics: the transforms add and subtract neighbouring pixels (and, for F(4x4), scale by
up to 8), so float32 rounding grows with the tile's dynamic range: F(4x4)'s output is
off by ~2e-6 of its largest entry (PyTorch's direct convolution: ~4e-7), measured
against float64 in docs/PERFORMANCE.md. A NaN or infinity would spread over its whole tile (and
``inf - inf`` makes NaNs where a direct convolution has infinities), so the caller
(``ops/conv.py``) takes im2col whenever an input is not finite.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .copies import contiguous_copy, transpose_into
from .threads import split_work


class Minimal(NamedTuple):
    r"""The constant matrices of :math:`F(m \times m, 3 \times 3)`: ``at`` is m x (m+2),
    ``g`` is (m+2) x 3, ``bt`` is (m+2) x (m+2)."""

    m: int
    at: np.ndarray
    g: np.ndarray
    bt: np.ndarray


# Lavin & Gray's matrices for F(2, 3) (interpolation points 0, 1, -1 and infinity). For
# F(4, 3), the Toom-Cook matrices of the points 0, 1, -1, 1/2, -2 and infinity (Barabasz
# et al., "Error analysis and improving the accuracy of Winograd convolution", 2020):
# A^T's columns are the points' powers, G's rows (1, p, p^2) / prod_{q != p} (p - q), and
# B^T solves A^T [(G g) * (B^T d)] = the correlation of d and g. Measured in float32 (a
# 32 -> 16 layer on 20x20 maps), their errors against float64 are 2-3x smaller than
# those of Lavin & Gray's points 0, +-1, +-2 (output 1.7e-6 against 3.7e-6, relative to
# the largest entry); the transforms are dense products here, so their extra non-zero
# entries cost nothing.
F2 = Minimal(
    2,
    np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=np.float64),
    np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]),
    np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=np.float64),
)
F4 = Minimal(
    4,
    np.array([[1, 1, 1, 1, 1, 0], [0, 1, -1, 1 / 2, -2, 0],
              [0, 1, 1, 1 / 4, 4, 0], [0, 1, -1, 1 / 8, -8, 1]]),
    np.array([[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [-1 / 3, 1 / 3, -1 / 3],
              [-16 / 15, -8 / 15, -4 / 15], [1 / 15, -2 / 15, 4 / 15], [0, 0, 1]]),
    np.array([[1, -3 / 2, -2, 3 / 2, 1, 0], [0, -1, 1 / 2, 5 / 2, 1, 0],
              [0, 1, -5 / 2, 1 / 2, 1, 0], [0, -2, -1, 2, 1, 0],
              [0, 1 / 2, -1, -1 / 2, 1, 0], [0, 1, -3 / 2, -2, 3 / 2, 1]]),
)
ALGORITHMS = {2: F2, 4: F4}


@lru_cache(maxsize=16)
def _kron(m: int, which: str, dtype) -> np.ndarray:
    """The transform of a flattened tile, :math:`X \\otimes X` for X = A^T, G or B^T."""
    x = getattr(ALGORITHMS[m], which)
    k = np.kron(x, x).astype(dtype)
    k.setflags(write=False)  # cached and shared: nobody may change it
    return k


class Tiling(NamedTuple):
    """How a layer is cut into tiles: ``th x tw`` tiles of ``m x m`` outputs per image."""

    m: int
    oh: int
    ow: int
    th: int
    tw: int


def tiling(x_shape, padding, m: int) -> Tiling:
    """Output size of the 3x3 convolution and its tiles (the last ones may overhang)."""
    pt, pb, pl, pr = padding
    oh, ow = x_shape[2] + pt + pb - 2, x_shape[3] + pl + pr - 2
    return Tiling(m, oh, ow, -(-oh // m), -(-ow // m))


# ---------------------------------------------------------------------------------------
# Layout. The transforms run on images in (H, W, N, C) order ("pixel-major"): the i-th
# row (column) of every tile is then every m-th block of whole (W, N, C) rows ((N, C)
# runs), so each transform along H or W is one small matrix product over long
# contiguous runs, and the points' products read (T, C) matrices as they lie. The price
# is one transposing copy in and one out (:func:`_to_pixel_major`).
# ---------------------------------------------------------------------------------------
_CHUNK_BYTES = 1 << 22  # at most this much dV (unless one row is more) per step of input_grad


def _to_pixel_major(x, out) -> None:
    """``out[h, w, n, c] = x[n, c, h, w]``: (N, C, H, W) into a (H, W, N, C) view.

    A transpose of the (N C) x (H W) matrix, by :func:`copies.transpose_into` (OpenBLAS's
    ``somatcopy``), then, when ``out`` is the interior of a padded array, a copy of whole
    (N C) rows into it. Measured on this machine (float32, 2 cores, load ~1), into a
    padded view: (32, 32, 32, 32) 0.45 ms against 0.89 ms for the blocked NumPy copy
    used before (8 source rows of every image at a time; NumPy's plain transposed
    assignment: 4.5 ms), (32, 16, 32, 32) 0.11 against 0.30, (32, 128, 8, 8) 0.055
    against 0.092. Transposing row by row straight into the padded view (no second copy)
    was slower than both: somatcopy is fast on long rows, and an image row is short.
    """
    n, c, h, w = x.shape
    if out.flags.c_contiguous:
        transpose_into(x.reshape(n * c, h * w), out.reshape(h * w, n * c))
        return
    tmp = np.empty((h, w, n, c), dtype=out.dtype)
    transpose_into(x.reshape(n * c, h * w), tmp.reshape(h * w, n * c))

    def copy(part: slice) -> None:
        out[part] = tmp[part]

    split_work(copy, h, tmp.nbytes)


def _from_pixel_major(y, out) -> None:
    """``out[n, c, h, w] = y[h, w, n, c]``: the inverse of :func:`_to_pixel_major` (a
    copy of ``y`` first when it is a padded array's interior): (32, 32, 32, 32) 0.41
    against 0.72 ms, (32, 128, 8, 8) 0.055 against 0.115."""
    n, c, h, w = out.shape
    if not y.flags.c_contiguous:
        y = contiguous_copy(y)
    if not out.flags.c_contiguous:  # (reshape would copy, and the result be lost)
        out[...] = y.transpose(2, 3, 0, 1)
        return
    transpose_into(y.reshape(h * w, n * c), out.reshape(n * c, h * w))


def _windows(a, axis: int, size: int, m: int, count: int, writeable: bool = False):
    """A view of ``a`` with ``axis`` cut into ``count`` windows of ``size`` entries
    starting every ``m``: entry ``[..., t, s, ...]`` is ``a[..., m t + s, ...]`` (the
    tiles overlap when ``size > m``; only views whose windows do not overlap may be
    ``writeable``)."""
    s = a.strides
    return as_strided(a, a.shape[:axis] + (count, size) + a.shape[axis + 1:],
                      s[:axis] + (m * s[axis], s[axis]) + s[axis + 1:], writeable=writeable)


def _matrix(m: int, which: str, dtype) -> np.ndarray:
    """One of F(m x m, 3 x 3)'s constant matrices in the data's dtype."""
    return getattr(ALGORITHMS[m], which).astype(dtype)


def input_transform(x, padding, m: int = 4):
    r""":math:`V = B^\top d B` of every tile, as (P, T, C) with P = (m+2)^2 points
    (row-major in the tile) and T = th * tw * N tiles in (tile row, tile column, image)
    order.

    Separably on the zero-padded input in (H, W, N, C) order: along H, the a x (W N C)
    block of image rows under each row of tiles is one product with :math:`B^\top`;
    along W, each a x (N C) block of columns under a tile. The tiles overlap, so these
    blocks are strided views, never copies. Split over the cores by rows of tiles.
    """
    n, c, h, w = x.shape
    t = tiling(x.shape, padding, m)
    a = m + 2
    bt = _matrix(m, "bt", x.dtype)
    pt, _, pl, _ = padding
    xpad = np.zeros((m * t.th + 2, m * t.tw + 2, n, c), dtype=x.dtype)
    _to_pixel_major(x, xpad[pt:pt + h, pl:pl + w])
    rows = _windows(xpad.reshape(xpad.shape[0], xpad[0].size), 0, a, m, t.th)  # (th, a, W N C)
    half = np.empty((t.th, a, xpad.shape[1], n * c), dtype=x.dtype)
    v = np.empty((a, a, t.th, t.tw, n * c), dtype=x.dtype)

    def transform(part: slice) -> None:  # rows of tiles are independent
        hp = half[part]
        np.matmul(bt, rows[part], out=hp.reshape(*hp.shape[:2], hp[0, 0].size))  # along H
        np.matmul(bt, _windows(hp, 2, a, m, t.tw),  # along W: (th', a, tw, a, N C)
                  out=v[:, :, part].transpose(2, 0, 3, 1, 4))

    split_work(transform, t.th, v.nbytes)
    return v.reshape(a * a, t.th * t.tw * n, c)


# Filters per product in weight_transform. OpenBLAS runs the thin product (36, 9) @ (9, n)
# well only up to about this width, and only from a contiguous (9, n) operand: float32,
# one thread, 7 us for n = 2048 but 57 us for n = 4096 (a 64 -> 64 layer's filters), 14-21
# us as two products of 2048 contiguous columns, 32-37 us from column slices of one array.
_FILTER_BLOCK = 2048


def weight_transform(w, m: int = 4):
    r""":math:`U = G g G^\top` of every filter, as (P, O, C): the Kronecker matrix times
    the filters' taps, laid out (9, filters) a block of ``_FILTER_BLOCK`` filters at a time
    (64 -> 64 filters: 68 -> 30 us; 128 -> 128: 280 -> 110 us)."""
    o, c = w.shape[:2]
    k, flat = _kron(m, "g", w.dtype), w.reshape(o * c, 9)
    if o * c <= _FILTER_BLOCK:
        return (k @ flat.T).reshape(k.shape[0], o, c)
    u = np.empty((k.shape[0], o * c), dtype=w.dtype)
    taps = np.empty((9, _FILTER_BLOCK), dtype=w.dtype)
    for s in range(0, o * c, _FILTER_BLOCK):
        block = flat[s:s + _FILTER_BLOCK]
        t = taps if len(block) == _FILTER_BLOCK else np.empty((9, len(block)), dtype=w.dtype)
        transpose_into(block, t)
        np.matmul(k, t, out=u[:, s:s + len(block)])
    return u.reshape(k.shape[0], o, c)


def _output(mm, n: int, t: Tiling):
    r"""Inverse of the tile cutting: :math:`A^\top M A` of (P, T, O) -> (N, O, OH, OW).

    Separably, along H (one product with :math:`A^\top` per row of tiles) and then along
    W, writing the m x m outputs of every tile into an (m th, m tw, N, O) image, which
    one transposing copy puts into (N, O, OH, OW) order.
    """
    o = mm.shape[2]
    m, a = t.m, t.m + 2
    at = _matrix(m, "at", mm.dtype)
    mm = mm.reshape(a, a, t.th, t.tw * n * o)
    y = np.empty((t.th, m, t.tw, m, n * o), dtype=mm.dtype)

    def transform(part: slice) -> None:  # rows of tiles are independent
        ms = mm[:, :, part].transpose(2, 1, 0, 3)  # (th', a j, a i, tw N O)
        half = np.matmul(at, ms).reshape(ms.shape[0], a, m, t.tw, n * o)  # along H
        np.matmul(at, half.transpose(0, 2, 3, 1, 4), out=y[part])  # along W

    split_work(transform, t.th, mm.nbytes)
    out = np.empty((n, o, t.oh, t.ow), dtype=mm.dtype)
    y = y.reshape(m * t.th, m * t.tw, n, o)
    _from_pixel_major(y[: t.oh, : t.ow], out)
    return out


def grad_transform(g, padding, x_shape, m: int = 4):
    r""":math:`\partial M = A\,\partial Y A^\top` of every output tile, as (P, T, O):
    the adjoint of the output transform (:func:`_output`, in reverse: into (H, W, N, O)
    order, then products with :math:`A` along W and along H)."""
    n, o = g.shape[:2]
    t = tiling(x_shape, padding, m)
    a = m + 2
    a_ = _matrix(m, "at", g.dtype).T  # (a, m)
    gpix = np.zeros((t.th, m, t.tw, m, n * o), dtype=g.dtype)  # overhang: zero gradient
    _to_pixel_major(g, gpix.reshape(m * t.th, m * t.tw, n, o)[: t.oh, : t.ow])
    dm = np.empty((a, a, t.th, t.tw, n * o), dtype=g.dtype)

    def transform(part: slice) -> None:  # rows of tiles are independent
        gp = gpix[part]
        half = np.matmul(a_, gp.reshape(gp.shape[0], m, gp[0, 0].size))  # along H: (th', a, tw m N O)
        np.matmul(a_, half.reshape(gp.shape[0], a, t.tw, m, n * o),  # along W
                  out=dm[:, :, part].transpose(2, 0, 3, 1, 4))

    split_work(transform, t.th, dm.nbytes)
    return dm.reshape(a * a, t.th * t.tw * n, o)


def forward(x, w, padding, m: int = 4, v=None):
    """Stride-1 3x3 convolution (N, C, H, W) * (O, C, 3, 3) -> (N, O, OH, OW), and V.

    ``v`` (the input transform) is returned so the weight gradient can reuse it.
    """
    if v is None:
        v = input_transform(x, padding, m)
    mm = v @ weight_transform(w, m).transpose(0, 2, 1)  # (P, T, O)
    return _output(mm, x.shape[0], tiling(x.shape, padding, m)), v


def input_grad(g, w, x_shape, padding, m: int = 4, dm=None):
    r""":math:`\partial L/\partial X` from :math:`\partial V_p = \partial M_p U_p`,
    then :math:`\partial d = B\,\partial V B^\top` added onto the overlapping tiles'
    pixels: the adjoint of :func:`input_transform`, in reverse order (products with
    :math:`B` along W, each tile's columns added onto the padded image's, then along H),
    and one transposing copy back to (N, C, H, W).

    A few rows of tiles at a time (``_CHUNK_BYTES`` of :math:`\partial V`, at least one
    row), from the points' products to the image rows, so that their :math:`\partial V`
    and half-transformed rows are reused from cache instead of streamed through memory
    three times (one core, 32 -> 32 on 32x32 maps at batch 32: 5.6 -> 4.5 ms; on the
    smaller maps of VGG and ResNet no change, docs/PERFORMANCE.md). The first m columns
    (rows) of every tile are its own, the last ``a - m`` its neighbour's first ones: the
    products write the former in place and add the latter; the image rows shared by
    consecutive rows of tiles (which ``split_work`` may give to different cores) are
    added after all rows are done.
    """
    n, c, h, wd = x_shape
    t = tiling(x_shape, padding, m)
    a = m + 2
    if dm is None:
        dm = grad_transform(g, padding, x_shape, m)
    u = weight_transform(w, m)  # (P, O, C)
    dm = dm.reshape(a * a, t.th, t.tw * n, dm.shape[-1])
    b = np.ascontiguousarray(_matrix(m, "bt", u.dtype).T)
    wp = m * t.tw + 2
    gpad = np.empty((m * t.th + 2, wp * n * c), dtype=u.dtype)  # the padded image
    carry = np.empty((t.th, a - m, wp * n * c), dtype=u.dtype)  # rows shared with the next

    def scatter(part: slice) -> None:  # rows of tiles are independent
        mine = range(t.th)[part]
        k = max(1, min(len(mine), _CHUNK_BYTES // max(1, a * a * t.tw * n * c * u.itemsize)))
        buf = np.empty(a * a * k * t.tw * n * c, dtype=u.dtype)  # k rows' dV, reused
        half = np.empty((k, a, wp, n * c), dtype=u.dtype)  # their rows, along W
        spill = np.empty((k, a, t.tw, a - m, n * c), dtype=u.dtype)
        for r0 in mine[::k]:
            r1 = min(r0 + k, mine.stop)
            j = r1 - r0
            dv = buf[:a * a * j * t.tw * n * c].reshape(a * a, j * t.tw * n, c)
            np.matmul(dm[:, r0:r1].reshape(a * a, j * t.tw * n, dm.shape[-1]), u, out=dv)
            dvp = dv.reshape(a, a, j, t.tw, n * c).transpose(2, 0, 3, 1, 4)  # (j, a, tw, a, N C)
            hk = half[:j]
            hk[:, :, m * t.tw:] = 0
            np.matmul(b[:m], dvp, out=_windows(hk, 2, m, m, t.tw, True))  # along W
            _windows(hk[:, :, m:], 2, a - m, m, t.tw, True)[...] += np.matmul(
                b[m:], dvp, out=spill[:j])
            rows = hk.reshape(j, a, wp * n * c)
            np.matmul(b[:m], rows, out=_windows(gpad, 0, m, m, t.th, True)[r0:r1])  # along H
            np.matmul(b[m:], rows, out=carry[r0:r1])  # added below

    split_work(scatter, t.th, dm[:, :, :, :1].size * c * dm.itemsize)
    gpad[m * t.th:] = 0
    _windows(gpad[m:], 0, a - m, m, t.th, True)[...] += carry
    pt, _, pl, _ = padding
    dx = np.empty(x_shape, dtype=u.dtype)
    _from_pixel_major(gpad.reshape(m * t.th + 2, wp, n, c)[pt:pt + h, pl:pl + wd], dx)
    return dx


def weight_grad(x, g, w_shape, padding, m: int = 4, v=None, dm=None):
    r""":math:`\partial L/\partial W` from :math:`\partial U_p = \partial M_p^\top V_p`,
    then :math:`\partial g = G^\top \partial U G` for every (O, C) pair."""
    if v is None:
        v = input_transform(x, padding, m)
    if dm is None:
        dm = grad_transform(g, padding, x.shape, m)
    du = dm.transpose(0, 2, 1) @ v  # (P, O, C)
    return (du.reshape(du.shape[0], du[0].size).T @ _kron(m, "g", g.dtype)).reshape(w_shape)


def cost(n: int, c: int, o: int, h: int, w: int, padding, m: int = 4) -> tuple[int, int]:
    """(product FLOPs, transformed entries) of this path's forward pass: the cost model's
    inputs. The per-point products cost ``2 C O`` per point and tile; the transformed
    input and output (``P (C + O) T`` entries) are what the transforms stream through
    memory, a few multiply-adds per entry. They count twice when the map has a single
    row of tiles: the transforms are split over the cores by rows of tiles, so one row
    runs on one core (measured on 2 cores: 4x4 maps took ~1.3x the time predicted
    without this)."""
    t = tiling((n, c, h, w), padding, m)
    p = (m + 2) ** 2
    tiles = n * t.th * t.tw
    return tiles * p * 2 * c * o, p * (c + o) * tiles * (2 if t.th < 2 else 1)
