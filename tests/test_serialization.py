"""minitorch.save / minitorch.load: round trips, atomic writes, and files that must be refused."""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import torch

import minitorch
from minitorch import serialization
from minitorch.serialization import load, save

# ----------------------------------------------------------------------------- helpers


def to_minitorch(obj):
    """A torch object tree with every torch tensor replaced by an equal minitorch tensor."""
    if isinstance(obj, torch.Tensor):
        return minitorch.from_numpy(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return type(obj)((k, to_minitorch(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_minitorch(v) for v in obj)
    return obj


def assert_same_tree(got, want, where="obj"):
    """Equal structure (exact container types, key order), equal tensors and values."""
    if isinstance(want, minitorch.Tensor):
        assert isinstance(got, minitorch.Tensor), where
        assert got.dtype == want.dtype, where
        assert tuple(got.shape) == tuple(want.shape), where
        assert not got.requires_grad, where
        np.testing.assert_array_equal(got.numpy(), want.detach().numpy(), err_msg=where)
    elif isinstance(want, np.ndarray):
        assert type(got) is np.ndarray and got.dtype == want.dtype, where
        np.testing.assert_array_equal(got, want, err_msg=where)
    elif isinstance(want, dict):
        assert type(got) is type(want), where
        assert list(got.keys()) == list(want.keys()), where
        for k in want:
            assert_same_tree(got[k], want[k], f"{where}[{k!r}]")
    elif isinstance(want, (list, tuple)):
        assert type(got) is type(want) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same_tree(g, w, f"{where}[{i}]")
    elif isinstance(want, float) and math.isnan(want):
        assert isinstance(got, float) and math.isnan(got), where
    else:
        assert type(got) is type(want) and got == want, where
        if isinstance(want, float):
            assert math.copysign(1, got) == math.copysign(1, want), where


def rewrite_header(path: Path, edit) -> None:
    """Rewrite a checkpoint with ``edit(header)`` applied to its header.json."""
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    header = json.loads(members["header.json"])
    edit(header)
    members["header.json"] = json.dumps(header).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


@pytest.fixture
def state(rng):
    """A nested state dict with every dtype, a 0-d and an empty tensor, and plain values."""
    return OrderedDict([
        ("fc.weight", minitorch.from_numpy(rng.standard_normal((3, 4)).astype(np.float32))),
        ("fc.bias", minitorch.from_numpy(rng.standard_normal(4))),
        ("counts", minitorch.from_numpy(rng.integers(-5, 5, (2, 3)))),
        ("mask", minitorch.from_numpy(rng.random(5) > 0.5)),
        ("scalar", minitorch.tensor(2.5)),
        ("empty", minitorch.zeros(0, 3)),
        ("meta", {"epoch": 3, "lr": 0.1, "name": "mlp", "done": False, "note": None,
                  "big": 2**70, "nan": float("nan"), "inf": float("-inf"), "zero": -0.0,
                  "betas": (0.9, 0.999), "sizes": [784, 128, 10], "empty": [], "unit": ()}),
        ("numpy", np.arange(6, dtype=np.int32).reshape(2, 3)),
    ])


# ----------------------------------------------------------------------------- round trips


def test_round_trip_nested_state_dict(tmp_path, state):
    path = tmp_path / "model.pt"
    save(state, path)
    assert_same_tree(load(path), state)


def test_round_trip_torch_optimizer_state_dict(tmp_path):
    """A real PyTorch Adam state dict: int keys, tuples, None, lists of ints survive."""
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model(torch.randn(4, 3)).sum().backward()
    opt.step()
    want = to_minitorch({"model": model.state_dict(), "optim": opt.state_dict()})
    assert list(want["optim"]["state"].keys()) == [0, 1]
    save(want, tmp_path / "ckpt.pt")
    assert_same_tree(load(tmp_path / "ckpt.pt"), want)


def test_resume_training_from_checkpoint(tmp_path):
    """Model + optimizer saved mid-training and loaded into fresh objects continue identically."""
    def make():
        model = minitorch.nn.Sequential(minitorch.nn.Linear(3, 4), minitorch.nn.Tanh(),
                                        minitorch.nn.Linear(4, 1))
        return model, minitorch.optim.Adam(model.parameters(), lr=0.01)

    def step(model, opt, x):
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()

    x = minitorch.randn(8, 3)
    model, opt = make()
    step(model, opt, x)
    save({"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 1}, tmp_path / "c.pt")
    step(model, opt, x)

    ckpt = load(tmp_path / "c.pt")
    resumed, resumed_opt = make()
    resumed.load_state_dict(ckpt["model"])
    resumed_opt.load_state_dict(ckpt["optim"])
    step(resumed, resumed_opt, x)
    assert ckpt["epoch"] == 1
    for p, q in zip(model.parameters(), resumed.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_file_objects_and_str_paths(tmp_path, state):
    buffer = io.BytesIO()
    save(state, buffer)
    buffer.seek(0)
    assert_same_tree(load(buffer), state)

    class ReadOnly:  # a non-seekable stream
        def __init__(self, data):
            self._buffer = io.BytesIO(data)

        def read(self, n=-1):
            return self._buffer.read(n)

    assert_same_tree(load(ReadOnly(buffer.getvalue())), state)
    save(state, str(tmp_path / "x.pt"))
    assert_same_tree(load(str(tmp_path / "x.pt"), weights_only=False), state)


def test_loaded_tensors_do_not_require_grad_and_are_writable(tmp_path):
    w = minitorch.randn(2, 3, requires_grad=True)
    save({"w": w}, tmp_path / "w.pt")
    loaded = load(tmp_path / "w.pt")["w"]
    assert not loaded.requires_grad and loaded.grad_fn is None
    np.testing.assert_array_equal(loaded.numpy(), w.detach().numpy())
    loaded.add_(1.0)  # owns writable memory
    np.testing.assert_allclose(loaded.numpy(), w.detach().numpy() + 1)


def test_shared_tensors(tmp_path):
    """One tensor object reached twice loads as one tensor; views are stored separately."""
    base = minitorch.arange(6.0).reshape(2, 3)
    view = base[1]
    save({"a": base, "b": base, "row": view, "list": [base]}, tmp_path / "s.pt")
    out = load(tmp_path / "s.pt")
    assert out["a"] is out["b"] is out["list"][0]
    np.testing.assert_array_equal(out["row"].numpy(), [3.0, 4.0, 5.0])
    with zipfile.ZipFile(tmp_path / "s.pt") as zf:
        assert len([n for n in zf.namelist() if n.endswith(".npy")]) == 2


def test_non_contiguous_tensor(tmp_path):
    t = minitorch.arange(12.0).reshape(3, 4).t()
    save(t, tmp_path / "t.pt")
    np.testing.assert_array_equal(load(tmp_path / "t.pt").numpy(), t.numpy())


def test_checkpoint_holds_no_pickle(tmp_path, state):
    save(state, tmp_path / "c.pt")
    with zipfile.ZipFile(tmp_path / "c.pt") as zf:
        header = json.loads(zf.read("header.json"))
        assert header["format"] == "minitorch-checkpoint" and header["version"] == 1
        for name in zf.namelist():
            if name.endswith(".npy"):
                np.load(io.BytesIO(zf.read(name)), allow_pickle=False)


# ----------------------------------------------------------------------------- map_location


@pytest.mark.parametrize("map_location", [None, "cpu", minitorch.device("cpu"),
                                          {"cuda:0": "cpu"}, lambda t, where: None])
def test_map_location_cpu(tmp_path, map_location):
    save({"w": minitorch.ones(2)}, tmp_path / "w.pt")
    w = load(tmp_path / "w.pt", map_location=map_location)["w"]
    assert w.device == minitorch.device("cpu")


def test_map_location_callable_result_is_used(tmp_path):
    save([minitorch.ones(2)], tmp_path / "w.pt")
    seen = []

    def relocate(tensor, where):
        seen.append(where)
        return tensor * 2

    out = load(tmp_path / "w.pt", map_location=relocate)
    assert seen == ["cpu"]
    np.testing.assert_array_equal(out[0].numpy(), [2.0, 2.0])


@pytest.mark.skipif(minitorch.cuda.is_available(), reason="tests the CPU-only fallback")
def test_cuda_checkpoint_loads_on_cpu_without_cuda(tmp_path):
    save({"w": minitorch.ones(2)}, tmp_path / "w.pt")
    rewrite_header(tmp_path / "w.pt", lambda h: h["tensors"][0].update(device="cuda:0"))
    assert load(tmp_path / "w.pt")["w"].device == minitorch.device("cpu")
    assert load(tmp_path / "w.pt", map_location={"cuda:1": "cpu"})["w"].device.type == "cpu"
    assert load(tmp_path / "w.pt", map_location={"cuda:0": "cpu"})["w"].device.type == "cpu"


def test_missing_tensor_file(tmp_path):
    path = tmp_path / "c.pt"
    save({"w": minitorch.zeros(2)}, path)
    rewrite_header(path, lambda h: h["tensors"][0].update(file="tensors/7.npy"))
    with pytest.raises(RuntimeError, match="truncated or corrupt: cannot read tensors/7.npy"):
        load(path)


@pytest.mark.cuda
@pytest.mark.skipif(not minitorch.cuda.is_available(), reason="needs CUDA")
def test_cuda_round_trip(tmp_path):
    w = minitorch.randn(3, 2, device="cuda")
    save({"w": w}, tmp_path / "w.pt")
    assert load(tmp_path / "w.pt")["w"].device.type == "cuda"
    cpu = load(tmp_path / "w.pt", map_location="cpu")["w"]
    assert cpu.device.type == "cpu"
    np.testing.assert_array_equal(cpu.numpy(), w.cpu().numpy())


# ----------------------------------------------------------------------------- atomic writes


def test_failed_save_leaves_old_file_and_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    save({"version": 1, "w": minitorch.ones(2)}, path)
    calls = []

    def failing_save(fh, array, allow_pickle):
        calls.append(1)
        if len(calls) == 2:
            fh.write(b"partial")
            raise OSError("disk full")
        real_save(fh, array, allow_pickle=allow_pickle)

    real_save = np.save
    monkeypatch.setattr(serialization.np, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        save({"version": 2, "a": minitorch.zeros(3), "b": minitorch.zeros(4)}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["ckpt.pt"]
    assert load(path)["version"] == 1


def test_unsupported_object_raises_before_writing(tmp_path):
    path = tmp_path / "ckpt.pt"
    with pytest.raises(TypeError, match=r"object at obj\['layers'\]\[1\]"):
        save({"layers": [1, object()]}, path)
    with pytest.raises(TypeError, match="object array"):
        save(np.array([None, 1], dtype=object), path)
    assert os.listdir(tmp_path) == []


def test_saved_file_has_ordinary_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        save([1], tmp_path / "p.pt")
    finally:
        os.umask(umask)
    assert (tmp_path / "p.pt").stat().st_mode & 0o777 == 0o644


def test_missing_parent_directory(tmp_path):
    with pytest.raises(RuntimeError, match="Parent directory .*nope does not exist"):
        save([1], tmp_path / "nope" / "x.pt")


# ----------------------------------------------------------------------------- bad files


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.6, 0.9, 0.999])
def test_truncated_file(tmp_path, state, fraction):
    path = tmp_path / "c.pt"
    save(state, path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(RuntimeError, match="c.pt is truncated or corrupt"):
        load(path)


def test_corrupt_tensor_bytes(tmp_path):
    path = tmp_path / "c.pt"
    save({"w": minitorch.zeros(1000)}, path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        load(path)


def test_header_and_data_disagree(tmp_path):
    path = tmp_path / "c.pt"
    save({"w": minitorch.zeros(2, 3)}, path)
    rewrite_header(path, lambda h: h["tensors"][0].update(shape=[3, 2]))
    with pytest.raises(RuntimeError, match=r"corrupt: tensors/0.npy holds float32 \[2, 3\]"):
        load(path)
    rewrite_header(path, lambda h: h.update(tensors=[]))
    with pytest.raises(RuntimeError, match="corrupt: its header.json does not describe"):
        load(path)


def test_empty_file(tmp_path):
    (tmp_path / "e.pt").write_bytes(b"")
    with pytest.raises(RuntimeError, match="e.pt is empty"):
        load(tmp_path / "e.pt")


def test_text_file_is_not_a_checkpoint(tmp_path):
    (tmp_path / "notes.txt").write_text("hello, world\n")
    with pytest.raises(RuntimeError, match="notes.txt is not a minitorch checkpoint"):
        load(tmp_path / "notes.txt")


def test_foreign_zip_and_wrong_format_or_version(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(RuntimeError, match="not a minitorch checkpoint .*without header.json"):
        load(path)
    save([1], path)
    rewrite_header(path, lambda h: h.update(format="something-else"))
    with pytest.raises(RuntimeError, match="not a minitorch checkpoint"):
        load(path)
    save([1], path)
    rewrite_header(path, lambda h: h.update(version=99))
    with pytest.raises(RuntimeError, match="format version 99; this minitorch reads versions up"):
        load(path)


class _Evil:
    """Unpickling this would create the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_pickle_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(_Evil(marker)))
    with pytest.raises(RuntimeError, match="evil.pt is a pickle file, not a minitorch"):
        load(path)
    assert not marker.exists()
    # the same pickle inside a torch.save-style zip
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps(_Evil(marker)))
    with pytest.raises(RuntimeError, match="is a PyTorch checkpoint written by torch.save"):
        load(path)
    assert not marker.exists()


def test_real_torch_checkpoint_is_refused(tmp_path):
    torch.save({"w": torch.ones(2)}, tmp_path / "t.pt")
    with pytest.raises(RuntimeError, match="is a PyTorch checkpoint written by torch.save"):
        load(tmp_path / "t.pt")
