"""PyTorch's legacy tensor API, still common in tutorials.

* The typed tensor classes ``FloatTensor``, ``DoubleTensor``, ``HalfTensor``,
  ``LongTensor``, ``IntTensor``, ``ShortTensor``, ``CharTensor``, ``ByteTensor`` and
  ``BoolTensor``: called with sizes (``FloatTensor(2, 3)``, uninitialised; minitorch fills
  with zeros) or with data (``LongTensor([1, 2])``), used as ``isinstance`` targets
  (``isinstance(x, FloatTensor)`` is true for a float32 CPU tensor) and as arguments of
  ``Tensor.type``; ``minitorch.cuda.FloatTensor`` ... are the same on the GPU.
* ``autograd.Variable(data, requires_grad=False, volatile=False)``: since PyTorch 0.4 a
  Variable *is* a Tensor; it returns a new leaf sharing ``data``'s memory, and every
  Tensor is an instance of ``Variable``.

All of them are thin classes whose ``__call__``/``__instancecheck__`` are defined by a
metaclass, so they are never instantiated themselves: what they return is a Tensor.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _backend, _dtype
from .tensor import Size, Tensor


class tensortype(type):
    """The metaclass of the typed tensor classes (PyTorch's ``torch.tensortype``)."""

    dtype: _dtype.dtype
    is_cuda: bool

    def __instancecheck__(cls, obj) -> bool:
        return (isinstance(obj, Tensor) and obj.dtype is cls.dtype
                and (obj.device.type == "cuda") == cls.is_cuda)

    def __call__(cls, *args, device=None) -> Tensor:
        """``FloatTensor(*sizes)``, ``FloatTensor(size)``, ``FloatTensor(data)``."""
        from ._creation import _finish, _infer_np, _size

        if device is None and cls.is_cuda:
            device = "cuda"
        if len(args) == 1 and not isinstance(args[0], (int, np.integer, Size)):
            data = args[0]
            if isinstance(data, Tensor):
                if data.dtype is not cls.dtype:
                    raise TypeError(
                        f"expected {cls.dtype} (got {data.dtype}): {cls.__name__}(tensor) "
                        "does not convert; use tensor.type(...) or tensor.to(...)"
                    )
                return data
            if not isinstance(data, (list, tuple, np.ndarray)):
                raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
            return _finish(_infer_np(data, cls.dtype), device, False)
        return _finish(np.zeros(_size(args) if args else (0,), cls.dtype.np), device, False)

    def __repr__(cls) -> str:
        return f"<class '{cls.__module__}.{cls.__name__}'>"


def _typed(name: str, dt: _dtype.dtype, cuda: bool = False) -> tensortype:
    where = "minitorch.cuda" if cuda else "minitorch"
    return tensortype(name, (), {"dtype": dt, "is_cuda": cuda, "__module__": where,
                                 "__doc__": f"Legacy constructor of {dt} tensors"
                                            + (" on the GPU." if cuda else ".")})


FloatTensor = _typed("FloatTensor", _dtype.float32)
DoubleTensor = _typed("DoubleTensor", _dtype.float64)
HalfTensor = _typed("HalfTensor", _dtype.float16)
LongTensor = _typed("LongTensor", _dtype.int64)
IntTensor = _typed("IntTensor", _dtype.int32)
ShortTensor = _typed("ShortTensor", _dtype.int16)
CharTensor = _typed("CharTensor", _dtype.int8)
ByteTensor = _typed("ByteTensor", _dtype.uint8)
BoolTensor = _typed("BoolTensor", _dtype.bool_)

_BY_NAME = {c.__name__: c for c in (FloatTensor, DoubleTensor, HalfTensor, LongTensor,
                                     IntTensor, ShortTensor, CharTensor, ByteTensor,
                                     BoolTensor)}
# minitorch.cuda.FloatTensor, ...: the same on the GPU (creating one needs CUDA)
CUDA_TYPES = {name: _typed(name, cls.dtype, cuda=True) for name, cls in _BY_NAME.items()}


def _parse_type(t) -> tuple[_dtype.dtype, bool | None]:
    """``(dtype, on_gpu)`` named by a ``Tensor.type`` argument: a typed tensor class, its
    name (``'torch.LongTensor'``, ``'minitorch.cuda.LongTensor'``) or a dtype (``on_gpu``
    None: the device stays)."""
    if isinstance(t, tensortype):
        return t.dtype, t.is_cuda
    if isinstance(t, str):
        module, _, name = t.rpartition(".")
        if module in ("torch", "minitorch", "torch.cuda", "minitorch.cuda") and (
                name in _BY_NAME):
            return _BY_NAME[name].dtype, module.endswith("cuda")
        raise ValueError(f"invalid type: '{t}'")
    if isinstance(t, _dtype.dtype):
        return t, None
    raise ValueError(f"invalid type: '{getattr(t, '__name__', t)}'")


def tensor_type(self: Tensor, dtype=None, non_blocking: bool = False):
    """With no argument, the type's name (``'minitorch.FloatTensor'``); otherwise this
    tensor converted to the type given as a typed class, its name or a dtype (``self``
    itself when it already has that type)."""
    if dtype is None:
        return self._type_name()
    dt, on_gpu = _parse_type(dtype)
    if on_gpu is None or on_gpu == (self.device.type == "cuda"):
        return self.to(dt)
    return self.to("cuda" if on_gpu else "cpu", dt)



def tensor_init(self: Tensor, args: tuple, dtype, device) -> None:
    """``Tensor(data)`` / ``Tensor(*sizes)``: PyTorch's legacy constructor (default dtype)."""
    dt = _dtype.get_default_dtype() if dtype is None else _dtype.canonical(dtype)
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        data = np.array(args[0]._data if isinstance(args[0], Tensor) else args[0], dt.np)
    else:
        shape = args[0] if len(args) == 1 and isinstance(args[0], tuple) else args
        data = np.empty(tuple(int(s) for s in shape), dt.np)
    self._init(_backend.to_device(data, _backend.canonical_device(device)), False)


class _VariableMeta(type):
    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False, volatile=False)``: a new leaf Tensor sharing
    ``data``'s memory (Variables and Tensors merged in PyTorch 0.4)."""

    def __new__(cls, data: Tensor, requires_grad: bool = False, volatile: bool = False):
        if volatile:
            warnings.warn(
                "volatile was removed and now has no effect. Use `with torch.no_grad():` "
                "instead.", UserWarning, stacklevel=2,
            )
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = Tensor._wrap(data._data)
        out.requires_grad = requires_grad
        return out
