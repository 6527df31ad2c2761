"""Switching graph recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``."""

from __future__ import annotations

import functools
import threading


class _State(threading.local):
    enabled = True


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
    """Context manager / decorator that disables graph recording (inference, optimizer steps)."""

    def __init__(self) -> None:
        self._mode = False


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
