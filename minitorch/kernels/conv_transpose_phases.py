r"""The 4x4, stride-2, padding-1 transposed convolution (DCGAN's upsampling layer) by
sub-pixel phases and Winograd's :math:`F(2 \times 2, 2 \times 2)`.

Why. ``conv_transpose2d`` is otherwise the convolution's input gradient: one product
:math:`W^\top X` that spends :math:`16\,C\,O` multiply-adds on every input pixel, then
col2im. On the DCGAN generator those products are three quarters of the step, already at
the BLAS's peak rate: only fewer multiplications make it faster.

**Phases.** With stride 2 and padding 1, output row :math:`y = 2p + i - 1` receives input
row :math:`p` through kernel row :math:`i`. Pad the output gradient's frame by one row and
column and split it into its four *phases* ``(rho, sig)`` (the rows of one parity, the
columns of one parity): phase :math:`\rho` holds padded rows :math:`2u + \rho`, and
kernel row :math:`i = 2a + \rho` sends input row :math:`p` to phase row :math:`u = p + a`.
So each phase is a plain 2-tap *stride-1* transposed convolution of the input with the
sub-kernel :math:`g_{\rho\sigma}[a, b] = W[\cdot, \cdot, 2a + \rho, 2b + \sigma]`, and the
convolution of a gradient :math:`G` (the layer's input gradient) is a sum over phases of
2x2 stride-1 correlations of :math:`G`'s phases: no stride left anywhere.

**Winograd.** A 2-tap correlation :math:`y_t = g_0 d_t + g_1 d_{t+1}` gives two outputs
from three inputs with three multiplications, :math:`F(2, 2)`:

.. math::

    m_0 = (d_0 - d_1) g_0,\quad m_1 = d_1 (g_0 + g_1),\quad m_2 = (d_2 - d_1) g_1,
    \qquad y_0 = m_0 + m_1,\quad y_1 = m_1 + m_2,

i.e. :math:`y = A^\top[(G g) \odot (B^\top d)]` with
:math:`B^\top = \begin{psmallmatrix}1&-1&0\\0&1&0\\0&-1&1\end{psmallmatrix}`,
:math:`G = \begin{psmallmatrix}1&0\\1&1\\0&1\end{psmallmatrix}`,
:math:`A^\top = \begin{psmallmatrix}1&1&0\\0&1&1\end{psmallmatrix}`; in 2-D,
:math:`Y = A^\top[(G g G^\top) \odot (B^\top d B)]A`, 9 multiplications per 2x2 tile of
outputs instead of 16. As in ``winograd.py``, summing over channels makes each of the 9
points :math:`k = (k_1, k_2)` one matrix product over all :math:`T = N H W / 4` tiles, and
the four phases stack into one dimension of length :math:`4 O` (rows ``(rho, sig, o)``):

* input gradient (a conv of :math:`G`): :math:`V_k = (B^\top d B)_k` of the phase tiles
  (:math:`4O \times T`), :math:`M_k = U_k^\top V_k` (:math:`C \times T`),
  :math:`U_k = (G g G^\top)_k` (:math:`4O \times C`), then :math:`A^\top M A` per tile;
* forward (the adjoint of that map in :math:`G`, in reverse order):
  :math:`\tilde X_k = (A x A^\top)_k` of the input's 2x2 tiles (:math:`C \times T`),
  :math:`M_k = U_k \tilde X_k`, then :math:`B M B^\top` per tile, added onto the phase
  tiles (3x3, overlapping by one row/column) of the padded output;
* weight gradient (adjoint in :math:`U`, then of :math:`g \mapsto G g G^\top`):
  :math:`\partial U_k = V_k \tilde X_k^\top`, :math:`\partial g = G^\top \partial U\, G`.

:math:`9 / 16` of the im2col path's multiply-adds, in every one of the three products.
Everything runs *batch-last* (``(C, H, W, N)``): the phases and tiles are then strided
views whose innermost runs are whole ``N``-long rows, and the 9 products have ``T`` as
their long side.

Numerics: the transforms add and subtract at most three neighbours (no scaling), so
float32 results stay within a few units of the im2col path's rounding (measured against
float64 in docs/PERFORMANCE.md). A NaN or infinity would spread over its tile, so the
op takes im2col when an input is not finite. The loop-based twins in
:mod:`minitorch.kernels.reference` (``conv_input_grad`` is this layer's forward) are what
the tests compare with.
"""

from __future__ import annotations

import numpy as np

from .copies import permuted_copy
from .threads import split_work

KERNEL, STRIDE, PADDING = (4, 4), (2, 2), (1, 1)


