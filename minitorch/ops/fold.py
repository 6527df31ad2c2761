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

from .._utils import pair
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


def _fold_args(name: str, kernel_size, dilation, padding, stride):
    k, d = pair(kernel_size, "kernel_size"), pair(dilation, "dilation")
    p, s = pair(padding, "padding"), pair(stride, "stride")
    if min(k) <= 0 or min(d) <= 0 or min(s) <= 0 or min(p) < 0:
        raise RuntimeError(
            f"{name}: kernel_size, dilation and stride must be greater than zero and padding "
            f"non-negative, but got kernel_size={k}, dilation={d}, padding={p}, stride={s}"
        )
    return k, ConvGeometry(s, (p[0], p[0], p[1], p[1]), d, 1)


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    r"""Extract sliding blocks: (N, C, H, W) -> (N, C k_h k_w, L) (or unbatched (C, H, W)
    -> (C k_h k_w, L)), :math:`L = \prod_d \lfloor (S_d + 2p_d - d_d(k_d - 1) - 1)/s_d
    \rfloor + 1`. See :class:`Im2Col` for the formula and the gradient."""
    if input.dim() not in (3, 4):
        raise RuntimeError(
            "Input Error: Only 3D or 4D input Tensors are supported (got "
            f"{input.dim()}D)"
        )
    if input.dim() == 3:
        return unfold(input.unsqueeze(0), kernel_size, dilation, padding, stride).squeeze(0)
    k, geo = _fold_args("unfold", kernel_size, dilation, padding, stride)
    h, w = input.shape[2:]
    oh, ow = geo.out_size(h, w, *k)
    if oh < 1 or ow < 1:
        raise RuntimeError(
            f"Given input with spatial size ({h}, {w}), kernel_size={k}, dilation="
            f"{geo.dilation}, padding={geo.padding[::2]}, calculated shape of the array of "
            f"sliding blocks as ({oh}, {ow}), but its components must be at least one."
        )
    return Im2Col.apply(input, k, geo)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    r"""Sum sliding blocks back into an image: (N, C k_h k_w, L) -> (N, C, H, W) with
    ``output_size = (H, W)`` (or unbatched (C k_h k_w, L) -> (C, H, W)). The adjoint of
    :func:`unfold`; overlapping blocks add up. See :class:`Col2Im`."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            "Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
            f"(got {input.dim()}D)"
        )
    if input.dim() == 2:
        out = fold(input.unsqueeze(0), output_size, kernel_size, dilation, padding, stride)
        return out.squeeze(0)
    h, w = pair(output_size, "output_size")
    k, geo = _fold_args("fold", kernel_size, dilation, padding, stride)
    n, rows, length = input.shape
    if rows % (k[0] * k[1]):
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={rows} and kernel_size={k}."
        )
    oh, ow = geo.out_size(h, w, *k)
    if oh < 1 or ow < 1 or oh * ow != length:
        raise RuntimeError(
            f"Given output_size=({h}, {w}), kernel_size={k}, dilation={geo.dilation}, "
            f"padding={geo.padding[::2]}, stride={geo.stride}, expected size of input's "
            f"dimension 2 to match the calculated number of sliding blocks {oh} * {ow} = "
            f"{oh * ow}, but got input.size(2)={length}."
        )
    return Col2Im.apply(input, (n, rows // (k[0] * k[1]), h, w), k, geo)


__all__ = ["fold", "unfold"]
