"""The shifted-product convolution path (kernels/conv_shifted.py) against torch, the loop
twins and im2col.

The cost model picks it only for some 3x3 layers (docs/PERFORMANCE.md), so most tests
force it with the ``on_shifted`` fixture and then check that it was taken.
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
    kernels_match_loop_twins,
    kernels_match_torch,
    normal_arrays,
    paths_agree,
    second_derivatives_match_torch,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch
from minitorch.autograd import gradcheck, gradgradcheck
from minitorch.kernels import conv as kconv
from minitorch.ops import conv_api

_arr = normal_arrays(41)


@pytest.fixture
def on_shifted(monkeypatch):
    """conv2d takes the shifted path wherever it applies, whatever the cost model says."""
    force_path(monkeypatch, "prefer_shifted", kconv.shifted_applies)


_path, _close = conv_geometry_of, close_to_reference

# (input shape, weight shape, stride, (top, bottom, left, right) padding)
RAW_CASES = [
    ((2, 3, 7, 8), (4, 3, 3, 3), (1, 1), (1, 1, 1, 1)),
    ((2, 3, 8, 8), (4, 3, 3, 3), (2, 2), (1, 1, 1, 1)),  # ResNet's downsampling conv
    ((1, 2, 9, 7), (3, 2, 3, 3), (2, 2), (1, 1, 1, 1)),  # odd sizes: uneven phases
    ((2, 2, 6, 5), (3, 2, 3, 3), (1, 1), (0, 2, 1, 0)),  # asymmetric padding
    ((1, 2, 7, 9), (2, 2, 3, 3), (2, 1), (0, 0, 0, 0)),
    ((2, 2, 5, 6), (3, 2, 2, 3), (2, 2), (1, 0, 2, 1)),  # kernel not square
    ((1, 2, 9, 9), (2, 2, 5, 5), (2, 2), (2, 2, 2, 2)),
    ((1, 2, 6, 6), (2, 2, 3, 3), (3, 3), (1, 1, 1, 1)),
    ((1, 2, 6, 7), (2, 2, 1, 2), (3, 3), (0, 0, 0, 0)),  # stride > kernel: skipped pixels
    ((2, 4, 3, 3), (2, 4, 3, 3), (1, 1), (0, 0, 0, 0)),  # one output pixel
    # Stride 1 shares padding between rows and images (conv_shifted.grid): more padding
    # at the bottom/right than at the top/left, padding larger than the kernel (the
    # output then has more rows than H + max padding), one image, one column.
    ((3, 2, 5, 4), (3, 2, 3, 3), (1, 1), (0, 2, 1, 2)),
    ((2, 2, 4, 5), (3, 2, 3, 3), (1, 1), (3, 4, 4, 3)),
    ((1, 3, 6, 1), (2, 3, 3, 3), (1, 1), (1, 1, 1, 1)),
    ((3, 2, 7, 9), (2, 2, 3, 3), (1, 1), (2, 0, 0, 1)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", RAW_CASES)
def test_raw_kernels_match_torch(case, dtype):
    xs, ws, stride, pads = case
    geo = kconv.ConvGeometry(stride, pads, (1, 1), 1, shifted=True)
    kernels_match_torch(_arr(xs, dtype), _arr(ws, dtype), geo, dtype)


@pytest.mark.parametrize("stride", [(1, 1), (2, 2)])
def test_all_three_kernels_match_the_loop_twins(stride):
    """Against kernels/reference.py's loop convolution and its two gradients."""
    geo = kconv.ConvGeometry(stride, (1, 2, 0, 1), (1, 1), 1, shifted=True)
    kernels_match_loop_twins(_arr((2, 3, 6, 5)), _arr((2, 3, 3, 3)), geo)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 3), c=st.integers(1, 4), o=st.integers(1, 4),
    h=st.integers(1, 9), w=st.integers(1, 9), k=st.sampled_from([(3, 3), (1, 3), (2, 2)]),
    s=st.sampled_from([(1, 1), (2, 2), (1, 2)]), pads=st.tuples(*[st.integers(0, 3)] * 4),
    seed=st.integers(0, 2**16),
)
def test_shifted_and_im2col_agree_on_random_geometries(n, c, o, h, w, k, s, pads, seed):
    """Any geometry: both paths give the same output and gradients (float64)."""
    pt, pb, pl, pr = pads
    if h + pt + pb < k[0] or w + pl + pr < k[1]:
        return
    rng = np.random.default_rng(seed)
    x, wt = rng.standard_normal((n, c, h, w)), rng.standard_normal((o, c, *k))
    geo = kconv.ConvGeometry(s, pads, (1, 1), 1)
    paths_agree(x, wt, geo, geo._replace(shifted=True))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("stride", [1, 2])
