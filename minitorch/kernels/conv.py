r"""Convolution kernels: im2col + one matrix product, col2im, and the choice of path.

The interface (all on raw arrays, ``geo`` a :class:`ConvGeometry`):

* ``conv_forward(x, w, geo, cache=None, bias=None) -> (out, cache)``
* ``conv_input_grad(grad, w, x_shape, geo, gmat=None)``
* ``conv_weight_grad(x, grad, w_shape, geo, cache=None, gmat=None)``
* ``bias_grad(grad)``: the bias gradient (a sum over N, H, W);
* ``grad_matrix(grad, geo, x_shape, w_shape=None)``: the output gradient laid out once
  for both gradients; ``cache``: what the forward pass leaves for the weight gradient (the
  im2col columns, or on the Fourier path the input's spectrum);
* ``prefer_batch_last`` / ``prefer_fourier`` / ``prefer_winograd`` / ``prefer_shifted`` /
  ``prefer_direct``: the cost models that pick a layout and a path (``pointwise_applies``:
  1x1 kernels always take ``pointwise``).

Loop-based twins of all three products are in :mod:`minitorch.kernels.reference`.

The idea in one picture. For a kernel of size :math:`k_h \times k_w`, every output pixel
is a dot product between the weights and one :math:`C \times k_h \times k_w` window of
the (padded) input. Copy all windows into the columns of one matrix ("im2col") and the
whole convolution becomes a single matrix product, which BLAS does at full speed:

.. math::

    \underbrace{Y}_{O \times (N\,OH\,OW)} =
    \underbrace{W}_{O \times (C\,k_h k_w)} \;
    \underbrace{\mathrm{cols}(X)}_{(C\,k_h k_w) \times (N\,OH\,OW)}

Layout is everything. The column matrix is laid out ``(C, kh, kw, N, OH, OW)`` or
``(C, kh, kw, OH, OW, N)``: its rows match the weight's ``(C, kh, kw)`` memory order and
its columns run over the output pixels, so both factors of every product are contiguous,
and the reverse step ("col2im") is just ``kh * kw`` strided slice-additions, one per
kernel offset. Measured on the tutorial CNN (batch 64, 2 cores): the layout
``(N, OH, OW, C, kh, kw)`` made one backward pass 10x slower (240 ms against 20 ms);
putting the batch *last* makes im2col/col2im 2-3x faster again when the input has many
channels (each slice is then a long run of ``(OW, N)`` values), at the price of
transposing the output, which only pays off for wide kernels (:func:`prefer_batch_last`).
Those layout changes are cache-friendly slab-by-slab copies (``permuted_copy``), and the
large copies and col2im are split over the cores (``split_work``): NumPy does copies on
one core, but independent channels or slabs can run on two threads at once.

A second algorithm, for stride-1 layers with many channels on small images, lives in
``conv_fourier.py``: the convolution theorem, with the DFTs as small matrix products.
``conv2d`` picks it when a cost model predicts it faster (:func:`prefer_fourier`); the
geometry's ``fourier`` flag then routes the three array kernels below to it. Small-channel
3x3 layers can instead run as products on shifted views of the padded input
(``conv_shifted.py``, :func:`prefer_shifted`), with no column matrix at all. Layers with
1-3 input channels (a first layer, from a few images on) take ``conv_direct.py``: im2col
a block of images at a time, used while in cache (:func:`prefer_direct`, flag ``direct``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._backend import get_array_module
from . import conv_direct, conv_fourier, conv_shifted, pointwise, threads, winograd
from .copies import contiguous_copy, permuted_copy, sliding_windows
from .threads import blas_core, split_work


class ConvGeometry(NamedTuple):
    """Everything besides the arrays that a 2-D convolution needs (all explicit ints).

    ``padding`` is ``(top, bottom, left, right)``: PyTorch's ``padding='same'`` can need
    one more row/column at the bottom/right than at the top/left.
    """

    stride: tuple[int, int]
    padding: tuple[int, int, int, int]
    dilation: tuple[int, int]
    groups: int
    batch_last: bool = False  # internal memory layout, see prefer_batch_last
    fourier: bool = False  # convolution theorem instead of im2col, see prefer_fourier
    winograd: bool = False  # Winograd F(4x4, 3x3) instead of im2col, see prefer_winograd
    pointwise: bool = False  # 1x1 kernel, no padding: products on the input itself
    shifted: bool = False  # products on shifted views, no im2col, see prefer_shifted
    direct: bool = False  # few input channels: im2col a block at a time, see conv_direct
    parts: int = 1  # the batch cut into this many parts, each on a core, see prefer_parts

    def out_size(self, h: int, w: int, kh: int, kw: int) -> tuple[int, int]:
        r""":math:`OH = \lfloor (H + p_t + p_b - d_h (k_h - 1) - 1) / s_h \rfloor + 1`, same for W."""
        (sh, sw), (pt, pb, pl, pr), (dh, dw) = self.stride, self.padding, self.dilation
        return (
            (h + pt + pb - dh * (kh - 1) - 1) // sh + 1,
            (w + pl + pr - dw * (kw - 1) - 1) // sw + 1,
        )


# ---------------------------------------------------------------------------------------
# The array kernels: im2col, col2im, and the three products. Internally activations are
# channel-major: (C, N, H, W) ("batch-first") or (C, H, W, N) ("batch-last"). Batch-last
# makes every window slice a run of whole (OW, N) rows, so im2col/col2im stream through
# memory; it costs two transposes of the output-sized arrays, which only pay off when the
# columns are much larger than the output (see :func:`prefer_batch_last`).
# ---------------------------------------------------------------------------------------
def _layout(geo: ConvGeometry) -> tuple[int, int, int, int]:
    """The NCHW axes in internal memory order: C first, then N, H, W or H, W, N."""
    return (1, 2, 3, 0) if geo.batch_last else (1, 0, 2, 3)


def _padded(x, geo: ConvGeometry):
    """(N, C, H, W) -> zero-padded copy in the internal layout (one transposing copy)."""
    xp = get_array_module(x)
    perm = _layout(geo)
    pt, pb, pl, pr = geo.padding
    n, c, h, w = x.shape
    sizes = (n, c, h + pt + pb, w + pl + pr)
    out = xp.zeros(tuple(sizes[a] for a in perm), dtype=x.dtype)
    permuted_copy(x, perm, out=out[_hw_index(perm, slice(pt, pt + h), slice(pl, pl + w))])
    return out


def _hw_index(perm, rows: slice, cols: slice) -> tuple:
    """An index selecting ``rows`` and ``cols`` on the H and W axes of a permuted array."""
    index = [slice(None)] * len(perm)
    index[perm.index(2)], index[perm.index(3)] = rows, cols
    return tuple(index)


def im2col(x, kh: int, kw: int, geo: ConvGeometry):
    """Windows of ``x`` (N, C, H, W) as a contiguous array (C, kh, kw, <N, OH, OW>).

    The last three axes are (N, OH, OW) or (OH, OW, N) as the layout says. Entry
    ``[c, i, j, n, p, q]`` is the padded input pixel ``x[n, c, p*sh + i*dh, q*sw + j*dw]``
    that kernel tap ``(i, j)`` sees at output pixel ``(p, q)``. Built as a strided *view*
    of the padded input (no copy), then copied once.
    """
    n, c, h, w = x.shape
    oh, ow = geo.out_size(h, w, kh, kw)
    perm = _layout(geo)
    xpad = _padded(x, geo)
    stride_of = dict(zip(perm, xpad.strides))  # byte stride of each NCHW axis
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    size = {0: n, 2: oh, 3: ow}
    step = {0: stride_of[0], 2: stride_of[2] * sh, 3: stride_of[3] * sw}
    tail = perm[1:]  # N, H, W in memory order
    view = sliding_windows(
        xpad,
        (c, kh, kw, *(size[a] for a in tail)),
        (stride_of[1], stride_of[2] * dh, stride_of[3] * dw, *(step[a] for a in tail)),
    )
    return contiguous_copy(view)


def col2im(cols, x_shape, geo: ConvGeometry):
    """Adjoint of :func:`im2col`: add every column entry back onto the pixel it came from.

    ``cols`` is laid out like im2col's result; the result has ``x_shape`` (N, C, H, W).
    One slice-addition per kernel tap ``(i, j)``: the taps' pixels overlap, the pixels
    inside one tap's slice do not, so plain ``+=`` is exact (no ``np.add.at``).
    """
    xp = get_array_module(cols)
    perm = _layout(geo)
    n, c, h, w = x_shape
    kh, kw = cols.shape[1:3]
    oh, ow = geo.out_size(h, w, kh, kw)
    (sh, sw), (pt, pb, pl, pr), (dh, dw) = geo.stride, geo.padding, geo.dilation
    sizes = (n, c, h + pt + pb, w + pl + pr)
    # Without dilation, and with a kernel at least as large as the stride, the first
    # sh x sw taps tile rows [0, sh*oh) x columns [0, sw*ow) exactly once: they are
    # *written*, which spares zeroing the array first and reading it back for 1/(kh kw)
    # of the taps (4 of 16 for a 4x4 stride-2 transposed conv; measured 10% faster on
    # the DCGAN generator's layers); only what they leave uncovered is zeroed.
    tiled = (dh, dw) == (1, 1) and kh >= sh and kw >= sw
    gpad = (xp.empty if tiled else xp.zeros)(tuple(sizes[a] for a in perm), dtype=cols.dtype)

    def accumulate(channels: slice) -> None:  # channels are independent: split over cores
        part = gpad[channels]
        if tiled:
            part[_hw_index(perm, slice(sh * oh, None), slice(None))] = 0
            part[_hw_index(perm, slice(None), slice(sw * ow, None))] = 0
        for i in range(kh):
            for j in range(kw):
                r, q = i * dh, j * dw
                rows = slice(r, r + sh * (oh - 1) + 1, sh)
                cols_ = slice(q, q + sw * (ow - 1) + 1, sw)
                if tiled and i < sh and j < sw:  # comes before every tap that overlaps it
                    part[_hw_index(perm, rows, cols_)] = cols[channels, i, j]
                else:
                    part[_hw_index(perm, rows, cols_)] += cols[channels, i, j]

    split_work(accumulate, c, cols.nbytes, xp)
    inner = gpad[_hw_index(perm, slice(pt, pt + h), slice(pl, pl + w))]
    return permuted_copy(inner, tuple(perm.index(a) for a in range(4)))


def _grouped_weight(w, groups: int):
    """Weight (O, C/g, kh, kw) as a stack of ``groups`` matrices (g, O/g, C/g*kh*kw)."""
    return w.reshape(groups, w.shape[0] // groups, -1)


def grad_matrix(g, geo: ConvGeometry, x_shape, w_shape=None):
    """Output gradient (N, O, OH, OW) as (g, O/g, N*OH*OW) in the internal layout.

    On the Fourier path: its spectrum (F, N, O), shared by both gradients just the same;
    on the shifted path its stack of shifted grids, which needs ``w_shape`` (without it,
    None: each gradient then builds its own).
    """
    if geo.parts > 1:
        return _by_parts(g.shape[0], geo, lambda k, sl, one: grad_matrix(
            g[sl], one, _rows(x_shape, sl), w_shape))
    if geo.fourier:
        return conv_fourier.grad_spectrum(g, x_shape, geo.padding)
    if geo.winograd:
        return winograd.grad_transform(g, geo.padding, x_shape)
    if geo.pointwise:
        return g  # used as it is
    if geo.shifted:
        if w_shape is None:
            return None
        return conv_shifted.grad_stack(g, x_shape, w_shape, geo.stride, geo.padding)
    if geo.direct:
        return g  # laid out block by block (conv_direct)
    o = g.shape[1]
    return permuted_copy(g, _layout(geo)).reshape(geo.groups, o // geo.groups, -1)


def bias_grad(g):
    r"""The bias gradient :math:`\partial L/\partial b_o = \sum_{n,p,q} G_{n,o,p,q}`.

    As one matrix-vector product with a vector of ones (then a sum over the batch): BLAS
    runs it about 3x faster than NumPy's ``sum`` over the axes (0, 2, 3) (measured 0.04
    against 0.12 ms for the tutorial CNN's first layer at batch 64).
    """
    xp = get_array_module(g)
    n, o = g.shape[:2]
    rows = g.reshape(n, o, -1)
    return (rows @ xp.ones(rows.shape[2], dtype=g.dtype)).sum(0)


def conv_forward(x, w, geo: ConvGeometry, cache=None, bias=None):
    """Raw-array convolution; returns ``(out, cache)`` with ``out`` of shape (N, O, OH, OW).

    ``cache`` is what the chosen path can reuse for the weight gradient: the im2col
    columns, or on the Fourier path the input's spectrum (see ``conv_fourier``), on the
    Winograd path the input's tile transform (``winograd``), for 1x1 kernels the pixels
    the kernel sees (``pointwise``); with ``geo.parts > 1`` a :class:`Parts` of them.
    """
    if geo.parts > 1:
        return _forward_by_parts(x, w, geo, cache, bias)
    if geo.fourier:
        out, cache = conv_fourier.forward(x, w, geo.padding, cache)
    elif geo.winograd:
        out, cache = winograd.forward(x, w, geo.padding, v=cache)
    elif geo.pointwise:
        out, cache = pointwise.forward(x, w, geo.stride, cache)
    elif geo.shifted:
        out, cache = conv_shifted.forward(x, w, geo.stride, geo.padding, cache)
    elif geo.direct:
        return conv_direct.forward(x, w, geo.padding, bias, cache)  # adds the bias itself
    else:
        out, cache = _columns_forward(x, w, geo, cache)
    if bias is not None:
        out += bias.reshape(1, -1, 1, 1)
    return out, cache


def _columns_forward(x, w, geo: ConvGeometry, cols=None):
    """im2col and one product. Batch-first columns give NCHW directly (one product per
    image); batch-last ones give (O, OH, OW, N), copied back to NCHW."""
    xp = get_array_module(x)
    n, _, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = geo.out_size(h, wd, kh, kw)
    if cols is None:
        cols = im2col(x, kh, kw, geo)
    g = geo.groups
    sizes = (n, o, oh, ow)
    if g == 1 and not geo.batch_last:
        # Batch-first columns (K, N, OH*OW): one product per image writes the output
        # straight into NCHW order, with no transposing copy afterwards.
        out = xp.matmul(w.reshape(o, -1), cols.reshape(-1, n, oh * ow).transpose(1, 0, 2))
        return out.reshape(sizes), cols
    out = xp.matmul(_grouped_weight(w, g), cols.reshape(g, -1, n * oh * ow))
    perm = _layout(geo)
    out = out.reshape(tuple(sizes[a] for a in perm))
    return permuted_copy(out, tuple(perm.index(a) for a in range(4))), cols


def conv_weight_grad(x, grad, w_shape, geo: ConvGeometry, cache=None, gmat=None):
    r"""Weight gradient :math:`G\,\mathrm{cols}(X)^\top` per group, of shape ``w_shape``.

    ``cache`` (im2col of ``x``) and ``gmat`` (``grad`` as matrices) are reused if given
    (on the Fourier path: the spectra of ``x`` and ``grad``).
    """
    if geo.parts > 1:
        return _weight_grad_by_parts(x, grad, w_shape, geo, cache, gmat)
    if geo.fourier:
        return conv_fourier.weight_grad(x, grad, w_shape, geo.padding, cache, gmat)
    if geo.winograd:
        return winograd.weight_grad(x, grad, w_shape, geo.padding, v=cache, dm=gmat)
    if geo.pointwise:
        return pointwise.weight_grad(x, grad, w_shape, geo.stride, cache)
    if geo.shifted:
        dw = conv_shifted.weight_grad(x, grad, w_shape, geo.stride, geo.padding, cache, gmat)
        if all_finite(dw):
            return dw
        # A NaN/inf pixel met the zeros of the gradient's grid (see local_if_not_finite),
        # or the gradient holds one: im2col gives what PyTorch's convolution does
        geo, cache, gmat = geo._replace(shifted=False), None, None
    if geo.direct:
        return conv_direct.weight_grad(x, grad, w_shape, geo.padding, cache)
    cols = cache
    xp = get_array_module(grad)
    _, _, kh, kw = w_shape
    if cols is None:
        cols = im2col(x, kh, kw, geo)
    if gmat is None:
        gmat = grad_matrix(grad, geo, x.shape, w_shape)
    cmat = cols.reshape(geo.groups, -1, gmat.shape[-1])
    if gmat.shape[1] >= cmat.shape[1]:
        return xp.matmul(gmat, cmat.transpose(0, 2, 1)).reshape(w_shape)
    # OpenBLAS is faster on A B^T (both rows contiguous along the long sum) when A has
    # the more rows: measured 0.63 -> 0.32 ms for a 32 x 400 product summing over
    # 4096 (a 5x5 conv 16 -> 32 on 8x8 maps, batch 64), 13.0 -> 11.1 ms for the DCGAN
    # generator's 128 x 1024 one. So the transposed product, then the (weight-sized)
    # transpose.
    return xp.matmul(cmat, gmat.transpose(0, 2, 1)).transpose(0, 2, 1).reshape(w_shape)


def conv_input_grad(grad, w, x_shape, geo: ConvGeometry, gmat=None):
    r"""Input gradient :math:`\mathrm{col2im}(W^\top G)`, of shape ``x_shape``."""
    if geo.parts > 1:
        return _input_grad_by_parts(grad, w, x_shape, geo, gmat)
    if geo.fourier:
        return conv_fourier.input_grad(grad, w, x_shape, geo.padding, gmat)
    if geo.winograd:
        return winograd.input_grad(grad, w, x_shape, geo.padding, dm=gmat)
    if geo.pointwise:
        return pointwise.input_grad(grad, w, x_shape, geo.stride)
    if geo.shifted:
        if all_finite(w):  # an infinite weight would meet the zeros of the grid
            return conv_shifted.input_grad(grad, w, x_shape, geo.stride, geo.padding, gmat)
        geo, gmat = geo._replace(shifted=False), None
    if geo.direct:
        return conv_direct.input_grad(grad, w, x_shape, geo.padding)
    xp = get_array_module(grad)
    n, _, oh, ow = grad.shape
    _, _, kh, kw = w.shape
    if gmat is None:
        gmat = grad_matrix(grad, geo, x_shape, w.shape)
    cols = xp.matmul(_grouped_weight(w, geo.groups).transpose(0, 2, 1), gmat)
    sizes = {0: n, 2: oh, 3: ow}
    tail = tuple(sizes[a] for a in _layout(geo)[1:])
    return col2im(cols.reshape(x_shape[1], kh, kw, *tail), x_shape, geo)


# ---------------------------------------------------------------------------------------
# The batch in parts, each part on a core (``geo.parts > 1``, chosen by prefer_parts).
# Every path above is single-threaded in its products when its matrices are small, and
# its copies split over the cores only from 4 MiB: on ResNet's and VGG's layers (2-8 MiB
# of activations at batch 32) two cores did little better than one (measured: 16 -> 16
# at 32x32, forward + backward by Winograd, 3.5 ms with two threads, 3.4 ms with one).
# The images of a batch are independent, so cutting the batch into as many parts as
# there are cores and running the whole path on each part (OpenBLAS on one thread
# meanwhile) uses both cores all the time, as PyTorch's oneDNN convolutions do.
# ---------------------------------------------------------------------------------------
class Parts(list):
    """What each part of the batch left (caches, gradient layouts), in part order."""


def part_slices(n: int, parts: int) -> list[slice]:
    """The images of each part: ``parts`` runs of consecutive images, sizes within one."""
    return [slice(n * k // parts, n * (k + 1) // parts) for k in range(parts)]


def _rows(shape, sl: slice) -> tuple:
    """``shape`` with the batch size of the part ``sl``."""
    return (len(range(shape[0])[sl]), *shape[1:])


def _part(given, k: int):
    """Part ``k`` of a cache or gradient layout left by the parts (None if none was)."""
    return given[k] if isinstance(given, Parts) else None


def _by_parts(n: int, geo: ConvGeometry, fn) -> Parts:
    """``Parts(fn(k, slice_k, one) for every part k)``, the parts spread over the free
    cores by :func:`threads.split_work` (a busy machine runs them one after another),
    OpenBLAS on one thread meanwhile; ``one`` is the geometry of a single part. Which
    images a part holds never depends on the number of threads, so neither do the
    results."""
    slices = part_slices(n, geo.parts)
    one = geo._replace(parts=1)
    out = Parts([None] * geo.parts)

    def run(chunk: slice) -> None:
        for k in range(geo.parts)[chunk]:
            out[k] = fn(k, slices[k], one)

    with threads.parts_region():
        split_work(run, geo.parts, 1 << 62)  # as large as it gets: the caller chose to split
    return out


def _forward_by_parts(x, w, geo: ConvGeometry, cache, bias):
    """:func:`conv_forward` part by part, each part's output copied into its images."""
    n, _, h, wd = x.shape
    oh, ow = geo.out_size(h, wd, w.shape[2], w.shape[3])
    out = np.empty((n, w.shape[0], oh, ow), dtype=np.result_type(x.dtype, w.dtype))

    def part(k: int, sl: slice, one: ConvGeometry):
        y, left = conv_forward(x[sl], w, one, _part(cache, k), bias)
        out[sl] = y
        return left

    return out, _by_parts(n, geo, part)


