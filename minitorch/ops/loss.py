r"""Loss functions as differentiable ops.

Each loss is one ``Function`` whose ``forward`` computes the elementwise loss on raw
arrays and then applies the *reduction* (``'none'``, ``'sum'`` or ``'mean'``), so that
``loss.grad_fn`` is named like PyTorch's (``MseLossBackward0``, ``NllLossBackward0`` ...).

Reductions and their gradients
------------------------------
If :math:`\ell_i` is the elementwise loss and :math:`L` the reduced one, then with upstream
gradient :math:`g`:

* ``'none'``: :math:`L_i = \ell_i`, so :math:`\partial L/\partial \ell_i` brings :math:`g_i`;
* ``'sum'``:  :math:`L = \sum_i \ell_i`, every element gets :math:`g`;
* ``'mean'``: :math:`L = \frac1N \sum_i \ell_i`, every element gets :math:`g / N`.

:func:`_spread` implements this once. Every ``backward`` is written with Tensor operations,
so ``create_graph=True`` gives second derivatives.

The public entry points (argument checking, PyTorch's error messages, the choice between
the fused and the composed cross-entropy) live in :mod:`minitorch.nn._loss_functional`.
"""

from __future__ import annotations

import numpy as np

from .._backend import get_array_module
from ..autograd import grad_mode
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..kernels.cross_entropy import (
    at_target,
    cross_entropy_forward,
    cross_entropy_grad,
    one_hot,
)
from ..tensor import Tensor


def _reduce(loss, reduction: str, count=None):
    """Reduce a raw elementwise loss array; ``count`` overrides the mean's divisor."""
    xp = get_array_module(loss)
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    n = loss.size if count is None else count
    if n == 0:  # an empty mean is nan, as in PyTorch
        return xp.asarray(np.nan, dtype=loss.dtype)
    return xp.asarray(total / n, dtype=loss.dtype)


def _spread(grad: Tensor, shape, reduction: str) -> Tensor:
    """The upstream gradient of a reduced loss, as seen by each element of ``shape``."""
    if reduction == "none":
        return grad
    g = grad.expand(shape)
    if reduction == "mean":
        n = int(np.prod(shape))
        g = g / n if n else g
    return g


def _const(arr) -> Tensor | None:
    """A raw array (or None) as a constant Tensor."""
    return None if arr is None else Tensor._wrap(arr)


# ------------------------------------------------------------------ regression losses
class MseLoss(ArrayFunction):
    r"""Squared error :math:`\ell = (x - y)^2`.

    :math:`\partial \ell/\partial x = 2 (x - y)` and :math:`\partial \ell/\partial y =
    -2 (x - y)`; each is scaled by the (spread) upstream gradient.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array, reduction) -> Array:
        d = x - y
        ctx.shape, ctx.reduction = d.shape, reduction
        ctx.save_for_backward(x, y)
        return _reduce(d * d, reduction)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y = ctx.saved_tensors
        gx = 2 * (x - y) * _spread(grad, ctx.shape, ctx.reduction)
        gy = -gx if ctx.needs_input_grad[1] else None
        return gx, gy, None


class SmoothL1Loss(ArrayFunction):
    r"""Smooth L1: :math:`\ell = \tfrac12 d^2/\beta` if :math:`|d| < \beta`, else
    :math:`|d| - \tfrac12\beta`, with :math:`d = x - y` and :math:`\beta > 0`.

    :math:`\partial \ell/\partial d = d/\beta` inside, :math:`\operatorname{sign}(d)`
    outside (the two agree at :math:`|d| = \beta`); :math:`\partial d/\partial y = -1`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array, reduction, beta) -> Array:
        xp = get_array_module(x)
        d = x - y
        a = xp.abs(d)
        loss = xp.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta).astype(d.dtype, copy=False)
        ctx.shape, ctx.reduction, ctx.beta = d.shape, reduction, beta
        ctx.save_for_backward(x, y)
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        from .elementwise import where

        x, y = ctx.saved_tensors
        d = x - y
        local = where(d.abs() < ctx.beta, d / ctx.beta, d.sign())
        gx = local * _spread(grad, ctx.shape, ctx.reduction)
        return gx, (-gx if ctx.needs_input_grad[1] else None), None, None


