"""Checks shared by the tests of conv2d's algorithms (im2col, Fourier, Winograd, 1x1)."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

import minitorch


def normal_arrays(seed: int):
    """``arr(shape, dtype=float64)``: standard-normal arrays from one seeded stream."""
    rng = np.random.default_rng(seed)
    return lambda shape, dtype=np.float64: rng.standard_normal(shape).astype(dtype)


def force_path(monkeypatch, prefer: str, applies) -> None:
    """Make conv2d's cost model ``prefer`` (a name in conv_api) say yes wherever
    ``applies`` does, so a test runs on that path whatever the model would choose."""
    from minitorch.ops import conv as _functions  # noqa: F401  (imports conv_api in order)
    from minitorch.ops import conv_api

    monkeypatch.setattr(conv_api, prefer, applies)


def conv_geometry_of(y):
    """The ConvGeometry of the convolution that made ``y`` (perhaps through a squeeze):
    which algorithm ran is in its flags."""
    node = y.grad_fn
    while not hasattr(node, "geo"):
        node = node.next_functions[0][0]
    return node.geo


def close_to_reference(ours, theirs, dtype) -> None:
    """float64: elementwise 1e-10. float32: error relative to the largest entry, since the
    Fourier path rounds every output against its whole image (as cuDNN's FFT does) and
    Winograd's against its tile."""
    theirs = np.asarray(theirs)
    if dtype == np.float64:
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)
    else:
        assert np.abs(ours - theirs).max() <= 1e-5 * np.abs(theirs).max()


def second_derivatives_match_torch(x: np.ndarray, w: np.ndarray, padding=1) -> None:
    """Gradients of a function of conv2d's gradients (create_graph=True) agree with torch."""
    mx, mw = (minitorch.tensor(a, requires_grad=True) for a in (x, w))
    tx, tw = (torch.tensor(a, requires_grad=True) for a in (x, w))
    results = []
    for lib, xx, ww in ((minitorch, mx, mw), (torch, tx, tw)):
        y = lib.nn.functional.conv2d(xx, ww, padding=padding)
        gx, gw = lib.autograd.grad((y * y).sum(), (xx, ww), create_graph=True)
        ((gx * gx).sum() + (gw**3).sum()).backward()
        results.append([t.detach().numpy() for t in (gx, gw, xx.grad, ww.grad)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)


def paths_agree(x: np.ndarray, w: np.ndarray, ref_geo, geo, bias=None) -> None:
    """Output and both gradients of the raw kernels under two geometries (two paths)
    agree in float64; the output gradient is a fixed non-constant pattern."""
    from minitorch.kernels import conv as kconv

    results = []
    for g_ in (ref_geo, geo):
        out, cache = kconv.conv_forward(x, w, g_, bias=bias)
        g = np.cos(np.arange(out.size)).reshape(out.shape)
        gmat = kconv.grad_matrix(g, g_, x.shape, w.shape)
        results.append((out, kconv.conv_input_grad(g, w, x.shape, g_, gmat),
                        kconv.conv_weight_grad(x, g, w.shape, g_, cache, gmat)))
    for ours, ref in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-10)


def path_agrees_with_im2col(path: str, x, w, pads, bias=None) -> None:
    """The array kernels with the ConvGeometry flag ``path`` set give im2col's output and
    gradients (float64, stride 1)."""
    from minitorch.kernels import conv as kconv

    geo = kconv.ConvGeometry((1, 1), pads, (1, 1), 1)
    paths_agree(x, w, geo, geo._replace(**{path: True}), bias)


PATHS = ("fourier", "winograd", "shifted", "direct", "pointwise")
"""The ConvGeometry flags that route a convolution off im2col."""


def conv2d_matches_torch(x, w, b, dtype, path: str, **kwargs) -> None:
    """``conv2d`` (values, and gradients for a random upstream gradient) agrees with
    torch's, and ran on ``path`` (a flag of ConvGeometry) alone."""
    from minitorch.ops import conv_api

    mx, mw, mb = (minitorch.tensor(a, requires_grad=True) for a in (x, w, b))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    y = conv_api.conv2d(mx, mw, mb, **kwargs)
    ty = torch.nn.functional.conv2d(tx, tw, tb, **kwargs)
    flags = {f: getattr(conv_geometry_of(y), f) for f in PATHS}
    assert flags.pop(path) and not any(flags.values())
    close_to_reference(y.detach().numpy(), ty.detach().numpy(), dtype)
    up = np.random.default_rng(0).standard_normal(tuple(ty.shape)).astype(dtype)
    y.backward(minitorch.tensor(up))
    ty.backward(torch.tensor(up))
    for ours, theirs in ((mx, tx), (mw, tw), (mb, tb)):
        assert ours.grad.dtype == ours.dtype
        close_to_reference(ours.grad.numpy(), theirs.grad.numpy(), dtype)