def _weight_grad_by_parts(x, grad, w_shape, geo: ConvGeometry, cache, gmat):
    """:func:`conv_weight_grad` of each part, summed in part order."""
    return _sum_in_order(_by_parts(x.shape[0], geo, lambda k, sl, one: conv_weight_grad(
        x[sl], grad[sl], w_shape, one, _part(cache, k), _part(gmat, k))))


def conv_grads(x, grad, w, geo: ConvGeometry, held: list, input_grad: bool = True,
               weight_grad: bool = True):
    """``(dx, dw)``: :func:`conv_input_grad` and :func:`conv_weight_grad` (each None when
    not asked for) from one :func:`grad_matrix`, as a backward pass that records nothing
    needs them. ``held`` is a one-entry list holding the forward's cache (or None),
    emptied once the weight gradient has used it, so that nothing holds it while the
    input gradient builds arrays of the same size (halves a layer's peak memory).

    With the batch in parts, each part does its layout and both its gradients in one go
    on its thread (one hand-off instead of three, the part's layout still in cache),
    dropping its cache entry in between."""
    cache = held.pop()
    if geo.parts == 1:
        gmat = grad_matrix(grad, geo, x.shape, w.shape)
        dw = conv_weight_grad(x, grad, w.shape, geo, cache, gmat) if weight_grad else None
        del cache
        dx = conv_input_grad(grad, w, x.shape, geo, gmat) if input_grad else None
        return dx, dw
    dx = np.empty(x.shape, dtype=np.result_type(grad.dtype, w.dtype)) if input_grad else None

    def part(k: int, sl: slice, one: ConvGeometry):
        xs, gs = x[sl], grad[sl]
        gmat = grad_matrix(gs, one, xs.shape, w.shape)
        dw = conv_weight_grad(xs, gs, w.shape, one, _part(cache, k), gmat) if weight_grad else None
        if isinstance(cache, Parts):
            cache[k] = None  # (only this list holds it now)
        if input_grad:
            dx[sl] = conv_input_grad(gs, w, xs.shape, one, gmat)
        return dw

    dws = _by_parts(x.shape[0], geo, part)
    return dx, _sum_in_order(dws) if weight_grad else None


