r"""Sorting and order statistics: ``sort``, ``topk``, ``kthvalue``, ``median``, ``mode``,
``quantile``, ``unique``, ``searchsorted``.

Each op first finds *which* elements it picks (an integer index array: no gradient) and
then reads their values with a :class:`~minitorch.ops.indexing.Gather` (a subclass named
for the op, so ``grad_fn`` reads ``SortBackward0``, ``TopkBackward0``, ...), whose gradient
scatters :math:`g` back to the picked positions (:math:`\partial y_j/\partial x_k =
[k = \text{index}_j]`), which is PyTorch's ``value_selecting_reduction_backward``.
Ties are ordered by position (a stable sort); NaN sorts above every number.
"""

from __future__ import annotations

from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..tensor import Tensor
from .indexing import Gather


class Sort(Gather):
    r"""``sort``'s values :math:`y_j = x_{\pi_j}` along ``dim``: a :class:`Gather` at the
    sorting permutation :math:`\pi` (named ``SortBackward0``).

    Gradient: the indices are piecewise constant in :math:`x`, so
    :math:`\partial L/\partial x_{\pi_j} = g_j`, the scatter-add of :class:`Gather`.
    """


class Topk(Gather):
    r"""``topk``'s values :math:`y_j = x_{\pi_j}` for the :math:`k` chosen indices.

    Gradient (as :class:`Gather`): :math:`g_j` goes back to position :math:`\pi_j`; the
    elements not chosen get 0.
    """


class _ReducingGather(Gather):
    r"""A :class:`Gather` of one index :math:`k` per slice, :math:`y = x_k` along ``dim``,
    that drops the gathered dim unless ``keepdim``.

    Gradient: :math:`\partial L/\partial x_i = g\,[i = k]` along ``dim``: the dim is put
    back (``unsqueeze``) and :math:`g` scattered there as for Gather.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, dim, index, keepdim) -> Array:
        ctx.keepdim = keepdim
        out = Gather.forward(ctx, x, dim, index)
        return out if keepdim else out.squeeze(axis=dim)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        g = grad if ctx.keepdim else grad.unsqueeze(ctx.dim)
        return (*Gather.backward(ctx, g), None)


class Kthvalue(_ReducingGather):
    """``kthvalue``'s values: one element per slice, at the chosen index."""


class MedianDim(_ReducingGather):
    """``median(dim)``'s values: one element per slice, at the chosen index."""


class NanmedianDim(_ReducingGather):
    """``nanmedian(dim)``'s values: one element per slice, at the chosen index."""


class Mode(_ReducingGather):
    """``mode``'s values: one element per slice, at the chosen index."""


class Median(ArrayFunction):
    r"""A value picked out of ``x`` (the median of all elements): :math:`y = x_k`.

    Gradient: PyTorch's ``evenly_distribute_backward``: :math:`g` is shared evenly by every
    element equal to :math:`y` (all NaNs when :math:`y` is NaN), since any of them could be
    the one picked.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, value) -> Array:
        ctx.save_for_backward(x, value)
        return value

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        from .elementwise import isnan, where

        x, value = ctx.saved_tensors
        hit = where(isnan(value), isnan(x), x == value).to(grad.dtype)
        return grad * hit / hit.sum(), None


# The PyTorch-signature functions (argument checks, dtype promotion, ``out=``) that call
# these Functions live in sorting_api.py; importing them here keeps
# ``minitorch.ops.sorting.sort`` working.
from .sorting_api import *
