"""``minitorch.backends.mps``: Apple's Metal GPUs, which minitorch does not support."""

from __future__ import annotations


def is_available() -> bool:
    """Always ``False``: minitorch runs on the CPU (NumPy) or NVIDIA GPUs (CuPy)."""
    return False


def is_built() -> bool:
    """Always ``False``: there is no MPS backend to build."""
    return False
