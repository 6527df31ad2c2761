r"""2-D convolution as im2col + one matrix product, and its gradients as Functions.

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
transposing the output, which only pays off for wide kernels (``_prefer_batch_last``).
Those layout changes are cache-friendly slab-by-slab copies (``permuted_copy``), and the
large copies and col2im are split over the cores (``split_work``): NumPy does copies on
one core, but independent channels or slabs can run on two threads at once.

Gradients, with :math:`G = \partial L/\partial Y` laid out ``O x (N OH OW)``:

* weight: :math:`\partial L/\partial W = G\,\mathrm{cols}(X)^\top` (one product);
* input: :math:`\partial L/\partial X = \mathrm{col2im}(W^\top G)` (one product, then
  scatter the columns back to the pixels they came from: a *transposed* convolution);
* bias: :math:`\partial L/\partial b_o = \sum_{n,i,j} G_{o,n,i,j}`.

Each gradient is itself a Function (``ConvInputGrad``, ``ConvWeightGrad``) whose backward
is written with ``conv2d`` and the other gradient Function, so ``create_graph=True``
gives second derivatives. Groups split the channels into ``groups`` independent
convolutions, done as one *batched* product; dilation spreads the kernel taps apart and
only changes the strides of the window view.

A second algorithm, for stride-1 layers with many channels on small images, lives in
``conv_fourier.py``: the convolution theorem, with the DFTs as small matrix products.
``conv2d`` picks it when a cost model predicts it faster (``_prefer_fourier``); the
geometry's ``fourier`` flag then routes the three array kernels below to it.

A readable loop version for checking and learning lives in ``conv_reference.py``.
"""

from __future__ import annotations

from typing import NamedTuple

from .._backend import get_array_module
from .._utils import pair
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..kernels.copies import contiguous_copy, permuted_copy, sliding_windows
from ..kernels.threads import split_work
from ..tensor import Tensor
from . import conv_fourier


class ConvGeometry(NamedTuple):
    """Everything besides the arrays that a 2-D convolution needs (all explicit ints).

    ``padding`` is ``(top, bottom, left, right)``: PyTorch's ``padding='same'`` can need
    one more row/column at the bottom/right than at the top/left.
    """

    stride: tuple[int, int]
    padding: tuple[int, int, int, int]
    dilation: tuple[int, int]
    groups: int
    batch_last: bool = False  # internal memory layout, see _prefer_batch_last
    fourier: bool = False  # convolution theorem instead of im2col, see _prefer_fourier

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
# columns are much larger than the output (see ``_prefer_batch_last``).
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
    gpad = xp.zeros(tuple(sizes[a] for a in perm), dtype=cols.dtype)
    def accumulate(channels: slice) -> None:  # channels are independent: split over cores
        for i in range(kh):
            for j in range(kw):
                r, q = i * dh, j * dw
                rows = slice(r, r + sh * (oh - 1) + 1, sh)
                cols_ = slice(q, q + sw * (ow - 1) + 1, sw)
                gpad[channels][_hw_index(perm, rows, cols_)] += cols[channels, i, j]

    split_work(accumulate, c, cols.nbytes, xp)
    inner = gpad[_hw_index(perm, slice(pt, pt + h), slice(pl, pl + w))]
    return permuted_copy(inner, tuple(perm.index(a) for a in range(4)))


