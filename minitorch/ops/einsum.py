r"""``einsum``: Einstein summation, :math:`Y_{out} = \sum_{\text{other letters}} \prod_i X^{(i)}_{s_i}`.

The equation is first rewritten into a fully explicit form (``...`` replaced by spare
letters, the implicit output spelled out), so the Function only sees letters.

Gradient. :math:`Y` is linear in each operand, so :math:`\partial L/\partial X^{(i)}`
is the same product with :math:`X^{(i)}` replaced by the upstream gradient :math:`G`
and the output and :math:`i`-th subscripts swapped:
:math:`\texttt{einsum}(s_{out}, s_{j \ne i} \to s_i)(G, X^{(j)})`. Two details:

* a letter only :math:`X^{(i)}` has (summed away in the forward pass) appears in none of
  the other terms: the gradient is constant along it, an ``expand``;
* a letter repeated in :math:`s_i` (a diagonal, ``"ii->i"``) puts the gradient on that
  diagonal: one extra identity-matrix operand :math:`\delta_{i i'}` per repeat.
"""

from __future__ import annotations

import string

from .._backend import get_array_module
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..tensor import Tensor

_LETTERS = string.ascii_uppercase + string.ascii_lowercase


class Einsum(ArrayFunction):
    r"""``einsum`` on explicit subscripts ``subs -> out`` with letter sizes ``sizes``.

    Forward: two operands without repeated letters are one batched matrix product
    (:func:`_pair_product`, as PyTorch does it); otherwise ``numpy.einsum``. Size-1 dims are
    broadcast to the letter's size first. Gradient (derived in the module docstring): for
    each operand, the same einsum with that operand replaced by :math:`G` and its
    subscripts made the output.
    """


    @staticmethod
    def forward(ctx: Node, *arrays: Array, subs, out, sizes) -> Array:
        ctx.subs, ctx.out, ctx.sizes = subs, out, sizes
        ctx.save_for_backward(*arrays)
        xp = get_array_module(arrays[0])
        ops = [a if a.shape == tuple(sizes[c] for c in s)
               else xp.broadcast_to(a, tuple(sizes[c] for c in s)) for a, s in zip(arrays, subs)]
        if len(ops) == 2 and all(len(set(s)) == len(s) for s in subs):
            return _pair_product(xp, ops[0], subs[0], ops[1], subs[1], out, sizes)
        eq = ",".join(subs) + "->" + out
        return xp.asarray(xp.einsum(eq, *ops, optimize=len(ops) > 1))

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        xs = ctx.saved_tensors
        grads = []
        for i, s in enumerate(ctx.subs):
            grads.append(_operand_grad(grad, xs, ctx.subs, ctx.out, ctx.sizes, i)
                         if ctx.needs_input_grad[i] else None)
        return tuple(grads)


def _pair_product(xp, a, sa: str, b, sb: str, out: str, sizes: dict):
    r"""``einsum(sa, sb -> out)`` as one ``matmul``: letters in both operands and the output
    are the batch, letters in one operand and the output the rows/columns, letters in both
    operands only are contracted, and letters in one operand only are summed first."""
    def sum_own(x, s, other):
        axes = tuple(i for i, c in enumerate(s) if c not in other and c not in out)
        return (x.sum(axis=axes), "".join(c for c in s if c in other or c in out)) if axes \
            else (x, s)

    a, sa = sum_own(a, sa, sb)
    b, sb = sum_own(b, sb, sa)
    batch = [c for c in out if c in sa and c in sb]
    left = [c for c in out if c in sa and c not in sb]
    right = [c for c in out if c in sb and c not in sa]
    inner = [c for c in sa if c in sb and c not in out]

    def size(letters):
        n = 1
        for c in letters:
            n *= sizes[c]
        return n

    nb, nl, nr, nk = size(batch), size(left), size(right), size(inner)
    am = a.transpose([sa.index(c) for c in batch + left + inner]).reshape(nb, nl, nk)
    bm = b.transpose([sb.index(c) for c in batch + inner + right]).reshape(nb, nk, nr)
    prod = xp.matmul(am, bm).reshape(tuple(sizes[c] for c in batch + left + right))
    order = batch + left + right
    prod = prod.transpose([order.index(c) for c in out])
    return prod if prod.flags.c_contiguous else prod.copy()


def _operand_grad(grad, xs, subs, out, sizes, i):
    """:math:`\\partial L/\\partial X^{(i)}` as an einsum of ``grad`` and the other operands."""
    s = subs[i]
    unique = "".join(dict.fromkeys(s))
    others = [subs[j] for j in range(len(subs)) if j != i]
    seen = set(out).union(*others)
    kept = "".join(c for c in unique if c in seen)
    g = _apply([grad] + [xs[j] for j in range(len(xs)) if j != i], [out] + others, kept, sizes)
    if kept != unique:  # letters summed away by X_i alone: constant along them
        g = g.reshape(tuple(sizes[c] if c in kept else 1 for c in unique))
        g = g.expand(tuple(sizes[c] for c in unique))
    if unique != s:  # repeated letters: place g on the diagonal with identity matrices
        spare = iter(c for c in _LETTERS if c not in s and c not in out)
        target, eyes, eye_subs, used = [], [], [], set()
        for c in s:
            if c in used:
                fresh = next(spare)
                target.append(fresh)
                eyes.append(g.new_tensor(get_array_module(g._data).eye(sizes[c])))
                eye_subs.append(c + fresh)
            else:
                target.append(c)
                used.add(c)
        g = _apply([g] + eyes, [unique] + eye_subs, "".join(target),
                   {**sizes, **{e[1]: sizes[e[0]] for e in eye_subs}})
    return g


def _apply(tensors, subs, out, sizes) -> Tensor:
    return Einsum.apply(*tensors, subs=tuple(subs), out=out,
                        sizes={c: sizes[c] for c in set("".join(subs))})


# The PyTorch-signature functions (argument checks, dtype promotion, ``out=``) that call
# these Functions live in einsum_api.py; importing them here keeps
# ``minitorch.ops.einsum.einsum`` working.
from .einsum_api import *