def test_conv2d_on_the_shifted_path_matches_torch(on_shifted, dtype, stride):
    x, w, b = _arr((2, 3, 7, 8), dtype), _arr((4, 3, 3, 3), dtype), _arr(4, dtype)
    conv2d_matches_torch(x, w, b, dtype, "shifted", stride=stride, padding=1)


@pytest.mark.parametrize("stride", [1, 2])
def test_gradcheck_and_gradgradcheck_on_the_shifted_path(on_shifted, stride):
    x = minitorch.tensor(_arr((2, 2, 5, 6)), requires_grad=True)
    w = minitorch.tensor(_arr((3, 2, 3, 3)), requires_grad=True)

    def f(x, w):
        return conv_api.conv2d(x, w, stride=stride, padding=(1, 2))

    assert _path(f(x, w)).shifted
    assert gradcheck(f, (x, w))
    assert gradgradcheck(f, (x, w))


def test_second_derivatives_match_torch_on_the_shifted_path(on_shifted):
    second_derivatives_match_torch(_arr((2, 3, 5, 5)), _arr((2, 3, 3, 3)))


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["input", "weight", "upstream"])
def test_non_finite_values_stay_local(on_shifted, bad, where, stride):
    """A NaN/inf pixel, weight or upstream gradient spoils exactly what PyTorch's does.

    The forward stays on the shifted path (its sums are im2col's); a gradient that would
    multiply the non-finite value by a zero of the grid (0 * inf = NaN) is redone by
    im2col (kernels/conv.py: conv_weight_grad, conv_input_grad)."""
    x, w = _arr((2, 2, 7, 6)), _arr((3, 2, 3, 3))
    up = _arr((2, 3, (7 - 1) // stride + 1, (6 - 1) // stride + 1))
    # The last column (6 is even: at stride 2 it is a phase grid column past the output)
    # and tap (0, 0): torch's gradients from the taps (pixels) they never meet are finite.
    {"input": x, "weight": w, "upstream": up}[where][1, 1, 0, -1 if where != "weight" else 0] = bad
    mx, mw = minitorch.tensor(x, requires_grad=True), minitorch.tensor(w, requires_grad=True)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    y = conv_api.conv2d(mx, mw, stride=stride, padding=1)
    ty = F.conv2d(tx, tw, stride=stride, padding=1)
    assert _path(y).shifted
    y.backward(minitorch.tensor(up))
    ty.backward(torch.tensor(up))
    for ours, theirs in ((y.detach(), ty.detach()), (mx.grad, tx.grad), (mw.grad, tw.grad)):
        # equal NaN/inf positions and signs, and equal finite values
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-10)


def test_all_finite():
    for a in (np.ones((2, 3)), np.ones((3, 2)).T, np.zeros(0), np.float32([1e3] * 5)):
        assert kconv.all_finite(a)
    for bad in (np.nan, np.inf, -np.inf):
        a = np.ones((4, 5))
        a[2, 3] = bad
        assert not kconv.all_finite(a) and not kconv.all_finite(a.T)


def test_where_the_path_applies():
    x, w = np.zeros((32, 16, 32, 32), np.float32), (16, 16, 3, 3)
    geo = kconv.ConvGeometry((1, 1), (1, 1, 1, 1), (1, 1), 1)
    assert kconv.shifted_applies(x, w, geo)
    assert kconv.shifted_applies(x, w, geo._replace(stride=(2, 2)))
    assert not kconv.shifted_applies(x, (16, 16, 5, 5), geo)  # 3x3 kernels only
    assert not kconv.shifted_applies(x, w, geo._replace(dilation=(2, 2)))
    assert not kconv.shifted_applies(x, (16, 8, 3, 3), geo._replace(groups=2))
    assert not kconv.shifted_applies(x.astype(np.float16), w, geo)


def test_cost_model_choices_on_the_zoo_resnet():
    """The fitted model's picks on ResNet b32's 3x3 layers (docs/PERFORMANCE.md): shifted
    for the 16-channel 32x32 layers, im2col for the 3-channel stem, Fourier for 64 -> 64
    on 8x8 maps."""

    def picks(c, o, hw, stride):
        x, w = np.zeros((32, c, hw, hw), np.float32), (o, c, 3, 3)
        geo = kconv.ConvGeometry((stride, stride), (1, 1, 1, 1), (1, 1), 1)
        geo = geo._replace(fourier=kconv.prefer_fourier(x, w, geo))
        return "shifted" if kconv.prefer_shifted(x, w, geo) else "fourier" if geo.fourier else "im2col"

    assert picks(16, 16, 32, 1) == "shifted"
    assert picks(16, 32, 32, 2) == "shifted"
    assert picks(3, 16, 32, 1) == "im2col"
    assert picks(64, 64, 8, 1) == "fourier"


def test_non_contiguous_input_and_gradient_on_the_shifted_path(on_shifted):
    """Transposed views as the input and the upstream gradient (strided arrays)."""
    xb, w = _arr((2, 3, 6, 7)), _arr((4, 3, 3, 3))
    mb, mw = minitorch.tensor(xb, requires_grad=True), minitorch.tensor(w, requires_grad=True)
    tb, tw = torch.tensor(xb, requires_grad=True), torch.tensor(w, requires_grad=True)
    mx, tx = mb.transpose(2, 3), tb.transpose(2, 3)
    assert not mx._data.flags.c_contiguous
    y, ty = conv_api.conv2d(mx, mw, stride=2, padding=1), F.conv2d(tx, tw, stride=2, padding=1)
    assert _path(y).shifted
    n, o, oh, ow = ty.shape
    up = _arr((n, o, ow, oh))
    y.backward(minitorch.tensor(up).transpose(2, 3))
    ty.backward(torch.tensor(up).transpose(2, 3))
    for ours, theirs in ((y.detach(), ty.detach()), (mb.grad, tb.grad), (mw.grad, tw.grad)):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-10)


def test_stride_one_grid_shares_the_padding():
    """ResNet's 3x3 padding-1 layers on 32x32 maps: 33 x 33 grid cells per image (34 x 34
    without sharing, as the cost model prices it); stride 2 keeps its phase grid."""
    from minitorch.kernels import conv_shifted

    g = conv_shifted.grid((32, 16, 32, 32), (16, 16, 3, 3), (1, 1), (1, 1, 1, 1))
    assert (g.hq, g.wq, g.oh, g.ow) == (33, 33, 32, 32)
    assert g.length == (31 * 33 + 32) * 33 and g.size == 32 * 33 * 33 + 33  # a zero row after
    unshared = conv_shifted.grid((32, 16, 32, 32), (16, 16, 3, 3), (1, 1), (1, 1, 1, 1), shared=False)
    assert (unshared.hq, unshared.wq) == (34, 34)
    g2 = conv_shifted.grid((32, 16, 32, 32), (32, 16, 3, 3), (2, 2), (1, 1, 1, 1))
    assert (g2.hq, g2.wq, g2.oh, g2.ow, g2.size) == (17, 17, 16, 16, 32 * 17 * 17)
