r"""Batch normalisation (training mode) as one Function: few passes over the data each way.

Notation, per channel :math:`c`, over the :math:`M = N \cdot L` values :math:`x_i` of
that channel (:math:`L` = the product of the dims after the channel dim):

.. math::

    \mu = \frac1M \sum_i x_i, \qquad \sigma^2 = \frac1M \sum_i (x_i - \mu)^2, \qquad
    \hat x_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad
    y_i = \gamma \hat x_i + \beta .

Written as a composition (``nn.functional._normalize_over``) this is about ten
full-size array operations forward and twenty backward, each a graph node. Here the
forward is the statistics (:func:`_centred_stats`: per-channel sums, then the centred
values :math:`c = x - m` with their sums of squares; per-image partial sums, totalled
in float64) and then :math:`y = s\,c + t` with per-channel
:math:`s = \gamma/\sqrt{\sigma^2+\epsilon}`, :math:`t = \beta - (\mu - m) s`; the
centred values are kept for the backward (which would otherwise form them again) and
become its :math:`\partial L/\partial x` buffer. The backward uses the closed form below.

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

Again one reduction pass (the two sums, :math:`\sum_i g_i (x_i - m)` on the kept centred
values: no cancellation when :math:`|\mu| \gg \sigma`) and one pass for
:math:`\partial L/\partial x = a\,(g - q\,(x - m) + e)` with per-channel :math:`a, q, e`
(four in-place NumPy operations on the centred values' buffer).
When the backward itself must be differentiable (``create_graph=True``), the same
formula is evaluated in Tensor ops from :math:`x`, so second derivatives flow through
:math:`\mu` and :math:`\sigma^2` too (:func:`_backward_in_tensor_ops`, also the readable
twin that the tests compare with).

**Two cores.** Every pass runs on two threads when a core is free and the batch is
large (:func:`~minitorch.kernels.threads.split_kernel`), cut by image. Every element
gets the same operations either way, each image's per-channel sums (``einsum``) and dot
products (``vecdot``) are computed row by row whichever images share the call, and the
totals over the images are added afterwards in image order, so the bits do not depend
on the split; the tests check this for uneven parts.
"""

from __future__ import annotations

import numpy as np

from .._backend import get_array_module
from ..autograd import grad_mode
from ..autograd._quiet import ignore_errors, restore_errors
from ..autograd.function import ArrayFunction
from ..kernels.threads import split_kernel
from ..tensor import Tensor

_REFINE_RATIO = 8.0  # statistics without the refining pass while every |mu| <= this sigma
_KEEP_CENTRED = False  # the forward keeps x - m for the backward (measured: see below)


def _by_channel(x):
    """(N, C, *rest) array as a (N, C, L) view."""
    return x.reshape(x.shape[0], x.shape[1], -1)


def _rows(*per_channel, like):
    """The (C,) vectors, each repeated along the rows of a (C, L) array of ``like``'s
    dtype (one broadcast copy for all of them).

    ``v * s[:, None]`` runs NumPy's loop for a scalar operand on each row, which is not
    vectorised (see kernels/relu.py); against a small (C, L) array, broadcast over N, it
    is: measured 73 -> 42 us for one multiply of (32, 16, 1024) float32."""
    xp = get_array_module(like)
    rows = xp.empty((len(per_channel), *like.shape[1:]), like.dtype)
    rows[...] = xp.stack(per_channel)[:, :, None] if xp is not np else np.array(
        per_channel, like.dtype)[:, :, None]
    return tuple(rows)


def _sums(a):
    r""":math:`\sum_l a_{n,c,l}` for each image and channel, (n, C), of an (n, C, L) array.

    ``einsum`` sums each row the same way whichever rows share the call, so the bits do
    not depend on how the images are split over threads. (OpenBLAS ``gemv`` with ones,
    14 against 24 us on (32, 16, 1024) float32, is fast only on its two threads; its
    threads then spin for a while and slowed the next NumPy passes 3x: dropped.)
    """
    return get_array_module(a).einsum("ncl->nc", a)


def _dots(a, b):
    r""":math:`\sum_l a_{n,c,l} b_{n,c,l}` for each image and channel, (n, C), without a
    product array (NumPy's ``vecdot``, one dot product per row)."""
    xp = get_array_module(a)
    return np.vecdot(a, b) if xp is np else xp.einsum("ncl,ncl->nc", a, b)


def _total(parts):
    """(n, C) per-image parts summed over the images, in float64."""
    return parts.sum(axis=0, dtype=np.float64)


