r"""The elementwise functions users call (``minitorch.add``, ``Tensor.exp``, ...).

Each one checks its arguments the way PyTorch does, applies PyTorch's type promotion,
handles ``out=``, and then calls one Function of :mod:`minitorch.ops.elementwise`, where
the op and its gradient are defined.
"""

from __future__ import annotations

import numpy as np

from .._backend import get_array_module
from ..autograd.function import ArrayFunction
from ..tensor import _SCALAR_NAMES, Tensor
from ._util import _check_broadcast, promote, write_out
from .comparison import (
    BitwiseAnd,
    BitwiseOr,
    BitwiseXor,
    Eq,
    Ge,
    Gt,
    Le,
    LogicalNot,
    Lt,
    Ne,
)
from .elementwise import (
    Add,
    Cos,
    Div,
    Exp,
    Log,
    Mul,
    Neg,
    Pow,
    Relu,
    Sigmoid,
    Sin,
    Sqrt,
    Sub,
    Tanh,
    Where,
)
from .elementwise_more import (
    Abs,
    Clamp,
    FloorDivide,
    Fmod,
    Log1p,
    Maximum,
    Minimum,
    NanToNum,
    Remainder,
    Round,
    Rsqrt,
    Sign,
    _check_int_divisor,
)


def _compare_fn(cls, op_name: str):
    def compare(input, other, *, out=None):
        if isinstance(input, Tensor) and isinstance(other, Tensor) and input.dtype is other.dtype:
            return write_out(cls.apply(input, other), out, op_name.lower())
        a, b = promote(input, other)
        return write_out(cls.apply(a, b), out, op_name.lower())

    compare.__name__ = op_name.lower()
    compare.__doc__ = f"Elementwise ``input {cls.op} other`` as a bool tensor."
    return compare


eq, ne, lt = _compare_fn(Eq, "Eq"), _compare_fn(Ne, "Ne"), _compare_fn(Lt, "Lt")
le, gt, ge = _compare_fn(Le, "Le"), _compare_fn(Gt, "Gt"), _compare_fn(Ge, "Ge")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


_WEAK = (float, int)


def _binary(fn: type[ArrayFunction], input, other):
    """Apply a binary op after PyTorch's type promotion (with fast paths for common cases)."""
    if isinstance(input, Tensor):
        if isinstance(other, Tensor):
            a, b = input._data.dtype, other._data.dtype
            if a is b or (b.kind == "b" and a.kind == "f") or (a.kind == "b" and b.kind == "f"):
                return fn.apply(input, other)  # same dtype, or float with bool: NumPy agrees
        elif type(other) in _WEAK and input._data.dtype.kind == "f":
            return fn.apply(input, other)  # NumPy keeps a float tensor's dtype for Python scalars
    elif type(input) in _WEAK and isinstance(other, Tensor) and other._data.dtype.kind == "f":
        return fn.apply(input, other)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{fn.__name__.lower()}(): argument 'input' must be Tensor")
    a, b = promote(input, other)
    return fn.apply(a, b)


def add(input, other, *, alpha=1, out=None) -> Tensor:
    r"""``input + alpha * other``, broadcasting like NumPy/PyTorch."""
    if alpha != 1:
        other = other * alpha
    return write_out(_binary(Add, input, other), out, "add")


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    r"""``input - alpha * other``."""
    if alpha != 1:
        other = other * alpha
    return write_out(_binary(Sub, input, other), out, "sub")


subtract = sub


def mul(input, other, *, out=None) -> Tensor:
    r"""Elementwise product ``input * other``."""
    return write_out(_binary(Mul, input, other), out, "mul")


multiply = mul


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    r"""``input / other``; integer inputs give the default float dtype (true division).

    ``rounding_mode='floor'`` or ``'trunc'`` round the quotient like PyTorch.
    """
    if rounding_mode == "floor":
        return floor_divide(input, other, out=out)
    if rounding_mode == "trunc":
        if isinstance(input, Tensor) and not input.dtype.is_floating_point:
            _check_int_divisor(input._data, other._data if isinstance(other, Tensor)
                               else np.asarray(other))
        q = _binary(Div, _as_float(input), _as_float(other)).trunc()
        dt = promote(input, other)
        q = q if isinstance(dt[0], Tensor) and dt[0].dtype.is_floating_point else q.to(
            _int_result(input, other)
        )
        return write_out(q, out, "div")
    if rounding_mode is not None:
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    return write_out(_binary(Div, _as_float(input), _as_float(other)), out, "div")


