"""The 4x4 stride-2 padding-1 transposed convolution by phases and Winograd F(2x2, 2x2)
(``kernels/conv_transpose_phases.py``): against its loop-based twins in
``kernels/reference.py`` (float64), against PyTorch through ``conv_transpose2d`` and
``nn.ConvTranspose2d`` (values, the three gradients, second derivatives, float64 tight and
float32 loose), its fallbacks for NaN/inf, and where it is (not) chosen. Second
derivatives through it: tests/test_conv_transpose_dcgan.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minitorch
import minitorch.nn.functional as F
from minitorch.kernels import conv_transpose_phases as phases
from minitorch.kernels import reference

GEO = ((2, 2), (1, 1, 1, 1), (1, 1), 1)  # the reference twins' stride, padding, dilation, groups


@pytest.fixture
def forced(monkeypatch):
    """Offer the path wherever it applies (the cost model keeps it off layers this small),
    and count the forward and gradient kernel calls, so each test knows it ran."""
    calls = {"forward": 0, "input_grad": 0, "weight_grad": 0}

    def spy(name, fn):
        def counted(*args):
            calls[name] += 1
            return fn(*args)
        return counted

    monkeypatch.setattr(phases, "prefer", phases.applies)
    for name in calls:
        monkeypatch.setattr(phases, name, spy(name, getattr(phases, name)))
    return calls


def _pair(arrays, dtype=np.float64):
    return ([minitorch.tensor(a.astype(dtype), requires_grad=True) for a in arrays],
            [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays])


def _close(m, t, tol=1e-10) -> None:
    assert tuple(m.shape) == tuple(t.shape)
    np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("n, c, o, h, w", [(2, 3, 4, 2, 4), (3, 5, 2, 4, 6), (1, 2, 3, 6, 2),
                                           (2, 4, 4, 8, 8)])
def test_kernels_match_the_loop_twins(n, c, o, h, w):
    """Forward (the convolution's input gradient), input gradient (a conv2d of G) and
    weight gradient, each against kernels.reference, float64."""
    rng = np.random.default_rng(n + 10 * c + 100 * h)
    x, wt = rng.standard_normal((n, c, h, w)), rng.standard_normal((c, o, 4, 4))
    out, xt = phases.forward(x, wt)
    np.testing.assert_allclose(
        out, reference.conv_input_grad(x, wt, (n, o, 2 * h, 2 * w), *GEO), rtol=1e-12, atol=1e-12)
    g = rng.standard_normal(out.shape)
    v = phases.grad_transform(g)
    np.testing.assert_allclose(phases.input_grad(v, wt, x.shape),
                               reference.conv_forward(g, wt, *GEO), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(phases.weight_grad(xt, v, wt.shape),
                               reference.conv_weight_grad(g, x, wt.shape, *GEO),
                               rtol=1e-12, atol=1e-12)


def test_weight_transform_and_its_adjoint():
    """<weight_transform(W), dU> == <W, weight_grad_transform(dU)> (the gradient of the
    filter transform is its adjoint)."""
    rng = np.random.default_rng(3)
    w, du = rng.standard_normal((3, 5, 4, 4)), rng.standard_normal((9, 3, 20))
    lhs = (phases.weight_transform(w) * du).sum()
    rhs = (w * phases.weight_grad_transform(du, w.shape)).sum()
    assert abs(lhs - rhs) < 1e-10 * max(1.0, abs(lhs))


# (N, C_in, H, W, C_out): non-square, one image, odd channel counts
LAYERS = [(2, 3, 2, 4, 16), (1, 8, 4, 4, 2), (3, 2, 6, 2, 5)]


@pytest.mark.parametrize("n, cin, h, w, cout", LAYERS)
@pytest.mark.parametrize("bias", [False, True])
def test_path_matches_torch(forced, n, cin, h, w, cout, bias):
    rng = np.random.default_rng(n * 7 + cin + h)
    arrays = [rng.standard_normal((n, cin, h, w)), rng.standard_normal((cin, cout, 4, 4))]
    if bias:
        arrays.append(rng.standard_normal(cout))
    ms, ts = _pair(arrays)
    out_m = F.conv_transpose2d(*ms, stride=2, padding=1)
    out_t = TF.conv_transpose2d(*ts, stride=2, padding=1)
    _close(out_m, out_t)
    assert out_m.grad_fn.name() == "ConvolutionTransposeBackward0"
    up = rng.standard_normal(tuple(out_t.shape))
    out_m.backward(minitorch.tensor(up))
    out_t.backward(torch.tensor(up))
    for m, t in zip(ms, ts):
        _close(m.grad, t.grad)
    assert forced == {"forward": 1, "input_grad": 1, "weight_grad": 1}


def test_float32_matches_torch_loosely(forced):
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal((4, 32, 4, 4)), rng.standard_normal((32, 16, 4, 4)) * 0.1]
    ms, ts = _pair(arrays, np.float32)
    out_m = F.conv_transpose2d(*ms, stride=2, padding=1)
    out_t = TF.conv_transpose2d(*ts, stride=2, padding=1)
    assert out_m.dtype == minitorch.float32
    _close(out_m, out_t, 1e-4)
    up = rng.standard_normal(tuple(out_t.shape)).astype(np.float32)
    out_m.backward(minitorch.tensor(up))
    out_t.backward(torch.tensor(up))
    for m, t in zip(ms, ts):
        _close(m.grad, t.grad, 1e-3)
    assert forced["forward"] == 1


def test_module_and_non_contiguous_input_match_torch(forced):
    """nn.ConvTranspose2d(8, 16, 4, 2, 1) on a transposed (non-contiguous) input."""
    rng = np.random.default_rng(7)
    tmod = torch.nn.ConvTranspose2d(8, 16, 4, 2, 1).double()
    mmod = minitorch.nn.ConvTranspose2d(8, 16, 4, 2, 1).double()
    mmod.load_state_dict({k: minitorch.tensor(v.detach().numpy())
                          for k, v in tmod.state_dict().items()})
    (x_m,), (x_t,) = _pair([rng.standard_normal((2, 8, 6, 4))])
    out_m, out_t = mmod(x_m.transpose(2, 3)), tmod(x_t.transpose(2, 3))
    _close(out_m, out_t)
    up = rng.standard_normal(tuple(out_t.shape))
    out_m.backward(minitorch.tensor(up))
    out_t.backward(torch.tensor(up))
    _close(x_m.grad, x_t.grad)
    _close(mmod.weight.grad, tmod.weight.grad)
    _close(mmod.bias.grad, tmod.bias.grad)
    assert forced["forward"] == 1


@pytest.mark.parametrize("where", ["input", "grad"])
def test_non_finite_values_stay_where_torch_has_them(forced, where):
    """A NaN or inf would spread over its Winograd tile (inf - inf = NaN): the op then
    takes the im2col path, and NaN/inf land exactly where PyTorch's do."""
    rng = np.random.default_rng(8)
    x, w = rng.standard_normal((2, 3, 4, 4)), rng.standard_normal((3, 16, 4, 4))
    up = rng.standard_normal((2, 16, 8, 8))
    if where == "input":
        x[0, 1, 1, 2], x[1, 0, 3, 3] = np.nan, np.inf
    else:
        up[0, 3, 2, 5], up[1, 0, 7, 0] = np.inf, np.nan
    ms, ts = _pair([x, w])
    out_m = F.conv_transpose2d(*ms, stride=2, padding=1)
    out_t = TF.conv_transpose2d(*ts, stride=2, padding=1)
    np.testing.assert_allclose(out_m.detach().numpy(), out_t.detach().numpy(), rtol=1e-10,
                               atol=1e-10, equal_nan=True)
    out_m.backward(minitorch.tensor(up))
    out_t.backward(torch.tensor(up))
    for m, t in zip(ms, ts):
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-10,
                                   equal_nan=True)
    assert forced["forward"] == (where == "grad") and forced["input_grad"] == 0


