"""Switching graph recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``."""

from __future__ import annotations

import functools
import threading


class _State(threading.local):
    enabled = True
    inference = False


_state = _State()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are recorded in a graph."""
    return _state.enabled


class _GradModeContext:
    """Base of the three context managers; each also works as a decorator."""

    _mode: bool

    def __enter__(self) -> None:
        self._prev = _state.enabled
        _state.enabled = self._mode

    def __exit__(self, *exc) -> None:
        _state.enabled = self._prev

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with _clone(self):
                return func(*args, **kwargs)

        return wrapper


def _clone(ctx: _GradModeContext) -> _GradModeContext:
    new = ctx.__class__.__new__(ctx.__class__)
    new._mode = ctx._mode
    return new


class no_grad(_GradModeContext):
    """Context manager / decorator that disables graph recording (inference, optimizer steps).

    Works as ``with no_grad():``, ``@no_grad()`` and, like PyTorch, bare ``@no_grad``.
    """

    def __new__(cls, func=None):
        self = super().__new__(cls)
        self._mode = False
        return self(func) if callable(func) else self


class enable_grad(_GradModeContext):
    """Context manager / decorator that re-enables graph recording inside ``no_grad``."""

    def __init__(self) -> None:
        self._mode = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode to ``mode`` (also immediately, like PyTorch, when used as a function)."""

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._prev = _state.enabled
        _state.enabled = self._mode

    def __enter__(self) -> None:
        pass  # already applied in __init__

    def __call__(self, func):
        _state.enabled = self._prev  # used as a decorator: undo the immediate effect
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            prev = _state.enabled
            _state.enabled = mode
            try:
                return func(*args, **kwargs)
            finally:
                _state.enabled = prev

        return wrapper


class inference_mode(_GradModeContext):
    """``no_grad`` for inference: ``with inference_mode():``, ``@inference_mode()``, or bare
    ``@inference_mode``; ``inference_mode(False)`` changes nothing.

    PyTorch additionally marks tensors made inside as "inference tensors" that autograd
    refuses later; minitorch has no such tensors, so this is exactly ``no_grad`` (see the
    README's differences).
    """

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        self._mode = True if callable(mode) else bool(mode)
        return self(mode) if callable(mode) else self

    def __enter__(self) -> None:
        self._prev = _state.enabled, _state.inference
        if self._mode:
            _state.enabled, _state.inference = False, True

    def __exit__(self, *exc) -> None:
        _state.enabled, _state.inference = self._prev


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()``."""
    return _state.inference