def _grouped_weight(w, groups: int):
    """Weight (O, C/g, kh, kw) as a stack of ``groups`` matrices (g, O/g, C/g*kh*kw)."""
    return w.reshape(groups, w.shape[0] // groups, -1)


def _grad_matrix(g, geo: ConvGeometry, x_shape):
    """Output gradient (N, O, OH, OW) as (g, O/g, N*OH*OW) in the internal layout.

    On the Fourier path: its spectrum (F, N, O), shared by both gradients just the same.
    """
    if geo.fourier:
        return conv_fourier.grad_spectrum(g, x_shape, geo.padding)
    o = g.shape[1]
    return permuted_copy(g, _layout(geo)).reshape(geo.groups, o // geo.groups, -1)


def conv_forward(x, w, geo: ConvGeometry, cols=None, bias=None):
    """Raw-array convolution; returns ``(out, cols)`` with ``out`` of shape (N, O, OH, OW).

    On the Fourier path ``cols`` is the input's spectrum instead (see ``conv_fourier``).
    """
    if geo.fourier:
        out, cols = conv_fourier.forward(x, w, geo.padding, cols)
    else:
        out, cols = _columns_forward(x, w, geo, cols)
    if bias is not None:
        out += bias.reshape(1, -1, 1, 1)
    return out, cols


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


def conv_weight_grad(x, grad, w_shape, geo: ConvGeometry, cols=None, gmat=None):
    r"""Weight gradient :math:`G\,\mathrm{cols}(X)^\top` per group, of shape ``w_shape``.

    ``cols`` (im2col of ``x``) and ``gmat`` (``grad`` as matrices) are reused if given
    (on the Fourier path: the spectra of ``x`` and ``grad``).
    """
    if geo.fourier:
        return conv_fourier.weight_grad(x, grad, w_shape, geo.padding, cols, gmat)
    xp = get_array_module(grad)
    _, _, kh, kw = w_shape
    if cols is None:
        cols = im2col(x, kh, kw, geo)
    if gmat is None:
        gmat = _grad_matrix(grad, geo, x.shape)
    cmat = cols.reshape(geo.groups, -1, gmat.shape[-1])
    return xp.matmul(gmat, cmat.transpose(0, 2, 1)).reshape(w_shape)


def conv_input_grad(grad, w, x_shape, geo: ConvGeometry, gmat=None):
    r"""Input gradient :math:`\mathrm{col2im}(W^\top G)`, of shape ``x_shape``."""
    if geo.fourier:
        return conv_fourier.input_grad(grad, w, x_shape, geo.padding, gmat)
    xp = get_array_module(grad)
    n, _, oh, ow = grad.shape
    _, _, kh, kw = w.shape
    if gmat is None:
        gmat = _grad_matrix(grad, geo, x_shape)
    cols = xp.matmul(_grouped_weight(w, geo.groups).transpose(0, 2, 1), gmat)
    sizes = {0: n, 2: oh, 3: ow}
    tail = tuple(sizes[a] for a in _layout(geo)[1:])
    return col2im(cols.reshape(x_shape[1], kh, kw, *tail), x_shape, geo)


def _local_if_not_finite(geo: ConvGeometry, *arrays) -> ConvGeometry:
    """Leave the Fourier path when an input holds a NaN or an infinity.

    Every output pixel of the Fourier path mixes all pixels of its image, so one NaN
    would turn a whole image into NaNs, where a direct convolution (PyTorch's, or
    im2col) spoils only the pixels whose windows see it. A sum is NaN or infinite
    whenever one of its terms is (or when it overflows: then im2col is simply used).
    """
    if geo.fourier and not all(bool(get_array_module(a).isfinite(a.sum())) for a in arrays):
        return geo._replace(fourier=False)
    return geo


# ---------------------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------------------
class Convolution(ArrayFunction):
    r"""2-D cross-correlation :math:`Y = W \star X + b` (what deep learning calls convolution).

    .. math::

        Y_{n,o,p,q} = b_o + \sum_{c,i,j} W_{o,c,i,j}\,
        X_{n,\,c,\; p s_h + i d_h - p_t,\; q s_w + j d_w - p_l}

    :math:`Y` is linear in :math:`X` and in :math:`W` separately, so each partial
    derivative is the adjoint linear map applied to :math:`G = \partial L/\partial Y`:

    * :math:`\partial L/\partial X` = the transposed convolution of :math:`G` with
      :math:`W` (:class:`ConvInputGrad`);
    * :math:`\partial L/\partial W_{o,c,i,j} = \sum_{n,p,q} G_{n,o,p,q}\,
      X_{n,c,\,p s_h + i d_h - p_t,\,q s_w + j d_w - p_l}` (:class:`ConvWeightGrad`);
    * :math:`\partial L/\partial b_o = \sum_{n,p,q} G_{n,o,p,q}`.

    The im2col columns built in forward are saved and reused for the weight gradient:
    it costs one copy of the windows in memory and saves rebuilding them (measured
    faster on the tutorial CNN).
    """


    @staticmethod
    def forward(ctx: Node, x: Array, w: Array, b, geo: ConvGeometry) -> Array:
        geo = _local_if_not_finite(geo, x, w)
        out, cols = conv_forward(x, w, geo, bias=b)
        ctx.geo = geo
        keep_cols = cols if ctx.needs_input_grad[1] else None
        ctx.save_for_backward(x, w, keep_cols)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, w, cols = ctx.saved_tensors
        geo = _local_if_not_finite(ctx.geo, grad._data)
        if geo is not ctx.geo:
            cols = None  # a spectrum, of no use to the im2col path
        gx = gw = gb = None
        needed = any(ctx.needs_input_grad[:2])
        gmat = _grad_matrix(grad._data, geo, tuple(x.shape)) if needed else None
        if ctx.needs_input_grad[1]:
            raw_cols = cols._data if cols is not None else None
            gw = ConvWeightGrad.apply(x, grad, tuple(w.shape), geo, raw_cols, gmat)
            # The columns are not needed any more: free them before the input gradient
            # builds its own column matrix of the same size (halves this layer's peak
            # memory). A retained second backward rebuilds them from x.
            del cols, raw_cols
            ctx.free_saved(2)
        if ctx.needs_input_grad[0]:
            gx = ConvInputGrad.apply(grad, w, tuple(x.shape), geo, gmat)
        if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]:
            gb = grad.sum((0, 2, 3))
        return gx, gw, gb, None


class ConvInputGrad(ArrayFunction):
    r"""Input gradient of conv2d (a transposed convolution): :math:`Z = \mathrm{conv}^\top_W(G)`.

    :math:`Z` is bilinear in :math:`(G, W)`. Its adjoint in :math:`G` is the forward
    convolution itself, so for an upstream gradient :math:`U = \partial L/\partial Z`
    (shaped like the conv input): :math:`\partial L/\partial G = \mathrm{conv2d}(U, W)`.
    In :math:`W` it is the same contraction as the weight gradient with :math:`U` in the
    role of the input: :math:`\partial L/\partial W = \mathrm{ConvWeightGrad}(U, G)`.
    """


    @staticmethod
    def forward(ctx: Node, grad: Array, w: Array, x_shape, geo: ConvGeometry, gmat=None) -> Array:
        if gmat is None:  # (given ones come from Convolution.backward, which checked)
            geo = _local_if_not_finite(geo, grad, w)
        ctx.geo = geo
        ctx.save_for_backward(grad, w)
        return conv_input_grad(grad, w, x_shape, geo, gmat)

    @staticmethod
    def backward(ctx: Node, up: Tensor) -> Grads:
        grad, w = ctx.saved_tensors
        d_grad = d_w = None
        if ctx.needs_input_grad[0]:
            d_grad = Convolution.apply(up, w, None, ctx.geo)
        if ctx.needs_input_grad[1]:
            d_w = ConvWeightGrad.apply(up, grad, tuple(w.shape), ctx.geo, None, None)
        return d_grad, d_w, None, None, None


class ConvWeightGrad(ArrayFunction):
    r"""Weight gradient of conv2d: :math:`V = G\,\mathrm{cols}(X)^\top`, bilinear in :math:`(X, G)`.

    For an upstream gradient :math:`U = \partial L/\partial V` (shaped like the weight),
    :math:`\langle U, V\rangle = \langle U \star X, G\rangle`, hence
    :math:`\partial L/\partial G = \mathrm{conv2d}(X, U)` and
    :math:`\partial L/\partial X = \mathrm{ConvInputGrad}(G, U)`: the weight gradient's
    derivatives are a convolution and a transposed convolution with :math:`U` as kernel.
    ``cols`` and ``gmat`` (optional, not differentiated) are ``im2col(X)`` cached by the
    forward pass and :math:`G` already laid out as matrices, shared with the input grad.
    """


    @staticmethod
    def forward(ctx: Node, x: Array, grad: Array, w_shape, geo: ConvGeometry, cols=None, gmat=None) -> Array:
        if gmat is None:
            geo = _local_if_not_finite(geo, x, grad)
        ctx.geo = geo
        ctx.save_for_backward(x, grad)
        return conv_weight_grad(x, grad, w_shape, geo, cols, gmat)

    @staticmethod
    def backward(ctx: Node, up: Tensor) -> Grads:
        x, grad = ctx.saved_tensors
        d_x = d_grad = None
        if ctx.needs_input_grad[0]:
            d_x = ConvInputGrad.apply(grad, up, tuple(x.shape), ctx.geo, None)
        if ctx.needs_input_grad[1]:
            d_grad = Convolution.apply(x, up, None, ctx.geo)
        return d_x, d_grad, None, None, None, None


# ---------------------------------------------------------------------------------------
# Argument checking and the public function
# ---------------------------------------------------------------------------------------
def _resolve_padding(padding, stride, dilation, kh: int, kw: int) -> tuple[int, int, int, int]:
    """``padding`` (int, pair, 'valid' or 'same') as explicit (top, bottom, left, right)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if stride != (1, 1):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        # total padding d*(k-1) keeps the size; an odd total puts the extra one at the end
        th, tw = dilation[0] * (kh - 1), dilation[1] * (kw - 1)
        return (th // 2, th - th // 2, tw // 2, tw - tw // 2)
    ph, pw = pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise RuntimeError("negative padding is not supported")
    return (ph, ph, pw, pw)


def _check_conv_args(input: Tensor, weight: Tensor, bias, groups: int) -> None:
    if weight.dim() != 4:
        raise RuntimeError(
            f"weight should have at least three dimensions, got a {weight.dim()}-d weight "
            f"of size {list(weight.shape)}"
            if weight.dim() < 3
            else f"Expected 4-dimensional weight for 4-dimensional input, but got weight of "
            f"size {list(weight.shape)} instead"
        )
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    o, cg = weight.shape[:2]
    if o < groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, "
            f"but got weight of size {list(weight.shape)} instead"
        )
    if o % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension "
            f"0, but got weight of size {list(weight.shape)} instead"
        )
    if input.shape[1] != cg * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
            f"input{list(input.shape)} to have {cg * groups} channels, but got "
            f"{input.shape[1]} channels instead"
        )
    if input.dtype != weight.dtype:
        raise RuntimeError(
            f"Input type ({input.dtype}) and weight type ({weight.dtype}) should be the same"
        )
    if bias is not None:
        if tuple(bias.shape) != (o,):
            raise RuntimeError(
                f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional "
                f"with {o} elements, but got bias of size {list(bias.shape)} instead"
            )
        if bias.dtype != weight.dtype:
            raise RuntimeError(
                f"Input type ({input.dtype}) and bias type ({bias.dtype}) should be the same"
            )


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> Tensor:
    r"""2-D convolution over an (N, C, H, W) or unbatched (C, H, W) input, like PyTorch's.

    .. math::

        \mathrm{out}_{n,o,p,q} = \mathrm{bias}_o + \sum_{c \in \mathrm{group}(o)} \sum_{i,j}
        \mathrm{weight}_{o,c,i,j}\;
        \mathrm{input}_{n,c,\,p s_h + i d_h - \mathrm{pad}_h,\; q s_w + j d_w - \mathrm{pad}_w}

    Parameters
    ----------
    input : Tensor
        Shape (N, C, H, W), or (C, H, W) for a single unbatched image.
    weight : Tensor
        Shape (O, C / groups, kh, kw).
    bias : Tensor, optional
        Shape (O,).
    stride, dilation : int or (int, int)
        Step between output windows; spacing between kernel taps.
    padding : int, (int, int), 'valid' or 'same'
        Zeros added on both sides. ``'same'`` keeps H and W (stride 1 only); when the
        total padding ``dilation*(k-1)`` is odd, the extra row/column goes at the end.
    groups : int
        Split channels into ``groups`` independent convolutions.

    Returns
    -------
    Tensor
        Shape (N, O, OH, OW) with
        :math:`OH = \lfloor (H + 2\,\mathrm{pad}_h - d_h (k_h - 1) - 1)/s_h \rfloor + 1`.

    Raises
    ------
    RuntimeError
        For a wrong input rank, a channel count that does not match ``weight`` and
        ``groups``, a kernel larger than the padded input, or mismatched dtypes.
    """
    if input.dim() not in (3, 4):
        raise RuntimeError(
            "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
            f"{list(input.shape)}"
        )
    if input.dim() == 3:  # one unbatched image: a batch of one
        out = conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups)
        return out.squeeze(0)
    _check_conv_args(input, weight, bias, groups)
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(dilation) <= 0:
        raise RuntimeError("dilation should be greater than zero")
    kh, kw = weight.shape[2:]
    if kh <= 0 or kw <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: "
                           f"{kh} kernel_width: {kw}")
    pads = _resolve_padding(padding, stride, dilation, kh, kw)
    h, w = input.shape[2:]
    ph, pw = h + pads[0] + pads[1], w + pads[2] + pads[3]
    eh, ew = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    if ph < eh or pw < ew:
        raise RuntimeError(
            f"Calculated padded input size per channel: ({ph} x {pw}). Kernel size: "
            f"({eh} x {ew}). Kernel size can't be greater than actual input size"
        )
    o, cg = weight.shape[:2]
    batch_last = _prefer_batch_last(cg * kh * kw, o // groups)
    geo = ConvGeometry(stride, pads, dilation, int(groups), batch_last)
    geo = geo._replace(fourier=_prefer_fourier(input, weight, geo))
    return Convolution.apply(input, weight, bias, geo)


def _prefer_batch_last(rows: int, out_channels: int) -> bool:
    """Choose the internal layout from the shape of the column matrix (rows x N*OH*OW).

    Batch-last speeds up im2col/col2im, whose work grows with ``rows`` = C/g*kh*kw,
    but transposes the output and its gradient, whose work grows with ``out_channels``.
    Measured on 2 CPU cores (float32, batch 64) it wins once rows >= 8 * out_channels:
    1.3x faster for the tutorial's conv 16->32 5x5 (rows/out = 12.5), 1.5x slower for
    its conv 1->16 5x5 (1.6) and 2-3x slower for 1x1 or 3-channel convolutions.
    """
    return rows >= 8 * out_channels


def _fourier_applies(input: Tensor, geo: ConvGeometry) -> bool:
    """Can ``conv_fourier`` do this convolution? (Stride 1, no dilation, no groups,
    float32 or float64, on the CPU: GPUs keep im2col and cuBLAS.)"""
    return (
        geo.stride == (1, 1)
        and geo.dilation == (1, 1)
        and geo.groups == 1
        and input.device.type == "cpu"
        and conv_fourier.supported_dtype(input._data.dtype)
    )


def _prefer_fourier(input: Tensor, weight: Tensor, geo: ConvGeometry) -> bool:
    """Choose the convolution theorem (``conv_fourier``) over im2col for this layer?

    Only where it applies (:func:`_fourier_applies`), and only when a cost model predicts
    it faster, with a 10% margin in im2col's favour (im2col is the exact, pixel-local
    reference). Each path's time is its FLOPs plus a price per array entry it streams
    through memory: the column matrix and the output for im2col, the spectra for the
    Fourier path. The weights were fitted to forward + backward times of 16 layer shapes
    on 2 CPU cores (1 to 128 channels, 4x4 to 56x56 images, 1x1 to 5x5 kernels;
    docs/PERFORMANCE.md); the model picked the faster path in 14 of them and lost at
    most 10% in the other two.
    """
    if not _fourier_applies(input, geo):
        return False
    n, c, h, w = input.shape
    o, _, kh, kw = weight.shape
    oh, ow = geo.out_size(h, w, kh, kw)
    flops, spectra = conv_fourier.cost(n, c, o, h, w, kh, kw, geo.padding)
    columns, outputs = n * c * kh * kw * oh * ow, n * o * oh * ow
    im2col = 2 * o * columns + 70 * columns + 110 * outputs
    fourier = 1.2 * flops + 330 * spectra
    return 1.1 * fourier < im2col
