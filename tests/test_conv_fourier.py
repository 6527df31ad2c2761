"""The Fourier convolution path (kernels/conv_fourier.py) against torch and numpy.fft.

Small shapes never choose the Fourier path by themselves (the cost model keeps im2col),
so most tests force it with the ``fourier`` fixture and then check that it was taken.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conv_paths import (
    close_to_reference,
    conv_geometry_of,
    force_path,
    path_agrees_with_im2col,
    second_derivatives_match_torch,
    stride1_cases,
)
from hypothesis import given, settings

import minitorch
from minitorch.autograd import gradcheck, gradgradcheck
from minitorch.kernels import conv as kconv
from minitorch.kernels import conv_fourier
from minitorch.ops import conv as mconv

RNG = np.random.default_rng(77)


def _arr(shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


@pytest.fixture
def fourier(monkeypatch):
    """conv2d takes the Fourier path wherever it applies, whatever the cost model says."""
    force_path(monkeypatch, "prefer_fourier", lambda x, w_shape, geo, *_: kconv.fourier_applies(x, geo))


def _on_fourier(y) -> bool:
    """Did the convolution that made ``y`` (perhaps through a squeeze) take the Fourier path?"""
    return conv_geometry_of(y).fourier


_close = close_to_reference


# ---------------------------------------------------------------------------------------
# The DFT as matrix products
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("period", [(7, 9), (8, 8), (6, 5), (1, 4), (3, 1)])
def test_spectrum_is_the_dft_of_the_zero_padded_map(period):
    """spectrum() equals numpy.fft.rfft2 of the map placed at an offset in a zero map."""
    ph, pw = period
    h, w = max(1, ph - 2), max(1, pw - 1)
    top, left = ph - h, pw - w
    a = _arr((3, h, w))
    padded = np.zeros((3, ph, pw))
    padded[:, top:, left:] = a
    ref = np.fft.rfft2(padded)  # (3, ph, pw//2+1)
    s = conv_fourier.spectrum(a, period, (top, left))
    np.testing.assert_allclose(s.reshape(ph, pw // 2 + 1, 3), ref.transpose(1, 2, 0), atol=1e-12)
    back = conv_fourier.from_spectrum(s, period, (top, left), (h, w))
    np.testing.assert_allclose(back, a, atol=1e-12)
    # any window of the inverse: the pixels outside the map are zeros
    np.testing.assert_allclose(conv_fourier.from_spectrum(s, period, (0, 0), (ph, pw)), padded,
                               atol=1e-12)


@pytest.fixture(params=["paired", "complex"])
def h_pass(request, monkeypatch):
    """Every map through the paired H products (half a real product and a pass of
    additions), or every map through the plain complex product, their twin."""
    rows = 1 if request.param == "paired" else 10**9
    monkeypatch.setattr(conv_fourier, "_PAIRED_MIN_ROWS", rows)
    return request.param


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("conj", [False, True])
@pytest.mark.parametrize(
    "period,offset,size",
    [((7, 9), (1, 2), (5, 7)), ((8, 8), (0, 0), (8, 8)), ((6, 5), (1, 0), (4, 5)),
     ((1, 4), (0, 1), (1, 3)), ((2, 3), (1, 0), (1, 3)), ((17, 17), (1, 1), (16, 16)),
     ((16, 6), (2, 2), (14, 4))],
)
def test_both_h_passes_give_the_dft_and_its_inverse(h_pass, period, offset, size, conj, dtype):
    """Odd and even periods (P/2 unpaired), offsets, conjugated or not: spectrum() is
    numpy.fft.rfft2 of the placed map and from_spectrum() takes it back, any window."""
    (ph, pw), (top, left), (h, w) = period, offset, size
    a = _arr((3, h, w), dtype)
    padded = np.zeros((3, ph, pw))
    padded[:, top : top + h, left : left + w] = a
    ref = np.fft.rfft2(padded).transpose(1, 2, 0).reshape(-1, 3)
    s = conv_fourier.spectrum(a, period, offset, conj)
    assert s.dtype == conv_fourier._COMPLEX[np.dtype(dtype)]
    tol = 1e-12 if dtype == np.float64 else 2e-5
    np.testing.assert_allclose(s, ref.conj() if conj else ref, atol=tol * np.abs(ref).max())
    back = conv_fourier.from_spectrum(s, period, offset, size, conj)
    assert back.dtype == dtype
    np.testing.assert_allclose(back, a, atol=tol * np.abs(a).max())
    np.testing.assert_allclose(conv_fourier.from_spectrum(s, period, (0, 0), (ph, pw), conj), padded,
                               atol=tol * np.abs(a).max())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_layer_with_16_rows_takes_the_paired_passes_and_matches_torch(dtype, monkeypatch):
    """A map of 16 rows (VGG's 16x16 layers) takes the paired H products by default
    (checked by counting their calls); output and both gradients equal PyTorch's."""
    calls = []
    for name in ("_paired_spectrum", "_paired_inverse"):
        real = getattr(conv_fourier, name)

        def counted(*args, _real=real, _name=name):
            calls.append(_name)
            return _real(*args)

        monkeypatch.setattr(conv_fourier, name, counted)
    x, w = _arr((2, 3, 16, 18), dtype), _arr((4, 3, 3, 3), dtype)
    geo = kconv.ConvGeometry((1, 1), (1, 1, 1, 1), (1, 1), 1, fourier=True)
    out, xhat = kconv.conv_forward(x, w, geo)
    g = _arr(out.shape, dtype)
    ghat = kconv.grad_matrix(g, geo, x.shape)
    gx = kconv.conv_input_grad(g, w, x.shape, geo, ghat)
    gw = kconv.conv_weight_grad(x, g, w.shape, geo, xhat, ghat)
    # spectra of x and g, inverses of the output and of dx (the 3x3 kernels: complex)
    assert sorted(calls) == ["_paired_inverse"] * 2 + ["_paired_spectrum"] * 2
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ref = F.conv2d(tx, tw, padding=1)
    ref.backward(torch.tensor(g))
    for ours, theirs in ((out, ref.detach()), (gx, tx.grad), (gw, tw.grad)):
        assert ours.dtype == dtype
        _close(ours, theirs.numpy(), dtype)


# ---------------------------------------------------------------------------------------
# The raw kernels, asymmetric padding included
# ---------------------------------------------------------------------------------------
# (input shape, weight shape, (top, bottom, left, right) padding)
RAW_CASES = [
    ((2, 3, 7, 8), (4, 3, 3, 2), (1, 2, 0, 1)),
    ((3, 5, 6, 6), (2, 5, 5, 5), (2, 2, 2, 2)),  # the tutorial's 5x5 'same'
    ((2, 4, 5, 4), (3, 4, 1, 1), (0, 0, 0, 0)),  # 1x1
    ((2, 2, 4, 5), (3, 2, 4, 5), (0, 0, 0, 0)),  # kernel = input: one output pixel
    ((1, 3, 3, 3), (2, 3, 5, 5), (1, 1, 1, 1)),  # kernel = padded input
    ((2, 3, 9, 1), (2, 3, 3, 1), (1, 1, 0, 0)),  # a column image
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", RAW_CASES)
def test_raw_kernels_match_torch(case, dtype, h_pass):
    xs, ws, pads = case
    x, w = _arr(xs, dtype), _arr(ws, dtype)
    geo = kconv.ConvGeometry((1, 1), pads, (1, 1), 1, fourier=True)
    out, xhat = kconv.conv_forward(x, w, geo)
    assert out.dtype == dtype
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    pt, pb, pl, pr = pads
    ref = F.conv2d(F.pad(tx, (pl, pr, pt, pb)), tw)
    _close(out, ref.detach().numpy(), dtype)
    g = _arr(tuple(ref.shape), dtype)
    ref.backward(torch.tensor(g))
    ghat = kconv.grad_matrix(g, geo, x.shape)
    gx = kconv.conv_input_grad(g, w, x.shape, geo, ghat)
    gw = kconv.conv_weight_grad(x, g, w.shape, geo, xhat, ghat)
    assert gx.dtype == gw.dtype == dtype
    _close(gx, tx.grad.numpy(), dtype)
    _close(gw, tw.grad.numpy(), dtype)
    # without the cached spectra (as the double-backward Functions call them)
    _close(kconv.conv_weight_grad(x, g, w.shape, geo), tw.grad.numpy(), dtype)
    _close(kconv.conv_input_grad(g, w, x.shape, geo), tx.grad.numpy(), dtype)


@pytest.mark.parametrize(
    "size,pads,kernel,period",
    [(14, (2, 2), 5, 16), (32, (1, 1), 3, 33), (14, (0, 0), 5, 14), (5, (3, 1), 2, 8), (4, (3, 3), 1, 10),
     (1, (1, 1), 3, 3)],
)
def test_period_lets_top_and_bottom_padding_share_their_zeros(size, pads, kernel, period):
    """max(H + max(p_t, p_b), OH, k): shorter than the padded size where both paddings
    are nonzero, never shorter than the output or the kernel (the random-geometry test
    below checks that every such period gives the exact convolution)."""
    shape = (1, 1, size, 7)
    assert conv_fourier._period(shape, (*pads, 0, 0), (kernel, 1))[0] == period


@pytest.mark.parametrize("period,offset", [((7, 9), (1, 2)), ((8, 8), (0, 0))])
def test_conjugated_spectra_are_free_and_invert(period, offset):
    """spectrum(conj=True) is the conjugate of the spectrum; from_spectrum(conj=True)
    takes a conjugated spectrum back to the same real maps."""
    a = RNG.standard_normal((3, 4, 5))
    s = conv_fourier.spectrum(a, period, offset)
    np.testing.assert_allclose(conv_fourier.spectrum(a, period, offset, conj=True), s.conj(), atol=1e-12)
    back = conv_fourier.from_spectrum(s.conj(), period, offset, (4, 5), conj=True)
    np.testing.assert_allclose(back, a, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(case=stride1_cases(max_channels=4))
def test_fourier_and_im2col_agree_on_random_geometries(case):
    """Any stride-1 geometry (odd/even periods, kernels up to the padded size): both paths
    give the same output and gradients in float64."""
    x, wt, pads, _ = case
    path_agrees_with_im2col("fourier", x, wt, pads)


@settings(max_examples=40, deadline=None)
@given(case=stride1_cases(max_channels=4))
def test_paired_h_passes_agree_with_im2col_on_random_geometries(case):
    """The same with every map, however small, through the paired H products."""
    x, wt, pads, _ = case
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conv_fourier, "_PAIRED_MIN_ROWS", 1)
        path_agrees_with_im2col("fourier", x, wt, pads)


# ---------------------------------------------------------------------------------------
# Through conv2d / nn.Conv2d
# ---------------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "xs,ws,padding",
    [((2, 3, 7, 8), (4, 3, 3, 3), 1), ((2, 3, 6, 7), (4, 3, 4, 3), "same"), ((3, 7, 7), (2, 3, 3, 3), 0)],
)
def test_conv2d_on_the_fourier_path_matches_torch(fourier, xs, ws, padding, dtype):
    x, w, b = _arr(xs, dtype), _arr(ws, dtype), _arr(ws[0], dtype)
    mx, mw, mb = (minitorch.tensor(a, requires_grad=True) for a in (x, w, b))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    y, ty = mconv.conv2d(mx, mw, mb, padding=padding), F.conv2d(tx, tw, tb, padding=padding)
    assert _on_fourier(y)
    _close(y.detach().numpy(), ty.detach().numpy(), dtype)
    up = _arr(tuple(ty.shape), dtype)
    y.backward(minitorch.tensor(up))
    ty.backward(torch.tensor(up))
    for ours, theirs in ((mx, tx), (mw, tw), (mb, tb)):
        _close(ours.grad.numpy(), theirs.grad.numpy(), dtype)


def test_gradcheck_and_gradgradcheck_on_the_fourier_path(fourier):
    x = minitorch.tensor(_arr((2, 2, 4, 5)), requires_grad=True)
    w = minitorch.tensor(_arr((3, 2, 3, 2)), requires_grad=True)

    def f(x, w):
        return mconv.conv2d(x, w, padding=(1, 2))

    assert _on_fourier(f(x, w))
    assert gradcheck(f, (x, w))
    assert gradgradcheck(f, (x, w))


def test_second_derivatives_match_torch_on_the_fourier_path(fourier):
    second_derivatives_match_torch(_arr((2, 3, 5, 5)), _arr((2, 3, 3, 3)))


def test_backward_twice_with_retain_graph_on_the_fourier_path(fourier):
    """The input's spectrum, freed after the first weight gradient, is rebuilt."""
    x = minitorch.tensor(_arr((2, 3, 6, 6)), requires_grad=True)
    w = minitorch.tensor(_arr((4, 3, 3, 3)), requires_grad=True)
    y = mconv.conv2d(x, w, padding=1)
    assert _on_fourier(y)
    up = minitorch.tensor(_arr(tuple(y.shape)))
    y.backward(up, retain_graph=True)
    first = [w.grad.numpy().copy(), x.grad.numpy().copy()]
    y.backward(up)
    np.testing.assert_allclose(w.grad.numpy(), 2 * first[0], rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), 2 * first[1], rtol=1e-12)


