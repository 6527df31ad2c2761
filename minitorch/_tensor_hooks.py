"""Hook plumbing of :class:`minitorch.Tensor`: ``register_hook``, ``retain_grad``, and the
leaf's gradient-accumulator node.

A hook on a non-leaf tensor is stored on its ``grad_fn`` node and run by the engine when
the node's gradient is ready; a hook on a leaf is stored on the tensor and run just before
the gradient is accumulated into ``.grad``.
"""

from __future__ import annotations

import weakref
from typing import Any

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
