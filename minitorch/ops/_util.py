"""Small helpers shared by the op modules: scalar/dtype handling, ``out=``, and the
broadcasting check of the elementwise Functions (``_Broadcasting``)."""

from __future__ import annotations

from .. import _dtype
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction
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
