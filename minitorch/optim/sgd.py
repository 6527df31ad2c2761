r"""Stochastic gradient descent, optionally with (Nesterov) momentum.

With gradient :math:`g_t` (negated if ``maximize``, plus :math:`\lambda\theta_{t-1}`
if ``weight_decay`` :math:`\lambda \ne 0`), momentum :math:`\mu`, dampening
:math:`\tau` and learning rate :math:`\gamma`:

.. math::

    b_1 = g_1, \qquad b_t = \mu b_{t-1} + (1 - \tau) g_t \\
    d_t = g_t + \mu b_t \ \text{(nesterov)}, \quad d_t = b_t \ \text{(otherwise)},
    \quad d_t = g_t \ \text{(if } \mu = 0) \\
    \theta_t = \theta_{t-1} - \gamma d_t

The buffer :math:`b` is kept in ``state[p]["momentum_buffer"]`` (only when
:math:`\mu \ne 0`, as in PyTorch).
"""

from __future__ import annotations

from typing import Any

from minitorch._backend import get_array_module
from minitorch.kernels.threads import split_kernel, worth_splitting
from minitorch.optim.optimizer import (
    Optimizer,
    ParamsT,
    _effective_grad,
    _zeros_like,
)
from minitorch.tensor import Tensor

__all__ = ["SGD"]

# SGD with momentum takes about as long as this many ReLU passes over the parameter
# (about 4 plain copies), the unit of split_kernel's threshold.
_MOMENTUM_PASSES = 2


def _momentum_rows(data, g, b, first, momentum, dampening, lr, nesterov) -> None:
    r"""One momentum step on (rows of) one parameter, in place: the buffer ``b``
    (:math:`b \leftarrow g` on the first step, else :math:`\mu b + (1 - \tau) g`), then
    ``data`` (:math:`\theta \leftarrow \theta - \gamma\,(g + \mu b)` with Nesterov,
    else :math:`\theta - \gamma b`)."""
    if first:
        b[...] = g
    else:
        b *= momentum
        b += g if dampening == 0 else (1 - dampening) * g
    data -= lr * (g + momentum * b if nesterov else b)


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum).

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 1e-3
        Learning rate :math:`\gamma`.
    momentum : float, default 0
        Momentum factor :math:`\mu`.
    dampening : float, default 0
        Dampening :math:`\tau` for momentum.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    nesterov : bool, default False
        Use Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    foreach, differentiable, fused
        Accepted for compatibility with PyTorch (see :mod:`minitorch.optim.optimizer`).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        """Apply one SGD step to parameter ``p`` (which has a gradient)."""
        g = _effective_grad(p, group)
        momentum, lr = group["momentum"], group["lr"]
        if momentum == 0:
            p._data -= lr * g
            p._bump_version()
            return
        state = self.state[p]
        buf = state.get("momentum_buffer")
        first = buf is None  # the first step: b_1 = g_1
        if first:
            buf = state["momentum_buffer"] = _zeros_like(p)
        b, data, dampening = buf._data, p._data, group["dampening"]
        nesterov = group["nesterov"]

        if data.ndim == 0 or not worth_splitting(_MOMENTUM_PASSES * data.nbytes):
            _momentum_rows(data, g, b, first, momentum, dampening, lr, nesterov)
        else:  # split over cores when large (the same numbers either way)

            def run(rows: slice) -> None:  # elementwise: rows are independent
                _momentum_rows(data[rows], g[rows], b[rows], first, momentum, dampening, lr,
                               nesterov)

            split_kernel(run, len(data), _MOMENTUM_PASSES * data.nbytes, get_array_module(data))
        p._bump_version()
