"""The batch cut into parts, one per core (``ConvGeometry.parts``, kernels/conv.py):
every path, part by part, gives the whole batch's output and gradients and torch's;
the parts never depend on how many threads run them; the choice and its switches.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from conv_paths import (
    PATHS,
    close_to_reference,
    conv_geometry_of,
    kernels_match_torch,
    normal_arrays,
    paths_agree,
    second_derivatives_match_torch,
)

import minitorch
from minitorch.kernels import conv as kconv
from minitorch.kernels import threads
from minitorch.ops import conv_api

_arr = normal_arrays(71)

# (path flag or "im2col", x shape, w shape, stride, padding (t, b, l, r))
CASES = [
    ("im2col", (5, 3, 7, 6), (4, 3, 3, 2), (1, 1), (1, 0, 2, 1)),
    ("im2col", (4, 2, 9, 9), (3, 2, 3, 3), (2, 2), (1, 1, 1, 1)),
    ("fourier", (5, 4, 9, 8), (3, 4, 5, 5), (1, 1), (2, 2, 2, 2)),
    ("winograd", (5, 4, 9, 7), (3, 4, 3, 3), (1, 1), (1, 1, 1, 1)),
    ("shifted", (5, 4, 9, 8), (6, 4, 3, 3), (2, 2), (1, 1, 1, 1)),
    ("shifted", (3, 4, 8, 8), (2, 4, 3, 3), (1, 1), (1, 1, 1, 1)),
    ("direct", (5, 3, 8, 8), (4, 3, 5, 5), (1, 1), (2, 2, 2, 2)),
    ("pointwise", (5, 6, 6, 6), (4, 6, 1, 1), (2, 2), (0, 0, 0, 0)),
]


def _geometry(path: str, stride, pads, parts: int = 1) -> kconv.ConvGeometry:
    geo = kconv.ConvGeometry(stride, pads, (1, 1), 1, parts=parts)
    return geo if path == "im2col" else geo._replace(**{path: True})


@pytest.mark.parametrize("path,xs,ws,stride,pads", CASES)
@pytest.mark.parametrize("parts", [2, 3, 5])
def test_parts_give_the_whole_batch_results(path, xs, ws, stride, pads, parts):
    """Output, input gradient and weight gradient (with the forward's caches and the
    shared gradient layouts, as a training step uses them) agree with one whole-batch
    call in float64; 5 images in 2 or 3 parts: parts of unequal sizes; 5 parts of 5
    images: one image each."""
    x, w, b = _arr(xs), _arr(ws), _arr(ws[0])
    n = min(parts, xs[0])
    paths_agree(x, w, _geometry(path, stride, pads), _geometry(path, stride, pads, n), b)


@pytest.mark.parametrize("path,xs,ws,stride,pads", CASES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_parts_match_torch(path, xs, ws, stride, pads, dtype):
    """The raw kernels in 2 parts against torch's convolution and its gradients, with and
    without the caches; float32 too."""
    x, w = _arr(xs, dtype), _arr(ws, dtype)
    kernels_match_torch(x, w, _geometry(path, stride, pads, 2), dtype)


def test_caches_and_layouts_are_kept_per_part():
    """The forward's cache and the gradient layout hold one entry per part, and a part's
    entry is what the whole path leaves for those images."""
    x, w = _arr((5, 4, 9, 7)), _arr((3, 4, 3, 3))
    geo = _geometry("winograd", (1, 1), (1, 1, 1, 1), 2)
    _, cache = kconv.conv_forward(x, w, geo)
    g = _arr((5, 3, 9, 7))
    gmat = kconv.grad_matrix(g, geo, x.shape, w.shape)
    assert isinstance(cache, kconv.Parts) and isinstance(gmat, kconv.Parts)
    assert len(cache) == len(gmat) == 2
    for k, sl in enumerate(kconv.part_slices(5, 2)):
        one = geo._replace(parts=1)
        np.testing.assert_array_equal(cache[k], kconv.conv_forward(x[sl], w, one)[1])
        np.testing.assert_array_equal(gmat[k], kconv.grad_matrix(g[sl], one, x[sl].shape))


def test_part_slices_cover_the_batch_in_order():
    for n in range(1, 12):
        for parts in range(1, n + 1):
            sl = kconv.part_slices(n, parts)
            sizes = [s.stop - s.start for s in sl]
            assert sl[0].start == 0 and sl[-1].stop == n
            assert all(a.stop == b.start for a, b in itertools.pairwise(sl))
            assert max(sizes) - min(sizes) <= 1 and min(sizes) >= 1


def _step(x: np.ndarray, w: np.ndarray, up: np.ndarray):
    mx, mw = minitorch.tensor(x, requires_grad=True), minitorch.tensor(w, requires_grad=True)
    y = conv_api.conv2d(mx, mw, padding=1)
    y.backward(minitorch.tensor(up))
    return conv_geometry_of(y), y.detach().numpy(), mx.grad.numpy(), mw.grad.numpy()


@pytest.fixture
def two_threads():
    before = threads.get_num_threads()
    minitorch.set_num_threads(2)
    yield
    minitorch.set_num_threads(before)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv2d_in_parts_matches_torch(two_threads, dtype):
    """A layer large enough for parts (ResNet's 16 -> 16 on 32x32 maps, batch 8 in
    float64: 1 MiB of input and 1 MiB of output) takes them in conv2d, and its output
    and gradients are torch's."""
    x, w = _arr((8, 16, 32, 32), dtype), _arr((16, 16, 3, 3), dtype) * 0.1
    up = _arr((8, 16, 32, 32), dtype)
    if dtype == np.float32:  # half the bytes: twice the images
        x, up = np.concatenate([x, x[::-1]]), np.concatenate([up, up[::-1]])
    geo, y, gx, gw = _step(x, w, up)
    assert geo.parts == 2
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ty = torch.nn.functional.conv2d(tx, tw, padding=1)
    ty.backward(torch.tensor(up))
    for ours, theirs in ((y, ty), (gx, tx.grad), (gw, tw.grad)):
        close_to_reference(ours, theirs.detach().numpy(), dtype)