class HuberLoss(ArrayFunction):
    r"""Huber: :math:`\ell = \tfrac12 d^2` if :math:`|d| \le \delta`, else
    :math:`\delta(|d| - \tfrac12\delta)`, with :math:`d = x - y`.

    :math:`\partial \ell/\partial d = d` inside and :math:`\delta\operatorname{sign}(d)`
    outside, i.e. :math:`d` clipped to :math:`[-\delta, \delta]`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array, reduction, delta) -> Array:
        xp = get_array_module(x)
        d = x - y
        a = xp.abs(d)
        loss = xp.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))
        ctx.shape, ctx.reduction, ctx.delta = d.shape, reduction, delta
        ctx.save_for_backward(x, y)
        return _reduce(loss.astype(d.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y = ctx.saved_tensors
        gx = (x - y).clamp(-ctx.delta, ctx.delta) * _spread(grad, ctx.shape, ctx.reduction)
        return gx, (-gx if ctx.needs_input_grad[1] else None), None, None


# --------------------------------------------------------------- classification losses
class NllLoss(ArrayFunction):
    r"""Negative log-likelihood of class-index targets, class dim 1.

    For each position :math:`i` with target :math:`t_i` (not ``ignore_index``) and class
    weights :math:`w`: :math:`\ell_i = -w_{t_i}\, x_{i, t_i}`; ignored positions give 0.
    ``'mean'`` divides the sum by :math:`\sum_i w_{t_i}` over the kept positions (not by
    the count), exactly like PyTorch.

    :math:`\ell_i` is linear in :math:`x`: :math:`\partial \ell_i/\partial x_{i c} =
    -w_{t_i}[c = t_i]`, so the gradient is a one-hot tensor times :math:`-w_{t_i} g_i`.
    That is linear in :math:`g` too, hence differentiable again.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, target, weight, ignore_index, reduction) -> Array:
        xp = get_array_module(x)
        valid = target != ignore_index
        t = xp.where(valid, target, 0)  # ignored positions read class 0, weighted by 0
        picked = x[at_target(t)]
        if weight is None:
            w = valid.astype(x.dtype)
        else:
            w = xp.where(valid, weight.astype(x.dtype, copy=False)[t], 0)
            w = w.astype(x.dtype, copy=False)
        loss = -(picked * w)
        ctx.shape, ctx.reduction = x.shape, reduction
        if reduction == "mean":
            total = xp.sum(w)
            with np.errstate(invalid="ignore", divide="ignore"):
                out = xp.asarray(xp.sum(loss) / total, dtype=x.dtype)  # nan if all ignored
            # the mean's divisor folded into the weights; with nothing kept, the gradient
            # is 0 (PyTorch's value), though the loss is nan
            w = w / total if total else xp.zeros_like(w)
        else:
            out = _reduce(loss, reduction)
        ctx.save_for_backward(t, w)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        t, w = ctx.saved_tensors
        hot = _const(one_hot(t._data, ctx.shape, w._data.dtype))
        coef = -w * (grad if ctx.reduction == "none" else grad.expand(w.shape))
        return hot * coef.unsqueeze(1), None, None, None, None


