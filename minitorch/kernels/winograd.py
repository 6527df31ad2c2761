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

    M_p = U_p V_p, \qquad U_p = (G g G^\top)_p: O \times C, \quad
    V_p = (B^\top d B)_p: C \times T, \quad M_p: O \times T,

over all :math:`T = N \cdot t_h t_w` tiles of the batch at once; then every tile's
output is :math:`A^\top M A`. Output tiles sit at stride :math:`m`; input tiles overlap
by 2 pixels. The input and output transforms are done separably, along H and then W,
on strided views of the image (row :math:`i` of every tile is every m-th image row,
starting at :math:`i`): one in-place addition per non-zero matrix entry, since
:math:`F(2 \times 2, 3 \times 3)`'s :math:`B^\top` and :math:`A^\top` hold only 0 and
:math:`\pm 1`. The filters' transform is one small product with the Kronecker matrix
:math:`G \otimes G` (:math:`\mathrm{vec}(G g G^\top) = (G \otimes G)\,\mathrm{vec}(g)`).

Gradients are the adjoint linear maps, in reverse order (with :math:`\partial Y` cut into
the same tiles and :math:`\partial M = (A \otimes A)\,\mathrm{vec}(\partial Y)`, shared
by both):

* input: :math:`\partial V_p = U_p^\top \partial M_p`, then
  :math:`\partial d = B\,\partial V B^\top` per tile, added back onto the pixels of the
  overlapping tiles (the separable transform's adjoint: strided additions along W,
  then along H);
* weight: :math:`\partial U_p = \partial M_p V_p^\top` (the :math:`V` saved by the
  forward pass), then :math:`\partial g = G^\top \partial U\, G`.

These are exactly the gradients of the convolution, because the forward pass *is* the
convolution (in exact arithmetic) and the adjoint of a composition is the reverse
composition of adjoints.

Numerics: the transforms add and subtract neighbouring pixels (and, for F(4x4), scale by
up to 8), so float32 rounding grows with the tile's dynamic range; measured against
float64 in docs/PERFORMANCE.md. A NaN or infinity would spread over its whole tile (and
``inf - inf`` makes NaNs where a direct convolution has infinities), so the caller
(``ops/conv.py``) takes im2col whenever an input is not finite.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .threads import split_work


class Minimal(NamedTuple):
    r"""The constant matrices of :math:`F(m \times m, 3 \times 3)`: ``at`` is m x (m+2),
    ``g`` is (m+2) x 3, ``bt`` is (m+2) x (m+2)."""

    m: int
    at: np.ndarray
    g: np.ndarray
    bt: np.ndarray