def test_results_do_not_depend_on_the_free_cores(two_threads, monkeypatch):
    """On a busy machine the parts run one after another on the calling thread: the same
    parts, so the same bits as on both cores."""
    x, w, up = _arr((8, 16, 32, 32)), _arr((16, 16, 3, 3)), _arr((8, 16, 32, 32))
    both = _step(x, w, up)
    monkeypatch.setattr(threads, "free_cores", lambda: 1)
    one = _step(x, w, up)
    assert both[0].parts == one[0].parts == 2
    for a, b in zip(both[1:], one[1:]):
        np.testing.assert_array_equal(a, b)


def test_second_derivatives_in_parts(two_threads, monkeypatch):
    """create_graph=True through a convolution in parts: the gradient Functions receive
    the per-part caches and layouts."""
    monkeypatch.setattr(kconv, "_PARTS_MIN_BYTES", 0)
    second_derivatives_match_torch(_arr((4, 3, 6, 6)), _arr((2, 3, 3, 3)))


def test_a_nan_in_one_part_stays_local(two_threads, monkeypatch):
    """A NaN sends every part off Winograd to im2col, and the NaNs land where torch's do."""
    monkeypatch.setattr(kconv, "_PARTS_MIN_BYTES", 0)
    monkeypatch.setattr(conv_api, "prefer_winograd", kconv.winograd_applies)
    x, w = _arr((4, 3, 8, 8)), _arr((2, 3, 3, 3))
    x[3, 1, 4, 4] = np.nan
    mx, mw = minitorch.tensor(x, requires_grad=True), minitorch.tensor(w, requires_grad=True)
    y = conv_api.conv2d(mx, mw, padding=1)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ty = torch.nn.functional.conv2d(tx, tw, padding=1)
    assert conv_geometry_of(y).parts == 2 and not conv_geometry_of(y).winograd
    np.testing.assert_array_equal(np.isnan(y.detach().numpy()), np.isnan(ty.detach().numpy()))
    up = _arr(tuple(ty.shape))
    y.backward(minitorch.tensor(up))
    ty.backward(torch.tensor(up))
    for ours, theirs in ((mx, tx), (mw, tw)):
        np.testing.assert_array_equal(np.isnan(ours.grad.numpy()), np.isnan(theirs.grad.numpy()))
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), atol=1e-10)


