r"""Elementwise operations: arithmetic, unary math, comparisons and ``where``.

Each gradient is written with Tensor operations, so differentiating it again
(``create_graph=True``) simply records more graph.  Broadcasting is *not* undone here:
the engine sums each returned gradient down to its input's shape.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._backend import get_array_module
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..tensor import _SCALAR_NAMES, Tensor
from ._util import promote, write_out


class _Broadcasting(ArrayFunction):
    """An ArrayFunction that turns NumPy's broadcasting ValueError into PyTorch's error."""

    @classmethod
    def apply(cls, *args, **kwargs):
        try:
            return super().apply(*args, **kwargs)
        except ValueError:  # NumPy's broadcasting error: raise PyTorch's clearer one instead
            _check_broadcast(args)
            raise


def _check_broadcast(args) -> None:
    """Raise PyTorch's RuntimeError naming the first pair of sizes that do not broadcast."""
    shapes = [a.shape for a in args if isinstance(a, Tensor)]
    for i, sa in enumerate(shapes):
        for sb in shapes[i + 1 :]:
            n = max(len(sa), len(sb))
            for k in range(1, min(len(sa), len(sb)) + 1):
                if sa[-k] != sb[-k] and sa[-k] != 1 and sb[-k] != 1:
                    raise RuntimeError(
                        f"The size of tensor a ({sa[-k]}) must match the size of tensor b "
                        f"({sb[-k]}) at non-singleton dimension {n - k}"
                    ) from None


# ----------------------------------------------------------------- binary arithmetic
class Add(_Broadcasting):
    r""":math:`z = x + y`; :math:`\partial z/\partial x = \partial z/\partial y = 1`."""

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        return x + y

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad, grad


class Sub(_Broadcasting):
    r""":math:`z = x - y`; the gradient is :math:`(g, -g)`."""

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        return x - y

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Mul(_Broadcasting):
    r""":math:`z = x y`; :math:`\partial z/\partial x = y`, :math:`\partial z/\partial y = x`.

    Only the input needed for the *other* gradient is saved.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        nx, ny = ctx.needs_input_grad
        ctx.save_for_backward(y if nx else None, x if ny else None)
        return x * y

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        y, x = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        return (grad * y if nx else None), (grad * x if ny else None)


class Div(_Broadcasting):
    r""":math:`z = x / y`; :math:`\partial z/\partial x = 1/y`,
    :math:`\partial z/\partial y = -x/y^2`."""

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y)
        return x / y

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        gx = grad / y if nx else None
        gy = -grad * x / (y * y) if ny else None
        return gx, gy


class Pow(_Broadcasting):
    r""":math:`z = x^y`.

    :math:`\partial z/\partial x = y x^{y-1}` and :math:`\partial z/\partial y = z \ln x`,
    taken as 0 where :math:`x = 0, y \ge 0` (PyTorch's convention, avoiding ``0 * -inf``).
    For an exponent of 0 the gradient with respect to ``x`` is 0.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        try:
            out = x**y
        except ValueError as e:  # NumPy: "Integers to negative integer powers are not allowed."
            if "Integers" not in str(e):
                raise
            raise RuntimeError(str(e)) from None
        ctx.save_for_backward(x, y, out if ctx.needs_input_grad[1] else None)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y, out = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        gx = gy = None
        if nx:
            if isinstance(y, Tensor):
                gx = where(y == 0, 0.0, grad * y * x ** (y - 1))
            else:
                gx = grad * 0.0 if y == 0 else grad * y * x ** (y - 1)
        if ny:
            xt = x if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x))
            gy = where((xt == 0) & (y >= 0), 0.0, grad * out * xt.log())
        return gx, gy


class Maximum(_Broadcasting):
    r""":math:`z = \max(x, y)`; :math:`\partial L/\partial x = g\,([x > y] + \tfrac12[x = y])`,
    and symmetrically for :math:`y` (the larger input gets :math:`g`; ties split it)."""

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        ctx.save_for_backward(x, y)
        return get_array_module(x).maximum(x, y)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y = ctx.saved_tensors
        share = (x > y).to(grad.dtype) + 0.5 * (x == y).to(grad.dtype)
        return grad * share, grad * (1 - share)


