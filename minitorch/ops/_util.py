"""Small helpers shared by the op modules: scalar/dtype handling and ``out=``."""

from __future__ import annotations

from .. import _dtype
from ..autograd import grad_mode
from ..tensor import Tensor


def promote(*operands):
    """Cast Tensor operands to their common dtype (PyTorch's promotion rules).

    Python scalars become NumPy scalars of that dtype, so NumPy keeps the dtype too.
    Returns the converted operands.
    """
    dt = _dtype.result_type(*operands)
    out = []
    for x in operands:
        if isinstance(x, Tensor):
            out.append(x if x.dtype is dt else x.to(dt))
        else:
            out.append(dt.np.type(x))
    return out


def check_float(t: Tensor, name: str) -> None:
    if not t.dtype.is_floating_point:
        raise NotImplementedError(f'"{name}" not implemented for \'{t._scalar_type_name()}\'')


def write_out(result: Tensor, out: Tensor | None, name: str) -> Tensor:
    """Implement ``out=``: copy ``result`` into ``out`` (resizing it like PyTorch)."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if grad_mode.is_grad_enabled() and (out.requires_grad or result.requires_grad):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    data = result._data
    if out._data.shape == data.shape:
        out._data[...] = data
    else:
        out._data = data.astype(out.dtype.np, copy=True)
    out._bump_version()
    return out