def non_finite_stays_local(x: np.ndarray, w: np.ndarray, path: str) -> None:
    """With a NaN/inf in ``x`` the convolution leaves ``path`` for im2col, and NaNs land in
    the output and both gradients exactly where torch's do."""
    from minitorch.ops import conv_api

    mx, mw = minitorch.tensor(x, requires_grad=True), minitorch.tensor(w, requires_grad=True)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    y, ty = conv_api.conv2d(mx, mw, padding=1), torch.nn.functional.conv2d(tx, tw, padding=1)
    assert not getattr(conv_geometry_of(y), path)
    np.testing.assert_array_equal(np.isnan(y.detach().numpy()), np.isnan(ty.detach().numpy()))
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    up = np.random.default_rng(1).standard_normal(tuple(ty.shape))
    y.backward(minitorch.tensor(up))
    ty.backward(torch.tensor(up))
    for ours, theirs in ((mx, tx), (mw, tw)):
        np.testing.assert_array_equal(np.isnan(ours.grad.numpy()), np.isnan(theirs.grad.numpy()))


def kernels_match_torch(x: np.ndarray, w: np.ndarray, geo, dtype) -> None:
    """The raw kernels under ``geo`` (kernels/conv.py's interface: forward, and both
    gradients with and without the forward's cache and the shared gradient layout) give
    torch's output and gradients, in ``x``'s dtype."""
    from minitorch.kernels import conv as kconv

    out, cache = kconv.conv_forward(x, w, geo)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    pt, pb, pl, pr = geo.padding
    ref = torch.nn.functional.conv2d(torch.nn.functional.pad(tx, (pl, pr, pt, pb)), tw,
                                     stride=geo.stride)
    assert out.dtype == dtype and out.shape == tuple(ref.shape)
    close_to_reference(out, ref.detach().numpy(), dtype)
    g = np.random.default_rng(2).standard_normal(tuple(ref.shape)).astype(dtype)
    ref.backward(torch.tensor(g))
    gmat = kconv.grad_matrix(g, geo, x.shape, w.shape)
    for gx, gw in ((kconv.conv_input_grad(g, w, x.shape, geo, gmat),
                    kconv.conv_weight_grad(x, g, w.shape, geo, cache, gmat)),
                   (kconv.conv_input_grad(g, w, x.shape, geo),
                    kconv.conv_weight_grad(x, g, w.shape, geo))):
        assert gx.dtype == gw.dtype == dtype
        close_to_reference(gx, tx.grad.numpy(), dtype)
        close_to_reference(gw, tw.grad.numpy(), dtype)


def kernels_match_loop_twins(x: np.ndarray, w: np.ndarray, geo) -> None:
    """The raw kernels under ``geo`` against kernels/reference.py's loop convolution and
    its two gradients (float64)."""
    from minitorch.kernels import conv as kconv
    from minitorch.kernels import reference

    args = (geo.stride, geo.padding, geo.dilation, geo.groups)
    out, cache = kconv.conv_forward(x, w, geo)
    np.testing.assert_allclose(out, reference.conv_forward(x, w, *args), rtol=1e-12, atol=1e-12)
    g = np.cos(np.arange(out.size)).reshape(out.shape)
    np.testing.assert_allclose(kconv.conv_input_grad(g, w, x.shape, geo),
                               reference.conv_input_grad(g, w, x.shape, *args), atol=1e-12)
    np.testing.assert_allclose(kconv.conv_weight_grad(x, g, w.shape, geo, cache),
                               reference.conv_weight_grad(x, g, w.shape, *args), atol=1e-12)


@st.composite
def stride1_cases(draw, max_channels: int):
    """Random stride-1 convolutions (float64): ``(x, w, pads, bias)`` with any kernel up
    to 5x5 that fits the padded input, up to ``max_channels`` input channels."""
    n, c, o = draw(st.integers(1, 3)), draw(st.integers(1, max_channels)), draw(st.integers(1, 4))
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    pads = draw(st.tuples(*[st.integers(0, 3)] * 4))
    pt, pb, pl, pr = pads
    kh = draw(st.integers(1, min(5, h + pt + pb)))
    kw = draw(st.integers(1, min(5, w + pl + pr)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return (rng.standard_normal((n, c, h, w)), rng.standard_normal((o, c, kh, kw)), pads,
            rng.standard_normal(o))
