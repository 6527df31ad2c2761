r"""The transposed-convolution functions users call (``minitorch.conv_transpose2d``, ...).

Each one checks its arguments the way PyTorch does (and handles ``out=`` where PyTorch
has it), then calls the Functions of :mod:`minitorch.ops.conv_transpose`, where the ops and
their gradients are defined.
"""

from __future__ import annotations

from .._utils import pair
from ..kernels import conv_transpose_parts, conv_transpose_phases, threads
from ..kernels.conv import ConvGeometry, prefer_batch_last
from ..tensor import Tensor
from .conv_transpose import (
    ConvolutionTranspose,
)


def _check_transpose_args(input: Tensor, weight: Tensor, bias, groups: int) -> None:
    if weight.dim() != 4:
        raise RuntimeError(
            f"Expected 4-dimensional weight for 4-dimensional input, but got weight of size "
            f"{list(weight.shape)} instead"
        )
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    cin, cg = weight.shape[:2]
    if cin % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension "
            f"0, but got weight of size {list(weight.shape)} instead"
        )
    if input.shape[1] != cin:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected "
            f"input{list(input.shape)} to have {cin} channels, but got {input.shape[1]} "
            "channels instead"
        )
    if input.dtype != weight.dtype:
        raise RuntimeError(
            f"Input type ({input.dtype}) and weight type ({weight.dtype}) should be the same"
        )
    if bias is not None and (tuple(bias.shape) != (cg * groups,) or bias.dtype != weight.dtype):
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected bias to be "
            f"1-dimensional with {cg * groups} elements of type {weight.dtype}, but got bias "
            f"of size {list(bias.shape)} and type {bias.dtype} instead"
        )


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    output_padding: int | tuple[int, int] = 0,
    groups: int = 1,
    dilation: int | tuple[int, int] = 1,
) -> Tensor:
    r"""2-D transposed convolution ("deconvolution") over (N, C_in, H, W) or (C_in, H, W).

    .. math::

        \mathrm{out}_{n,o,\,p s_h + i d_h - \mathrm{pad}_h,\; q s_w + j d_w - \mathrm{pad}_w}
        \mathrel{+}= \mathrm{weight}_{c,o',i,j}\;\mathrm{input}_{n,c,p,q}

    for every input channel :math:`c` of the group of output channel :math:`o`
    (:math:`o' = o \bmod (C_{out}/g)`), then the bias is added.

    Parameters
    ----------
    input : Tensor
        Shape (N, C_in, H, W), or (C_in, H, W) unbatched.
    weight : Tensor
        Shape (C_in, C_out / groups, kh, kw) (note: in-channels first, as in PyTorch).
    bias : Tensor, optional
        Shape (C_out,).
    stride, padding, dilation : int or (int, int)
        Those of the convolution this is the transpose of: ``padding`` crops that many
        rows/columns off each side of the full output.
    output_padding : int or (int, int)
        Rows/columns added at the bottom/right; must be smaller than stride or dilation.
    groups : int
        Independent groups of channels.

    Returns
    -------
    Tensor
        Shape (N, C_out, H_out, W_out),
        :math:`H_{out} = (H - 1)s_h - 2\,\mathrm{pad}_h + d_h(k_h - 1) + \mathrm{outpad}_h + 1`.
    """
    if input.dim() not in (3, 4):
        raise RuntimeError(
            "Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input "
            f"of size: {list(input.shape)}"
        )
    if input.dim() == 3:
        out = conv_transpose2d(input.unsqueeze(0), weight, bias, stride, padding,
                               output_padding, groups, dilation)
        return out.squeeze(0)
    _check_transpose_args(input, weight, bias, groups)
    s, p = pair(stride, "stride"), pair(padding, "padding")
    op, d = pair(output_padding, "output_padding"), pair(dilation, "dilation")
    if min(s) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(d) <= 0:
        raise RuntimeError("dilation should be greater than zero")
    if min(p) < 0:
        raise RuntimeError("negative padding is not supported")
    if min(op) < 0 or any(o >= max(si, di) for o, si, di in zip(op, s, d)):
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            f"output_padding_height: {op[0]} output_padding_width: {op[1]} stride_height: "
            f"{s[0]} stride_width: {s[1]} dilation_height: {d[0]} dilation_width: {d[1]}"
        )
    h, w = input.shape[2:]
    kh, kw = weight.shape[2:]
    size = [(n - 1) * si - 2 * pi + di * (k - 1) + oi + 1
            for n, si, pi, di, k, oi in zip((h, w), s, p, d, (kh, kw), op)]
    if min(size) < 1:
        raise RuntimeError(
            f"Given input size per channel: ({h} x {w}). Calculated output size per channel: "
            f"({size[0]} x {size[1]}). Output size is too small"
        )
    # Rows beyond p + s - 1 of output padding get no input: cut them off the kernel's part.
    extra = tuple(max(0, oi - pi - (si - 1)) for oi, pi, si in zip(op, p, s))
    core = tuple(n - e for n, e in zip(size, extra))
    # The convolution core -> input: top padding p, bottom padding p - outpad (>= 0 here).
    bottom = [max(pi - (oi - e), 0) for pi, oi, e in zip(p, op, extra)]
    cin, cg = weight.shape[:2]
    geo = ConvGeometry(s, (p[0], bottom[0], p[1], bottom[1]), d, int(groups),
                       prefer_batch_last(cg * kh * kw, cin // groups))
    # The DCGAN layer (4x4, stride 2, padding 1) by phases and Winograd, where it pays.
    phases = conv_transpose_phases.prefer(input._data, tuple(weight.shape), s, p, op, d, groups)
    threads.refresh()  # fewer threads while other processes hold the cores
    # The batch in parts, one per core (kernels/conv_transpose_parts.py), where it pays.
    geo = geo._replace(parts=conv_transpose_parts.prefer(input._data, tuple(weight.shape), geo, core))
    return ConvolutionTranspose.apply(input, weight, bias, geo, core, extra, phases)


__all__ = ["conv_transpose2d"]

