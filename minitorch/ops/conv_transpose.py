r"""Transposed 2-D convolution (``conv_transpose2d``): the input gradient of a convolution.

A convolution :math:`Y = \mathrm{conv}_W(X)` is linear in :math:`X`; its adjoint
:math:`\mathrm{conv}^\top_W` sends every input pixel back, weighted by the kernel, onto
the output window it came from. That adjoint is what ``conv_transpose2d`` computes, with
the weight read the other way round: a transposed-conv weight ``(C_in, C_out/g, kh, kw)``
is the weight of the convolution that maps the transposed conv's *output* (``C_out``
channels) to its *input* (``C_in`` channels). So no new kernel is needed:

* forward: :math:`Z = \mathrm{conv}^\top_W(X)` is ``conv_input_grad`` (a product and col2im);
* :math:`\partial L/\partial X = \mathrm{conv}_W(G)` for :math:`G = \partial L/\partial Z`
  (the forward convolution, :class:`~minitorch.ops.conv.Convolution`);
* :math:`\partial L/\partial W` = the weight gradient of that convolution with :math:`G`
  as its input and :math:`X` as its output gradient (``ConvWeightGrad``);
* :math:`\partial L/\partial b_o = \sum_{n,p,q} G_{n,o,p,q}`.

The 4x4 stride-2 padding-1 layer (DCGAN's) has a faster path with 9/16 of the
multiply-adds, by phases and Winograd's :math:`F(2 \times 2, 2 \times 2)`
(:mod:`minitorch.kernels.conv_transpose_phases`, chosen by ``conv_transpose2d`` with
``phases=True``); its two gradients are the same convolution and weight gradient
computed that way (``ConvolutionByPhases``, ``ConvWeightGradByPhases``: only their
forward differs, their backward is the im2col Functions').

Large layers cut the batch into parts, one per core, like the convolution
(``geo.parts``, :mod:`minitorch.kernels.conv_transpose_parts`): the forward, and in a
backward pass that records no graph the layout of :math:`G` and both gradients, run part
by part; with ``create_graph`` the gradients are the Functions above, on the whole batch.

The first two both read the windows of :math:`G` (its im2col, 4x the size of :math:`G`
for a 4x4 stride-2 kernel): the backward pass builds them once and hands them to both, and
keeps :math:`X` as the forward product laid it out, for the weight gradient.

The output size is :math:`H_{out} = (H-1)s - 2p + d(k-1) + p_{out} + 1`. ``output_padding``
:math:`p_{out}` adds rows at the bottom (columns at the right); the convolution seeing
:math:`Z` needs only :math:`p_{out}` fewer rows of bottom padding to give back exactly
:math:`H` rows. Where :math:`p_{out} > p + s - 1` (possible when it is below the dilation)
the last rows receive no input at all: they are computed as zeros (plus the bias).
"""

from __future__ import annotations

from .._backend import get_array_module
from ..autograd import grad_mode
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..kernels import conv_transpose_parts as parts_kernel
from ..kernels import conv_transpose_phases as phases_kernel
from ..kernels.conv import ConvGeometry, Parts, grad_matrix, im2col
from ..tensor import Tensor
from .conv import Convolution, ConvWeightGrad


