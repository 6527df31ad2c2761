r"""The einsum functions users call (``minitorch.einsum``, ...).

Each one checks its arguments the way PyTorch does (and handles ``out=`` where PyTorch
has it), then calls the Functions of :mod:`minitorch.ops.einsum`, where the ops and
their gradients are defined.
"""

from __future__ import annotations

from ..tensor import Tensor
from .einsum import (
    _LETTERS,
    _apply,
)


def _from_sublists(args) -> tuple[str, list]:
    """``einsum(a, [0, 1], b, [1, 2], [0, 2])`` -> ``("ab,bc->ac", [a, b])``."""
    def letters(sub):
        return "".join("..." if k is Ellipsis else _LETTERS[26 + k] if k < 26 else
                       _LETTERS[k - 26] for k in sub)

    operands, terms = list(args[0::2]), [letters(s) for s in args[1::2]]
    if len(args) % 2:  # a trailing output sublist
        operands = operands[:-1]
        return ",".join(terms) + "->" + letters(args[-1]), operands
    return ",".join(terms), operands


def _parse(equation: str, operands) -> tuple[list[str], str, dict]:
    """Explicit subscripts per operand, the output subscripts and each letter's size."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        more = "more" if len(operands) > len(terms) else "fewer"
        raise RuntimeError(f"einsum(): {more} operands were provided than specified in the "
                           "equation")
    for pos, c in enumerate(equation):
        if not (c in _LETTERS or c in ".,->"):
            raise RuntimeError(f"einsum(): invalid subscript given at index {pos} in the "
                               f"equation string, subscripts must be in [a-zA-Z]")
    spare = [c for c in _LETTERS if c not in equation]
    n_ell = 0
    for i, (t, x) in enumerate(zip(terms, operands)):
        named = len(t.replace("...", ""))
        if "..." in t:
            if named > x.ndim:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named})"
                                   f" is more than the number of dimensions ({x.ndim}) for "
                                   f"operand {i}")
            n_ell = max(n_ell, x.ndim - named)
        elif named != x.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) "
                               f"does not match the number of dimensions ({x.ndim}) for operand"
                               f" {i} and no ellipsis was given")
    ell = "".join(spare[:n_ell])
    subs = []
    for t, x in zip(terms, operands):
        k = x.ndim - len(t.replace("...", ""))
        subs.append(t.replace("...", ell[n_ell - k:] if k else ""))
    if arrow:
        out = rhs.replace("...", ell)
        for c in out:
            if out.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                                   "the output")
            if not any(c in s for s in subs):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
    else:
        joined = "".join(subs)
        out = ell + "".join(sorted(c for c in set(lhs) if c in _LETTERS and joined.count(c) == 1))
    sizes: dict = {}
    for i, (s, x) in enumerate(zip(subs, operands)):
        for c, n in zip(s, x.shape):
            m = sizes.get(c, 1)
            if n != 1 and m != 1 and n != m:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which "
                                   f"does not broadcast with previously seen size {m}")
            sizes[c] = n if m == 1 else m
    return subs, out, sizes


def einsum(*args) -> Tensor:
    r"""Einstein summation: ``einsum("ij,jk->ik", a, b)`` is ``a @ b``.

    Accepts PyTorch's forms: explicit (``->``) or implicit output, ``...`` for broadcast
    dims, operands as separate arguments or one list, and the sublist form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])``.
    """
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand")
    if isinstance(args[0], str):
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    else:
        equation, operands = _from_sublists(args)
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    for x in operands:
        if not isinstance(x, Tensor):
            raise TypeError(f"einsum(): operands must be Tensors, not {type(x).__name__}")
        if x.dtype is not operands[0].dtype:
            raise RuntimeError(f"expected scalar type {operands[0]._scalar_type_name()} but "
                               f"found {x._scalar_type_name()}")
    subs, out, sizes = _parse(equation, operands)
    return _apply(operands, subs, out, sizes)

