r"""Small-channel convolutions as a few matrix products on *shifted* views, with no im2col.

Why. im2col (``conv.py``) copies every input pixel :math:`k_h k_w` times (9x for a 3x3
kernel) into a column matrix, and col2im adds 9 copies back for the input gradient. With
few channels (16 or 32) those copies, not the products, are most of a layer's time.

The idea. Lay the zero-padded input out channel-major and flatten every image's padded
grid, :math:`X: C \times (N H_p W_p)`. Output pixel :math:`(n, y, x)` then sits at grid
position :math:`p = n H_p W_p + y W_p + x`, and kernel tap :math:`(i, j)` reads grid
position :math:`p + i W_p + j` (stride 1): the same column *offset* for every pixel. So
tap :math:`(i, j)`'s contribution to all outputs at once is one product with a
contiguous column slice of :math:`X`, no copy:

.. math::

    Y_{:,\,p} = \sum_{i,j} W_{:,:,i,j}\; X_{:,\,p + i W_p + j}
    \qquad (Y: O \times \text{grid}, \; W_{:,:,i,j}: O \times C).

The grid positions that are not output pixels (the last :math:`k_w - 1` columns and
:math:`k_h - 1` rows of every image's grid) are computed too and cropped away: that is
:math:`(H_p W_p) / (OH \cdot OW)` more work (13% for 32x32 maps, 27% for 16x16), or with
the padding shared between neighbouring rows and images (:func:`grid`, stride 1)
:math:`((H + p) (W + p)) / (OH \cdot OW)`: 6% for 32x32 maps, 13% for 16x16.

Fewer, larger products. The :math:`k_w` taps of one kernel row differ by one column each,
so the input is stacked once with those shifts, :math:`S_{(j, c),\,p} = X_{c,\,p + j}`
(:math:`k_w` copies of the input: 3x, where im2col makes 9x), and each kernel *row* is
one product with :math:`K = k_w C`:

.. math::

    Y_{:,\,p} = \sum_i W_i\, S_{:,\,p + i W_p}, \qquad W_i: O \times (k_w C),

and all kernel rows are one product :math:`[W_0; W_1; W_2]\, S` ((k_h O) x (k_w C))
whose blocks are added onto each other shifted by :math:`i W_p`.

Gradients, with the output gradient :math:`G` put on the same grid (zeros at the
positions that are not output pixels) and stacked once with its copies shifted *right*
by each kernel row's offset, :math:`G^s_{(i, o),\,q} = G_{o,\,q - i W_p}` (3 copies of
:math:`G`, shared by both):

* weight: :math:`\partial L/\partial W_{:,:,i,j} = \sum_p G_{:,p}\,
  X_{:,\,p + i W_p + j}^\top`, i.e. all of it in *one* product :math:`S\,(G^s)^\top`
  ((k_w C) x (k_h O), summing over all grid positions; shifting :math:`G` right by
  :math:`i W_p` is the same as shifting :math:`S` left), reading the :math:`S` the
  forward pass saved;
* input: :math:`\partial L/\partial X_{:,\,q} = \sum_{i,j} W_{:,:,i,j}^\top\,
  G_{:,\,q - i W_p - j} = \sum_j (W_{:,:,\cdot,j})^\top G^s_{:,\,q - j}`: one product
  :math:`T = (W_{:,:,\cdot,j})^\top_{j} G^s` for all kernel columns at once
  ((k_w C) x (k_h O) times :math:`G^s`), whose block :math:`j` is added onto the slice
  shifted by :math:`j` (the adjoint of reading a shifted slice is adding onto it), then
  the padding cropped.

Strides. With stride :math:`s`, output :math:`(y, x)` and tap :math:`(i, j)` read padded
pixel :math:`(s y + i, s x + j)`, which is pixel :math:`(y + \lfloor i/s \rfloor, x +
\lfloor j/s \rfloor)` of the *phase* image :math:`X^{(i \bmod s,\, j \bmod s)} =
X_{:, :, i \bmod s :: s,\; j \bmod s :: s}`. Each phase is laid out on a common grid
of :math:`\lceil H_p/s \rceil \times \lceil W_p/s \rceil`, and everything above holds with
:math:`W_p` replaced by that grid's width and each tap reading its own phase. The stacked
:math:`S` then holds, per phase row :math:`a = i \bmod s`, the :math:`k_w` shifted phase
images a kernel row reads. No pixel is computed that a strided convolution skips.

Numerics: every output is the same sum of products as im2col's (in another order), so
float32 rounding is that of any direct convolution. Grid positions outside the output
multiply zeros of :math:`G` by input pixels in the weight gradient (and by the weights in
the input gradient): an infinite pixel (weight) there would make ``0 * inf = NaN``, so
``kernels/conv.py`` redoes the weight gradient by im2col when the result is not finite,
and takes im2col for the input gradient when a weight is not (see its
``local_if_not_finite``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .threads import split_work


class Grid(NamedTuple):
    """The common grid of the phase images: ``s_h x s_w`` phases of ``(C, N, hq, wq)``.

    ``length`` is the number of grid positions every product computes: up to the last
    output row of the last image (every output pixel). ``size``: the columns of the
    stacks, ``N hq wq`` plus the zero rows past the last image that its last output row's
    taps read (with shared padding, below).
    """

    n: int
    hq: int
    wq: int
    oh: int
    ow: int
    length: int
    size: int


def grid(x_shape, w_shape, stride, padding, shared: bool = True) -> Grid:
    """The grid of an (N, C, H, W) input, (O, C, kh, kw) kernel, stride and padding.

    Stride 1 shares the padding between neighbours: the bottom padding rows of one image
    are read as the top padding rows of the next (and the right padding columns of one
    row as the left ones of the next), so an image's grid is ``H + max(p_t, p_b)`` by
    ``W + max(p_l, p_r)`` rather than ``H + p_t + p_b`` by ``W + p_l + p_r``: for ResNet's
    3x3 layers (padding 1) 33 x 33 instead of 34 x 34 on 32x32 maps, 6% fewer grid
    positions to multiply and copy (11% on 16x16). A tap past the end of a row (image)
    then reads the next one's first ``p_l`` columns (``p_t`` rows), which are zeros,
    because it reads at most ``min(p_l, p_r)`` (``min(p_t, p_b)``) of them.
    ``shared=False`` gives the grid without the sharing (which :func:`cost` prices).
    """
    n, _, h, w = x_shape
    kh, kw = w_shape[2:]
    (sh, sw), (pt, pb, pl, pr) = stride, padding
    hp, wp = h + pt + pb, w + pl + pr
    oh, ow = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    if (sh, sw) == (1, 1) and shared:
        hq, wq = max(h + max(pt, pb), oh), max(w + max(pl, pr), ow)
    else:
        hq, wq = -(-hp // sh), -(-wp // sw)
    length = ((n - 1) * hq + oh) * wq
    return Grid(n, hq, wq, oh, ow, length, max(n * hq * wq, length + (kh - 1) // sh * wq))


def _phase_rows(size: int, pad: int, phase: int, s: int) -> tuple[slice, slice]:
    """Rows of one phase image that hold input rows, and those input rows: padded row
    ``phase + s m`` is input row ``phase + s m - pad``."""
    first = max(0, -(-(pad - phase) // s))  # first m with phase + s m >= pad
    start = phase + s * first - pad
    count = len(range(start, size, s)) if start < size else 0
    return slice(first, first + count), slice(start, start + s * (count - 1) + 1 if count else start, s)


def stacked_input(x, w_shape, stride, padding):
    r"""The shifted stacks :math:`S`, (min(s_h, kh), kw*C, N*hq*wq): one per phase row ``a``.

    ``S_a[(j, c), p]`` is grid position ``p + j // s_w`` of phase image
    ``(a, j % s_w)`` of the zero-padded input (zero past the end of the array).
    """
    n, c, h, w = x.shape
    kh, kw = w_shape[2:]
    (sh, sw), (pt, _, pl, _) = stride, padding
    g = grid(x.shape, w_shape, stride, padding)
    size, cells = g.size, n * g.hq * g.wq
    xt = x.transpose(1, 0, 2, 3)  # (C, N, H, W) view
    stacks = np.empty((min(sh, kh), kw, c, size), dtype=x.dtype)

    def fill(part: slice) -> None:  # channels are independent: split over cores
        for a, s in enumerate(stacks[:, :, part]):
            rows_q, rows_x = _phase_rows(h, pt, a, sh)
            for j in range(kw):
                b, shift = j % sw, j // sw
                if shift == 0:  # phase image (a, b) itself, on the grid
                    cols_q, cols_x = _phase_rows(w, pl, b, sw)
                    grid4 = s[j, :, :cells].reshape(-1, n, g.hq, g.wq)
                    grid4[...] = 0
                    grid4[:, :, rows_q, cols_q] = xt[part, :, rows_x, cols_x]
                    s[j, :, cells:] = 0
                else:  # the same phase image, shifted left by `shift` grid positions
                    s[j, :, : size - shift] = s[b, :, shift:]
                    s[j, :, size - shift :] = 0

    split_work(fill, c, stacks.nbytes)
    return stacks.reshape(len(stacks), kw * c, size)


def forward(x, w, stride, padding, stacks=None):
    r"""(N, C, H, W) * (O, C, kh, kw) -> (N, O, OH, OW), and the stacks for the weight
    gradient.

    For each phase row ``a``, one product of the weights of all its kernel rows,
    (kernel row, O) x (kernel column, C), with its stack: block ``m`` is kernel row
    ``a + m s_h``'s contribution :math:`W_i S_a` at every grid position, added onto the
    output shifted by its offset ``m wq``. One product with ``kh O`` rows rather than
    ``kh`` products with ``O`` rows: measured 3-17% faster forwards for ResNet's layers
    (16 -> 16 on 32x32 maps: 1.15 -> 0.96 ms on two threads, 2.09 -> 1.88 on one)."""
    g = grid(x.shape, w.shape, stride, padding)
    if stacks is None:
        stacks = stacked_input(x, w.shape, stride, padding)
    sh = stride[0]
    o, c, kh, kw = w.shape
    length, cells = g.length, g.n * g.hq * g.wq
    y = None
    for a in range(min(sh, kh)):
        rows = len(range(a, kh, sh))
        wa = np.ascontiguousarray(w[:, :, a::sh, :].transpose(2, 0, 3, 1)).reshape(rows * o, kw * c)
        span = length + (rows - 1) * g.wq  # the positions block m reads: m wq + [0, length)
        if a == 0:
            span = max(span, cells)  # block 0 is the output grid itself
        blocks = np.matmul(wa, stacks[a][:, :span]).reshape(rows, o, span)
        if y is None:
            y, blocks = blocks[0], blocks[1:]
            first = 1
        else:
            first = 0
        for m, block in enumerate(blocks, first):
            y[:, :length] += block[:, m * g.wq : m * g.wq + length]
    y = y[:, :cells].reshape(o, g.n, g.hq, g.wq)[:, :, : g.oh, : g.ow]
    return np.ascontiguousarray(y.transpose(1, 0, 2, 3)), stacks


def grad_stack(grad, x_shape, w_shape, stride, padding):
    r"""The output gradient (N, O, OH, OW) on the grid (zero elsewhere), stacked with its
    copies shifted by the kernel rows' grid offsets: (R*O, N*hq*wq), block ``m`` being
    :math:`G_{:,\,q - m\,w_q}` (zero before the start), for the R = ceil(kh / s_h)
    offsets. Both gradients read it: each product then sums over a whole kernel column
    (weight gradient: all kernel rows at once)."""
    n, o, oh, ow = grad.shape
    g = grid(x_shape, w_shape, stride, padding)
    rows, size, cells = (w_shape[2] - 1) // stride[0] + 1, g.size, n * g.hq * g.wq
    out = np.empty((rows, o, size), dtype=grad.dtype)  # zeroed where not overwritten:
    out[0] = 0
    out[0, :, :cells].reshape(o, n, g.hq, g.wq)[:, :, :oh, :ow] = grad.transpose(1, 0, 2, 3)
    for m in range(1, rows):
        out[m, :, : m * g.wq] = 0
        out[m, :, m * g.wq :] = out[0, :, : size - m * g.wq]
    return out.reshape(rows * o, size)


def weight_grad(x, grad, w_shape, stride, padding, stacks=None, gstack=None):
    r""":math:`\partial L/\partial W_{i,j} = \sum_p G_{:,p}\,S_{(j,:),\,p + r_i}^\top`: for each
    phase row, one product of its stack with the stacked gradient (``S G_s^\top``, all
    its kernel rows at once), shape ``w_shape``."""
    o, c, kh, kw = w_shape
    sh = stride[0]
    if stacks is None:
        stacks = stacked_input(x, w_shape, stride, padding)
    if gstack is None:
        gstack = grad_stack(grad, x.shape, w_shape, stride, padding)
    dw = np.empty((o, c, kh, kw), dtype=gstack.dtype)
    for a in range(min(sh, kh)):
        rows = len(range(a, kh, sh))  # kernel rows a, a + s_h, ...: offsets 0, 1, ... rows
        block = stacks[a] @ gstack[: rows * o].T  # ((j, c), (m, o))
        dw[:, :, a::sh, :] = block.reshape(kw, c, rows, o).transpose(3, 1, 2, 0)
    return dw


def input_grad(grad, w, x_shape, stride, padding, gstack=None):
    r""":math:`\partial L/\partial X`: for each phase row ``a``, one product of the weights of
    all its taps, (kernel column, C) x (kernel row, O), with the stacked gradient; then,
    for each phase image, the products of its kernel columns ``j`` added onto each other
    shifted by ``j // s_w``, the phases put back in place and the padding cropped.

    One product with ``kw C`` rows rather than ``kw`` products with ``C`` rows: thin
    products (16 rows) run below BLAS's best rate; measured 9-17% faster for ResNet's
    16 -> 16, 16 -> 32 and 32 -> 64 layers (stride 1 and 2, one and two threads),
    for a ``kw``-times larger intermediate."""
    n, c, h, wd = x_shape
    o, _, kh, kw = w.shape
    (sh, sw), (pt, _, pl, _) = stride, padding
    g = grid(x_shape, w.shape, stride, padding)
    if gstack is None:
        gstack = grad_stack(grad, x_shape, w.shape, stride, padding)
    size, cells = g.size, g.n * g.hq * g.wq
    dx = (np.zeros if kh < sh or kw < sw else np.empty)(x_shape, dtype=gstack.dtype)
    for a in range(min(sh, kh)):
        rows = len(range(a, kh, sh))
        rows_q, rows_x = _phase_rows(h, pt, a, sh)
        wa = w[:, :, a::sh, :].transpose(3, 1, 2, 0).reshape(kw * c, rows * o)  # ((j, c), (m, o))
        taps = np.matmul(wa, gstack[: rows * o]).reshape(kw, c, size)
        for b in range(min(sw, kw)):
            cols_q, cols_x = _phase_rows(wd, pl, b, sw)
            dphase = taps[b]  # column j = b: no shift
            for j in range(b + sw, kw, sw):
                t = j // sw
                dphase[:, t:] += taps[j, :, : size - t]
            grid4 = dphase[:, :cells].reshape(c, n, g.hq, g.wq)
            dx[:, :, rows_x, cols_x] = grid4[:, :, rows_q, cols_q].transpose(1, 0, 2, 3)
    return dx


def cost(n: int, c: int, o: int, h: int, w: int, kh: int, kw: int, stride, padding) -> tuple[int, int]:
    """(product FLOPs, entries streamed) of forward + both gradients: the cost model's
    inputs. The products run over every grid position (``3 * 2 C O kh kw`` FLOPs each).
    The entries are a size measure, weighted as a whole by the fit: the stacks three
    times (written, then read by the forward and the weight gradient) and ``kh O + kh kw
    C`` per grid position (the grids the products write and the additions read).

    Priced on the grid the weights were fitted on, without the shared padding of
    :func:`grid` (which came later and makes the products ~6% smaller on 32x32 maps):
    priced on the smaller grid, the model would move some layers off the Fourier path
    and im2col that measure faster there (16 -> 32 on 16x16 maps at batch 32: Fourier
    2.35 ms, shifted 3.07, one thread). Its choices stay those measured."""
    g = grid((n, c, h, w), (o, c, kh, kw), stride, padding, shared=False)
    positions = g.length
    flops = 3 * 2 * c * o * kh * kw * positions
    stacks = min(stride[0], kh) * kw * c * g.size
    entries = 3 * stacks + (kh * o + kh * kw * c) * positions
    return flops, entries
