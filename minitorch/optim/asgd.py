r"""ASGD: averaged stochastic gradient descent (Polyak & Juditsky, 1992).

SGD with a decaying step size, plus a running average :math:`\bar\theta` of the iterates
(started after ``t0`` steps) that is often a better solution than the last iterate.
With gradient :math:`g_t` (negated if ``maximize``, plus :math:`\lambda\theta_{t-1}` for
``weight_decay``):

.. math::

    \theta_t = (1 - \lambda_d \eta_{t-1})\,\theta_{t-1} - \eta_{t-1} g_t, \qquad
    \bar\theta_t = \bar\theta_{t-1} + \mu_{t-1} (\theta_t - \bar\theta_{t-1}), \\
    \eta_t = \frac{\gamma}{(1 + \lambda_d \gamma t)^\alpha}, \qquad
    \mu_t = \frac{1}{\max(1, t - t_0)}

(:math:`\lambda_d` is ``lambd``; with :math:`\mu = 1` the average is the iterate
itself). State: ``step``, ``eta``, ``mu`` (0-d float32 tensors, as in PyTorch, so
:math:`\eta` and :math:`\mu` are rounded to float32) and ``ax`` (:math:`\bar\theta`).
"""

from __future__ import annotations

from typing import Any

import minitorch
from minitorch.optim._checks import check_hyperparameters
from minitorch.optim.optimizer import (
    Optimizer,
    ParamsT,
    _effective_grad,
    _increment,
    _zeros_like,
)
from minitorch.tensor import Tensor

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""ASGD (see the module docstring for the update rule).

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 1e-2
        Learning rate :math:`\gamma`.
    lambd : float, default 1e-4
        Decay term :math:`\lambda_d`.
    alpha : float, default 0.75
        Power :math:`\alpha` of the step-size decay.
    t0 : float, default 1e6
        Step at which averaging starts.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    foreach, maximize, differentiable, capturable
        As in PyTorch (see :mod:`minitorch.optim.optimizer`).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        check_hyperparameters(lr, weight_decay=weight_decay)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        lr, lambd = group["lr"], group["lambd"]
        state = self.state[p]
        if len(state) == 0:  # as in PyTorch, all four live on the parameter's device
            state["step"] = minitorch.tensor(0.0, dtype=minitorch.float32, device=p.device)
            state["eta"] = minitorch.tensor(float(lr), dtype=minitorch.float32, device=p.device)
            state["mu"] = minitorch.tensor(1.0, dtype=minitorch.float32, device=p.device)
            state["ax"] = _zeros_like(p)
        t = _increment(state["step"])
        g = _effective_grad(p, group)
        eta = float(state["eta"]._data)
        data, ax = p._data, state["ax"]._data
        data *= 1 - lambd * eta
        data -= eta * g
        mu = state["mu"]._data
        if float(mu) != 1:
            ax += (data - ax) * float(mu)
        else:
            ax[...] = data
        # PyTorch makes both with torch.as_tensor, i.e. in the default float dtype, then
        # copies them into the state (float32, or the parameter's dtype after loading).
        rounded = minitorch.get_default_dtype().np.type
        state["eta"]._data[...] = rounded(lr / ((1 + lambd * lr * t) ** group["alpha"]))
        mu[...] = rounded(1 / max(1, t - group["t0"]))
        p._bump_version()
