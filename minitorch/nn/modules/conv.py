"""``Conv2d``: a learnable 2-D convolution (the op is :func:`minitorch.ops.conv.conv2d`)."""

from __future__ import annotations

from ... import _creation
from ..._utils import ntuple
from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from ..parameter import Parameter
from .linear import reset_affine


def _check_groups(in_channels: int, out_channels: int, groups: int) -> None:
    """PyTorch's checks of ``groups`` against the channel counts (``ValueError``)."""
    if groups <= 0:
        raise ValueError("groups must be a positive integer")
    if in_channels % groups != 0:
        raise ValueError("in_channels must be divisible by groups")
    if out_channels % groups != 0:
        raise ValueError("out_channels must be divisible by groups")


class Conv2d(Module):
    r"""2-D convolution over (N, C_in, H, W) inputs, giving (N, C_out, H_out, W_out).

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size, stride, dilation : int or (int, int)
    padding : int, (int, int), 'valid' or 'same'
    groups : int
        Split the channels into this many independent convolutions.
    bias : bool
    padding_mode : 'zeros', 'reflect', 'replicate' or 'circular'
        How the border is padded (anything but zeros pads with :func:`F.pad` first).

    Attributes
    ----------
    weight : Parameter
        Shape (out_channels, in_channels / groups, kh, kw), from :math:`U(-k, k)`,
        :math:`k = 1/\sqrt{\text{fan\_in}}`, fan_in = in_channels / groups * kh * kw.
    bias : Parameter
        Shape (out_channels,), from the same distribution.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__()
        _check_groups(in_channels, out_channels, groups)
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(
                "padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], "
                f"but got padding_mode='{padding_mode}'"
            )
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(
                    f"Invalid padding string '{padding}', should be one of ['valid', 'same']"
                )
            if padding == "same" and ntuple(stride, 2) != (1, 1):
                raise ValueError("padding='same' is not supported for strided convolutions")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = ntuple(kernel_size, 2)
        self.stride = ntuple(stride, 2)
        self.padding = padding if isinstance(padding, str) else ntuple(padding, 2)
        self.dilation = ntuple(dilation, 2)
        self.groups = groups
        self.padding_mode = padding_mode
        self.output_padding = (0, 0)
        self.transposed = False
        self.weight = Parameter(_creation.empty(
            out_channels, in_channels // groups, *self.kernel_size, dtype=dtype, device=device
        ))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default initialisation (see the class docstring)."""
        reset_affine(self.weight, self.bias)

    def _border(self) -> tuple[int, int, int, int]:
        """``F.pad`` amounts (left, right, top, bottom) for a non-zero padding_mode."""
        if self.padding == "valid":
            return (0, 0, 0, 0)
        if self.padding == "same":
            amounts = []
            for d, k in zip(reversed(self.dilation), reversed(self.kernel_size)):
                total = d * (k - 1)
                amounts += [total // 2, total - total // 2]
            return tuple(amounts)
        ph, pw = self.padding
        return (pw, pw, ph, ph)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._border(), mode=self.padding_mode)
            return F.conv2d(padded, self.weight, self.bias, self.stride, 0, self.dilation,
                            self.groups)
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)

    def extra_repr(self) -> str:
        return _conv_repr(self)


def _conv_repr(m: Module) -> str:
    """PyTorch's ``_ConvNd.extra_repr`` (shared by Conv1d and the transposed layers)."""
    zeros = (0,) * len(m.kernel_size)
    s = (f"{m.in_channels}, {m.out_channels}, kernel_size={m.kernel_size}, "
         f"stride={m.stride}")
    if m.padding != zeros:
        s += f", padding={m.padding}"
    if m.dilation != (1,) * len(m.dilation):
        s += f", dilation={m.dilation}"
    if m.output_padding != zeros:
        s += f", output_padding={m.output_padding}"
    if m.groups != 1:
        s += f", groups={m.groups}"
    if m.bias is None:
        s += ", bias=False"
    if m.padding_mode != "zeros":
        s += f", padding_mode={m.padding_mode}"
    return s


def _tuple(v, n: int) -> tuple[int, ...]:
    return (v,) * n if isinstance(v, int) else tuple(v)