def applies(x, w_shape, stride, padding, output_padding, dilation, groups) -> bool:
    """Can this module do ``conv_transpose2d`` of the (N, C, H, W) NumPy array ``x``?
    (4x4 kernel, stride 2, padding 1, no output padding, dilation or groups, even H and
    W, float32/float64 on the CPU.)"""
    return (
        tuple(w_shape[2:]) == KERNEL and tuple(stride) == STRIDE
        and tuple(padding) == PADDING and tuple(output_padding) == (0, 0)
        and tuple(dilation) == (1, 1) and groups == 1
        and isinstance(x, np.ndarray) and x.dtype in (np.float32, np.float64)
        and x.ndim == 4 and x.shape[2] % 2 == 0 and x.shape[3] % 2 == 0
    )


def prefer(x, w_shape, stride, padding, output_padding, dilation, groups) -> bool:
    """Choose this path over im2col + col2im for the layer?

    Where it applies, and when the cost model (:func:`cost`) predicts it faster with a 10%
    margin in im2col's favour (the exact path, and the reference).
    """
    if not applies(x, w_shape, stride, padding, output_padding, dilation, groups):
        return False
    n, c, h, w = x.shape
    im2col, phases = cost(n, c, w_shape[1], h, w)
    return 1.1 * phases < im2col


def cost(n: int, c: int, o: int, h: int, w: int) -> tuple[float, float]:
    r"""Predicted forward + backward milliseconds (one thread) of the im2col path and of
    this one, for an (n, c, h, w) input and ``o`` output channels.

    Each is its multiply-adds (:math:`16\,C\,O\,NHW` for im2col, 9/16 of that here) plus
    a price per entry of the arrays that scale with the output channels (im2col's
    columns and col2im; here the transforms of the output gradient and of the products'
    results) and with the input channels (here the input's tile transform, 9/4 of the
    input), plus a fixed cost. Fitted (least squares on relative error) to 48 layers:
    batch 16 and 64, 16 to 256 input and 4 to 32 output channels, 4x4 and 16x16 inputs,
    float32, one thread, the paths interleaved (docs/PERFORMANCE.md). Choosing by it cost
    1% over always taking the faster path on those layers; its misses were layers under
    2 ms, and within 6% above. The generator's layers: predicted 73 / 81 / 96 ms against
    51 / 58 / 72 ms, measured 72 / 75 / 96 against 55 / 55 / 73.
    """
    pixels = n * h * w
    macs = 16 * c * o * pixels
    im2col = 3.04e-8 * macs + 2.73e-5 * o * pixels + 8.8e-7 * c * pixels + 0.085
    phases = 3.67e-8 * macs * 9 / 16 + 2.01e-5 * o * pixels + 3.31e-6 * c * pixels + 0.107
    return im2col, phases


# ------------------------------------------------------------------ the three transforms
_BLOCK_BYTES = 1 << 21  # channel blocks of about 2 MiB (measured best of 256 KiB to 16 MiB)


