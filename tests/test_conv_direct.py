"""The few-input-channel convolution path (kernels/conv_direct.py) against torch, the loop
twins of kernels/reference.py, and im2col.

Most tests force the path with the ``on_direct`` fixture and check that it was taken; the
last ones check what the cost model picks on its own.
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
    normal_arrays,
    path_agrees_with_im2col,
    second_derivatives_match_torch,
    stride1_cases,
)
from hypothesis import given, settings

import minitorch
from minitorch.autograd import gradcheck, gradgradcheck
from minitorch.kernels import conv as kconv
from minitorch.kernels import conv_direct, reference, threads
from minitorch.ops import conv as _conv_functions  # noqa: F401  (imports conv_api in the right order)
from minitorch.ops import conv_api

_arr = normal_arrays(55)


@pytest.fixture
def on_direct(monkeypatch):
    """conv2d takes the direct path wherever it applies, whatever the cost model says."""
    force_path(monkeypatch, "prefer_direct", kconv.direct_applies)


# (input shape, weight shape, (top, bottom, left, right) padding)
RAW_CASES = [
    ((2, 1, 8, 7), (3, 1, 5, 5), (2, 2, 2, 2)),  # the tutorial's first layer, small
    ((3, 3, 9, 9), (2, 3, 5, 5), (0, 0, 0, 0)),  # the blitz's first layer, no padding
    ((1, 2, 5, 9), (4, 2, 2, 3), (1, 0, 2, 1)),  # asymmetric padding, non-square kernel
    ((2, 1, 4, 4), (1, 1, 1, 5), (0, 0, 3, 3)),  # padding wider than the kernel reaches
    ((2, 4, 6, 6), (3, 4, 5, 5), (4, 4, 4, 4)),  # padding > kernel - 1: all-zero windows
    ((3, 1, 9, 8), (16, 1, 5, 5), (2, 2, 2, 2)),  # 8+ output channels: window columns
    ((2, 3, 7, 7), (9, 3, 3, 3), (1, 1, 1, 1)),  # a VGG/ResNet-like stem
]


@pytest.mark.parametrize("keep", [True, False], ids=["columns kept", "padded input kept"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", RAW_CASES)
def test_raw_kernels_match_torch(case, dtype, keep, monkeypatch):
    """Output, input and weight gradients, with either cache the forward leaves (the
    whole batch's columns, or only the padded input when they are large) and with none."""
    if not keep:
        monkeypatch.setattr(conv_direct, "_KEEP_BYTES", 0)
    xs, ws, pads = case
    x, w, b = _arr(xs, dtype), _arr(ws, dtype), _arr(ws[0], dtype)
    out, xpad = conv_direct.forward(x, w, pads, b)
    assert xpad.ndim == (3 if keep else 4)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    pt, pb, pl, pr = pads
    ref = F.conv2d(F.pad(tx, (pl, pr, pt, pb)), tw, torch.tensor(b))
    assert out.dtype == dtype and out.shape == tuple(ref.shape) and out.flags.c_contiguous
    close_to_reference(out, ref.detach().numpy(), dtype)
    g = _arr(tuple(ref.shape), dtype)
    ref.backward(torch.tensor(g))
    gx = conv_direct.input_grad(g, w, x.shape, pads)
    gw = conv_direct.weight_grad(x, g, w.shape, pads, xpad)
    assert gx.dtype == gw.dtype == dtype
    close_to_reference(gx, tx.grad.numpy(), dtype)
    close_to_reference(gw, tw.grad.numpy(), dtype)
    # without the padded input the forward left (rebuilt)
    close_to_reference(conv_direct.weight_grad(x, g, w.shape, pads), tw.grad.numpy(), dtype)


def _split_in_parts(parts: int):
    """A stand-in for ``split_work`` that always cuts the range into ``parts`` slices
    (run one after the other here; any order of the parts must give the same sums)."""
    def split(fn, length, nbytes, xp=np):
        bounds = [length * k // parts for k in range(parts + 1)]
        for k in reversed(range(parts)):  # the last part first: order must not matter
            fn(slice(bounds[k], bounds[k + 1]))
    return split


@pytest.mark.parametrize("o", [3, 9], ids=["lines", "window columns"])
def test_blocks_and_parts_of_the_batch_give_the_same_result(monkeypatch, o):
    """Many small blocks (one image each, reusing one buffer), and the batch cut into
    parts (as over threads, each part with its own buffers and sum) = one block."""
    x, w, b = _arr((5, 2, 7, 6)), _arr((o, 2, 3, 5)), _arr(o)
    pads = (1, 2, 2, 0)
    whole = conv_direct.forward(x, w, pads, b)[0]
    g = _arr(whole.shape)
    gw_whole = conv_direct.weight_grad(x, g, w.shape, pads)
    for setting in ((conv_direct, "_BLOCK_BYTES", 1), (conv_direct, "split_work", _split_in_parts(3))):
        monkeypatch.setattr(*setting)
        np.testing.assert_allclose(conv_direct.forward(x, w, pads, b)[0], whole, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(conv_direct.weight_grad(x, g, w.shape, pads), gw_whole, rtol=1e-12, atol=1e-12)


def test_parts_on_two_threads_match_torch(monkeypatch):
    """The real ``split_work`` on two threads (as on a machine with a free core), float64."""
    monkeypatch.setattr(threads, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(threads, "_num_threads", 2)
    monkeypatch.setattr(threads._State, "free", 2)
    monkeypatch.setattr(threads._State, "enabled", False)  # no looking at the real machine
    monkeypatch.setattr(conv_direct, "_BLOCK_BYTES", 1)
    for o in (4, 16):
        x, w, b = _arr((6, 1, 10, 10)), _arr((o, 1, 5, 5)), _arr(o)
        tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        ref = F.conv2d(tx, tw, tb, padding=2)
        out, cache = conv_direct.forward(x, w, (2,) * 4, b)
        np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
        g = _arr(tuple(ref.shape))
        ref.backward(torch.tensor(g))
        np.testing.assert_allclose(conv_direct.weight_grad(x, g, w.shape, (2,) * 4, cache),
                                   tw.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_all_three_kernels_match_the_loop_twins():
    """Against kernels/reference.py's loop convolution and its two gradients."""
    x, w, pads = _arr((2, 3, 6, 7)), _arr((2, 3, 5, 3)), (2, 1, 0, 1)
    args = ((1, 1), pads, (1, 1), 1)
    out, xpad = conv_direct.forward(x, w, pads)
    np.testing.assert_allclose(out, reference.conv_forward(x, w, *args), rtol=1e-11, atol=1e-11)
    g = _arr(out.shape)
    np.testing.assert_allclose(conv_direct.input_grad(g, w, x.shape, pads),
                               reference.conv_input_grad(g, w, x.shape, *args), atol=1e-11)
    np.testing.assert_allclose(conv_direct.weight_grad(x, g, w.shape, pads, xpad),
                               reference.conv_weight_grad(x, g, w.shape, *args), atol=1e-11)


@settings(max_examples=40, deadline=None)
@given(case=stride1_cases(max_channels=3))
def test_direct_and_im2col_agree_on_random_geometries(case):
    """Any stride-1 geometry: both paths give the same output and gradients (float64)."""
    x, wt, pads, b = case
    path_agrees_with_im2col("direct", x, wt, pads, b)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv2d_on_the_direct_path_matches_torch(on_direct, dtype):
    x, w, b = _arr((3, 3, 9, 8), dtype), _arr((4, 3, 5, 5), dtype), _arr(4, dtype)
    conv2d_matches_torch(x, w, b, dtype, "direct", padding=2)


def test_first_layer_needs_no_input_gradient(on_direct):
    """An input that does not require grad gets none (and the weight's is right)."""
    x, w = _arr((2, 1, 8, 8)), _arr((3, 1, 5, 5))
    mx, mw = minitorch.tensor(x), minitorch.tensor(w, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    y, ty = conv_api.conv2d(mx, mw, padding=2), F.conv2d(torch.tensor(x), tw, padding=2)
    assert conv_geometry_of(y).direct
    up = _arr(tuple(ty.shape))
    y.backward(minitorch.tensor(up))
    ty.backward(torch.tensor(up))
    assert mx.grad is None
    np.testing.assert_allclose(mw.grad.numpy(), tw.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_gradcheck_and_gradgradcheck_on_the_direct_path(on_direct):
    x = minitorch.tensor(_arr((2, 2, 4, 5)), requires_grad=True)
    w = minitorch.tensor(_arr((3, 2, 3, 5)), requires_grad=True)
    b = minitorch.tensor(_arr(3), requires_grad=True)

    def f(x, w, b):
        return conv_api.conv2d(x, w, b, padding=(1, 2))

    assert conv_geometry_of(f(x, w, b)).direct
    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))  # through ConvBiasGrad's backward too


def test_second_derivatives_match_torch_on_the_direct_path(on_direct):
    second_derivatives_match_torch(_arr((2, 3, 6, 6)), _arr((2, 3, 5, 5)), padding=2)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_inputs_take_im2col_and_stay_local(on_direct, bad):
    """An inf at the right edge would meet a zero gradient in a wrap column (0 * inf = NaN
    in the weight gradient): the path steps aside, and NaNs sit where PyTorch's do."""
    x, w = _arr((1, 1, 6, 6)), _arr((2, 1, 5, 5))
    x[0, 0, 2, 5] = bad
    mx, mw = minitorch.tensor(x), minitorch.tensor(w, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    y, ty = conv_api.conv2d(mx, mw), F.conv2d(torch.tensor(x), tw)
    assert not conv_geometry_of(y).direct
    np.testing.assert_array_equal(np.isnan(y.detach().numpy()), np.isnan(ty.detach().numpy()))
    up = _arr(tuple(ty.shape))
    y.backward(minitorch.tensor(up))
    ty.backward(torch.tensor(up))
    np.testing.assert_array_equal(np.isnan(mw.grad.numpy()), np.isnan(tw.grad.numpy()))
    finite = np.isfinite(tw.grad.numpy())
    np.testing.assert_allclose(mw.grad.numpy()[finite], tw.grad.numpy()[finite], rtol=1e-10)


@pytest.fixture
def avx512_blas(monkeypatch):
    """The cost model sees OpenBLAS's AVX-512 kernels, whatever this machine's NumPy runs."""
    monkeypatch.setattr(kconv, "blas_core", lambda: "SkylakeX")


def test_the_cost_model_picks_direct_for_first_layers(avx512_blas):
    """On AVX-512 kernels, the benchmarks' first layers take the direct path: light products
    (O C kh kw < 1024) from 512 KiB of columns (LeNet and the tutorial CNN at batch 64, the
    blitz net at batch 4, the VGG and ResNet stems), heavier ones from 8 MiB; LeNet at
    batch 4 (0.3 MiB) keeps im2col. The tutorial's 16 -> 32 layer keeps the Fourier path;
    strides, dilation, groups and layers with more than 3 input channels are not offered
    to it."""
    f32 = np.float32
    geo = kconv.ConvGeometry((1, 1), (2, 2, 2, 2), (1, 1), 1)
    valid, same3 = geo._replace(padding=(0, 0, 0, 0)), geo._replace(padding=(1, 1, 1, 1))
    for n in (64, 256):
        assert kconv.prefer_direct(np.zeros((n, 1, 28, 28), f32), (16, 1, 5, 5), geo)
        assert kconv.prefer_direct(np.zeros((n, 1, 32, 32), f32), (6, 1, 5, 5), valid)
    for n in (4, 64, 256):
        assert kconv.prefer_direct(np.zeros((n, 3, 32, 32), f32), (6, 3, 5, 5), valid)
    assert kconv.prefer_direct(np.zeros((32, 3, 32, 32), f32), (32, 3, 3, 3), same3)
    assert kconv.prefer_direct(np.zeros((32, 3, 32, 32), f32), (16, 3, 3, 3), same3)
    assert not kconv.prefer_direct(np.zeros((4, 1, 32, 32), f32), (6, 1, 5, 5), valid)
    heavy = (16, 3, 5, 5)  # 16 * 75 = 1200 multiply-adds per output pixel
    assert not kconv.prefer_direct(np.zeros((16, 3, 32, 32), f32), heavy, valid)  # 3.6 MiB
    assert kconv.prefer_direct(np.zeros((64, 3, 32, 32), f32), heavy, valid)  # 14 MiB
    second = np.zeros((256, 16, 14, 14), f32)
    assert kconv.prefer_fourier(second, (32, 16, 5, 5), geo)
    assert not kconv.prefer_direct(second, (32, 16, 5, 5), geo._replace(fourier=True))
    assert not kconv.direct_applies(np.zeros((8, 16, 8, 8)), (16, 16, 3, 3), geo)
    assert not kconv.direct_applies(np.zeros((8, 6, 14, 14)), (16, 6, 5, 5), geo)
    for other in (geo._replace(stride=(2, 2)), geo._replace(dilation=(2, 1)), geo._replace(groups=2)):
        assert not kconv.direct_applies(np.zeros((8, 2, 8, 8)), (4, 1 if other.groups == 2 else 2, 5, 5), other)
    assert not kconv.direct_applies(np.zeros((8, 1, 8, 8), np.float16), (4, 1, 5, 5), geo)


@pytest.mark.parametrize("core", ["Haswell", "", "Zen"])
def test_other_blas_kernels_keep_the_8_mib_rule(monkeypatch, core):
    """On AVX2 ("Haswell") kernels, another BLAS (no core name) or kernels never measured,
    only column matrices of 8 MiB or more take the direct path."""
    monkeypatch.setattr(kconv, "blas_core", lambda: core)
    f32 = np.float32
    geo = kconv.ConvGeometry((1, 1), (2, 2, 2, 2), (1, 1), 1)
    assert not kconv.prefer_direct(np.zeros((64, 1, 28, 28), f32), (16, 1, 5, 5), geo)  # 4.8 MiB
    assert kconv.prefer_direct(np.zeros((128, 1, 28, 28), f32), (16, 1, 5, 5), geo)  # 9.6 MiB


def test_blas_core_names_numpys_openblas_kernels():
    """A name OpenBLAS reports for its kernels (or '' for another BLAS), the same each time."""
    core = threads.blas_core()
    assert isinstance(core, str) and core == threads.blas_core()
    if threads._openblas() is not None:
        assert core  # OpenBLAS always names its kernels


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layer", [
    ((64, 1, 28, 28), (16, 1, 5, 5), 2),  # the tutorial CNN at batch 64
    ((64, 1, 32, 32), (6, 1, 5, 5), 0),  # LeNet at batch 64
    ((4, 3, 32, 32), (6, 3, 5, 5), 0),  # the blitz net at batch 4
    ((32, 3, 32, 32), (32, 3, 3, 3), 1),  # the VGG stem
], ids=["cnn b64", "lenet b64", "blitz b4", "vgg stem"])
def test_benchmark_first_layers_match_torch(layer, dtype, avx512_blas):
    """The benchmarks' first layers at their sizes, as ``conv2d`` chooses (the direct path):
    output, weight and bias gradients against torch's (the input needs none)."""
    xs, ws, pad = layer
    x, w, b = _arr(xs, dtype), _arr(ws, dtype) * 0.2, _arr(ws[0], dtype)
    mw, mb = minitorch.tensor(w, requires_grad=True), minitorch.tensor(b, requires_grad=True)
    tw, tb = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
    y = conv_api.conv2d(minitorch.tensor(x), mw, mb, padding=pad)
    ty = F.conv2d(torch.tensor(x), tw, tb, padding=pad)
    assert conv_geometry_of(y).direct
    close_to_reference(y.detach().numpy(), ty.detach().numpy(), dtype)
    up = _arr(tuple(ty.shape), dtype)
    y.backward(minitorch.tensor(up))
    ty.backward(torch.tensor(up))
    close_to_reference(mw.grad.numpy(), tw.grad.numpy(), dtype)
    close_to_reference(mb.grad.numpy(), tb.grad.numpy(), dtype)


def test_tutorial_cnn_first_block_matches_torch(on_direct):
    """The tutorial CNN's first block (conv on the direct path with an input that needs no
    gradient, ReLU, max-pool), float64: the weight and bias gradients are PyTorch's."""
    x = _arr((4, 1, 28, 28))
    params = [_arr((16, 1, 5, 5)) * 0.2, _arr(16) * 0.1]
    grads = []
    for lib in (minitorch, torch):
        w, b = (lib.tensor(p, requires_grad=True) for p in params)
        y = lib.nn.functional.max_pool2d(lib.nn.functional.relu(
            lib.nn.functional.conv2d(lib.tensor(x), w, b, padding=2)), 2)
        if lib is minitorch:
            assert conv_geometry_of(lib.nn.functional.conv2d(lib.tensor(x), w, b, padding=2)).direct
        (y * y).sum().backward()
        grads.append((w.grad.numpy(), b.grad.numpy()))
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)
