"""The Winograd convolution path (kernels/winograd.py) against torch and against im2col.

The cost model picks Winograd only on layers of many channels (docs/PERFORMANCE.md), so
most tests force it with the ``winograd`` fixture and then check that it was taken.
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


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("o, c", [(8, 8), (64, 32), (64, 64), (45, 100)])  # 64, 2048, 4096, 4500 filters
def test_weight_transform_by_blocks_of_filters_is_the_kronecker_product(o, c, dtype):
    """U = (G kron G) vec(g) of every filter, however many blocks of filters it is made
    in (a partial last block included): float64 to the last bits, float32 within rounding."""
    w = _arr((o, c, 3, 3), dtype)
    kron = np.kron(winograd.F4.g, winograd.F4.g)  # float64, (36, 9)
    exact = (kron @ w.astype(np.float64).reshape(o * c, 9).T).reshape(36, o, c)
    got = winograd.weight_transform(w)
    assert got.shape == (36, o, c) and got.dtype == dtype and got.flags.c_contiguous
    tol = 1e-14 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(got, exact, rtol=tol, atol=tol * np.abs(exact).max())


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


@pytest.mark.parametrize("blas", [True, False], ids=["somatcopy", "numpy"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2, 3, 5, 7), (3, 5, 13, 9), (1, 1, 1, 1)])
def test_pixel_major_copies_are_transposes(monkeypatch, shape, dtype, blas):
    """The transposing copies, by OpenBLAS's somatcopy and by the NumPy fallback, give
    NumPy's transpose, into and out of strided (padded) views, touching nothing else."""
    from minitorch.kernels import copies

    if not blas:
        monkeypatch.setattr(copies, "_somatcopy", False)
    x = _arr(shape).astype(dtype)
    n, c, h, w = shape
    big = np.full((h + 3, w + 2, n, c), 7.0, dtype=dtype)
    winograd._to_pixel_major(x, big[1:h + 1, 2:])
    np.testing.assert_array_equal(big[1:h + 1, 2:], x.transpose(2, 3, 0, 1))
    assert (big[0] == 7).all() and (big[h + 1:] == 7).all() and (big[:, :2] == 7).all()
    back = np.empty(shape, dtype=dtype)
    winograd._from_pixel_major(big[1:h + 1, 2:], back)
    np.testing.assert_array_equal(back, x)
    into = np.zeros((n, c + 1, h, w), dtype=dtype)  # into a strided view as well
    winograd._from_pixel_major(big[1:h + 1, 2:], into[:, 1:])
    np.testing.assert_array_equal(into[:, 1:], x)
    assert (into[:, 0] == 0).all()


