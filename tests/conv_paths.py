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
