r"""Activation functions as single differentiable ops.

Each class below is one node in the graph. ``forward`` works on raw arrays; ``backward``
is written in Tensor operations (recomputing what it needs from the saved *input*), so a
second differentiation (``create_graph=True``) records the gradient's own graph.

The functions that users call (``F.gelu`` etc.) live in :mod:`minitorch.nn.functional`.
"""

from __future__ import annotations

import math

from .._backend import get_array_module
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..tensor import Tensor
from .elementwise import where

_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = 0.044715


def erf_array(x):
    r"""The error function :math:`\operatorname{erf}(x) = \frac{2}{\sqrt\pi}\int_0^x e^{-t^2}dt`
    of a raw array, to double precision, with NumPy (or CuPy) array operations only.

    * For :math:`|x| < 2.5` the series
      :math:`\operatorname{erf}(x) = \frac{2}{\sqrt\pi} e^{-x^2}
      \sum_{n\ge 0} \frac{2^n x^{2n+1}}{1\cdot 3 \cdots (2n+1)}`, whose terms are all
      positive (no cancellation); 60 terms reach machine precision.
    * For :math:`|x| \ge 2.5` the continued fraction
      :math:`\operatorname{erfc}(x) = \frac{e^{-x^2}}{\sqrt\pi}\,
      \cfrac{1}{x + \cfrac{1/2}{x + \cfrac{1}{x + \cfrac{3/2}{x + \cdots}}}}`,
      evaluated from the tail.

    Computed in float64 and returned in ``x``'s dtype.
    """
    xp = get_array_module(x)
    a = xp.abs(x.astype(xp.float64))
    out = xp.empty_like(a)
    small = a < 2.5
    s = a[small]
    z = 2.0 * s * s
    term, total = s.copy(), s.copy()
    for n in range(1, 60):
        term *= z / (2 * n + 1)
        total += term
    out[small] = (2.0 / math.sqrt(math.pi)) * xp.exp(-s * s) * total
    b = a[~small]
    t = b.copy()
    for k in range(60, 0, -1):
        t = b + (k / 2.0) / t
    out[~small] = 1.0 - xp.exp(-b * b) / (math.sqrt(math.pi) * t)
    return xp.copysign(out, x).astype(x.dtype)


class Erf(ArrayFunction):
    r""":math:`z = \operatorname{erf}(x)`; gradient :math:`g \cdot \frac{2}{\sqrt\pi} e^{-x^2}`."""

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        ctx.save_for_backward(x)
        return erf_array(x)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        return grad * (2.0 / math.sqrt(math.pi)) * (-(x * x)).exp()


class LeakyRelu(ArrayFunction):
    r""":math:`z = x` for :math:`x > 0`, else :math:`z = a x` (``a`` the negative slope).

    Gradient: :math:`g` where :math:`x > 0`, :math:`a g` elsewhere (PyTorch's convention
    at :math:`x = 0`). For :math:`a \ge 0`, :math:`x > 0` exactly where :math:`z > 0`, so
    the *output* is saved, which keeps ``leaky_relu_`` (in place) differentiable.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, slope) -> Array:
        xp = get_array_module(x)
        out = xp.where(x > 0, x, x * x.dtype.type(slope))
        ctx.save_for_backward(out if slope >= 0 else x)
        ctx.slope = slope
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (z,) = ctx.saved_tensors
        return where(z > 0, grad, grad * ctx.slope), None


class Elu(ArrayFunction):
    r""":math:`z = x` for :math:`x > 0`, else :math:`z = \alpha (e^x - 1)`.

    Gradient: :math:`g` where :math:`x > 0`; elsewhere
    :math:`\partial z/\partial x = \alpha e^x = z + \alpha`, so the saved output serves,
    and for :math:`\alpha \ge 0` also tells the two cases apart (:math:`x > 0 \iff z > 0`):
    the input is not needed, which keeps ``elu_`` (in place) differentiable.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, alpha) -> Array:
        xp = get_array_module(x)
        a = x.dtype.type(alpha)
        out = xp.where(x > 0, x, a * xp.expm1(xp.minimum(x, 0)))
        ctx.save_for_backward(out, x if alpha < 0 else None)
        ctx.alpha = alpha
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        out, x = ctx.saved_tensors
        positive = (x if x is not None else out) > 0
        return where(positive, grad, grad * (out + ctx.alpha)), None


