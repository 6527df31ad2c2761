"""NumPy's floating-point warnings turned off once for a whole pass, not once per op.

Arithmetic on inf and NaN makes NumPy warn (``inf - inf``) where PyTorch is silent, so
``Function.apply`` runs every built-in forward under ``np.errstate(all="ignore")``.
Entering that costs about 0.7 us, a large part of a small op's time. The engine runs a
whole backward pass inside one :class:`quiet_numpy`, which also sets ``state.on`` for
this thread; ``apply`` then skips its own ``errstate``.
"""

from __future__ import annotations

import threading

import numpy as np


class _State(threading.local):
    on = False  # True while this thread runs inside ``quiet_numpy()``


state = _State()


class quiet_numpy:
    """``np.errstate(all="ignore")``, flagged on this thread for the ops run inside."""

    def __enter__(self) -> None:
        self._errstate, self._prev = np.errstate(all="ignore"), state.on
        self._errstate.__enter__()
        state.on = True

    def __exit__(self, *exc) -> None:
        state.on = self._prev
        self._errstate.__exit__(*exc)
