r"""Weight initialisation, the way PyTorch does it (``torch.nn.init``).

Every function fills its tensor **in place**, without recording gradients, and returns
it. Random ones accept ``generator=`` (a :class:`minitorch.Generator`).

The variance-preserving schemes scale by the *fans* of a weight: for a ``Linear``
weight of shape (out, in), ``fan_in = in`` and ``fan_out = out``; for a convolution
weight (out, in, kh, kw) both are multiplied by the receptive field ``kh * kw``.

* Xavier/Glorot: :math:`\mathrm{Var}(w) = \text{gain}^2 \cdot 2 / (\text{fan\_in} +
  \text{fan\_out})`.
* Kaiming/He: :math:`\mathrm{Var}(w) = \text{gain}^2 / \text{fan}`, ``fan`` = fan_in
  (default) or fan_out.

A uniform :math:`U(-b, b)` has variance :math:`b^2/3`, hence :math:`b = \sqrt3\,\sigma`.
"""

from __future__ import annotations

import math

from .._random import _gen
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor

_LINEAR_LIKE = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                "conv_transpose2d", "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    r"""The recommended gain for a nonlinearity (PyTorch's table).

    ``linear``/conv/``sigmoid``: 1; ``tanh``: 5/3; ``relu``: :math:`\sqrt2`;
    ``leaky_relu``: :math:`\sqrt{2/(1 + a^2)}` (``a = param``, default 0.01);
    ``selu``: 3/4.
    """
    if nonlinearity in _LINEAR_LIKE:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape (out, in, *kernel)."""
    if tensor.dim() < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    r"""Fill with samples of :math:`U(a, b)`."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    r"""Fill with samples of :math:`N(\text{mean}, \text{std}^2)`."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    r"""Fill with samples of :math:`N(\text{mean}, \text{std}^2)` conditioned on lying in
    :math:`[a, b]`: draw, then redraw the samples that fell outside (rejection sampling,
    which gives exactly the truncated distribution)."""
    rng = _gen(generator)
    values = rng.normal(mean, std, tensor.shape)
    bad = (values < a) | (values > b)
    while bad.any():
        values[bad] = rng.normal(mean, std, int(bad.sum()))
        bad = (values < a) | (values > b)
    with no_grad():
        tensor._write_random(values)
    return tensor


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones."""
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros."""
    return constant_(tensor, 0.0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    from .._creation import eye

    with no_grad():
        return tensor.copy_(eye(*tensor.shape, dtype=tensor.dtype))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    r"""Glorot uniform: :math:`U(-b, b)`, :math:`b = \text{gain}\sqrt{6/(\text{fan\_in} +
    \text{fan\_out})}`."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    r"""Glorot normal: :math:`N(0, \sigma^2)`, :math:`\sigma = \text{gain}\sqrt{2/(
    \text{fan\_in} + \text{fan\_out})}`."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    r"""He uniform: :math:`U(-b, b)`, :math:`b = \text{gain}\sqrt{3/\text{fan}}`, with the
    gain of ``nonlinearity`` (slope ``a`` for leaky_relu).

    ``nn.Linear`` and ``nn.Conv2d`` use ``a = sqrt(5)``, which gives
    :math:`b = 1/\sqrt{\text{fan\_in}}`.
    """
    if 0 in tensor.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    r"""He normal: :math:`N(0, \sigma^2)`, :math:`\sigma = \text{gain}/\sqrt{\text{fan}}`."""
    if 0 in tensor.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


__all__ = [
    "calculate_gain",
    "constant_",
    "eye_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]
