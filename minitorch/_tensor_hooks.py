"""Hook plumbing of :class:`minitorch.Tensor`: ``register_hook``, ``retain_grad``, the
leaf's gradient-accumulator node, and the checks on assigning ``t.grad``.

A hook on a non-leaf tensor is stored on its ``grad_fn`` node and run by the engine when
the node's gradient is ready; a hook on a leaf is stored on the tensor and run just before
the gradient is accumulated into ``.grad``.
"""

from __future__ import annotations

import weakref
from typing import Any

from ._tensor_conversions import _C_NAMES
from .autograd import function as _function
from .autograd.hooks import _RemovableHandle

Tensor: Any = None  # set by minitorch.tensor (an import cycle otherwise)


class TensorHooks:
    """Hook methods of :class:`minitorch.Tensor` (a mixin: it has no state)."""

    __slots__ = ()

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        ref = weakref.ref(self)

        def keep(grad):
            t = ref()
            if t is not None:
                if t.grad is None:
                    t.grad = Tensor._wrap(grad._data.copy())
                else:
                    t.grad = t.grad + grad

        self.grad_fn._register_tensor_hook(keep)
        self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a
        replacement gradient. Returns a handle with ``remove()``."""
        if not self.requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient"
            )
        if self.grad_fn is not None:
            return self.grad_fn._register_tensor_hook(hook)
        if self._hooks is None:
            self._hooks = []
        return _RemovableHandle(self._hooks, hook)

    def _grad_accumulator_node(self):
        return _function._accumulator(self)


def check_grad(t: Tensor, g) -> None:
    """PyTorch's checks on ``t.grad = g``: a Tensor of ``t``'s shape, dtype and device."""
    if not isinstance(g, Tensor):
        kind = type(g)
        name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
        raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                        f"{name}")
    if g._data.shape != t._data.shape:
        raise RuntimeError(f"attempting to assign a gradient of size '{list(g.shape)}' to a "
                           f"tensor of size '{list(t.shape)}'. Please ensure that the gradient "
                           "and the tensor are the same size")
    if g._data.dtype != t._data.dtype:
        raise RuntimeError(
            f"attempting to assign a gradient with dtype '{_C_NAMES[g.dtype.name]}' to a tensor "
            f"with grad_dtype '{t._scalar_type_name()}'. The gradient must match the tensor's "
            "grad_dtype (defaults to the tensor's dtype).")
    if g.device != t.device:
        raise RuntimeError(f"attempting to assign a gradient located on device with index "
                           f"'{g.device}' to a tensor located on device '{t.device}'. Please "
                           "ensure that the gradient and the tensor are on the same device")


def check_requires_grad(t: Tensor, value: bool) -> None:
    """PyTorch's checks on ``t.requires_grad = value``: only leaves, only floating point."""
    if t.grad_fn is not None and not value:
        raise RuntimeError(
            "you can only change requires_grad flags of leaf variables. If you want to use "
            "a computed variable in a subgraph that doesn't require differentiation use "
            "var_no_grad = var.detach()."
        )
    if value and not t.dtype.is_floating_point:
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
