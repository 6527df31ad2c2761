"""kernels/threads.py: fewer threads while other processes hold the cores."""

from __future__ import annotations

import os

import pytest

from minitorch.kernels import threads


@pytest.fixture
def fake_machine(monkeypatch):
    """A 2-core machine whose other load and clock the test sets."""
    state = {"others": 0, "now": 1000.0}
    threads.refresh()
    if not threads._State.enabled or not threads._State.blas:
        pytest.skip("no OpenBLAS or no /proc/loadavg here: thread counts are left alone")
    blas_before = threads._State.blas[1]()
    threads._State.blas[0](2)
    monkeypatch.setattr(threads._State, "cores", 2)
    monkeypatch.setattr(threads._State, "blas_max", 2)
    monkeypatch.setattr(threads._State, "blas_fixed", False)
    monkeypatch.setattr(threads._State, "free", 2)
    monkeypatch.setattr(threads._State, "seen", 2)
    monkeypatch.setattr(threads._State, "next_look", 0.0)
    monkeypatch.setattr(threads._State, "hold_until", 0.0)
    monkeypatch.setattr(threads, "_others_running", lambda: state["others"])
    monkeypatch.setattr(threads.time, "monotonic", lambda: state["now"])
    yield state
    threads._State.blas[0](blas_before)


def _look(state, others, after):
    state["others"] = others
    state["now"] += after
    threads.refresh()
    return threads.free_cores(), threads._State.blas[1]()


def test_one_thread_while_another_process_runs_then_two_after_a_quiet_second(fake_machine):
    assert _look(fake_machine, 0, 0.1) == (2, 2)
    assert _look(fake_machine, 1, 0.1) == (2, 2)  # one look: maybe a passing kernel thread
    assert _look(fake_machine, 0, 0.1) == (2, 2)  # it was
    assert _look(fake_machine, 1, 0.1) == (2, 2)
    assert _look(fake_machine, 1, 0.1) == (1, 1)  # two looks in a row: drops
    assert _look(fake_machine, 0, 0.1) == (1, 1)  # holds while the machine was just busy
    assert _look(fake_machine, 0, 0.5) == (1, 1)
    assert _look(fake_machine, 0, 0.6) == (2, 2)  # a quiet second: both cores again
    _look(fake_machine, 5, 0.1)
    assert _look(fake_machine, 5, 0.1) == (1, 1)  # never below one


def test_an_explicit_openblas_thread_count_is_never_changed(fake_machine, monkeypatch):
    """OPENBLAS_NUM_THREADS set by the user (blas_fixed): products keep their thread
    count (and so their bits); only split_work steps aside."""
    monkeypatch.setattr(threads._State, "blas_fixed", True)
    _look(fake_machine, 1, 0.1)
    assert _look(fake_machine, 1, 0.1) == (1, 2)


def test_looks_at_proc_at_most_every_50_ms(fake_machine):
    _look(fake_machine, 1, 0.1)
    assert _look(fake_machine, 1, 0.1) == (1, 1)
    assert _look(fake_machine, 0, 2.0) == (2, 2)
    assert _look(fake_machine, 1, 0.06) == (2, 2)  # the first look that sees it
    assert _look(fake_machine, 1, 0.01) == (2, 2)  # too soon: not looked at
    assert _look(fake_machine, 1, 0.05) == (1, 1)


def test_split_work_uses_only_the_free_cores(fake_machine, monkeypatch):
    monkeypatch.setattr(threads, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(threads, "_num_threads", 2)
    _look(fake_machine, 1, 0.1)
    _look(fake_machine, 1, 0.1)
    parts = []
    threads.split_work(parts.append, 10, 1 << 30)
    assert parts == [slice(None)]


def test_others_running_reads_proc():
    if not os.path.exists("/proc/loadavg"):
        pytest.skip("no /proc here (not Linux)")
    assert threads._others_running() >= 0
