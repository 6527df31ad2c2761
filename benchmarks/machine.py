"""What the numbers were measured on: CPU, cores, library versions, BLAS and threads."""

from __future__ import annotations

import ctypes
import os
import platform
import re
from types import ModuleType
from typing import Any

import numpy as np


def cpu_model() -> str:
    """The CPU's ``model name`` from ``/proc/cpuinfo`` (falls back to ``platform``)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def numpy_blas() -> dict[str, Any]:
    """The BLAS NumPy was built against (name, version, configuration)."""
    try:
        config = np.show_config(mode="dicts")
        blas = dict(config["Build Dependencies"]["blas"])
        return {k: blas.get(k) for k in ("name", "version", "openblas configuration") if k in blas}
    except Exception:  # noqa: BLE001  (older NumPy: no dict mode)
        return {}


def openblas_threads() -> int | None:
    """Threads NumPy's OpenBLAS will use, asked from the loaded library itself.

    The library is found in this process's memory map (``/proc/self/maps``); its
    ``*get_num_threads*`` entry point differs between builds (``openblas_get_num_threads``,
    NumPy's wheels' ``scipy_openblas_get_num_threads64_``), so several names are tried.
    """
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
    except OSError:
        return None
    names = ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
             "scipy_openblas_get_num_threads", "openblas_get_num_threads")
    for path in sorted(paths):
        if "torch" in path:  # only NumPy's copy interests us
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in names:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn.restype = ctypes.c_int
                return int(fn())
    return None


def torch_blas(torch: ModuleType) -> str:
    """torch's BLAS and LAPACK, and its oneDNN version, from ``torch.__config__.show()``."""
    try:
        config = torch.__config__.show()
    except Exception:  # noqa: BLE001
        return ""
    found = re.findall(r"(BLAS_INFO=\w+|LAPACK_INFO=\w+|MKL-DNN v[\d.]+|OpenMP \d+)", config)
    return ", ".join(dict.fromkeys(found))


def machine_info(torch: ModuleType) -> dict[str, Any]:
    """Everything needed to read the results later: hardware, versions, threads."""
    import minitorch  # only here: torch worker processes import this module too
    from minitorch.kernels.threads import usable_cores

    np.ones((64, 64)) @ np.ones((64, 64))  # make sure OpenBLAS is loaded before asking it
    return {
        "cpu_model": cpu_model(),
        "cores_logical": os.cpu_count(),
        "cores_usable": usable_cores(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "numpy_blas": numpy_blas(),
        "torch_blas": torch_blas(torch),
        "threads": {
            "torch_intra_op": torch.get_num_threads(),
            "torch_inter_op": torch.get_num_interop_threads(),
            "numpy_openblas": openblas_threads(),
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
            "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
            "OPENBLAS_THREAD_TIMEOUT": os.environ.get("OPENBLAS_THREAD_TIMEOUT"),
            "minitorch_copies": minitorch.get_num_threads(),
        },
    }
