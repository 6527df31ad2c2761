r"""RAdam (Liu et al., 2019): Adam whose adaptive step is switched on only once the
variance of the second-moment estimate is tractable.

With gradient :math:`g_t` (``maximize``/``weight_decay``/``decoupled_weight_decay`` as in
:class:`~minitorch.optim.NAdam`), :math:`m_t, v_t` as in Adam, and

.. math::

    \rho_\infty = \frac{2}{1 - \beta_2} - 1, \qquad
    \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t}, \qquad
    \hat m_t = \frac{m_t}{1 - \beta_1^t}:

if :math:`\rho_t > 5`,

.. math::

    r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}
                     {(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}}, \qquad
    \theta_t = \theta_{t-1} - \gamma \hat m_t \frac{\sqrt{1 - \beta_2^t}}
                                          {\sqrt{v_t} + \epsilon} r_t

else :math:`\theta_t = \theta_{t-1} - \gamma \hat m_t` (plain momentum SGD). State:
``step``, ``exp_avg``, ``exp_avg_sq``.
"""

from __future__ import annotations

from typing import Any

from minitorch._backend import get_array_module
from minitorch.optim._checks import check_hyperparameters
from minitorch.optim.nadam import decay_and_update_moments
from minitorch.optim.optimizer import (
    Optimizer,
    ParamsT,
    _increment,
    _new_step,
    _zeros_like,
)
from minitorch.tensor import Tensor

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam (see the module docstring for the update rule).

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 1e-3
        Learning rate :math:`\gamma`.
    betas : tuple of float, default (0.9, 0.999)
        Decay rates of the moment averages.
    eps : float, default 1e-8
        Added to the denominator.
    weight_decay : float, default 0
        Weight decay :math:`\lambda`.
    decoupled_weight_decay : bool, default False
        Shrink the weights directly instead of adding an L2 gradient.
    foreach, maximize, capturable, differentiable
        As in PyTorch (see :mod:`minitorch.optim.optimizer`).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        check_hyperparameters(lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        lr, (beta1, beta2) = group["lr"], group["betas"]
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _new_step()
            state["exp_avg"] = _zeros_like(p)
            state["exp_avg_sq"] = _zeros_like(p)
        t = _increment(state["step"])
        xp = get_array_module(decay_and_update_moments(p, group, state))
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        bias1, bias2 = 1 - beta1**t, 1 - beta2**t
        m_hat = m / bias1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * (beta2**t) / bias2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = (bias2**0.5) / (xp.sqrt(v) + group["eps"])
            p._data -= m_hat * lr * adaptive * rect
        else:
            p._data -= m_hat * lr
        p._bump_version()