divide = true_divide = div


def _int_result(a, b):
    from .. import _dtype

    return _dtype.result_type(a, b)


def _as_float(x):
    """True division promotes integers to the default float dtype."""
    if isinstance(x, Tensor) and not x.dtype.is_floating_point:
        from .._dtype import get_default_dtype

        return x.to(get_default_dtype())
    return x


def floor_divide(input, other, *, out=None) -> Tensor:
    r"""``floor(input / other)``, elementwise (Python's ``//``)."""
    return write_out(_binary(FloorDivide, input, other), out, "floor_divide")


def remainder(input, other, *, out=None) -> Tensor:
    r"""Python-style remainder: the result has the sign of ``other``."""
    return write_out(_binary(Remainder, input, other), out, "remainder")


def fmod(input, other, *, out=None) -> Tensor:
    r"""C-style remainder: the result has the sign of ``input``."""
    return write_out(_binary(Fmod, input, other), out, "fmod")


def pow(input, exponent, *, out=None) -> Tensor:
    r"""``input ** exponent`` with either argument a Tensor or a scalar."""
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        # A scalar exponent does not change an integer tensor's dtype unless it is a float.
        a, b = promote(input, exponent)
        return write_out(Pow.apply(a, b), out, "pow")
    return write_out(_binary(Pow, input, exponent), out, "pow")


