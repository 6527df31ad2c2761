r"""2-D pooling: max pooling by kernel taps, average pooling as two small matrix products.

**Max pooling.** Every output pixel is the largest value in its window. Instead of
copying the windows out, we walk over the ``kh * kw`` kernel *taps*: tap ``(i, j)`` of
every window at once is one strided slice of the padded input, so the running maximum
(and which tap won it) takes ``kh * kw`` vectorised comparisons, whatever the stride,
padding or dilation. Padding is :math:`-\infty`, so it never wins. The backward pass
sends each output gradient to the input pixel that won (PyTorch's ``indices``, flattened
as ``h * W + w`` per plane), which is again one slice-addition per tap. In the usual
case of disjoint windows (kernel = stride) the input reshaped to (N, C, OH, kh, OW, kw)
shows every window at once and tap ``(i, j)`` is the view ``[:, :, :, i, :, j]``: the
gradient is then one masked write per tap, with no index arithmetic (the fast path).

**Average pooling** is linear and *separable*: averaging windows of rows, then windows
of columns, is the same as averaging the 2-D windows. So with a row-averaging matrix
:math:`A` (OH x H) and a column-averaging matrix :math:`B` (OW x W),

.. math:: Y = A\,X\,B^\top \quad\text{(for every image and channel)},

and the gradient is :math:`\partial L/\partial X = A^\top\,G\,B`, the same op with the
transposed matrices. Padding, ``ceil_mode``, ``count_include_pad``, ``divisor_override``
and adaptive pooling only change the entries of :math:`A` and :math:`B`. When the
windows tile the input (kernel = stride, no padding), the reshape fast path sums each
block's rows and columns directly and the gradient is a plain repeat.
"""

from __future__ import annotations

from ..autograd import grad_mode
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..kernels.pool import (
    PoolGeometry,
    Winners,
    block_spread,
    block_sum,
    gather_from_planes,
    max_pool_forward,
    scatter_to_planes,
    separable_apply,
)
from ..tensor import Tensor

# ---------------------------------------------------------------------------------------
# Argument checking (the array kernels are in minitorch.kernels.pool)
# ---------------------------------------------------------------------------------------


class MaxPool2DWithIndices(ArrayFunction):
    r"""Max pooling :math:`y_k = x_{\iota(k)}`, where :math:`\iota(k)` is the argmax of window k.

    Locally (almost everywhere) :math:`y` just *copies* the winning pixel, so
    :math:`\partial L/\partial x_m = \sum_{k:\,\iota(k)=m} \partial L/\partial y_k`: each
    output gradient goes back to its winner (:class:`MaxPool2dScatter`); pixels that win
    several overlapping windows collect all of their gradients.
    """


    @staticmethod
    def forward(ctx: Node, x: Array, geo: PoolGeometry, pooled: tuple | None = None) -> Array:
        # ``pooled``: (output, Winners) already computed by a caller that also returns the
        # indices (``return_indices``); otherwise the pooling is computed here.
        if pooled is None:
            out, tap = max_pool_forward(x, geo)
            pooled = out, Winners(x.shape[2:], tap=tap, geo=geo)
        out, ctx.winners = pooled
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        if not grad_mode.is_grad_enabled():  # nothing recorded: the kernel, without the op
            grad_x = Tensor._wrap(scatter_to_planes(grad._data, ctx.winners))
        else:
            grad_x = MaxPool2dScatter.apply(grad, ctx.winners)
        return (grad_x,) + (None,) * (len(ctx.needs_input_grad) - 1)  # none for geo, pooled


class MaxPool2dScatter(ArrayFunction):
    r"""Backward of max pooling: :math:`z_m = \sum_{k:\,\iota(k)=m} g_k` (a scatter-add).

    It is linear in :math:`g` with adjoint the gather: for an upstream gradient :math:`u`
    (shaped like the pooling input), :math:`\partial L/\partial g_k = u_{\iota(k)}`
    (:class:`MaxPool2dGather`). This gives max pooling its second derivatives.
    """


    @staticmethod
    def forward(ctx: Node, grad: Array, winners: Winners) -> Array:
        ctx.winners = winners
        return scatter_to_planes(grad, winners)

    @staticmethod
    def backward(ctx: Node, up: Tensor) -> Grads:
        return MaxPool2dGather.apply(up, ctx.winners), None


