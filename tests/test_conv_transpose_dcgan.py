"""The DCGAN generator's transposed convolutions against PyTorch (float64, tight).

4x4 kernels with stride 2 and padding 1 (and the first layer's 1x1 -> 4x4 projection),
in both internal layouts (``prefer_batch_last`` picks batch-last when
``C_out/g * 16 >= 8 * C_in``), with bias or without, with and without batch: values, the
three gradients, and second derivatives. These exercise the backward pass that shares one
im2col of the output gradient between the input and the weight gradient, and col2im's
path that writes the first stride x stride taps instead of adding them onto zeros.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minitorch
import minitorch.nn.functional as F
from minitorch.kernels import conv_transpose_phases
from minitorch.kernels.conv import prefer_batch_last


def _close(m, t) -> None:
    assert tuple(m.shape) == tuple(t.shape)
    np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=1e-10, atol=1e-10)


def _pair(arrays):
    return ([minitorch.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


# (N, C_in, H, C_out, stride, padding): batch-last (4 -> 2), batch-first (8 -> 1), the
# first layer (1x1 input, stride 1, no padding), an odd size, and one image.
LAYERS = [(2, 4, 3, 2, 2, 1), (3, 8, 4, 1, 2, 1), (2, 5, 1, 4, 1, 0), (2, 3, 5, 6, 2, 1),
          (1, 2, 2, 3, 2, 1)]


@pytest.mark.parametrize("n, cin, h, cout, stride, padding", LAYERS)
@pytest.mark.parametrize("bias", [False, True])
def test_dcgan_layer_values_and_gradients_match_torch(n, cin, h, cout, stride, padding, bias):
    rng = np.random.default_rng(n * 100 + cin * 10 + h)
    arrays = [rng.standard_normal((n, cin, h, h)), rng.standard_normal((cin, cout, 4, 4))]
    if bias:
        arrays.append(rng.standard_normal(cout))
    ms, ts = _pair(arrays)
    out_m = F.conv_transpose2d(*ms, stride=stride, padding=padding)
    out_t = TF.conv_transpose2d(*ts, stride=stride, padding=padding)
    _close(out_m, out_t)
    up = rng.standard_normal(tuple(out_t.shape))
    out_m.backward(minitorch.tensor(up))
    out_t.backward(torch.tensor(up))
    for m, t in zip(ms, ts):
        _close(m.grad, t.grad)


def test_the_layers_cover_both_layouts():
    """The cases above reach both internal layouts (else a layout went untested)."""
    chosen = {prefer_batch_last(cout * 16, cin) for _, cin, _, cout, _, _ in LAYERS}
    assert chosen == {False, True}


@pytest.mark.parametrize("cin, cout, h, phases", [(4, 2, 3, False), (8, 1, 3, False),
                                                   (3, 16, 2, True)])
def test_dcgan_layer_second_derivatives_match_torch(monkeypatch, cin, cout, h, phases):
    """create_graph=True through the shared-im2col backward, and through the phases path's
    gradients (forced on: ``kernels.conv_transpose_phases``, whose Functions inherit their
    backward): d/d(x, w) of |dL/dx|^2 + |dL/dw|^2."""
    if phases:
        monkeypatch.setattr(conv_transpose_phases, "prefer", conv_transpose_phases.applies)
    rng = np.random.default_rng(cin)
    arrays = [rng.standard_normal((2, cin, h, h)), rng.standard_normal((cin, cout, 4, 4))]
    assert conv_transpose_phases.prefer(arrays[0], arrays[1].shape, (2, 2), (1, 1), (0, 0),
                                        (1, 1), 1) is phases
    up = rng.standard_normal((2, cout, 2 * h, 2 * h))
    grads = []
    for lib, fn, (x, w) in ((minitorch, F.conv_transpose2d, _pair(arrays)[0]),
                            (torch, TF.conv_transpose2d, _pair(arrays)[1])):
        out = fn(x, w, stride=2, padding=1)
        gx, gw = lib.autograd.grad(out, (x, w), lib.tensor(up), create_graph=True)
        ((gx * gx).sum() + (gw * gw).sum()).backward()
        grads.append((gx, gw, x.grad, w.grad))
    for m, t in zip(*grads):
        _close(m, t)