def _by_image(run, v, passes: float) -> None:
    """``run(images)`` over the images of the (N, C, L) array ``v``, split over cores when
    large (``passes``: ``run``'s time in ReLU passes over ``v``, for the threshold; each
    call's factor is its single-thread time on (32, 16, 32, 32) float32 over ReLU's
    71 us there, the calibration of the factors before: e.g. the backward's four
    in-place passes 148 us, 2.1)."""
    split_kernel(run, v.shape[0], passes * v.nbytes, get_array_module(v))


def _centred_stats(v, out):
    r"""Batch statistics of the (N, C, L) array ``v``, leaving ``v - m`` in ``out``.

    Returns (:math:`\mu`, :math:`\sigma^2`, ``m``): the float64 mean and biased
    variance per channel, and ``m``, the first mean estimate rounded to ``v``'s dtype,
    which was subtracted. Two passes: the sums, then the centred values :math:`c = x - m`
    with their sums of squares, :math:`\sigma^2 = E[c^2] - E[c]^2` (the second term is
    the rounding error of ``m``, tiny next to :math:`\sigma^2`, so nothing cancels even
    when :math:`|\mu| \gg \sigma`, unlike :math:`E[x^2] - \mu^2`) and
    :math:`\mu = m + E[c]`. :math:`E[c]` is the float64 ``mean - m`` unless some channel
    has :math:`|\mu| > 8\sigma`, where the float32 row sums behind ``mean`` are not
    accurate enough next to :math:`\sigma`; a third pass then sums :math:`c` itself.
    """
    n, c, _ = v.shape
    count = v.shape[0] * v.shape[2]
    xp = get_array_module(v)
    parts = xp.empty((3, n, c), v.dtype)

    def first(images: slice) -> None:
        parts[0, images] = _sums(v[images])

    _by_image(first, v, 0.3)
    mean = _total(parts[0]) / count
    m = mean.astype(v.dtype)
    (m_rows,) = _rows(m, like=v)

    def second(images: slice) -> None:
        cen = xp.subtract(v[images], m_rows, out=out[images])
        parts[2, images] = _dots(cen, cen)

    _by_image(second, v, 1.1)
    square = _total(parts[2]) / count
    shift = mean - m  # E[c] if the float32 sums behind ``mean`` were exact
    if not bool((xp.abs(mean) <= _REFINE_RATIO * xp.sqrt(square)).all()):
        # |mu| >> sigma: the sums' float error is not small next to sigma; one more
        # pass takes E[c] from the centred values themselves

        def third(images: slice) -> None:
            parts[1, images] = _sums(out[images])

        _by_image(third, v, 0.3)
        shift = _total(parts[1]) / count
        var = xp.maximum(square - shift * shift, 0)
        # an infinite mean stays infinite (PyTorch's), not inf - inf
        return m + xp.where(xp.isfinite(mean), shift, 0), var, m
    return m + shift, xp.maximum(square - shift * shift, 0), m


def batch_stats(x):
    r"""(:math:`\mu`, biased :math:`\sigma^2`) of each channel of the array ``x`` (N, C, ...),
    in ``x``'s dtype (:func:`_centred_stats`)."""
    v = _by_channel(x)
    mean, var, _ = _centred_stats(v, get_array_module(v).empty(v.shape, v.dtype))
    return mean.astype(x.dtype), var.astype(x.dtype)


def update_running(buffer: Tensor, value, momentum: float, factor: float) -> None:
    r"""A running estimate :math:`r \leftarrow (1 - m)\,r + f\,s` on the buffer's array
    (one version bump, as ``mul_`` then ``add_`` under ``no_grad`` would make, without
    their Tensor ops: 22 -> 3 us a layer), quiet on inf/NaN like the Tensor ops."""
    token = ignore_errors()
    try:
        new = buffer._data * (1 - momentum) + value * factor
    finally:
        restore_errors(token)
    buffer._write(new)


