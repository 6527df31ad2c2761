"""The layers tutorials reach for after the CNN, against torch: transposed and 1-D
convolution, 1-D pooling, group/instance norm, interpolate/Upsample, fold/unfold, PReLU,
Softmax2d and the distances. Values and gradients (random upstream gradient) in float64
and float32, second derivatives against torch's, gradcheck, the layers with copied
parameters, and the error messages."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minitorch
import minitorch.nn.functional as F
from minitorch import nn

torch.set_num_threads(1)  # tiny inputs: threads only add overhead
TOL = {np.float64: 1e-10, np.float32: 1e-5}
TDTYPE = {np.float64: torch.float64, np.float32: torch.float32}


def close(m, t, tol: float) -> None:
    assert tuple(m.shape) == tuple(t.shape)
    np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


def _pair(arrays, dtype):
    ms = [minitorch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    ts = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    return ms, ts


# (name, minitorch fn, torch fn, input shapes); each fn takes the inputs positionally.
def _both(name, *args, **kwargs):
    """``F.name(*inputs, *args, **kwargs)`` for both libraries."""
    return (lambda *x: getattr(F, name)(*x, *args, **kwargs),
            lambda *x: getattr(TF, name)(*x, *args, **kwargs))


CASES = [
    ("conv_t2d", *_both("conv_transpose2d"), [(2, 4, 5, 6), (4, 3, 3, 3), (3,)]),
    ("conv_t2d_stride_pad_outpad", *_both("conv_transpose2d", stride=2, padding=1,
                                          output_padding=1), [(2, 4, 5, 6), (4, 3, 3, 2), (3,)]),
    ("conv_t2d_groups_dil", *_both("conv_transpose2d", stride=(2, 3), padding=(1, 2),
                                   output_padding=(1, 2), groups=2, dilation=(1, 2)),
     [(2, 4, 5, 6), (4, 2, 3, 3), (4,)]),
    ("conv_t2d_outpad_below_dilation", *_both("conv_transpose2d", output_padding=(1, 2),
                                              dilation=3), [(1, 2, 4, 4), (2, 3, 2, 2), (3,)]),
    ("conv_t2d_depthwise", *_both("conv_transpose2d", stride=2, padding=1, groups=6),
     [(2, 6, 3, 3), (6, 1, 4, 4), (6,)]),
    ("conv_t2d_unbatched", *_both("conv_transpose2d", stride=2), [(3, 4, 4), (3, 2, 2, 2)]),
    ("conv1d", *_both("conv1d", stride=2, padding=1, dilation=2), [(2, 3, 9), (4, 3, 2), (4,)]),
    ("conv1d_groups_same", *_both("conv1d", padding="same", groups=2), [(2, 4, 7), (6, 2, 4)]),
    ("conv1d_unbatched", *_both("conv1d"), [(3, 9), (4, 3, 3)]),
    ("conv_t1d", *_both("conv_transpose1d", stride=2, padding=1, output_padding=1),
     [(2, 3, 7), (3, 4, 3), (4,)]),
    ("max_pool1d", *_both("max_pool1d", 3, 2, 1), [(2, 3, 9)]),
    ("max_pool1d_ceil_dil", *_both("max_pool1d", 2, 2, 0, 2, True), [(3, 10)]),
    ("avg_pool1d", *_both("avg_pool1d", 3, 2, 1, True, False), [(2, 3, 8)]),
    ("avg_pool1d_default", *_both("avg_pool1d", 2), [(2, 3, 8)]),
    ("group_norm", lambda x, w, b: F.group_norm(x, 2, w, b),
     lambda x, w, b: TF.group_norm(x, 2, w, b), [(2, 4, 3, 5), (4,), (4,)]),
    ("group_norm_1d_noaffine", *_both("group_norm", 3, eps=1e-3), [(3, 6, 4)]),
    ("instance_norm", lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
     lambda x, w, b: TF.instance_norm(x, weight=w, bias=b), [(2, 3, 4, 5), (3,), (3,)]),
    ("nearest_x2", *_both("interpolate", scale_factor=2), [(2, 3, 4, 5)]),
    ("nearest_size", *_both("interpolate", size=(7, 3)), [(2, 3, 4, 5)]),
    ("nearest_frac", *_both("interpolate", scale_factor=(1.7, 0.6)), [(2, 3, 5, 6)]),
    ("nearest_1d", *_both("interpolate", size=11), [(2, 3, 4)]),
    ("nearest_exact", *_both("interpolate", size=(7, 3), mode="nearest-exact"), [(2, 3, 4, 5)]),
    ("bilinear", *_both("interpolate", size=(7, 4), mode="bilinear"), [(2, 3, 4, 5)]),
    ("bilinear_align", *_both("interpolate", size=(7, 9), mode="bilinear", align_corners=True),
     [(2, 3, 4, 5)]),
    ("bilinear_scale", *_both("interpolate", scale_factor=1.5, mode="bilinear"), [(2, 3, 4, 5)]),
    ("bilinear_down", *_both("interpolate", scale_factor=0.6, mode="bilinear"), [(1, 2, 7, 9)]),
    ("bilinear_recompute", *_both("interpolate", scale_factor=1.3, mode="bilinear",
                                  recompute_scale_factor=True), [(1, 2, 7, 9)]),
    ("linear_1d", *_both("interpolate", scale_factor=2.3, mode="linear"), [(2, 3, 7)]),
    ("linear_1d_align", *_both("interpolate", size=4, mode="linear", align_corners=True),
     [(2, 3, 7)]),
    ("area", *_both("interpolate", size=(3, 2), mode="area"), [(2, 3, 7, 5)]),
    ("unfold", *_both("unfold", (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
     [(2, 3, 5, 6)]),
    ("unfold_unbatched", *_both("unfold", 2), [(3, 4, 4)]),
    ("fold", *_both("fold", (5, 6), (2, 3), padding=1, stride=2), [(2, 24, 9)]),
    ("fold_overlap_dil", *_both("fold", (4, 5), 2, dilation=(1, 2)), [(2, 8, 9)]),
    ("fold_unbatched", *_both("fold", 4, 2), [(12, 9)]),
    ("prelu_channels", *_both("prelu"), [(2, 4, 3, 3), (4,)]),
    ("prelu_shared", *_both("prelu"), [(2, 4, 3), (1,)]),
    ("cosine_similarity", *_both("cosine_similarity"), [(2, 4, 3), (2, 4, 3)]),
    ("cosine_similarity_bcast", *_both("cosine_similarity", dim=-1, eps=1e-6),
     [(2, 4, 3), (4, 3)]),
    ("pairwise_distance", *_both("pairwise_distance"), [(5, 4), (5, 4)]),
    ("pairwise_distance_p1_keep", *_both("pairwise_distance", 1.0, keepdim=True),
     [(2, 5, 4), (5, 4)]),
    ("pairwise_distance_p3", *_both("pairwise_distance", 3.0, 1e-3), [(5, 4), (5, 4)]),
]
IDS = [c[0] for c in CASES]


def _inputs(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,fm,ft,shapes", CASES, ids=IDS)
def test_function_matches_torch(name, fm, ft, shapes, dtype) -> None:
    """Values, then every input's gradient for a random upstream gradient."""
    tol = TOL[dtype]
    ms, ts = _pair(_inputs(shapes), dtype)
    out_m, out_t = fm(*ms), ft(*ts)
    assert out_m.dtype == (minitorch.float64 if dtype == np.float64 else minitorch.float32)
    close(out_m, out_t, tol)
    up = np.random.default_rng(1).standard_normal(tuple(out_t.shape)).astype(dtype)
    out_m.backward(minitorch.tensor(up))
    out_t.backward(torch.tensor(up))
    for m, t in zip(ms, ts):
        close(m.grad, t.grad, tol)


