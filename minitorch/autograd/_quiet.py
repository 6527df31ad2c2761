"""NumPy's floating-point warnings turned off once for a whole pass, not once per op.

Arithmetic on inf and NaN makes NumPy warn (``inf - inf``) where PyTorch is silent, so
``Function.apply`` runs every built-in forward with NumPy's errors ignored, as
``np.errstate(all="ignore")`` would. The engine runs a whole backward pass inside one
:class:`quiet_numpy`, which also sets ``state.on`` for this thread; ``apply`` then skips
its own switch.

The switch itself: entering ``np.errstate`` costs about 0.7 us (it builds NumPy's error
state object each time), a large part of a small op's time. Since NumPy 2 that state is
one context variable, so :func:`ignore_errors` sets it to an "ignore all" state built
once, and :func:`restore_errors` resets it (about 0.1 us together). The state built
once has NumPy's default buffer size and no error callback, which is what
``np.errstate(all="ignore")`` gives too unless the caller changed them with
``np.setbufsize``/``np.seterrcall``; with every error ignored the callback is never
called, and the buffer size changes no result. Where NumPy lacks that variable (other
versions), the two functions enter and leave an ``np.errstate``.
"""

from __future__ import annotations

import functools
import threading

import numpy as np


class _State(threading.local):
    on = False  # True while this thread runs inside ``quiet_numpy()``


state = _State()

try:  # NumPy >= 2: the error state is the context variable ``_extobj_contextvar``
    from numpy._core.umath import _extobj_contextvar, _make_extobj

    #: Ignore NumPy's floating-point errors; returns a token for :func:`restore_errors`.
    ignore_errors = functools.partial(_extobj_contextvar.set, _make_extobj(all="ignore"))
    #: Put back the error state that :func:`ignore_errors` replaced (given its token).
    restore_errors = _extobj_contextvar.reset
except ImportError:  # pragma: no cover - other NumPy versions

    def ignore_errors():
        errstate = np.errstate(all="ignore")
        errstate.__enter__()
        return errstate

    def restore_errors(errstate) -> None:
        errstate.__exit__(None, None, None)


class quiet_numpy:
    """``np.errstate(all="ignore")``, flagged on this thread for the ops run inside."""

    def __enter__(self) -> None:
        self._token, self._prev = ignore_errors(), state.on
        state.on = True

    def __exit__(self, *exc) -> None:
        state.on = self._prev
        restore_errors(self._token)