# Lavin & Gray's matrices (interpolation points 0, 1, -1 and infinity for F(2, 3);
# 0, +-1, +-2 and infinity for F(4, 3)).
F2 = Minimal(
    2,
    np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=np.float64),
    np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]),
    np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=np.float64),
)
F4 = Minimal(
    4,
    np.array([[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0],
              [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]], dtype=np.float64),
    np.array([[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6],
              [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]]),
    np.array([[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
              [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]],
             dtype=np.float64),
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


def _combine(mat: np.ndarray, parts, out, accumulate: bool = False) -> None:
    """``out[k] (+)= sum_j mat[k, j] * parts[j]`` for each row of a small constant matrix.

    ``parts`` and ``out[k]`` are same-shaped arrays (often strided views of a bigger
    one). One ufunc call per non-zero coefficient, written in place: the matrices of
    :math:`F(2 \\times 2, 3 \\times 3)` hold only 0 and +-1, so this is a handful of
    additions per entry, far cheaper than a product with a 4x4 matrix (which BLAS
    runs badly at these shapes: measured ~10x slower than these additions).
    """
    for k, row in enumerate(mat):
        target = out[k]
        started = accumulate
        for j in np.flatnonzero(row):
            coef, term = float(row[j]), parts[j]
            if not started:
                if coef == 1:
                    np.copyto(target, term)
                elif coef == -1:
                    np.negative(term, out=target)
                else:
                    np.multiply(term, coef, out=target)
                started = True
            elif coef == 1:
                np.add(target, term, out=target)
            elif coef == -1:
                np.subtract(target, term, out=target)
            else:
                target += coef * term


def _tile_rows(a, first: int, m: int, count: int, axis: int):
    """Rows ``first, first + m, ..., first + m (count - 1)`` of ``a`` along ``axis``: the
    ``first``-th row of every tile, a strided view."""
    index = [slice(None)] * a.ndim
    index[axis] = slice(first, first + m * (count - 1) + 1, m)
    return a[tuple(index)]


def input_transform(x, padding, m: int):
    r""":math:`V = B^\top d B` of every tile, as (P, C, T) with P = (m+2)^2 points and
    T = N * th * tw tiles in (N, tile row, tile column) order.

    Done separably on strided views of the padded input, never copying the overlapping
    tiles out: first along H (row ``i`` of every tile is every m-th row of the image,
    starting at ``i``), then along W.
    """
    n, c, h, w = x.shape
    t = tiling(x.shape, padding, m)
    a = m + 2
    pt, _, pl, _ = padding
    bt = ALGORITHMS[m].bt
    v = np.empty((a, a, c, n, t.th, t.tw), dtype=x.dtype)

    def transform(part: slice) -> None:  # channels are independent: split over cores
        xs = x[:, part]
        xpad = np.zeros((xs.shape[1], n, m * t.th + 2, m * t.tw + 2), dtype=x.dtype)
        xpad[:, :, pt:pt + h, pl:pl + w] = xs.transpose(1, 0, 2, 3)
        rows = np.empty((a, xpad.shape[0], n, t.th, xpad.shape[3]), dtype=x.dtype)
        _combine(bt, [_tile_rows(xpad, i, m, t.th, 2) for i in range(a)], rows)
        for k in range(a):
            _combine(bt, [_tile_rows(rows[k], j, m, t.tw, 3) for j in range(a)], v[k][:, part])

    split_work(transform, c, v.nbytes)
    return v.reshape(a * a, c, -1)


def weight_transform(w, m: int):
    r""":math:`U = G g G^\top` of every filter, as (P, O, C)."""
    o, c = w.shape[:2]
    return (_kron(m, "g", w.dtype) @ w.reshape(o * c, 9).T).reshape(-1, o, c)


def grad_transform(g, padding, x_shape, m: int):
    r""":math:`\partial M = A\,\partial Y A^\top` of every output tile, as (P, O, T):
    the adjoint of the output transform, applied to the output gradient."""
    n, o = g.shape[:2]
    t = tiling(x_shape, padding, m)
    a = m + 2
    if (t.m * t.th, t.m * t.tw) != (t.oh, t.ow):  # overhanging tiles: zero gradient there
        full = np.zeros((n, o, t.m * t.th, t.m * t.tw), dtype=g.dtype)
        full[:, :, : t.oh, : t.ow] = g
        g = full
    g = g.transpose(1, 0, 2, 3)  # (O, N, H, W) view
    at_t = ALGORITHMS[m].at.T  # (a, m)
    dm = np.empty((a, a, o, n, t.th, t.tw), dtype=g.dtype)

    def transform(part: slice) -> None:  # output channels are independent
        gs = g[part]
        cols = np.empty((a, *gs.shape[:3], t.tw), dtype=g.dtype)  # along W first
        _combine(at_t, [_tile_rows(gs, s, m, t.tw, 3) for s in range(m)], cols)
        _combine(at_t, [_tile_rows(cols, r, m, t.th, 3) for r in range(m)], dm[:, :, part])

    split_work(transform, o, dm.nbytes)
    return dm.reshape(a * a, o, -1)


def _output(mm, n: int, t: Tiling):
    """Inverse of the tile cutting: :math:`A^\top M A` of (P, O, T) -> (N, O, OH, OW)."""
    o = mm.shape[1]
    m, a = t.m, t.m + 2
    mm = mm.reshape(a, a, o, n, t.th, t.tw)
    at = ALGORITHMS[m].at
    y = np.empty((n, o, m * t.th, m * t.tw), dtype=mm.dtype)
    out = y.transpose(1, 0, 2, 3)  # written in place, tile pixel (r, s) at a time

    def transform(part: slice) -> None:  # output channels are independent
        ms = mm[:, :, part]
        half = np.empty((m, *ms.shape[1:]), dtype=mm.dtype)  # along H first
        _combine(at, ms, half)
        for r in range(m):
            rows = _tile_rows(out[part], r, m, t.th, 2)
            _combine(at, half[r], [_tile_rows(rows, s, m, t.tw, 3) for s in range(m)])

    split_work(transform, o, mm.nbytes)
    if (m * t.th, m * t.tw) != (t.oh, t.ow):
        y = np.ascontiguousarray(y[:, :, : t.oh, : t.ow])
    return y


def forward(x, w, padding, m: int = 2, v=None):
    """Stride-1 3x3 convolution (N, C, H, W) * (O, C, 3, 3) -> (N, O, OH, OW), and V.

    ``v`` (the input transform) is returned so the weight gradient can reuse it.
    """
    if v is None:
        v = input_transform(x, padding, m)
    mm = weight_transform(w, m) @ v  # (P, O, T)
    return _output(mm, x.shape[0], tiling(x.shape, padding, m)), v


def input_grad(g, w, x_shape, padding, m: int = 2, dm=None):
    r""":math:`\partial L/\partial X` from :math:`\partial V_p = U_p^\top \partial M_p`,
    then :math:`\partial d = B\,\partial V B^\top` added onto the overlapping tiles'
    pixels (the adjoint of :func:`input_transform`: along W, then along H, each tile row
    or column scattered with one strided ``+=``; those of one offset never overlap)."""
    n, c, h, wd = x_shape
    t = tiling(x_shape, padding, m)
    a = m + 2
    if dm is None:
        dm = grad_transform(g, padding, x_shape, m)
    dv = (weight_transform(w, m).transpose(0, 2, 1) @ dm).reshape(a, a, c, n, t.th, t.tw)
    b = ALGORITHMS[m].bt.T  # (a, a): B
    pt, _, pl, _ = padding
    dx = np.empty(x_shape, dtype=dv.dtype)

    def scatter(part: slice) -> None:  # input channels are independent
        ds = dv[:, :, part]
        rows = np.zeros((a, *ds.shape[2:5], m * t.tw + 2), dtype=dv.dtype)
        for k in range(a):
            _combine(b, ds[k], [_tile_rows(rows[k], j, m, t.tw, 3) for j in range(a)],
                     accumulate=True)
        gpad = np.zeros((*ds.shape[2:4], m * t.th + 2, m * t.tw + 2), dtype=dv.dtype)
        _combine(b, rows, [_tile_rows(gpad, i, m, t.th, 2) for i in range(a)], accumulate=True)
        dx[:, part] = gpad[:, :, pt:pt + h, pl:pl + wd].transpose(1, 0, 2, 3)

    split_work(scatter, c, dv.nbytes)
    return dx


def weight_grad(x, g, w_shape, padding, m: int = 2, v=None, dm=None):
    r""":math:`\partial L/\partial W` from :math:`\partial U_p = \partial M_p V_p^\top`,
    then :math:`\partial g = G^\top \partial U G` for every (O, C) pair."""
    if v is None:
        v = input_transform(x, padding, m)
    if dm is None:
        dm = grad_transform(g, padding, x.shape, m)
    du = dm @ v.transpose(0, 2, 1)  # (P, O, C)
    return (du.reshape(du.shape[0], -1).T @ _kron(m, "g", g.dtype)).reshape(w_shape)


def cost(n: int, c: int, o: int, h: int, w: int, padding, m: int = 2) -> tuple[int, int]:
    """(product FLOPs, transformed entries) of this path's forward pass: the cost model's
    inputs. The per-point products cost ``2 C O`` per point and tile; the transformed
    input and output (``P (C + O) T`` entries) are what the transforms stream through
    memory, a few additions per entry."""
    t = tiling((n, c, h, w), padding, m)
    p = (m + 2) ** 2
    tiles = n * t.th * t.tw
    return tiles * p * 2 * c * o, p * (c + o) * tiles