def _sum_in_order(arrays):
    """``arrays[0] + arrays[1] + ...``, left to right (a fixed order: fixed bits)."""
    total = arrays[0]
    for a in arrays[1:]:
        total = total + a
    return total


def _input_grad_by_parts(grad, w, x_shape, geo: ConvGeometry, gmat):
    """:func:`conv_input_grad` part by part, into each part's images."""
    dx = np.empty(x_shape, dtype=np.result_type(grad.dtype, w.dtype))

    def part(k: int, sl: slice, one: ConvGeometry) -> None:
        dx[sl] = conv_input_grad(grad[sl], w, _rows(x_shape, sl), one, _part(gmat, k))

    _by_parts(x_shape[0], geo, part)
    return dx


def local_if_not_finite(geo: ConvGeometry, *arrays) -> ConvGeometry:
    """Leave the Fourier, Winograd or direct path when an input holds a NaN or an infinity.

    Every output pixel of the Fourier path mixes all pixels of its image (Winograd's:
    all pixels of its tile, and ``inf - inf`` there makes NaNs), so one NaN would spoil
    a whole image (tile), where a direct convolution (PyTorch's, or im2col) spoils only
    the pixels whose windows see it; ``conv_direct``'s wrap columns multiply inputs by a
    zero gradient (``0 * inf = NaN``).

    The shifted path needs no look at its inputs here. Its forward and its input gradient
    (given finite weights) add exactly im2col's products, plus products of finite
    numbers with the zeros of its grid; only its weight gradient multiplies every pixel
    (a non-finite one too) by such zeros, and then the result is not finite either, so
    :func:`conv_weight_grad` checks that small result and redoes it by im2col if needed;
    :func:`conv_input_grad` checks the weights. That spares two passes over the
    activations per layer.
    """
    if (geo.fourier or geo.winograd or geo.direct) and not all(all_finite(a) for a in arrays):
        return geo._replace(fourier=False, winograd=False, direct=False)
    return geo


