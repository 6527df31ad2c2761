"""Tensor methods and operators, bound from the functions of ``minitorch.ops``.

``x.exp()`` is ``minitorch.exp(x)``, ``x + y`` is ``minitorch.add(x, y)``, and every in-place
method ``x.op_(...)`` runs the out-of-place op and stores the result into ``x``
(see ``Tensor._rebase_inplace`` for how the graph is kept right).
"""

from __future__ import annotations

import inspect

from ._varargs import varargs_keyword
from .ops import counting as C
from .ops import einsum as _einsum  # noqa: F401  (minitorch.einsum; no Tensor method)
from .ops import elementwise as E
from .ops import indexing as I
from .ops import linalg as L
from .ops import reduction as R
from .ops import scan as SC
from .ops import shape as S
from .ops import sorting as SO
from .ops._util import write_out
from .tensor import Tensor

_FUNCTIONS = {
    E: """add sub subtract mul multiply div divide true_divide floor_divide remainder fmod pow
          maximum minimum neg negative abs absolute sign exp log log1p sqrt rsqrt sin cos tanh
          sigmoid relu floor ceil round trunc square reciprocal clamp clip eq ne lt le gt ge
          greater greater_equal less less_equal not_equal logical_not logical_and logical_or
          bitwise_and bitwise_or bitwise_xor bitwise_not isclose allclose""",
    R: "sum mean prod max min amax amin argmax argmin var std logsumexp softmax log_softmax "
    "norm all any",
    S: """view reshape permute transpose swapaxes swapdims t expand squeeze unsqueeze flatten
          unflatten contiguous clone split chunk unbind narrow repeat movedim""",
    I: "gather scatter_add index_select masked_fill nonzero tril triu",
    L: "matmul mm bmm dot",
}

for _module, _names in _FUNCTIONS.items():
    for _name in _names.split():
        setattr(Tensor, _name, getattr(_module, _name))

# Tensor ops of issue 16 (scans, sorting, counting, diagonals, ...)
_MORE_FUNCTIONS = {
    E: "isnan isinf isfinite nan_to_num",
    SC: "cumsum cumprod diff",
    SO: "sort argsort msort topk kthvalue median nanmedian mode quantile unique",
    C: "bincount histc count_nonzero",
    L: "outer cross diag diagonal trace",
    S: "roll rot90",
    I: "index_put index_put_ masked_select take",
}
for _module, _names in _MORE_FUNCTIONS.items():
    for _name in _names.split():
        setattr(Tensor, _name, getattr(_module, _name))


def _where(self: Tensor, condition: Tensor, other) -> Tensor:
    """``x.where(condition, other)`` is ``where(condition, x, other)``."""
    return E.where(condition, self, other)


def _sum_to_size(self: Tensor, *size) -> Tensor:
    """Sum broadcast dimensions away so the result has shape ``size``."""
    shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    if tuple(shape) == self.shape:
        return self
    if S.broadcast_shapes(shape, self.shape) != tuple(self.shape):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size "
                           f"{{{list(self.shape)}}}.")
    return S.SumToSize.apply(self, tuple(shape))


Tensor.where = _where


def _split(self: Tensor, split_size, dim: int = 0) -> tuple:
    """``x.split(split_size, dim)`` (PyTorch's method names it ``split_size``)."""
    return S.split(self, split_size, dim)


Tensor.split = _split


def _flip(self: Tensor, *dims) -> Tensor:
    """``x.flip(dims)``, or ``x.flip(0, 1)`` with the dims one by one (PyTorch's method
    takes both; the function ``flip(input, dims)`` only a sequence)."""
    return S.flip(self, S._shape_arg(dims))


Tensor.flip = varargs_keyword(_flip, "dims")


def _repeat_interleave(self: Tensor, repeats, dim=None, *, output_size=None) -> Tensor:
    """``repeat_interleave(x, repeats, dim)``: the method always needs ``repeats`` (only
    the function has the one-tensor form ``repeat_interleave(repeats)``)."""
    if repeats is None:
        raise TypeError("repeat_interleave(): argument 'repeats' must be Tensor or int, not "
                        "NoneType")
    return S.repeat_interleave(self, repeats, dim, output_size=output_size)


Tensor.repeat_interleave = _repeat_interleave
for _name, _keyword in [("view", "size"), ("expand", "size"), ("reshape", "shape"),
                        ("repeat", "repeats"), ("permute", "dims")]:
    setattr(Tensor, _name, varargs_keyword(getattr(S, _name), _keyword))
