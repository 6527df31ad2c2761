"""``Tensor``: an n-dimensional array that remembers how it was computed.

A Tensor holds

* ``_data`` — the raw array (NumPy on the CPU, CuPy on a GPU);
* ``requires_grad`` — whether gradients should flow to it;
* ``grad_fn`` — the graph node (a ``Function``'s record) that produced it, or ``None``
  for a *leaf* created by the user;
* ``grad`` — for leaves, the accumulated gradient after ``backward()``;
* ``_vc`` — a version counter shared with its views, bumped by every in-place change, so
  autograd can tell when a value it saved was overwritten.

This file holds what a Tensor *is*: its fields, its metadata, and its part in autograd
(``backward``, ``detach``, ``requires_grad``, ``grad``). Its other methods live in files
named for what they do:

* ``_tensor_methods.py`` — arithmetic, reductions, shape and indexing methods and the
  operators: the functions of ``minitorch.ops`` bound as methods (``x.exp()`` is
  ``minitorch.exp(x)``, ``x + y`` is ``minitorch.add(x, y)``), and every ``x.op_()``;
* ``_tensor_inplace.py`` — version counters, checked writes, and how an in-place op is
  rebased onto the graph (base class ``TensorInPlace``);
* ``_tensor_hooks.py`` — ``register_hook``, ``retain_grad``, the checks on ``t.grad = g``
  (base class ``TensorHooks``);
* ``_tensor_conversions.py`` — ``item``, ``tolist``, ``numpy``, ``to``, ``float``, ``cpu``,
  ``cuda``, copying and printing, and the low-level metadata (``stride``, ``data_ptr``,
  ``is_contiguous``, ...) (base class ``TensorConversions``);
* ``_legacy.py`` — what the legacy constructor ``Tensor(data)`` / ``Tensor(*sizes)`` does.
"""

from __future__ import annotations

from . import _backend, _dtype, _tensor_conversions, _tensor_hooks, _tensor_inplace
from ._tensor_conversions import (  # noqa: F401  (re-exported: old import paths)
    _C_NAMES,
    _SCALAR_NAMES,
    TensorConversions,
    ToDevice,
    parse_to_args,
)
from ._tensor_hooks import TensorHooks, check_grad, check_requires_grad
from ._tensor_inplace import TensorInPlace, _check_output_shape  # noqa: F401
from .autograd import engine as _engine
from .autograd import engine_api as _engine_api
from .autograd import function as _function
from .autograd import hooks as _hooks


class Size(tuple):
    """A tensor's shape: a tuple of ints, printed like PyTorch's ``torch.Size``."""

    def __repr__(self) -> str:
        return f"minitorch.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class Tensor(TensorConversions, TensorInPlace, TensorHooks):
    """A multi-dimensional array with reverse-mode automatic differentiation.

    Create tensors with :func:`minitorch.tensor`, :func:`minitorch.zeros`, ... .  The
    constructor ``Tensor(data)`` / ``Tensor(*sizes)`` mirrors PyTorch's legacy
    ``torch.Tensor`` (always float32).
    """

    __slots__ = (
        "__dict__", "__weakref__", "_accumulator", "_base", "_data", "_grad", "_hooks",
        "_requires_grad", "_retains_grad", "_vc", "grad_fn",
    )
    __array_ufunc__ = None  # make NumPy defer to our reflected operators (np_scalar * t)

    def __init__(self, *args, dtype=None, device=None) -> None:
        from ._legacy import tensor_init  # the legacy constructor: dtype/shape parsing

        tensor_init(self, args, dtype, device)

    def _init(self, data, requires_grad: bool) -> None:
        """Set every field: the array, and an empty autograd record (a new leaf)."""
        self._data = data
        self._requires_grad = requires_grad
        self._grad = None
        self.grad_fn = None
        self._vc = [0]
        self._accumulator = None
        self._hooks = None
        self._retains_grad = False
        self._base = None

    @classmethod
    def _wrap(cls, data, requires_grad: bool = False) -> Tensor:
        """Wrap a raw array without copying (internal constructor)."""
        t = object.__new__(cls)
        t._init(data, requires_grad)
        return t

    # ------------------------------------------------------------------ metadata
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape (a :class:`Size`), or the length of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        from ._utils import normalize_dim

        return self._data.shape[normalize_dim(dim, self.ndim)] if self.ndim else 1

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype.from_np(self._data.dtype)

    @property
    def device(self) -> _backend.device:
        return _backend.device_of(self._data)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        check_requires_grad(self, value)
        self._requires_grad = bool(value)

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by ``backward()`` (leaves, and tensors that retain it)."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        """Assign a gradient: ``None``, or a tensor with this tensor's shape, dtype, device."""
        if value is not None:
            check_grad(self, value)
        self._grad = value

    @property
    def is_leaf(self) -> bool:
        """True for tensors the user created (not the result of a recorded op)."""
        return self.grad_fn is None

    @property
    def data(self) -> Tensor:
        """The same values, detached from the graph (shares memory, not the version)."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    # ---------------------------------------------------------------- autograd
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see ``autograd.backward``)."""
        _engine_api.backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory and the version counter)."""
        t = Tensor._wrap(self._data)
        t._vc = self._vc
        return t

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    def __getitem__(self, key) -> Tensor:
        from .ops.indexing import getitem

        return getitem(self, key)


_function.Tensor = Tensor
_tensor_conversions.Tensor = _tensor_hooks.Tensor = _tensor_inplace.Tensor = Tensor
_engine.Tensor = _engine_api.Tensor = _hooks.Tensor = Tensor
