"""A deliberately naive 2-D convolution: the definition, written as loops.

Read this first, then ``conv.py``: both compute exactly the same numbers, but this one
says what a convolution *is*, one multiply-add at a time, while ``conv.py`` rearranges
the same sums into a single matrix product so that it runs thousands of times faster.
The tests check that the two agree.
"""

from __future__ import annotations

import numpy as np


def conv2d_naive(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: tuple[int, int] = (1, 1),
    padding: tuple[int, int] = (0, 0),
    dilation: tuple[int, int] = (1, 1),
    groups: int = 1,
) -> np.ndarray:
    r"""Convolution (cross-correlation) of NumPy arrays by its definition, with loops.

    .. math::

        y_{n,o,p,q} = b_o + \sum_{c=0}^{C/g-1} \sum_{i=0}^{k_h-1} \sum_{j=0}^{k_w-1}
            w_{o,c,i,j}\; x^{\mathrm{pad}}_{n,\; g(o) C/g + c,\; p s_h + i d_h,\; q s_w + j d_w}

    where :math:`g(o)` is the group of output channel :math:`o` and :math:`x^{\mathrm{pad}}`
    is the input with ``padding`` zeros on each side.

    Parameters
    ----------
    x : ndarray
        Input of shape (N, C, H, W).
    w : ndarray
        Weight of shape (O, C / groups, kh, kw).
    b : ndarray, optional
        Bias of shape (O,).
    stride, padding, dilation : (int, int)
        Step between windows, zeros added on each side, spacing between kernel taps.
    groups : int
        Channels are split into this many groups; output channel ``o`` only sees the
        input channels of its own group.

    Returns
    -------
    ndarray
        Shape (N, O, OH, OW), with
        ``OH = (H + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1``.
    """
    n_batch, c_in, height, width = x.shape
    c_out, c_per_group, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    out_per_group = c_out // groups

    x_pad = np.zeros((n_batch, c_in, height + 2 * ph, width + 2 * pw), dtype=x.dtype)
    x_pad[:, :, ph : ph + height, pw : pw + width] = x
    out_h = (height + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    out_w = (width + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n_batch, c_out, out_h, out_w), dtype=x.dtype)

    for n in range(n_batch):  # every image
        for o in range(c_out):  # every output channel (one filter)
            first_channel = (o // out_per_group) * c_per_group  # its group's first input channel
            for p in range(out_h):  # every output pixel
                for q in range(out_w):
                    total = b[o] if b is not None else 0.0
                    for c in range(c_per_group):  # the filter's window: channels, rows, cols
                        for i in range(kh):
                            for j in range(kw):
                                pixel = x_pad[
                                    n, first_channel + c, p * sh + i * dh, q * sw + j * dw
                                ]
                                total += w[o, c, i, j] * pixel
                    y[n, o, p, q] = total
    return y
