r"""Batch normalisation (training mode) as one Function: two passes over the data each way.

Notation, per channel :math:`c`, over the :math:`M = N \cdot L` values :math:`x_i` of
that channel (:math:`L` = the product of the dims after the channel dim):

.. math::

    \mu = \frac1M \sum_i x_i, \qquad \sigma^2 = \frac1M \sum_i (x_i - \mu)^2, \qquad
    \hat x_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad
    y_i = \gamma \hat x_i + \beta .

Written as a composition (``nn.functional._normalize_over``) this is about ten
full-size array operations forward and twenty backward, each a graph node. Here the
forward is the statistics (one reduction, one centred copy, one dot product, and one
reduction of the centred values that refines the float mean) and then
:math:`y = s\,x + t` with per-channel :math:`s = \gamma/\sqrt{\sigma^2+\epsilon}`,
:math:`t = \beta - \mu s`; the backward uses the closed form below.

**The backward, derived.** Let :math:`g_i = \partial L/\partial y_i` and
:math:`r = 1/\sqrt{\sigma^2+\epsilon}`. Then :math:`\partial L/\partial\beta = \sum_i g_i`
and :math:`\partial L/\partial\gamma = \sum_i g_i \hat x_i`. For the input, with
:math:`h_i = \gamma g_i = \partial L/\partial \hat x_i`, every :math:`\hat x_j` depends on
:math:`x_i` directly and through :math:`\mu` and :math:`\sigma^2`:

.. math::

    \frac{\partial \hat x_j}{\partial x_i} = r\Big(\delta_{ij} - \frac1M\Big)
        - \frac{r}{M}\,\hat x_j \hat x_i ,

using :math:`\partial\mu/\partial x_i = 1/M` and :math:`\partial\sigma^2/\partial x_i =
2(x_i - \mu)/M` (the :math:`\sum_j (x_j - \mu)` term vanishes), so
:math:`\partial r/\partial x_i = -r^3 (x_i-\mu)/M = -r^2 \hat x_i / M`. Summing over
:math:`j`:

.. math::

    \frac{\partial L}{\partial x_i} = r\Big(h_i - \frac1M\sum_j h_j
        - \hat x_i\,\frac1M\sum_j h_j \hat x_j\Big)
      = \gamma r \Big(g_i - \frac{\partial L/\partial\beta}{M}
        - \hat x_i\,\frac{\partial L/\partial\gamma}{M}\Big).

Again one reduction pass (the two sums) and one pass for :math:`\partial L/\partial x`.
When the backward itself must be differentiable (``create_graph=True``), the same
formula is evaluated in Tensor ops from :math:`x`, so second derivatives flow through
:math:`\mu` and :math:`\sigma^2` too (:func:`_backward_in_tensor_ops`, also the readable
twin that the tests compare with).

**Two cores.** Both passes each way run on two threads when a core is free and the
batch is large (:func:`~minitorch.kernels.threads.split_kernel`): the statistics pass
(sums, centring, dot products) cut by channel, the elementwise pass (:math:`s\,x + t`;
the backward's :math:`a g + b (x - \mu) + c`) by image. Every element, and every
channel's sum, gets the same operations in the same order either way (NumPy's ``einsum``
sums a channel the same way whichever channels are beside it; the per-image dot products
are summed over images after the split), so the bits do not depend on the split; the
tests check this for uneven parts of one channel.
"""

from __future__ import annotations

import numpy as np

from .._backend import get_array_module
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction
from ..kernels.threads import split_kernel
from ..tensor import Tensor


def _by_channel(x):
    """(N, C, *rest) array as a (N, C, L) view."""
    return x.reshape(x.shape[0], x.shape[1], -1)


def _dots_by_image(a, b):
    r""":math:`\sum_l a_{n,c,l} b_{n,c,l}` for each image and channel, (N, C), without a
    product array (NumPy's ``vecdot``; summed over :math:`n` after, it is faster than
    ``einsum``)."""
    xp = get_array_module(a)
    return np.vecdot(a, b) if xp is np else xp.einsum("ncl,ncl->nc", a, b)


def _rows(per_channel, like):
    """The (C,) vector repeated along the rows of a (C, L) array of ``like``'s dtype.

    ``v * s[:, None]`` runs NumPy's loop for a scalar operand on each row, which is not
    vectorised (see kernels/relu.py); against a small (C, L) array, broadcast over N, it
    is: measured 73 -> 42 us for one multiply of (32, 16, 1024) float32."""
    xp = get_array_module(like)
    return xp.repeat(per_channel.astype(like.dtype, copy=False)[:, None], like.shape[2], axis=1)


def _by_image(run, v, passes: float) -> None:
    """``run(images)`` over the images of the (N, C, L) array ``v``, split over cores when
    large (``passes``: ``run``'s time in ReLU passes over ``v``, for the threshold)."""
    split_kernel(run, v.shape[0], passes * v.nbytes, get_array_module(v))


def _by_channels(run, v, passes: float) -> None:
    """:func:`_by_image` over the channels instead: for per-channel sums, whose order of
    summation over :math:`(n, l)` does not depend on which other channels are summed."""
    split_kernel(run, v.shape[1], passes * v.nbytes, get_array_module(v))


