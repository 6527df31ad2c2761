"""Every fast kernel in minitorch/kernels against its loop-based twin in kernels/reference.py.

Shapes, strides, paddings, dilations, groups and layouts are drawn by hypothesis; the
shapes stay small because the twins are plain Python loops. float64, tight tolerances.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from minitorch.kernels import conv as kconv
from minitorch.kernels import conv_fourier
from minitorch.kernels import cross_entropy as kce
from minitorch.kernels import pool as kpool
from minitorch.kernels import reference as ref
from minitorch.kernels import relu as krelu

FEW = settings(max_examples=25, deadline=None)


def _close(a, b) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------------------------------
# Convolution: forward, input gradient, weight gradient; im2col (both layouts) and Fourier
# ---------------------------------------------------------------------------------------
@st.composite
def conv_cases(draw, fourier: bool = False):
    groups = 1 if fourier else draw(st.integers(1, 2))
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (1, 1) if fourier else (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (1, 1) if fourier else (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(4))
    h = draw(st.integers(max(1, dilation[0] * (kh - 1) + 1 - padding[0] - padding[1]), 6))
    w = draw(st.integers(max(1, dilation[1] * (kw - 1) + 1 - padding[2] - padding[3]), 6))
    n = draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((n, cg * groups, h, w))
    wt = rng.standard_normal((og * groups, cg, kh, kw))
    geo = kconv.ConvGeometry(stride, padding, dilation, groups, draw(st.booleans()), fourier)
    g = rng.standard_normal(kconv_out_shape(x.shape, wt.shape, geo))
    return x, wt, g, geo


def kconv_out_shape(x_shape, w_shape, geo) -> tuple[int, int, int, int]:
    return (x_shape[0], w_shape[0], *geo.out_size(*x_shape[2:], *w_shape[2:]))


def _check_conv(case) -> None:
    x, w, g, geo = case
    args = (geo.stride, geo.padding, geo.dilation, geo.groups)
    out, cache = kconv.conv_forward(x, w, geo)
    _close(out, ref.conv_forward(x, w, *args))
    gmat = kconv.grad_matrix(g, geo, x.shape)
    _close(kconv.conv_input_grad(g, w, x.shape, geo, gmat), ref.conv_input_grad(g, w, x.shape, *args))
    _close(kconv.conv_weight_grad(x, g, w.shape, geo, cache, gmat),
           ref.conv_weight_grad(x, g, w.shape, *args))
    _close(kconv.conv_weight_grad(x, g, w.shape, geo), ref.conv_weight_grad(x, g, w.shape, *args))


@FEW
@given(conv_cases())
def test_im2col_conv_kernels_match_their_twins(case):
    _check_conv(case)


@FEW
@given(conv_cases(fourier=True))
def test_fourier_conv_kernels_match_their_twins(case):
    assert conv_fourier.supported_dtype(case[0].dtype)
    _check_conv(case)


@FEW
@given(kh=st.integers(1, 4), kw=st.integers(1, 4), sh=st.integers(1, 3), sw=st.integers(1, 3),
       pad=st.integers(0, 2), h=st.integers(4, 7), w=st.integers(4, 7),
       batch_last=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_col2im_tiling_first_taps_matches_its_twin(kh, kw, sh, sw, pad, h, w, batch_last, seed):
    """col2im *writes* the first sh x sw taps when they tile the output (no dilation, kernel
    >= stride: the DCGAN 4x4 stride-2 case), and zeroes only what they leave uncovered;
    kernels smaller than the stride take the zero-and-add path."""
    rng = np.random.default_rng(seed)
    geo = kconv.ConvGeometry((sh, sw), (pad, pad + 1, pad, 0), (1, 1), 1, batch_last)
    x_shape = (2, 3, h, w)
    wt = rng.standard_normal((2, 3, kh, kw))
    g = rng.standard_normal(kconv_out_shape(x_shape, wt.shape, geo))
    _close(kconv.conv_input_grad(g, wt, x_shape, geo),
           ref.conv_input_grad(g, wt, x_shape, geo.stride, geo.padding, (1, 1), 1))


def test_conv2d_naive_is_conv_forward_with_symmetric_padding():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 4, 5, 6)), rng.standard_normal((4, 2, 3, 2)), rng.standard_normal(4)
    got = ref.conv2d_naive(x, w, b, (2, 1), (1, 2), (1, 2), 2)
    want = ref.conv_forward(x, w, (2, 1), (1, 1, 2, 2), (1, 2), 2) + b.reshape(1, -1, 1, 1)
    _close(got, want)


# ---------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------
@st.composite
def pool_cases(draw, dilated: bool = True):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilated else (1, 1)
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    ceil_mode = draw(st.booleans())
    span = [dilation[a] * (kernel[a] - 1) + 1 for a in range(2)]
    h = draw(st.integers(max(1, span[0] - 2 * padding[0]), 7))
    w = draw(st.integers(max(1, span[1] - 2 * padding[1]), 7))
    out = tuple(kpool.pool_out_size(size, kernel[a], stride[a], padding[a], dilation[a], ceil_mode)
                for a, size in enumerate((h, w)))
    # every window sees a real pixel (padding-only windows: test_max_pool_window_over_padding_only)
    assume(all(any(True for _ in ref._window(p, q, kernel, stride, padding, dilation, h, w))
               for p in range(out[0]) for q in range(out[1])))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), h, w)
    if draw(st.booleans()):  # small integers: many ties, which go to the first maximum
        x = rng.integers(-2, 3, shape).astype(np.float64)
    else:
        x = rng.standard_normal(shape)
    g = rng.standard_normal((*shape[:2], *out))
    return x, g, kpool.PoolGeometry(kernel, stride, padding, dilation, out)


@FEW
@given(pool_cases())
def test_max_pool_kernels_match_their_twins(case):
    x, g, geo = case
    out, tap = kpool.max_pool_forward(x, geo)
    winners = kpool.Winners(x.shape[2:], tap=tap, geo=geo)
    want, idx = ref.max_pool_forward(x, geo.kernel, geo.stride, geo.padding, geo.dilation, geo.out)
    _close(out, want)
    np.testing.assert_array_equal(winners.indices(), idx)
    _close(kpool.scatter_to_planes(g, winners), ref.max_pool_backward(g, idx, x.shape))


def test_max_pool_window_over_padding_only():
    """Found by the twin: with dilation a max-pooling window can cover only padding; its
    output is -inf with a winner index past the input (as PyTorch's), and its gradient is
    0 (as PyTorch's), not an IndexError from the scatter."""
    x = np.array([[[[0.5]]]])
    geo = kpool.PoolGeometry((1, 2), (1, 1), (0, 1), (1, 2), (1, 1))
    out, tap = kpool.max_pool_forward(x, geo)
    want, idx = ref.max_pool_forward(x, geo.kernel, geo.stride, geo.padding, geo.dilation, geo.out)
    _close(out, want)  # -inf, as PyTorch's
    winners = kpool.Winners(x.shape[2:], tap=tap, geo=geo)
    np.testing.assert_array_equal(winners.indices(), idx)
    _close(kpool.scatter_to_planes(np.ones((1, 1, 1, 1)), winners), np.zeros_like(x))


@FEW
@given(pool_cases(dilated=False), st.booleans(), st.sampled_from([None, 3]))
def test_avg_pool_kernels_match_their_twins(case, count_include_pad, divisor):
    x, g, geo = case
    (kh, kw), (sh, sw), (ph, pw), _, (oh, ow) = geo
    h, w = x.shape[2:]
    a = kpool.avg_axis_matrix(h, kh, sh, ph, oh, count_include_pad, np, x.dtype)
    b = kpool.avg_axis_matrix(w, kw, sw, pw, ow, count_include_pad, np, x.dtype)
    if divisor is not None:  # as avg_pool2d builds them: window sums, one divisor
        a, b = (a != 0).astype(x.dtype) / divisor, (b != 0).astype(x.dtype)
    args = (geo.kernel, geo.stride, geo.padding)
    _close(kpool.separable_apply(x, a, b),
           ref.avg_pool_forward(x, *args, geo.out, count_include_pad, divisor))
    _close(kpool.separable_apply(g, a.T, b.T),
           ref.avg_pool_backward(g, x.shape, *args, count_include_pad, divisor))


@FEW
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
       st.integers(0, 2**32 - 1))
def test_avg_pool_block_path_matches_its_twin(kh, kw, oh, ow, seed):
    rng = np.random.default_rng(seed)
    x, g = rng.standard_normal((2, 2, kh * oh, kw * ow)), rng.standard_normal((2, 2, oh, ow))
    scale = 1.0 / (kh * kw)
    _close(kpool.block_sum(x, kh, kw, scale), ref.avg_pool_forward(x, (kh, kw), (kh, kw), (0, 0), (oh, ow)))
    _close(kpool.block_spread(g, kh, kw, scale),
           ref.avg_pool_backward(g, x.shape, (kh, kw), (kh, kw), (0, 0)))


@FEW
@given(st.integers(1, 7), st.integers(1, 7), st.integers(1, 4), st.integers(1, 4),
       st.booleans(), st.integers(0, 2**32 - 1))
def test_adaptive_pool_kernels_match_their_twins(h, w, oh, ow, ties, seed):
    rng = np.random.default_rng(seed)
    shape = (2, 2, h, w)
    x = rng.integers(-2, 3, shape).astype(np.float64) if ties else rng.standard_normal(shape)
    g = rng.standard_normal((2, 2, oh, ow))
    idx = kpool.adaptive_max_indices(x, oh, ow)
    want, want_idx = ref.adaptive_max_pool_forward(x, (oh, ow))
    np.testing.assert_array_equal(idx, want_idx)
    winners = kpool.Winners((h, w), indices=idx)
    _close(kpool.gather_from_planes(x, winners), want)
    _close(kpool.scatter_to_planes(g, winners), ref.max_pool_backward(g, want_idx, x.shape))
    mats = []
    for size, out in ((h, oh), (w, ow)):  # as adaptive_avg_pool2d builds them
        lo, hi = kpool.adaptive_bounds(size, out)
        mats.append(kpool.window_matrix(lo, hi, size, [e - s for s, e in zip(lo, hi)], np, x.dtype))
    a, b = mats
    _close(kpool.separable_apply(x, a, b), ref.adaptive_avg_pool_forward(x, (oh, ow)))
    _close(kpool.separable_apply(g, a.T, b.T), ref.adaptive_avg_pool_backward(g, x.shape))


# ---------------------------------------------------------------------------------------
# Cross-entropy
# ---------------------------------------------------------------------------------------
@FEW
@given(st.integers(1, 4), st.integers(1, 5), st.sampled_from([(), (3,), (2, 2)]),
       st.booleans(), st.integers(0, 2**32 - 1))
def test_cross_entropy_kernels_match_their_twins(n, c, rest, ignore, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, *rest)) * 10  # large logits: the max shift matters
    target = rng.integers(0, c, (n, *rest))
    ignore_index = -100
    if ignore:
        target.flat[0] = ignore_index
    loss, soft, t, valid = kce.cross_entropy_forward(x, target, ignore_index)
    _close(loss * valid, ref.cross_entropy_forward(x, target, ignore_index))
    v = rng.standard_normal(target.shape) * valid
    _close(kce.cross_entropy_grad(soft, t, v), ref.cross_entropy_grad(x, target, v, ignore_index))


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 2)])
def test_cross_entropy_twin_is_minus_log_softmax_at_target(shape):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    t = rng.integers(0, shape[1], (shape[0], *shape[2:]))
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    want = -np.take_along_axis(logp, t[:, None], 1)[:, 0]
    _close(ref.cross_entropy_forward(x, t, -100), want)


@settings(max_examples=30, deadline=None)
@given(size=st.sampled_from([0, 1, 4095, 4096, 16384, 16385, 3 * 4096 + 7, 40000]),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16),
       strided=st.booleans())
def test_relu_kernel_matches_its_twin_bit_for_bit(size, dtype, seed, strided):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(2 * size).astype(dtype)
    x[rng.integers(0, 2 * size, size=min(6, 2 * size))] = [np.nan, np.inf, -np.inf, -0.0, 0.0,
                                                           -np.nan][:min(6, 2 * size)]
    x = x[::2] if strided else x[:size]  # a non-contiguous input too
    x = x.reshape(-1, 1) if size % 2 else x.reshape(2, -1) if size else x
    got, want = krelu.relu(x), ref.relu(x)
    assert got.shape == x.shape and got.dtype == x.dtype
    np.testing.assert_array_equal(got.view(np.uint8), np.asarray(want).view(np.uint8))
