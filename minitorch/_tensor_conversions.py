"""Tensor methods that convert: to Python numbers and lists, to NumPy, between dtypes and
devices, and the copy/print/pickle protocols; plus the low-level metadata (``stride``,
``data_ptr``, ``element_size``, ``is_contiguous``, type names) and PyTorch's dtype-name
tables used in error messages.

:class:`TensorConversions` is a base class of :class:`minitorch.Tensor`; nothing here
takes part in autograd except ``to()``, whose device copy is the Function ``ToDevice``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _backend, _dtype
from .autograd import function as _function

Tensor: Any = None  # set by minitorch.tensor (an import cycle otherwise)


class TensorConversions:
    """Conversion methods of :class:`minitorch.Tensor` (a mixin: it has no state)."""

    __slots__ = ()

    def type(self, dtype=None, non_blocking: bool = False):
        """The type's name, or a converted tensor (see :func:`minitorch._legacy.tensor_type`)."""
        from ._legacy import tensor_type

        return tensor_type(self, dtype, non_blocking)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self):
        """The values as (nested) Python lists of numbers."""
        return _backend.to_device(self._data, _backend.CPU).tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The NumPy array behind this tensor (shared memory, not a copy)."""
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        if self.device.type != "cpu":
            if not force:
                raise TypeError(
                    f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() "
                    "to copy the tensor to host memory first."
                )
            return _backend.to_device(self._data, _backend.CPU)
        return self._data

    def __array__(self, dtype=None, copy=None):
        """``np.asarray(t)``: PyTorch's rules, so a tensor that requires grad or lives on
        the GPU raises the same error as ``t.numpy()``."""
        arr = self.numpy()
        return arr if dtype is None else arr.astype(dtype)

    def _single(self, kind: str):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __int__(self) -> int:
        return int(self._single("int"))

    def __float__(self) -> float:
        return float(self._single("float"))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
                if self._data.size
                else "Boolean value of Tensor with no values is ambiguous"
            )
        return bool(self.item())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self) -> int:
        return id(self)

    def __format__(self, spec: str) -> str:
        if self.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self) -> str:
        from ._tensor_str import tensor_repr

        return tensor_repr(self)

    def __deepcopy__(self, memo) -> Tensor:
        """A copy with its own memory (``copy.deepcopy``), for leaf tensors like PyTorch."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment."
            )
        if id(self) in memo:
            return memo[id(self)]
        import copy

        new = Tensor._wrap(self._data.copy(), self._requires_grad)
        memo[id(self)] = new
        if self.grad is not None:
            new.grad = copy.deepcopy(self.grad, memo)
        return new

    def __copy__(self) -> Tensor:
        """``copy.copy``: a new tensor *sharing* this one's memory, like PyTorch's.

        It keeps ``requires_grad`` but starts a new graph leaf (no ``grad_fn``, no
        ``.grad``). matplotlib copies the arrays it plots this way, so
        ``plt.plot(x, y)`` works with tensors.
        """
        return Tensor._wrap(self._data.view(), self._requires_grad)

    def __reduce_ex__(self, proto):
        raise TypeError(
            "minitorch tensors are not picklable on purpose: use minitorch.save/minitorch.load"
        )

    def to(self, *args, **kwargs) -> Tensor:
        """Convert to a dtype and/or device: ``to(dtype)``, ``to(device)``, ``to(other)``."""
        copy = kwargs.pop("copy", False)
        dtype, device = parse_to_args(args, kwargs)
        out = self
        if device is not None:
            dev = _backend.canonical_device(device)
            if dev != self.device:
                out = ToDevice.apply(out, dev)
        if dtype is not None:
            dt = _dtype.canonical(dtype)
            if dt is not out.dtype:
                from .ops.elementwise_more import ToDtype

                out = ToDtype.apply(out, dt.np)
        if copy and out is self:
            out = self.clone()
        return out

    def float(self) -> Tensor:
        return self.to(_dtype.float32)

    def double(self) -> Tensor:
        return self.to(_dtype.float64)

    def half(self) -> Tensor:
        return self.to(_dtype.float16)

    def long(self) -> Tensor:
        return self.to(_dtype.int64)

    def int(self) -> Tensor:
        return self.to(_dtype.int32)

    def bool(self) -> Tensor:
        return self.to(_dtype.bool_)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device=None, non_blocking: bool = False) -> Tensor:
        return self.to(_backend.device("cuda", device if isinstance(device, int) else None)
                       if not isinstance(device, (str, _backend.device)) else device)

    # ------------------------------------------------ metadata beyond shape/dtype/device
    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[dim]

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0] if self.device.type == "cpu" else int(
            self._data.data.ptr
        )

    def _scalar_type_name(self) -> str:
        return _SCALAR_NAMES.get(self.dtype.name, self.dtype.name)

    def _type_name(self) -> str:
        where = "minitorch.cuda" if self.device.type == "cuda" else "minitorch"
        return f"{where}.{self._scalar_type_name()}Tensor"

    @staticmethod
    def _check_same_device(args) -> None:
        if _backend._cupy is None:
            return
        devs = {a.device for a in args if isinstance(a, Tensor)}
        if len(devs) > 1:
            a, b = sorted(str(d) for d in devs)[::-1][:2]
            raise RuntimeError(
                "Expected all tensors to be on the same device, but found at least two devices, "
                f"{a} and {b}!"
            )


def parse_to_args(args, kwargs) -> tuple:
    """The ``(dtype, device)`` asked for by ``.to(...)`` on a Tensor or a Module:
    ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(tensor)``, or keywords."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, (str, int, _backend.device)) and not isinstance(a, bool):
            device = a
        elif a is not None:
            dtype = a
    return dtype, device


class ToDevice(_function.ArrayFunction):
    r"""Copy to another device; the gradient is copied back to the input's device."""

    @staticmethod
    def forward(ctx: _function.Node, x: _function.Array, dev) -> _function.Array:
        ctx.src = _backend.device_of(x)
        return _backend.to_device(x, dev)

    @staticmethod
    def backward(ctx: _function.Node, grad: Tensor) -> _function.Grads:
        return grad.to(ctx.src), None


_SCALAR_NAMES = {
    "float32": "Float",
    "float64": "Double",
    "float16": "Half",
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
}


_C_NAMES = {"float64": "double", "float32": "float", "float16": "c10::Half",
            "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool"}
