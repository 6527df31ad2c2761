"""Behaviour behind signatures made PyTorch's by the audit (tests/test_signatures.py):
``nan_to_num(nan=None)``, ``roll(dims=())``, ``flip(input, dims)`` / ``x.flip(*dims)``,
``x.repeat_interleave(repeats)``, the norms' keyword-only ``bias``, ``RNNBase.forward``,
the profiler's further options and the not-provided ``SummaryWriter`` methods."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.profiler import profile

X = np.array([[1.0, np.nan, np.inf], [-np.inf, 2.0, np.nan]])


def _same(ours, theirs) -> None:
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("kwargs", [{}, {"nan": None}, {"nan": 1.5, "posinf": None},
                                    {"nan": None, "posinf": 3.0, "neginf": -3.0}])
def test_nan_to_num_none_means_zero(kwargs) -> None:
    _same(minitorch.nan_to_num(minitorch.tensor(X), **kwargs),
          torch.nan_to_num(torch.tensor(X), **kwargs))
    ours, theirs = minitorch.tensor(X), torch.tensor(X)
    ours.nan_to_num_(**kwargs)
    theirs.nan_to_num_(**kwargs)
    _same(ours, theirs)


@pytest.mark.parametrize("shifts,dims", [(1, ()), (-2, ()), (1, None), (4, []), ((1, 2), (0, 1)),
                                         (1, 1)])
def test_roll_empty_dims_rolls_the_flattened_tensor(shifts, dims) -> None:
    a = np.arange(12.0).reshape(3, 4)
    if dims is None:
        _same(minitorch.roll(minitorch.tensor(a), shifts), torch.roll(torch.tensor(a), shifts))
    else:
        _same(minitorch.roll(minitorch.tensor(a), shifts, dims),
              torch.roll(torch.tensor(a), shifts, dims))


def test_roll_empty_dims_needs_one_shift() -> None:
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        minitorch.roll(minitorch.ones(2, 3), (1, 2), ())
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        torch.roll(torch.ones(2, 3), (1, 2), ())


def test_flip_function_takes_a_sequence_method_also_varargs() -> None:
    a = np.arange(24.0).reshape(2, 3, 4)
    m, t = minitorch.tensor(a), torch.tensor(a)
    _same(minitorch.flip(m, (0, 2)), torch.flip(t, (0, 2)))
    _same(minitorch.flip(m, dims=[1]), torch.flip(t, dims=[1]))
    _same(m.flip(0, 2), t.flip(0, 2))
    _same(m.flip((1,)), t.flip((1,)))
    _same(m.flip(dims=(-1,)), t.flip(dims=(-1,)))
    for lib, x in ((minitorch, m), (torch, t)):
        with pytest.raises(TypeError, match="dims"):
            lib.flip(x, 0)


def test_flip_gradient_and_rot90() -> None:
    a = np.random.default_rng(0).random((3, 4))
    g = np.random.default_rng(1).random((3, 4))
    m = minitorch.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    minitorch.flip(m, (1,)).backward(minitorch.tensor(g))
    torch.flip(t, (1,)).backward(torch.tensor(g))
    _same(m.grad, t.grad)
    for k in range(4):
        _same(minitorch.rot90(minitorch.tensor(a), k), torch.rot90(torch.tensor(a), k))


def test_repeat_interleave_method_needs_repeats() -> None:
    a = np.arange(6.0).reshape(2, 3)
    _same(minitorch.tensor(a).repeat_interleave(2, 1), torch.tensor(a).repeat_interleave(2, 1))
    _same(minitorch.tensor(a).repeat_interleave(repeats=minitorch.tensor([1, 2]), dim=0),
          torch.tensor(a).repeat_interleave(repeats=torch.tensor([1, 2]), dim=0))
    _same(minitorch.repeat_interleave(minitorch.tensor([2, 0, 1])),
          torch.repeat_interleave(torch.tensor([2, 0, 1])))
    for x in (minitorch.tensor(a), torch.tensor(a)):
        with pytest.raises(TypeError, match="repeat"):
            x.repeat_interleave()


@pytest.mark.parametrize("name", ["InstanceNorm1d", "InstanceNorm2d"])
@pytest.mark.parametrize("affine,bias", [(True, False), (True, True), (False, False)])
def test_instance_norm_bias_keyword(name, affine, bias) -> None:
    ours = getattr(minitorch.nn, name)(3, affine=affine, bias=bias)
    theirs = getattr(torch.nn, name)(3, affine=affine, bias=bias)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    with pytest.raises(TypeError):
        getattr(minitorch.nn, name)(3, 1e-5, 0.1, True, False, None, None, False)


def test_group_norm_bias_is_keyword_only() -> None:
    ours, theirs = minitorch.nn.GroupNorm(1, 4, bias=False), torch.nn.GroupNorm(1, 4, bias=False)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict()) == ["weight"]
    assert repr(ours) == repr(theirs)
    ours = minitorch.nn.GroupNorm(2, 4, 1e-3, True, None, minitorch.float64)
    assert ours.weight.dtype is minitorch.float64 and ours.bias is not None
    for lib in (minitorch, torch):
        with pytest.raises(TypeError):  # bias only by keyword
            lib.nn.GroupNorm(2, 4, 1e-5, True, None, None, False)


def test_rnn_base_has_no_forward_its_subclasses_do() -> None:
    for lib in (minitorch, torch):
        base = lib.nn.RNNBase("GRU", 3, 4)
        with pytest.raises(NotImplementedError, match="forward"):
            base(lib.ones(2, 1, 3))
    x = np.random.default_rng(0).random((5, 2, 3))
    for name in ("RNN", "LSTM", "GRU"):
        torch.manual_seed(0)
        theirs = getattr(torch.nn, name)(3, 4).double()
        ours = getattr(minitorch.nn, name)(3, 4).double()
        ours.load_state_dict({k: minitorch.tensor(v.detach().numpy())
                              for k, v in theirs.state_dict().items()})
        out, _ = ours(minitorch.tensor(x))
        np.testing.assert_allclose(out.detach().numpy(),
                                   theirs(torch.tensor(x))[0].detach().numpy(), atol=1e-12)


def _cycles(lib, prof) -> set[str]:
    prof.start()
    lib.ones(2).exp()
    prof.stop()
    prof.start()
    lib.ones(2).sin()
    prof.stop()
    return {e.key.replace("aten::", "") for e in prof.key_averages()}


@pytest.mark.parametrize("acc_events", [False, True])
def test_profiler_acc_events_keeps_or_clears_cycles(acc_events) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = _cycles(minitorch, profile(acc_events=acc_events))
        theirs = _cycles(torch, torch.profiler.profile(acc_events=acc_events))
    for name in ("exp", "sin"):
        assert (name in ours) == (name in theirs), (name, ours, theirs)
    if not acc_events:
        with pytest.warns(UserWarning, match="Profiler clears events"):
            _cycles(minitorch, profile())


def test_profiler_trace_id_use_cuda_and_unsupported_options() -> None:
    prof = profile(custom_trace_id_callback=lambda: "abc", post_processing_timeout_s=1.0,
                   experimental_config=None)
    assert prof.get_trace_id() is None
    with prof:
        assert prof.get_trace_id() == "abc"
    with profile() as prof:
        assert len(prof.get_trace_id()) == 32
    with pytest.warns(FutureWarning, match="use_cuda"):
        prof = profile(use_cuda=True)
    assert minitorch.profiler.ProfilerActivity.CUDA in prof.activities
    with pytest.raises(AssertionError, match="No valid profiler activities"), \
            pytest.warns(FutureWarning):
        profile(activities=[minitorch.profiler.ProfilerActivity.CUDA], use_cuda=False)
    with pytest.raises(NotImplementedError, match="execution_trace_observer"):
        profile(execution_trace_observer=object())


def test_profiler_export_and_grouping_options(tmp_path) -> None:
    with profile() as prof:
        minitorch.ones(2).exp()
    prof.export_chrome_trace(str(tmp_path / "a.json"), use_python_export=True)
    prof.export_chrome_trace(str(tmp_path / "b.json"))
    assert (tmp_path / "a.json").read_bytes().count(b'"exp"') == 1
    plain = {e.key: e.count for e in prof.key_averages()}
    assert {e.key: e.count for e in prof.key_averages(group_by_overload_name=True)} == plain


@pytest.mark.parametrize("call", [
    lambda w: w.add_audio("a", np.zeros(10), global_step=1, sample_rate=8000, walltime=0.0),
    lambda w: w.add_video("v", np.zeros((1, 1, 3, 2, 2)), 1, fps=2),
    lambda w: w.add_mesh("m", np.zeros((1, 3, 3)), colors=None, faces=None, config_dict=None),
    lambda w: w.add_onnx_graph(prototxt="x.pb"),
    lambda w: w.add_image_with_boxes("i", np.zeros((3, 2, 2)), np.zeros((1, 4)),
                                     rescale=1, dataformats="CHW", labels=["a"]),
    lambda w: w.add_custom_scalars(layout={}),
])
def test_summary_writer_not_provided_methods_take_torchs_arguments(tmp_path, call) -> None:
    pytest.importorskip("tensorboard", reason="needs the tensorboard package")
    from minitorch.utils.tensorboard import SummaryWriter

    with SummaryWriter(tmp_path) as w:
        with pytest.raises(NotImplementedError, match="is not provided"):
            call(w)
        with pytest.raises(TypeError):
            w.add_audio("a", np.zeros(3), sample_rte=1)
