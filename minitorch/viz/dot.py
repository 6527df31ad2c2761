"""``make_dot``: draw the backward graph behind a tensor, in torchviz's style.

Boxes are the ``grad_fn`` nodes (grey, named as ``print(t.grad_fn)`` names them), the tensor
you passed (green, its shape), and the leaves (blue: the name from ``params`` and the shape)
each feeding its ``AccumulateGrad`` node. Arrows point the way the forward pass went, from
inputs to the output; backward walks them in reverse. With ``show_saved`` the tensors each
node saved for backward hang off it (orange, dashed: name, shape and bytes); with
``show_attrs`` the node's non-tensor saved values (``exponent``, sizes) are listed in its box.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from ..autograd.function import AccumulateGrad, Node
from ..autograd.graph import SAVED_NAMES, iter_graph
from ._render import render_svg, write_atomically

_HEADER = ('digraph {\n\tgraph [size="12,12"]\n'
           '\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 '
           'shape=box style=filled]\n')


class DotGraph:
    """A drawn graph: ``.source`` (DOT text), ``.svg()``, ``.save(path)``; shows itself in
    Jupyter. ``.ids`` maps each ``grad_fn`` node to its DOT node name."""

    def __init__(self, source: str, ids: dict[Node, str]) -> None:
        self.source = source
        self.ids = ids
        self._svg: str | None = None

    def svg(self) -> str:
        """The graph laid out by Graphviz, as an SVG document (see ``viz/_render.py``)."""
        if self._svg is None:
            self._svg = render_svg(self.source)
        return self._svg

    def save(self, path: str | os.PathLike) -> str:
        """Write ``.svg`` (the drawing) or ``.dot`` / ``.gv`` (the DOT text); returns ``path``."""
        suffix = os.path.splitext(os.fspath(path))[1].lower()
        if suffix == ".svg":
            write_atomically(path, self.svg())
        elif suffix in (".dot", ".gv"):
            write_atomically(path, self.source)
        else:
            raise ValueError(f"save: unknown suffix '{suffix}' in {os.fspath(path)!r}; use .svg, "
                             ".dot or .gv")
        return os.fspath(path)

    def _repr_svg_(self) -> str:
        return self.svg()

    def __str__(self) -> str:
        return self.source


def _size(shape) -> str:
    return "(" + ", ".join(str(int(n)) for n in shape) + ")"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _param_names(params) -> dict[int, str]:
    if params is None:
        return {}
    items = params.items() if isinstance(params, Mapping) else params
    return {id(t): name for name, t in items}


def saved_values(node: Node) -> list[tuple[str, Any]]:
    """What ``node`` saved for backward, named as PyTorch names it (``other``, ``result``,
    ``self_sym_sizes``) where the table in ``autograd/graph.py`` knows it, else ``saved_k``.
    Empty once a backward pass has freed the node's saved tensors."""
    if node._saved is None:
        return []
    names = SAVED_NAMES.get(node.name())
    if names is not None:
        out = []
        for name in names:
            value = getattr(node, "_saved_" + name)
            if value is not None:
                out.append((name, value))
        return out
    return [(f"saved_{k}", t) for k, t in enumerate(node.saved_tensors) if t is not None]


def make_dot(var, params: Mapping[str, Any] | Iterable | None = None, show_attrs: bool = False,
             show_saved: bool = False, max_attr_chars: int = 50) -> DotGraph:
    """Draw the backward graph of ``var`` (a tensor, or a tuple of tensors).

    Parameters
    ----------
    var : Tensor or tuple of Tensor
        Output(s) whose ``grad_fn`` graph is drawn.
    params : dict name -> Tensor, optional
        Names for the leaves, e.g. ``dict(model.named_parameters())``.
    show_attrs : bool
        List each node's non-tensor saved values in its box.
    show_saved : bool
        Draw the tensors each node saved for backward (shape and bytes).

    Raises
    ------
    TypeError
        When ``var`` is not a tensor or a tuple of tensors.
    RuntimeError
        When no tensor in ``var`` has a graph (no ``grad_fn`` and not requiring grad).
    """
    from ..tensor import Tensor

    outputs = var if isinstance(var, (tuple, list)) else (var,)
    for t in outputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"make_dot: expected a Tensor or a tuple of Tensors, got "
                            f"{type(t).__name__}")
    roots = [t for t in outputs if t.grad_fn is not None or t.requires_grad]
    if not roots:
        raise RuntimeError(
            "make_dot: the tensor does not require grad and does not have a grad_fn, so there "
            "is no graph to draw (compute it from tensors with requires_grad=True, outside "
            "no_grad())"
        )
    names = _param_names(params)
    lines = [_HEADER]
    ids: dict[Node, str] = {}
    for node in iter_graph(roots):
        ids[node] = f"n{len(ids)}"
    for k, t in enumerate(outputs):  # the outputs (green), pointing at their grad_fn
        if t.grad_fn is not None:
            lines.append(f"\tout{k} [label={_quote(_size(t.shape))} fillcolor=darkolivegreen1]\n")
            lines.append(f"\t{ids[t.grad_fn]} -> out{k}\n")
    for node, nid in ids.items():
        label = node.name()
        saved = saved_values(node) if (show_attrs or show_saved) else []
        if show_attrs:
            attrs = [(n, v) for n, v in saved if not isinstance(v, Tensor)]
            if attrs:
                label += "\n" + "-" * max(len(label), 8) + "\n" + "\n".join(
                    f"{n}: {str(v)[:max_attr_chars]}" for n, v in attrs)
        lines.append(f"\t{nid} [label={_quote(label)} fillcolor=lightgrey]\n")
        if isinstance(node, AccumulateGrad):
            leaf = node.variable
            text = f"{names.get(id(leaf), '')}\n {_size(leaf.shape)}"
            lines.append(f"\t{nid}_leaf [label={_quote(text)} fillcolor=lightblue]\n")
            lines.append(f"\t{nid}_leaf -> {nid}\n")
        if show_saved:
            for k, (name, value) in enumerate(saved):
                if isinstance(value, Tensor):
                    text = f"{name}\n {_size(value.shape)}\n {value._data.nbytes} bytes"
                    lines.append(f"\t{nid}_s{k} [label={_quote(text)} fillcolor=orange]\n")
                    lines.append(f"\t{nid}_s{k} -> {nid} [dir=none style=dashed]\n")
        for nxt, _ in node.next_functions:
            if nxt is not None:
                lines.append(f"\t{ids[nxt]} -> {nid}\n")
    lines.append("}\n")
    return DotGraph("".join(lines), ids)