# ---------------------------------------------------------------------------------------
# NaN and infinity stay where PyTorch puts them
# ---------------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:invalid value encountered")  # inf * 0 in NumPy, as in torch
@pytest.mark.parametrize("where", ["input", "weight", "grad"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_values_stay_local_like_torch(fourier, where, bad):
    """A NaN/inf would spread over the whole image in frequency space: such a call takes
    the im2col path, and the NaN pattern of the result equals PyTorch's."""
    x, w = _arr((2, 3, 8, 8)), _arr((4, 3, 3, 3))
    g = _arr((2, 4, 8, 8))
    {"input": x, "weight": w, "grad": g}[where][(0, 1, 2, 2)] = bad
    mx, mw = (minitorch.tensor(a, requires_grad=True) for a in (x, w))
    tx, tw = (torch.tensor(a, requires_grad=True) for a in (x, w))
    y, ty = mconv.conv2d(mx, mw, padding=1), F.conv2d(tx, tw, padding=1)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    y.backward(minitorch.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(mw.grad.numpy(), tw.grad.numpy(), rtol=1e-10, atol=1e-10)
    # the damage is local (a bad weight spoils every output, as it does in torch)
    spoiled = {"input": y.detach(), "grad": mx.grad, "weight": None}[where]
    if spoiled is not None:
        assert 0 < (~np.isfinite(spoiled.numpy())).sum() < spoiled.numel()


def test_finite_inputs_keep_the_fourier_path(fourier):
    x, w = minitorch.tensor(_arr((2, 3, 8, 8))), minitorch.tensor(_arr((4, 3, 3, 3)))
    w.requires_grad_()
    y = mconv.conv2d(x, w, padding=1)
    assert _on_fourier(y)
    x.data[0, 0, 0, 0] = float("nan")
    assert not _on_fourier(mconv.conv2d(x, w, padding=1))


# ---------------------------------------------------------------------------------------
# Which path the cost model chooses
# ---------------------------------------------------------------------------------------
def _path(xs, ws, dtype=minitorch.float32, **kw):
    x = minitorch.zeros(xs, dtype=dtype)
    w = minitorch.zeros(ws, dtype=dtype, requires_grad=True)
    return _on_fourier(mconv.conv2d(x, w, **kw))


def test_first_layers_leave_the_fourier_path_to_direct_and_im2col():
    """A 3-channel input that needs no gradient (a first layer) never takes the Fourier
    path; the same layer further in (its input needs a gradient) still may."""
    x = minitorch.zeros(64, 3, 32, 32)
    w = minitorch.zeros(6, 3, 5, 5, requires_grad=True)
    assert not _on_fourier(mconv.conv2d(x, w))
    assert _on_fourier(mconv.conv2d(x.requires_grad_(), w))


def test_cost_model_choices_on_the_tutorial_cnn():
    assert _path((64, 16, 14, 14), (32, 16, 5, 5), padding=2)  # the 16->32 layer
    assert _path((256, 16, 14, 14), (32, 16, 5, 5), padding=2)
    assert not _path((64, 1, 28, 28), (16, 1, 5, 5), padding=2)  # 1 channel: im2col
    assert not _path((1, 16, 14, 14), (32, 16, 5, 5), padding=2)  # one image
    assert not _path((64, 32, 14, 14), (64, 32, 1, 1))  # 1x1 kernel


@pytest.mark.parametrize(
    "kw,dtype",
    [
        ({"stride": 2, "padding": 2}, minitorch.float32),
        ({"dilation": 2, "padding": 4}, minitorch.float32),
        ({"padding": 2}, minitorch.float16),
    ],
)
def test_fourier_path_only_where_it_applies(kw, dtype):
    assert not _path((64, 16, 14, 14), (32, 16, 5, 5), dtype, **kw)


def test_grouped_convolution_stays_on_im2col():
    x = minitorch.zeros(64, 16, 14, 14)
    w = minitorch.zeros(32, 8, 5, 5, requires_grad=True)
    assert not _on_fourier(mconv.conv2d(x, w, padding=2, groups=2))


def test_tutorial_cnn_training_matches_torch_on_the_fourier_path():
    """Three Adam steps of the tutorial CNN at batch 64 (its second conv on the Fourier
    path by the cost model): the losses and the final weights equal PyTorch's."""
    images = RNG.standard_normal((64, 1, 28, 28)).astype(np.float32)
    labels = RNG.integers(0, 10, 64)
    state = None
    runs = []
    for lib in (torch, minitorch):
        nn = lib.nn
        model = nn.Sequential(
            nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 10),
        )
        if state is None:
            state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
        model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
        opt = lib.optim.Adam(model.parameters(), lr=1e-3)
        x, y = lib.tensor(images), lib.tensor(labels)
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        if lib is minitorch:
            assert model[3](model[:3](x)).grad_fn.geo.fourier
        runs.append((losses, model[3].weight.detach().numpy()))
    np.testing.assert_allclose(runs[1][0], runs[0][0], rtol=1e-5)
    np.testing.assert_allclose(runs[1][1], runs[0][1], rtol=1e-4, atol=1e-5)