# Second derivatives: differentiate sum(g * r) for the first gradients g again, w.r.t. the
# inputs and the upstream gradient (where torch defines them; max pooling's and nearest
# interpolation's are piecewise linear, so they are checked too).
SECOND = ["conv_t2d_stride_pad_outpad", "conv_t2d_groups_dil", "conv_t2d_outpad_below_dilation",
          "conv1d", "conv_t1d", "max_pool1d", "avg_pool1d", "group_norm", "instance_norm",
          "nearest_frac", "bilinear", "bilinear_align", "linear_1d", "unfold", "fold",
          "prelu_channels", "cosine_similarity", "pairwise_distance", "pairwise_distance_p3"]


@pytest.mark.parametrize("name,fm,ft,shapes", [c for c in CASES if c[0] in SECOND],
                         ids=SECOND)
def test_second_derivatives_match_torch(name, fm, ft, shapes) -> None:
    arrays = _inputs(shapes, seed=2)
    ms, ts = _pair(arrays, np.float64)
    rng = np.random.default_rng(3)
    out_t = ft(*ts)
    up = rng.standard_normal(tuple(out_t.shape))
    mg = minitorch.tensor(up, requires_grad=True)
    tg = torch.tensor(up, requires_grad=True)
    gm = minitorch.autograd.grad(fm(*ms), ms, mg, create_graph=True)
    gt = torch.autograd.grad(out_t, ts, tg, create_graph=True)
    rs = [rng.standard_normal(a.shape) for a in arrays]
    loss_m = sum(((g * g) * minitorch.tensor(r)).sum() for g, r in zip(gm, rs))
    loss_t = sum(((g * g) * torch.tensor(r)).sum() for g, r in zip(gt, rs))
    wrt_m, wrt_t = [*ms, mg], [*ts, tg]
    dm = minitorch.autograd.grad(loss_m, wrt_m, allow_unused=True)
    dt = torch.autograd.grad(loss_t, wrt_t, allow_unused=True)
    for a, b in zip(dm, dt):
        if a is None or b is None:  # unused: None in one library, zeros (or None) in the other
            other = b if a is None else a
            assert other is None or not np.any(other.numpy())
        else:
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-9)


