"""In-place machinery of :class:`minitorch.Tensor`: version counters, writes that check
dtypes and shapes, and how an in-place op is rebased onto the autograd graph.

Every in-place change bumps the tensor's version counter (``_vc``, shared with its
views); a Function that saved the tensor compares versions at backward time and raises
if the value it needs was overwritten. ``_rebase_inplace`` runs the op out of place on a
snapshot and makes the result this tensor's new value and ``grad_fn``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _backend, _dtype
from .autograd import grad_mode

Tensor: Any = None  # set by minitorch.tensor (an import cycle otherwise)


class TensorInPlace:
    """In-place methods of :class:`minitorch.Tensor` (a mixin: it has no state)."""

    __slots__ = ()

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place (``detach`` is in tensor.py)."""
        if self._base is not None and self._base.requires_grad:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead."
            )
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def _version(self) -> int:
        return self._vc[0]

    def _bump_version(self) -> None:
        self._vc[0] += 1

    def _check_inplace(self) -> None:
        if grad_mode.is_grad_enabled() and self.requires_grad:
            if self.grad_fn is None:
                raise RuntimeError(
                    "a leaf Variable that requires grad is being used in an in-place operation."
                )
            if self._base is not None and self._base.requires_grad and self._base.is_leaf:
                raise RuntimeError(
                    "a view of a leaf Variable that requires grad is being used in an in-place "
                    "operation."
                )

    def _write(self, data) -> None:
        """Store ``data`` into this tensor's memory (PyTorch's casting check)."""
        src = _dtype.from_np(data.dtype)
        if _dtype._category(src) > _dtype._category(self.dtype):
            from .tensor import _SCALAR_NAMES

            raise RuntimeError(
                f"result type {_SCALAR_NAMES.get(src.name, src.name)} can't be cast to the "
                f"desired output type {self._scalar_type_name()}"
            )
        if data is not self._data:
            if data.shape != self._data.shape:
                _check_output_shape(self.shape, data.shape)
            self._data[...] = data
        self._bump_version()

    def _rebase_inplace(self, compute) -> Tensor:
        """Run ``compute`` (an out-of-place op) and make its result this tensor's new value.

        With gradients involved, ``self`` is replaced in the graph by the op's output (its
        ``grad_fn`` becomes the op's node, whose input is a snapshot of the old ``self``).
        """
        self._check_inplace()
        if not grad_mode.is_grad_enabled():
            self._write(compute(self)._data)
            return self
        if not self._requires_grad:  # the common case: no graph unless an operand needs one
            result = compute(self)
            if not result.requires_grad:
                self._write(result._data)
                return self
        # The snapshot is a copy with its own version counter: the op may save it for
        # backward (x.mul_(y) needs the old x), and the write below must not clobber it.
        snapshot = Tensor._wrap(self._data.copy(), self._requires_grad)
        snapshot.grad_fn = self.grad_fn
        if self.grad_fn is None and self._requires_grad:
            snapshot._accumulator = self._accumulator
        result = compute(snapshot)
        if not result.requires_grad:
            self._write(result._data)
            return self
        if self._base is not None:
            raise RuntimeError(
                "minitorch does not support in-place operations with autograd on a view of "
                "another tensor (e.g. x[0].add_(y) or x[0][1] = y when gradients are needed). "
                "Index the base tensor directly (x[0, 1] = y) or use out-of-place ops."
            )
        self._write(result._data)
        self.grad_fn = result.grad_fn
        self._requires_grad = True
        return self

    def __setitem__(self, key, value) -> None:
        from .ops.indexing import setitem

        setitem(self, key, value)

    def zero_(self) -> Tensor:
        """Fill with zeros, in place."""
        return self.fill_(0)

    def fill_(self, value) -> Tensor:
        """Fill with ``value``, in place."""
        if isinstance(value, Tensor) and value.requires_grad:
            return self._rebase_inplace(lambda s: value.expand(s.shape) + s * 0)
        self._check_inplace()
        if isinstance(value, (int, float)) and self._data.dtype.kind in "iu":
            from ._creation import check_fits

            check_fits(np.asarray(value), self._data.dtype, "_t")
        self._data[...] = value._data if isinstance(value, Tensor) else value
        self._bump_version()
        return self

    def copy_(self, other: Tensor, non_blocking: bool = False) -> Tensor:
        """Copy ``other`` (broadcast, converted to this dtype/device) into this tensor."""
        src = other
        if not isinstance(src, Tensor):
            raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
        from .ops.shape import broadcast_shapes

        if broadcast_shapes(src.shape, self.shape) != self.shape:
            raise RuntimeError(
                f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                f"{list(broadcast_shapes(src.shape, self.shape))}"
            )
        if grad_mode.is_grad_enabled() and (src.requires_grad or self.requires_grad):
            return self._rebase_inplace(
                lambda s: src.to(s.dtype).to(s.device).expand(s.shape) + s * 0
            )
        self._data[...] = _backend.to_device(src._data, self.device)
        self._bump_version()
        return self

    def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator=None) -> Tensor:
        """Fill with samples from U(from, to), in place (PyTorch's stubs name the first
        parameter ``from_``: ``from`` is a Python keyword)."""
        from ._random import _gen

        self._check_inplace()
        draw = _gen(generator).random(self._data.shape)
        self._write_random(draw * (to - from_) + from_)
        return self

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
        """Fill with samples from N(mean, std^2), in place."""
        from ._random import _gen

        self._check_inplace()
        self._write_random(_gen(generator).normal(mean, std, self._data.shape))
        return self

    def _write_random(self, values) -> None:
        self._data[...] = _backend.to_device(values.astype(self._data.dtype), self.device)
        self._bump_version()


def _check_output_shape(out_shape, shape) -> None:
    """PyTorch's error when an in-place result does not fit the tensor it is written to."""
    from .ops.shape import broadcast_shapes

    try:
        full = broadcast_shapes(out_shape, shape)
    except RuntimeError:
        full = shape
    if tuple(full) != tuple(out_shape):
        raise RuntimeError(f"output with shape {list(out_shape)} doesn't match the broadcast "
                           f"shape {list(full)}")
