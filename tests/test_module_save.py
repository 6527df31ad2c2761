"""Whole-model checkpoints: ``minitorch.save(model, f)`` / ``minitorch.load(f,
weights_only=False)``, rebuilt without pickle, refusing anything but Module classes."""

import io
import json
import pickle
import sys
import types
import zipfile

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn


class Net(nn.Module):
    """A model with every kind of state: layers, a shared layer, a buffer, plain values."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.bn = nn.BatchNorm2d(2)
        self.body = nn.Sequential(nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 3))
        self.head = self.body[2]  # the same module twice
        self.frozen = nn.Parameter(minitorch.ones(3), requires_grad=False)
        self.register_buffer("calls", minitorch.zeros(1, dtype=minitorch.int64))
        self.register_buffer("scratch", minitorch.zeros(2), persistent=False)
        self.scale, self.name, self.sizes = 2.5, "net", (1, 2)
        self.device, self.dtype = minitorch.device("cpu"), minitorch.float32

    def forward(self, x):
        return self.body(self.bn(self.conv(x)).flatten(1)) * self.scale + self.frozen


def _round_trip(obj, **load_kw):
    buf = io.BytesIO()
    minitorch.save(obj, buf)
    buf.seek(0)
    return minitorch.load(buf, **load_kw)


def test_whole_model_round_trip():
    model = Net()
    model.bn.running_mean.add_(0.5)
    model.eval()
    loaded = _round_trip(model, weights_only=False)
    assert type(loaded) is Net and loaded is not model
    assert loaded.training is False and loaded.body[0].training is False
    assert loaded.head is loaded.body[2]  # sharing survives
    assert loaded.scale == 2.5 and loaded.name == "net" and loaded.sizes == (1, 2)
    assert loaded.device == minitorch.device("cpu") and loaded.dtype is minitorch.float32
    assert "scratch" not in loaded.state_dict()  # still non-persistent
    for (k1, v1), (k2, v2) in zip(model.state_dict().items(), loaded.state_dict().items()):
        assert k1 == k2
        np.testing.assert_array_equal(v1.numpy(), v2.numpy())
    params = dict(loaded.named_parameters())
    assert all(isinstance(p, nn.Parameter) for p in params.values())
    assert params["frozen"].requires_grad is False and params["conv.weight"].requires_grad
    x = minitorch.randn(2, 1, 4, 4)
    np.testing.assert_array_equal(loaded(x).detach().numpy(), model(x).detach().numpy())
    loss = loaded(x).sum()
    loss.backward()
    assert loaded.conv.weight.grad is not None  # trains on
    assert repr(loaded) == repr(model)


def test_model_inside_a_checkpoint_dict_and_tied_weights():
    model = nn.Sequential(nn.Embedding(5, 4), nn.Linear(4, 5, bias=False))
    model[1].weight = model[0].weight  # weight tying
    out = _round_trip({"model": model, "epoch": 3}, weights_only=False)
    assert out["epoch"] == 3
    assert out["model"][1].weight is out["model"][0].weight
    assert len(list(out["model"].parameters())) == 1


class FlatWeights(nn.Module):
    """Keeps its parameters in a list too, as PyTorch's RNNs keep ``_flat_weights``."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(minitorch.randn(3))
        self.b = nn.Parameter(minitorch.zeros(3))
        self.flat = [self.w, self.b]


def test_parameters_held_twice_load_as_one_object():
    loaded = _round_trip(FlatWeights(), weights_only=False)
    assert loaded.flat[0] is loaded.w and loaded.flat[1] is loaded.b
    assert isinstance(loaded.flat[0], nn.Parameter)
    with minitorch.no_grad():
        loaded.w.add_(1.0)
    assert loaded.flat[0].tolist() == loaded.w.tolist()


def test_default_load_refuses_a_model_like_torch():
    buf = io.BytesIO()
    torch.save(torch.nn.Linear(2, 3), buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError) as theirs:
        torch.load(buf)
    with pytest.raises(pickle.UnpicklingError) as ours:
        _round_trip(nn.Linear(2, 3))
    first = "Weights only load failed. This file can still be loaded"
    assert str(theirs.value).startswith(first) and str(ours.value).startswith(first)
    assert "Unsupported global: GLOBAL minitorch.nn.modules.linear.Linear" in str(ours.value)
    assert "weights_only" in str(ours.value)
    with pytest.raises(pickle.UnpicklingError):  # None means True, as in PyTorch 2.6+
        _round_trip(nn.Linear(2, 3), weights_only=None)


def test_state_dicts_still_load_with_weights_only():
    sd = _round_trip(Net().state_dict())
    assert set(sd) == set(Net().state_dict())


