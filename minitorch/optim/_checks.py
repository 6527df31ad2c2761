"""Argument checks shared by the optimizers, with PyTorch's messages."""

from __future__ import annotations


def check_hyperparameters(lr: float, *, eps: float | None = None,
                          betas: tuple[float, float] | None = None,
                          weight_decay: float | None = None) -> None:
    """Raise ``ValueError`` like PyTorch for a negative ``lr``/``eps``/``weight_decay`` or a
    beta outside ``[0, 1)``."""
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if eps is not None and not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if betas is not None:
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
    if weight_decay is not None and not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