GRADCHECK = ["conv_t2d_groups_dil", "conv_t2d_outpad_below_dilation", "conv_t1d", "conv1d",
             "group_norm", "instance_norm", "bilinear_align", "bilinear_down", "fold",
             "unfold", "prelu_shared", "cosine_similarity_bcast", "pairwise_distance_p1_keep"]


@pytest.mark.parametrize("name,fm,ft,shapes", [c for c in CASES if c[0] in GRADCHECK],
                         ids=GRADCHECK)
def test_gradcheck(name, fm, ft, shapes) -> None:
    """Analytical gradients against central finite differences (float64)."""
    ms = [minitorch.tensor(a, requires_grad=True) for a in _inputs(shapes, seed=4)]
    assert minitorch.autograd.gradcheck(fm, tuple(ms), eps=1e-6, atol=1e-5)


def test_conv_transpose2d_is_the_input_gradient_of_conv2d() -> None:
    """conv_transpose2d(G, W) is d<conv2d(X, W), G>/dX, and its grad_fn runs conv2d."""
    rng = np.random.default_rng(5)
    x = minitorch.tensor(rng.standard_normal((2, 3, 7, 6)), requires_grad=True)
    w = minitorch.tensor(rng.standard_normal((4, 3, 3, 2)))
    y = F.conv2d(x, w, stride=2, padding=1)
    g = minitorch.tensor(rng.standard_normal(tuple(y.shape)), requires_grad=True)
    (gx,) = minitorch.autograd.grad(y, (x,), g)
    z = F.conv_transpose2d(g, w, stride=2, padding=1)
    np.testing.assert_allclose(z.detach().numpy(), gx.numpy(), rtol=1e-12, atol=1e-12)
    assert z.grad_fn.name() == "ConvolutionTransposeBackward0"


