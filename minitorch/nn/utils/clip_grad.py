r"""Gradient clipping: keep one bad batch from throwing the weights far away.

* ``clip_grad_norm_`` rescales all gradients together so that their joint norm is at most
  ``max_norm``. With :math:`g_1, \dots, g_k` the parameters' gradients,

  .. math::

      \|g\|_p = \Big\|\big(\|g_1\|_p, \dots, \|g_k\|_p\big)\Big\|_p, \qquad
      g_i \leftarrow g_i \cdot \min\Big(1, \frac{\text{max\_norm}}{\|g\|_p + 10^{-6}}\Big),

  which keeps the update's direction and only shortens it.
* ``clip_grad_value_`` clamps every gradient entry into ``[-clip_value, clip_value]``,
  which can change the direction.

Both work in place on ``.grad`` and record no graph.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..._creation import tensor
from ...autograd.grad_mode import no_grad
from ...ops.shape import stack
from ...tensor import Tensor


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale the gradients of ``parameters`` in place so their joint norm is <= ``max_norm``.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensors
        Those without a gradient are skipped.
    max_norm : float
        Largest joint norm allowed.
    norm_type : float
        ``p`` of the p-norm; ``float('inf')`` for the largest absolute entry.
    error_if_nonfinite : bool
        Raise ``RuntimeError`` if the joint norm is nan or inf (else the gradients are
        scaled by it anyway, as in PyTorch).
    foreach : ignored (accepted for PyTorch compatibility).

    Returns
    -------
    Tensor
        The joint norm *before* clipping (a 0-d tensor).
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return tensor(0.0)
    with no_grad():
        total = stack([g.detach().norm(norm_type) for g in grads]).norm(norm_type)
        if error_if_nonfinite and not math.isfinite(total.item()):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is "
                "non-finite, so it cannot be clipped. To disable this error and scale the "
                "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
            )
        coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef.to(g.dtype))
    return total


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient entry of ``parameters`` into ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(parameters):
            g.clamp_(-clip_value, clip_value)
