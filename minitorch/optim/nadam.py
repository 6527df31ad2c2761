r"""NAdam (Dozat, 2016): Adam with Nesterov momentum and a warming-up momentum schedule.

With gradient :math:`g_t` (negated if ``maximize``; ``weight_decay`` adds
:math:`\lambda\theta_{t-1}`, or shrinks :math:`\theta` by :math:`1 - \gamma\lambda` when
``decoupled_weight_decay``) and momentum decay :math:`\psi`:

.. math::

    \mu_t = \beta_1 \left(1 - \tfrac12 \, 0.96^{t\psi}\right), \qquad
    \Pi_t = \prod_{i \le t} \mu_i, \\
    m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
    v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \qquad
    d_t = \sqrt{v_t / (1 - \beta_2^t)} + \epsilon, \\
    \theta_t = \theta_{t-1}
        - \gamma \frac{1 - \mu_t}{1 - \Pi_t} \frac{g_t}{d_t}
        - \gamma \frac{\mu_{t+1}}{1 - \Pi_t \mu_{t+1}} \frac{m_t}{d_t}

The two terms are the Nesterov look-ahead: the current gradient, and the momentum as
it will be one step later. State: ``step``, ``mu_product`` (:math:`\Pi_t`, a float32
0-d tensor like PyTorch's, so it is rounded to float32 each step), ``exp_avg``,
``exp_avg_sq``. (After ``load_state_dict`` it takes the parameter's dtype, as in
PyTorch.)
"""

from __future__ import annotations

from typing import Any

import minitorch
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

__all__ = ["NAdam"]


def decay_and_update_moments(p: Tensor, group: dict[str, Any], state: dict[str, Any]):
    r"""The steps NAdam and RAdam share with Adam: weight decay (decoupled:
    :math:`\theta \leftarrow (1 - \gamma\lambda)\theta`, else L2 in the gradient), then
    :math:`m \leftarrow m + (1 - \beta_1)(g - m)` (PyTorch's ``lerp_``) and
    :math:`v \leftarrow \beta_2 v + (1 - \beta_2) g^2`, in place. Returns :math:`g`."""
    beta1, beta2 = group["betas"]
    decoupled = group["decoupled_weight_decay"]
    if decoupled and group["weight_decay"] != 0:
        p._data *= 1 - group["lr"] * group["weight_decay"]
    g = _effective_grad(p, group, l2=not decoupled)
    m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
    m += (1 - beta1) * (g - m)
    v *= beta2
    v += (1 - beta2) * g * g
    return g


class NAdam(Optimizer):
    r"""NAdam (see the module docstring for the update rule).

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 2e-3
        Learning rate :math:`\gamma`.
    betas : tuple of float, default (0.9, 0.999)
        Decay rates of the moment averages.
    eps : float, default 1e-8
        Added to the denominator.
    weight_decay : float, default 0
        Weight decay :math:`\lambda`.
    momentum_decay : float, default 4e-3
        :math:`\psi` in the momentum schedule.
    decoupled_weight_decay : bool, default False
        Shrink the weights directly (NAdamW) instead of adding an L2 gradient.
    foreach, maximize, capturable, differentiable
        As in PyTorch (see :mod:`minitorch.optim.optimizer`).
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_hyperparameters(lr, eps=eps, betas=betas, weight_decay=weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        lr, (beta1, beta2) = group["lr"], group["betas"]
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _new_step()
            state["mu_product"] = minitorch.tensor(1.0, dtype=minitorch.float32,
                                                   device=p.device)
            state["exp_avg"] = _zeros_like(p)
            state["exp_avg_sq"] = _zeros_like(p)
        t = _increment(state["step"])
        g = decay_and_update_moments(p, group, state)
        xp = get_array_module(g)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * group["momentum_decay"]))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * group["momentum_decay"]))
        prod = state["mu_product"]
        prod._data[...] = prod._data * prod._data.dtype.type(mu)  # in the state's dtype
        mu_product = float(prod._data)
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        denom = xp.sqrt(v / (1 - beta2**t))
        denom += group["eps"]
        p._data += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
        p._data += ((-lr * mu_next) / (1.0 - mu_product * mu_next)) * (m / denom)
        p._bump_version()