@pytest.mark.parametrize("m", [2, 4])
def test_raw_kernels_split_over_threads_match_torch(monkeypatch, m):
    """Every transform split into parts (rows of tiles) as on a multi-core machine: the
    parts' shared rows (the input gradient's carry) are added exactly once."""
    from minitorch.kernels import threads

    monkeypatch.setattr(threads, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(threads, "free_cores", lambda: 3)
    monkeypatch.setattr(threads, "_pool", None)
    monkeypatch.setattr(threads, "_num_threads", 3)
    test_raw_kernels_match_torch(((2, 3, 17, 11), 5, (1, 1, 2, 0)), np.float64, m)


@pytest.mark.parametrize("pads", [(1, 1, 1, 1), (0, 0, 0, 0), (1, 2, 1, 2), (2, 0, 0, 2)])
def test_float32_layer_within_torchs_rounding_of_float64(pads):
    """F(4x4, 3x3) in float32 on a realistic layer (16 input channels, 19x21 maps: the last
    tiles overhang) stays within a few 1e-6 of float64, relative to the largest entry, for
    the output and both gradients (docs/PERFORMANCE.md has the measured errors)."""
    x, w = _arr((4, 16, 19, 21)), _arr((8, 16, 3, 3)) / 12
    out, v = winograd.forward(x.astype(np.float32), w.astype(np.float32), pads)
    exact, _ = winograd.forward(x, w, pads)
    g = _arr(exact.shape)
    gx = winograd.input_grad(g.astype(np.float32), w.astype(np.float32), x.shape, pads)
    gw = winograd.weight_grad(x.astype(np.float32), g.astype(np.float32), w.shape, pads, v=v)
    args = ((1, 1), pads, (1, 1), 1)
    for ours, ref in ((out, exact), (gx, reference.conv_input_grad(g, w, x.shape, *args)),
                      (gw, reference.conv_weight_grad(x, g, w.shape, *args))):
        assert ours.dtype == np.float32
        assert np.abs(ours - ref).max() <= 1e-5 * np.abs(ref).max()


def test_the_cost_model_chooses_winograd_on_wide_3x3_layers_only():
    """The refitted model (docs/PERFORMANCE.md) takes F(4x4, 3x3) on the VGG/ResNet layers
    with 16 or more channels, never on a 3-channel stem or off 3x3 stride 1."""
    def chosen(x, w_shape, input_grad=True):  # as conv2d asks: after the Fourier model
        geo = kconv.ConvGeometry((1, 1), (1, 1, 1, 1), (1, 1), 1)
        geo = geo._replace(fourier=kconv.prefer_fourier(x, w_shape, geo, input_grad))
        return kconv.prefer_winograd(x, w_shape, geo)

    for n, c, o, side in ((32, 32, 32, 32), (32, 64, 64, 16), (32, 16, 16, 32), (32, 64, 128, 8)):
        assert chosen(np.zeros((n, c, side, side), np.float32), (o, c, 3, 3))
    stem = np.zeros((32, 3, 32, 32), np.float32)
    geo = kconv.ConvGeometry((1, 1), (1, 1, 1, 1), (1, 1), 1)
    assert kconv.winograd_applies(stem, (32, 3, 3, 3), geo)
    assert not chosen(stem, (32, 3, 3, 3), input_grad=False)
    x = np.zeros((32, 32, 16, 16), np.float32)
    assert not kconv.winograd_applies(x, (32, 32, 5, 5), geo)
    assert not kconv.winograd_applies(x, (32, 32, 3, 3), geo._replace(stride=(2, 2)))


def test_raw_kernels_on_an_empty_batch_match_torch():
    test_raw_kernels_match_torch(((0, 3, 5, 5), 2, (1, 1, 1, 1)), np.float64, 4)


# (input shape, padding): 18 x 9 outputs in 5 x 3 tiles, overhanging; 20 x 8 outputs in
# 5 x 2 tiles, none overhanging (the last two padded columns and rows are then seen)
CHUNK_CASES = [((2, 3, 17, 10), (1, 2, 0, 1)), ((2, 3, 20, 8), (1, 1, 1, 1))]


@pytest.mark.parametrize("case", CHUNK_CASES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("threads_split", [False, True])
@pytest.mark.parametrize("rows_per_chunk", [1, 2, 3, 100])
def test_input_grad_by_chunks_of_tile_rows_matches_torch_and_the_loop_twin(
        monkeypatch, rows_per_chunk, threads_split, dtype, case):
    """input_grad runs a few rows of tiles at a time (``_CHUNK_BYTES`` of dV): one row, two
    (5 rows of tiles: the last chunk is short), three, all at once, each also with the rows
    split over 3 threads, gives torch's and the loop twin's input gradient (float64
    tight, float32 loose)."""
    from minitorch.kernels import threads

    if threads_split:
        monkeypatch.setattr(threads, "_PARALLEL_BYTES", 0)
        monkeypatch.setattr(threads, "free_cores", lambda: 3)
        monkeypatch.setattr(threads, "_pool", None)
        monkeypatch.setattr(threads, "_num_threads", 3)
    xs, pads = case
    tw = winograd.tiling(xs, pads, 4).tw
    row = 36 * tw * xs[0] * xs[1] * np.dtype(dtype).itemsize  # one row of tiles' dV in bytes
    monkeypatch.setattr(winograd, "_CHUNK_BYTES", rows_per_chunk * row + row // 2)
    x, w = _arr(xs, dtype), _arr((4, 3, 3, 3), dtype)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w)
    pt, pb, pl, pr = pads
    ref = F.conv2d(F.pad(tx, (pl, pr, pt, pb)), tw)
    g = _arr(tuple(ref.shape), dtype)
    ref.backward(torch.tensor(g))
    gx = winograd.input_grad(g, w, x.shape, pads)
    assert gx.dtype == dtype
    _close(gx, tx.grad.numpy(), dtype)
    if dtype == np.float64:
        twin = reference.conv_input_grad(g, w, x.shape, (1, 1), pads, (1, 1), 1)
        np.testing.assert_allclose(gx, twin, atol=1e-11)
