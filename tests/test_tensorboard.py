"""minitorch.utils.tensorboard.SummaryWriter, read back by TensorBoard itself.

Every test writes with minitorch and reads with TensorBoard's ``EventAccumulator`` (and
one through the real ``tensorboard`` server's HTTP API); the differential tests write the
same calls with PyTorch's ``torch.utils.tensorboard.SummaryWriter`` and compare what
TensorBoard reads from both.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

import minitorch
from minitorch.autograd.graph import iter_graph

pytest.importorskip("tensorboard", reason="needs the tensorboard package (the [tensorboard] extra)")
PIL = pytest.importorskip("PIL.Image", reason="images need Pillow (the [vision] extra)")
from tensorboard.backend.event_processing.event_accumulator import (
    EventAccumulator,
)

from minitorch.utils.tensorboard import SummaryWriter

_ALL = {"scalars": 0, "images": 0, "histograms": 0, "tensors": 0}


def _read(logdir) -> EventAccumulator:
    acc = EventAccumulator(str(logdir), size_guidance=_ALL)
    acc.Reload()
    return acc


def _pixels(image_event) -> np.ndarray:
    return np.asarray(PIL.open(io.BytesIO(image_event.encoded_image_string)))


def _torch_writer():
    torch_tb = pytest.importorskip("torch.utils.tensorboard", reason="needs torch's SummaryWriter")
    return torch_tb.SummaryWriter


# ---- iter_graph -----------------------------------------------------------------------
def test_iter_graph_is_a_deterministic_topological_order():
    x = minitorch.randn(3, requires_grad=True)
    w = minitorch.randn(3, requires_grad=True)
    y = (x * w).exp() + x.sin() * w
    order = list(iter_graph(y))
    assert order == list(iter_graph([y]))  # same graph, same order
    assert len(order) == len(set(order))
    position = {n: i for i, n in enumerate(order)}
    for node in order:  # every input of a node comes after it (consumers first)
        for nxt, _ in node.next_functions:
            if nxt is not None:
                assert position[nxt] > position[node]
    leaves = [n.variable for n in order if type(n).__name__ == "AccumulateGrad"]
    assert {id(t) for t in leaves} == {id(x), id(w)}
    assert order[0] is y.grad_fn


def test_iter_graph_deep_graph_without_recursion():
    x = minitorch.randn(2, requires_grad=True)
    y = x
    for _ in range(5000):  # far deeper than Python's recursion limit
        y = y * 1.0001
    nodes = list(iter_graph(y))
    assert len(nodes) == 5001


def test_iter_graph_bad_root():
    with pytest.raises(TypeError, match="iter_graph.*int"):
        list(iter_graph([3]))


# ---- scalars ---------------------------------------------------------------------------
def test_scalars_exact_and_nan(tmp_path):
    values = [0.1, 2.5, float("nan"), 1e30, -3.0]
    with SummaryWriter(tmp_path) as w:
        for step, v in enumerate(values):
            w.add_scalar("loss", v, step * 10)
        w.add_scalar("acc", minitorch.tensor([0.75]), 3)  # a one-element tensor
        w.add_scalar("acc", np.float64(0.5), 4)
    acc = _read(tmp_path)
    got = acc.Scalars("loss")
    assert [e.step for e in got] == [0, 10, 20, 30, 40]
    # simple_value is a float32, exactly as TensorBoard stores it
    np.testing.assert_array_equal([e.value for e in got], np.float32(values))
    assert [(e.step, e.value) for e in acc.Scalars("acc")] == [(3, 0.75), (4, 0.5)]


def test_add_scalars_sub_runs(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for step in range(3):
            w.add_scalars("loss/train", {"a": step, "b": 2.0 * step}, step)
    assert sorted(os.listdir(tmp_path / "loss_train_a")) and sorted(os.listdir(tmp_path / "loss_train_b"))
    assert [e.value for e in _read(tmp_path / "loss_train_b").Scalars("loss/train")] == [0, 2, 4]


def test_default_log_dir_and_purge_step(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_lr0.1")
    w.add_scalar("x", 1.0, 0)
    w.close()
    (run,) = os.listdir(tmp_path / "runs")
    assert run.endswith("_" + socket.gethostname() + "_lr0.1")
    assert w.get_logdir() == os.path.join("runs", run)
    with SummaryWriter(tmp_path / "p") as w:
        for s in range(5):
            w.add_scalar("x", s, s)
    with SummaryWriter(tmp_path / "p", purge_step=2) as w:
        w.add_scalar("x", 20.0, 2)
    assert [(e.step, e.value) for e in _read(tmp_path / "p").Scalars("x")] == [
        (0, 0), (1, 1), (2, 20)
    ]


def test_write_after_close_opens_a_new_file(tmp_path):
    w = SummaryWriter(tmp_path)
    w.add_scalar("x", 1.0, 0)
    w.close()
    w.close()  # twice: nothing happens
    w.add_scalar("x", 2.0, 1)  # as in PyTorch: a new event file in the same log_dir
    w.flush()
    w.close()
    assert len([f for f in os.listdir(tmp_path) if f.startswith("events.out")]) == 2
    assert [e.value for e in _read(tmp_path).Scalars("x")] == [1.0, 2.0]


# ---- images, histograms, text, graph -----------------------------------------------------
def test_images_sizes_and_pixels(tmp_path, rng):
    chw = rng.random((3, 5, 7)).astype(np.float32)
    hwc_u8 = rng.integers(0, 256, (4, 6, 3), dtype=np.uint8)
    gray = rng.random((5, 6))
    batch = minitorch.tensor(rng.random((10, 1, 4, 3)).astype(np.float32))
    with SummaryWriter(tmp_path) as w:
        w.add_image("chw", minitorch.tensor(chw), 0)
        w.add_image("hwc", hwc_u8, 0, dataformats="HWC")
        w.add_image("hw", gray, 0, dataformats="HW")
        w.add_images("batch", batch, 0)
    acc = _read(tmp_path)
    (e,) = acc.Images("chw")
    assert (e.width, e.height) == (7, 5)
    np.testing.assert_array_equal(_pixels(e), (chw * 255).astype(np.uint8).transpose(1, 2, 0))
    np.testing.assert_array_equal(_pixels(acc.Images("hwc")[0]), hwc_u8)
    g = (gray.astype(np.float32) * 255).astype(np.uint8)
    np.testing.assert_array_equal(_pixels(acc.Images("hw")[0]), np.stack([g, g, g], 2))
    # 10 images, 8 per row: a 2 x 8 grid of 4 x 3 cells, the last 6 cells black
    grid = _pixels(acc.Images("batch")[0])
    assert grid.shape == (8, 24, 3)
    b = (batch.numpy()[:, 0] * 255).astype(np.uint8)
    np.testing.assert_array_equal(grid[4:8, 3:6, 1], b[9])
    np.testing.assert_array_equal(grid[0:4, 21:24, 0], b[7])
    assert not grid[4:, 6:].any()


def test_histogram_counts(tmp_path, rng):
    values = rng.normal(size=1000)
    with SummaryWriter(tmp_path) as w:
        w.add_histogram("default", minitorch.tensor(values), 1)
        w.add_histogram("edges", values, 2, bins=np.linspace(-5, 5, 11))
    acc = _read(tmp_path)
    h = acc.Histograms("edges")[0].histogram_value
    counts, _ = np.histogram(values, bins=np.linspace(-5, 5, 11))
    nz = np.flatnonzero(counts)
    assert h.num == 1000 and h.min == values.min() and h.max == values.max()
    assert np.isclose(h.sum, values.sum()) and np.isclose(h.sum_squares, values @ values)
    assert list(h.bucket)[1:] == counts[nz[0] : nz[-1] + 1].tolist()
    assert sum(acc.Histograms("default")[0].histogram_value.bucket) == 1000


def test_text_and_graph(tmp_path):
    class Net(minitorch.nn.Module):
        def __init__(self):
            super().__init__()
            self.features = minitorch.nn.Sequential(minitorch.nn.Conv2d(1, 2, 3), minitorch.nn.ReLU())
            self.fc = minitorch.nn.Linear(2 * 6 * 6, 3)

        def forward(self, x):
            return self.fc(self.features(x).flatten(1))

    net = Net()
    net.train()
    with SummaryWriter(tmp_path) as w:
        w.add_text("note", "**lr** = 0.1", 5)
        w.add_graph(net, minitorch.randn(4, 1, 8, 8))
    assert net.training  # the mode is restored after the run
    acc = _read(tmp_path)
    (t,) = acc.Tensors("note/text_summary")
    assert t.step == 5 and t.tensor_proto.string_val == [b"**lr** = 0.1"]
    nodes = {n.name: n for n in acc.Graph().node}
    shape = lambda n: [d.size for d in n.attr["_output_shapes"].list.shape[0].dim]
    conv = "Net/Sequential[features]/Conv2d[0]"
    assert shape(nodes[f"{conv}/weight"]) == [2, 1, 3, 3]
    assert nodes[f"{conv}/weight"].op == "Parameter"
    assert shape(nodes["Net/Linear[fc]/weight"]) == [3, 72]
    assert list(nodes[f"{conv}/ConvolutionBackward0"].input) == [
        "input/input.0", f"{conv}/weight", f"{conv}/bias"
    ]
    assert shape(nodes[f"{conv}/ConvolutionBackward0"]) == [4, 2, 6, 6]
    assert "Net/Sequential[features]/ReLU[1]/ReluBackward0" in nodes
    assert list(nodes["output/output.0"].input) == ["Net/Linear[fc]/AddmmBackward0"]
    assert shape(nodes["output/output.0"]) == [4, 3]


# ---- the same calls through PyTorch's SummaryWriter -------------------------------------
def _write_everything(Writer, logdir, tensor, data):
    with Writer(str(logdir)) as w:
        for step, v in enumerate(data["scalars"]):
            w.add_scalar("loss", v, step)
        w.add_scalars("run", {"a": 1.0, "b": 2.0}, 0)
        w.add_histogram("h", tensor(data["hist"]), 0)
        w.add_histogram("h_fd", data["hist"], 1, bins="fd", max_bins=7)
        w.add_image("img", tensor(data["img"]), 0)
        w.add_images("batch", tensor(data["batch"]), 0)
        w.add_images("nhwc", data["batch"].transpose(0, 2, 3, 1), 0, dataformats="NHWC")
        w.add_text("txt", "hello *world*", 2)
        w.add_pr_curve("pr", data["labels"], data["preds"], 0, num_thresholds=20)
        w.add_hparams({"lr": 0.1, "opt": "sgd", "flag": True}, {"hp/acc": 0.9}, run_name="hp")
        w.add_histogram_raw("h_raw", 0.5, 9.0, 5, 20.0, 100.0, [1.0, 5.0, 10.0], [1, 2, 2], 3)
        w.add_pr_curve_raw("pr_raw", *data["pr_raw"], global_step=1, num_thresholds=3)
        w.add_embedding(tensor(data["emb"]), metadata=list("abcdef"),
                        label_img=tensor(data["thumbs"]), tag="emb/x")


def test_same_as_torch(tmp_path, rng):
    import torch

    TorchWriter = _torch_writer()
    data = {
        "scalars": [0.5, float("nan"), 3.25, 1e-8],
        "hist": rng.normal(size=500),
        "img": rng.random((3, 6, 5)).astype(np.float32),
        "batch": rng.random((11, 3, 4, 4)).astype(np.float32),
        "labels": rng.integers(0, 2, 100),
        "preds": rng.random(100),
        "emb": rng.normal(size=(6, 3)),
        "thumbs": rng.random((6, 3, 4, 5)).astype(np.float32),
        "pr_raw": [np.array([3.0, 2, 1]), np.array([4.0, 1, 0]), np.array([0.0, 3, 4]),
                   np.array([0.0, 1, 2]), np.array([0.4, 0.6, 1]), np.array([1.0, 0.6, 0.3])],
    }
    _write_everything(SummaryWriter, tmp_path / "mt", minitorch.tensor, data)
    _write_everything(TorchWriter, tmp_path / "pt", torch.tensor, data)
    ours, theirs = _read(tmp_path / "mt"), _read(tmp_path / "pt")
    for kind in ("scalars", "images", "histograms", "tensors"):
        assert ours.Tags()[kind] == theirs.Tags()[kind]
    np.testing.assert_array_equal(
        [(e.step, e.value) for e in ours.Scalars("loss")],
        [(e.step, e.value) for e in theirs.Scalars("loss")],
    )
    for tag in ("h", "h_fd", "h_raw"):
        assert ours.Histograms(tag)[0].histogram_value == theirs.Histograms(tag)[0].histogram_value
    for tag in ("img", "batch", "nhwc"):
        a, b = ours.Images(tag)[0], theirs.Images(tag)[0]
        assert (a.width, a.height) == (b.width, b.height)
        np.testing.assert_array_equal(_pixels(a), _pixels(b))
    for tag in ("txt/text_summary", "pr", "pr_raw"):
        a, b = ours.Tensors(tag)[0], theirs.Tensors(tag)[0]
        assert a.step == b.step
        assert a.tensor_proto.tensor_shape == b.tensor_proto.tensor_shape
        np.testing.assert_allclose(a.tensor_proto.float_val, b.tensor_proto.float_val, rtol=1e-6)
        assert a.tensor_proto.string_val == b.tensor_proto.string_val
    layout = lambda d: sorted(f for f in os.listdir(d) if not f.startswith("events"))
    assert layout(tmp_path / "mt") == layout(tmp_path / "pt") == [
        "00000", "hp", "projector_config.pbtxt", "run_a", "run_b"
    ]
    for sub in ("run_a", "run_b", "hp"):
        a, b = _read(tmp_path / "mt" / sub), _read(tmp_path / "pt" / sub)
        assert a.Tags()["scalars"] == b.Tags()["scalars"]
        for tag in a.Tags()["scalars"]:
            assert [x.value for x in a.Scalars(tag)] == [x.value for x in b.Scalars(tag)]
    hp_ours, hp_torch = (_read(tmp_path / d / "hp").PluginTagToContent("hparams") for d in ("mt", "pt"))
    assert hp_ours == hp_torch and len(hp_ours) == 3
    emb = "00000/emb%2fx"
    for name in ("tensors.tsv", "metadata.tsv"):
        got = np.loadtxt(tmp_path / "mt" / emb / name, dtype=str, delimiter="\t")
        want = np.loadtxt(tmp_path / "pt" / emb / name, dtype=str, delimiter="\t")
        if name == "tensors.tsv":
            np.testing.assert_allclose(got.astype(float), want.astype(float), rtol=1e-6)
        else:
            np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(
        np.asarray(PIL.open(tmp_path / "mt" / emb / "sprite.png")),
        np.asarray(PIL.open(tmp_path / "pt" / emb / "sprite.png")),
    )
    assert (tmp_path / "mt" / "projector_config.pbtxt").read_text() == (
        tmp_path / "pt" / "projector_config.pbtxt"
    ).read_text()


def test_figure_same_size_as_torch(tmp_path):
    matplotlib = pytest.importorskip("matplotlib", reason="add_figure needs matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    TorchWriter = _torch_writer()
    for Writer, sub in ((SummaryWriter, "mt"), (TorchWriter, "pt")):
        fig = plt.figure(figsize=(2, 1.5), dpi=50)
        plt.plot([0, 1], [1, 0])
        with Writer(str(tmp_path / sub)) as w:
            w.add_figure("fig", fig, 0)
        assert not plt.fignum_exists(fig.number)  # close=True closed it
    a, b = _read(tmp_path / "mt").Images("fig")[0], _read(tmp_path / "pt").Images("fig")[0]
    assert (a.width, a.height) == (b.width, b.height) == (100, 75)
    np.testing.assert_array_equal(_pixels(a), _pixels(b))


# ---- bad input ------------------------------------------------------------------------
def test_bad_input(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(AssertionError, match=r"img_tensor has 2 dimensions.*'CHW'"):
            w.add_image("x", np.zeros((4, 4)))
        with pytest.raises(AssertionError, match=r"img_tensor has 3 dimensions.*'NCHW'"):
            w.add_images("x", minitorch.zeros(3, 4, 4))
        with pytest.raises(AssertionError, match="dataformats='CHWX'"):
            w.add_image("x", np.zeros((3, 4, 4)), dataformats="CHWX")
        with pytest.raises(AssertionError, match=r"scalar_value.*one element.*\(3,\)"):
            w.add_scalar("x", minitorch.ones(3))
        with pytest.raises(NotImplementedError, match="scalar_value: got str"):
            w.add_scalar("x", "1.0")
        with pytest.raises(ValueError, match="values has no element"):
            w.add_histogram("x", np.array([]))
        with pytest.raises(TypeError, match="hparam_dict and metric_dict"):
            w.add_hparams([("lr", 1)], {})
        with pytest.raises(AssertionError, match="mat should be 2-D"):
            w.add_embedding(np.zeros(3))
        with pytest.raises(TypeError, match="add_graph: model must be an nn.Module"):
            w.add_graph(lambda x: x, minitorch.zeros(1))
        with pytest.raises(ValueError, match="bucket_limits"):
            w.add_histogram_raw("x", 0, 1, 2, 1, 1, [1.0], [1, 1])
        with pytest.raises(NotImplementedError, match="add_video is not provided"):
            w.add_video("x", np.zeros((1, 1, 3, 2, 2)))
        w.add_image("nan", np.full((3, 2, 2), np.nan))  # NaN pixels are black, no warning
    assert not _pixels(_read(tmp_path).Images("nan")[0]).any()
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError, match="log_dir.*file"):
        SummaryWriter(tmp_path / "file" / "sub")


def test_import_error_names_the_pip_command():
    code = (
        "import sys; sys.modules['tensorboard'] = None\n"
        "try:\n    import minitorch.utils.tensorboard\n"
        "except ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                         timeout=60, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert "pip install tensorboard" in out.stdout


# ---- the real TensorBoard server --------------------------------------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def test_tensorboard_server_shows_the_scalars(tmp_path):
    values = [0.25, 0.5, 0.125]
    with SummaryWriter(tmp_path / "run1") as w:
        for step, v in enumerate(values):
            w.add_scalar("train/loss", v, step * 5)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", str(tmp_path),
         "--host", "127.0.0.1", "--port", str(port), "--load_fast", "false",
         "--reload_interval", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        points = None
        for _ in range(120):  # bounded: at most about a minute on a loaded machine
            if server.poll() is not None:
                pytest.fail(f"tensorboard exited with code {server.returncode}")
            try:
                url = f"{base}/data/plugin/scalars/scalars?run=run1&tag=train%2Floss"
                points = _get_json(url)
                if len(points) == len(values):
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        assert points is not None, "the tensorboard server never answered"
        assert [p[1] for p in points] == [0, 5, 10]
        assert [p[2] for p in points] == values
        assert "run1" in _get_json(f"{base}/data/runs")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)
    assert server.poll() is not None


# ---- the examples' --tensorboard flag ----------------------------------------------------
def test_example_tensorboard_flag(tmp_path):
    mnist = os.environ.get("MINITORCH_MNIST_DIR", "")
    if not os.path.isdir(mnist):
        pytest.skip(f"needs MNIST in {mnist!r} (MINITORCH_MNIST_DIR)")
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run(
        [sys.executable, os.path.join(repo, "examples", "mnist_cnn.py"), "--epochs", "2",
         "--max-batches", "2", "--limit-train", "200", "--limit-test", "100", "--quiet",
         "--data-dir", mnist, "--out-dir", str(tmp_path), "--tensorboard"],
        cwd=repo, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    acc = _read(tmp_path / "tensorboard")
    assert acc.Tags()["scalars"] == ["loss/train", "loss/test", "accuracy/test"]
    assert [e.step for e in acc.Scalars("accuracy/test")] == [1, 2]
    assert all(0 <= e.value <= 1 for e in acc.Scalars("accuracy/test"))
    (grid,) = acc.Images("inputs/first_batch")
    assert (grid.width, grid.height) == (8 * 28, 8 * 28)  # 64 images, 8 a row
    ops = [n.op for n in acc.Graph().node]
    assert ops.count("ConvolutionBackward0") == 2 and ops.count("Parameter") == 6