class MaxPool2dGather(ArrayFunction):
    r"""Gather :math:`y_k = u_{\iota(k)}` (max pooling's second-order path).

    Linear in :math:`u`, with adjoint the scatter-add: :math:`\partial L/\partial u_m =
    \sum_{k:\,\iota(k)=m} g_k` (:class:`MaxPool2dScatter`).
    """


    @staticmethod
    def forward(ctx: Node, u: Array, winners: Winners) -> Array:
        ctx.winners = winners
        return gather_from_planes(u, winners)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return MaxPool2dScatter.apply(grad, ctx.winners), None


class AdaptiveMaxPool2D(MaxPool2dGather):
    r"""adaptive_max_pool2d: :math:`y_k = x_{\iota(k)}` at each window's argmax.

    Gradient as for max pooling: :math:`\partial L/\partial x_m = \sum_{k:\,\iota(k)=m}
    g_k` (grad_fn ``AdaptiveMaxPool2DBackward0``).
    """


# ---------------------------------------------------------------------------------------
# Average pooling as Y = A X B^T
# ---------------------------------------------------------------------------------------
class SeparableLinear(ArrayFunction):
    r""":math:`Y = A\,X\,B^\top` over the last two axes, for constant matrices A and B.

    For every plane, :math:`Y_{pq} = \sum_{h,w} A_{ph} X_{hw} B_{qw}`, so
    :math:`\partial L/\partial X_{hw} = \sum_{p,q} A_{ph} G_{pq} B_{qw}`, i.e.
    :math:`\partial L/\partial X = A^\top G B`: the same Function with the matrices
    transposed (and its backward transposes them back, giving all higher derivatives).

    ``blocks = (kh, kw, scale)`` says that A and B just sum non-overlapping blocks of
    ``kh`` rows and ``kw`` columns that tile the input (times ``scale``): average pooling
    with stride = kernel, and adaptive average pooling to a size that divides the
    input's. Then the same :math:`Y` is computed, for blocks of up to 4 pixels, by the
    reshape fast path (:func:`block_sum`), and its transpose always by spreading each
    value over its block (:func:`block_spread`).
    """


    @staticmethod
    def forward(ctx: Node, x: Array, a, b, blocks=None) -> Array:
        ctx.a, ctx.b, ctx.blocks = a, b, blocks
        if blocks is None:
            return separable_apply(x, a, b)
        kh, kw, scale = blocks
        if a.shape[1] == a.shape[0] * kh and b.shape[1] == b.shape[0] * kw:  # A is (OH, H)
            # block sums for small blocks; from 3x3 on the two products are faster
            # (measured, float32: 2x2 blocks of (64, 16, 28, 28) 267 against 398 us,
            # 4x4 of (32, 512, 4, 4) 237 against 80, a global 8x8 of (32, 64) 71 against 10)
            return block_sum(x, kh, kw, scale) if kh * kw <= 4 else separable_apply(x, a, b)
        return block_spread(x, kh, kw, scale)  # A is (H, OH): its transpose

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        grad_x = SeparableLinear.apply(grad, ctx.a.T, ctx.b.T, ctx.blocks)
        return (grad_x,) + (None,) * (len(ctx.needs_input_grad) - 1)  # none for A, B, blocks


class AvgPool2D(SeparableLinear):
    r"""avg_pool2d: :math:`Y = A X B^\top`, :math:`A` and :math:`B` averaging windows of
    rows and columns (a :class:`SeparableLinear`, so :math:`\partial L/\partial X = A^\top
    G B`; its own class only for the grad_fn name).
    """


class AdaptiveAvgPool2D(SeparableLinear):
    r"""adaptive_avg_pool2d: :math:`Y = A X B^\top` as :class:`SeparableLinear`, with
    :math:`\partial L/\partial X = A^\top G B` (grad_fn ``AdaptiveAvgPool2DBackward0``).
    """


# The PyTorch-signature functions (argument checks) that call these Functions live in
# pool_api.py; importing them here keeps the old import paths working.
from .pool_api import *