class Minimum(_Broadcasting):
    r""":math:`z = \min(x, y)`; :math:`\partial L/\partial x = g\,([x < y] + \tfrac12[x = y])`,
    and symmetrically for :math:`y` (the smaller input gets :math:`g`; ties split it)."""

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        ctx.save_for_backward(x, y)
        return get_array_module(x).minimum(x, y)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y = ctx.saved_tensors
        share = (x < y).to(grad.dtype) + 0.5 * (x == y).to(grad.dtype)
        return grad * share, grad * (1 - share)


class Remainder(_Broadcasting):
    r""":math:`z = x - \lfloor x/y \rfloor y` (sign of the divisor, like Python's ``%``).

    :math:`\partial z/\partial x = 1`, :math:`\partial z/\partial y = -\lfloor x/y \rfloor`.
    """

    kernel, rounding = "remainder", "floor"  # the NumPy function; how x/y is rounded

    @classmethod
    def forward(cls, ctx: Node, x: Array, y: Array) -> Array:
        _check_int_divisor(x, y)
        ctx.save_for_backward(x, y)
        return getattr(get_array_module(x), cls.kernel)(x, y)

    @classmethod
    def backward(cls, ctx: Node, grad: Tensor) -> Grads:
        x, y = ctx.saved_tensors
        gy = -grad * getattr(x / y, cls.rounding)() if ctx.needs_input_grad[1] else None
        return grad, gy


class FloorDivide(_Broadcasting):
    r""":math:`z = \lfloor x / y \rfloor`: piecewise constant, so the gradient is zero."""

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        _check_int_divisor(x, y)
        return get_array_module(x).floor_divide(x, y)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad * 0, grad * 0


class Fmod(Remainder):
    r""":math:`z = x - \operatorname{trunc}(x/y)\, y` (sign of the dividend, like C's ``fmod``).

    :math:`\partial z/\partial x = 1`, :math:`\partial z/\partial y =
    -\operatorname{trunc}(x/y)`. Integer inputs give an integer result.
    """

    kernel, rounding = "fmod", "trunc"


def _check_int_divisor(x, y) -> None:
    """Integer division by zero raises in PyTorch (NumPy would warn and return 0)."""
    kind = getattr(y, "dtype", None)
    if (kind is not None and kind.kind in "iub" and getattr(x, "dtype", kind).kind in "iub"
            and not get_array_module(y).all(y)):
        raise RuntimeError("ZeroDivisionError")


# ----------------------------------------------------------------------- unary math
class Neg(_Broadcasting):
    r""":math:`z = -x`, gradient :math:`-g`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        return -x

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return -grad


class Abs(_Broadcasting):
    r""":math:`z = |x|`, gradient :math:`g \operatorname{sign}(x)` (0 at 0)."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        ctx.save_for_backward(x)
        return get_array_module(x).abs(x)  # not abs(): this module's abs is the Tensor op

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        return grad * x.sign()


class Sign(_Broadcasting):
    r""":math:`z = \operatorname{sign}(x)`: piecewise constant, gradient 0."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        xp = get_array_module(x)  # PyTorch: sign(NaN) = 0
        out = xp.sign(x, out=xp.empty_like(x))
        if x.dtype.kind == "f":
            out[xp.isnan(out)] = 0
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad * 0


class Exp(_Broadcasting):
    r""":math:`z = e^x`; since :math:`dz/dx = e^x = z`, the saved output is reused."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        out = get_array_module(x).exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (out,) = ctx.saved_tensors
        return grad * out


class Log(_Broadcasting):
    r""":math:`z = \ln x`, gradient :math:`g / x`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        ctx.save_for_backward(x)
        return get_array_module(x).log(x)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        return grad / x


class Log1p(_Broadcasting):
    r""":math:`z = \ln(1 + x)`, gradient :math:`g / (1 + x)`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        ctx.save_for_backward(x)
        return get_array_module(x).log1p(x)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        return grad / (x + 1)