def _crafted(class_name, state=()):
    """A checkpoint whose header names ``class_name`` as a module class."""
    header = {"format": "minitorch-checkpoint", "version": 1, "tensors": [],
              "root": {"type": "module", "id": 0, "class": class_name, "state": list(state)}}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("header.json", json.dumps(header))
    buf.seek(0)
    return buf


@pytest.fixture
def trap_module():
    """A module whose every callable records being called."""
    mod = types.ModuleType("fid_trap")
    mod.calls = []

    def evil(*args, **kwargs):
        mod.calls.append(("function", args))

    class NotAModule:
        def __new__(cls, *args, **kwargs):
            mod.calls.append(("new", args))
            return super().__new__(cls)

        def __init__(self, *args, **kwargs):
            mod.calls.append(("init", args))

    class Meta(type):
        def __call__(cls, *args, **kwargs):
            mod.calls.append(("metaclass", args))

    class SneakyModule(nn.Module, metaclass=type("M", (Meta,), {})):
        def __new__(cls, *args, **kwargs):
            mod.calls.append(("module new", args))
            return super().__new__(cls)

        def __init__(self):
            mod.calls.append(("module init",))
            super().__init__()

        def __setstate__(self, state):
            mod.calls.append(("setstate",))

    def module_getattr(name):
        mod.calls.append(("getattr", name))
        return evil

    mod.evil, mod.NotAModule, mod.SneakyModule = evil, NotAModule, SneakyModule
    mod.__getattr__ = module_getattr
    sys.modules["fid_trap"] = mod
    yield mod
    del sys.modules["fid_trap"]


@pytest.mark.parametrize("name", ["fid_trap:evil", "fid_trap:NotAModule", "os:system",
                                  "builtins:eval", "builtins:object"])
def test_crafted_file_naming_a_function_or_other_class_is_refused(trap_module, name):
    with pytest.raises(pickle.UnpicklingError, match="not a subclass of minitorch.nn.Module"):
        minitorch.load(_crafted(name), weights_only=False)
    assert trap_module.calls == []


def test_crafted_file_never_calls_module_getattr(trap_module):
    with pytest.raises(AttributeError, match="Can't get attribute 'missing'"):
        minitorch.load(_crafted("fid_trap:missing"), weights_only=False)
    assert trap_module.calls == []


def test_module_class_is_built_without_its_new_init_or_setstate(trap_module):
    model = minitorch.load(_crafted("fid_trap:SneakyModule", [["training", True]]),
                           weights_only=False)
    assert type(model) is trap_module.SneakyModule and model.training is True
    assert trap_module.calls == []


def test_unimported_module_is_not_imported():
    name = "fid_never_imported_module"
    with pytest.raises(ModuleNotFoundError, match=f"No module named '{name}' is imported"):
        minitorch.load(_crafted(f"{name}:Net"), weights_only=False)
    assert name not in sys.modules


def _defined_in_temporary_module(lib):
    """(module, class) with a Net defined in a throwaway module, as a script's would be."""
    mod = types.ModuleType(f"fid_models_{lib.__name__}")
    sys.modules[mod.__name__] = mod

    def __init__(self):
        lib.nn.Module.__init__(self)
        self.fc = lib.nn.Linear(2, 2)

    mod.Net = type("Net", (lib.nn.Module,), {"__init__": __init__, "__module__": mod.__name__,
                                             "__qualname__": "Net"})
    return mod


@pytest.mark.parametrize("lib", [torch, minitorch])
def test_class_no_longer_defined_gives_pytorchs_error(lib):
    """The course notes' trap: loading needs the class defined under its saved name."""
    mod = _defined_in_temporary_module(lib)
    try:
        buf = io.BytesIO()
        lib.save(mod.Net(), buf)
        del mod.Net  # e.g. loading from another script that does not define Net
        buf.seek(0)
        with pytest.raises(AttributeError, match=f"Can't get attribute 'Net' on <module "
                                                 f"'{mod.__name__}'"):
            lib.load(buf, weights_only=False)
    finally:
        del sys.modules[mod.__name__]


@pytest.mark.parametrize("lib", [torch, minitorch])
def test_local_class_cannot_be_saved_like_torch(lib):
    def make():
        class Local(lib.nn.Module):
            pass

        return Local()

    with pytest.raises(AttributeError, match="Can't pickle local object 'test_local_class"):
        lib.save(make(), io.BytesIO())


def test_lambda_attribute_cannot_be_saved_and_nothing_is_written(tmp_path):
    model = nn.Linear(2, 2)
    model.act = lambda x: x
    path = tmp_path / "m.pt"
    with pytest.raises(TypeError, match=r"function at obj\.act"):
        minitorch.save(model, path)
    assert list(tmp_path.iterdir()) == []


def test_hooks_cannot_be_saved():
    model = nn.Linear(2, 2)
    model.register_forward_hook(lambda m, i, o: o)
    with pytest.raises(TypeError, match="_forward_hooks"):
        minitorch.save(model, io.BytesIO())