def all_finite(a) -> bool:
    r"""Is every entry of ``a`` finite? :math:`\sum a^2` is NaN or infinite when one entry is
    (or when it overflows, above ~1e19 in float32: then a fast path is left needlessly,
    never wrongly). As one BLAS dot product of a contiguous array it is ~3x faster than
    ``a.sum()`` (0.026 against 0.075 ms for a (32, 16, 32, 32) float32 array). OpenBLAS
    runs a dot product on one thread (measured: the same 31 us on one and two threads
    for 800 thousand values), so it wakes no thread that would then spin."""
    xp = get_array_module(a)
    v = a.reshape(-1) if a.flags.c_contiguous else a.sum()
    return bool(xp.isfinite(xp.dot(v, v) if v.ndim else v))


def prefer_batch_last(rows: int, out_channels: int) -> bool:
    """Choose the internal layout from the shape of the column matrix (rows x N*OH*OW).

    Batch-last speeds up im2col/col2im, whose work grows with ``rows`` = C/g*kh*kw,
    but transposes the output and its gradient, whose work grows with ``out_channels``.
    Measured on 2 CPU cores (float32, batch 64) it wins once rows >= 8 * out_channels:
    1.3x faster for the tutorial's conv 16->32 5x5 (rows/out = 12.5), 1.5x slower for
    its conv 1->16 5x5 (1.6) and 2-3x slower for 1x1 or 3-channel convolutions.
    """
    return rows >= 8 * out_channels


