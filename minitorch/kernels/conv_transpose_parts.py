r"""The transposed convolution with the batch in parts, one per core, as
:mod:`minitorch.kernels.conv` runs the convolution (``ConvGeometry.parts``).

The transposed convolution's images are independent like the convolution's, so the
batch is cut into the same fixed parts (:func:`~minitorch.kernels.conv.part_slices`)
and each part runs the whole path on its own thread, OpenBLAS on one thread meanwhile
(:func:`~minitorch.kernels.conv._by_parts`):

* forward: the phases path (:func:`conv_transpose_phases.forward`, the weight's
  transform :math:`U` made once for all parts) or im2col's layout of :math:`X` and
  ``conv_input_grad``; each part keeps what its weight gradient needs (:math:`\tilde X`
  or :math:`X`'s layout), a :class:`~minitorch.kernels.conv.Parts`;
* backward (:func:`grads`, for a backward pass that records nothing): each part lays
  out its gradient :math:`G` once (the phase transform :math:`V`, or its im2col) and
  computes both gradients from it in the same hand-off; the weight gradients of the
  parts are summed in part order.

Which images a part holds depends only on the batch size and ``geo.parts``, never on
how many threads are free, so neither do the results. How many parts:
:func:`prefer`: :func:`~minitorch.kernels.conv.prefer_parts` of the convolution whose
input gradient this is, for weights of at most 2 MiB.
"""

from __future__ import annotations

import numpy as np

from .._backend import get_array_module
from . import conv_transpose_phases as phases_kernel
from .conv import (
    ConvGeometry,
    _by_parts,
    _rows,
    _sum_in_order,
    conv_forward,
    conv_input_grad,
    conv_weight_grad,
    grad_matrix,
    im2col,
    prefer_parts,
)

# Measured (see prefer): parts lose once the weight is this large
_PARTS_MAX_WEIGHT_BYTES = 2 << 20  # 2 MiB


def prefer(x, w_shape, geo: ConvGeometry, core: tuple[int, int]) -> int:
    """Into how many parts to cut the batch of the transposed convolution of ``x``
    (N, C_in, H, W) with a weight of shape ``w_shape`` (C_in, C_out/g, kh, kw), ``core``
    its output's (H, W) reached by the kernel.

    :func:`prefer_parts` of the convolution ``geo`` from that output (N, C_out, *core)
    to ``x`` (the same activations and multiply-adds; asked with a zero-copy stand-in of
    the output's shape), and only for a weight of at most 2 MiB: every part streams the
    whole weight (by phases its transform, 9/4 of its size) through its products and
    makes its own weight gradient, where OpenBLAS's two threads on the whole batch share
    one packed copy. Measured, forward + backward, whole batch against two parts
    (float32, 2 cores, same process alternating, best of 15; docs/PERFORMANCE.md): the
    DCGAN generator's 256 -> 128 (2 MiB of float32 weight) 6-16% faster in parts at
    batch 16 to 64, its 128 -> 64 (0.5 MiB) 4-12% faster; its 512 -> 256 (8 MiB) 3-12%
    *slower* at batch 64 to 256, whatever the tiles per part (128 to 512), and its first
    layer, 100 -> 512 from 1x1 on the im2col path (3.1 MiB), 3-10% slower (0.1-0.3 ms).
    """
    if get_array_module(x) is not np:
        return 1
    if int(np.prod(w_shape)) * x.itemsize > _PARTS_MAX_WEIGHT_BYTES:
        return 1
    z = np.broadcast_to(np.empty((), x.dtype), (x.shape[0], w_shape[1] * geo.groups, *core))
    return prefer_parts(z, tuple(w_shape), geo)


def forward(x, w, geo: ConvGeometry, shape, phases: bool, u=None, out=None):
    """``(out, xmat)``: the transposed convolution of ``x`` with ``w`` (output ``shape``,
    the kernel's core) and what its weight gradient needs of ``x``: :math:`\\tilde X`
    (``phases``, with ``u`` the weight's phase transform) or ``x`` laid out by
    :func:`grad_matrix`; with ``geo.parts > 1``, one per part (a ``Parts``). By phases
    the output is written into ``out`` if given."""
    if geo.parts == 1:
        if phases:
            return phases_kernel.forward(x, w, u, out)
        xmat = grad_matrix(x, geo, shape)
        return conv_input_grad(x, w, shape, geo, xmat), xmat
    out = np.empty(shape, dtype=np.result_type(x.dtype, w.dtype))

    def part(k: int, sl: slice, one: ConvGeometry):
        y, xmat = forward(x[sl], w, one, _rows(shape, sl), phases, u, out[sl])
        if not phases:  # im2col (col2im) made its own array
            out[sl] = y
        return xmat

    return out, _by_parts(x.shape[0], geo, part)


def grads(g, x, w, geo: ConvGeometry, xmat, phases: bool, u=None,
          input_grad: bool = True, weight_grad: bool = True, out=None):
    """``(dx, dw)`` of the transposed convolution (each None when not asked for) for the
    output gradient ``g`` (N, C_out, *core), from ``xmat`` (:func:`forward`'s).

    By phases: :math:`V` = the phase transform of ``g``, then the input gradient
    :math:`\\mathrm{conv2d}(G, W)` and the weight gradient from :math:`V`; else one
    im2col of ``g`` for both (the convolution of ``g`` and its weight gradient with
    ``x`` as the output gradient). With the batch in parts, each part does all of it in
    one hand-off; the parts' weight gradients are summed in part order. By phases the
    input gradient is written into ``out`` if given."""
    if geo.parts == 1:
        if phases:
            v = phases_kernel.grad_transform(g)
            dw = phases_kernel.weight_grad(xmat, v, w.shape) if weight_grad else None
            dx = phases_kernel.input_grad(v, w, x.shape, u, out) if input_grad else None
            return dx, dw
        cols = im2col(g, *w.shape[2:], geo) if input_grad and weight_grad else None
        dw = conv_weight_grad(g, x, w.shape, geo, cols, xmat) if weight_grad else None
        dx = conv_forward(g, w, geo, cols)[0] if input_grad else None
        return dx, dw
    dx = np.empty(x.shape, dtype=np.result_type(g.dtype, w.dtype)) if input_grad else None

    def part(k: int, sl: slice, one: ConvGeometry):
        dxk, dwk = grads(g[sl], x[sl], w, one, xmat[k], phases, u, input_grad, weight_grad,
                         None if dx is None else dx[sl])
        if input_grad and not phases:  # im2col made its own array
            dx[sl] = dxk
        return dwk

    dws = _by_parts(x.shape[0], geo, part)
    return dx, _sum_in_order(dws) if weight_grad else None
