"""Smoke test of ``python -m benchmarks``: the machinery runs at the tiniest settings and
writes well-formed outputs. No timing is asserted: speed is a measurement, not a test."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minitorch
from benchmarks.__main__ import main
from benchmarks.cases import all_cases, count_train_flops, select
from benchmarks.epoch import run_epochs
from benchmarks.report import markdown, plot_ratios, write_json
from benchmarks.suite import Settings, run_suite

TINY = Settings(repeat=1, warmup=1, min_time=0.0, settle=0.0, gemm_n=64, isolated=False)


def test_select_by_prefix_and_long_cases():
    cases = all_cases((8,))
    names = [c.name for c in select(cases, "train_mlp,matmul")]
    assert names == ["matmul_256x784x256", "train_mlp_b8"]
    assert "epoch_cnn" not in [c.name for c in select(cases, None)]
    assert "epoch_cnn" in [c.name for c in select(cases, None, include_long=True)]
    assert [c.name for c in select(cases, "epoch")] == ["epoch_cnn"]
    with pytest.raises(ValueError, match="no benchmark case matches.*nonsense"):
        select(cases, "nonsense")


def test_flop_count_of_the_tutorial_cnn():
    # multiply-adds: conv1 forward + weight grad (its input needs no gradient),
    # conv2 and the linear layer forward + weight grad + input grad
    conv1 = 64 * 16 * 28 * 28 * 25
    conv2 = 64 * 32 * 14 * 14 * 16 * 25
    linear = 64 * 10 * 1568
    assert count_train_flops("cnn", 64) == 2 * (2 * conv1 + 3 * conv2 + 3 * linear)


def test_suite_rows_table_json_and_plot(tmp_path: Path):
    cases = select(all_cases((8,)), "matmul,elementwise_chain_fwd,cross_entropy,train_mlp")
    results, meta = run_suite(cases, TINY, torch, minitorch, log=None)
    assert [r["case"] for r in results] == [c.name for c in cases]
    for row in results:
        assert row["error"] is None, row
        assert row["minitorch_ms"] > 0 and row["torch_ms"] > 0
        assert row["ratio"] == pytest.approx(row["minitorch_ms"] / row["torch_ms"])
        assert row["max_abs_diff"] < 1e-3  # both libraries computed the same thing
        assert set(row["timing"]) == {"minitorch", "torch"}
    mlp = results[-1]
    assert mlp["kind"] == "train" and mlp["flops"] > 0 and mlp["floor_ms"] > 0
    assert set(meta["gemm_gflops"]) == {"numpy", "torch"}
    assert meta["machine"]["threads"]["torch_intra_op"] == torch.get_num_threads()

    table = markdown(results, meta)
    assert "| case | minitorch ms | torch ms | ratio mt/torch |" in table
    assert all(f"| {c.name} |" in table for c in cases)
    write_json(tmp_path / "results.json", results, meta)
    loaded = json.loads((tmp_path / "results.json").read_text())
    assert set(loaded) == {"meta", "results"} and len(loaded["results"]) == len(cases)
    pytest.importorskip("matplotlib")
    assert plot_ratios(tmp_path / "ratios.png", results)
    assert (tmp_path / "ratios.png").read_bytes()[:4] == b"\x89PNG"


def test_isolated_mode_runs_each_library_in_its_own_process(tmp_path: Path):
    """The default method: fresh worker processes, ABBA order, best of each; the parent
    imports neither library for the timings and the two results are compared."""
    settings = Settings(repeat=1, warmup=0, min_time=0.0, gemm_n=64, rounds=2, batch_sizes=(8,))
    cases = select(all_cases((8,)), "train_mlp_b8,contention_train_cnn")
    results, meta = run_suite(cases, settings, log=None)
    assert meta["method"] == "isolated" and set(meta["gemm_gflops"]) == {"numpy", "torch"}
    for row in results:
        assert row["error"] is None, row
        for lib in ("minitorch", "torch"):
            assert row["timing"][lib]["processes"] == 2
            assert row["timing"][lib]["best_s"] == min(row["timing"][lib]["process_bests_s"])
        assert row["max_abs_diff"] < 1e-3
    # each worker reports the threads of its own library only
    assert set(results[0]["timing"]["torch"]["threads"]) == {"torch_intra_op", "torch_inter_op"}
    assert "numpy_openblas" in results[0]["timing"]["minitorch"]["threads"]
    table = markdown(results, meta)
    assert "each library in its own fresh processes" in table
    assert "Under contention (contention_train_cnn_b64)" not in table  # no quiet twin run
    assert "Training steps (1): geometric mean ratio" in table


def test_command_line_writes_outputs(tmp_path: Path, capsys):
    assert main(["--quick", "--in-process", "--cases", "elementwise_chain_fwdbwd", "--out",
                 str(tmp_path), "--no-plot"]) == 0
    assert "elementwise_chain_fwdbwd" in (tmp_path / "results.md").read_text()
    assert json.loads((tmp_path / "results.json").read_text())["results"][0]["error"] is None
    assert not (tmp_path / "ratios.png").exists()
    assert main(["--cases", "nonsense"]) == 2
    assert "no benchmark case matches" in capsys.readouterr().err


def test_epoch_worker_on_a_few_mnist_images():
    mnist = Path(os.environ["MINITORCH_MNIST_DIR"])
    if not (mnist / "train-images-idx3-ubyte.gz").exists():
        pytest.skip("MNIST not found")
    # minitorch's worker only: torch's would spend seconds importing torch
    (row,) = run_epochs(batch_size=50, limit=100, libraries=("minitorch",), rounds=2).values()
    assert "error" not in row, row
    assert row["steps"] == 2 and row["wall_s"] > 0
    assert len(row["walls_s"]) == 2 and round(row["wall_s"], 2) == min(row["walls_s"])
    assert row["peak_growth_mb_max"] >= row["peak_growth_mb"]
    assert 0 <= row["peak_growth_mb"] <= row["peak_rss_mb"]
    assert 0 < row["first_loss"] < 10 and np.isfinite(row["mean_loss"])


def test_a_torch_worker_imports_no_minitorch():
    # importing minitorch changes process-wide settings (minitorch/_process_tweaks.py), so a
    # process that times PyTorch must not import it through the benchmark package
    import subprocess
    import sys

    code = ("import sys, torch, benchmarks.isolated, benchmarks.epoch, benchmarks.suite, "
            "benchmarks.profile_compare; print(sorted(m for m in sys.modules "
            "if m.split('.')[0] == 'minitorch'))")
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"