def _choice(shape, w_shape, path: str = "winograd") -> int:
    x = np.zeros(shape, dtype=np.float32)
    return kconv.prefer_parts(x, w_shape, _geometry(path, (1, 1), (1, 1, 1, 1)))


def test_the_choice(two_threads):
    """Large layers are cut into as many parts as threads allowed; small ones, the direct
    path, 1x1 kernels and single images are not."""
    assert _choice((32, 16, 32, 32), (16, 16, 3, 3)) == 2  # ResNet 16 -> 16: 4 MiB
    assert _choice((64, 16, 14, 14), (32, 16, 5, 5), "fourier") == 2  # 1.6e8 multiply-adds
    assert _choice((4, 6, 14, 14), (16, 6, 5, 5), "fourier") == 1  # LeNet's, batch 4
    assert _choice((32, 6, 14, 14), (16, 6, 5, 5), "fourier") == 1  # batch 32: 0.35 MiB
    assert _choice((64, 6, 14, 14), (16, 6, 5, 5), "fourier") == 2  # batch 64: 0.69 MiB
    assert _choice((32, 64, 8, 8), (64, 64, 3, 3)) == 2  # 1 MiB, 7.5e7 multiply-adds
    assert _choice((8, 64, 8, 8), (64, 64, 3, 3)) == 1  # 0.25 MiB
    assert _choice((32, 3, 32, 32), (16, 3, 3, 3), "direct") == 1
    assert _choice((32, 16, 32, 32), (32, 16, 1, 1), "pointwise") == 1
    assert _choice((1, 64, 64, 64), (64, 64, 3, 3)) == 1
    minitorch.set_num_threads(1)
    assert _choice((32, 16, 32, 32), (16, 16, 3, 3)) == 1
    minitorch.set_num_threads(4)
    assert _choice((3, 16, 64, 64), (16, 16, 3, 3)) == 3  # no more parts than images


def test_no_parts_for_other_arrays(two_threads, monkeypatch):
    """Parts are for NumPy arrays: for another array module (CuPy) the geometry keeps 1."""
    assert _choice((32, 16, 32, 32), (16, 16, 3, 3)) == 2
    monkeypatch.setattr(kconv, "get_array_module", lambda a: object())
    assert _choice((32, 16, 32, 32), (16, 16, 3, 3)) == 1


def test_one_blas_thread_restores_the_count():
    blas = threads._blas()
    if not blas or threads._State.blas_fixed:
        pytest.skip("NumPy's BLAS is not an OpenBLAS whose thread count minitorch may set")
    before = blas[1]()
    blas[0](2)
    try:
        with threads.one_blas_thread():
            assert blas[1]() == 1
        assert blas[1]() == 2
        with pytest.raises(ValueError), threads.one_blas_thread():
            raise ValueError
        assert blas[1]() == 2
    finally:
        blas[0](before)


def test_parts_region_is_one_blas_thread_and_is_noted(monkeypatch):
    """A parts_region runs OpenBLAS on one thread, like one_blas_thread, and
    parts_ran_recently says so for 0.1 s after it began."""
    monkeypatch.setattr(threads._State, "parts_time", -1.0)
    assert not threads.parts_ran_recently()
    blas = threads._blas()
    with threads.parts_region():
        if blas and not threads._State.blas_fixed:
            assert blas[1]() == 1
    assert threads.parts_ran_recently()
    monkeypatch.setattr(threads._State, "parts_time", threads.time.perf_counter() - 0.2)
    assert not threads.parts_ran_recently()


