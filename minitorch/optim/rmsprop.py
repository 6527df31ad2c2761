r"""RMSprop: divide the gradient by a running root-mean-square (Hinton, 2012).

With gradient :math:`g_t` (negated if ``maximize``, plus :math:`\lambda\theta_{t-1}`
for ``weight_decay``), smoothing constant :math:`\alpha`, momentum :math:`\mu`:

.. math::

    v_t = \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
    \bar g_t = \alpha \bar g_{t-1} + (1 - \alpha) g_t, \quad
    \tilde v_t = v_t - \bar g_t^2 \ \text{(centered)}, \quad
    \tilde v_t = v_t \ \text{(otherwise)} \\
    b_t = \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon), \quad
    \theta_t = \theta_{t-1} - \gamma b_t \ \text{(if } \mu > 0) \\
    \theta_t = \theta_{t-1} - \gamma\, g_t / (\sqrt{\tilde v_t} + \epsilon)
    \ \text{(otherwise)}

Centering estimates the variance rather than the raw second moment. State:
``step``, ``square_avg`` (:math:`v`), ``momentum_buffer`` (if :math:`\mu > 0`),
``grad_avg`` (:math:`\bar g`, if centered).
"""

from __future__ import annotations

from typing import Any

from minitorch._backend import get_array_module
from minitorch.optim.optimizer import (
    Optimizer,
    ParamsT,
    _effective_grad,
    _increment,
    _new_step,
    _zeros_like,
)
from minitorch.tensor import Tensor

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (see the module docstring for the update rule).

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 1e-2
        Learning rate :math:`\gamma`.
    alpha : float, default 0.99
        Smoothing constant :math:`\alpha` of the squared-gradient average.
    eps : float, default 1e-8
        Added to the denominator for numerical stability.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    momentum : float, default 0
        Momentum factor :math:`\mu`.
    centered : bool, default False
        Normalize by an estimate of the gradient's variance.
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    capturable, foreach, differentiable
        Accepted for compatibility with PyTorch.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        """Apply one RMSprop step to parameter ``p`` (which has a gradient)."""
        alpha, momentum, centered = group["alpha"], group["momentum"], group["centered"]
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _new_step()
            state["square_avg"] = _zeros_like(p)
            if momentum > 0:
                state["momentum_buffer"] = _zeros_like(p)
            if centered:
                state["grad_avg"] = _zeros_like(p)
        _increment(state["step"])

        g = _effective_grad(p, group)
        sq = state["square_avg"]._data
        sq *= alpha
        sq += (1 - alpha) * (g * g)
        if centered:
            ga = state["grad_avg"]._data
            ga *= alpha
            ga += (1 - alpha) * g
            var = sq - ga * ga
        else:
            var = sq
        avg = get_array_module(var).sqrt(var)
        avg += group["eps"]
        if momentum > 0:
            buf = state["momentum_buffer"]._data
            buf *= momentum
            buf += g / avg
            p._data -= group["lr"] * buf
        else:
            p._data -= group["lr"] * (g / avg)
        p._bump_version()
