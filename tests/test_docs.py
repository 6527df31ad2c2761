"""Every ```python block of README.md and docs/*.md runs as written.

The blocks of one file are joined, top to bottom, into one script (later blocks use what
earlier ones defined) and run in a fresh interpreter from a temporary folder, so files the
examples write land there. Blocks that are not meant to run are fenced as ```text.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def python_blocks(path: Path) -> list[str]:
    return FENCE.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", [p for p in DOCS if python_blocks(p)],
                         ids=lambda p: str(p.relative_to(REPO)))
def test_python_blocks_run(path: Path, tmp_path: Path) -> None:
    blocks = python_blocks(path)
    script = "\n\n".join(f"# --- block {i + 1} of {path.name}\n{b}" for i, b in enumerate(blocks))
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"{path.name}'s python blocks failed:\n{proc.stderr[-3000:]}"


def test_every_fence_is_labelled() -> None:
    """A bare ``` opening fence would hide a block from this test: label it python or text."""
    for path in DOCS:
        inside = False
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("```"):
                if not inside:
                    assert line.strip() != "```", f"{path.name}:{n}: unlabelled code fence"
                inside = not inside


def test_readme_first_snippet_has_a_nonzero_gradient(tmp_path: Path) -> None:
    """The first snippet's seed puts both rows of x @ w on the active side of the ReLU, so
    w.grad is not zero, and the comment in the README shows the value printed."""
    first = python_blocks(REPO / "README.md")[0]
    proc = subprocess.run([sys.executable, "-c", first], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False,
                          env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.returncode == 0, proc.stderr
    printed = " ".join(proc.stdout.split())
    assert "tensor([[10.9585], [15.2705]])" in printed, printed
    assert "# d loss / d w: tensor([[10.9585], [15.2705]])" in first


def test_readme_svg_is_make_dots_drawing_of_the_snippet() -> None:
    """docs/images/readme_graph.svg shows the nodes and edges make_dot gives for the README's
    snippet (compared by structure, so a newer Graphviz may lay it out differently)."""
    import minitorch as torch
    from minitorch.viz import make_dot

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "![the backward graph of the snippet above](docs/images/readme_graph.svg)" in readme
    torch.manual_seed(1)
    x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    w = torch.randn(2, 1, requires_grad=True)
    loss = ((x @ w).relu() - 1).pow(2).mean()
    source = make_dot(loss, params={"x": x, "w": w}).source
    svg = (REPO / "docs" / "images" / "readme_graph.svg").read_text(encoding="utf-8")
    titles = set(re.findall(r"<title>([^<]*)</title>", svg))
    nodes = set(re.findall(r"^\t(\w+) \[label=", source, re.MULTILINE))
    edges = {f"{a}&#45;&gt;{b}" for a, b in re.findall(r"^\t(\w+) -> (\w+)$", source, re.MULTILINE)}
    assert titles == nodes | edges
    labels = [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    for name in ("MeanBackward0", "PowBackward0", "SubBackward0", "ReluBackward0", "MmBackward0",
                 "x", "w", "(2, 2)", "(2, 1)"):
        assert name in labels, name
