r"""Comparisons, logical and bitwise ops: Functions whose results (bool or integer
tensors) carry no gradient, so each forward marks its output non-differentiable.

The functions users call (``minitorch.eq``, ``x < y``, ``bitwise_and``) are in
:mod:`minitorch.ops.elementwise_api`.
"""

from __future__ import annotations

import numpy as np

from .._backend import get_array_module
from ..autograd.function import Array, Node
from ..tensor import _SCALAR_NAMES
from ._util import _Broadcasting


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


def _compare_class(op_name: str, np_name: str) -> type[_Compare]:
    return type(op_name, (_Compare,), {"op": np_name, "__doc__": f"``{np_name}``, a bool tensor."})


Eq, Ne = _compare_class("Eq", "equal"), _compare_class("Ne", "not_equal")
Lt, Le = _compare_class("Lt", "less"), _compare_class("Le", "less_equal")
Gt, Ge = _compare_class("Gt", "greater"), _compare_class("Ge", "greater_equal")


class _Logical(_Compare):
    """Bitwise and logical ops (``op`` names the NumPy function): integer or bool results,
    not differentiable (the same forward as a comparison)."""


class BitwiseAnd(_Logical):
    op = "bitwise_and"


class BitwiseOr(_Logical):
    op = "bitwise_or"


class BitwiseXor(_Logical):
    op = "bitwise_xor"


class LogicalNot(_Broadcasting):
    """``logical_not`` of a bool tensor, ``~x`` (bitwise not) of an integer one; not
    differentiable."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        ctx.mark_non_differentiable()
        if x.dtype.kind == "f":
            raise NotImplementedError(
                f"\"bitwise_not_cpu\" not implemented for '{_SCALAR_NAMES[x.dtype.name]}'")
        return get_array_module(x).logical_not(x) if x.dtype == bool else ~x
