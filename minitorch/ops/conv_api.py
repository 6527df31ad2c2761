r"""``conv2d`` as users call it: PyTorch's argument checks, padding modes, unbatched input,
and the choice of memory layout and algorithm (the cost models are in
:mod:`minitorch.kernels.conv`); it then calls the Function
:class:`minitorch.ops.conv.Convolution`, where the op and its gradients are defined.
"""

from __future__ import annotations

from .._utils import pair
from ..kernels import threads
from ..kernels.conv import (
    ConvGeometry,
    pointwise_applies,
    prefer_batch_last,
    prefer_direct,
    prefer_fourier,
    prefer_parts,
    prefer_shifted,
    prefer_winograd,
)
from ..tensor import Tensor
from .conv import Convolution


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
    threads.refresh()  # fewer threads while other processes hold the cores
    if pointwise_applies(tuple(weight.shape), geo):
        return Convolution.apply(input, weight, bias, geo._replace(pointwise=True))
    geo = geo._replace(fourier=prefer_fourier(input._data, tuple(weight.shape), geo, input.requires_grad))
    if prefer_winograd(input._data, tuple(weight.shape), geo):
        geo = geo._replace(fourier=False, winograd=True)
    elif prefer_shifted(input._data, tuple(weight.shape), geo):
        geo = geo._replace(fourier=False, shifted=True)
    elif prefer_direct(input._data, tuple(weight.shape), geo):
        geo = geo._replace(fourier=False, direct=True)
    geo = geo._replace(parts=prefer_parts(input._data, tuple(weight.shape), geo))
    return Convolution.apply(input, weight, bias, geo)
