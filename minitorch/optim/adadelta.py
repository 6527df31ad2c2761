r"""Adadelta (Zeiler, 2012): step sizes from running averages of squared gradients and
squared updates, so no learning rate is strictly needed.

With gradient :math:`g_t` (negated if ``maximize``, plus :math:`\lambda\theta_{t-1}` for
``weight_decay``), decay :math:`\rho` and learning rate :math:`\gamma`:

.. math::

    v_t = \rho v_{t-1} + (1 - \rho) g_t^2, \qquad
    \Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}} \, g_t, \\
    u_t = \rho u_{t-1} + (1 - \rho) \Delta_t^2, \qquad
    \theta_t = \theta_{t-1} - \gamma \Delta_t

The ratio of the two root-mean-squares gives each coordinate's step the units of the
parameter. State: ``step``, ``square_avg`` (:math:`v`), ``acc_delta`` (:math:`u`).
"""

from __future__ import annotations

from typing import Any

from minitorch._backend import get_array_module
from minitorch.optim._checks import check_hyperparameters
from minitorch.optim.optimizer import (
    Optimizer,
    ParamsT,
    _effective_grad,
    _increment,
    _new_step,
    _zeros_like,
)
from minitorch.tensor import Tensor

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (see the module docstring for the update rule).

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 1.0
        Scale :math:`\gamma` of the update.
    rho : float, default 0.9
        Decay :math:`\rho` of the running averages.
    eps : float, default 1e-6
        Added inside the square roots.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    foreach, capturable, maximize, differentiable
        As in PyTorch (see :mod:`minitorch.optim.optimizer`).
    """

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_hyperparameters(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_hyperparameters(lr, eps=eps, weight_decay=weight_decay)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        rho, eps, lr = group["rho"], group["eps"], group["lr"]
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _new_step()
            state["square_avg"] = _zeros_like(p)
            state["acc_delta"] = _zeros_like(p)
        _increment(state["step"])
        g = _effective_grad(p, group)
        xp = get_array_module(g)
        v, u = state["square_avg"]._data, state["acc_delta"]._data
        v *= rho
        v += (1 - rho) * g * g
        delta = xp.sqrt(u + eps)
        delta /= xp.sqrt(v + eps)
        delta *= g
        u *= rho
        u += (1 - rho) * delta * delta
        p._data -= lr * delta
        p._bump_version()