class Gelu(ArrayFunction):
    r"""Gaussian error linear unit :math:`z = x\,\Phi(x)`, with
    :math:`\Phi(x) = \tfrac12(1 + \operatorname{erf}(x/\sqrt2))` the normal CDF.

    Gradient (product rule): :math:`g\,(\Phi(x) + x\,\varphi(x))` with
    :math:`\varphi(x) = e^{-x^2/2}/\sqrt{2\pi}` the normal density.
    """

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        ctx.save_for_backward(x)
        return x * (0.5 * (1.0 + erf_array(x / x.dtype.type(_SQRT_2))))

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        cdf = 0.5 * (1.0 + Erf.apply(x / _SQRT_2))
        pdf = (-0.5 * x * x).exp() * _INV_SQRT_2PI
        return grad * (cdf + x * pdf)


class GeluTanh(ArrayFunction):
    r"""GELU's tanh approximation :math:`z = \tfrac12 x (1 + \tanh u)`,
    :math:`u = \sqrt{2/\pi}\,(x + k x^3)`, :math:`k = 0.044715`.

    Gradient: :math:`g\left(\tfrac12(1 + \tanh u) + \tfrac12 x (1 - \tanh^2 u)\,
    \sqrt{2/\pi}\,(1 + 3 k x^2)\right)`.
    """

    @staticmethod
    def forward(ctx: Node, x: Array) -> Array:
        ctx.save_for_backward(x)
        xp = get_array_module(x)
        c, k = x.dtype.type(_SQRT_2_OVER_PI), x.dtype.type(_GELU_K)
        return 0.5 * x * (1 + xp.tanh(c * (x + k * x * x * x)))

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        t = (_SQRT_2_OVER_PI * (x + _GELU_K * x * x * x)).tanh()
        du = _SQRT_2_OVER_PI * (1 + 3 * _GELU_K * x * x)
        return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)


class Softplus(ArrayFunction):
    r""":math:`z = \frac1\beta \log(1 + e^{\beta x})`, and :math:`z = x` where
    :math:`\beta x > \text{threshold}` (there the two agree to float precision).

    Gradient: :math:`g\,\sigma(\beta x)` (the logistic sigmoid), or :math:`g` above the
    threshold.
    """

    @staticmethod
    def forward(ctx: Node, x: Array, beta, threshold) -> Array:
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        xp = get_array_module(x)
        bx = x * x.dtype.type(beta)
        # log(1 + e^t) = max(t, 0) + log1p(e^{-|t|}), which never overflows
        soft = (xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))) / x.dtype.type(beta)
        return xp.where(bx > threshold, x, soft)

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta
        return where(bx > ctx.threshold, grad, grad * bx.sigmoid()), None, None


class Hardtanh(ArrayFunction):
    r""":math:`z = \min(\max(x, a), b)`; gradient :math:`g` strictly inside :math:`(a, b)`,
    0 elsewhere (PyTorch's ``hardtanh_backward``; ``clamp`` counts the ends as inside)."""

    @staticmethod
    def forward(ctx: Node, x: Array, lo, hi) -> Array:
        out = get_array_module(x).clip(x, x.dtype.type(lo), x.dtype.type(hi))
        ctx.save_for_backward(out)  # lo < x < hi exactly where lo < out < hi
        ctx.lo, ctx.hi = lo, hi
        return out

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        (out,) = ctx.saved_tensors
        return grad * ((out > ctx.lo) & (out < ctx.hi)).to(grad.dtype), None, None


__all__ = [
    "Elu",
    "Erf",
    "Gelu",
    "GeluTanh",
    "Hardtanh",
    "LeakyRelu",
    "Softplus",
    "erf_array",
]
