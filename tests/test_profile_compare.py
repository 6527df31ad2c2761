"""``python -m benchmarks.profile_compare`` runs both profilers, each in its own process, and
prints their rows side by side. No timing is asserted."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("torch")

from benchmarks.profile_compare import main, normalise, side_by_side


def test_names_are_matched_across_libraries():
    assert normalise("aten::addmm") == "addmm" == normalise("addmm")
    assert normalise("AddmmBackward0") == "AddmmBackward0"
    assert normalise("autograd::engine::evaluate_function: AddmmBackward0") == ""
    ours = [{"name": "addmm", "calls": 6, "self_us": 3000.0, "total_us": 3000.0}]
    theirs = [{"name": "aten::addmm", "calls": 6, "self_us": 1000.0, "total_us": 1000.0},
              {"name": "aten::t", "calls": 4, "self_us": 10.0, "total_us": 10.0}]
    text = side_by_side(ours, theirs, steps=2, rows=10)
    row = next(line for line in text.splitlines() if line.startswith("addmm"))
    assert row.split() == ["addmm", "3", "1.500", "3", "0.500", "3.00"]
    assert re.search(r"^t\s+-\s+-\s+2\s+0\.005", text, re.MULTILINE)


def test_end_to_end(capsys):
    assert main(["--model", "mlp", "--batch-size", "4", "--steps", "1", "--warmup", "0",
                 "--rows", "100"]) == 0
    out = capsys.readouterr().out
    assert "each library in its own process" in out
    for name in ("addmm", "AddmmBackward0", "ReluBackward0", "NllLossBackward0"):
        row = re.search(rf"^{name}\s+(\d+)\s+[\d.]+\s+(\d+)\s+[\d.]+", out, re.MULTILINE)
        assert row, (name, out)  # present in both libraries' tables
    with pytest.raises(SystemExit):
        main(["--steps", "0"])
