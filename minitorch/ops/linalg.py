r"""Matrix products: ``matmul`` (``@``), ``mm``, ``bmm``, ``dot``.

For :math:`Z = X Y`, the chain rule gives :math:`\partial L/\partial X = G Y^\top` and
:math:`\partial L/\partial Y = X^\top G`, each one more matrix product (one BLAS call).
"""

from __future__ import annotations

from .._backend import get_array_module
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import write_out


class _Builtin(Function):
    _builtin = True


class Mm(_Builtin):
    r""":math:`Z = XY` for matrices; :math:`G_X = G Y^\top`, :math:`G_Y = X^\top G`."""

    @staticmethod
    def forward(ctx, x, y):
        nx, ny = ctx.needs_input_grad
        ctx.save_for_backward(x if ny else None, y if nx else None)
        return x @ y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        return (grad.mm(y.t()) if nx else None), (x.t().mm(grad) if ny else None)


class Bmm(_Builtin):
    r"""Batched :math:`Z_b = X_b Y_b`; the gradient is the batched version of :class:`Mm`'s."""

    @staticmethod
    def forward(ctx, x, y):
        nx, ny = ctx.needs_input_grad
        ctx.save_for_backward(x if ny else None, y if nx else None)
        return get_array_module(x).matmul(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        gx = grad.matmul(y.transpose(-1, -2)) if nx else None
        gy = x.transpose(-1, -2).matmul(grad) if ny else None
        return gx, gy


class Matmul(Bmm):
    r"""Broadcasting matrix product of tensors with at least 2 dims.

    Same gradient as :class:`Bmm`; gradients of broadcast batch dimensions are summed by the
    engine.  1-D operands are turned into matrices by :func:`matmul` before this op.
    """


class Dot(_Builtin):
    r""":math:`z = \sum_i x_i y_i`; :math:`\partial z / \partial x = y`, and vice versa."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return get_array_module(x).asarray(x @ y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return grad * y, grad * x


def _mismatch(a: Tensor, b: Tensor) -> RuntimeError:
    sa = "x".join(str(s) for s in (a.shape if a.ndim > 1 else (1,) + a.shape))
    sb = "x".join(str(s) for s in (b.shape if b.ndim > 1 else b.shape + (1,)))
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")


def _check_dtypes(a: Tensor, b: Tensor, name: str) -> None:
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"{name}(): argument 'input' and 'other' must be Tensors")
    if a.dtype is not b.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {a._scalar_type_name()} != "
            f"{b._scalar_type_name()}"
        )


def mm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Matrix product of two 2-D tensors."""
    _check_dtypes(input, mat2, "mm")
    if input.ndim != 2:
        raise RuntimeError(f"self must be a matrix, got {input.ndim}-D tensor")
    if mat2.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {mat2.ndim}-D tensor")
    if input.shape[1] != mat2.shape[0]:
        raise _mismatch(input, mat2)
    return write_out(Mm.apply(input, mat2), out, "mm")


def bmm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Batched product of two 3-D tensors with the same batch size."""
    _check_dtypes(input, mat2, "bmm")
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(
            f"batch1 must be a 3D tensor, got {input.ndim}D and batch2 {mat2.ndim}D"
        )
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}]."
        )
    return write_out(Bmm.apply(input, mat2), out, "bmm")


def dot(input: Tensor, tensor: Tensor, *, out=None) -> Tensor:
    """Inner product of two 1-D tensors of the same length."""
    _check_dtypes(input, tensor, "dot")
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors"
        )
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
            f"[{tensor.shape[0]}] to have the same number of elements, but got "
            f"{input.shape[0]} and {tensor.shape[0]} elements respectively"
        )
    return write_out(Dot.apply(input, tensor), out, "dot")


def matmul(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """PyTorch's ``matmul``: dot, matrix-vector, matrix and broadcast batched products."""
    _check_dtypes(input, other, "matmul")
    a, b = input, other
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and "
            f"{b.ndim}D"
        )
    if a.ndim == 1 and b.ndim == 1:
        return dot(a, b, out=out)
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise _mismatch(a, b)
    if a.ndim == 2 and b.ndim == 2:
        return mm(a, b, out=out)
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    if b2.ndim == 2 and a2.ndim > 2:  # fold the batch into rows: one large GEMM
        lead = a2.shape[:-1]
        r = mm(a2.reshape(-1, a2.shape[-1]), b2).reshape(*lead, b2.shape[-1])
    else:
        try:
            get_array_module(a._data).broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
        except ValueError:
            raise RuntimeError(
                f"The size of tensor a ({a2.shape[-3]}) must match the size of tensor b "
                f"({b2.shape[-3]}) at non-singleton dimension 0"
            ) from None
        r = Matmul.apply(a2, b2)
    if a.ndim == 1:
        r = r.squeeze(-2)
    if b.ndim == 1:
        r = r.squeeze(-1)
    return write_out(r, out, "matmul")
