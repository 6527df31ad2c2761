"""1x1 convolutions on the input itself (kernels/pointwise.py) against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conv_paths import conv_geometry_of

import minitorch
from minitorch.autograd import gradcheck, gradgradcheck
from minitorch.kernels import pointwise, reference
from minitorch.ops import conv as _conv_functions  # noqa: F401  (imports conv_api in the right order)
from minitorch.ops import conv_api

RNG = np.random.default_rng(5)


_geo = conv_geometry_of


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("stride", [1, 2, 3, (2, 1)])
@pytest.mark.parametrize("xs", [(2, 3, 7, 6), (1, 4, 1, 5)])
def test_1x1_convolution_matches_torch(xs, stride, dtype, tol):
    x = RNG.standard_normal(xs).astype(dtype)
    w, b = RNG.standard_normal((5, xs[1], 1, 1)).astype(dtype), RNG.standard_normal(5).astype(dtype)
    mx, mw, mb = (minitorch.tensor(a, requires_grad=True) for a in (x, w, b))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    y, ty = conv_api.conv2d(mx, mw, mb, stride=stride), F.conv2d(tx, tw, tb, stride=stride)
    assert _geo(y).pointwise
    assert y.dtype == mx.dtype and tuple(y.shape) == tuple(ty.shape)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=tol, atol=tol)
    up = RNG.standard_normal(tuple(ty.shape)).astype(dtype)
    y.backward(minitorch.tensor(up))
    ty.backward(torch.tensor(up))
    for ours, theirs in ((mx, tx), (mw, tw), (mb, tb)):
        assert ours.grad.dtype == ours.dtype
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=tol, atol=tol)


def test_non_contiguous_input_and_padding_or_groups_keep_their_paths():
    x = minitorch.tensor(RNG.standard_normal((2, 6, 5, 4))).transpose(2, 3)
    w = minitorch.tensor(RNG.standard_normal((3, 6, 1, 1)))
    y = conv_api.conv2d(x, w, stride=2)
    ref = F.conv2d(torch.tensor(x.numpy()), torch.tensor(w.numpy()), stride=2)
    np.testing.assert_allclose(y.numpy(), ref.numpy(), rtol=1e-12)
    x.requires_grad_(True)
    assert not _geo(conv_api.conv2d(x, w, padding=1)).pointwise
    w2 = minitorch.tensor(RNG.standard_normal((4, 3, 1, 1)), requires_grad=True)
    assert not _geo(conv_api.conv2d(x, w2, groups=2)).pointwise


@pytest.mark.parametrize("stride", [(1, 1), (2, 3)])
def test_kernels_match_the_loop_twins(stride):
    """kernels/pointwise.py against kernels/reference.py's loop convolution and gradients."""
    x, w = RNG.standard_normal((2, 3, 5, 7)), RNG.standard_normal((4, 3, 1, 1))
    args = (stride, (0, 0, 0, 0), (1, 1), 1)
    out, xs = pointwise.forward(x, w, stride)
    np.testing.assert_allclose(out, reference.conv_forward(x, w, *args), rtol=1e-12, atol=1e-12)
    g = RNG.standard_normal(out.shape)
    np.testing.assert_allclose(pointwise.input_grad(g, w, x.shape, stride),
                               reference.conv_input_grad(g, w, x.shape, *args), atol=1e-12)
    np.testing.assert_allclose(pointwise.weight_grad(x, g, w.shape, stride, xs),
                               reference.conv_weight_grad(x, g, w.shape, *args), atol=1e-12)


def test_gradcheck_and_gradgradcheck_with_stride_2():
    x = minitorch.tensor(RNG.standard_normal((2, 3, 5, 4)), requires_grad=True)
    w = minitorch.tensor(RNG.standard_normal((2, 3, 1, 1)), requires_grad=True)

    def f(x, w):
        return conv_api.conv2d(x, w, stride=2)

    assert _geo(f(x, w)).pointwise
    assert gradcheck(f, (x, w))
    assert gradgradcheck(f, (x, w))