def test_convolutions_in_parts_and_the_direct_path_are_noted(two_threads, monkeypatch):
    """Both the batch in parts and the direct path's blocks run in a parts_region."""
    rng = np.random.default_rng(0)
    for path, xs, ws in (("winograd", (4, 16, 8, 8), (16, 16, 3, 3)),
                         ("direct", (4, 3, 12, 12), (6, 3, 5, 5))):
        monkeypatch.setattr(threads._State, "parts_time", -1.0)
        x = rng.standard_normal(xs).astype(np.float32)
        w = rng.standard_normal(ws).astype(np.float32)
        geo = _geometry(path, (1, 1), (1, 1, 1, 1))
        kconv.conv_forward(x, w, geo._replace(parts=2) if path != "direct" else geo)
        assert threads.parts_ran_recently(), path


def test_mid_size_products_on_one_thread_while_parts_run(monkeypatch):
    """ops.linalg._mm: products of 2^18-2^21 multiply-adds always run on one OpenBLAS
    thread, those up to 2^22 only while convolutions run in parts, larger ones never;
    the numbers are those of the plain product."""
    from minitorch.ops import linalg

    calls = []

    class Recorder:
        def __enter__(self):
            calls.append(True)

        def __exit__(self, *exc):
            return None

    monkeypatch.setattr(linalg, "one_blas_thread", Recorder)
    rng = np.random.default_rng(0)
    for (m, k, n), alone, with_parts in (((64, 64, 63), False, False),  # below 2^18
                                         ((64, 64, 64), True, True),  # 2^18
                                         ((64, 400, 120), False, True),  # 3.1e6
                                         ((64, 784, 128), False, False)):  # 6.4e6
        x = rng.standard_normal((m, k)).astype(np.float32)
        y = rng.standard_normal((k, n)).astype(np.float32)
        for recent, expected in ((False, alone), (True, with_parts)):
            monkeypatch.setattr(threads._State, "parts_time",
                                threads.time.perf_counter() if recent else -1.0)
            calls.clear()
            np.testing.assert_array_equal(linalg._mm(x, y), x @ y)
            assert bool(calls) == expected, ((m, k, n), recent)


def test_a_blas_count_fixed_by_the_user_is_respected(two_threads, monkeypatch):
    """With OPENBLAS_NUM_THREADS fixed above 1, parts would add threads to OpenBLAS's:
    none are made, and one_blas_thread leaves the count alone."""
    blas = threads._blas()
    if not blas:
        pytest.skip("NumPy's BLAS is not OpenBLAS")
    monkeypatch.setattr(threads._State, "blas_fixed", True)
    before = blas[1]()
    blas[0](2)
    try:
        assert not threads.parts_may_run_together()
        assert _choice((32, 16, 32, 32), (16, 16, 3, 3)) == 1
        with threads.one_blas_thread():
            assert blas[1]() == 2
        blas[0](1)
        assert threads.parts_may_run_together()
    finally:
        blas[0](before)


def test_paths_list_is_complete():
    """Every path flag of ConvGeometry is covered by CASES above."""
    assert {c[0] for c in CASES} - {"im2col"} == set(PATHS)


@pytest.mark.parametrize("path,xs,ws,stride,pads", CASES)
@pytest.mark.parametrize("parts", [1, 2])
@pytest.mark.parametrize("needs", [(True, True), (True, False), (False, True)])
def test_conv_grads_is_the_two_gradients(path, xs, ws, stride, pads, parts, needs):
    """``conv_grads`` (one layout and both gradients, a part at a time) gives what
    conv_input_grad and conv_weight_grad give, bit for bit, and empties ``held``."""
    x, w = _arr(xs), _arr(ws)
    geo = _geometry(path, stride, pads, parts)
    out, cache = kconv.conv_forward(x, w, geo)
    g = np.cos(np.arange(out.size)).reshape(out.shape)
    held = [cache]
    dx, dw = kconv.conv_grads(x, g, w, geo, held, *needs)
    assert held == []
    gmat = kconv.grad_matrix(g, geo, x.shape, w.shape)
    if needs[0]:
        np.testing.assert_array_equal(dx, kconv.conv_input_grad(g, w, x.shape, geo, gmat))
    else:
        assert dx is None
    if needs[1]:
        _, cache = kconv.conv_forward(x, w, geo)
        np.testing.assert_array_equal(dw, kconv.conv_weight_grad(x, g, w.shape, geo, cache, gmat))
    else:
        assert dw is None
