"""``minitorch.backends``: the switches PyTorch scripts commonly touch, answered honestly.

Tutorials pick a device with ``torch.backends.mps.is_available()`` and set
``torch.backends.cudnn.benchmark`` or ``deterministic`` for speed or reproducibility.
minitorch has no Apple-GPU (MPS) backend and does not call cuDNN (its GPU path is CuPy),
so the availability checks say ``False`` and the cuDNN flags are stored but change
nothing: minitorch's results are already deterministic for a given seed.
"""

from . import cudnn, mps

__all__ = ["cudnn", "mps"]