Tensor.sum_to_size = _sum_to_size
Tensor.view_as = lambda self, other: self.view(other.shape)
Tensor.reshape_as = lambda self, other: self.reshape(other.shape)
Tensor.expand_as = lambda self, other: self.expand(other.shape)
Tensor.T = property(lambda self: self.permute(tuple(range(self.ndim - 1, -1, -1))),
                    doc="The dims in reverse order (``permute(n-1, ..., 0)``).")
Tensor.mT = property(lambda self: self.transpose(-2, -1), doc="The last two dims swapped.")


# --------------------------------------------------------------------------- operators
def _reflected(fn):
    return lambda self, other: fn(other, self)


Tensor.__add__ = E.add
Tensor.__radd__ = _reflected(E.add)
Tensor.__sub__ = E.sub
Tensor.__rsub__ = _reflected(E.sub)
Tensor.__mul__ = E.mul
Tensor.__rmul__ = _reflected(E.mul)
Tensor.__truediv__ = E.div
Tensor.__rtruediv__ = _reflected(E.div)
Tensor.__floordiv__ = E.floor_divide
Tensor.__rfloordiv__ = _reflected(E.floor_divide)
Tensor.__mod__ = E.remainder
Tensor.__rmod__ = _reflected(E.remainder)
Tensor.__pow__ = E.pow
Tensor.__rpow__ = _reflected(E.pow)
Tensor.__matmul__ = L.matmul
Tensor.__rmatmul__ = _reflected(L.matmul)
Tensor.__neg__ = E.neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = E.abs
Tensor.__eq__ = E.eq
Tensor.__ne__ = E.ne
Tensor.__lt__ = E.lt
Tensor.__le__ = E.le
Tensor.__gt__ = E.gt
Tensor.__ge__ = E.ge
Tensor.__and__ = E.bitwise_and
Tensor.__or__ = E.bitwise_or
Tensor.__xor__ = E.bitwise_xor
Tensor.__rand__ = _reflected(E.bitwise_and)
Tensor.__ror__ = _reflected(E.bitwise_or)
Tensor.__invert__ = E.bitwise_not


# --------------------------------------------------------------------- in-place methods
def _inplace(fn, name: str):
    def method(self: Tensor, *args, **kwargs) -> Tensor:
        return self._rebase_inplace(lambda s: fn(s, *args, **kwargs))

    method.__name__ = name
    method.__doc__ = f"In-place version of :meth:`{fn.__name__}`."
    try:  # show the out-of-place function's parameters (without ``out``)
        sig = inspect.signature(fn)
        method.__signature__ = sig.replace(
            parameters=[p for p in sig.parameters.values() if p.name != "out"])
    except (TypeError, ValueError):
        pass
    return method


for _name in ["add", "sub", "mul", "div", "pow", "clamp", "clip", "neg", "abs", "exp", "log", "sqrt", "relu", "sigmoid", "tanh", "floor", "ceil", "round", "trunc", "masked_fill", "scatter_add", "sign", "remainder", "fmod"]:
    setattr(Tensor, _name + "_", _inplace(getattr(Tensor, _name), _name + "_"))

for _name in ["cumsum", "cumprod", "nan_to_num"]:
    setattr(Tensor, _name + "_", _inplace(getattr(Tensor, _name), _name + "_"))

Tensor.__iadd__ = Tensor.add_
Tensor.__isub__ = Tensor.sub_
Tensor.__imul__ = Tensor.mul_
Tensor.__itruediv__ = Tensor.div_
Tensor.__ipow__ = Tensor.pow_
Tensor.__imod__ = Tensor.remainder_


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 * tensor2``."""
    return write_out(input + value * tensor1 * tensor2, out, "addcmul")


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 / tensor2``."""
    if not (tensor1.dtype.is_floating_point or tensor2.dtype.is_floating_point):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic "
            "addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / "
            f"tensor2)).to(input.dtype) for integer inputs (got {tensor1.dtype} and "
            f"{tensor2.dtype})")
    return write_out(input + value * tensor1 / tensor2, out, "addcdiv")


Tensor.addcmul = addcmul
Tensor.addcdiv = addcdiv
Tensor.lerp = E.lerp
Tensor.addcmul_ = _inplace(addcmul, "addcmul_")
Tensor.addcdiv_ = _inplace(addcdiv, "addcdiv_")
Tensor.lerp_ = _inplace(E.lerp, "lerp_")
Tensor.clamp_min = lambda self, min: E.clamp(self, min=min)
Tensor.clamp_max = lambda self, max: E.clamp(self, max=max)
Tensor.clamp_min_ = _inplace(Tensor.clamp_min, "clamp_min_")
Tensor.clamp_max_ = _inplace(Tensor.clamp_max, "clamp_max_")