class Conv1d(Module):
    r"""1-D convolution over (N, C_in, L) inputs, giving (N, C_out, L_out)
    (:func:`F.conv1d <minitorch.nn.functional.conv1d>`).

    Same arguments as :class:`Conv2d` with single ints; ``weight`` has shape
    (out_channels, in_channels / groups, kernel_size), initialised like Conv2d's.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__()
        # Conv2d checks the arguments the same way; build one and take over its checks
        # and initialisation with a kernel of height 1 (same fan_in, same draws).
        pad = padding if isinstance(padding, str) else (0, _tuple(padding, 1)[0])
        twin = Conv2d(in_channels, out_channels, (1, _tuple(kernel_size, 1)[0]),
                      (1, _tuple(stride, 1)[0]), pad, (1, _tuple(dilation, 1)[0]), groups,
                      bias, padding_mode, device, dtype)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = twin.kernel_size[1:], twin.stride[1:]
        self.padding = padding if isinstance(padding, str) else twin.padding[1:]
        self.dilation, self.output_padding = twin.dilation[1:], (0,)
        self.groups, self.padding_mode, self.transposed = groups, padding_mode, False
        self.weight = Parameter(twin.weight.detach().squeeze(2))
        if bias:
            self.bias = twin.bias
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """PyTorch's default initialisation (as :class:`Conv2d`)."""
        reset_affine(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode != "zeros":
            if self.padding == "same":
                total = self.dilation[0] * (self.kernel_size[0] - 1)
                border = (total // 2, total - total // 2)
            else:
                border = (0, 0) if self.padding == "valid" else self.padding * 2
            padded = F.pad(input, border, mode=self.padding_mode)
            return F.conv1d(padded, self.weight, self.bias, self.stride, 0, self.dilation,
                            self.groups)
        return F.conv1d(input, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)

    extra_repr = _conv_repr


class _ConvTransposeNd(Module):
    r"""Shared code of the transposed convolutions: weight (in_channels,
    out_channels / groups, *kernel_size), initialised like Conv2d's (PyTorch computes
    fan_in from this weight's dim 1, i.e. out_channels / groups * prod(kernel_size))."""

    _dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        super().__init__()
        _check_groups(in_channels, out_channels, groups)
        if padding_mode != "zeros":
            raise ValueError(
                f'Only "zeros" padding mode is supported for {type(self).__name__}'
            )
        n = self._dims
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = _tuple(kernel_size, n), _tuple(stride, n)
        self.padding, self.dilation = _tuple(padding, n), _tuple(dilation, n)
        self.output_padding = _tuple(output_padding, n)
        self.groups, self.padding_mode, self.transposed = groups, padding_mode, True
        factory = {"dtype": dtype, "device": device}
        self.weight = Parameter(_creation.empty(in_channels, out_channels // groups,
                                                *self.kernel_size, **factory))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, **factory))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_affine(self.weight, self.bias)

    def _output_padding(self, input: Tensor, output_size) -> tuple[int, ...]:
        """``output_padding`` that gives ``output_size`` (PyTorch's rule and errors)."""
        if output_size is None:
            return self.output_padding
        n = self._dims
        lead = 2 if input.dim() == n + 2 else 1
        output_size = list(output_size)
        if len(output_size) == lead + n:
            output_size = output_size[lead:]
        if len(output_size) != n:
            raise ValueError(
                f"ConvTranspose{n}D: for {input.dim()}D input, output_size must have {n} or "
                f"{lead + n} elements (got {len(output_size)})"
            )
        lo = [(input.shape[lead + d] - 1) * self.stride[d] - 2 * self.padding[d]
              + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(n)]
        hi = [lo[d] + self.stride[d] - 1 for d in range(n)]
        if any(not lo[d] <= output_size[d] <= hi[d] for d in range(n)):
            raise ValueError(
                f"requested an output size of {output_size}, but valid sizes range from {lo} "
                f"to {hi} (for an input of {list(input.shape[lead:])})"
            )
        return tuple(output_size[d] - lo[d] for d in range(n))

    extra_repr = _conv_repr


class ConvTranspose2d(_ConvTransposeNd):
    r"""2-D transposed convolution over (N, C_in, H, W) (the "deconvolution" of GAN and
    VAE decoders): :func:`F.conv_transpose2d <minitorch.nn.functional.conv_transpose2d>`,
    the adjoint of a convolution. Output height
    :math:`(H - 1)s - 2p + d(k - 1) + p_{out} + 1`; pass ``output_size`` to ``forward``
    to pick among the sizes a strided layer can give."""

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size), self.groups,
                                  self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    r"""1-D transposed convolution over (N, C_in, L):
    :func:`F.conv_transpose1d <minitorch.nn.functional.conv_transpose1d>`."""

    _dims = 1

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        return F.conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size), self.groups,
                                  self.dilation)
