"""``Dropout``: randomly zero activations while training (a regulariser)."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from ..module import Module


class Dropout(Module):
    r"""During training, zero each element with probability ``p`` and scale the rest by
    :math:`1/(1-p)`; in evaluation mode (``model.eval()``) pass the input through.

    The mask comes from minitorch's default generator, so ``minitorch.manual_seed``
    makes it reproducible.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
