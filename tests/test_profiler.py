"""``minitorch.profiler`` next to ``torch.profiler``: the same rows for the same ops (forward
and backward), counts, shapes, nesting, the table, the Chrome trace and the errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import minitorch
from minitorch.profiler import ProfilerActivity, profile, record_function


def run_ops(lib):
    """A small graph with two muls, an exp and a sum, then backward."""
    x = lib.tensor(np.random.rand(4, 3), requires_grad=True)
    y = lib.tensor(np.random.rand(4, 3), requires_grad=True)
    z = ((x * y).exp() * y).sum()
    z.backward()


def rows(prof, strip=""):
    return {e.key.replace(strip, ""): e for e in prof.key_averages()}


def test_rows_match_torch_for_the_same_ops():
    with profile(activities=[ProfilerActivity.CPU]) as ours:
        run_ops(minitorch)
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as theirs:
        run_ops(torch)
    mine, torch_rows = rows(ours), rows(theirs, "aten::")
    for name in ("mul", "exp", "sum", "MulBackward0", "ExpBackward0", "SumBackward0"):
        assert name in mine, sorted(mine)
        assert mine[name].count == torch_rows[name].count, name
    assert mine["torch::autograd::AccumulateGrad"].count == 2


def test_times_nest_self_and_total():
    with profile(record_shapes=True) as prof, record_function("my_block"):
        run_ops(minitorch)
    events = prof.events()
    block = next(e for e in events if e.name == "my_block")
    assert block.cpu_time_total >= sum(c.cpu_time_total for c in block.children) > 0
    for e in events:
        assert 0 <= e.self_cpu_time_total <= e.cpu_time_total + 1e-9
    # a backward node's own Tensor ops are its children (MulBackward0 multiplies)
    mul_bwd = [e for e in events if e.name == "MulBackward0"]
    assert any(c.name == "mul" for e in mul_bwd for c in e.children)
    by_shape = prof.key_averages(group_by_input_shape=True)
    assert any(e.key == "mul" and e.input_shapes == [[4, 3], [4, 3]] for e in by_shape)


def test_table_sorted_and_limited():
    with profile(profile_memory=True) as prof:
        run_ops(minitorch)
    averages = prof.key_averages()
    text = averages.table(sort_by="self_cpu_time_total", row_limit=3)
    lines = text.splitlines()
    assert "Self CPU %" in lines[1] and "# of Calls" in lines[1] and "CPU Mem" in lines[1]
    assert lines[-1].startswith("Self CPU time total:")
    body = lines[3:-2]
    assert len(body) == 3
    top = max(averages, key=lambda e: e.self_cpu_time_total)
    assert body[0].split()[0] == top.key
    with pytest.raises(ValueError, match="sort_by"):
        averages.table(sort_by="bogus")


def test_export_chrome_trace(tmp_path):
    with profile() as prof:
        run_ops(minitorch)
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    trace = json.loads(path.read_text())
    names = {e["name"] for e in trace["traceEvents"]}
    assert {"mul", "MulBackward0"} <= names
    assert all(e["ph"] == "X" and e["dur"] >= 0 for e in trace["traceEvents"])
    assert [p.name for p in tmp_path.iterdir()] == ["trace.json"]  # no temporary left


def test_errors_and_cleanup():
    with profile(), pytest.raises(RuntimeError, match="Profiler is already enabled"):
        profile().start()
    with profile() as prof:
        run_ops(minitorch)
    with pytest.raises(RuntimeError, match="record_shapes=True"):
        prof.key_averages(group_by_input_shape=True)
    with record_function("no profiler running"):  # a no-op, like torch's
        run_ops(minitorch)
    from minitorch.autograd import _instrument

    assert not _instrument.active and not _instrument.profilers
