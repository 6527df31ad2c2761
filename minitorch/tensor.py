"""``Tensor``: an n-dimensional array that remembers how it was computed.

A Tensor holds

* ``_data`` — the raw array (NumPy on the CPU, CuPy on a GPU);
* ``requires_grad`` — whether gradients should flow to it;
* ``grad_fn`` — the graph node (a ``Function``'s record) that produced it, or ``None``
  for a *leaf* created by the user;
* ``grad`` — for leaves, the accumulated gradient after ``backward()``;
* ``_vc`` — a version counter shared with its views, bumped by every in-place change, so
  autograd can tell when a value it saved was overwritten.

Arithmetic, reductions and shape methods are the functions of ``minitorch.ops`` bound as
methods at the bottom of this file (``x.exp()`` is ``minitorch.exp(x)``).
"""

from __future__ import annotations

import numpy as np

from . import _backend, _dtype
from .autograd import engine as _engine
from .autograd import function as _function
from .autograd import grad_mode


class Size(tuple):
    """A tensor's shape: a tuple of ints, printed like PyTorch's ``torch.Size``."""

    def __repr__(self) -> str:
        return f"minitorch.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class Tensor:
    """A multi-dimensional array with reverse-mode automatic differentiation.

    Create tensors with :func:`minitorch.tensor`, :func:`minitorch.zeros`, ... .  The
    constructor ``Tensor(data)`` / ``Tensor(*sizes)`` mirrors PyTorch's legacy
    ``torch.Tensor`` (always float32).
    """

    __slots__ = (
        "__dict__",
        "__weakref__",
        "_accumulator",
        "_base",
        "_data",
        "_grad",
        "_hooks",
        "_requires_grad",
        "_retains_grad",
        "_vc",
        "grad_fn",
    )
    __array_ufunc__ = None  # make NumPy defer to our reflected operators (np_scalar * t)

    def __init__(self, *args, dtype=None, device=None) -> None:
        dt = _dtype.get_default_dtype() if dtype is None else _dtype.canonical(dtype)
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            data = np.array(args[0]._data if isinstance(args[0], Tensor) else args[0], dt.np)
        else:
            shape = args[0] if len(args) == 1 and isinstance(args[0], tuple) else args
            data = np.empty(tuple(int(s) for s in shape), dt.np)
        self._init(_backend.to_device(data, _backend.canonical_device(device)), False)

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
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

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

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and not self.dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(value)

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by ``backward()`` (leaves, and tensors that retain it)."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        """Assign a gradient: ``None``, or a tensor with this tensor's shape, dtype, device."""
        if value is not None:
            _check_grad(self, value)
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

    @property
    def _version(self) -> int:
        return self._vc[0]

    def _bump_version(self) -> None:
        self._vc[0] += 1

    @property
    def T(self) -> Tensor:
        return self.permute(tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        return self.transpose(-2, -1)

    def _scalar_type_name(self) -> str:
        return _SCALAR_NAMES.get(self.dtype.name, self.dtype.name)

    def _type_name(self) -> str:
        where = "minitorch.cuda" if self.device.type == "cuda" else "minitorch"
        return f"{where}.{self._scalar_type_name()}Tensor"

    def type(self, dtype=None, non_blocking: bool = False):
        """The type's name, or a converted tensor (see :func:`minitorch._legacy.tensor_type`)."""
        from ._legacy import tensor_type

        return tensor_type(self, dtype, non_blocking)

    # ------------------------------------------------------------- conversions
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
                from .ops.elementwise import ToDtype

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

    # ---------------------------------------------------------------- autograd
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see ``autograd.backward``)."""
        _engine.backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory and the version counter)."""
        t = Tensor._wrap(self._data)
        t._vc = self._vc
        return t

    def detach_(self) -> Tensor:
        if self._base is not None and self._base.requires_grad:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead."
            )
        self.grad_fn = None
        self._requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        import weakref

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
        return _function._RemovableHandle(self._hooks, hook)

    def _grad_accumulator_node(self):
        return _function._accumulator(self)

    # ----------------------------------------------------------- in-place ops
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

    def __getitem__(self, key) -> Tensor:
        from .ops.indexing import getitem

        return getitem(self, key)

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


def _check_grad(t: Tensor, g) -> None:
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


_function.Tensor = Tensor
_engine.Tensor = Tensor
