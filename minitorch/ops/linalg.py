r"""Matrix products: ``matmul`` (``@``), ``mm``, ``bmm``, ``dot``, and ``nn.Linear``'s affine map.

For :math:`Z = X Y`, the chain rule gives :math:`\partial L/\partial X = G Y^\top` and
:math:`\partial L/\partial Y = X^\top G`, each one more matrix product (one BLAS call).
"""

from __future__ import annotations

import numpy as np

from .._backend import get_array_module
from ..autograd import grad_mode
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..kernels.threads import one_blas_thread, parts_ran_recently
from ..tensor import Tensor

# OpenBLAS runs a product on all its threads from 2^18 multiply-adds (m n k) on. Up to
# 2^21 (20-40 us on one core) the second thread saves a few microseconds, then spins
# for ~1.5 ms waiting for more work (minitorch._process_tweaks) on the core that the
# next convolution's batch parts or a split kernel needs: measured, the tutorial CNN's
# step (its 1568 -> 10 layer: 1e6 multiply-adds each way) 4-8% faster and the blitz
# net's at batch 64 6% faster with these products on one thread; the MLPs' larger
# products keep both threads. While a model's convolutions run in parts
# (kernels.threads.parts_ran_recently) products up to 2^22 run on one thread too: the
# blitz net's and LeNet's 400 -> 120 layer at batch 64 (3.1e6 each way) otherwise left
# OpenBLAS's thread spinning through the backward's convolutions (together with the
# parts from 512 KiB, kernels.conv.prefer_parts, and the direct path's products on one
# thread: the blitz net's step at batch 64 9 % faster, the ResNet's 5-6 %, in two
# processes alternating). An MLP alone keeps its 2^21-2^22 products (784-128-256-10 at
# batch 64: 128 -> 256 is 2.1e6) on both threads: 7 % faster there.
_ONE_THREAD_MACS = (1 << 18, 1 << 21)
_ONE_THREAD_MACS_WITH_PARTS = 1 << 22


def _mm(x: Array, y: Array) -> Array:
    """``x @ y`` for matrices. With inner size 1 (an outer product, such as a batch-1
    weight gradient) the broadcast product ``x * y`` is ~4x faster than NumPy's matmul and
    gives the same numbers (a zero's sign as PyTorch's matmul gives it: -1 * 0 = -0).
    Small products run on one OpenBLAS thread (``_ONE_THREAD_MACS``, up to
    ``_ONE_THREAD_MACS_WITH_PARTS`` while convolutions run in parts)."""
    if x.shape[1] == 1:
        return x * y
    low, high = _ONE_THREAD_MACS
    if parts_ran_recently():
        high = _ONE_THREAD_MACS_WITH_PARTS
    if low <= x.shape[0] * x.shape[1] * y.shape[1] < high and isinstance(x, np.ndarray):
        with one_blas_thread():
            return x @ y
    return x @ y


class Mm(ArrayFunction):
    r"""Matrix product :math:`Z = XY`, :math:`Z_{ik} = \sum_j X_{ij} Y_{jk}`.

    Gradient: :math:`\partial L/\partial X = G Y^\top`, :math:`\partial L/\partial Y =
    X^\top G`.  Derivation: :math:`\partial Z_{ik}/\partial X_{ij} = Y_{jk}`, so
    :math:`\partial L/\partial X_{ij} = \sum_k G_{ik} Y_{jk} = (G Y^\top)_{ij}`; likewise
    :math:`\partial L/\partial Y_{jk} = \sum_i X_{ij} G_{ik} = (X^\top G)_{jk}`.  Each
    input is saved only if the *other* input needs its gradient.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        nx, ny = ctx.needs_input_grad
        ctx.save_for_backward(x if ny else None, y if nx else None)
        return _mm(x, y)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        return (grad.mm(y.t()) if nx else None), (x.t().mm(grad) if ny else None)


class Bmm(ArrayFunction):
    r"""Batched matrix product :math:`Z_b = X_b Y_b` for every batch index :math:`b`.

    Gradient: each batch is an independent :class:`Mm`, so
    :math:`\partial L/\partial X_b = G_b Y_b^\top` and
    :math:`\partial L/\partial Y_b = X_b^\top G_b` (one batched product each).
    """

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        nx, ny = ctx.needs_input_grad
        ctx.save_for_backward(x if ny else None, y if nx else None)
        return get_array_module(x).matmul(x, y)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
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


class Dot(ArrayFunction):
    r"""Inner product :math:`z = \sum_i x_i y_i` (a scalar).

    Gradient: :math:`\partial z/\partial x_i = y_i`, so :math:`\partial L/\partial x = g\,y`
    and :math:`\partial L/\partial y = g\,x`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array) -> Array:
        ctx.save_for_backward(x, y)
        return get_array_module(x).asarray(x @ y)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y = ctx.saved_tensors
        return grad * y, grad * x


