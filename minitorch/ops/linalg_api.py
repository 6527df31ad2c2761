r"""The matrix functions users call (``minitorch.matmul``, ``mm``, ``diag``, ``cdist``, ...).

Each one checks its arguments the way PyTorch does, handles ``out=``, and calls one
Function of :mod:`minitorch.ops.linalg` (or composes them), where the op and its gradient
are defined.
"""

from __future__ import annotations

from .._backend import get_array_module
from ..tensor import Tensor
from ._util import write_out
from .linalg import Bmm, Cross, Diagonal, DiagonalScatter, Dot, Matmul, Mm


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
    for name, t in (("batch1", input), ("batch2", mat2)):
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor (got {t.ndim}D: {list(t.shape)})")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}]."
        )
    return write_out(Bmm.apply(input, mat2), out, "bmm")


def dot(input: Tensor, tensor: Tensor, *, out=None) -> Tensor:
    """Inner product of two 1-D tensors of the same length."""
    if isinstance(input, Tensor) and isinstance(tensor, Tensor) and input.dtype is not tensor.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{input._scalar_type_name()} and {tensor._scalar_type_name()}")
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
        if a.ndim == 2 and b.ndim == 1:
            raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat "
                               f"({a.shape[0]}x{a.shape[1]}), vec ({b.shape[0]})")
        raise _mismatch(a, b)
    if a.ndim == 2 and b.ndim == 2:  # (mm's checks are done above)
        return write_out(Mm.apply(a, b), out, "mm")
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


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The ``offset``-th diagonal over ``dim1`` and ``dim2``, appended as the last dim."""
    from .._utils import normalize_dim

    d1, d2 = normalize_dim(dim1, input.ndim), normalize_dim(dim2, input.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)


def diag(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """A 1-D tensor -> the square matrix with it on diagonal ``diagonal``; a 2-D tensor ->
    that diagonal of it."""
    k = int(diagonal)
    if input.ndim == 1:
        n = input.shape[0] + abs(k)
        return write_out(DiagonalScatter.apply(input, (n, n), k, 0, 1), out, "diag")
    if input.ndim == 2:
        return write_out(Diagonal.apply(input, k, 0, 1), out, "diag")
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def trace(input: Tensor) -> Tensor:
    r""":math:`\sum_i x_{ii}` of a matrix (integer matrices give int64)."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return Diagonal.apply(input, 0, 0, 1).sum()


def cross(input: Tensor, other: Tensor, dim=None, *, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (default: the first dim of size 3), with
    broadcasting."""
    from .._utils import normalize_dim
    from ._util import _check_broadcast, promote
    from .shape import broadcast_tensors

    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions. Got "
                           f"{input.ndim} and {other.ndim}")
    _check_broadcast((input, other))
    input, other = promote(*broadcast_tensors(input, other))
    if dim is None:
        import warnings

        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                      "Please either pass the dim explicitly or simply use torch.linalg.cross."
                      "\nThe default value of dim will change to agree with that of "
                      "linalg.cross in a future release.", UserWarning, stacklevel=2)
        dim = next((i for i, s in enumerate(input.shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    d = normalize_dim(dim, input.ndim)
    if input.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    return write_out(Cross.apply(input, other, d), out, "cross")


def outer(input: Tensor, vec2: Tensor, *, out=None) -> Tensor:
    r""":math:`z_{ij} = x_i y_j` of two 1-D tensors (a broadcast product)."""
    for name, v in (("self", input), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.ndim}-D")
    return write_out(input.reshape(-1, 1) * vec2, out, "outer")


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    r""":math:`d_{\dots ij} = \|x_{1,\dots i} - x_{2,\dots j}\|_p` between the rows of two
    batches of matrices.

    A composition: the broadcast difference, then :func:`norm` over the last dim, whose
    gradient is 0 where a distance is 0 (PyTorch's choice).
    """
    for name, x in (("X1", x1), ("X2", x2)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
        if not x.is_floating_point():
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{x._scalar_type_name()}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    from .reduction import norm

    return norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, dim=-1)
