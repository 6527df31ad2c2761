"""Printing tensors the way PyTorch does: ``tensor([1., 2.], requires_grad=True)``.

PyTorch's rules, reproduced here: floats print with 4 decimals, or as whole numbers with a
trailing dot (``1.``) when every value is an integer, or in scientific notation when the
values span more than 3 orders of magnitude (or exceed 1e8, or go below 1e-4). All
elements share one width; rows wrap at 80 characters; tensors with more than 1000
elements are summarised with ``...``.
"""

from __future__ import annotations

import numpy as np

from . import _backend, _dtype

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80


class _Formatter:
    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.sci = False
        self.int_mode = True
        if values.dtype == np.bool_:
            self.width = max((len(str(bool(v))) for v in values), default=1)
            return
        if not self.floating:
            self.width = max((len(str(int(v))) for v in values), default=1)
            return
        finite = values[np.isfinite(values)].astype(np.float64)
        nonzero = np.abs(finite[finite != 0])
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if nonzero.size:
            hi, lo = nonzero.max(), nonzero.min()
            if self.int_mode:
                self.sci = hi / lo > 1000.0 or hi > 1.0e8
            else:
                self.sci = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        shown = finite[finite != 0]  # PyTorch sizes columns by the non-zero finite values
        self.width = max((len(self._fmt(v)) for v in shown), default=1)

    def _fmt(self, v) -> str:
        if self.floating:
            if not np.isfinite(v):
                return str(float(v)).replace("inf", "inf")
            if self.sci:
                return f"{float(v):.{PRECISION}e}"
            if self.int_mode:
                return f"{float(v):.0f}."
            return f"{float(v):.{PRECISION}f}"
        if isinstance(v, (bool, np.bool_)):
            return str(bool(v))
        return str(int(v))

    def format(self, v) -> str:
        return self._fmt(v).rjust(self.width)


def _summarised(a: np.ndarray) -> np.ndarray:
    """The values that will be printed (edges only for big tensors)."""
    if a.size <= THRESHOLD:
        return a.reshape(-1)
    parts = []

    def walk(x):
        if x.ndim == 0:
            parts.append(x.reshape(1))
        elif x.ndim == 1:
            parts.append(x if len(x) <= 2 * EDGEITEMS else np.concatenate(
                [x[:EDGEITEMS], x[-EDGEITEMS:]]))
        else:
            rows = range(len(x)) if len(x) <= 2 * EDGEITEMS else list(
                range(EDGEITEMS)) + list(range(len(x) - EDGEITEMS, len(x)))
            for i in rows:
                walk(x[i])

    walk(a)
    return np.concatenate(parts) if parts else a.reshape(-1)


def _render(a: np.ndarray, fmt: _Formatter, indent: int, summarise: bool) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        items = [fmt.format(v) for v in a]
        if summarise and len(a) > 2 * EDGEITEMS:
            items = items[:EDGEITEMS] + [" ..."] + items[-EDGEITEMS:]
        per_line = max((LINEWIDTH - indent) // (fmt.width + 2), 1)
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    if summarise and len(a) > 2 * EDGEITEMS:
        rows = [_render(a[i], fmt, indent + 1, summarise) for i in range(EDGEITEMS)]
        rows.append("...")
        rows += [_render(a[i], fmt, indent + 1, summarise) for i in range(len(a) - EDGEITEMS,
                                                                           len(a))]
    else:
        rows = [_render(r, fmt, indent + 1, summarise) for r in a]
    return "[" + sep.join(rows) + "]"


def tensor_str(t, indent: int) -> str:
    a = _backend.to_device(t._data, _backend.CPU)
    if a.size == 0:
        return "[]"
    summarise = a.size > THRESHOLD
    fmt = _Formatter(_summarised(a))
    return _render(a, fmt, indent, summarise)


def tensor_repr(t, prefix: str = "tensor(") -> str:
    indent = len(prefix)
    body = tensor_str(t, indent)
    suffixes = []
    if t._data.size == 0 and t.ndim != 1:
        suffixes.append(f"size={tuple(t.shape)}")
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    dt = t.dtype
    if dt not in (_dtype.get_default_dtype(), _dtype.int64, _dtype.bool_) or (
        t._data.size == 0 and dt is not _dtype.get_default_dtype()
    ):
        suffixes.append(f"dtype={dt!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    text = prefix + body
    last = len(text) - text.rfind("\n") + 1  # PyTorch's count of the last line's length
    for s in suffixes:
        if last + len(s) + 2 > LINEWIDTH:  # no room: the suffix goes on its own line
            text += ",\n" + " " * indent + s
            last = indent + len(s)
        else:
            text += ", " + s
            last += len(s) + 2
    return text + ")"