def maximum(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    r"""Elementwise maximum of two tensors."""
    return write_out(_binary(Maximum, input, other), out, "maximum")


def minimum(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    r"""Elementwise minimum of two tensors."""
    return write_out(_binary(Minimum, input, other), out, "minimum")


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    r"""Elementwise :math:`|x - y| \le \text{atol} + \text{rtol}\,|y|` as a bool tensor
    (equal infinities are close; NaNs only with ``equal_nan``). Records no gradient."""
    if input.dtype != other.dtype:
        raise RuntimeError(
            f"{_SCALAR_NAMES[input.dtype.name]} did not match {_SCALAR_NAMES[other.dtype.name]}"
        )
    _check_broadcast((input, other))
    xp = get_array_module(input._data)
    return Tensor._wrap(xp.isclose(input._data, other._data, rtol=rtol, atol=atol,
                                   equal_nan=equal_nan))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True when every element pair is :func:`isclose` (a Python bool, as in PyTorch)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def lerp(input: Tensor, end: Tensor, weight, *, out=None) -> Tensor:
    r"""Linear interpolation :math:`\text{input} + w\,(\text{end} - \text{input})`.

    Computed as PyTorch does, from whichever end is nearer: where :math:`|w| < 1/2` as
    written, else as :math:`\text{end} - (\text{end} - \text{input})(1 - w)`, which is
    exact at :math:`w = 1` (and gives the same inf/NaN as PyTorch's). A composition, so
    the gradients are those of the two formulas (``where`` routes each element's).
    """
    if isinstance(end, Tensor) and input.shape != end.shape:
        _check_broadcast((input, end))  # PyTorch's error names input as a, end as b
    diff = end - input
    if isinstance(weight, Tensor):
        result = where(weight.abs() < 0.5, input + weight * diff, end - diff * (1 - weight))
    else:
        result = input + weight * diff if abs(weight) < 0.5 else end - diff * (1 - weight)
    return write_out(result, out, "lerp")


def where(condition: Tensor, input=None, other=None) -> Tensor:
    r"""``input`` where ``condition`` is True, else ``other`` (tensors or scalars)."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if not isinstance(condition, Tensor) or condition.dtype.name != "bool":
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{getattr(condition, 'dtype', type(condition).__name__)}"
        )
    x, y = promote(input, other)
    return Where.apply(condition, x, y)


def _unary(fn, name):
    def op(input: Tensor, *, out=None) -> Tensor:
        if fn not in (Neg, Abs, Sign, Round) and not input.dtype.is_floating_point:
            input = _as_float(input)
        return write_out(fn.apply(input), out, name)

    op.__name__ = name
    op.__doc__ = fn.__doc__
    return op


neg = negative = _unary(Neg, "neg")
abs = absolute = _unary(Abs, "abs")
sign = _unary(Sign, "sign")
exp = _unary(Exp, "exp")
log = _unary(Log, "log")
log1p = _unary(Log1p, "log1p")
sqrt = _unary(Sqrt, "sqrt")
rsqrt = _unary(Rsqrt, "rsqrt")
sin = _unary(Sin, "sin")
cos = _unary(Cos, "cos")
tanh = _unary(Tanh, "tanh")
sigmoid = _unary(Sigmoid, "sigmoid")


def relu(input: Tensor) -> Tensor:
    r"""Rectified linear unit, :math:`\max(x, 0)`."""
    return Relu.apply(input)


def _rounding(how):
    def op(input: Tensor, *, out=None) -> Tensor:
        if not input.dtype.is_floating_point:
            return write_out(input.clone(), out, how)
        return write_out(Round.apply(input, how), out, how)

    op.__name__ = how
    op.__doc__ = f"Elementwise ``{how}``; its gradient is zero."
    return op


floor = _rounding("floor")
ceil = _rounding("ceil")
round = _rounding("round")
trunc = _rounding("trunc")


def square(input: Tensor) -> Tensor:
    r""":math:`x^2`."""
    return input * input


def reciprocal(input: Tensor) -> Tensor:
    r""":math:`1/x`."""
    return 1 / _as_float(input)


def clamp(input: Tensor, min=None, max=None, *, out=None) -> Tensor:
    r"""Clamp every element into ``[min, max]``; ``min``/``max`` may be scalars or tensors."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        r = input
        if min is not None:
            r = maximum(r, min if isinstance(min, Tensor) else r.new_tensor(min))
        if max is not None:
            r = minimum(r, max if isinstance(max, Tensor) else r.new_tensor(max))
        return write_out(r, out, "clamp")
    if input.dtype.is_floating_point or all(
        isinstance(v, (int, type(None))) for v in (min, max)
    ):
        t = input
    else:
        t = _as_float(input)
    cast = t.dtype.np.type
    lo = None if min is None else cast(min)
    hi = None if max is None else cast(max)
    return write_out(Clamp.apply(t, lo, hi), out, "clamp")


clip = clamp


def logical_not(input: Tensor) -> Tensor:
    """Elementwise NOT as a bool tensor."""
    return LogicalNot.apply(input.bool())


def logical_and(input: Tensor, other: Tensor) -> Tensor:
    return BitwiseAnd.apply(input.bool(), other.bool())


def logical_or(input: Tensor, other: Tensor) -> Tensor:
    return BitwiseOr.apply(input.bool(), other.bool())


def bitwise_and(input, other):
    return _binary(BitwiseAnd, input, other)


def bitwise_or(input, other):
    return _binary(BitwiseOr, input, other)


def bitwise_xor(input, other):
    return _binary(BitwiseXor, input, other)


def bitwise_not(input: Tensor) -> Tensor:
    return LogicalNot.apply(input)


def _finite_test(np_name: str, doc: str):
    def fn(input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"{np_name}(): argument 'input' (position 1) must be Tensor, "
                            f"not {type(input).__name__}")
        xp = get_array_module(input._data)
        return Tensor._wrap(xp.asarray(getattr(xp, np_name)(input._data)))

    fn.__name__ = fn.__qualname__ = np_name
    fn.__doc__ = doc
    return fn


isnan = _finite_test("isnan", "True where ``input`` is NaN (a bool tensor).")
isinf = _finite_test("isinf", "True where ``input`` is +inf or -inf (a bool tensor).")
isfinite = _finite_test("isfinite", "True where ``input`` is neither NaN nor infinite.")




def nan_to_num(input: Tensor, nan: float | None = None, posinf=None, neginf=None, *,
               out=None) -> Tensor:
    r"""Replace NaN by ``nan`` (None: 0.0), +inf by ``posinf`` and -inf by ``neginf`` (None:
    the largest and smallest finite values of ``input``'s dtype)."""
    for name, v in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
        if v is not None and not isinstance(v, (int, float, np.number)):
            raise TypeError(f"nan_to_num(): argument '{name}' must be float, not "
                            f"{type(v).__name__}")
    if nan is None:
        nan = 0.0
    return write_out(NanToNum.apply(input, nan, posinf, neginf), out, "nan_to_num")