class CrossEntropy(ArrayFunction):
    r"""Fused log-softmax + NLL for class-index targets (class dim 1, no class weights).

    With :math:`m_i = \max_c x_{ic}` and :math:`Z_i = \sum_c e^{x_{ic} - m_i}`:

    .. math:: \ell_i = -\log\operatorname{softmax}(x_i)_{t_i} = \log Z_i - (x_{i t_i} - m_i),

    which never overflows (every exponent is :math:`\le 0`). Differentiating,
    :math:`\partial \ell_i/\partial x_{ic} = e^{x_{ic} - m_i}/Z_i - [c = t_i] = s_{ic} -
    [c = t_i]`, so the whole gradient is :math:`(s - \text{onehot}(t)) \cdot g / N` for the
    mean, computed in one pass from the saved softmax :math:`s` by :class:`CrossEntropyGrad`
    (which is itself differentiable, for higher-order gradients). Positions whose target
    is ``ignore_index`` contribute 0 and are not counted in :math:`N`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, target, ignore_index, reduction) -> Array:
        loss, soft, t, valid = cross_entropy_forward(x, target, ignore_index)
        keep = valid.astype(x.dtype)  # the weight of each position in the gradient
        loss *= keep
        if reduction == "mean":
            n = int(get_array_module(valid).count_nonzero(valid))  # (faster than a sum)
            if n:
                keep /= keep.dtype.type(n)
            # else nothing to average: the loss is nan and the gradient 0, as in PyTorch
            out = _reduce(loss, reduction, n)
        else:
            out = _reduce(loss, reduction)
        ctx.save_for_backward(x, soft, t, keep)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, soft, t, keep = ctx.saved_tensors
        if not grad_mode.is_grad_enabled():  # nothing recorded: the kernel, without the op
            gx = Tensor._wrap(_ce_grad(soft._data, t._data, grad._data, keep._data))
        else:
            gx = CrossEntropyGrad.apply(x, grad, soft._data, t._data, keep._data)
        return gx, None, None, None


# PyTorch's cross_entropy ends in nll_loss, so its users (and tutorials) see
# ``grad_fn=<NllLossBackward0>``; the fused op's graph node carries that name too.
CrossEntropy._node_cls = type("NllLossBackward0", (Node,), {"_fn": CrossEntropy, "__slots__": ()})


def _ce_grad(soft: Array, t: Array, g: Array, keep: Array) -> Array:
    r""":math:`(s - h)\, v` with :math:`v = g k` (:class:`CrossEntropyGrad`'s forward)."""
    return cross_entropy_grad(soft, t, (g * keep).astype(soft.dtype, copy=False))


class CrossEntropyGrad(ArrayFunction):
    r"""The gradient of :class:`CrossEntropy`: :math:`Z = (s - h)\, v` with
    :math:`s = \operatorname{softmax}(x)` along dim 1, :math:`h` the one-hot targets and
    :math:`v_i = g_i k_i` (upstream gradient times the position's weight :math:`k_i`,
    which holds the ignore mask and the mean's :math:`1/N`).

    Its own gradient (for ``create_graph=True``), with upstream :math:`u` (shaped like
    :math:`x`):

    * w.r.t. :math:`x`: the softmax Jacobian :math:`\partial s_c/\partial x_j = s_c
      (\delta_{cj} - s_j)` gives :math:`v\, s \odot (u - \sum_c u_c s_c)`;
    * w.r.t. :math:`g`: :math:`k_i \sum_c u_{ic} (s_{ic} - h_{ic})` (summed down to
      :math:`g`'s shape by the engine).

    Both are written with Tensor ops on a fresh ``x.softmax(1)``, so they differentiate
    yet again.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, g: Array, soft, t, keep) -> Array:
        ctx.save_for_backward(x, g, t, keep)
        return _ce_grad(soft, t, g, keep)

    @staticmethod
    def backward(ctx: Node, up: Tensor) -> Grads:
        x, g, t, keep = ctx.saved_tensors
        s = x.softmax(1)
        gx = gg = None
        if ctx.needs_input_grad[0]:
            v = (g * keep).unsqueeze(1)
            gx = v * s * (up - (up * s).sum(1, keepdim=True))
        if ctx.needs_input_grad[1]:
            hot = _const(one_hot(t._data, tuple(s.shape), s._data.dtype))
            gg = (up * (s - hot)).sum(1) * keep
        return gx, gg, None, None, None


_BCE_EPS = float(np.float32(1e-12))  # PyTorch's clamp, a float32 constant


class BinaryCrossEntropy(ArrayFunction):
    r"""Binary cross-entropy on probabilities :math:`x \in [0, 1]`:

    .. math:: \ell = -w\,[\,y \max(\log x, -100) + (1 - y) \max(\log(1 - x), -100)\,].

    The clamp at -100 (PyTorch's) keeps :math:`\ell` finite at :math:`x \in \{0, 1\}`.
    Away from the clamp, :math:`\partial\ell/\partial x = w (x - y) / (x (1 - x))`; like
    PyTorch the denominator is clamped below at :math:`10^{-12}`.
    :math:`\partial\ell/\partial y = w (\log(1 - x) - \log x)`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array, weight, reduction) -> Array:
        xp = get_array_module(x)
        with np.errstate(divide="ignore"):
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)
        loss = (y - 1) * log_1mx - y * log_x
        if weight is not None:
            loss = loss * weight
        loss = loss.astype(x.dtype, copy=False)
        ctx.shape, ctx.reduction = loss.shape, reduction
        ctx.save_for_backward(x, y, weight)
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y, w = ctx.saved_tensors
        g = _spread(grad, ctx.shape, ctx.reduction)
        if w is not None:
            g = g * w
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * (x - y) / ((1 - x) * x).clamp(min=_BCE_EPS)
        if ctx.needs_input_grad[1]:
            gy = g * ((-x).log1p() - x.log())
        return gx, gy, None, None


