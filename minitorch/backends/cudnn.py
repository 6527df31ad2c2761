"""``minitorch.backends.cudnn``: PyTorch's cuDNN switches, stored but without effect.

minitorch's GPU convolutions are im2col + cuBLAS products through CuPy, not cuDNN, and
they pick no algorithm by benchmarking, so ``benchmark`` and ``deterministic`` change
nothing; they are kept so that scripts which set them run unchanged.
"""

from __future__ import annotations

enabled: bool = True
benchmark: bool = False
deterministic: bool = False
allow_tf32: bool = True


def is_available() -> bool:
    """``False``: minitorch does not use cuDNN."""
    return False


def version() -> int | None:
    """``None``, as PyTorch answers when cuDNN is not available."""
    return None
