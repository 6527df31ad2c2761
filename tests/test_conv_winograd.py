"""The Winograd convolution path (kernels/winograd.py) against torch and against im2col.

The cost model rarely picks Winograd on its own (docs/PERFORMANCE.md), so most tests
force it with the ``winograd`` fixture and then check that it was taken.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conv_paths import (
    close_to_reference,
    conv2d_matches_torch,
    conv_geometry_of,
    force_path,
    non_finite_stays_local,
    normal_arrays,
    path_agrees_with_im2col,
    second_derivatives_match_torch,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch
from minitorch.autograd import gradcheck, gradgradcheck
from minitorch.kernels import conv as kconv
from minitorch.kernels import reference, winograd
from minitorch.ops import conv_api

_arr = normal_arrays(33)


@pytest.fixture
def on_winograd(monkeypatch):
    """conv2d takes the Winograd path wherever it applies, whatever the cost model says."""
    force_path(monkeypatch, "prefer_winograd", kconv.winograd_applies)


_path, _close = conv_geometry_of, close_to_reference


@pytest.mark.parametrize("m", [2, 4])
def test_minimal_filtering_matrices_compute_a_correlation(m):
    """A^T [(G g G^T) * (B^T d B)] A is the valid 3x3 correlation of one tile."""
    alg = winograd.ALGORITHMS[m]
    d, g = _arr((m + 2, m + 2)), _arr((3, 3))
    y = alg.at @ ((alg.g @ g @ alg.g.T) * (alg.bt @ d @ alg.bt.T)) @ alg.at.T
    ref = np.array([[(d[i:i + 3, j:j + 3] * g).sum() for j in range(m)] for i in range(m)])
    np.testing.assert_allclose(y, ref, atol=1e-12)


# (input shape, output channels, (top, bottom, left, right) padding)
RAW_CASES = [
    ((2, 3, 7, 8), 4, (1, 1, 1, 1)),
    ((1, 2, 5, 9), 3, (2, 1, 0, 2)),  # asymmetric, odd sizes: overhanging tiles
    ((2, 4, 3, 3), 2, (0, 0, 0, 0)),  # one output pixel
    ((3, 1, 6, 4), 1, (2, 2, 2, 2)),
]


@pytest.mark.parametrize("m", [2, 4])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", RAW_CASES)
def test_raw_kernels_match_torch(case, dtype, m):
    xs, o, pads = case
    x, w = _arr(xs, dtype), _arr((o, xs[1], 3, 3), dtype)
    out, v = winograd.forward(x, w, pads, m)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    pt, pb, pl, pr = pads
    ref = F.conv2d(F.pad(tx, (pl, pr, pt, pb)), tw)
    assert out.dtype == dtype and out.shape == tuple(ref.shape)
    _close(out, ref.detach().numpy(), dtype)
    g = _arr(tuple(ref.shape), dtype)
    ref.backward(torch.tensor(g))
    dm = winograd.grad_transform(g, pads, x.shape, m)
    gx = winograd.input_grad(g, w, x.shape, pads, m, dm)
    gw = winograd.weight_grad(x, g, w.shape, pads, m, v, dm)
    assert gx.dtype == gw.dtype == dtype
    _close(gx, tx.grad.numpy(), dtype)
    _close(gw, tw.grad.numpy(), dtype)
    _close(winograd.weight_grad(x, g, w.shape, pads, m), tw.grad.numpy(), dtype)
    _close(winograd.input_grad(g, w, x.shape, pads, m), tx.grad.numpy(), dtype)


@pytest.mark.parametrize("m", [2, 4])
def test_all_three_kernels_match_the_loop_twins(m):
    """Against kernels/reference.py's loop convolution and its two gradients."""
    x, w, pads = _arr((2, 3, 6, 5)), _arr((2, 3, 3, 3)), (1, 2, 0, 1)
    args = ((1, 1), pads, (1, 1), 1)
    out, v = winograd.forward(x, w, pads, m)
    np.testing.assert_allclose(out, reference.conv_forward(x, w, *args), rtol=1e-11, atol=1e-11)
    g = _arr(out.shape)
    np.testing.assert_allclose(winograd.input_grad(g, w, x.shape, pads, m),
                               reference.conv_input_grad(g, w, x.shape, *args), atol=1e-11)
    np.testing.assert_allclose(winograd.weight_grad(x, g, w.shape, pads, m, v),
                               reference.conv_weight_grad(x, g, w.shape, *args), atol=1e-11)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 3), c=st.integers(1, 4), o=st.integers(1, 4),
    h=st.integers(1, 9), w=st.integers(1, 9), pads=st.tuples(*[st.integers(0, 2)] * 4),
    seed=st.integers(0, 2**16),
)
def test_winograd_and_im2col_agree_on_random_geometries(n, c, o, h, w, pads, seed):
    """Any 3x3 stride-1 geometry: both paths give the same output and gradients (float64)."""
    pt, pb, pl, pr = pads
    if h + pt + pb < 3 or w + pl + pr < 3:
        return
    rng = np.random.default_rng(seed)
    x, wt = rng.standard_normal((n, c, h, w)), rng.standard_normal((o, c, 3, 3))
    path_agrees_with_im2col("winograd", x, wt, pads)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv2d_on_the_winograd_path_matches_torch(on_winograd, dtype):
    x, w, b = _arr((2, 3, 7, 8), dtype), _arr((4, 3, 3, 3), dtype), _arr(4, dtype)
    conv2d_matches_torch(x, w, b, dtype, "winograd", padding=1)


def test_gradcheck_and_gradgradcheck_on_the_winograd_path(on_winograd):
    x = minitorch.tensor(_arr((2, 2, 4, 5)), requires_grad=True)
    w = minitorch.tensor(_arr((3, 2, 3, 3)), requires_grad=True)

    def f(x, w):
        return conv_api.conv2d(x, w, padding=(1, 2))

    assert _path(f(x, w)).winograd
    assert gradcheck(f, (x, w))
    assert gradgradcheck(f, (x, w))


def test_second_derivatives_match_torch_on_the_winograd_path(on_winograd):
    second_derivatives_match_torch(_arr((2, 3, 5, 5)), _arr((2, 3, 3, 3)))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_inputs_take_im2col_and_stay_local(on_winograd, bad):
    """A NaN/inf pixel spoils exactly the outputs PyTorch's do (not its whole tile)."""
    x, w = _arr((1, 2, 6, 6)), _arr((3, 2, 3, 3))
    x[0, 1, 2, 3] = bad
    non_finite_stays_local(x, w, "winograd")


def test_the_cost_model_keeps_im2col_or_fourier_on_small_maps():
    """Below a 16x16 output the model never picks Winograd (its fixed costs dominate)."""
    x, w = np.zeros((64, 32, 8, 8), np.float32), (32, 32, 3, 3)
    geo = kconv.ConvGeometry((1, 1), (1, 1, 1, 1), (1, 1), 1)
    assert kconv.winograd_applies(x, w, geo) and not kconv.prefer_winograd(x, w, geo)
    assert not kconv.winograd_applies(x, (32, 32, 5, 5), geo)
    assert not kconv.winograd_applies(x, w, geo._replace(stride=(2, 2)))