def test_conv_transpose2d_random_geometries_match_torch() -> None:
    """Forty drawn geometries (stride, padding, output_padding below stride or dilation,
    dilation, groups, kernel, sizes): values and all three gradients."""
    rng = np.random.default_rng(11)
    for _ in range(40):
        g = int(rng.choice([1, 2, 3]))
        cin, cout = g * int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
        k = tuple(int(v) for v in rng.integers(1, 4, 2))
        s = tuple(int(v) for v in rng.integers(1, 4, 2))
        d = tuple(int(v) for v in rng.integers(1, 3, 2))
        op = tuple(int(rng.integers(0, max(si, di))) for si, di in zip(s, d))
        p = tuple(int(rng.integers(0, 3)) for _ in range(2))
        hw = tuple(int(v) for v in rng.integers(2, 6, 2))
        shapes = [(2, cin, *hw), (cin, cout // g, *k), (cout,)]
        kw = {"stride": s, "padding": p, "output_padding": op, "groups": g, "dilation": d}
        sizes = [(n - 1) * si - 2 * pi + di * (ki - 1) + oi + 1
                 for n, si, pi, di, ki, oi in zip(hw, s, p, d, k, op)]
        if min(sizes) < 1:
            continue
        ms, ts = _pair([rng.standard_normal(sh) for sh in shapes], np.float64)
        out_m, out_t = F.conv_transpose2d(*ms, **kw), TF.conv_transpose2d(*ts, **kw)
        close(out_m, out_t, 1e-10)
        up = rng.standard_normal(tuple(out_t.shape))
        out_m.backward(minitorch.tensor(up))
        out_t.backward(torch.tensor(up))
        for m, t in zip(ms, ts):
            close(m.grad, t.grad, 1e-10)


def test_non_contiguous_inputs() -> None:
    """Transposed (non-contiguous) inputs give torch's values and gradients."""
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 3, 6, 5))
    w = rng.standard_normal((3, 2, 3, 3))
    for fm, ft in [
        (lambda a: F.conv_transpose2d(a, minitorch.tensor(w), stride=2),
         lambda a: TF.conv_transpose2d(a, torch.tensor(w), stride=2)),
        (lambda a: F.interpolate(a, scale_factor=1.5, mode="bilinear"),
         lambda a: TF.interpolate(a, scale_factor=1.5, mode="bilinear")),
        (lambda a: F.unfold(a, 2), lambda a: TF.unfold(a, 2)),
        (lambda a: F.group_norm(a, 3), lambda a: TF.group_norm(a, 3)),
    ]:
        (m,), (t,) = _pair([x], np.float64)
        out_m, out_t = fm(m.transpose(2, 3)), ft(t.transpose(2, 3))
        close(out_m, out_t, 1e-10)
        up = rng.standard_normal(tuple(out_t.shape))
        out_m.backward(minitorch.tensor(up))
        out_t.backward(torch.tensor(up))
        close(m.grad, t.grad, 1e-10)


@pytest.mark.parametrize("name", ["upsample", "upsample_nearest", "upsample_bilinear"])
def test_deprecated_upsample_functions_warn_and_match_torch(name) -> None:
    x = np.random.default_rng(13).standard_normal((1, 2, 3, 4))
    with pytest.warns(UserWarning, match=f"nn.functional.{name}` is deprecated"):
        ours = getattr(F, name)(minitorch.tensor(x), scale_factor=2)
    with pytest.warns(UserWarning):
        theirs = getattr(TF, name)(torch.tensor(x), scale_factor=2)
    close(ours, theirs, 1e-12)


def test_interpolate_keeps_a_nan_local_like_torch() -> None:
    x = np.random.default_rng(14).standard_normal((1, 1, 4, 4))
    x[0, 0, 1, 2] = np.nan
    for mode in ("nearest", "bilinear"):
        ours = F.interpolate(minitorch.tensor(x), size=(7, 9), mode=mode).numpy()
        theirs = TF.interpolate(torch.tensor(x), size=(7, 9), mode=mode).numpy()
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, equal_nan=True)


# ------------------------------------------------------------------------------ layers
def _compare_layer(tmod, mmod, shapes, dtype, steps: int = 1) -> None:
    """Copy torch's state into ours; compare outputs and input/parameter gradients."""
    tol = TOL[dtype]
    tmod.to(TDTYPE[dtype])
    mmod.to(minitorch.float64 if dtype == np.float64 else minitorch.float32)
    mmod.load_state_dict({k: minitorch.tensor(v.detach().numpy())
                          for k, v in tmod.state_dict().items()})
    rng = np.random.default_rng(6)
    for _ in range(steps):
        ms, ts = _pair([rng.standard_normal(s) for s in shapes], dtype)
        out_m, out_t = mmod(*ms), tmod(*ts)
        close(out_m, out_t, tol)
        up = rng.standard_normal(tuple(out_t.shape)).astype(dtype)
        out_m.backward(minitorch.tensor(up))
        out_t.backward(torch.tensor(up))
        for m, t in zip(ms, ts):
            close(m.grad, t.grad, tol)
        ours = dict(mmod.named_parameters())
        assert set(ours) == {n for n, _ in tmod.named_parameters()}
        for n, p in tmod.named_parameters():
            close(ours[n].grad, p.grad, tol)
        mmod.zero_grad()
        tmod.zero_grad()
    ours = dict(mmod.named_buffers())
    for n, b in tmod.named_buffers():
        close(ours[n], b, tol)


