"""The differentiable operations, one ``Function`` subclass per op, grouped by family."""

# Each family's Functions module imports its PyTorch-signature functions (``<family>_api``)
# at its bottom, and the ``_api`` module imports the Functions. Loading the Functions
# module first keeps that cycle benign whichever module a program imports first (e.g.
# ``import minitorch.ops.conv_api`` before ``minitorch.ops.conv``).
from . import conv, conv_transpose, fold, pool