class BatchNorm(ArrayFunction):
    r"""Training-mode batch norm :math:`y = \gamma\,(x - \mu)/\sqrt{\sigma^2 + \epsilon} +
    \beta` with the batch's statistics (see the module docstring for the gradient).

    ``weight`` and ``bias`` may be None. The batch's (mean, biased variance), in ``x``'s
    dtype, are appended to the list ``stats`` (the caller updates the running
    estimates with them).
    """

    @staticmethod
    def forward(ctx, x, weight, bias, eps: float, stats: list):
        v = _by_channel(x)
        xp = get_array_module(v)
        cen = xp.empty(v.shape, v.dtype)
        mean, var, m = _centred_stats(v, cen)  # cen holds x - m
        inv = 1.0 / xp.sqrt(var + eps)
        scale = inv if weight is None else weight.reshape(-1) * inv
        # y = (x - mean) s + beta = (x - m) s + t, t = beta - (mean - m) s: no cancellation
        shift = -(mean - m) * scale
        if bias is not None:
            shift = shift + bias
        s_rows, t_rows = _rows(scale, shift, like=v)
        # The backward needs x - m again: keep it (and write y beside it) when a gradient
        # will be asked for; it becomes dx's buffer there.
        keep = _KEEP_CENTRED and any(ctx.needs_input_grad[:3])
        y = xp.empty(v.shape, v.dtype) if keep else cen

        def run(images: slice) -> None:
            part = xp.multiply(cen[images], s_rows, out=y[images])
            part += t_rows

        _by_image(run, v, 1.3 if keep else 1.0)
        ctx.eps = eps
        ctx.stats = (mean, inv, m)
        ctx.centred = cen if keep else None
        ctx.save_for_backward(x, weight)
        stats += [mean.astype(x.dtype), var.astype(x.dtype)]
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        # the forward's x - m, used up as dx's buffer: a second backward (retain_graph)
        # forms it again
        centred, ctx.centred = ctx.centred, None
        if grad_mode.is_grad_enabled():  # create_graph: differentiable Tensor ops
            return (*_backward_in_tensor_ops(grad, x, weight, ctx.eps), None, None)
        needs = ctx.needs_input_grad
        d_x, d_weight, d_bias = _backward_arrays(grad._data, x._data,
                                                 None if weight is None else weight._data,
                                                 *ctx.stats, centred, needs[0])
        return (
            Tensor._wrap(d_x.reshape(x.shape)) if needs[0] else None,
            Tensor._wrap(d_weight.astype(x._data.dtype)) if needs[1] else None,
            Tensor._wrap(d_bias.astype(x._data.dtype)) if len(needs) > 2 and needs[2] else None,
            None,
            None,
        )


def _backward_arrays(grad, x, weight, mean, inv, m, centred=None, need_x: bool = True):
    r"""(:math:`\partial L/\partial x`, :math:`\sum g \hat x`, :math:`\sum g`) on arrays,
    by the closed form as :math:`dx = a\,(g - q\,(x - m) + e)` per channel (one pass
    for the sums, one for :math:`dx`; see the module docstring).

    ``m`` is the forward's rounded mean and ``centred`` its :math:`x - m` (formed here
    when None), overwritten with :math:`dx`. The dot product :math:`\sum g\,(x - m)` on
    centred values does not cancel when :math:`|\mu| \gg \sigma` (unlike
    :math:`\sum g x - \mu \sum g`).
    """
    g, v = _by_channel(grad), _by_channel(x)
    xp = get_array_module(v)
    n, c, _ = v.shape
    count = n * v.shape[2]
    dtype = xp.result_type(g.dtype, v.dtype)
    if centred is None or centred.dtype != dtype:
        centred = None
        dx = xp.empty(v.shape, dtype)
        (m_rows,) = _rows(m, like=v)
    else:
        dx = centred
    parts = xp.empty((2, n, c), dtype)

    def first(images: slice) -> None:
        parts[0, images] = _sums(g[images])
        if centred is None:
            xp.subtract(v[images], m_rows, out=dx[images])
        parts[1, images] = _dots(g[images], dx[images])

    _by_image(first, v, 1.0 if centred is not None else 1.8)
    d_bias = _total(parts[0])
    delta = mean - m  # float64: what the (rounded) centre m misses of the mean
    d_weight = (_total(parts[1]) - delta * d_bias) * inv  # sum g (x - mean) r
    if not need_x:
        return None, d_weight, d_bias
    gamma = inv if weight is None else weight.reshape(-1) * inv
    # dx = gamma r (g - d_bias/M - xhat d_weight/M), xhat = (x - m - delta) r:
    # dx = a (g - q (x - m) + e), a = gamma r, q = r d_weight/M, e = q delta - d_bias/M
    q = inv * d_weight / count
    e = q * delta - d_bias / count
    minus_q, e_rows, a_rows = _rows(-q, e, gamma, like=dx)

    def finish(images: slice) -> None:
        part = dx[images]
        part *= minus_q
        part += g[images]
        part += e_rows
        part *= a_rows

    _by_image(finish, v, 2.1)
    return dx, d_weight, d_bias


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
