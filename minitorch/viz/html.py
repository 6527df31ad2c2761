"""``backward_html``: one offline HTML page that plays the backward pass step by step.

The page holds the graph drawn by :func:`make_dot` (inline SVG) and the steps recorded by
:func:`trace_backward`, as JSON, with a few lines of JavaScript: *next* highlights the node
the engine runs at that step (red), earlier ones turn yellow, and the side panel shows the
gradient that arrived and what was sent to each input; the last step lists every leaf's
``.grad``. No network access: no scripts, fonts or styles are fetched.

The page can also be driven from its address, for a quick look or a headless browser:
``page.html#step=3`` opens at step 3, and ``page.html?press=next,next,prev`` presses those
buttons in order and logs the state after each press in ``<pre id="press-log">`` (one JSON
object per line: ``step``, ``node``, ``name``, ``active``, ``info``).
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ._render import write_atomically
from .dot import _param_names, make_dot
from .trace import trace_backward


def _inline_svg(svg: str) -> str:
    """Graphviz's SVG document as an element to paste into HTML (no XML prolog, DOCTYPE or
    namespace URLs, which an HTML page does not need)."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg)
    return re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)


def backward_html(var, path: str | os.PathLike,
                  params: Mapping[str, Any] | Iterable | None = None,
                  title: str = "minitorch: the backward pass, step by step") -> str:
    """Run ``var.backward()`` while recording it, and write the step-through page to ``path``.

    Like calling ``var.backward()`` yourself, this accumulates into the leaves' ``.grad`` and
    frees the graph's saved tensors. ``var`` must hold one element.

    Parameters
    ----------
    var : Tensor
        A one-element tensor with a ``grad_fn`` (a loss).
    path : str or PathLike
        Where to write the page (atomically).
    params : dict name -> Tensor, optional
        Names for the leaves, e.g. ``dict(model.named_parameters())``.

    Returns
    -------
    str
        ``path``.
    """
    graph = make_dot(var, params=params)
    if var.numel() != 1:
        raise RuntimeError("grad can be implicitly created only for scalar outputs")
    names = _param_names(params)
    with trace_backward() as tape:
        var.backward()
    steps = []
    for s in tape:
        leaf = getattr(s.node, "variable", None)
        steps.append({"node": graph.ids.get(s.node), "name": s.name, "text": s.describe(),
                      "leaf": None if leaf is None else (names.get(id(leaf)) or "leaf")})
    page = _PAGE.format(title=html.escape(title), svg=_inline_svg(graph.svg()),
                        steps=json.dumps(steps).replace("</", "<\\/"))
    write_atomically(path, page)
    return os.fspath(path)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 1em; }}
#main {{ display: flex; gap: 1.5em; align-items: flex-start; }}
#graph {{ flex: 1 1 60%; overflow: auto; max-height: 90vh; border: 1px solid #ccc; }}
#side {{ flex: 1 1 40%; }}
#info {{ white-space: pre-wrap; font-family: monospace; background: #f6f6f6; padding: .6em;
         min-height: 6em; }}
#steps li.current {{ font-weight: bold; color: #b00; }}
#steps li.done {{ color: #875f00; }}
g.node.active polygon {{ fill: #ff7b7b; stroke: #b00; stroke-width: 2; }}
g.node.done polygon {{ fill: #fff0a0; }}
button {{ font-size: 1em; margin-right: .3em; }}
</style></head>
<body>
<h2>{title}</h2>
<p>Press <b>next</b> (or the right arrow key) to watch <code>backward()</code> run: the red box
is the node the engine runs now, yellow boxes have run. Arrows show the forward pass;
gradients flow against them.</p>
<div id="main">
<div id="graph">{svg}</div>
<div id="side">
<div><button id="first">first</button><button id="prev">prev</button><button id="next">next
</button><button id="last">last</button> <span id="counter"></span></div>
<h3 id="step-name"></h3>
<div id="info"></div>
<ol id="steps"></ol>
<pre id="press-log"></pre>
</div></div>
<script>
const STEPS = {steps};
let cur = -1;
const byTitle = {{}};
document.querySelectorAll("g.node").forEach(g => {{
  const t = g.querySelector("title"); if (t) byTitle[t.textContent] = g; }});
const list = document.getElementById("steps");
STEPS.forEach((s, i) => {{ const li = document.createElement("li"); li.textContent = s.name;
  li.onclick = () => show(i); list.appendChild(li); }});
function leafSummary() {{
  return STEPS.filter(s => s.leaf !== null).map(s => s.leaf + ": " +
    s.text.split("\\n").filter(l => l.startsWith("leaf .grad")).join("")).join("\\n");
}}
function show(i) {{
  cur = Math.max(-1, Math.min(STEPS.length - 1, i));
  Object.values(byTitle).forEach(g => g.classList.remove("active", "done"));
  STEPS.forEach((s, j) => {{
    const g = byTitle[s.node];
    if (g && j < cur) g.classList.add("done");
    list.children[j].className = j < cur ? "done" : (j === cur ? "current" : "");
  }});
  const s = STEPS[cur];
  if (s && byTitle[s.node]) {{ byTitle[s.node].classList.remove("done");
                               byTitle[s.node].classList.add("active"); }}
  document.getElementById("counter").textContent = "step " + (cur + 1) + " / " + STEPS.length;
  document.getElementById("step-name").textContent = s ? s.name : "before backward()";
  let info = s ? s.text : "Nothing has run yet. The engine starts at the output, with gradient 1.";
  if (cur === STEPS.length - 1) info += "\\n\\nDone. The leaves' .grad:\\n" + leafSummary();
  document.getElementById("info").textContent = info;
}}
const actions = {{ first: () => show(-1), prev: () => show(cur - 1), next: () => show(cur + 1),
                   last: () => show(STEPS.length - 1) }};
Object.keys(actions).forEach(k => document.getElementById(k).onclick = actions[k]);
document.addEventListener("keydown", e => {{
  if (e.key === "ArrowRight") show(cur + 1); if (e.key === "ArrowLeft") show(cur - 1); }});
const m = /step=(-?\\d+)/.exec(location.hash);
show(m ? parseInt(m[1], 10) : -1);
const press = new URLSearchParams(location.search).get("press");
if (press) {{
  const log = document.getElementById("press-log");
  press.split(",").forEach(name => {{
    document.getElementById(name).click();
    const active = Object.keys(byTitle).filter(t => byTitle[t].classList.contains("active"));
    const s = STEPS[cur];
    log.textContent += JSON.stringify({{ step: cur, node: s ? s.node : null,
      name: s ? s.name : null, active: active,
      info: document.getElementById("info").textContent }}) + "\\n";
  }});
}}
</script>
</body></html>
"""