LAYERS = [
    ("ConvTranspose2d", lambda m: m.ConvTranspose2d(3, 4, 3, stride=2, padding=1,
                                                   output_padding=1), [(2, 3, 4, 5)]),
    ("ConvTranspose2d_groups_nobias", lambda m: m.ConvTranspose2d(4, 6, (2, 3), groups=2,
                                                                 bias=False), [(2, 4, 3, 3)]),
    ("ConvTranspose1d", lambda m: m.ConvTranspose1d(3, 2, 4, stride=2), [(2, 3, 5)]),
    ("Conv1d", lambda m: m.Conv1d(3, 4, 3, stride=2, padding=1), [(2, 3, 8)]),
    ("Conv1d_same_reflect", lambda m: m.Conv1d(2, 4, 4, padding="same", padding_mode="reflect"),
     [(2, 2, 8)]),
    ("Conv1d_circular", lambda m: m.Conv1d(2, 4, 3, padding=2, padding_mode="circular",
                                           bias=False), [(2, 2, 8)]),
    ("MaxPool1d", lambda m: m.MaxPool1d(3, 2, 1), [(2, 3, 8)]),
    ("AvgPool1d", lambda m: m.AvgPool1d(2), [(2, 3, 8)]),
    ("GroupNorm", lambda m: m.GroupNorm(2, 4), [(2, 4, 3, 3)]),
    ("GroupNorm_nobias", lambda m: m.GroupNorm(1, 4, bias=False), [(2, 4, 5)]),
    ("InstanceNorm2d", lambda m: m.InstanceNorm2d(3), [(2, 3, 4, 4)]),
    ("InstanceNorm2d_affine_unbatched", lambda m: m.InstanceNorm2d(3, affine=True),
     [(3, 4, 4)]),
    ("InstanceNorm1d_track", lambda m: m.InstanceNorm1d(3, track_running_stats=True),
     [(2, 3, 6)]),
    ("InstanceNorm1d_affine_nobias", lambda m: m.InstanceNorm1d(3, affine=True, bias=False),
     [(2, 3, 6)]),
    ("Upsample", lambda m: m.Upsample(scale_factor=2), [(2, 3, 3, 4)]),
    ("Upsample_bilinear", lambda m: m.Upsample(size=(5, 7), mode="bilinear"), [(2, 3, 3, 4)]),
    ("UpsamplingBilinear2d", lambda m: m.UpsamplingBilinear2d(scale_factor=2), [(1, 2, 3, 4)]),
    ("UpsamplingNearest2d", lambda m: m.UpsamplingNearest2d(size=5), [(1, 2, 3, 4)]),
    ("Unfold", lambda m: m.Unfold(2, padding=1), [(2, 3, 4, 4)]),
    ("Fold", lambda m: m.Fold((4, 4), 2), [(2, 12, 9)]),
    ("PReLU", lambda m: m.PReLU(), [(2, 3, 4)]),
    ("PReLU_channels", lambda m: m.PReLU(3, init=0.1), [(2, 3, 4, 4)]),
    ("Softmax2d", lambda m: m.Softmax2d(), [(2, 3, 4, 4)]),
    ("CosineSimilarity", lambda m: m.CosineSimilarity(dim=0), [(4, 3), (4, 3)]),
    ("PairwiseDistance", lambda m: m.PairwiseDistance(keepdim=True), [(4, 3), (4, 3)]),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,make,shapes", LAYERS, ids=[x[0] for x in LAYERS])
def test_layer_matches_torch(name, make, shapes, dtype) -> None:
    _compare_layer(make(torch.nn), make(nn), shapes, dtype, steps=2)


@pytest.mark.parametrize("make", [
    lambda m: m.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1, groups=1),
    lambda m: m.ConvTranspose2d(4, 6, (2, 3), groups=2, bias=False, dilation=2),
    lambda m: m.Conv1d(3, 4, 3, stride=2, padding=1, padding_mode="reflect"),
    lambda m: m.ConvTranspose1d(3, 2, 4, stride=2),
    lambda m: m.MaxPool1d(3, 2, 1),
    lambda m: m.AvgPool1d(2),
    lambda m: m.GroupNorm(2, 4),
    lambda m: m.InstanceNorm2d(3, affine=True, track_running_stats=True),
    lambda m: m.Upsample(scale_factor=2, mode="bilinear"),
    lambda m: m.Upsample(size=(3, 4)),
    lambda m: m.Unfold(2, padding=1),
    lambda m: m.Fold(4, 2),
    lambda m: m.PReLU(3),
    lambda m: m.Softmax2d(),
    lambda m: m.CosineSimilarity(),
    lambda m: m.PairwiseDistance(),
])
def test_repr_state_dict_and_init_like_torch(make) -> None:
    """Same repr, same state_dict keys and shapes, same initial-value distribution bounds."""
    tmod, mmod = make(torch.nn), make(nn)
    assert repr(mmod) == repr(tmod)
    ours = {k: tuple(v.shape) for k, v in mmod.state_dict().items()}
    assert ours == {k: tuple(v.shape) for k, v in tmod.state_dict().items()}
    for (name, p), (_, tp) in zip(mmod.named_parameters(), tmod.named_parameters()):
        bound = float(tp.detach().abs().max()) if name == "weight" and p.dim() > 1 else None
        if bound is not None:  # kaiming_uniform(a=sqrt 5): U(-1/sqrt(fan_in), 1/sqrt(fan_in))
            fan_in = tp.shape[1] * int(np.prod(tp.shape[2:]))
            assert float(p.detach().abs().max()) <= 1 / np.sqrt(fan_in) + 1e-7
        else:
            assert np.array_equal(p.detach().numpy(), tp.detach().numpy()) or name == "bias"


