"""conv2d and pooling against torch.nn.functional: values, gradients, second derivatives, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import minitorch
from minitorch.kernels import conv as kconv
from minitorch.kernels.reference import conv2d_naive
from minitorch.ops import conv as mconv
from minitorch.ops import pool as mpool

RNG = np.random.default_rng(1234)
TOL = {np.float64: {"rtol": 1e-10, "atol": 1e-10}, np.float32: {"rtol": 1e-5, "atol": 1e-5}}


def _arr(shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


def _pair_up(arrays, needs_grad):
    """The same arrays as minitorch and torch leaves."""
    ours = [
        minitorch.tensor(a, requires_grad=g) if a is not None else None
        for a, g in zip(arrays, needs_grad)
    ]
    theirs = [
        torch.tensor(a, requires_grad=g) if a is not None else None
        for a, g in zip(arrays, needs_grad)
    ]
    return ours, theirs


def _check_fwd_bwd(our_fn, torch_fn, arrays, dtype, needs_grad=None):
    """Compare outputs, then gradients for a random upstream gradient."""
    needs_grad = needs_grad or [a is not None for a in arrays]
    ours, theirs = _pair_up(arrays, needs_grad)
    y, ty = our_fn(*ours), torch_fn(*theirs)
    assert tuple(y.shape) == tuple(ty.shape)
    assert y.dtype == minitorch.float64 if dtype == np.float64 else y.dtype == minitorch.float32
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), **TOL[dtype])
    up = _arr(ty.shape, dtype)
    y.backward(minitorch.tensor(up))
    ty.backward(torch.tensor(up))
    for a, ta in zip(ours, theirs):
        if a is not None and a.requires_grad:
            assert a.grad.dtype == a.dtype
            np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), **TOL[dtype])


# ---------------------------------------------------------------------------------------
# conv2d
# ---------------------------------------------------------------------------------------
# (input shape, weight shape, bias, stride, padding, dilation, groups)
CONV_CASES = [
    ((2, 3, 7, 8), (4, 3, 3, 3), True, 1, 0, 1, 1),
    ((2, 3, 7, 8), (4, 3, 3, 2), False, 1, 1, 1, 1),
    ((2, 4, 9, 8), (6, 2, 3, 3), True, (2, 3), (1, 2), (2, 1), 2),
    ((1, 6, 10, 11), (6, 1, 2, 3), True, (3, 2), 2, (1, 2), 6),  # depthwise
    ((3, 2, 6, 6), (5, 2, 1, 1), True, 1, 0, 1, 1),  # 1x1
    ((2, 3, 6, 7), (4, 3, 4, 3), True, 1, "same", 1, 1),  # even kernel: asymmetric 'same'
    ((2, 4, 8, 8), (4, 2, 3, 2), False, 1, "same", (2, 3), 2),
    ((2, 3, 6, 7), (2, 3, 3, 3), True, 1, "valid", 1, 1),
    ((3, 7, 7), (4, 3, 3, 3), True, 2, 1, 1, 1),  # unbatched
    ((2, 1, 12, 12), (3, 1, 5, 5), True, 2, 2, 1, 1),
    ((2, 3, 5, 5), (2, 3, 5, 5), True, 1, 0, 1, 1),  # kernel = input
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's note on even kernels
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_matches_torch(case, dtype):
    xs, ws, bias, stride, padding, dilation, groups = case
    arrays = [_arr(xs, dtype), _arr(ws, dtype), _arr(ws[0], dtype) if bias else None]
    kw = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    _check_fwd_bwd(
        lambda x, w, b: mconv.conv2d(x, w, b, **kw),
        lambda x, w, b: F.conv2d(x, w, b, **kw),
        arrays,
        dtype,
    )


@pytest.mark.parametrize("needs_grad", [[True, False, False], [False, True, True]])
def test_conv2d_partial_grads(needs_grad):
    x, w, b = _arr((2, 3, 6, 6)), _arr((4, 3, 3, 3)), _arr(4)
    _check_fwd_bwd(
        lambda *t: mconv.conv2d(*t, padding=1),
        lambda *t: F.conv2d(*t, padding=1),
        [x, w, b],
        np.float64,
        needs_grad=needs_grad,
    )


def test_conv2d_backward_twice_with_retain_graph():
    """The im2col columns cached for the weight gradient survive retain_graph=True."""
    x, w = (
        minitorch.tensor(_arr((2, 3, 6, 6))),
        minitorch.tensor(_arr((4, 3, 3, 3)), requires_grad=True),
    )
    y = mconv.conv2d(x, w, padding=1)
    assert y.grad_fn.name() == "ConvolutionBackward0"
    up = minitorch.tensor(_arr(tuple(y.shape)))
    y.backward(up, retain_graph=True)
    first = w.grad.detach().numpy().copy()
    y.backward(up)
    np.testing.assert_allclose(w.grad.detach().numpy(), 2 * first, rtol=1e-12)


@pytest.mark.parametrize(
    "stride,padding,dilation,groups", [((1, 1), (0, 0), (1, 1), 1), ((2, 1), (1, 2), (1, 2), 2)]
)
def test_conv2d_matches_naive_reference(stride, padding, dilation, groups):
    x, w, b = _arr((2, 4, 7, 6)), _arr((4, 4 // groups, 3, 2)), _arr(4)
    naive = conv2d_naive(x, w, b, stride, padding, dilation, groups)
    fast = mconv.conv2d(
        minitorch.tensor(x),
        minitorch.tensor(w),
        minitorch.tensor(b),
        stride,
        padding,
        dilation,
        groups,
    )
    np.testing.assert_allclose(fast.numpy(), naive, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "stride,padding,dilation,groups", [(1, 1, 1, 1), ((2, 1), (1, 0), (1, 2), 2)]
)
def test_conv2d_second_derivatives_match_torch(stride, padding, dilation, groups):
    """Differentiate (grad_x, grad_w) again, w.r.t. input, weight and the upstream grad."""
    kw = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    x, w, b = _arr((2, 4, 6, 7)), _arr((4, 4 // groups, 3, 2)), _arr(4)
    (mx, mw, mb), (tx, tw, tb) = _pair_up([x, w, b], [True, True, True])
    ty = F.conv2d(tx, tw, tb, **kw)
    up = _arr(ty.shape)
    r_x, r_w = _arr(x.shape), _arr(w.shape)
    mg = minitorch.tensor(up, requires_grad=True)
    tg = torch.tensor(up, requires_grad=True)

    my = mconv.conv2d(mx, mw, mb, **kw)
    mgx, mgw = minitorch.autograd.grad(my, (mx, mw), mg, create_graph=True)
    tgx, tgw = torch.autograd.grad(ty, (tx, tw), tg, create_graph=True)
    np.testing.assert_allclose(mgx.detach().numpy(), tgx.detach().numpy(), **TOL[np.float64])
    ((mgx * minitorch.tensor(r_x)).sum() + (mgw * mgw * minitorch.tensor(r_w)).sum()).backward()
    ((tgx * torch.tensor(r_x)).sum() + (tgw * tgw * torch.tensor(r_w)).sum()).backward()
    for ours, theirs in ((mx, tx), (mw, tw), (mg, tg)):
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), **TOL[np.float64])


def test_conv2d_third_derivative_matches_torch():
    """Every gradient Function's own backward runs once we differentiate three times."""
    x, w = _arr((1, 2, 5, 5)), _arr((2, 1, 3, 2))
    (mx, mw), (tx, tw) = _pair_up([x, w], [True, True])

    def third(lib, xx, ww, conv):
        y = conv(xx, ww, stride=(2, 1), padding=1, groups=2)
        gx, gw = lib.autograd.grad((y * y * y).sum(), (xx, ww), create_graph=True)
        hx, hw = lib.autograd.grad((gx * gx).sum() + (gw * gw).sum(), (xx, ww), create_graph=True)
        return lib.autograd.grad((hx * hx).sum() + (hw * hw).sum(), (xx, ww))

    ours = third(minitorch, mx, mw, mconv.conv2d)
    theirs = third(torch, tx, tw, F.conv2d)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "xs,ws,bs,kw,match",
    [
        ((1, 4, 5, 5), (2, 3, 3, 3), None, {}, r"expected input\[1, 4, 5, 5\] to have 3 channels"),
        (
            (1, 4, 5, 5),
            (2, 4, 7, 7),
            None,
            {},
            r"Kernel size can't be greater than actual input size",
        ),
        ((1, 4, 5, 5), (3, 2, 3, 3), None, {"groups": 2}, "expected weight to be divisible by 2"),
        ((1, 4, 5, 5), (2, 2, 3, 3), None, {"groups": 3}, "expected weight to be at least 3"),
        ((5, 5), (2, 4, 3, 3), None, {}, r"Expected 3D \(unbatched\) or 4D \(batched\) input"),
        ((1, 4, 5, 5), (2, 4, 3, 3), (3,), {}, "expected bias to be 1-dimensional with 2 elements"),
        (
            (1, 4, 5, 5),
            (2, 4, 3, 3),
            None,
            {"stride": 2, "padding": "same"},
            "not supported for strided",
        ),
        ((1, 4, 5, 5), (2, 4, 3, 3), None, {"padding": "full"}, "Invalid padding string: 'full'"),
        ((1, 4, 5, 5), (2, 4, 3, 3), None, {"stride": 0}, "non-positive stride"),
        ((1, 4, 5, 5), (2, 4, 3, 3), None, {"padding": -1}, "negative padding"),
    ],
)
def test_conv2d_errors_like_torch(xs, ws, bs, kw, match):
    x, w = minitorch.tensor(_arr(xs)), minitorch.tensor(_arr(ws))
    b = minitorch.tensor(_arr(bs)) if bs else None
    with pytest.raises(RuntimeError, match=match):
        mconv.conv2d(x, w, b, **kw)
    with pytest.raises(RuntimeError):  # and torch agrees that it is an error
        F.conv2d(
            torch.tensor(_arr(xs)),
            torch.tensor(_arr(ws)),
            torch.tensor(_arr(bs)) if bs else None,
            **kw,
        )


