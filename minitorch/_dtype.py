"""Data types: minitorch's names for NumPy dtypes, and PyTorch's type-promotion rules."""

from __future__ import annotations

import numpy as np


class dtype:
    """A tensor element type, e.g. ``minitorch.float32``.

    Attributes
    ----------
    name : str
        PyTorch's name (``'float32'``).
    np : numpy.dtype
        The NumPy dtype used for storage.
    is_floating_point : bool
    """

    __slots__ = ("is_floating_point", "itemsize", "name", "np")

    def __init__(self, name: str, np_dtype) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.itemsize = self.np.itemsize

    def __repr__(self) -> str:
        return f"minitorch.{self.name}"

    def __reduce__(self):  # dtypes are singletons, compare by identity
        return (from_name, (self.name,))


float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
float16 = dtype("float16", np.float16)
int64 = dtype("int64", np.int64)
int32 = dtype("int32", np.int32)
int16 = dtype("int16", np.int16)
int8 = dtype("int8", np.int8)
uint8 = dtype("uint8", np.uint8)
bool_ = dtype("bool", np.bool_)

_ALL = (float32, float64, float16, int64, int32, int16, int8, uint8, bool_)
_BY_NP = {d.np: d for d in _ALL}
_BY_NUM = {d.np.num: d for d in _ALL}  # fast lookup for Tensor.dtype
_BY_NUM[np.dtype(np.longlong).num] = int64 if np.dtype(np.longlong).itemsize == 8 else int32
_BY_NUM[np.dtype(np.intc).num] = int32
_BY_NAME = {d.name: d for d in _ALL}

_default_float = float32


def from_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_np(np_dtype) -> dtype:
    """The minitorch dtype storing ``np_dtype`` (raises TypeError for unsupported ones)."""
    d = _BY_NUM.get(np_dtype.num) if isinstance(np_dtype, np.dtype) else None
    if d is None:
        d = _BY_NP.get(np.dtype(np_dtype))
    if d is None:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype)}. The only supported "
            "types are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        )
    return d


def get_default_dtype() -> dtype:
    """The dtype of tensors made from Python floats (``float32`` unless changed)."""
    return _default_float


def set_default_dtype(d: dtype) -> None:
    global _default_float
    if not isinstance(d, dtype):  # PyTorch takes only its dtypes here (not float, not str)
        raise TypeError("invalid dtype object: only floating-point types are supported as "
                        "the default type")
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_float = d


def canonical(d) -> dtype:
    """Accept ``minitorch.float32``, Python ``float``/``int``/``bool`` or a NumPy dtype.

    Python types map as in PyTorch: ``float`` -> float64 (not the default float dtype),
    ``int`` -> int64, ``bool`` -> bool. A dtype given as a string (``"float32"``) raises
    PyTorch's TypeError.
    """
    if isinstance(d, dtype):
        return d
    if isinstance(d, str):
        raise TypeError("argument 'dtype' must be minitorch.dtype, not str")
    if d is float:
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    try:
        return from_np(d)
    except TypeError:
        raise TypeError(f"expected a minitorch dtype, but got {d!r}") from None


def to_np(d) -> np.dtype:
    return canonical(d).np


# ---------------------------------------------------------------- type promotion
def _category(d: dtype) -> int:
    """0 for bool, 1 for integers, 2 for floating point."""
    if d is bool_:
        return 0
    return 2 if d.is_floating_point else 1


def _scalar_dtype(x) -> dtype:
    """Python (and NumPy) scalars: bool -> bool, int -> int64, float -> default float."""
    if isinstance(x, (bool, np.bool_)):
        return bool_
    if isinstance(x, (int, np.integer)):
        return int64
    if isinstance(x, (float, np.floating)):
        return _default_float
    raise TypeError(f"unsupported operand type: {type(x).__name__}")


def _promote_pair(a: dtype, b: dtype) -> dtype:
    """Two dtypes of one priority level: a higher category wins outright (int64 + float32 is
    float32, unlike NumPy's float64); within a category NumPy's widening rule applies."""
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    return from_np(np.promote_types(a.np, b.np))


def result_type(*operands) -> dtype:
    """PyTorch's type promotion for an op on ``operands`` (Tensors and Python scalars).

    Three priority levels: tensors with dimensions, zero-dimensional tensors, and Python
    scalars. The result is the promoted dtype of the highest-priority level whose category
    (bool < integer < floating) is not lower than any other operand's; a Python float
    meeting only integer tensors gives the default float dtype. So ``int_tensor + 1.5`` is
    float32, ``float32_tensor + float64_0d_tensor`` is float32, and ``float32 + float64``
    (both with dimensions) is float64.
    """
    levels: list[dtype | None] = [None, None, None]
    for x in operands:
        if hasattr(x, "_data"):
            d, lvl = x.dtype, (0 if x._data.ndim else 1)
        else:
            d, lvl = _scalar_dtype(x), 2
        levels[lvl] = d if levels[lvl] is None else _promote_pair(levels[lvl], d)
    top = max(_category(d) for d in levels if d is not None)
    for d in levels:
        if d is not None and _category(d) >= top:
            return d
    raise AssertionError("unreachable")