class Sqrt(_Broadcasting):
    r""":math:`z = \sqrt{x}`, gradient :math:`g / (2 z)`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        out = get_array_module(x).sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class Rsqrt(_Broadcasting):
    r""":math:`z = x^{-1/2}`, gradient :math:`-\tfrac12 g x^{-3/2} = -\tfrac12 g z^3`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        out = 1 / get_array_module(x).sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (out,) = ctx.saved_tensors
        return -0.5 * grad * out * out * out


class Sin(_Broadcasting):
    r""":math:`z = \sin x`, gradient :math:`g \cos x`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        ctx.save_for_backward(x)
        return get_array_module(x).sin(x)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        return grad * x.cos()


class Cos(_Broadcasting):
    r""":math:`z = \cos x`, gradient :math:`-g \sin x`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        ctx.save_for_backward(x)
        return get_array_module(x).cos(x)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        return -grad * x.sin()


class Tanh(_Broadcasting):
    r""":math:`z = \tanh x`, gradient :math:`g (1 - z^2)`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        out = get_array_module(x).tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


class Sigmoid(_Broadcasting):
    r""":math:`z = 1 / (1 + e^{-x})`, gradient :math:`g z (1 - z)`.

    Computed as :math:`\tfrac12(1 + \tanh(x/2))`, which never overflows.
    """

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        xp = get_array_module(x)
        out = xp.tanh(x * x.dtype.type(0.5))
        out += 1
        out *= x.dtype.type(0.5)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class Relu(_Broadcasting):
    r""":math:`z = \max(x, 0)`, gradient :math:`g \cdot [x > 0]`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        out = get_array_module(x).maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (out,) = ctx.saved_tensors
        return grad * (out > 0)


class Clamp(_Broadcasting):
    r""":math:`z = \min(\max(x, a), b)`; gradient :math:`g \cdot [a \le x \le b]`."""

    @staticmethod
    def forward(ctx: Node, x: Array, lo, hi) -> Array:
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        xp = get_array_module(x)
        out = x
        if lo is not None:
            out = xp.maximum(out, lo)
        if hi is not None:
            out = xp.minimum(out, hi)
        return out if out is not x else x.copy()

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        mask = None
        if ctx.lo is not None:
            mask = x >= ctx.lo
        if ctx.hi is not None:
            mask = (x <= ctx.hi) if mask is None else mask & (x <= ctx.hi)
        return (grad if mask is None else grad * mask), None, None


class Round(_Broadcasting):
    r"""Rounding (``floor``/``ceil``/``round``/``trunc``): piecewise constant, gradient 0."""

    @staticmethod
    def forward(ctx: Node, x: Array, how) -> Array:
        return getattr(get_array_module(x), how)(x)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad * 0, None


class Where(_Broadcasting):
    r""":math:`z = c\,?\,x : y`; :math:`\partial L/\partial x = g\,[c]`,
    :math:`\partial L/\partial y = g\,[\lnot c]` (the condition gets none)."""

    @staticmethod
    def forward(ctx: Node, cond: Array, x: Array, y: Array) -> Array:
        ctx.save_for_backward(cond)
        return get_array_module(cond).where(cond, x, y)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (cond,) = ctx.saved_tensors
        _, nx, ny = ctx.needs_input_grad
        zero = grad.new_zeros(())
        gx = where(cond, grad, zero) if nx else None
        gy = where(cond, zero, grad) if ny else None
        return None, gx, gy


class ToDtype(_Broadcasting):
    r"""A dtype conversion :math:`y = x`; :math:`\partial L/\partial x = g` in x's dtype."""

    @staticmethod
    def forward(ctx: Node, x: Array, np_dtype) -> Array:
        ctx.in_dtype = _dtype.from_np(x.dtype)
        return x.astype(np_dtype)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return grad.to(ctx.in_dtype), None


