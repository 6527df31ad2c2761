r"""The fold/unfold functions users call (``minitorch.unfold``, ``minitorch.fold``, ...).

Each one checks its arguments the way PyTorch does (and handles ``out=`` where PyTorch
has it), then calls the Functions of :mod:`minitorch.ops.fold`, where the ops and
their gradients are defined.
"""

from __future__ import annotations

from .._utils import pair
from ..kernels.conv import ConvGeometry
from ..tensor import Tensor
from .fold import (
    Col2Im,
    Im2Col,
)


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