def _blocked(fn, channels: int, nbytes_per_channel: int) -> None:
    """``fn(block)`` over slices covering ``range(channels)``: split over threads
    (``split_work``), and within each thread's part in blocks of about 2 MiB, so that
    a transform's several passes over a block find it in cache (measured on the
    generator's 16x16 -> 32x32 layer: the gradient's transform 10.5 ms against 13.6 with
    whole-array passes)."""
    step = max(1, _BLOCK_BYTES // max(1, nbytes_per_channel))

    def run(part: slice) -> None:
        lo, hi, _ = part.indices(channels)
        for start in range(lo, hi, step):
            fn(slice(start, min(hi, start + step)))

    split_work(run, channels, channels * nbytes_per_channel)


def weight_transform(w):
    r"""(C, O, 4, 4) -> :math:`U` (9, C, 4 O): :math:`U_k = (G g_{\rho\sigma} G^\top)_k`,
    columns ``(rho, sig, o)``, with :math:`g_{\rho\sigma}[a, b] = W[c, o, 2a+\rho, 2b+\sigma]`.
    ``G`` takes (g0, g1) to (g0, g0 + g1, g1)."""
    c, o = w.shape[:2]
    # [c, a, b, rho, sig, o]: each input channel's slab transposed in cache
    g = permuted_copy(w.reshape(c, o, 2, 2, 2, 2), (0, 2, 4, 3, 5, 1))
    rows = np.empty((3, c, 2, 4 * o), w.dtype)  # G applied along a
    g = g.reshape(c, 2, 2, 4 * o)
    rows[0], rows[2] = g[:, 0], g[:, 1]
    np.add(g[:, 0], g[:, 1], out=rows[1])
    u = np.empty((3, 3, c, 4 * o), w.dtype)  # ... and along b
    u[:, 0], u[:, 2] = rows[:, :, 0], rows[:, :, 1]
    np.add(rows[:, :, 0], rows[:, :, 1], out=u[:, 1])
    return u.reshape(9, c, 4 * o)


def weight_grad_transform(du, w_shape):
    r""":math:`\partial U` (9, C, 4 O) -> :math:`\partial W` (C, O, 4, 4): the adjoint of
    :func:`weight_transform`, :math:`G^\top \partial U\, G` (``G^T`` takes (u0, u1, u2)
    to (u0 + u1, u1 + u2))."""
    c, o = w_shape[:2]
    du = du.reshape(3, 3, c, 4 * o)
    rows = np.empty((2, 3, c, 4 * o), du.dtype)
    np.add(du[0], du[1], out=rows[0])
    np.add(du[1], du[2], out=rows[1])
    g = np.empty((c, 2, 2, 4 * o), du.dtype)  # [c, a, b, (rho, sig, o)]
    np.add(rows[:, 0], rows[:, 1], out=g[:, :, 0].transpose(1, 0, 2))
    np.add(rows[:, 1], rows[:, 2], out=g[:, :, 1].transpose(1, 0, 2))
    # [c, a, b, rho, sig, o] -> [c, o, a, rho, b, sig]
    return permuted_copy(g.reshape(c, 2, 2, 2, 2, o), (0, 5, 1, 3, 2, 4)).reshape(w_shape)


def input_transform(x):
    r"""(N, C, H, W) -> :math:`\tilde X` (9, C, T): :math:`A x A^\top` of every 2x2 tile,
    tiles ``T = (H/2, W/2, N)`` (batch-last). ``A`` takes (x0, x1) to (x0, x0 + x1, x1)."""
    n, c, h, w = x.shape
    th, tw = h // 2, w // 2
    xt = permuted_copy(x, (1, 2, 3, 0)).reshape(c, th, 2, tw, 2, n)
    out = np.empty((3, 3, c, th, tw, n), x.dtype)

    def transform(ch: slice) -> None:
        part = xt[ch]
        rows = np.empty((3,) + part[:, :, 0].shape, x.dtype)  # (3, c', th, tw, 2, n)
        rows[0], rows[2] = part[:, :, 0], part[:, :, 1]
        np.add(rows[0], rows[2], out=rows[1])
        dst = out[:, :, ch]
        dst[:, 0], dst[:, 2] = rows[..., 0, :], rows[..., 1, :]
        np.add(dst[:, 0], dst[:, 2], out=dst[:, 1])

    _blocked(transform, c, 9 * h * w * n // 4 * x.itemsize)
    return out.reshape(9, c, th * tw * n)


def grad_transform(g):
    r"""Output gradient (N, O, 2H, 2W) -> :math:`V` (9, 4 O, T): :math:`B^\top d B` of the
    3x3 tiles of its four phases (rows ``(rho, sig, o)``, tiles ``(H/2, W/2, N)``).

    Phase tile ``(t, t')`` of phase ``(rho, sig)`` holds padded pixels
    ``(4t + 2e + rho, 4t' + 2f + sig)``, ``e, f`` in 0..2: strided views of the padded
    gradient. ``B^T`` takes (d0, d1, d2) to (d0 - d1, d1, d2 - d1)."""
    n, o, hh, ww = g.shape
    th, tw = hh // 4, ww // 4
    gpad = np.empty((o, hh + 2, ww + 2, n), g.dtype)
    out = np.empty((3, 3, 2, 2, o, th, tw, n), g.dtype)

    def transform(ch: slice) -> None:
        part = gpad[ch]
        part[:, 0], part[:, -1], part[:, :, 0], part[:, :, -1] = 0, 0, 0, 0
        permuted_copy(g[:, ch], (1, 2, 3, 0), out=part[:, 1:-1, 1:-1])
        rows = np.empty((3, 2) + part[:, :th].shape, g.dtype)  # (3, 2, o', th, W+2, n)
        for rho in range(2):
            d = [part[:, 2 * e + rho: 2 * e + rho + 4 * th - 3: 4] for e in range(3)]
            np.subtract(d[0], d[1], out=rows[0, rho])
            rows[1, rho] = d[1]
            np.subtract(d[2], d[1], out=rows[2, rho])
        dst = out[:, :, :, :, ch]
        for sig in range(2):
            d = [rows[:, :, :, :, 2 * f + sig: 2 * f + sig + 4 * tw - 3: 4] for f in range(3)]
            np.subtract(d[0], d[1], out=dst[:, 0, :, sig])
            dst[:, 1, :, sig] = d[1]
            np.subtract(d[2], d[1], out=dst[:, 2, :, sig])

    _blocked(transform, o, 9 * hh * ww * n // 4 * g.itemsize)
    return out.reshape(9, 4 * o, th * tw * n)


# ------------------------------------------------------------------------------- the op
def forward(x, w, u=None, out=None):
    r"""``conv_transpose2d(x, w, stride=2, padding=1)``; returns ``(out, xt)``, with
    :math:`\tilde X` (``xt``) kept for the weight gradient; written into ``out`` if given
    (a part of a batch's output).

    :math:`M_k = U_k^\top \tilde X_k`, then :math:`B M B^\top` of every tile (``B`` takes
    (m0, m1, m2) to (m0, m1 - m0 - m2, m2)), added onto the 3x3 phase tiles of the padded
    output: the tile's pixel ``(e, f)`` of phase ``(rho, sig)`` is padded pixel
    ``(4t + 2e + rho, 4t' + 2f + sig)``; offsets ``2e + rho < 4`` of all tiles cover the
    rows exactly once (they are written, the rest added), as in ``col2im``.
    """
    n, _, h, wd = x.shape
    o = w.shape[1]
    th, tw = h // 2, wd // 2
    if u is None:
        u = weight_transform(w)
    xt = input_transform(x)
    m = np.matmul(u.transpose(0, 2, 1), xt).reshape(3, 3, 2, 2, o, th, tw, n)
    gpad = np.empty((o, 2 * h + 2, 2 * wd + 2, n), x.dtype)

    def scatter(ch: slice) -> None:
        part, mm = gpad[ch], m[:, :, :, :, ch]
        part[:, 4 * th:] = 0  # the last two rows/columns get only additions
        part[:, :, 4 * tw:] = 0
        mm[1] -= mm[0]
        mm[1] -= mm[2]
        mm[:, 1] -= mm[:, 0]
        mm[:, 1] -= mm[:, 2]
        for e in range(6):
            k, rho = divmod(e, 2)
            for f in range(6):
                l, sig = divmod(f, 2)
                dst = part[:, e: e + 4 * th - 3: 4, f: f + 4 * tw - 3: 4]
                if e < 4 and f < 4:
                    dst[...] = mm[k, l, rho, sig]
                else:
                    dst += mm[k, l, rho, sig]

    _blocked(scatter, o, 9 * h * wd * n * x.itemsize)
    return permuted_copy(gpad[:, 1:-1, 1:-1], (3, 0, 1, 2), out), xt


def input_grad(v, w, x_shape, u=None, out=None):
    r"""The input gradient :math:`\mathrm{conv2d}(G, W, \text{stride } 2, \text{padding } 1)`
    from ``v`` = :func:`grad_transform` of :math:`G`: :math:`M_k = U_k V_k`, then
    :math:`A^\top M A` per tile (``A^T`` takes (m0, m1, m2) to (m0 + m1, m1 + m2));
    written into ``out`` if given."""
    n, c, h, wd = x_shape
    th, tw = h // 2, wd // 2
    if u is None:
        u = weight_transform(w)
    m = np.matmul(u, v).reshape(3, 3, c, th, tw, n)
    tiles = np.empty((c, th, 2, tw, 2, n), v.dtype)

    def transform(ch: slice) -> None:
        mm = m[:, :, ch]
        rows = np.empty((2, 3) + mm.shape[2:], v.dtype)
        np.add(mm[0], mm[1], out=rows[0])
        np.add(mm[1], mm[2], out=rows[1])
        dst = tiles[ch]
        for a in range(2):
            np.add(rows[a, 0], rows[a, 1], out=dst[:, :, a, :, 0])
            np.add(rows[a, 1], rows[a, 2], out=dst[:, :, a, :, 1])

    _blocked(transform, c, 9 * th * tw * n * v.itemsize)
    return permuted_copy(tiles.reshape(c, h, wd, n), (3, 0, 1, 2), out)


def weight_grad(xt, v, w_shape):
    r"""The weight gradient from :math:`\tilde X` (the forward's ``xt``) and :math:`V`
    (:func:`grad_transform`): :math:`\partial U_k = \tilde X_k V_k^\top`, then
    :func:`weight_grad_transform`."""
    return weight_grad_transform(np.matmul(xt, v.transpose(0, 2, 1)), w_shape)
