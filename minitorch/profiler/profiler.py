"""``profile`` and ``record_function``: where does a training step spend its time?

Inside ``with profile() as prof:`` every op is timed twice over: its forward (a row named
like the op, ``mul``, ``mm``, ``conv2d``) and, during ``backward()``, its graph node (a row
named like ``grad_fn``, ``MulBackward0``), plus ``torch::autograd::AccumulateGrad`` for the
leaves. Events nest: a backward node's own Tensor ops are its children, so *self* time is
an event's time minus its children's, and *total* time includes them.

The hooks live in ``autograd/_instrument.py``; without a profiler they cost nothing.
"""

from __future__ import annotations

import enum
import functools
import json
import os
import threading
import time
import uuid
import warnings
from collections.abc import Callable

from ..autograd import _instrument
from .events import EventList, FunctionEvent


class ProfilerActivity(enum.Enum):
    """What to profile: ``CPU`` (minitorch's ops), ``CUDA`` (timed on the host too: CuPy
    launches are asynchronous, so a CUDA row shows launch time unless synchronised)."""

    CPU = 0
    CUDA = 1


class profile:
    """Context manager that records every op run inside it.

    Parameters
    ----------
    activities : list of ProfilerActivity, optional
        Accepted for PyTorch compatibility (minitorch times every op on the host).
    record_shapes : bool
        Record the shapes of each op's tensor inputs (``key_averages(group_by_input_shape=
        True)`` groups by them).
    profile_memory : bool
        Record the bytes of each op's output (``CPU Mem`` columns).
    experimental_config : optional
        Accepted and ignored: it tunes PyTorch's Kineto/CUPTI tracer, which minitorch has
        not.
    execution_trace_observer : None
        PyTorch's Execution Trace (a graph dump) is not provided: anything but None raises
        NotImplementedError.
    acc_events : bool
        Keep the events of earlier ``start()``/``stop()`` cycles; by default a new cycle
        starts empty, as in PyTorch.
    use_cuda : bool, optional
        Deprecated in PyTorch (FutureWarning): True adds ``ProfilerActivity.CUDA`` to the
        activities, False removes it.
    custom_trace_id_callback : callable, optional
        Called at each ``start()``; its string is :meth:`get_trace_id` (default: a random
        UUID as 32 hex digits).
    post_processing_timeout_s : float, optional
        Accepted: minitorch's events are complete when ``stop()`` returns, there is no
        post-processing to time out.

    Raises
    ------
    RuntimeError
        When another profiler is already running.
    """

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None,
                 record_shapes: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_flops: bool = False,
                 with_modules: bool = False, experimental_config=None,
                 execution_trace_observer=None, acc_events: bool = False,
                 use_cuda: bool | None = None,
                 custom_trace_id_callback: Callable[[], str] | None = None,
                 post_processing_timeout_s: float | None = None) -> None:
        if execution_trace_observer is not None:
            raise NotImplementedError("profile(execution_trace_observer=...): PyTorch's "
                                      "Execution Trace is not provided by minitorch")
        self.activities = list(activities) if activities else [ProfilerActivity.CPU]
        if use_cuda is not None:
            warnings.warn("`use_cuda` is deprecated, use `activities` argument instead",
                          FutureWarning, stacklevel=2)
            self.activities = [a for a in self.activities if a is not ProfilerActivity.CUDA]
            if use_cuda:
                self.activities.append(ProfilerActivity.CUDA)
        if not self.activities:
            raise AssertionError("No valid profiler activities found")
        self.experimental_config = experimental_config
        self.acc_events = acc_events
        self.custom_trace_id_callback = custom_trace_id_callback
        self.post_processing_timeout_s = post_processing_timeout_s
        self._trace_id: str | None = None
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.on_trace_ready = on_trace_ready
        self.function_events: list[FunctionEvent] = []
        self._stacks: dict[int, list[FunctionEvent]] = {}  # per thread: the open events
        self._t0 = 0
        self._running = False
        self._pid = os.getpid()

    # ---- start / stop -------------------------------------------------------------------
    def start(self) -> None:
        if _instrument.profilers:
            raise RuntimeError("Profiler is already enabled on this thread")
        if self._trace_id is not None and not self.acc_events:  # a second cycle
            warnings.warn("Warning: Profiler clears events at the end of each cycle. Only "
                          "events from the current cycle will be reported. To keep events "
                          "across cycles, set acc_events=True.", stacklevel=2)
            self.function_events = []
        self._trace_id = (self.custom_trace_id_callback() if self.custom_trace_id_callback
                          else f"{uuid.uuid4().int:032X}")
        self._t0 = time.perf_counter_ns()
        self._running = True
        _instrument.profilers.append(self)
        _instrument.refresh()

    def stop(self) -> None:
        if self._running:
            _instrument.profilers.remove(self)
            _instrument.refresh()
            self._running = False
            if self.on_trace_ready is not None:
                self.on_trace_ready(self)

    def step(self) -> None:
        """Accepted for PyTorch compatibility (no schedules: every step is recorded)."""

    def __enter__(self):  # returns self
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- called by autograd/_instrument.py -------------------------------------------------
    def _begin(self, name: str, args=()) -> FunctionEvent:
        shapes = None
        if self.record_shapes:
            shapes = [list(a.shape) if hasattr(a, "shape") else [] for a in args]
        thread = threading.get_ident()
        stack = self._stacks.setdefault(thread, [])
        event = FunctionEvent(name, time.perf_counter_ns() - self._t0, shapes, thread,
                              stack[-1] if stack else None)
        stack.append(event)
        return event

    def _end(self, event: FunctionEvent, result=None) -> None:
        event.end_ns = time.perf_counter_ns() - self._t0
        stack = self._stacks[event.thread]
        while stack and stack.pop() is not event:
            pass  # an exception skipped inner ends: drop them
        if self.profile_memory:  # an op: the bytes of its output; a node or a labelled
            # block: what the ops inside it allocated (so its self memory is 0)
            event.cpu_memory_usage = (int(result._data.nbytes) if hasattr(result, "_data")
                                      else sum(c.cpu_memory_usage for c in event.children))
        if event.parent is not None:
            event.parent.children.append(event)
        self.function_events.append(event)

    # ---- results ------------------------------------------------------------------------
    def events(self) -> EventList:
        """Every recorded event, in the order they finished."""
        return EventList(self.function_events, self.profile_memory)

    def get_trace_id(self) -> str | None:
        """The current cycle's trace id (None before the first ``start()``)."""
        return self._trace_id

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:
        """Events grouped by name (and input shapes), with counts and summed times.
        ``group_by_overload_name`` changes nothing: minitorch's ops have no overload names
        (PyTorch's ``aten::add.Tensor`` / ``.Scalar``), so each name is one group anyway."""
        if group_by_input_shape and not self.record_shapes:
            raise RuntimeError("group_by_input_shape=True needs profile(record_shapes=True)")
        return self.events().key_averages(group_by_input_shape)

    def export_chrome_trace(self, path: str | os.PathLike,
                            use_python_export: bool = False) -> None:
        """Write the events as a Chrome trace (``chrome://tracing``, Perfetto), atomically.
        The export is always minitorch's own (Python) one, whatever ``use_python_export``
        says (PyTorch's other exporter is Kineto's)."""
        trace = {"traceEvents": [e.chrome_event(self._pid) for e in self.function_events],
                 "displayTimeUnit": "ms"}
        from ..serialization import atomic_write

        atomic_write(path, lambda fh: fh.write(json.dumps(trace).encode("utf-8")))


class record_function:
    """Label a block of code in the profile (context manager or decorator).

    ``with record_function("model_inference"): ...`` adds a row named ``model_inference``
    whose total time holds the ops run inside; without a running profiler it does nothing.
    """

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name
        self.args = args
        self._event = None
        self._prof = None

    def __enter__(self):  # returns self
        if _instrument.profilers:
            self._prof = _instrument.profilers[-1]
            self._event = self._prof._begin(self.name)
            self._event.is_user_annotation = True
        return self

    def __exit__(self, *exc) -> None:
        if self._prof is not None:
            self._prof._end(self._event)
            self._prof = self._event = None

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with record_function(self.name, self.args):
                return func(*args, **kwargs)

        return wrapper
