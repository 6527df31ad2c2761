"""``trace_backward``: record what the engine does, step by step, during ``backward()``.

    with trace_backward() as tape:
        loss.backward()
    print(tape)

Each :class:`Step` is one node the engine ran, in the engine's order: its name (as
``grad_fn`` prints it; leaves are ``AccumulateGrad`` steps), the gradient that arrived, and
for every input the gradient sent on, before and after the engine summed it down to the
input's shape (the broadcasting undo, ``engine._sum_to_shape``). An ``AccumulateGrad`` step
also shows what the leaf's ``.grad`` holds afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..autograd import _instrument, grad_mode
from ..autograd.engine import _sum_to_shape
from ..autograd.function import AccumulateGrad, Node

SMALL = 8  # gradients with at most this many elements keep their values


def _values(t) -> np.ndarray | None:
    """A copy of ``t``'s values when small, else ``None``."""
    if t is None or t.numel() > SMALL:
        return None
    return np.array(t.detach().cpu().numpy(), copy=True)


@dataclass
class Sent:
    """The gradient a step sends to one input: to node ``to`` (its name), with the shape
    backward returned and the shape after the engine undid broadcasting."""

    to: str
    to_node: Node | None
    returned_shape: tuple | None
    shape: tuple | None
    values: np.ndarray | None


@dataclass
class Step:
    """One node run by the engine."""

    index: int
    name: str
    node: Node
    grad_shape: tuple
    grad_values: np.ndarray | None
    sent: list[Sent] = field(default_factory=list)
    leaf_grad: np.ndarray | None = None  # AccumulateGrad: the leaf's .grad afterwards
    leaf_shape: tuple | None = None

    def describe(self) -> str:
        """One line per fact, as the table and the HTML player show them."""
        lines = [f"incoming grad {_fmt(self.grad_shape, self.grad_values)}"]
        for s in self.sent:
            undo = (f" (returned {_shape(s.returned_shape)}, summed to {_shape(s.shape)})"
                    if s.returned_shape != s.shape else "")
            lines.append(f"-> {s.to}: {_fmt(s.shape, s.values)}{undo}")
        if self.leaf_shape is not None:
            lines.append(f"leaf .grad = {_fmt(self.leaf_shape, self.leaf_grad)}")
        return "\n".join(lines)


def _shape(shape) -> str:
    return "None" if shape is None else str(tuple(int(n) for n in shape))


def _fmt(shape, values) -> str:
    if values is None:
        return f"shape {_shape(shape)}"
    text = np.array2string(np.asarray(values), precision=4, separator=", ",
                           suppress_small=True).replace("\n", "")
    return f"{_shape(shape)} {text}"


class Tape:
    """The steps recorded by :func:`trace_backward`; ``print(tape)`` shows a table."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def __getitem__(self, i: int) -> Step:
        return self.steps[i]

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.steps]

    def _record_node(self, node: Node, grad, grads: tuple) -> None:
        step = self._new(node, grad)
        with grad_mode.no_grad():
            for g, meta in zip(grads, node._input_meta):
                if meta is None or meta[0] is None:
                    continue
                nxt, shape, dtype = meta
                summed = None if g is None else _sum_to_shape(g, shape, dtype)
                step.sent.append(Sent(nxt.name(), nxt, None if g is None else tuple(g.shape),
                                      None if g is None else tuple(summed.shape),
                                      _values(summed)))

    def _record_leaf(self, node: AccumulateGrad, grad) -> None:
        step = self._new(node, grad)
        leaf_grad = node.variable.grad
        if leaf_grad is not None:
            step.leaf_shape = tuple(leaf_grad.shape)
            step.leaf_grad = _values(leaf_grad)

    def _new(self, node: Node, grad) -> Step:
        step = Step(len(self.steps), node.name(), node, tuple(grad.shape), _values(grad))
        self.steps.append(step)
        return step

    def __str__(self) -> str:
        rows = [f"{'step':>4}  {'node':<22} what happened"]
        for s in self.steps:
            first, *rest = s.describe().split("\n")
            rows.append(f"{s.index:>4}  {s.name:<22} {first}")
            rows += [f"{'':>4}  {'':<22} {line}" for line in rest]
        return "\n".join(rows)

    def __repr__(self) -> str:
        return f"<Tape of {len(self.steps)} steps: {', '.join(self.names)}>"


class trace_backward:
    """Context manager recording every node the backward engine runs (see module doc)."""

    def __enter__(self) -> Tape:
        self.tape = Tape()
        _instrument.tapes.append(self.tape)
        _instrument.refresh()
        return self.tape

    def __exit__(self, *exc: object) -> None:
        _instrument.tapes.remove(self.tape)
        _instrument.refresh()
