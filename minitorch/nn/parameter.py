"""``Parameter``: a Tensor that a :class:`~minitorch.nn.Module` treats as learnable."""

from __future__ import annotations

import copy

from ..tensor import Tensor


class Parameter(Tensor):
    r"""A Tensor that is a module parameter: assigning one as a module attribute registers
    it, so it shows up in ``module.parameters()`` and ``module.state_dict()``.

    Parameters
    ----------
    data : Tensor, optional
        The initial value; the parameter shares its memory (no copy). Defaults to an
        empty tensor.
    requires_grad : bool
        Whether gradients flow into ``.grad`` (default True).

    Results of operations on a Parameter are plain Tensors.
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            from .._creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}"
            )
        p = cls._wrap(data._data)
        p.requires_grad = requires_grad  # validates that the dtype is floating point
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # everything happened in __new__ (Tensor.__init__ is the legacy constructor)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __copy__(self) -> Parameter:
        """A Parameter sharing this one's memory and attributes (``copy.copy``)."""
        result = type(self)(super().__copy__(), self.requires_grad)
        result.__dict__.update(self.__dict__)
        return result

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(Tensor._wrap(self._data.copy()), self.requires_grad)
        if self.grad is not None:
            result.grad = Tensor._wrap(self.grad._data.copy())
        result.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = result
        return result
