r"""More of ``minitorch.nn.functional``: 1-D convolution and pooling, transposed
convolution, group and instance norm, fold/unfold, PReLU, Softmax2d and distances
(``interpolate`` is in :mod:`._interpolation`).

Most are thin: a 1-D op is its 2-D twin on an (N, C, 1, L) view (a kernel of height 1
reads each row by itself, so the values and gradients are exactly the 1-D ones);
transposed convolution and fold/unfold are Functions built on the convolution kernels
(:mod:`minitorch.ops.conv_transpose`, :mod:`minitorch.ops.fold`); the rest are
compositions of Tensor ops, so autograd differentiates them to any order.
"""

from __future__ import annotations

import math

from ..autograd.grad_mode import no_grad
from ..ops.conv import conv2d
from ..ops.conv_transpose import conv_transpose2d
from ..ops.elementwise import where
from ..ops.fold import fold, unfold
from ..ops.pool import avg_pool2d, max_pool2d, pool_out_size
from ..ops.reduction import softmax as _softmax
from ..ops.shape import broadcast_shapes
from ..tensor import Tensor
from .functional import _normalize_over, batch_norm


def _single(value, name: str) -> int:
    """An int, or a 1-tuple/list of one int (PyTorch's ``_single``)."""
    if isinstance(value, int):
        return value
    value = tuple(value)
    if len(value) != 1:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of 1 values to match "
            f"the convolution dimensions, but got {name}={list(value)}"
        )
    return int(value[0])


# --------------------------------------------------------------------------- conv 1-D
def _check_conv1d(name: str, input: Tensor, weight: Tensor, in_channels: int, groups: int) -> None:
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"Expected 2D (unbatched) or 3D (batched) input to {name}, but got input of "
            f"size: {list(input.shape)}"
        )
    if weight.dim() != 3:
        raise RuntimeError(
            f"Expected {input.dim()}-dimensional input for {input.dim()}-dimensional weight "
            f"{list(weight.shape)}, but got {weight.dim()}-dimensional weight instead"
            if weight.dim() < 3 else
            f"Expected {weight.dim()}-dimensional input for {weight.dim()}-dimensional weight "
            f"{list(weight.shape)}, but got {input.dim()}-dimensional input of size "
            f"{list(input.shape)} instead"
        )
    if groups > 0 and input.shape[-2] != in_channels:
        raise RuntimeError(
            f"Given {'transposed=1, ' if 'transpose' in name else ''}groups={groups}, weight of "
            f"size {list(weight.shape)}, expected input{list(input.shape)} to have "
            f"{in_channels} channels, but got {input.shape[-2]} channels instead"
        )


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    r"""1-D convolution over (N, C_in, L) or (C_in, L), weight (C_out, C_in/groups, k):

    .. math:: \mathrm{out}_{n,o,p} = \mathrm{bias}_o + \sum_{c,i}
        \mathrm{weight}_{o,c,i}\,\mathrm{input}_{n,c,\,p s + i d - \mathrm{pad}}

    Computed as :func:`~minitorch.ops.conv.conv2d` of the (N, C, 1, L) view with a
    (C_out, C_in/groups, 1, k) kernel; ``padding`` may be an int, ``'same'`` or ``'valid'``.
    """
    _check_conv1d("conv1d", input, weight, weight.shape[1] * groups if weight.dim() == 3 else 0,
                  groups)
    if input.dim() == 2:
        return conv1d(input.unsqueeze(0), weight, bias, stride, padding, dilation,
                      groups).squeeze(0)
    s, d = _single(stride, "stride"), _single(dilation, "dilation")
    pad = padding if isinstance(padding, str) else (0, _single(padding, "padding"))
    if not isinstance(padding, str):
        span, reach = input.shape[2] + 2 * pad[1], d * (weight.shape[2] - 1) + 1
        if span < reach:
            raise RuntimeError(
                f"Calculated padded input size per channel: ({span}). Kernel size: ({reach}). "
                "Kernel size can't be greater than actual input size"
            )
    out = conv2d(input.unsqueeze(2), weight.unsqueeze(2), bias, (1, s), pad, (1, d), groups)
    return out.squeeze(2)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    r"""1-D transposed convolution over (N, C_in, L), weight (C_in, C_out/groups, k):
    :func:`~minitorch.ops.conv_transpose.conv_transpose2d` on the (N, C, 1, L) view.
    :math:`L_{out} = (L - 1)s - 2p + d(k - 1) + p_{out} + 1`."""
    _check_conv1d("conv_transpose1d", input, weight, weight.shape[0] if weight.dim() else 0,
                  groups)
    if input.dim() == 2:
        return conv_transpose1d(input.unsqueeze(0), weight, bias, stride, padding,
                                output_padding, groups, dilation).squeeze(0)
    out = conv_transpose2d(
        input.unsqueeze(2), weight.unsqueeze(2), bias, (1, _single(stride, "stride")),
        (0, _single(padding, "padding")), (0, _single(output_padding, "output_padding")),
        groups, (1, _single(dilation, "dilation")),
    )
    return out.squeeze(2)


