"""Each op family's Functions module and its ``_api`` module import each other; a program
may import either first. Each case runs in a fresh interpreter, so nothing was loaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
USE = ("import minitorch, minitorch.nn.functional as F; x = minitorch.randn(1, 1, 4, 4); "
       "F.conv2d(x, minitorch.randn(1, 1, 3, 3)); F.max_pool2d(x, 2); F.unfold(x, 2); "
       "F.conv_transpose2d(x, minitorch.randn(1, 1, 2, 2)); print('ok')")


@pytest.mark.parametrize("first", ["conv_api", "pool_api", "conv_transpose_api", "fold_api",
                                   "sorting_api", "elementwise_api", "reduction_api"])
def test_api_module_imported_first(first):
    proc = subprocess.run([sys.executable, "-c", f"import minitorch.ops.{first}; {USE}"],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]