def _plain_cpu_float(x, geo: ConvGeometry, strides=((1, 1),)) -> bool:
    """What every path besides im2col needs: a stride in ``strides``, no dilation or
    groups, and a NumPy float32/float64 array (GPUs keep im2col and cuBLAS)."""
    return (
        geo.stride in strides
        and geo.dilation == (1, 1)
        and geo.groups == 1
        and get_array_module(x) is np
        and x.dtype in (np.float32, np.float64)
    )


def fourier_applies(x, geo: ConvGeometry) -> bool:
    """Can ``conv_fourier`` do this convolution of the (N, C, H, W) array ``x``? (Stride 1,
    no dilation, no groups, float32 or float64, on the CPU.)"""
    return _plain_cpu_float(x, geo)


def prefer_fourier(x, w_shape: tuple[int, int, int, int], geo: ConvGeometry,
                   input_grad: bool = True) -> bool:
    """Choose the convolution theorem (``conv_fourier``) over im2col for this layer?

    Only where it applies (:func:`fourier_applies`), and only when a cost model predicts
    it faster, with a 10% margin in im2col's favour (im2col is the exact, pixel-local
    reference). Each path's time is its FLOPs plus a price per array entry it streams
    through memory: the column matrix and the output for im2col, the spectra for the
    Fourier path. The weights were fitted to forward + backward times of 16 layer shapes
    on 2 CPU cores (1 to 128 channels, 4x4 to 56x56 images, 1x1 to 5x5 kernels;
    docs/PERFORMANCE.md); the model picked the faster path in 14 of them and lost at
    most 10% in the other two.

    Not for a first layer: with at most 3 input channels (:func:`direct_applies`) and no
    input gradient (``input_grad=False``: ``x`` needs none) the spectra buy nothing that
    im2col or ``conv_direct`` do not do cheaper. Measured, forward + weight gradient,
    the blitz's 3->6 5x5 on 32x32 (float32, 2 threads, under load): batch 4, Fourier
    0.25 ms, im2col 0.20, direct 0.17; batch 64, Fourier 1.97, direct 1.41 (with the
    input gradient the Fourier path still wins there: 2.97 against 4.61 direct).
    """
    if not fourier_applies(x, geo):
        return False
    if not input_grad and direct_applies(x, w_shape, geo):
        return False
    return 1.1 * _fourier_cost(x, w_shape, geo) < _im2col_cost(x, w_shape, geo)