def test_conv2d_dtype_mismatch():
    with pytest.raises(RuntimeError, match="should be the same"):
        mconv.conv2d(
            minitorch.tensor(_arr((1, 2, 4, 4))), minitorch.tensor(_arr((1, 2, 3, 3), np.float32))
        )


@pytest.mark.parametrize("batch_last", [False, True])
def test_conv2d_raw_kernels_on_asymmetric_padding(batch_last):
    """The array kernels in both layouts, with (top, bottom, left, right) padding."""
    x, w = _arr((2, 4, 9, 8)), _arr((6, 2, 3, 3))
    geo = kconv.ConvGeometry((2, 3), (1, 2, 0, 1), (2, 1), 2, batch_last)
    out, cols = kconv.conv_forward(x, w, geo)
    tx = F.pad(torch.tensor(x), (0, 1, 1, 2))
    ref = F.conv2d(tx, torch.tensor(w), stride=(2, 3), dilation=(2, 1), groups=2)
    np.testing.assert_allclose(out, ref.numpy(), rtol=1e-12, atol=1e-12)
    g = _arr(ref.shape)
    gx = kconv.conv_input_grad(g, w, x.shape, geo)
    gw = kconv.conv_weight_grad(x, g, w.shape, geo, cols)
    ttx, ttw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    F.conv2d(F.pad(ttx, (0, 1, 1, 2)), ttw, stride=(2, 3), dilation=(2, 1), groups=2).backward(
        torch.tensor(g)
    )
    np.testing.assert_allclose(gx, ttx.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gw, ttw.grad.numpy(), rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------------------
# max pooling
# ---------------------------------------------------------------------------------------
# (input shape, kernel, stride, padding, dilation, ceil_mode)
MAX_CASES = [
    ((2, 3, 8, 8), 2, None, 0, 1, False),
    ((2, 3, 9, 7), (3, 2), (2, 1), 1, (1, 2), True),
    ((2, 3, 10, 10), 3, 3, (1, 0), (2, 1), True),
    ((1, 2, 5, 5), 3, 2, 1, 1, True),
    ((2, 2, 7, 6), 3, 2, 1, 1, False),  # overlapping windows: gradients add up
    ((3, 6, 6), 2, 2, 1, 1, False),  # unbatched
    ((2, 3, 6, 6), (1, 3), (1, 2), (0, 1), 1, False),
    # disjoint windows (the reshape / one-write-per-tap path): leftover rows and columns,
    # stride larger than the kernel, ceil_mode's partial last window, padding, dilation
    ((2, 3, 9, 7), 2, 2, 0, 1, False),
    ((2, 3, 9, 9), 2, 3, 0, 1, False),
    ((2, 3, 7, 7), 2, 2, 0, 1, True),
    ((2, 2, 8, 9), (2, 3), (2, 3), (1, 1), 1, False),
    ((2, 2, 9, 9), 2, 3, 0, 2, False),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", MAX_CASES)
def test_max_pool2d_matches_torch(case, dtype):
    shape, k, s, p, d, ceil = case
    x = _arr(shape, dtype)
    x.reshape(-1)[:4] = x.reshape(-1)[0]  # ties: the first maximum must win
    args = (k, s, p, d, ceil)
    _check_fwd_bwd(
        lambda a: mpool.max_pool2d(a, *args),
        lambda a: F.max_pool2d(a, *args),
        [x],
        dtype,
    )
    _, idx = mpool.max_pool2d(minitorch.tensor(x), *args, return_indices=True)
    _, tidx = F.max_pool2d(torch.tensor(x), *args, return_indices=True)
    assert idx.dtype == minitorch.int64
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())


@pytest.mark.parametrize("args", [(2,), (2, 2, 1), (3, 3, 0, 1, True), (2, 3)])
def test_max_pool2d_disjoint_windows_full_of_ties_like_torch(args):
    # After a ReLU whole windows are zero: the gradient goes to the first one, once.
    x = np.maximum(np.round(_arr((2, 3, 8, 8)) * 2) / 2, 0)
    up = _arr(F.max_pool2d(torch.tensor(x), *args).shape)
    (mx,), (tx,) = _pair_up([x], [True])
    mg, tg = minitorch.tensor(up, requires_grad=True), torch.tensor(up, requires_grad=True)
    (mgx,) = minitorch.autograd.grad(mpool.max_pool2d(mx, *args), (mx,), mg, create_graph=True)
    (tgx,) = torch.autograd.grad(F.max_pool2d(tx, *args), (tx,), tg, create_graph=True)
    np.testing.assert_array_equal(mgx.detach().numpy(), tgx.detach().numpy())
    r = _arr(x.shape)
    (mgx * minitorch.tensor(r)).sum().backward()
    (tgx * torch.tensor(r)).sum().backward()
    np.testing.assert_array_equal(mg.grad.numpy(), tg.grad.numpy())


def test_pool_grad_fn_names_like_torch():
    x = minitorch.tensor(_arr((1, 2, 4, 4)), requires_grad=True)
    assert mpool.max_pool2d(x, 2).grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert mpool.avg_pool2d(x, 2).grad_fn.name() == "AvgPool2DBackward0"
    assert mpool.adaptive_avg_pool2d(x, 1).grad_fn.name() == "AdaptiveAvgPool2DBackward0"
    assert mpool.adaptive_max_pool2d(x, 1).grad_fn.name() == "AdaptiveMaxPool2DBackward0"


def test_max_pool2d_nan_and_all_minus_inf_windows_like_torch():
    x = _arr((1, 2, 6, 6))
    x[0, 0, 0, 1] = np.nan
    x[0, 1, :2, :2] = -np.inf
    out, idx = mpool.max_pool2d(minitorch.tensor(x), 2, 2, 1, return_indices=True)
    tout, tidx = F.max_pool2d(torch.tensor(x), 2, 2, 1, return_indices=True)
    np.testing.assert_array_equal(out.numpy(), tout.numpy())
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())