@pytest.mark.parametrize("case, args", [
    ("stride 1", ((2, 4, 4, 4), (4, 16, 4, 4), (1, 1), (1, 1), (0, 0), (1, 1), 1)),
    ("padding 0", ((2, 4, 4, 4), (4, 16, 4, 4), (2, 2), (0, 0), (0, 0), (1, 1), 1)),
    ("3x3 kernel", ((2, 4, 4, 4), (4, 16, 3, 3), (2, 2), (1, 1), (0, 0), (1, 1), 1)),
    ("output padding", ((2, 4, 4, 4), (4, 16, 4, 4), (2, 2), (1, 1), (1, 1), (1, 1), 1)),
    ("dilation", ((2, 4, 4, 4), (4, 16, 4, 4), (2, 2), (1, 1), (0, 0), (2, 2), 1)),
    ("groups", ((2, 4, 4, 4), (4, 8, 4, 4), (2, 2), (1, 1), (0, 0), (1, 1), 2)),
    ("odd height", ((2, 4, 5, 4), (4, 16, 4, 4), (2, 2), (1, 1), (0, 0), (1, 1), 1)),
])
def test_applies_only_to_its_geometry(case, args):
    x_shape, *rest = args
    assert not phases.applies(np.zeros(x_shape), *rest), case
    assert phases.applies(np.zeros(x_shape[:2] + (4, 4)), (4, 16, 4, 4), (2, 2), (1, 1),
                          (0, 0), (1, 1), 1)


def test_applies_only_to_float32_and_float64():
    args = ((4, 16, 4, 4), (2, 2), (1, 1), (0, 0), (1, 1), 1)
    assert phases.applies(np.zeros((2, 4, 4, 4), np.float32), *args)
    assert not phases.applies(np.zeros((2, 4, 4, 4), np.float16), *args)
    assert not phases.applies(np.zeros((2, 4, 4, 4), np.int64), *args)


@pytest.mark.parametrize("n, cin, cout, side, chosen", [
    (64, 512, 256, 4, True), (64, 256, 128, 8, True), (64, 128, 64, 16, True),  # DCGAN's
    (64, 64, 3, 32, False),  # its last layer: thin products, measured 2x slower this way
    (16, 64, 4, 16, False),  # few outputs per input channel: measured 1.41x slower
])
def test_cost_model_choices(n, cin, cout, side, chosen):
    x = np.empty((n, cin, side, side), np.float32)
    assert phases.prefer(x, (cin, cout, 4, 4), (2, 2), (1, 1), (0, 0), (1, 1), 1) is chosen
