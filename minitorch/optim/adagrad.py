r"""Adagrad: per-coordinate learning rates from accumulated squared gradients.

With gradient :math:`g_t` (negated if ``maximize``, plus :math:`\lambda\theta_{t-1}`
for ``weight_decay``) and learning-rate decay :math:`\eta`:

.. math::

    \tilde\gamma_t = \frac{\gamma}{1 + (t - 1)\eta}, \qquad
    s_t = s_{t-1} + g_t^2, \qquad
    \theta_t = \theta_{t-1} - \tilde\gamma_t \frac{g_t}{\sqrt{s_t} + \epsilon}

Coordinates that saw large gradients take smaller steps. :math:`s_0` is
``initial_accumulator_value``. As in PyTorch, the state (``step`` and ``sum``)
is created for every parameter in the constructor.
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

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (see the module docstring for the update rule).

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 1e-2
        Learning rate :math:`\gamma`.
    lr_decay : float, default 0
        Learning-rate decay :math:`\eta`.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    initial_accumulator_value : float, default 0
        Starting value :math:`s_0` of the squared-gradient sums.
    eps : float, default 1e-10
        Added to the denominator for numerical stability.
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    foreach, differentiable, fused
        Accepted for compatibility with PyTorch.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        """Create ``step`` = 0 and ``sum`` = ``initial_accumulator_value``."""
        state = self.state[p]
        state["step"] = _new_step()
        state["sum"] = _zeros_like(p)
        state["sum"]._data += group["initial_accumulator_value"]

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        """Apply one Adagrad step to parameter ``p`` (which has a gradient)."""
        state = self.state[p]
        if len(state) == 0:  # p came in a group added after construction
            self._init_state(p, group)
        t = _increment(state["step"])
        g = _effective_grad(p, group)
        clr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        s = state["sum"]._data
        s += g * g
        std = get_array_module(s).sqrt(s)
        std += group["eps"]
        update = g / std
        update *= clr
        p._data -= update
        p._bump_version()