def _im2col_cost(x, w_shape, geo: ConvGeometry) -> float:
    """The cost model's price of the im2col path (forward + backward; the units of the
    fit in docs/PERFORMANCE.md)."""
    n, c, h, w = x.shape
    o, _, kh, kw = w_shape
    oh, ow = geo.out_size(h, w, kh, kw)
    columns, outputs = n * c * kh * kw * oh * ow, n * o * oh * ow
    return 2 * o * columns + 70 * columns + 110 * outputs


def _fourier_cost(x, w_shape, geo: ConvGeometry) -> float:
    """The cost model's price of the Fourier path, in the same units."""
    n, c, h, w = x.shape
    o, _, kh, kw = w_shape
    flops, spectra = conv_fourier.cost(n, c, o, h, w, kh, kw, geo.padding)
    return 1.2 * flops + 330 * spectra


def _chosen_cost(x, w_shape, geo: ConvGeometry) -> float:
    """The price of the path chosen so far (the Fourier path if ``geo.fourier``, else
    im2col): what a later path must beat."""
    return (_fourier_cost if geo.fourier else _im2col_cost)(x, w_shape, geo)


def pointwise_applies(w_shape: tuple[int, int, int, int], geo: ConvGeometry) -> bool:
    """A 1x1 kernel without padding or groups: ``pointwise`` does it, always (measured
    faster than im2col's copies, forward + backward, at every 1x1 shape tried, ResNet's
    stride-2 shortcuts included)."""
    return tuple(w_shape[2:]) == (1, 1) and geo.padding == (0, 0, 0, 0) and geo.groups == 1


def winograd_applies(x, w_shape: tuple[int, int, int, int], geo: ConvGeometry) -> bool:
    """Can ``winograd`` do this convolution of the (N, C, H, W) array ``x``? (3x3 kernel,
    stride 1, no dilation or groups, float32/float64, on the CPU.)"""
    return tuple(w_shape[2:]) == (3, 3) and _plain_cpu_float(x, geo)