def batch_stats(x):
    r"""(:math:`\mu`, biased :math:`\sigma^2`) of each channel of the array ``x`` (N, C, ...):
    the mean, then the mean square of the centred values (not :math:`E[x^2] - \mu^2`,
    which cancels catastrophically in float32 when :math:`|\mu| \gg \sigma`)."""
    v = _by_channel(x)
    xp = get_array_module(v)
    (n, c, _), count = v.shape, v.shape[0] * v.shape[2]
    mean, shift = xp.empty(c, v.dtype), xp.empty(c, v.dtype)
    centred, dots = xp.empty(v.shape, v.dtype), xp.empty((n, c), v.dtype)

    def run(channels: slice) -> None:
        part = v[:, channels]
        mean[channels] = xp.einsum("ncl->c", part) / count  # (faster than .sum here)
        cen = xp.subtract(part, _rows(mean[channels], v), out=centred[:, channels])
        # One refinement step: the centred values' own mean is the float rounding error
        # of the first (tiny next to sigma unless |mu| >> sigma); var = E[c^2] - E[c]^2.
        shift[channels] = xp.einsum("ncl->c", cen) / count
        dots[:, channels] = _dots_by_image(cen, cen)

    _by_channels(run, v, 2)  # measured: about two ReLU passes
    var = xp.maximum(dots.sum(axis=0) / count - shift * shift, 0)
    return (mean + shift).astype(x.dtype, copy=False), var.astype(x.dtype, copy=False)


class BatchNorm(ArrayFunction):
    r"""Training-mode batch norm :math:`y = \gamma\,(x - \mu)/\sqrt{\sigma^2 + \epsilon} +
    \beta` with the batch's statistics (see the module docstring for the gradient).

    ``stats`` is :func:`batch_stats` of ``x`` (computed once by the caller, which also
    needs it for the running estimates); ``weight`` and ``bias`` may be None.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, stats, eps: float):
        mean, var = stats
        inv = 1.0 / (var + eps) ** 0.5
        scale = inv if weight is None else weight.reshape(-1) * inv
        shift = -mean * scale if bias is None else bias - mean * scale
        v = _by_channel(x)
        xp = get_array_module(v)
        y, s_rows = xp.empty(v.shape, v.dtype), _rows(scale, v)
        if xp.abs(mean * inv).max() > 4:
            # |mu| >> sigma: s x + t would cancel (|t| >> |y|), so centre first (one
            # more pass; float32 error then at PyTorch's level, see docs/PERFORMANCE.md)
            m_rows = _rows(mean, v)
            b_rows = None if bias is None else _rows(bias, v)

            def run(images: slice) -> None:  # y = (x - mean) s (+ bias)
                part = xp.subtract(v[images], m_rows, out=y[images])
                part *= s_rows
                if b_rows is not None:
                    part += b_rows
        else:
            t_rows = _rows(shift, v)

            def run(images: slice) -> None:  # y = s x + t
                part = xp.multiply(v[images], s_rows, out=y[images])
                part += t_rows

        _by_image(run, v, 1.5)
        ctx.eps = eps
        ctx.stats = (mean, inv)
        ctx.save_for_backward(x, weight)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        if grad_mode.is_grad_enabled():  # create_graph: differentiable Tensor ops
            return (*_backward_in_tensor_ops(grad, x, weight, ctx.eps), None, None)
        g, v = _by_channel(grad._data), _by_channel(x._data)
        xp = get_array_module(v)
        mean, inv = ctx.stats
        (n, c, _), count = v.shape, v.shape[0] * v.shape[2]
        d_bias, dx = xp.empty(c, g.dtype), xp.empty(v.shape, v.dtype)
        dots = xp.empty((n, c), xp.result_type(g.dtype, v.dtype))

        def sums(channels: slice) -> None:
            d_bias[channels] = xp.einsum("ncl->c", g[:, channels])  # (3x faster than .sum)
            # The centred values go into dx's buffer: sum g (x - mean) without
            # cancellation (not sum g x - mean sum g), and no second full-size temporary.
            cen = xp.subtract(v[:, channels], _rows(mean[channels], v), out=dx[:, channels])
            dots[:, channels] = _dots_by_image(g[:, channels], cen)

        _by_channels(sums, v, 2)
        d_weight = dots.sum(axis=0) * inv  # sum of g * xhat
        gamma = inv if weight is None else weight._data.reshape(-1) * inv
        # dx = gamma r (g - d_bias/M - xhat d_weight/M), xhat = (x - mean) r, i.e.
        # dx = a g + b (x - mean) + c with per-channel a = gamma, b, c:
        b = -gamma * inv * d_weight / count
        c = -gamma * d_bias / count
        b_rows, c_rows, gamma_rows = _rows(b, v), _rows(c, v), _rows(gamma, v)

        def finish(images: slice) -> None:
            part = dx[images]
            part *= b_rows
            part += c_rows
            part += g[images] * gamma_rows

        _by_image(finish, v, 2.5)
        needs = ctx.needs_input_grad
        return (
            Tensor._wrap(dx.reshape(x.shape)) if needs[0] else None,
            Tensor._wrap(d_weight) if needs[1] else None,
            Tensor._wrap(d_bias) if len(needs) > 2 and needs[2] else None,
            None,
            None,
        )


def _backward_in_tensor_ops(grad: Tensor, x: Tensor, weight: Tensor | None, eps: float):
    r""":math:`(\partial L/\partial x, \partial L/\partial\gamma, \partial L/\partial\beta)`
    by the closed form, in differentiable Tensor ops recomputed from :math:`x`."""
    dims = (0, *range(2, x.dim()))
    shape = (1, x.shape[1]) + (1,) * (x.dim() - 2)
    mean = x.mean(dims, keepdim=True)
    centred = x - mean
    inv = ((centred * centred).mean(dims, keepdim=True) + eps).rsqrt()
    xhat = centred * inv
    d_bias = grad.sum(dims)
    d_weight = (grad * xhat).sum(dims)
    h = grad if weight is None else grad * weight.reshape(shape)
    dx = inv * (h - h.mean(dims, keepdim=True) - xhat * (h * xhat).mean(dims, keepdim=True))
    return dx, (d_weight if weight is not None else None), d_bias