# ------------------------------------------------------------- diagonals and cross
def _diagonal_index(xp, shape, offset: int, d1: int, d2: int):
    """Row and column indices of the ``offset`` diagonal of dims ``d1``, ``d2`` of ``shape``
    (the diagonal becomes the last dim, as in ``numpy.diagonal``)."""
    n1, n2 = shape[d1], shape[d2]
    length = max(min(n1 + min(offset, 0), n2 - max(offset, 0)), 0)
    i = xp.arange(length)
    return i - min(offset, 0), i + max(offset, 0)


class Diagonal(ArrayFunction):
    r""":math:`y_{\dots k} = x_{\dots, k - \min(o,0),\, k + \max(o,0)}` over dims ``d1, d2``.

    Gradient: the upstream gradient written back onto that diagonal of a zero tensor
    (:class:`DiagonalScatter`); elements off the diagonal do not reach the output.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, offset, d1, d2) -> Array:
        ctx.args, ctx.in_shape = (offset, d1, d2), x.shape
        return get_array_module(x).diagonal(x, offset, d1, d2).copy()

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return DiagonalScatter.apply(grad, ctx.in_shape, *ctx.args), None, None, None


class DiagonalScatter(ArrayFunction):
    r"""Zeros of ``shape`` with ``v`` on the ``offset`` diagonal of dims ``d1, d2``
    (``diag`` of a vector, and :class:`Diagonal`'s gradient). It is linear in ``v``, and
    its gradient reads the same diagonal back: :math:`\mathrm{diagonal}(g)`."""

    @staticmethod
    def forward(ctx: Node, v: Array, shape, offset, d1, d2) -> Array:
        ctx.args = (offset, d1, d2)
        xp = get_array_module(v)
        out = xp.zeros(shape, dtype=v.dtype)
        rows, cols = _diagonal_index(xp, shape, offset, d1, d2)
        view = xp.moveaxis(out, (d1, d2), (-2, -1))
        view[..., rows, cols] = v
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return Diagonal.apply(grad, *ctx.args), None, None, None, None


class Cross(ArrayFunction):
    r"""Cross product :math:`z = x \times y` along ``dim`` (of size 3).

    Gradient: :math:`g \cdot (x \times y) = x \cdot (y \times g) = y \cdot (g \times x)`
    (the scalar triple product is invariant under cyclic shifts), so
    :math:`\partial L/\partial x = y \times g` and :math:`\partial L/\partial y = g \times x`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array, dim) -> Array:
        ctx.dim = dim
        ctx.save_for_backward(x, y)
        return get_array_module(x).cross(x, y, axis=dim)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y = ctx.saved_tensors
        gx = Cross.apply(y, grad, ctx.dim) if ctx.needs_input_grad[0] else None
        gy = Cross.apply(grad, x, ctx.dim) if ctx.needs_input_grad[1] else None
        return gx, gy, None