class BinaryCrossEntropyWithLogits(ArrayFunction):
    r"""Binary cross-entropy on logits :math:`x`, with positive-class weight :math:`p`:

    .. math:: \ell = w\,[\,(1 - y)\, x + (1 + (p - 1) y)\, \operatorname{sp}(-x)\,],

    where :math:`\operatorname{sp}(z) = \log(1 + e^z)` is computed as
    :math:`\max(z, 0) + \log(1 + e^{-|z|})` so no exponential overflows. (With :math:`p = 1`
    this is :math:`-[y \log\sigma(x) + (1 - y)\log(1 - \sigma(x))]`.)

    Using :math:`\operatorname{sp}'(-x) \cdot (-1) = -\sigma(-x) = \sigma(x) - 1`:
    :math:`\partial\ell/\partial x = w\,[(1 + (p - 1) y)\,\sigma(x) - p y]`, and
    :math:`\partial\ell/\partial y = w\,[-x + (p - 1)\operatorname{sp}(-x)]`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, y: Array, weight, pos_weight, reduction) -> Array:
        xp = get_array_module(x)
        sp = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
        if pos_weight is None:
            loss = (1 - y) * x + sp
        else:
            loss = (1 - y) * x + (1 + (pos_weight - 1) * y) * sp
        if weight is not None:
            loss = loss * weight
        loss = loss.astype(x.dtype, copy=False)
        ctx.shape, ctx.reduction = loss.shape, reduction
        ctx.save_for_backward(x, y, weight, pos_weight)
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        x, y, w, p = ctx.saved_tensors
        g = _spread(grad, ctx.shape, ctx.reduction)
        if w is not None:
            g = g * w
        gx = gy = None
        if ctx.needs_input_grad[0]:
            if p is None:
                gx = g * (x.sigmoid() - y)
            else:
                gx = g * ((1 + (p - 1) * y) * x.sigmoid() - p * y)
        if ctx.needs_input_grad[1]:
            if p is None:
                gy = -g * x
            else:
                sp = (-x).clamp(min=0) + (-x.abs()).exp().log1p()
                gy = g * ((p - 1) * sp - x)
        return gx, gy, None, None, None
