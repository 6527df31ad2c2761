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

from ..autograd import grad_mode
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..kernels.conv import (
    ConvGeometry,
    bias_grad,
    conv_forward,
    conv_grads,
    conv_input_grad,
    conv_weight_grad,
    grad_matrix,
    local_if_not_finite,
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
    tutorial CNN). A caller that already has those columns of ``x`` may pass them as
    ``cache`` (not differentiated): the transposed convolution's backward shares one
    im2col of its output gradient between its two gradients.
    """


    @staticmethod
    def forward(ctx: Node, x: Array, w: Array, b, geo: ConvGeometry, cache=None) -> Array:
        checked = local_if_not_finite(geo, x, w)
        if checked is not geo:
            geo, cache = checked, None  # a given cache belongs to the path left
        out, cache = conv_forward(x, w, geo, cache, bias=b)
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
        # A backward pass that records nothing (no create_graph) runs the kernels on the
        # arrays; the gradient ops' forwards run the same kernels.
        plain = not grad_mode.is_grad_enabled()
        if plain and needed:
            held = [cache._data if isinstance(cache, Tensor) else cache]  # or Parts
            del cache  # conv_grads frees it after the weight gradient: this node must not
            ctx.free_saved(2)  # hold it (a retained second backward rebuilds it from x)
            dx, dw = conv_grads(x._data, grad._data, w._data, geo, held,
                                *ctx.needs_input_grad[:2])
            gx = None if dx is None else Tensor._wrap(dx)
            gw = None if dw is None else Tensor._wrap(dw)
            needed = False
        gmat = grad_matrix(grad._data, geo, tuple(x.shape), tuple(w.shape)) if needed else None
        if needed and ctx.needs_input_grad[1]:
            raw_cache = cache._data if isinstance(cache, Tensor) else cache  # or Parts
            gw = ConvWeightGrad.apply(x, grad, tuple(w.shape), geo, raw_cache, gmat)
            # The cache is not needed any more: free it before the input gradient
            # builds its own column matrix of the same size (halves this layer's peak
            # memory). A retained second backward rebuilds it from x.
            del cache, raw_cache
            ctx.free_saved(2)
        if needed and ctx.needs_input_grad[0]:
            gx = ConvInputGrad.apply(grad, w, tuple(x.shape), geo, gmat)
        if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]:
            gb = Tensor._wrap(bias_grad(grad._data)) if plain else ConvBiasGrad.apply(grad)
        return (gx, gw, gb, None, None)[: len(ctx.needs_input_grad)]  # cache given or not


class ConvBiasGrad(ArrayFunction):
    r"""Bias gradient of conv2d: :math:`v_o = \sum_{n,p,q} G_{n,o,p,q}` (``kernels.conv.bias_grad``,
    a faster ``grad.sum((0, 2, 3))``).

    Linear in :math:`G` with every coefficient 1, so for an upstream gradient :math:`u`
    (one entry per channel), :math:`\partial L/\partial G_{n,o,p,q} = u_o`: ``u``
    broadcast back over N, H and W.
    """

    @staticmethod
    def forward(ctx: Node, grad: Array) -> Array:
        ctx.shape = grad.shape
        return bias_grad(grad)

    @staticmethod
    def backward(ctx: Node, up: Tensor) -> Tensor:
        return up.reshape(1, -1, 1, 1).expand(ctx.shape)


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


# The PyTorch-signature functions (argument checks) that call these Functions live in
# conv_api.py; importing them here keeps the old import paths working.
from .conv_api import *
