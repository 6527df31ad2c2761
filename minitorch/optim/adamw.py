r"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

Plain Adam with ``weight_decay`` adds :math:`\lambda\theta` to the gradient, so the
decay is rescaled by the adaptive denominator. AdamW instead shrinks the weights
directly before the Adam update,

.. math::

    \theta_{t-1} \leftarrow (1 - \gamma\lambda)\,\theta_{t-1},

and leaves the moment estimates untouched. It is :class:`~minitorch.optim.Adam`
with ``decoupled_weight_decay=True`` and a default ``weight_decay`` of ``1e-2``.
"""

from __future__ import annotations

from minitorch.optim.adam import Adam
from minitorch.optim.optimizer import ParamsT

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""Adam with decoupled weight decay.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimize.
    lr : float, default 1e-3
        Learning rate :math:`\gamma`.
    betas : tuple of float, default (0.9, 0.999)
        Decay rates of the moment averages.
    eps : float, default 1e-8
        Added to the denominator for numerical stability.
    weight_decay : float, default 1e-2
        Decoupled weight decay :math:`\lambda`.
    amsgrad : bool, default False
        Use the AMSGrad variant.
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    foreach, capturable, differentiable, fused
        Accepted for compatibility with PyTorch.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
