"""Utilities that sit beside the tensor library, as in ``torch.utils``.

Only :mod:`minitorch.utils.data` (datasets, samplers and the ``DataLoader``) lives here.
"""

from . import data

__all__ = ["data"]