def test_instance_norm_running_stats_train_then_eval() -> None:
    tmod = torch.nn.InstanceNorm2d(3, affine=True, track_running_stats=True, momentum=0.3)
    mmod = nn.InstanceNorm2d(3, affine=True, track_running_stats=True, momentum=0.3)
    tmod.double()
    mmod.double()
    _compare_layer(tmod, mmod, [(2, 3, 4, 5)], np.float64, steps=3)  # updates running stats
    tmod.eval()
    mmod.eval()
    _compare_layer(tmod, mmod, [(2, 3, 4, 5)], np.float64)  # normalises with them


def test_conv_transpose2d_output_size_argument() -> None:
    rng = np.random.default_rng(7)
    tmod = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1).double()
    mmod = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1).double()
    mmod.load_state_dict({k: minitorch.tensor(v.detach().numpy())
                          for k, v in tmod.state_dict().items()})
    x = rng.standard_normal((1, 2, 4, 4))
    for size in [(7, 8), (1, 3, 8, 7)]:
        close(mmod(minitorch.tensor(x), output_size=size), tmod(torch.tensor(x), output_size=size),
              1e-10)
    msg = r"requested an output size of \[9, 9\], but valid sizes range from \[7, 7\] to \[8, 8\]"
    with pytest.raises(ValueError, match=msg):
        mmod(minitorch.tensor(x), output_size=(9, 9))


