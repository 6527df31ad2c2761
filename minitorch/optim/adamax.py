r"""Adamax (Kingma & Ba, 2015, section 7): Adam with the infinity norm in place of the
second moment.

With gradient :math:`g_t` (negated if ``maximize``, plus :math:`\lambda\theta_{t-1}` for
``weight_decay``):

.. math::

    m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
    u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon), \\
    \theta_t = \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t} \frac{m_t}{u_t}

:math:`u_t` is the limit of :math:`(\beta_2^p v + (1-\beta_2^p)|g|^p)^{1/p}` as
:math:`p \to \infty`, which needs no bias correction. State: ``step``, ``exp_avg``
(:math:`m`), ``exp_inf`` (:math:`u`).
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

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax (see the module docstring for the update rule).

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 2e-3
        Learning rate :math:`\gamma`.
    betas : tuple of float, default (0.9, 0.999)
        Decay of the first moment and of the infinity norm.
    eps : float, default 1e-8
        Added to :math:`|g_t|`.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    foreach, maximize, differentiable, capturable
        As in PyTorch (see :mod:`minitorch.optim.optimizer`).
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        check_hyperparameters(lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _new_step()
            state["exp_avg"] = _zeros_like(p)
            state["exp_inf"] = _zeros_like(p)
        t = _increment(state["step"])
        g = _effective_grad(p, group)
        xp = get_array_module(g)
        m, u = state["exp_avg"]._data, state["exp_inf"]._data
        m += (1 - beta1) * (g - m)
        u *= beta2
        xp.maximum(u, xp.abs(g) + group["eps"], out=u)
        clr = group["lr"] / (1 - beta1**t)
        p._data -= clr * (m / u)
        p._bump_version()
