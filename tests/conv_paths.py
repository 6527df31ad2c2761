"""Checks shared by the tests of conv2d's algorithms (im2col, Fourier, Winograd, 1x1)."""

from __future__ import annotations

import numpy as np
import torch

import minitorch


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


def conv2d_matches_torch(x, w, b, padding, dtype, path: str) -> None:
    """conv2d takes the path whose ConvGeometry flag is ``path`` and agrees with torch:
    the output, and the input, weight and bias gradients for a random upstream gradient."""
    mx, mw, mb = (minitorch.tensor(a, requires_grad=True) for a in (x, w, b))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    y = minitorch.nn.functional.conv2d(mx, mw, mb, padding=padding)
    ty = torch.nn.functional.conv2d(tx, tw, tb, padding=padding)
    assert getattr(conv_geometry_of(y), path)
    close_to_reference(y.detach().numpy(), ty.detach().numpy(), dtype)
    up = np.random.default_rng(0).standard_normal(tuple(ty.shape)).astype(dtype)
    y.backward(minitorch.tensor(up))
    ty.backward(torch.tensor(up))
    for ours, theirs in ((mx, tx), (mw, tw), (mb, tb)):
        close_to_reference(ours.grad.numpy(), theirs.grad.numpy(), dtype)


def path_agrees_with_im2col(path: str, x, w, pads, bias=None) -> None:
    """The array kernels with the ConvGeometry flag ``path`` set give im2col's output and
    gradients (float64, stride 1)."""
    from minitorch.kernels import conv as kconv

    results = []
    for use in (False, True):
        geo = kconv.ConvGeometry((1, 1), pads, (1, 1), 1)._replace(**{path: use})
        out, cache = kconv.conv_forward(x, w, geo, bias=bias)
        g = np.cos(np.arange(out.size)).reshape(out.shape)
        gmat = kconv.grad_matrix(g, geo, x.shape)
        results.append((out, kconv.conv_input_grad(g, w, x.shape, geo, gmat),
                        kconv.conv_weight_grad(x, g, w.shape, geo, cache, gmat)))
    for ours, ref in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-10)
