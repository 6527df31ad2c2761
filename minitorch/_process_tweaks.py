"""Process-wide settings minitorch changes when it is imported, and how to turn them off.

Importing minitorch changes two things about the whole Python process (they affect NumPy
and everything else in it, not only minitorch). Both are for speed; neither changes a
result.

1. ``OPENBLAS_THREAD_TIMEOUT=22`` (environment variable, only if NumPy is not loaded yet
   and the variable is not already set). NumPy's OpenBLAS keeps its idle threads spinning
   for ~0.1 s after every matrix product (2**28 cycles), which holds the second core that
   minitorch's large copies split onto (:func:`minitorch.kernels.threads.split_work`).
   2**22 cycles (~1.5 ms) still bridges back-to-back products but frees the core during
   a convolution's copies. OpenBLAS reads it once, when NumPy loads it.
   **To turn it off:** set ``OPENBLAS_THREAD_TIMEOUT`` yourself (any value you set wins),
   or import NumPy before minitorch.

2. glibc's ``mallopt`` mmap and trim thresholds raised to 1 GiB (Linux with glibc only).
   NumPy allocates a fresh array for every op result; by default glibc hands blocks above
   128 KiB straight back to the kernel when they are freed, so the next op's array of the
   same size page-faults its memory in again (measured: ~20% of a CNN training step).
   Raising the thresholds keeps freed blocks for reuse, like the caching allocators of
   deep learning frameworks. **To turn it off:** set ``MINITORCH_KEEP_FREED_MEMORY=0``
   before importing minitorch. It has no effect off glibc (macOS, Windows, musl).

This module imports nothing heavy, and ``minitorch/__init__.py`` imports it first.
"""

from __future__ import annotations

import ctypes
import os
import sys


def _shorter_openblas_spin() -> None:
    """Setting 1 above."""
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "22")


def _keep_freed_memory() -> None:
    """Setting 2 above."""
    if os.environ.get("MINITORCH_KEEP_FREED_MEMORY", "1") == "0" or not sys.platform.startswith(
        "linux"
    ):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_mmap_threshold, 1 << 30)
        libc.mallopt(m_trim_threshold, 1 << 30)
    except (OSError, AttributeError):
        pass


_shorter_openblas_spin()
_keep_freed_memory()
