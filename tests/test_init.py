"""minitorch.nn.init against torch.nn.init (gains, fans, bounds) and the default
initialisation of the layers (PyTorch's distributions; the random numbers differ)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.nn import init


@pytest.mark.parametrize("nonlinearity,param", [
    ("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None),
])
def test_calculate_gain_matches_torch(nonlinearity, param) -> None:
    assert init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(
        nonlinearity, param)


def test_calculate_gain_errors() -> None:
    with pytest.raises(ValueError, match="Unsupported nonlinearity softsign"):
        init.calculate_gain("softsign")
    with pytest.raises(ValueError, match="negative_slope slope not a valid number"):
        init.calculate_gain("leaky_relu", "slope")


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3, 3), (4, 6, 2)])
def test_fans_match_torch(shape) -> None:
    ours = init._calculate_fan_in_and_fan_out(minitorch.empty(shape))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(minitorch.empty(3))


def _draw(fn, shape=(200, 300), **kwargs) -> np.ndarray:
    t = nn.Parameter(minitorch.empty(shape))
    out = fn(t, **kwargs)
    assert out is t and t.requires_grad and t.is_leaf and t.grad_fn is None
    return t.detach().numpy()


def test_uniform_and_normal() -> None:
    u = _draw(init.uniform_, a=-2.0, b=3.0)
    assert u.min() >= -2.0 and u.max() < 3.0
    assert abs(u.mean() - 0.5) < 0.03 and abs(u.std() - 5 / math.sqrt(12)) < 0.03
    n = _draw(init.normal_, mean=1.0, std=2.0)
    assert abs(n.mean() - 1.0) < 0.03 and abs(n.std() - 2.0) < 0.03


def test_trunc_normal_stays_in_bounds() -> None:
    t = _draw(init.trunc_normal_, mean=0.5, std=1.0, a=0.0, b=1.0)
    assert t.min() >= 0.0 and t.max() <= 1.0
    assert abs(t.mean() - 0.5) < 0.01  # symmetric truncation keeps the mean
    wide = _draw(init.trunc_normal_, std=0.02)
    assert abs(wide.std() - 0.02) < 0.001 and np.abs(wide).max() <= 2.0


def test_constant_ones_zeros_eye() -> None:
    assert (_draw(init.constant_, val=0.25) == 0.25).all()
    assert (_draw(init.ones_) == 1).all() and (_draw(init.zeros_) == 0).all()
    np.testing.assert_array_equal(_draw(init.eye_, shape=(3, 4)), np.eye(3, 4))
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.eye_(minitorch.empty(2, 2, 2))


@pytest.mark.parametrize("shape", [(256, 400), (64, 32, 3, 3)])
def test_xavier_and_kaiming_distributions(shape) -> None:
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(minitorch.empty(shape))
    cases = [
        (init.xavier_uniform_, {"gain": 2.0}, "uniform", 2.0 * math.sqrt(6 / (fan_in + fan_out))),
        (init.xavier_normal_, {}, "normal", math.sqrt(2 / (fan_in + fan_out))),
        (init.kaiming_uniform_, {"nonlinearity": "relu"}, "uniform", math.sqrt(6 / fan_in)),
        (init.kaiming_uniform_, {"a": math.sqrt(5)}, "uniform", 1 / math.sqrt(fan_in)),
        (init.kaiming_normal_, {"mode": "fan_out", "nonlinearity": "relu"}, "normal",
         math.sqrt(2 / fan_out)),
    ]
    for fn, kwargs, kind, scale in cases:
        w = _draw(fn, shape, **kwargs)
        if kind == "uniform":  # U(-b, b): bounds exact, std b / sqrt(3)
            assert np.abs(w).max() <= scale and np.abs(w).max() > 0.99 * scale
            assert abs(w.std() / (scale / math.sqrt(3)) - 1) < 0.03
        else:
            assert abs(w.std() / scale - 1) < 0.03
        assert abs(w.mean()) < 0.05 * scale
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_normal_(minitorch.empty(shape), mode="fan_avg")


def test_generator_makes_draws_reproducible() -> None:
    a = init.normal_(minitorch.empty(5), generator=minitorch.Generator().manual_seed(7))
    b = init.normal_(minitorch.empty(5), generator=minitorch.Generator().manual_seed(7))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    minitorch.manual_seed(1)
    c = nn.Linear(4, 3).weight.detach().numpy().copy()
    minitorch.manual_seed(1)
    np.testing.assert_array_equal(nn.Linear(4, 3).weight.detach().numpy(), c)


def test_init_under_grad_mode_does_not_record() -> None:
    w = nn.Parameter(minitorch.empty(3, 3))
    init.kaiming_uniform_(w)
    init.zeros_(w)
    assert w.grad_fn is None and w.is_leaf and w._version > 0


# ------------------------------------------------------------------ layer defaults
@pytest.mark.parametrize("make", [
    lambda m: m.Linear(300, 200),
    lambda m: m.Conv2d(16, 32, 5),
    lambda m: m.Conv2d(16, 32, (3, 2), groups=4),
])
def test_layer_weights_in_torchs_bounds(make) -> None:
    """Weights and biases ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), like torch's."""
    ours, theirs = make(nn), make(torch.nn)
    fan_in = theirs.weight[0].numel()
    bound = 1 / math.sqrt(fan_in)
    for name in ("weight", "bias"):
        w = getattr(ours, name).detach().numpy()
        tw = getattr(theirs, name).detach().numpy()
        assert w.shape == tw.shape and w.dtype == tw.dtype
        assert np.abs(w).max() <= bound and np.abs(tw).max() <= bound
        if w.size > 1000:
            assert abs(w.std() / tw.std() - 1) < 0.1
            assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound


def test_normalisation_and_embedding_defaults() -> None:
    bn = nn.BatchNorm2d(4)
    assert bn.weight.tolist() == [1.0] * 4 and bn.bias.tolist() == [0.0] * 4
    assert bn.running_mean.tolist() == [0.0] * 4 and bn.running_var.tolist() == [1.0] * 4
    ln = nn.LayerNorm((2, 3))
    assert ln.weight.numpy(force=True).tolist() == [[1.0] * 3] * 2
    emb = nn.Embedding(1000, 50).weight.detach().numpy()
    assert abs(emb.mean()) < 0.02 and abs(emb.std() - 1) < 0.02


def test_layers_accept_dtype() -> None:
    lin = nn.Linear(3, 2, dtype=minitorch.float64)
    assert lin.weight.dtype == minitorch.float64 and lin.bias.dtype == minitorch.float64
    conv = nn.Conv2d(1, 2, 3, bias=False, dtype=minitorch.float64)
    assert conv.weight.dtype == minitorch.float64 and conv.bias is None
