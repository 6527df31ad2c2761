r"""2-D convolution as im2col + one matrix product, and its gradients as Functions.

The array work (im2col and its memory layouts, col2im, the Fourier path, and the cost
models that choose between them) lives in :mod:`minitorch.kernels.conv`; this module holds
the Functions, their gradients, and ``conv2d``'s argument checks.

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

A loop-based twin of every kernel, for checking and learning, is in
:mod:`minitorch.kernels.reference`.
"""

from __future__ import annotations

from .._utils import pair
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..kernels.conv import (
    ConvGeometry,
    conv_forward,
    conv_input_grad,
    conv_weight_grad,
    grad_matrix,
    local_if_not_finite,
    prefer_batch_last,
    prefer_fourier,
)
from ..tensor import Tensor


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

    What the forward kernel leaves (``cache``: the im2col columns, or the input's
    spectrum on the Fourier path) is saved and reused for the weight gradient: it costs
    one copy of the windows in memory and saves rebuilding them (measured faster on the
    tutorial CNN).
    """


    @staticmethod
    def forward(ctx: Node, x: Array, w: Array, b, geo: ConvGeometry) -> Array:
        geo = local_if_not_finite(geo, x, w)
        out, cache = conv_forward(x, w, geo, bias=b)
        ctx.geo = geo
        ctx.save_for_backward(x, w, cache if ctx.needs_input_grad[1] else None)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, w, cache = ctx.saved_tensors
        geo = local_if_not_finite(ctx.geo, grad._data)
        if geo is not ctx.geo:
            cache = None  # a spectrum, of no use to the im2col path
        gx = gw = gb = None
        needed = any(ctx.needs_input_grad[:2])
        gmat = grad_matrix(grad._data, geo, tuple(x.shape)) if needed else None
        if ctx.needs_input_grad[1]:
            raw_cache = cache._data if cache is not None else None
            gw = ConvWeightGrad.apply(x, grad, tuple(w.shape), geo, raw_cache, gmat)
            # The cache is not needed any more: free it before the input gradient
            # builds its own column matrix of the same size (halves this layer's peak
            # memory). A retained second backward rebuilds it from x.
            del cache, raw_cache
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
            geo = local_if_not_finite(geo, grad, w)
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
    ``cache`` and ``gmat`` (optional, not differentiated) are what the forward kernel left
    (``im2col(X)`` or its spectrum) and :math:`G` already laid out, shared with the input
    grad.
    """


    @staticmethod
    def forward(ctx: Node, x: Array, grad: Array, w_shape, geo: ConvGeometry, cache=None, gmat=None) -> Array:
        if gmat is None:
            geo = local_if_not_finite(geo, x, grad)
        ctx.geo = geo
        ctx.save_for_backward(x, grad)
        return conv_weight_grad(x, grad, w_shape, geo, cache, gmat)

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
    batch_last = prefer_batch_last(cg * kh * kw, o // groups)
    geo = ConvGeometry(stride, pads, dilation, int(groups), batch_last)
    geo = geo._replace(fourier=prefer_fourier(input._data, tuple(weight.shape), geo))
    return Convolution.apply(input, weight, bias, geo)