# --------------------------------------------------------- non-differentiable results
class _Compare(_Broadcasting):
    """Comparisons produce bool tensors, which carry no gradient."""

    op = ""

    @classmethod
    def forward(cls, ctx: Node, x: Array, y: Array) -> Array:
        ctx.mark_non_differentiable()
        for a in (x, y) if cls.op.startswith("bitwise") else ():
            if getattr(a, "dtype", np.dtype(int)).kind == "f":
                raise NotImplementedError(
                    f'"{cls.op}_cpu" not implemented for '
                    f"'{_SCALAR_NAMES[np.dtype(a.dtype).name]}'")
        return getattr(get_array_module(x), cls.op)(x, y)


def _compare_fn(op_name: str, np_name: str):
    cls = type(op_name, (_Compare,), {"op": np_name, "__doc__": f"``{np_name}``, a bool tensor."})

    def compare(input, other, *, out=None):
        if isinstance(input, Tensor) and isinstance(other, Tensor) and input.dtype is other.dtype:
            return write_out(cls.apply(input, other), out, op_name.lower())
        a, b = promote(input, other)
        return write_out(cls.apply(a, b), out, op_name.lower())

    compare.__name__ = op_name.lower()
    compare.__doc__ = f"Elementwise ``input {np_name} other`` as a bool tensor."
    return compare


eq = _compare_fn("Eq", "equal")
ne = _compare_fn("Ne", "not_equal")
lt = _compare_fn("Lt", "less")
le = _compare_fn("Le", "less_equal")
gt = _compare_fn("Gt", "greater")
ge = _compare_fn("Ge", "greater_equal")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


class _Logical(_Broadcasting):
    """Bitwise and logical ops (``op`` names the NumPy function): integer or bool results,
    not differentiable."""

    op = ""

    @classmethod
    def forward(cls, ctx: Node, x: Array, y: Array) -> Array:
        ctx.mark_non_differentiable()
        for a in (x, y) if cls.op.startswith("bitwise") else ():
            if getattr(a, "dtype", np.dtype(int)).kind == "f":
                raise NotImplementedError(
                    f'"{cls.op}_cpu" not implemented for '
                    f"'{_SCALAR_NAMES[np.dtype(a.dtype).name]}'")
        return getattr(get_array_module(x), cls.op)(x, y)


class BitwiseAnd(_Logical):
    op = "bitwise_and"


class BitwiseOr(_Logical):
    op = "bitwise_or"


class BitwiseXor(_Logical):
    op = "bitwise_xor"


class LogicalNot(_Broadcasting):
    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        ctx.mark_non_differentiable()
        if x.dtype.kind == "f":
            raise NotImplementedError(
                f"\"bitwise_not_cpu\" not implemented for '{_SCALAR_NAMES[x.dtype.name]}'")
        return get_array_module(x).logical_not(x) if x.dtype == bool else ~x


# ------------------------------------------------------------------ public functions
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


# -------------------------------------------------------------- non-finite values
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


class NanToNum(_Broadcasting):
    r""":math:`y = x` where finite; ``nan``, ``posinf``, ``neginf`` replace the others.

    Gradient: :math:`g` where :math:`x` is finite, 0 where it was replaced (a constant).
    """

    @staticmethod
    def forward(ctx: Node, x: Array, nan, posinf, neginf) -> Array:
        xp = get_array_module(x)
        if x.dtype.kind != "f":
            return x.copy()
        ctx.save_for_backward(x)
        return xp.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        return where(isfinite(x), grad, 0.0), None, None, None


def nan_to_num(input: Tensor, nan: float = 0.0, posinf=None, neginf=None, *,
               out=None) -> Tensor:
    r"""Replace NaN by ``nan``, +inf by ``posinf`` and -inf by ``neginf`` (by default the
    largest and smallest finite values of ``input``'s dtype)."""
    for name, v in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
        if v is not None and not isinstance(v, (int, float, np.number)):
            raise TypeError(f"nan_to_num(): argument '{name}' must be float, not "
                            f"{type(v).__name__}")
    return write_out(NanToNum.apply(input, nan, posinf, neginf), out, "nan_to_num")
