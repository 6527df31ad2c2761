r"""``unfold`` (im2col) and ``fold`` (col2im) as public, differentiable Functions.

``F.unfold`` copies every :math:`k_h \times k_w` sliding block of an (N, C, H, W) input
into a column: the result is (N, C k_h k_w, L), L the number of blocks. It is exactly the
im2col step of the convolution (:func:`minitorch.kernels.conv.im2col`), only laid out with
the batch first. ``F.fold`` is its adjoint: it adds every column entry back onto the
pixel it came from (col2im), summing where blocks overlap. Being adjoint linear maps,
each is the other's gradient:

* unfold: :math:`Y = U(X)`, :math:`\partial L/\partial X = U^\top(G) = \mathrm{fold}(G)`;
* fold: :math:`Z = U^\top(C)`, :math:`\partial L/\partial C = U(G) = \mathrm{unfold}(G)`.
"""

from __future__ import annotations

from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..kernels.conv import ConvGeometry, col2im, im2col
from ..tensor import Tensor


def _unfold_array(x, kernel: tuple[int, int], geo: ConvGeometry):
    """(N, C, H, W) -> (N, C*kh*kw, L) with the blocks in row-major order."""
    n = x.shape[0]
    cols = im2col(x, kernel[0], kernel[1], geo)  # (C, kh, kw, N, OH, OW)
    c, kh, kw = cols.shape[:3]
    return cols.reshape(c * kh * kw, n, -1).transpose(1, 0, 2).copy()


def _fold_array(cols, out_shape: tuple[int, int, int, int], kernel: tuple[int, int],
                geo: ConvGeometry):
    """(N, C*kh*kw, L) -> (N, C, H, W), summing overlapping blocks."""
    n, c, h, w = out_shape
    oh, ow = geo.out_size(h, w, *kernel)
    laid = cols.reshape(n, c, kernel[0], kernel[1], oh, ow).transpose(1, 2, 3, 0, 4, 5)
    return col2im(laid.copy(), out_shape, geo)


class Im2Col(ArrayFunction):
    r"""``unfold``: :math:`Y_{n,(c,i,j),l} = X_{n,c,\,p s_h + i d_h - p_h,\,q s_w + j d_w - p_w}`
    for block :math:`l = (p, q)`. Its gradient is :class:`Col2Im` (the adjoint)."""


    @staticmethod
    def forward(ctx: Node, x: Array, kernel: tuple[int, int], geo: ConvGeometry) -> Array:
        ctx.kernel, ctx.geo, ctx.x_shape = kernel, geo, tuple(x.shape)
        return _unfold_array(x, kernel, geo)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return Col2Im.apply(grad, ctx.x_shape, ctx.kernel, ctx.geo), None, None


class Col2Im(ArrayFunction):
    r"""``fold``: :math:`Z = U^\top(C)`, the sum of each column entry onto its pixel.
    Its gradient is :class:`Im2Col` (the adjoint of the adjoint)."""


    @staticmethod
    def forward(ctx: Node, cols: Array, out_shape, kernel: tuple[int, int], geo: ConvGeometry) -> Array:
        ctx.kernel, ctx.geo = kernel, geo
        return _fold_array(cols, out_shape, kernel, geo)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return Im2Col.apply(grad, ctx.kernel, ctx.geo), None, None, None


# The PyTorch-signature functions (argument checks, dtype promotion, ``out=``) that call
# these Functions live in fold_api.py; importing them here keeps
# ``minitorch.ops.fold.unfold`` working.
from .fold_api import *