# ------------------------------------------------------------------------- pooling 1-D
def _pool1d_input(name: str, input: Tensor) -> None:
    if input.dim() not in (2, 3) or any(n == 0 for n in input.shape[-2:]):
        raise RuntimeError(
            f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{list(input.shape)}"
        )


def _pool1d_args(name: str, input: Tensor, kernel_size, stride, padding, dilation,
                 ceil_mode: bool) -> tuple[int, int, int, int]:
    """Check 1-D pooling arguments in 1-D terms (the 2-D op's messages would say 2-D)."""
    k = _single(kernel_size, "kernel_size")
    no_stride = stride is None or (not isinstance(stride, int) and len(stride) == 0)
    s = k if no_stride else _single(stride, "stride")
    p, d = _single(padding, "padding"), _single(dilation, "dilation")
    if k <= 0 or s <= 0 or d <= 0:
        raise RuntimeError(
            f"{name}: kernel_size, stride and dilation must be greater than zero, but got "
            f"kernel_size={k}, stride={s}, dilation={d}"
        )
    if p < 0 or p > k // 2:
        raise RuntimeError(
            f"pad should be at most half of effective kernel size, but got pad={p}, "
            f"kernel_size={k} and dilation={d}"
        )
    if pool_out_size(input.shape[-1], k, s, p, d, ceil_mode) < 1:
        raise RuntimeError(
            f"{name}() Invalid computed output size: "
            f"{pool_out_size(input.shape[-1], k, s, p, d, ceil_mode)}"
        )
    return k, s, p, d


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    r"""1-D max pooling of (N, C, L) or (C, L): :math:`\mathrm{out}_{n,c,p} = \max_{i<k}
    \mathrm{input}_{n,c,\,p s + i d - \mathrm{pad}}` (``max_pool2d`` of the (N, C, 1, L)
    view; the indices are positions along L)."""
    _pool1d_input("max_pool1d", input)
    k, s, p, d = _pool1d_args("max_pool1d", input, kernel_size, stride, padding, dilation,
                              ceil_mode)
    out = max_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d), ceil_mode,
                     return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    r"""1-D average pooling of (N, C, L) or (C, L): ``avg_pool2d`` of the (N, C, 1, L) view."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for "
            "argument #1 'self' (while checking arguments for avg_pool1d)"
        )
    k, s, p, _ = _pool1d_args("avg_pool1d", input, kernel_size, stride, padding, 1, ceil_mode)
    out = avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), ceil_mode, count_include_pad)
    return out.squeeze(-2)


# ---------------------------------------------------------------------- normalisation
def _channel_shape(input: Tensor) -> tuple[int, ...]:
    """(1, C, 1, ...): a per-channel vector broadcast over an (N, C, ...) input."""
    return (1, input.shape[1]) + (1,) * (input.dim() - 2)


def _affine(out: Tensor, weight: Tensor | None, bias: Tensor | None, shape) -> Tensor:
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    r"""Group normalisation: split the C channels of each sample into ``num_groups``
    groups, normalise each group over its channels and positions (biased variance),
    then :math:`y = \gamma_c \hat x + \beta_c` per channel:

    .. math:: \hat x = \frac{x - \mu_{n,g}}{\sqrt{\sigma^2_{n,g} + \epsilon}}

    Composed from Tensor ops on the (N, G, C/G * ...) view, so every order of derivative
    comes from autograd.
    """
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}"
        )
    n, c = input.shape[:2]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {list(input.shape)} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t.shape)} and input of shape "
                f"{list(input.shape)}"
            )
    grouped = input.reshape(n, num_groups, -1)
    out, _, _ = _normalize_over(grouped, (2,), eps)
    return _affine(out.reshape(input.shape), weight, bias, _channel_shape(input))


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    r"""Instance normalisation: each (sample, channel) plane normalised over its own
    positions (biased variance), then :math:`\gamma_c \hat x + \beta_c`.

    As in PyTorch, this is :func:`batch_norm` of the (1, N C, ...) view, whose "channels"
    are the instances; the running statistics are repeated over the batch for it, and
    their updates averaged back: :math:`r \leftarrow (1 - m)\,r + m\,\overline{s}`,
    :math:`\overline{s}` the batch mean of the per-instance means (unbiased variances).
    Without ``use_input_stats`` the running statistics normalise instead.
    """
    if input.dim() < 3 or (use_input_stats and math.prod(input.shape[2:]) <= 1):
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size "
            f"{input.shape!r}"
        )
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    n, c = input.shape[:2]
    stats = [None if r is None else r.repeat(n) for r in (running_mean, running_var)]
    out = batch_norm(input.reshape(1, n * c, *input.shape[2:]), stats[0], stats[1],
                     training=use_input_stats, momentum=momentum, eps=eps)
    if use_input_stats:
        with no_grad():
            for r, rep in zip((running_mean, running_var), stats):
                if r is not None:
                    r.copy_(rep.reshape(n, c).mean(0))
    return _affine(out.reshape(input.shape), weight, bias, _channel_shape(input))


# -------------------------------------------------------------------------- activations
def prelu(input: Tensor, weight: Tensor) -> Tensor:
    r""":math:`\mathrm{PReLU}(x) = x` for :math:`x > 0`, else :math:`a_c x`, with one slope
    per channel (dim 1) or one shared slope.

    ``where(x > 0, x, a x)``: the gradient is the upstream gradient where :math:`x > 0`
    and :math:`a_c` times it elsewhere; :math:`\partial L/\partial a_c` sums
    :math:`g\,x` over the non-positive entries of channel :math:`c`.
    """
    channels = input.shape[1] if input.dim() >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(
            "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
            f"{weight.numel()} and channel size = {channels}."
        )
    if weight.numel() == 1:
        slope = weight.reshape(())
    else:
        slope = weight.reshape((channels,) + (1,) * (input.dim() - 2))
    return where(input > 0, input, slope * input)


def softmax2d(input: Tensor) -> Tensor:
    """Softmax over the channels of an (N, C, H, W) or (C, H, W) input (``nn.Softmax2d``)."""
    if input.dim() not in (3, 4):
        raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
    return _softmax(input, -3)


# ---------------------------------------------------------------------------- distances
def _clamped(norm: Tensor, eps: float) -> Tensor:
    """``norm`` clamped below at ``eps`` in value only: PyTorch clamps the norms in place
    under no_grad, so the gradient is that of the unclamped norm."""
    return norm + (norm.clamp_min(eps) - norm).detach()


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    r""":math:`\sum_d \frac{x_1}{\max(\lVert x_1\rVert, \epsilon)}
    \frac{x_2}{\max(\lVert x_2\rVert, \epsilon)}` along ``dim`` (inputs broadcast).

    Each input is divided by its norm first, PyTorch's numerically stable order (the
    result stays in [-1, 1]).
    """
    shape = broadcast_shapes(x1.shape, x2.shape)
    a, b = x1.expand(shape), x2.expand(shape)
    na = _clamped(a.norm(2, dim, keepdim=True), eps)
    nb = _clamped(b.norm(2, dim, keepdim=True), eps)
    return ((a / na) * (b / nb)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    r""":math:`\lVert x_1 - x_2 + \epsilon \rVert_p` along the last dimension."""
    last = max(x1.dim(), x2.dim()) - 1
    if last < 0:  # two scalars
        return (x1 - x2 + eps).abs()
    return (x1 - x2 + eps).norm(p, last, keepdim=keepdim)


__all__ = [
    "avg_pool1d",
    "conv1d",
    "conv_transpose1d",
    "conv_transpose2d",
    "cosine_similarity",
    "fold",
    "group_norm",
    "instance_norm",
    "max_pool1d",
    "pairwise_distance",
    "prelu",
    "unfold",
]