def test_max_pool2d_second_derivative_matches_torch():
    x = _arr((2, 2, 7, 6))
    (mx,), (tx,) = _pair_up([x], [True])
    up = _arr((2, 2, 4, 3))
    r = _arr(x.shape)
    mg, tg = minitorch.tensor(up, requires_grad=True), torch.tensor(up, requires_grad=True)
    (mgx,) = minitorch.autograd.grad(mpool.max_pool2d(mx, 3, 2, 1), (mx,), mg, create_graph=True)
    (tgx,) = torch.autograd.grad(F.max_pool2d(tx, 3, 2, 1), (tx,), tg, create_graph=True)
    (mgx * mgx * minitorch.tensor(r)).sum().backward()
    (tgx * tgx * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(mg.grad.numpy(), tg.grad.numpy(), rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------------------------------
# average pooling
# ---------------------------------------------------------------------------------------
# (input shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
AVG_CASES = [
    ((2, 3, 8, 8), 2, None, 0, False, True, None),
    ((2, 3, 9, 7), (3, 2), (2, 1), 1, True, True, None),
    ((2, 3, 9, 7), (3, 2), (2, 1), 1, True, False, None),
    ((2, 3, 9, 7), 3, 2, 1, True, False, 5),
    ((2, 3, 10, 9), (2, 3), 3, (1, 1), False, False, None),
    ((3, 6, 5), 2, 1, 1, False, True, None),  # unbatched
    # windows tiling the input: the reshape fast path (block sums)
    ((2, 3, 8, 9), (2, 3), None, 0, False, True, None),
    ((2, 3, 8, 8), 4, 4, 0, True, False, 3),
    ((3, 6, 4), (3, 1), None, 0, False, True, None),  # unbatched
    ((2, 2, 5, 5), 1, None, 0, False, True, None),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", AVG_CASES)
def test_avg_pool2d_matches_torch(case, dtype):
    shape, *args = case
    _check_fwd_bwd(
        lambda a: mpool.avg_pool2d(a, *args),
        lambda a: F.avg_pool2d(a, *args),
        [_arr(shape, dtype)],
        dtype,
    )


@pytest.mark.parametrize("out", [1, 3, (2, 5), (None, 2), (7, 4), (10, 9)])
def test_adaptive_avg_pool2d_matches_torch(out):
    _check_fwd_bwd(
        lambda a: mpool.adaptive_avg_pool2d(a, out),
        lambda a: F.adaptive_avg_pool2d(a, out),
        [_arr((2, 3, 7, 9))],
        np.float64,
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("out", [1, 2, 4, (8, 2), (2, 8), 8])
def test_adaptive_avg_pool2d_tiling_blocks_matches_torch(out, dtype):
    """Output sizes dividing the input's: the windows are blocks (forward by block sums
    up to 2x2 blocks, else by the two products; backward spread by repeats or, from 4
    columns a block, by one broadcast copy)."""
    _check_fwd_bwd(
        lambda a: mpool.adaptive_avg_pool2d(a, out),
        lambda a: F.adaptive_avg_pool2d(a, out),
        [_arr((2, 3, 8, 8), dtype)],
        dtype,
    )


@pytest.mark.parametrize("kh,kw", [(1, 4), (8, 8), (2, 5), (3, 7)])
def test_block_spread_broadcast_is_the_repeats(kh, kw):
    """From 4 columns a block block_spread copies one broadcast view: the same values as
    its two repeats, bit for bit."""
    from minitorch.kernels import pool as kpool

    g = np.random.default_rng(0).standard_normal((2, 3, 4, 5)).astype(np.float32)
    expected = np.repeat(np.repeat(g * np.float32(0.25), kh, axis=2), kw, axis=3)
    got = kpool.block_spread(g, kh, kw, np.float32(0.25))
    assert got.flags.c_contiguous
    np.testing.assert_array_equal(got, expected)


def test_adaptive_avg_pool2d_unbatched_float32():
    _check_fwd_bwd(
        lambda a: mpool.adaptive_avg_pool2d(a, (3, 2)),
        lambda a: F.adaptive_avg_pool2d(a, (3, 2)),
        [_arr((4, 8, 5), np.float32)],
        np.float32,
    )


@pytest.mark.parametrize("out", [1, (3, 4), (5, 2)])
def test_adaptive_max_pool2d_matches_torch(out):
    x = _arr((2, 3, 7, 9))
    _check_fwd_bwd(
        lambda a: mpool.adaptive_max_pool2d(a, out),
        lambda a: F.adaptive_max_pool2d(a, out),
        [x],
        np.float64,
    )
    _, idx = mpool.adaptive_max_pool2d(minitorch.tensor(x), out, return_indices=True)
    _, tidx = F.adaptive_max_pool2d(torch.tensor(x), out, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())


def test_avg_pool2d_fast_path_is_taken_and_its_second_derivative_matches_torch():
    x, up, r = _arr((2, 2, 6, 9)), _arr((2, 2, 3, 3)), _arr((2, 2, 6, 9))
    (mx,), (tx,) = _pair_up([x], [True])
    out = mpool.avg_pool2d(mx, (2, 3))
    assert out.grad_fn.blocks == (2, 3, 1 / 6)  # the reshape fast path was taken
    mg, tg = minitorch.tensor(up, requires_grad=True), torch.tensor(up, requires_grad=True)
    (mgx,) = minitorch.autograd.grad(out, (mx,), mg, create_graph=True)
    (tgx,) = torch.autograd.grad(F.avg_pool2d(tx, (2, 3)), (tx,), tg, create_graph=True)
    np.testing.assert_allclose(mgx.detach().numpy(), tgx.detach().numpy(), rtol=1e-12)
    (mgx * mgx * minitorch.tensor(r)).sum().backward()
    (tgx * tgx * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(mg.grad.numpy(), tg.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_avg_pool2d_second_derivative_matches_torch():
    """avg pooling is linear: d(grad)/d(upstream) is avg pooling again."""
    x, up, r = _arr((2, 2, 7, 6)), _arr((2, 2, 4, 4)), _arr((2, 2, 7, 6))
    (mx,), (tx,) = _pair_up([x], [True])
    mg, tg = minitorch.tensor(up, requires_grad=True), torch.tensor(up, requires_grad=True)
    (mgx,) = minitorch.autograd.grad(
        mpool.avg_pool2d(mx, 3, 2, 1, True, False), (mx,), mg, create_graph=True
    )
    (tgx,) = torch.autograd.grad(
        F.avg_pool2d(tx, 3, 2, 1, True, False), (tx,), tg, create_graph=True
    )
    (mgx * mgx * minitorch.tensor(r)).sum().backward()
    (tgx * tgx * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(mg.grad.numpy(), tg.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    "fn,args,match",
    [
        (mpool.max_pool2d, (3, 1, 2), "pad should be at most half"),
        (mpool.max_pool2d, (7,), "Output size is too small"),
        (mpool.max_pool2d, (2, 0), "stride should not be zero"),
        (mpool.max_pool2d, (2, 2, 0, 0), "dilation should be greater than zero"),
        (mpool.max_pool2d, ((2, 2, 2),), "kernel_size must either be a single int"),
        (mpool.avg_pool2d, (3, 1, 2), "pad should be at most half"),
        (mpool.avg_pool2d, (7,), "Output size is too small"),
        (mpool.avg_pool2d, (2, 2, 0, False, True, 0), "divisor must be not zero"),
        (mpool.adaptive_avg_pool2d, ((1, 2, 3),), "output_size must be 2"),
    ],
)
def test_pool_errors(fn, args, match):
    with pytest.raises(RuntimeError, match=match):
        fn(minitorch.tensor(_arr((1, 4, 5, 5))), *args)


@pytest.mark.parametrize(
    "fn", [mpool.max_pool2d, mpool.avg_pool2d, mpool.adaptive_avg_pool2d, mpool.adaptive_max_pool2d]
)
def test_pool_rejects_2d_input(fn):
    with pytest.raises(RuntimeError, match=r"3D or 4D"):
        fn(minitorch.tensor(_arr((5, 5))), 2)


@pytest.mark.cuda
@pytest.mark.skipif(not minitorch.cuda.is_available(), reason="needs CUDA")
def test_conv_and_pooling_on_cuda_match_cpu():
    x, w, b = _arr((2, 3, 9, 9)), _arr((4, 3, 3, 3)), _arr(4)
    results = []
    for device in ("cpu", "cuda"):
        mx, mw, mb = (minitorch.tensor(a, device=device, requires_grad=True) for a in (x, w, b))
        h = mpool.max_pool2d(mconv.conv2d(mx, mw, mb, padding=1), 3, 2, 1)
        y = mpool.avg_pool2d(h, 2, ceil_mode=True) + mpool.adaptive_avg_pool2d(h, 1)
        (y * y).sum().backward()
        results.append([t.detach().cpu().numpy() for t in (y, mx.grad, mw.grad, mb.grad)])
    for cpu, gpu in zip(*results):
        np.testing.assert_allclose(gpu, cpu, rtol=1e-10, atol=1e-10)


def test_integer_inputs():
    """max pooling works on integers (like torch); the average pools are float-only."""
    x = RNG.integers(-50, 50, size=(1, 2, 5, 5))
    out, idx = mpool.max_pool2d(minitorch.tensor(x), 2, 2, 1, return_indices=True)
    tout, tidx = F.max_pool2d(torch.tensor(x), 2, 2, 1, return_indices=True)
    assert out.dtype == minitorch.int64
    np.testing.assert_array_equal(out.numpy(), tout.numpy())
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    with pytest.raises(RuntimeError, match="avg_pool2d\" not implemented for 'Long'"):
        mpool.avg_pool2d(minitorch.tensor(x), 2)


def test_non_contiguous_inputs():
    """Transposed (strided) inputs and weights give the same results as contiguous ones."""
    x, w = _arr((2, 3, 8, 7)), _arr((4, 3, 3, 3))
    mx = minitorch.tensor(x.transpose(0, 1, 3, 2).copy()).transpose(2, 3)
    mw = minitorch.tensor(w.transpose(1, 0, 2, 3).copy()).transpose(0, 1)
    y = mpool.max_pool2d(mconv.conv2d(mx, mw, padding=1), 2) + mpool.avg_pool2d(mx, 2)[:, :1]
    ty = F.max_pool2d(F.conv2d(torch.tensor(x), torch.tensor(w), padding=1), 2)
    ty = ty + F.avg_pool2d(torch.tensor(x), 2)[:, :1]
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    "shape, axes",
    [((50, 16, 14, 14), (1, 2, 3, 0)), ((32, 14, 14, 50), (3, 0, 1, 2)), ((300, 700), (1, 0)),
     ((20, 32, 32, 40), (1, 2, 3, 0))],  # large rows going innermost: 8 a slab, last one short
)
def test_permuted_copy_slab_by_slab_equals_transpose(shape, axes):
    from minitorch.kernels.copies import _SLAB_BYTES, permuted_copy

    x = _arr(shape)
    assert x.nbytes > 2 * _SLAB_BYTES  # large enough to be copied in several slabs
    np.testing.assert_array_equal(permuted_copy(x, axes), x.transpose(axes))
    # into a strided destination (the interior of a padded array), from a strided source
    big = np.zeros(tuple(x.shape[a] + 2 for a in axes))
    inner = tuple(slice(1, -1) for _ in axes)
    permuted_copy(x[::-1], axes, out=big[inner])
    np.testing.assert_array_equal(big[inner], x[::-1].transpose(axes))
    assert big.sum() == pytest.approx(x.sum())


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.int64])
@pytest.mark.parametrize("rows, cols", [(300, 700), (1, 5), (5, 1), (0, 3), (37, 1030)])
def test_transpose_into_equals_numpy_transpose(dtype, rows, cols):
    """``transpose_into`` (OpenBLAS's somatcopy for float32, NumPy otherwise)
    gives exactly ``src.T``: contiguous, from a source with a longer row stride, into the
    interior of a padded destination (nothing outside it written), and split in bands."""
    from minitorch.kernels.copies import transpose_into

    rng = np.random.default_rng(0)
    src = rng.standard_normal((rows, cols + 3)) * 100
    if np.dtype(dtype).kind == "c":
        src = src + 1j * rng.standard_normal((rows, cols + 3))
    src = src.astype(dtype)
    for s in (np.ascontiguousarray(src[:, :cols]), src[:, 2:cols + 2]):
        out = np.empty((cols, rows), dtype=dtype)
        transpose_into(s, out)
        np.testing.assert_array_equal(out, s.T)
        big = np.full((cols + 2, rows + 4), 7, dtype=dtype)
        transpose_into(s, big[1:-1, 3:-1])
        np.testing.assert_array_equal(big[1:-1, 3:-1], s.T)
        assert (big[0] == 7).all() and (big[-1] == 7).all()
        assert (big[:, :3] == 7).all() and (big[:, -1] == 7).all()


def test_transpose_into_uses_openblas_where_numpy_has_it(monkeypatch):
    """With NumPy's OpenBLAS the float32 transposes run through somatcopy, checked once
    on a small matrix; its values are exact bit for bit (-0.0, inf, NaN), and a transpose
    split over threads is the same; float64 takes NumPy's copy."""
    from minitorch.kernels import copies, threads

    if threads._openblas() is None:
        pytest.skip("NumPy's BLAS is not OpenBLAS here: transpose_into uses NumPy's copy")
    fn = copies._somatcopy_function()
    assert fn is not None
    called = []
    monkeypatch.setattr(copies, "_somatcopy", lambda *a: called.append(a) or fn(*a))
    monkeypatch.setattr(threads, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(threads, "free_cores", lambda: 3)
    monkeypatch.setattr(threads, "_pool", None)
    for dtype in (np.float32, np.float64):
        src = np.random.default_rng(1).standard_normal((64, 33)).astype(dtype)
        src[0, :4] = [-0.0, np.inf, -np.inf, np.nan]
        out = np.empty((33, 64), dtype=dtype)
        copies.transpose_into(src, out)
        assert out.tobytes() == np.ascontiguousarray(src.T).tobytes()  # bit for bit
        if dtype == np.float32:  # split into bands (one per thread), each one call
            bands = len(called)
            assert bands >= 2 and bands == len({a[5] for a in called})
    assert len(called) == bands  # none for float64


@pytest.fixture
def split_everything(monkeypatch):
    """Make every copy, col2im and pooling job split over three threads, however small."""
    from minitorch.kernels import threads

    monkeypatch.setattr(threads, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(threads, "free_cores", lambda: 3)  # however busy the machine
    threads = minitorch.get_num_threads()
    minitorch.set_num_threads(3)  # an uneven split: parts of different sizes
    yield
    minitorch.set_num_threads(threads)


@pytest.mark.parametrize("batch", [1, 2, 5])
def test_threaded_conv_and_pool_match_torch(split_everything, batch):
    x, w = _arr((batch, 4, 9, 8)), _arr((6, 2, 3, 3))
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w)
    for bl in (False, True):  # both internal layouts, with groups, stride and dilation
        geo = kconv.ConvGeometry((2, 1), (1, 2, 0, 1), (1, 2), 2, bl)
        out, _ = kconv.conv_forward(x, w, geo)
        ref = F.conv2d(F.pad(tx, (0, 1, 1, 2)), tw, stride=(2, 1), dilation=(1, 2), groups=2)
        np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
        g = _arr(ref.shape)
        (tgx,) = torch.autograd.grad(ref, tx, torch.tensor(g))
        gx = kconv.conv_input_grad(g, w, x.shape, geo)
        np.testing.assert_allclose(gx, tgx.numpy(), rtol=1e-12, atol=1e-12)
    for args in [(2,), (3, 2, 1), (2, 3)]:
        x2 = np.maximum(np.round(x * 2) / 2, 0)
        x2[0, 0, 0, 0] = np.nan
        _check_fwd_bwd(lambda a, k=args: mpool.max_pool2d(a, *k),
                       lambda a, k=args: F.max_pool2d(a, *k), [x2], np.float64)


def test_set_num_threads_like_torch():
    before = minitorch.get_num_threads()
    assert before >= 1
    try:
        minitorch.set_num_threads(1)
        assert minitorch.get_num_threads() == 1
        for lib in (minitorch, torch):
            with pytest.raises(RuntimeError, match="set_num_threads expects a positive integer"):
                lib.set_num_threads(0)
    finally:
        minitorch.set_num_threads(before)


def test_split_work_covers_every_part_once_and_nests_without_deadlock(split_everything):
    import threading

    from minitorch.kernels.threads import split_work

    seen = np.zeros(10, dtype=int)

    def inner(part: slice) -> None:
        seen[part] += 1

    def outer(part: slice) -> None:  # a job that itself splits work (runs inline there)
        split_work(inner, 10, 1 << 30)

    done = threading.Event()

    def run() -> None:
        split_work(outer, 3, 1 << 30)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(10), "split_work deadlocked when nested"
    np.testing.assert_array_equal(seen, 3)  # 3 outer parts, each covering all 10 once
