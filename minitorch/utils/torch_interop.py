"""Move tensors and weights between minitorch and PyTorch (through NumPy, always copying).

Typical use: train (or download) a model in PyTorch, then load its weights into the same
architecture written with minitorch, whose modules have the same names::

    from minitorch.utils.torch_interop import state_dict_from_torch
    mt_model.load_state_dict(state_dict_from_torch(torch_model.state_dict()))

PyTorch is imported only when one of these functions runs, so minitorch itself never
needs it. Values keep their dtype (``float32`` stays ``float32``); ``bfloat16``, which
NumPy cannot hold, is refused with a ``TypeError``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from .._dtype import from_np
from ..tensor import Tensor


def _torch():
    """Import PyTorch, or explain how to get it."""
    try:
        import torch
    except ImportError as e:  # pragma: no cover - exercised only without torch
        raise ImportError(
            "minitorch.utils.torch_interop needs PyTorch, which is not installed. "
            "Install it (for example `pip install torch`) to convert to or from torch tensors."
        ) from e
    return torch


def to_torch(tensor: Tensor):
    """A ``torch.Tensor`` copy of a minitorch tensor: same values, shape, dtype and
    ``requires_grad`` (as a new leaf, on the CPU)."""
    torch = _torch()
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_torch() expected a minitorch.Tensor, got {type(tensor).__name__}")
    arr = np.array(tensor.detach().cpu().numpy(), copy=True)
    out = torch.from_numpy(arr)
    if tensor.requires_grad:
        out.requires_grad_(True)
    return out


def from_torch(tensor) -> Tensor:
    """A minitorch copy of a ``torch.Tensor``: same values, shape, dtype and
    ``requires_grad`` (as a new leaf, on the CPU)."""
    torch = _torch()
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"from_torch() expected a torch.Tensor, got {type(tensor).__name__}")
    if tensor.dtype == torch.bfloat16:
        raise TypeError("from_torch(): bfloat16 has no NumPy counterpart; convert it with .float()")
    arr = np.array(tensor.detach().cpu().numpy(), copy=True)
    from_np(arr.dtype)  # TypeError for dtypes minitorch does not have (complex ...)
    out = Tensor._wrap(arr)
    if tensor.requires_grad:
        out.requires_grad_(True)
    return out


def state_dict_from_torch(state_dict: dict[str, Any]) -> OrderedDict:
    """Convert a PyTorch ``state_dict`` for ``minitorch`` ``load_state_dict``.

    Tensors become detached minitorch tensors of the same dtype; other entries (rare
    ``_extra_state`` objects) are passed through unchanged. Keys and order are kept.
    """
    torch = _torch()
    return OrderedDict(
        (k, from_torch(v).detach() if isinstance(v, torch.Tensor) else v)
        for k, v in state_dict.items()
    )


def state_dict_to_torch(state_dict: dict[str, Any]) -> OrderedDict:
    """Convert a minitorch ``state_dict`` for PyTorch's ``load_state_dict``."""
    _torch()
    return OrderedDict(
        (k, to_torch(v).detach() if isinstance(v, Tensor) else v) for k, v in state_dict.items()
    )


__all__ = ["from_torch", "state_dict_from_torch", "state_dict_to_torch", "to_torch"]
