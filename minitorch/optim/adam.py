r"""Adam: adaptive moment estimation (Kingma & Ba, 2015), with AMSGrad.

With gradient :math:`g_t` (negated if ``maximize``), betas :math:`\beta_1, \beta_2`,
learning rate :math:`\gamma` and weight decay :math:`\lambda`:

.. math::

    g_t \leftarrow g_t + \lambda\theta_{t-1}
        \quad\text{(L2; or } \theta_{t-1} \leftarrow (1 - \gamma\lambda)\theta_{t-1}
        \text{ when decoupled, as in AdamW)} \\
    m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
    v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
    \hat v_t = \max(\hat v_{t-1}, v_t) \ \text{(amsgrad)}, \quad
    \hat v_t = v_t \ \text{(otherwise)} \\
    \theta_t = \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t} \,
        \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

The division by :math:`1 - \beta^t` corrects the bias of moving averages started
at zero. State: ``step`` (0-d float32 tensor), ``exp_avg`` (:math:`m`),
``exp_avg_sq`` (:math:`v`) and, with AMSGrad, ``max_exp_avg_sq``.
"""

from __future__ import annotations

import math
from typing import Any

from minitorch._backend import get_array_module
from minitorch.kernels.threads import split_kernel, worth_splitting
from minitorch.optim.optimizer import (
    Optimizer,
    ParamsT,
    _effective_grad,
    _increment,
    _new_step,
    _zeros_like,
)
from minitorch.tensor import Tensor

__all__ = ["Adam"]

# Adam's update takes about as long as this many ReLU passes over the parameter
# (measured: 14 plain copies), the unit of split_kernel's threshold.
_ADAM_PASSES = 7


def _adam_rows(data, g, m, v, vmax, beta1, beta2, bias2, eps, step) -> None:
    r"""The formulas of the module docstring on (rows of) one parameter, in place: ``m``,
    ``v`` (and ``vmax`` with AMSGrad) and then ``data``. ``bias2`` is
    :math:`\sqrt{1 - \beta_2^t}`, ``step`` is :math:`\gamma / (1 - \beta_1^t)`.

    One in-place operation at a time; one scratch array ``buf`` holds each intermediate
    in turn (the same operations in the same order as with a new array for each, so the
    same numbers, but one allocation per step instead of four).
    """
    xp = get_array_module(v)
    buf = xp.multiply(g, 1 - beta1, out=xp.empty_like(v))
    m *= beta1
    m += buf  # m_t = beta1 m + (1 - beta1) g
    xp.multiply(g, g, out=buf)
    buf *= 1 - beta2
    v *= beta2
    v += buf  # v_t = beta2 v + (1 - beta2) g^2
    if vmax is not None:
        xp.maximum(vmax, v, out=vmax)
        v = vmax
    xp.sqrt(v, out=buf)
    buf /= bias2
    buf += eps  # the denominator sqrt(v_t) / sqrt(1 - beta2^t) + eps
    xp.divide(m, buf, out=buf)
    buf *= step  # the step
    data -= buf


class Adam(Optimizer):
    r"""Adam (see the module docstring for the update rule).

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 1e-3
        Learning rate :math:`\gamma`.
    betas : tuple of float, default (0.9, 0.999)
        Decay rates of the first and second moment averages.
    eps : float, default 1e-8
        Added to the denominator for numerical stability.
    weight_decay : float, default 0
        Weight decay :math:`\lambda` (an L2 penalty unless decoupled).
    amsgrad : bool, default False
        Use the running maximum of :math:`v_t` (AMSGrad).
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    decoupled_weight_decay : bool, default False
        Shrink the weights directly (AdamW) instead of adding an L2 gradient.
    foreach, capturable, differentiable, fused
        Accepted for compatibility with PyTorch (see :mod:`minitorch.optim.optimizer`).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        """Apply one Adam step to parameter ``p`` (which has a gradient)."""
        lr, eps, amsgrad = group["lr"], group["eps"], group["amsgrad"]
        beta1, beta2 = group["betas"]
        decoupled = group["decoupled_weight_decay"]
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _new_step()
            state["exp_avg"] = _zeros_like(p)
            state["exp_avg_sq"] = _zeros_like(p)
            if amsgrad:
                state["max_exp_avg_sq"] = _zeros_like(p)
        t = _increment(state["step"])

        data = p._data
        if decoupled and group["weight_decay"] != 0:
            data *= 1 - lr * group["weight_decay"]
        g = _effective_grad(p, group, l2=not decoupled)
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        vmax = state["max_exp_avg_sq"]._data if amsgrad else None
        xp = get_array_module(v)
        bias2, step = math.sqrt(1 - beta2**t), lr / (1 - beta1**t)

        if data.ndim == 0 or not worth_splitting(_ADAM_PASSES * data.nbytes):
            _adam_rows(data, g, m, v, vmax, beta1, beta2, bias2, eps, step)
        else:  # split over cores when large (the same numbers either way)

            def run(rows: slice) -> None:  # elementwise: rows are independent
                _adam_rows(data[rows], g[rows], m[rows], v[rows],
                           None if vmax is None else vmax[rows], beta1, beta2, bias2, eps, step)

            split_kernel(run, len(data), _ADAM_PASSES * data.nbytes, xp)
        p._bump_version()