def test_dcgan_generator_trains_like_torch() -> None:
    """A small DCGAN generator (ConvTranspose2d + BatchNorm + ReLU, Tanh): one Adam step in
    both libraries from the same weights gives the same loss and the same new weights."""
    def gen(lib):
        m = lib.nn
        return m.Sequential(
            m.ConvTranspose2d(8, 16, 4, 1, 0, bias=False), m.BatchNorm2d(16), m.ReLU(True),
            m.ConvTranspose2d(16, 8, 4, 2, 1, bias=False), m.BatchNorm2d(8), m.ReLU(True),
            m.ConvTranspose2d(8, 3, 4, 2, 1, bias=False), m.Tanh(),
        )
    tg, mg = gen(torch).double(), gen(minitorch).double()
    mg.load_state_dict({k: minitorch.tensor(v.detach().numpy()) for k, v in tg.state_dict().items()})
    z = np.random.default_rng(8).standard_normal((4, 8, 1, 1))
    target = np.random.default_rng(9).uniform(-1, 1, (4, 3, 16, 16))
    losses = []
    for lib, g in ((torch, tg), (minitorch, mg)):
        opt = lib.optim.Adam(g.parameters(), lr=1e-2)
        out = g(lib.tensor(z))
        loss = ((out - lib.tensor(target)) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[0] == pytest.approx(losses[1], rel=1e-10)
    ours = mg.state_dict()
    for k, v in tg.state_dict().items():
        np.testing.assert_allclose(ours[k].numpy(), v.detach().numpy(), rtol=1e-8, atol=1e-10)


def test_dcgan_benchmark_case_runs_and_agrees_with_torch() -> None:
    """The benchmark's DCGAN generator step (at batch 2): both libraries give the same
    loss from the same weights, twice (so Adam's first update agrees too); and its FLOP
    count by hand."""
    from benchmarks.cases import count_dcgan_flops, train_dcgan_generator

    case = train_dcgan_generator(batch=2)
    steps = [case.build(lib) for lib in (torch, minitorch)]
    for _ in range(2):
        a, b = (step().item() for step in steps)
        assert a == pytest.approx(b, rel=1e-4)
    # input pixels x (C_out * 16) per layer; the first layer's input needs no gradient
    layers = [(100, 512, 1), (512, 256, 4), (256, 128, 8), (128, 64, 16), (64, 3, 32)]
    macs = sum(cin * hw * hw * cout * 16 * (2 if i == 0 else 3)
               for i, (cin, cout, hw) in enumerate(layers))
    assert count_dcgan_flops(2) == 2.0 * 2 * macs


# ------------------------------------------------------------------------------ errors
X4 = np.zeros((2, 4, 5, 6))
X3 = np.zeros((2, 3, 5))
ERRORS = [
    ("conv_transpose2d", (X4, np.zeros((2, 3, 3, 3))), {}, RuntimeError,
     (r"Given transposed=1, weight of size \[2, 3, 3, 3\], expected input\[2, 4, 5, 6\] to "
     r"have 2 channels, but got 4 channels instead")),
    ("conv_transpose2d", (X4, np.zeros((4, 3, 3, 3))), {"output_padding": 1}, RuntimeError,
     "output padding must be smaller than either stride or dilation"),
    ("conv_transpose2d", (X4[0, 0], np.zeros((4, 3, 3, 3))), {}, RuntimeError,
     (r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv_transpose2d, but got input "
     r"of size: \[5, 6\]")),
    ("conv_transpose2d", (X4, np.zeros((4, 3, 3, 3))), {"padding": 5}, RuntimeError,
     (r"Given input size per channel: \(5 x 6\). Calculated output size per channel: "
     r"\(-3 x -2\). Output size is too small")),
    ("conv1d", (X4, np.zeros((4, 3, 3))), {}, RuntimeError,
     (r"Expected 2D \(unbatched\) or 3D \(batched\) input to conv1d, but got input of size: "
     r"\[2, 4, 5, 6\]")),
    ("conv1d", (X3, np.zeros((4, 2, 3))), {}, RuntimeError,
     r"weight of size \[4, 2, 3\], expected input\[2, 3, 5\] to have 2 channels, but got 3"),
    ("conv1d", (X3, np.zeros((4, 3, 7))), {}, RuntimeError,
     r"Calculated padded input size per channel: \(5\). Kernel size: \(7\)"),
    ("max_pool1d", (X4, 2), {}, RuntimeError,
     r"max_pool1d: Expected 2D or 3D \(batch mode\) tensor .* but got:\[2, 4, 5, 6\]"),
    ("max_pool1d", (X3, 7), {}, RuntimeError, "max_pool1d\\(\\) Invalid computed output size: 0"),
    ("avg_pool1d", (X3, 2), {"padding": 2}, RuntimeError,
     "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2"),
    ("group_norm", (X4, 3), {}, RuntimeError,
     (r"Expected number of channels in input to be divisible by num_groups, but got input of "
     r"shape \[2, 4, 5, 6\] and num_groups=3")),
    ("group_norm", (X4, 2, np.ones(3)), {}, RuntimeError,
     (r"Expected weight to be a vector of size equal to the number of channels in input, but "
     r"got weight of shape \[3\]")),
    ("instance_norm", (np.zeros((2, 4)),), {}, ValueError,
     "Expected more than 1 spatial element when training"),
    ("interpolate", (X4,), {"size": (3, 3), "scale_factor": 2}, ValueError,
     "only one of size or scale_factor should be defined"),
    ("interpolate", (X4,), {}, ValueError, "either size or scale_factor should be defined"),
    ("interpolate", (X4,), {"scale_factor": 2, "mode": "linear"}, NotImplementedError,
     "Got 4D input, but linear mode needs 3D input"),
    ("interpolate", (X4,), {"scale_factor": 2, "align_corners": True}, ValueError,
     "align_corners option can only be set with the interpolating modes"),
    ("interpolate", (X4,), {"scale_factor": 2, "mode": "foo"}, NotImplementedError,
     r"for the modes: nearest .* \(got foo\)"),
    ("interpolate", (X4,), {"size": (3, 3, 3)}, ValueError,
     "Input and output must have the same number of spatial dimensions"),
    ("interpolate", (X4,), {"size": (0, 3)}, RuntimeError,
     (r"Input and output sizes should be greater than 0, but got input \(H: 5, W: 6\) output "
     r"\(H: 0, W: 3\)")),
    ("interpolate", (np.zeros((2, 3)),), {"size": 3}, NotImplementedError,
     r"Only 3D, 4D and 5D input Tensors supported \(got 2D\)"),
    ("fold", (np.zeros((2, 12, 10)), (4, 5), (2, 3)), {}, RuntimeError,
     (r"expected size of input's dimension 2 to match the calculated number of sliding blocks "
     r"3 \* 3 = 9, but got input.size\(2\)=10")),
    ("fold", (np.zeros((2, 13, 6)), (4, 5), (2, 3)), {}, RuntimeError,
     (r"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
     r"but got input.size\(1\)=13 and kernel_size=\(2, 3\)")),
    ("prelu", (X4, np.ones(3)), {}, RuntimeError,
     ("Mismatch of parameter numbers and input channel size. Found parameter numbers = 3 and "
     "channel size = 4.")),
]


@pytest.mark.parametrize("name,args,kwargs,exc,match", ERRORS,
                         ids=[f"{e[0]}-{i}" for i, e in enumerate(ERRORS)])
def test_errors_like_torch(name, args, kwargs, exc, match) -> None:
    """Same exception type as torch, and a message naming the problem."""
    wrap = [minitorch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    twrap = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    with pytest.raises(exc, match=match):
        getattr(F, name)(*wrap, **kwargs)
    with pytest.raises(exc, match=match):
        getattr(TF, name)(*twrap, **kwargs)


@pytest.mark.parametrize("make,shape,exc,match", [
    (lambda m: m.GroupNorm(3, 4), None, ValueError,
     r"num_channels \(4\) must be divisible by num_groups \(3\)"),
    (lambda m: m.InstanceNorm2d(3, affine=True), (2, 4, 5, 5), ValueError,
     r"expected input's size at dim=1 to match num_features \(3\), but got: 4"),
    (lambda m: m.Softmax2d(), (2, 3), ValueError, "Softmax2d: expected input to be 3D or 4D"),
    (lambda m: m.ConvTranspose2d(2, 2, 3, padding_mode="reflect"), None, ValueError,
     'Only "zeros" padding mode is supported for ConvTranspose2d'),
])
def test_layer_errors_like_torch(make, shape, exc, match) -> None:
    for lib, m in ((minitorch, nn), (torch, torch.nn)):
        with pytest.raises(exc, match=match):
            make(m)(lib.zeros(shape))
