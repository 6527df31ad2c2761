"""Profiler results: one ``FunctionEvent`` per timed call, ``FunctionEventAvg`` per group,
and ``EventList.table()``, laid out like ``torch.profiler``'s table.

Times are in microseconds, as PyTorch reports them: ``cpu_time_total`` includes the events
nested inside (a backward node's Tensor ops), ``self_cpu_time_total`` does not.
"""

from __future__ import annotations

from typing import Any

_SORT_KEYS = ("cpu_time_total", "self_cpu_time_total", "cpu_time", "count",
              "cpu_memory_usage", "self_cpu_memory_usage")


class FunctionEvent:
    """One timed call: ``name``, start and end (ns from the profiler's start), input shapes."""

    def __init__(self, name: str, start_ns: int, input_shapes, thread: int, parent) -> None:
        self.name = name
        self.key = name
        self.start_ns = start_ns
        self.end_ns = start_ns
        self.input_shapes = input_shapes
        self.thread = thread
        self.parent = parent
        self.children: list[FunctionEvent] = []
        self.cpu_memory_usage = 0
        self.is_user_annotation = False

    @property
    def cpu_time_total(self) -> float:
        return (self.end_ns - self.start_ns) / 1e3

    @property
    def self_cpu_time_total(self) -> float:
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.children)

    @property
    def self_cpu_memory_usage(self) -> int:
        return self.cpu_memory_usage - sum(c.cpu_memory_usage for c in self.children)

    def chrome_event(self, pid: int) -> dict[str, Any]:
        """This event as a Chrome trace "complete" event (``ph: X``, times in us)."""
        event = {"ph": "X", "cat": "user_annotation" if self.is_user_annotation else "cpu_op",
                 "name": self.name, "pid": pid, "tid": self.thread,
                 "ts": self.start_ns / 1e3, "dur": self.cpu_time_total, "args": {}}
        if self.input_shapes is not None:
            event["args"]["Input Dims"] = self.input_shapes
        return event

    def __repr__(self) -> str:
        return (f"<FunctionEvent name={self.name} cpu_time_total={self.cpu_time_total:.3f}us "
                f"input_shapes={self.input_shapes}>")


class FunctionEventAvg:
    """Events of one name (and shapes): ``count`` and summed times; ``cpu_time`` is the mean."""

    def __init__(self, key: str, input_shapes) -> None:
        self.key = key
        self.input_shapes = input_shapes
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = 0
        self.self_cpu_memory_usage = 0

    def add(self, e: FunctionEvent) -> None:
        self.count += 1
        self.cpu_time_total += e.cpu_time_total
        self.self_cpu_time_total += e.self_cpu_time_total
        self.cpu_memory_usage += e.cpu_memory_usage
        self.self_cpu_memory_usage += e.self_cpu_memory_usage

    @property
    def cpu_time(self) -> float:
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total:.3f}us "
                f"cpu_time={self.cpu_time:.3f}us count={self.count}>")


class EventList(list):
    """A list of events (or of averages) that can print itself as a table."""

    def __init__(self, events=(), profile_memory: bool = False) -> None:
        super().__init__(events)
        self._profile_memory = profile_memory

    def key_averages(self, group_by_input_shape: bool = False) -> EventList:
        groups: dict[tuple, FunctionEventAvg] = {}
        for e in self:
            shapes = e.input_shapes if group_by_input_shape else None
            key = (e.name, str(shapes) if group_by_input_shape else None)
            if key not in groups:
                groups[key] = FunctionEventAvg(e.name, shapes)
            groups[key].add(e)
        return EventList(groups.values(), self._profile_memory)

    @property
    def self_cpu_time_total(self) -> float:
        return sum(e.self_cpu_time_total for e in self)

    def table(self, sort_by: str | None = None, row_limit: int = 100,
              max_name_column_width: int = 55, max_shapes_column_width: int = 80,
              header: str | None = None, top_level_events_only: bool = False,
              **kwargs: Any) -> str:
        """The rows as text: Name, Self CPU %, Self CPU, CPU total %, CPU total, CPU time avg,
        (CPU Mem, Self CPU Mem,) # of Calls (, Input Shapes), then the total self time.

        ``sort_by`` is one of ``cpu_time_total``, ``self_cpu_time_total``, ``cpu_time``,
        ``count``, ``cpu_memory_usage``, ``self_cpu_memory_usage`` (largest first).
        """
        rows = list(self)
        if sort_by is not None:
            if sort_by not in _SORT_KEYS:
                raise ValueError(f"sort_by must be one of {list(_SORT_KEYS)}, got '{sort_by}'")
            rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
        if row_limit is not None and row_limit > 0:
            rows = rows[:row_limit]
        total = self.self_cpu_time_total or 1.0
        shapes = any(getattr(e, "input_shapes", None) is not None for e in self)
        name_w = min(max_name_column_width,
                     max([len(e.key) for e in rows] + [len("Name")]) + 4)
        cols = [("Name", name_w, lambda e: _clip(e.key, name_w - 2)),
                ("Self CPU %", 12, lambda e: f"{100 * e.self_cpu_time_total / total:.2f}%"),
                ("Self CPU", 12, lambda e: _format_time(e.self_cpu_time_total)),
                ("CPU total %", 12, lambda e: f"{100 * e.cpu_time_total / total:.2f}%"),
                ("CPU total", 12, lambda e: _format_time(e.cpu_time_total)),
                ("CPU time avg", 12, lambda e: _format_time(e.cpu_time))]
        if self._profile_memory:
            cols += [("CPU Mem", 12, lambda e: _format_memory(e.cpu_memory_usage)),
                     ("Self CPU Mem", 12, lambda e: _format_memory(e.self_cpu_memory_usage))]
        cols.append(("# of Calls", 12, lambda e: str(e.count if hasattr(e, "count") else 1)))
        if shapes:
            cols.append(("Input Shapes", max_shapes_column_width,
                         lambda e: _clip(str(e.input_shapes), max_shapes_column_width - 2)))
        rule = "  ".join("-" * w for _, w, _ in cols)
        lines = [] if header is None else [header]
        lines += [rule, "  ".join(_cell(title, w, i) for i, (title, w, _) in enumerate(cols)),
                  rule]
        for e in rows:
            lines.append("  ".join(_cell(fmt(e), w, i) for i, (_, w, fmt) in enumerate(cols)))
        lines += [rule, f"Self CPU time total: {_format_time(self.self_cpu_time_total)}", ""]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _cell(text: str, width: int, index: int) -> str:
    return text.ljust(width) if index == 0 else text.rjust(width)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _format_time(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


def _format_memory(nbytes: int) -> str:
    for unit, size in (("Gb", 1 << 30), ("Mb", 1 << 20), ("Kb", 1 << 10)):
        if abs(nbytes) >= size:
            return f"{nbytes / size:.2f} {unit}"
    return f"{nbytes} b"
