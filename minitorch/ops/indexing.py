r"""Indexing: ``x[key]``, ``x[key] = v``, ``gather`` and ``scatter_add``.

Reading ``y = x[key]`` copies (or views) some elements of ``x``.  Its gradient puts the
upstream gradient back where those elements came from, in a zero tensor shaped like
``x``; when an integer index repeats an element, the contributions *add up*.
"""

from __future__ import annotations

from .._backend import get_array_module
from .._backend import scatter_add as add_at
from ..autograd.function import (
    Array,
    ArrayFunction,
    Grads,
    MovementFunction,
    Node,
)
from ..tensor import Tensor


def _is_basic(key: tuple) -> bool:
    return all(k is None or k is Ellipsis or isinstance(k, (int, slice)) for k in key)


class Index(MovementFunction):
    r""":math:`y = x[\text{key}]`.

    Gradient: scatter :math:`g` into zeros shaped like :math:`x` at ``key``, adding up
    repeated positions (see :class:`IndexBackward`).

    Advanced indexing makes a new tensor, C-contiguous as in PyTorch (NumPy may hand back
    a transposed layout, e.g. for ``x[:, idx]``), so ``x[:, idx].view(-1)`` works.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, key) -> Array:
        ctx.key, ctx.in_shape = key, x.shape
        out = x[key]
        if ctx._fn is Index and not out.flags.c_contiguous:  # not Select/Slice views
            out = out.copy(order="C")
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return IndexBackward.apply(grad, ctx.key, ctx.in_shape), None


class Select(Index):
    """``x[i]``: an :class:`Index` with one integer (a view)."""


class Slice(Index):
    """``x[a:b]``, ``x[:, i]``, ...: an :class:`Index` with basic indices only (a view)."""


class IndexBackward(MovementFunction):
    r"""Place ``grad`` at ``key`` in a zero tensor of ``shape`` (accumulating repeats).

    It is linear in ``grad``; its own gradient reads the same positions back: ``g[key]``.
    """

    @staticmethod
    def forward(ctx: Node, grad: Array, key, shape) -> Array:
        ctx.key = key
        out = get_array_module(grad).zeros(shape, dtype=grad.dtype)
        if _is_basic(key):
            out[key] = grad
        else:
            add_at(out, key, grad)
        return out

    @staticmethod
    def backward(ctx: Node, gg: Tensor) -> Grads:
        return Index.apply(gg, ctx.key), None, None


class IndexPut(MovementFunction):
    r""":math:`y = x` with :math:`y[\text{key}] = v` (out of place).

    Gradient: :math:`g` with zeros at ``key`` for :math:`x` (those values were overwritten),
    and :math:`g[\text{key}]` for :math:`v` (summed back to ``v``'s shape by the engine).
    """

    @staticmethod
    def forward(ctx: Node, x: Array, v: Array, key) -> Array:
        ctx.key = key
        out = x.copy()
        out[key] = v
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        gx = gv = None
        if ctx.needs_input_grad[0]:
            mask = get_array_module(grad._data).ones(grad.shape, dtype=grad.dtype.np)
            mask[ctx.key] = 0
            gx = grad * Tensor._wrap(mask)
        if ctx.needs_input_grad[1]:
            gv = Index.apply(grad, ctx.key)
        return gx, gv, None


class Gather(MovementFunction):
    r""":math:`y_{i j} = x_{i, \text{index}_{ij}}` along ``dim`` (``take_along_axis``).

    Gradient: add :math:`g_{ij}` into position :math:`(i, \text{index}_{ij})` of a zero
    tensor — a :class:`ScatterAdd`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, dim, index) -> Array:
        ctx.dim, ctx.in_shape = dim, x.shape
        ctx.save_for_backward(index)
        return get_array_module(x).take_along_axis(x, index, axis=dim)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (index,) = ctx.saved_tensors
        zeros = grad.new_zeros(ctx.in_shape)
        return ScatterAdd.apply(zeros, ctx.dim, index, grad), None, None


class ScatterAdd(MovementFunction):
    r""":math:`y = x`, then :math:`y_{i, \text{index}_{ij}} \mathrel{+}= s_{ij}` along ``dim``.

    Gradient: :math:`g` for :math:`x`, and :math:`g` gathered at ``index`` for :math:`s`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, dim, index, src: Array) -> Array:
        ctx.dim = dim
        ctx.save_for_backward(index)
        out = x.copy()
        xp = get_array_module(x)
        grid = list(xp.indices(index.shape, sparse=True))
        grid[dim] = index
        add_at(out, tuple(grid), src[tuple(slice(0, s) for s in index.shape)])
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (index,) = ctx.saved_tensors
        gs = Gather.apply(grad, ctx.dim, index) if ctx.needs_input_grad[3] else None
        return grad, None, None, gs


# ------------------------------------------------------------------- triangular masks
class Tril(MovementFunction):
    r"""Lower triangle: :math:`y_{ij} = x_{ij}` if :math:`j - i \le k`, else 0 (last two dims).

    The mask does not depend on :math:`x`, so the gradient is the upstream gradient with
    the same mask: :math:`\partial L/\partial x = \mathrm{tril}(G, k)`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, k) -> Array:
        ctx.k = k
        return get_array_module(x).tril(x, k)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return tril(grad, ctx.k), None


class Triu(MovementFunction):
    r"""Upper triangle: :math:`y_{ij} = x_{ij}` if :math:`j - i \ge k`, else 0 (last two dims).

    As for :class:`Tril`, the mask is constant: :math:`\partial L/\partial x =
    \mathrm{triu}(G, k)`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, k) -> Array:
        ctx.k = k
        return get_array_module(x).triu(x, k)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return triu(grad, ctx.k), None


# --------------------------------------------------- row lookup (nn.Embedding)
class Embedding(ArrayFunction):
    r"""Row lookup :math:`Y_{\ldots} = W_{\text{idx}_{\ldots}}` of ``nn.Embedding``.

    Gradient: row :math:`r` of :math:`\partial L/\partial W` is the sum of the upstream
    gradients of every position whose index is :math:`r` (a scatter-add), except the
    ``padding_idx`` row, which gets none.
    """

    @staticmethod
    def forward(ctx: Node, w: Array, idx, padding_idx) -> Array:
        ctx.save_for_backward(idx)
        ctx.padding_idx, ctx.w_shape = padding_idx, w.shape
        return w[idx]

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (idx,) = ctx.saved_tensors
        if ctx.padding_idx is not None:
            grad = grad * (idx != ctx.padding_idx).unsqueeze(-1).to(grad.dtype)
        return IndexBackward.apply(grad, (idx._data,), ctx.w_shape), None, None


# The PyTorch-signature functions (argument checks, dtype promotion, ``out=``) that call
# these Functions live in indexing_api.py; importing them here keeps
# ``minitorch.ops.indexing.getitem`` working.
from .indexing_api import *
