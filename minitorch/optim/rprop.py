r"""Rprop (Riedmiller & Braun, 1993): resilient backpropagation, which uses only the
*sign* of each gradient coordinate.

Each coordinate keeps its own step size :math:`\Delta`. With the previous gradient
:math:`g_{t-1}` (set to 0 after a sign change) and :math:`s = \operatorname{sign}(g_t
g_{t-1})`:

.. math::

    \Delta_t = \operatorname{clip}\left(\Delta_{t-1} \cdot
        \begin{cases} \eta_+ & s > 0 \\ \eta_- & s < 0 \\ 1 & s = 0 \end{cases},
        \ \Delta_{min}, \Delta_{max}\right), \qquad
    \theta_t = \theta_{t-1} - \operatorname{sign}(g_t) \Delta_t

except that where :math:`s < 0` (the last step jumped over a minimum) :math:`g_t` is
taken as 0: no step, and no sign comparison next time. :math:`\Delta_0 = \gamma`
(``lr``). State: ``step``, ``prev`` (:math:`g_{t-1}`), ``step_size`` (:math:`\Delta`).
"""

from __future__ import annotations

from typing import Any

from minitorch._backend import get_array_module
from minitorch.optim._checks import check_hyperparameters
from minitorch.optim.optimizer import (
    Optimizer,
    ParamsT,
    _increment,
    _new_step,
    _zeros_like,
)
from minitorch.tensor import Tensor

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop (see the module docstring for the update rule).

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 1e-2
        Initial step size :math:`\Delta_0`.
    etas : tuple of float, default (0.5, 1.2)
        :math:`(\eta_-, \eta_+)`, with :math:`0 < \eta_- < 1 < \eta_+`.
    step_sizes : tuple of float, default (1e-6, 50)
        :math:`(\Delta_{min}, \Delta_{max})`.
    capturable, foreach, maximize, differentiable
        As in PyTorch (see :mod:`minitorch.optim.optimizer`).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_hyperparameters(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        etaminus, etaplus = group["etas"]
        step_min, step_max = group["step_sizes"]
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _new_step()
            state["prev"] = _zeros_like(p)
            state["step_size"] = _zeros_like(p)
            state["step_size"]._data[...] = group["lr"]
        _increment(state["step"])
        g = p.grad._data
        if group["maximize"]:
            g = -g
        xp = get_array_module(g)
        prev, step_size = state["prev"]._data, state["step_size"]._data
        s = xp.sign(g * prev)
        factor = xp.where(s > 0, etaplus, xp.where(s < 0, etaminus, 1.0)).astype(g.dtype)
        step_size *= factor
        xp.clip(step_size, step_min, step_max, out=step_size)
        g = xp.where(s < 0, 0, g).astype(g.dtype)
        p._data -= xp.sign(g) * step_size
        prev[...] = g
        p._bump_version()
