r"""1x1 convolutions as matrix products on the input itself, with no im2col copy.

A 1x1 kernel sees one pixel: with stride :math:`s` and no padding, output pixel
:math:`(p, q)` reads input pixel :math:`(s p, s q)` only, so

.. math::

    Y_n = W\, X^{(s)}_n, \qquad W: O \times C, \quad
    X^{(s)}_n = X_{n,\,:,\,::s,\,::s}: C \times (OH \cdot OW),

one product per image that writes NCHW directly (a stride-2 1x1 convolution is a strided
slice, then that product). The gradients are the adjoint products:
:math:`\partial L/\partial W = \sum_n G_n X^{(s)\top}_n` and
:math:`\partial L/\partial X^{(s)}_n = W^\top G_n`, scattered back onto every s-th pixel
(the others get zero). im2col would copy the input into the same (C, N, OH, OW) matrix
through a padded copy first, and its backward would go through col2im.
"""

from __future__ import annotations

from .._backend import get_array_module


def _sampled(x, stride: tuple[int, int]):
    """The pixels a 1x1 kernel sees, as (N, C, OH*OW) (a view when the stride is 1)."""
    sh, sw = stride
    xs = x[:, :, ::sh, ::sw] if (sh, sw) != (1, 1) else x
    return xs.reshape(xs.shape[0], xs.shape[1], -1)


def forward(x, w, stride: tuple[int, int], xs=None):
    """(N, C, H, W) * (O, C, 1, 1) -> (N, O, OH, OW), and the sampled input for reuse."""
    if xs is None:
        xs = _sampled(x, stride)
    n = x.shape[0]
    oh, ow = -(-x.shape[2] // stride[0]), -(-x.shape[3] // stride[1])
    out = get_array_module(x).matmul(w.reshape(w.shape[0], -1), xs)
    return out.reshape(n, w.shape[0], oh, ow), xs


def weight_grad(x, g, w_shape, stride: tuple[int, int], xs=None):
    r""":math:`\sum_n G_n X^{(s)\top}_n`, shape ``w_shape`` (O, C, 1, 1)."""
    if xs is None:
        xs = _sampled(x, stride)
    gm = g.reshape(g.shape[0], g.shape[1], -1)
    return get_array_module(g).matmul(gm, xs.transpose(0, 2, 1)).sum(axis=0).reshape(w_shape)


def input_grad(g, w, x_shape, stride: tuple[int, int]):
    r""":math:`W^\top G_n` on every s-th pixel, zero elsewhere; shape ``x_shape``."""
    xp = get_array_module(g)
    n, o, oh, ow = g.shape
    dxs = xp.matmul(w.reshape(o, -1).T, g.reshape(n, o, -1)).reshape(n, -1, oh, ow)
    if tuple(stride) == (1, 1):
        return dxs
    dx = xp.zeros(x_shape, dtype=g.dtype)
    dx[:, :, :: stride[0], :: stride[1]] = dxs
    return dx