def prefer_winograd(x, w_shape: tuple[int, int, int, int], geo: ConvGeometry) -> bool:
    """Choose Winograd's F(4x4, 3x3) (``winograd``) for this layer?

    Only where it applies (:func:`winograd_applies`), with at least 16 input channels
    (with 8, measured, the shifted products were up to 27% faster: 2.3 against 2.9 ms,
    8 -> 8 at 32x32, batch 32), and when its predicted time beats the path chosen so far
    (im2col, or the Fourier path if ``geo.fourier``). Its time is its product FLOPs plus a
    price per entry of the transformed input and output (``winograd.cost``), weights
    fitted to forward + backward times of 26 layer shapes (float32, 3 to 256 channels,
    4x4 to 32x32 maps, batch 4 to 128; 2 threads; docs/PERFORMANCE.md; predicted within
    12% rms), in the units of the other models. Its products need 2.25 multiplications
    per output pixel and channel pair where im2col needs 9, and its transforms are small
    products over long contiguous runs, so it wins on every VGG and ResNet layer with 16
    or more channels at batch 32; the Fourier path keeps large batches on small maps
    (batch 128, 64 -> 64 at 8x8), im2col the 3-channel stems.
    """
    if not winograd_applies(x, w_shape, geo) or x.shape[1] < 16:
        return False
    n, c, h, w = x.shape
    flops, entries = winograd.cost(n, c, w_shape[0], h, w, geo.padding)
    return 1.8 * flops + 118 * entries < _chosen_cost(x, w_shape, geo)


def shifted_applies(x, w_shape: tuple[int, int, int, int], geo: ConvGeometry) -> bool:
    """Can ``conv_shifted`` do this convolution of the (N, C, H, W) array ``x``? It does any
    kernel and stride; ``conv2d`` offers it 3x3 kernels (stride 1 or 2, no dilation or
    groups, float32/float64, on the CPU), the only ones its cost model was fitted on."""
    return tuple(w_shape[2:]) == (3, 3) and _plain_cpu_float(x, geo, ((1, 1), (2, 2)))


def prefer_shifted(x, w_shape: tuple[int, int, int, int], geo: ConvGeometry) -> bool:
    """Choose the shifted products (``conv_shifted``) for this layer?

    Only where it applies (:func:`shifted_applies`), with at least 8 input channels (on
    3-channel stems im2col's column matrix is small and its one product beats three
    products with K = 9: measured 2.3 against 3.4 ms, 3 -> 32 at 32x32, batch 32), and
    when its predicted time, with a 10% margin, beats the path chosen so far (im2col or
    the Fourier path; ``conv2d`` asks :func:`prefer_winograd` first). Its time is its
    product FLOPs plus a price per entry of the stacks and grids it streams
    (``conv_shifted.cost``), in the units of the other models. The weights were first
    fitted on 20 layer shapes; after its products were made thicker (issue 18, ResNet
    round) they priced it 1.3x too high (median; 1.9x at the 90th percentile) and left
    60 stride-2 layers of the set below to im2col, which was slower on most of them
    (median 1.13x, up to 1.63x). Refitted (relative least squares) on forward + backward
    times of 144 layers on the quiet machine (batch 4 to 128, 8 to 128 channels, 8x8 to
    32x32 maps, stride 1 and 2, with the input gradient; float32, 2 threads, each path
    interleaved, best of 8-10; docs/PERFORMANCE.md): over those layers the chosen paths'
    total time fell from 941 to 919 ms (the fastest path of each: 896 ms), no layer's
    choice got more than 10% slower, and ResNet's 32 -> 64 stride-2 layer (batch 32)
    moved to it.
    It wins where channels are few and maps large, and on stride-2 layers, where the
    Fourier path does not apply and im2col's 9x copies cost more than the products.
    """
    if not shifted_applies(x, w_shape, geo) or x.shape[1] < 8:
        return False
    n, c, h, w = x.shape
    flops, entries = conv_shifted.cost(n, c, w_shape[0], h, w, 3, 3, geo.stride, geo.padding)
    return 1.1 * (0.16 * flops + 18 * entries) < _chosen_cost(x, w_shape, geo)


# Measured (see prefer_parts): parts pay from about this much activation (input and
# output) or this many multiply-adds
_PARTS_MIN_BYTES = 1 << 19  # 512 KiB
_PARTS_MIN_MACS = 100_000_000