# ------------------------------------------------------- the linear layer (nn.Linear)
class Linear(ArrayFunction):
    r"""The affine map of ``nn.Linear``: :math:`Y = X W^\top + b`, one GEMM.

    ``X`` has shape (..., in), ``W`` (out, in), ``b`` (out,). The leading dimensions of
    ``X`` are flattened into one, so with :math:`X \in \mathbb R^{M\times \text{in}}` and
    upstream gradient :math:`G = \partial L/\partial Y \in \mathbb R^{M\times\text{out}}`:

    * :math:`Y_{mo} = \sum_i X_{mi} W_{oi} + b_o`, so
      :math:`\partial L/\partial X_{mi} = \sum_o G_{mo} W_{oi}`, i.e. :math:`G W`;
    * :math:`\partial L/\partial W_{oi} = \sum_m G_{mo} X_{mi}`, i.e. :math:`G^\top X`;
    * :math:`\partial L/\partial b_o = \sum_m G_{mo}`.

    Each is a single matrix product (or sum) however many leading dimensions ``X`` has.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, w: Array, b) -> Array:
        ctx.save_for_backward(x, w)
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
        out = _mm(x2, w.T)
        if b is not None:
            out += b
        return out.reshape(x.shape[:-1] + (w.shape[0],))

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, w = ctx.saved_tensors
        return _linear_grads(x, w, grad, *ctx.needs_input_grad)


def _linear_grads(x: Tensor, w: Tensor, grad: Tensor, nx: bool, nw: bool, nb: bool):
    """:class:`Linear`'s three gradients ``(G W, G^T X, sum_m G)``, each only if needed.

    Written in Tensor ops (so ``create_graph=True`` records them); a backward pass that
    records nothing computes the same products on the arrays (:func:`_linear_grads_arrays`).
    """
    if not grad_mode.is_grad_enabled():
        return _linear_grads_arrays(x._data, w._data, grad._data, nx, nw, nb)
    fold = grad.ndim != 2  # leading dims into rows (skipped for matrices: each reshape,
    g2, x2 = grad, x       # even to the same shape, would be one more graph node)
    if fold:
        g2, x2 = grad.reshape(-1, grad.shape[-1]), x.reshape(-1, x.shape[-1])
    gx = g2 @ w if nx else None
    if fold and gx is not None:
        gx = gx.reshape(x.shape)
    gw = g2.T @ x2 if nw else None
    gb = g2.sum(0) if nb else None
    return gx, gw, gb


def _linear_grads_arrays(x: Array, w: Array, g: Array, nx: bool, nw: bool, nb: bool):
    """:func:`_linear_grads` on raw arrays, for a backward pass that records no graph.

    The same three products (``_mm``, as ``Mm`` runs them) and the same sum, so the same
    numbers; it skips the four ops' bookkeeping (``Mm`` twice, a transpose, ``Sum``),
    about a third of a small layer's backward.
    """
    x2 = x
    if g.ndim != 2:  # leading dims into rows
        g, x2 = g.reshape(-1, g.shape[-1]), x.reshape(-1, x.shape[-1])
    gx = Tensor._wrap(_mm(g, w).reshape(x.shape)) if nx else None
    gw = Tensor._wrap(_mm(g.T, x2)) if nw else None
    gb = Tensor._wrap(g.sum(axis=(0,))) if nb else None
    return gx, gw, gb


class Addmm(ArrayFunction):
    r""":math:`Y = b + X W^\top` for a matrix ``X``: :class:`Linear` with PyTorch's argument
    order (bias, input, weight), so the graph prints and walks like PyTorch's
    (``AddmmBackward0``, whose ``next_functions[0]`` is the bias). Same gradients as
    :class:`Linear`.
    """

    @staticmethod
    def forward(ctx: Node, b, x: Array, w: Array) -> Array:
        return Linear.forward(ctx, x, w, b)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, w = ctx.saved_tensors
        nb, nx, nw = ctx.needs_input_grad
        gx, gw, gb = _linear_grads(x, w, grad, nx, nw, nb)
        return gb, gx, gw


# The PyTorch-signature functions (argument checks, ``out=``) that call these Functions
# live in linalg_api.py; importing them here keeps ``minitorch.ops.linalg.mm`` working.
from .linalg_api import *
