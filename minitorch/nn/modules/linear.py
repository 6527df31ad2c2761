"""``Linear`` (:math:`y = x W^\\top + b`) and ``Identity``."""

from __future__ import annotations

import math

from ... import _creation
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter


def reset_affine(weight: Parameter, bias: Parameter | None) -> None:
    r"""PyTorch's default for Linear and Conv layers: ``kaiming_uniform_(a=sqrt(5))`` for
    the weight, i.e. :math:`U(-k, k)` with :math:`k = \sqrt{6/((1 + 5)\,\text{fan\_in})}
    = 1/\sqrt{\text{fan\_in}}`, and the same :math:`U(-k, k)` for the bias."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
        if fan_in > 0:
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(bias, -bound, bound)


class Identity(Module):
    """Returns its input unchanged (a placeholder layer); ignores constructor arguments."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    r"""Affine layer :math:`y = x W^\top + b` on inputs of shape (..., in_features).

    Parameters
    ----------
    in_features, out_features : int
        Sizes of each input and output sample.
    bias : bool
        Whether to learn the additive bias ``b`` (default True).

    Attributes
    ----------
    weight : Parameter
        Shape (out_features, in_features), drawn from :math:`U(-k, k)` with
        :math:`k = 1/\sqrt{\text{in\_features}}` (``kaiming_uniform_(a=sqrt(5))``).
    bias : Parameter
        Shape (out_features,), from the same :math:`U(-k, k)`.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(_creation.empty(out_features, in_features, dtype=dtype,
                                                device=device))
        if bias:
            self.bias = Parameter(_creation.empty(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default initialisation (see the class docstring)."""
        reset_affine(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
