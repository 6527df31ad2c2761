"""Hook plumbing of the backward graph: hooks on nodes, and running them.

* ``Node.register_hook`` / ``register_prehook`` / ``metadata`` / ``_saved_<name>`` /
  ``name()`` and the ignored ``ctx.mark_dirty`` / ``set_materialize_grads``
  (:class:`NodeHooks`, a base class of :class:`~minitorch.autograd.function.Node`);
* :func:`run_hooks`: how the engine calls a list of hooks on a gradient, checking what
  they return; ``Tensor.register_hook`` stores its hooks on the tensor's node (or, for a
  leaf, on the tensor), see ``minitorch/_tensor_hooks.py``.
"""

from __future__ import annotations

Tensor = None  # set by minitorch.tensor (an import cycle otherwise)


class _RemovableHandle:
    """Returned by ``register_hook``; ``handle.remove()`` unregisters the hook."""

    def __init__(self, hooks: list, hook) -> None:
        self._hooks = hooks
        self._hook = hook
        hooks.append(hook)

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class NodeHooks:
    """Hook and metadata methods of graph nodes (a mixin: it has no state of its own), and
    the ``ctx`` methods PyTorch has that minitorch accepts and ignores."""

    __slots__ = ()

    @classmethod
    def name(cls) -> str:
        return cls.__name__

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"

    def mark_dirty(self, *args) -> None:
        """Accepted for PyTorch compatibility (minitorch Functions return new arrays)."""

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted for PyTorch compatibility (gradients are always materialised)."""

    def register_hook(self, hook) -> _RemovableHandle:
        """Call ``hook(grad_inputs, grad_outputs)`` after this node's backward runs.

        ``grad_inputs`` has one gradient per edge of ``next_functions`` (what is sent to the
        inputs), ``grad_outputs`` the gradient that arrived; a returned tuple replaces
        ``grad_inputs``.
        """
        if self._post_hooks is None:
            self._post_hooks = []
        return _RemovableHandle(self._post_hooks, hook)

    def register_prehook(self, hook) -> _RemovableHandle:
        """Call ``hook(grad_outputs)`` before this node's backward runs; a returned tuple
        replaces ``grad_outputs``."""

        def as_tensor_hook(grad):
            new = hook((grad,))
            return None if new is None else new[0]

        as_tensor_hook.__wrapped__ = hook  # so handle.remove() and tests can find it
        return self._register_tensor_hook(as_tensor_hook)

    @property
    def metadata(self) -> dict:
        """A dict for the user's own notes about this node (empty at first)."""
        meta = self.__dict__.get("_metadata")
        if meta is None:
            meta = self.__dict__["_metadata"] = {}
        return meta

    def __getattr__(self, name: str):
        """``_saved_<name>`` attributes as PyTorch names them (``MulBackward0._saved_other``);
        only called for names not found normally, so it costs nothing otherwise."""
        if name.startswith("_saved_"):
            from .graph import saved_attribute

            return saved_attribute(self, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def _register_tensor_hook(self, hook) -> _RemovableHandle:
        if self._pre_hooks is None:
            self._pre_hooks = []
        return _RemovableHandle(self._pre_hooks, hook)


def run_hooks(hooks, grad):
    for hook in list(hooks):
        new = hook(grad)
        if new is not None:
            check_hook_result(hook, grad, new)
            grad = new
    return grad


def check_hook_result(hook, grad, new) -> None:
    """A hook may replace a gradient only by a tensor of the same shape and dtype."""
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    name = getattr(hook, "__name__", repr(hook))
    if new._data.shape != grad._data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value (was "
                           f"{list(grad.shape)} got {list(new.shape)})")
    if new._data.dtype != grad._data.dtype:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                           f"{grad._type_name()} got {new._type_name()})")