class ConvolutionTranspose(ArrayFunction):
    r"""Transposed convolution :math:`Z = \mathrm{conv}^\top_W(X) + b`, the adjoint of
    :class:`~minitorch.ops.conv.Convolution` in :math:`X`; gradients (derived in the module
    docstring): :math:`\partial L/\partial X = \mathrm{conv2d}(G, W)` and the weight
    gradient with the roles of input and output gradient swapped.

    ``core`` is the output's (H, W) reached by the kernel; the output is ``core`` plus
    ``extra`` rows/columns of zeros (only for a large ``output_padding``).
    """


    @staticmethod
    def forward(ctx: Node, x: Array, w: Array, b, geo: ConvGeometry, core: tuple[int, int], extra: tuple[int, int], phases: bool = False) -> Array:
        shape = (x.shape[0], w.shape[1] * geo.groups, *core)
        ctx.phases = phases and _all_finite(x, w)  # a NaN would spread over its tile
        # x laid out once (im2col's layout, or by phases its transformed tiles; one per
        # part of the batch when geo.parts > 1), kept for the weight gradient
        ctx.u = phases_kernel.weight_transform(w) if ctx.phases else None
        out, xmat = parts_kernel.forward(x, w, geo, shape, ctx.phases, ctx.u)
        if extra != (0, 0):
            xp = get_array_module(out)
            full = xp.zeros(out.shape[:2] + (core[0] + extra[0], core[1] + extra[1]), out.dtype)
            full[:, :, : core[0], : core[1]] = out
            out = full
        if b is not None:
            out += b.reshape(1, -1, 1, 1)
        ctx.geo, ctx.core = geo, core
        ctx.save_for_backward(x, w, xmat)
        return out

    @staticmethod
    def backward(ctx: Node, up: Tensor) -> Grads:
        x, w, xmat = ctx.saved_tensors
        xmat = xmat._data if isinstance(xmat, Tensor) else xmat  # an array or Parts
        geo = ctx.geo
        gb = None
        if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]:
            gb = up.sum((0, 2, 3))
        if tuple(up.shape[2:]) != ctx.core:
            up = up[:, :, : ctx.core[0], : ctx.core[1]]  # rows no input reached
        phases = ctx.phases and _all_finite(up._data)
        if ctx.phases and not phases:  # G is not finite: the im2col gradients, from x itself
            xmat = grad_matrix(x._data, geo, tuple(up.shape))
        if not any(ctx.needs_input_grad[:2]):
            return None, None, gb, None, None, None, None
        if not grad_mode.is_grad_enabled():  # records nothing: the kernels, part by part
            dx, dw = parts_kernel.grads(up._data, x._data, w._data, geo, xmat, phases,
                                        ctx.u, *ctx.needs_input_grad[:2])
            gx = None if dx is None else Tensor._wrap(dx)
            gw = None if dw is None else Tensor._wrap(dw)
            return gx, gw, gb, None, None, None, None
        # create_graph: the gradients as Functions (differentiable), on the whole batch
        # (their own forwards and backwards take geo's parts where they have them)
        gx = gw = None
        if phases:
            v = phases_kernel.grad_transform(up._data)  # G's phase tiles, for both
            if isinstance(xmat, Parts):
                xmat = phases_kernel.input_transform(x._data)
            if ctx.needs_input_grad[0]:
                gx = ConvolutionByPhases.apply(up, w, None, geo, (v, ctx.u))
            if ctx.needs_input_grad[1]:
                gw = ConvWeightGradByPhases.apply(up, x, tuple(w.shape), geo, v, xmat)
            return gx, gw, gb, None, None, None, None
        cols = None
        if all(ctx.needs_input_grad[:2]) and geo.parts == 1:
            # Both gradients read the windows of G: one im2col serves the two.
            cols = im2col(up._data, *w.shape[2:], geo)
        if ctx.needs_input_grad[0]:
            gx = Convolution.apply(up, w, None, geo, cols)
        if ctx.needs_input_grad[1]:
            gw = ConvWeightGrad.apply(up, x, tuple(w.shape), geo, cols, xmat)
        return gx, gw, gb, None, None, None, None


def _all_finite(*arrays) -> bool:
    """No NaN or infinity in any of ``arrays`` (a sum is finite only then, or overflows)."""
    return all(bool(get_array_module(a).isfinite(a.sum())) for a in arrays)


class ConvolutionByPhases(Convolution):
    r"""The transposed convolution's input gradient :math:`\mathrm{conv2d}(G, W)` (stride 2,
    padding 1, 4x4), computed by phases and Winograd (``kernels.conv_transpose_phases``)
    from ``cache`` = (:math:`V`, :math:`U`), the transforms of :math:`G` and :math:`W`.
    The same function as :class:`~minitorch.ops.conv.Convolution`, so its gradients
    (``backward``, inherited) are the same: computed on the im2col path of ``geo``."""

    @staticmethod
    def forward(ctx: Node, x: Array, w: Array, b, geo: ConvGeometry, cache=None) -> Array:
        v, u = cache
        n, _, h, wd = x.shape
        ctx.geo = geo
        ctx.save_for_backward(x, w, None)
        return phases_kernel.input_grad(v, w, (n, w.shape[0], h // 2, wd // 2), u)


class ConvWeightGradByPhases(ConvWeightGrad):
    r"""The transposed convolution's weight gradient (``ConvWeightGrad`` with :math:`G` as
    the convolution's input and :math:`X` as its output gradient), computed from the
    transforms :math:`V` of :math:`G` (``cache``) and :math:`\tilde X` of :math:`X`
    (``gmat``) by ``kernels.conv_transpose_phases``. Its gradients (``backward``,
    inherited from ``ConvWeightGrad``) are on the im2col path of ``geo``."""

    @staticmethod
    def forward(ctx: Node, x: Array, grad: Array, w_shape, geo: ConvGeometry, cache=None, gmat=None) -> Array:
        ctx.geo = geo
        ctx.save_for_backward(x, grad)
        return phases_kernel.weight_grad(gmat, cache, w_shape)


# The PyTorch-signature functions (argument checks, dtype promotion, ``out=``) that call
# these Functions live in conv_transpose_api.py; importing them here keeps
# ``minitorch.ops.conv_transpose.conv_transpose2d`` working.
from .conv_transpose_api import *
