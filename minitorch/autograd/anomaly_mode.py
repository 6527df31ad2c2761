"""Anomaly mode: find the forward line behind a NaN gradient (``torch.autograd.anomaly_mode``).

While it is on, every node records the Python traceback of the forward call that made it
(``node._forward_trace``), and the engine checks each gradient a node returns. When one
holds NaN, PyTorch's warning ``Error detected in SqrtBackward0. Traceback of forward call
that caused the error: ...`` is issued and ``RuntimeError("Function 'SqrtBackward0'
returned nan values in its 0th output.")`` raised. Off (the default) it costs nothing: see
``autograd/_instrument.py``.
"""

from __future__ import annotations

import functools
import warnings

from . import _instrument


def is_anomaly_enabled() -> bool:
    """True while anomaly detection is on."""
    return _instrument.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    """True while anomaly detection also checks gradients for NaN."""
    return _instrument.anomaly and _instrument.check_nan


def _set(mode: bool, check_nan: bool) -> None:
    _instrument.anomaly = bool(mode)
    _instrument.check_nan = bool(check_nan)
    _instrument.refresh()


class detect_anomaly:
    """Context manager / decorator that turns anomaly detection on.

    Parameters
    ----------
    check_nan : bool
        Also raise when a backward function returns NaN (default ``True``).
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            stacklevel=2,
        )

    def __enter__(self) -> None:
        self.prev = (_instrument.anomaly, _instrument.check_nan)
        _set(True, self.check_nan)

    def __exit__(self, *exc) -> None:
        _set(*self.prev)

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return func(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off: as a function call, or as a context manager that
    restores the previous setting on exit.

    Parameters
    ----------
    mode : bool
    check_nan : bool
        Also raise when a backward function returns NaN (default ``True``).
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (_instrument.anomaly, _instrument.check_nan)
        _set(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _set(*self.prev)