def prefer_parts(x, w_shape: tuple[int, int, int, int], geo: ConvGeometry) -> int:
    """Into how many parts to cut the batch (``geo.parts``; 1: not at all), once the path
    is chosen.

    One part per core the user allows (:func:`threads.get_num_threads`; never the load:
    a busy machine runs the parts one after another, with the same results), on NumPy
    with OpenBLAS, when the layer is large enough that a second thread's hand-offs (four
    per training step: forward, the gradient's layout, the two gradients) and both
    threads' turns at the GIL cost less than half of the work: from 512 KiB of
    activations (input and output) or 1e8 multiply-adds. Not on the direct path, which
    splits its blocks of images over the cores itself, nor on 1x1 kernels, whose one
    product per image is already split by OpenBLAS. Measured, forward + backward,
    whole batch against two parts (float32, 2 cores, docs/PERFORMANCE.md): VGG's 32 ->
    32 on 32x32 maps (batch 32) 10.4 -> 7.5 ms, ResNet's 16 -> 16 3.9 -> 2.9, the
    tutorial CNN's second layer at batch 64 4.1 -> 2.7.

    The threshold was first fitted at 1.5 MiB while OpenBLAS's idle threads still spun
    between the parts (see :func:`threads.parts_ran_recently`); without them, whole
    training steps (two processes alternating, three pairs) measured 512 KiB against
    1.5 MiB: the blitz net at batch 64 (its 6 -> 16 layer, 0.7 MiB) 10 % faster, LeNet
    at batch 64 5 %, the ResNet at batch 32 (its 64 -> 64 layers on 8x8 maps, 1 MiB) 5 %;
    lower thresholds lost: 256 KiB LeNet at batch 32 (0.35 MiB) and the ResNet at batch 8
    7-8 % slower, 100 KiB LeNet and the blitz net at batch 16 8-11 %, no threshold at
    all (parts from two images on) the blitz net and LeNet at batch 4 20 %.
    """
    parts = min(threads.get_num_threads(), x.shape[0])
    if (parts < 2 or geo.direct or geo.pointwise or get_array_module(x) is not np
            or not threads.parts_may_run_together()):
        return 1
    n, c, h, w = x.shape
    o, _, kh, kw = w_shape
    oh, ow = geo.out_size(h, w, kh, kw)
    activations = n * (c * h * w + o * oh * ow) * x.itemsize
    macs = n * o * c * kh * kw * oh * ow
    return parts if activations >= _PARTS_MIN_BYTES or macs >= _PARTS_MIN_MACS else 1


def direct_applies(x, w_shape: tuple[int, int, int, int], geo: ConvGeometry) -> bool:
    """Can ``conv_direct`` do this convolution of the (N, C, H, W) array ``x``? (Stride 1,
    no dilation or groups, float32/float64, on the CPU; offered only to layers with at
    most 3 input channels: with 6 or 16, measured, it was slower than im2col even on
    15-20 MiB of columns, the products being larger and no longer limited by memory.)"""
    return x.shape[1] <= 3 and _plain_cpu_float(x, geo)


# Measured (see prefer_direct): the direct path wins once im2col's column matrix is this
# large, or already this large when its products are light (O C kh kw below _DIRECT_LIGHT)
_DIRECT_MIN_COLUMN_BYTES = 8 << 20
_DIRECT_LIGHT_MIN_COLUMN_BYTES = 512 << 10
_DIRECT_LIGHT = 1024
# ... on OpenBLAS's AVX-512 kernels, which run the direct path's small per-image products
# 2-4x faster than its AVX2 ("Haswell") ones; elsewhere the 8 MiB rule, fitted on those
_DIRECT_WIDE_CORES = ("SkylakeX", "Cooperlake", "SapphireRapids")


def prefer_direct(x, w_shape: tuple[int, int, int, int], geo: ConvGeometry) -> bool:
    """Choose ``conv_direct`` (im2col a block of images at a time) for this layer?

    Only where it applies (:func:`direct_applies`), not where the Fourier path was chosen,
    and when im2col's column matrix would be at least 512 KiB for *light* products
    (``O C kh kw < 1024`` multiply-adds per output pixel: every first layer of the
    benchmarks) or 8 MiB for heavier ones. The direct path saves im2col's trips of that
    matrix through main memory and runs its blocks on both cores; it pays for the wrap
    columns, for rebuilding the columns in the backward pass and for smaller products.
    The 512 KiB rule holds where NumPy's OpenBLAS runs AVX-512 kernels (:func:`blas_core`);
    on its AVX2 ("Haswell") kernels, where the direct path's small products run 2-4x
    slower, every layer keeps the 8 MiB rule it was first fitted on (the tutorial CNN at
    batch 64 measured 2.23 ms direct against 2.02 im2col there). Refitted on AVX-512
    kernels on 168 timings (1 and 3 channels, 6 to 32 outputs, 3x3 and 5x5 kernels, 28x28 and
    32x32 maps, batch 1 to 256, forward + backward, with the input gradient at batch 4 and
    64; interleaved, best of 15; docs/PERFORMANCE.md). Light layers: direct 13-75% faster
    in all 74 cases from 1 MiB of columns (LeNet at batch 64 0.77x, the tutorial CNN
    0.74x, the blitz net at batch 4 0.68x), 0.68-1.14x at 0.5-1 MiB, 0.75-1.16x (median
    0.93) at 0.25-0.5 MiB, and median 1.26x below (a few microseconds). Heavy ones (3 ->
    16 or 32, 5x5): 0.98-1.39x below 8 MiB, 0.68-0.99x above. Summed over the 168 cases
    the rule costs 0.2% more than the faster path of each (the old 8 MiB rule: 11%).
    """
    if geo.fourier or not direct_applies(x, w_shape, geo):
        return False
    n, c, h, w = x.shape
    kh, kw = w_shape[2:]
    oh, ow = geo.out_size(h, w, kh, kw)
    light = w_shape[0] * c * kh * kw < _DIRECT_LIGHT and blas_core() in _DIRECT_WIDE_CORES
    columns = c * kh * kw * n * oh * ow * x.itemsize
    return columns >= (_DIRECT_LIGHT_MIN_COLUMN_BYTES if light else _DIRECT_MIN_COLUMN_BYTES)
