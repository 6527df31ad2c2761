"""``torch.autograd.Variable``: the pre-0.4 wrapper, now an alias that returns a Tensor."""

from .._legacy import Variable

__all__ = ["Variable"]
