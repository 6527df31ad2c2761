"""Reverse-mode automatic differentiation: ``Function``, ``backward``, ``grad``, grad modes,
anomaly mode, ``functional`` (jacobian, hessian, ...) and ``graph`` (hooks, saved tensors)."""

from . import functional, graph
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .engine_api import backward, grad
from .function import Function, once_differentiable
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = [
    "Function",
    "GradcheckError",
    "Variable",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "no_grad",
    "once_differentiable",
    "set_detect_anomaly",
    "set_grad_enabled",
]


def __getattr__(name: str):
    """``autograd.Variable`` is imported on first use: it is built on ``minitorch.tensor``,
    which itself imports this package."""
    if name == "Variable":
        from .variable import Variable

        return Variable
    raise AttributeError(f"module 'minitorch.autograd' has no attribute '{name}'")
