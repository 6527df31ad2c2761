"""Batch norm as one Function (ops/normalization.py) against torch and its composed twin."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.nn import functional as MF
from minitorch.ops import normalization

RNG = np.random.default_rng(21)
SHAPES = [(6, 3), (4, 3, 5), (3, 4, 5, 6)]  # BatchNorm1d (N, C), (N, C, L); BatchNorm2d


def _pair(shape, dtype=np.float64, offset=0.0):
    a = RNG.standard_normal(shape).astype(dtype) * 2 + offset
    return minitorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _module(lib, dim, c, **kw):
    cls = {2: lib.nn.BatchNorm1d, 3: lib.nn.BatchNorm1d, 4: lib.nn.BatchNorm2d}[dim]
    return cls(c, **kw).double()


@pytest.mark.parametrize("offset", [3.0, 50.0])  # 50: |mu| >> sigma, the centring forward
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
def test_training_step_matches_torch(shape, affine, offset):
    """Output, input/weight/bias gradients and running statistics, over two steps."""
    c = shape[1]
    ours, theirs = _module(minitorch, len(shape), c, affine=affine), _module(torch, len(shape), c,
                                                                             affine=affine)
    if affine:
        w, b = RNG.standard_normal(c), RNG.standard_normal(c)
        for m, lib in ((ours, minitorch), (theirs, torch)):
            m.weight.data.copy_(lib.tensor(w))
            m.bias.data.copy_(lib.tensor(b))
    for _ in range(2):
        mx, tx = _pair(shape, offset=offset)
        y, ty = ours(mx), theirs(tx)
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-10)
        up = RNG.standard_normal(shape)
        y.backward(minitorch.tensor(up))
        ty.backward(torch.tensor(up))
        np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-10)
        if affine:
            for p, q in ((ours.weight, theirs.weight), (ours.bias, theirs.bias)):
                np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-9, atol=1e-10)
        for name in ("running_mean", "running_var"):
            np.testing.assert_allclose(getattr(ours, name).numpy(),
                                       getattr(theirs, name).numpy(), rtol=1e-12)
    assert int(ours.num_batches_tracked.item()) == 2


@pytest.mark.parametrize("shape", SHAPES)
def test_eval_mode_matches_torch_with_gradients(shape):
    c = shape[1]
    ours, theirs = _module(minitorch, len(shape), c), _module(torch, len(shape), c)
    for _ in range(2):  # some running statistics first
        a = RNG.standard_normal(shape) + 1
        ours(minitorch.tensor(a)), theirs(torch.tensor(a))
    ours.eval(), theirs.eval()
    mx, tx = _pair(shape)
    y, ty = ours(mx), theirs(tx)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    up = RNG.standard_normal(shape)
    y.backward(minitorch.tensor(up))
    ty.backward(torch.tensor(up))
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.bias.grad.numpy(), theirs.bias.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("shape", [(5, 3), (3, 2, 4, 4)])
def test_second_derivatives_match_torch(shape):
    """create_graph=True takes the Tensor-op backward: gradients of gradients w.r.t. the
    input, weight and bias agree with torch's."""
    c = shape[1]
    a, w, b = RNG.standard_normal(shape), RNG.standard_normal(c), RNG.standard_normal(c)
    results = []
    for lib in (minitorch, torch):
        x = lib.tensor(a, requires_grad=True)
        ww, bb = lib.tensor(w, requires_grad=True), lib.tensor(b, requires_grad=True)
        y = lib.nn.functional.batch_norm(x, None, None, ww, bb, training=True)
        gx, gw, gb = lib.autograd.grad((y**3).sum(), (x, ww, bb), create_graph=True)
        ((gx * gx).sum() + (gw**2).sum() * 0.5 + (gb * gw).sum()).backward()
        results.append([t.detach().numpy() for t in (gx, gw, gb, x.grad, ww.grad, bb.grad)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-9)


def test_fused_function_matches_its_composed_twin_in_float32():
    """The Function against the composition it replaces, with a large mean (|mu| >> sigma:
    the centred variance does not cancel)."""
    a = (RNG.standard_normal((8, 4, 5, 5)) * 0.1 + 100).astype(np.float32)
    w, b = RNG.standard_normal(4).astype(np.float32), RNG.standard_normal(4).astype(np.float32)
    up = RNG.standard_normal(a.shape).astype(np.float32)
    grads = []
    for fused in (True, False):
        x, ww, bb = (minitorch.tensor(v, requires_grad=True) for v in (a, w, b))
        if fused:
            y = normalization.BatchNorm.apply(x, ww, bb, 1e-5, [])
        else:
            y = MF._normalize_over(x, (0, 2, 3), 1e-5)[0] * ww.reshape(1, 4, 1, 1) + bb.reshape(
                1, 4, 1, 1)
        y.backward(minitorch.tensor(up))
        grads.append([y.detach().numpy(), x.grad.numpy(), ww.grad.numpy(), bb.grad.numpy()])
        assert all(g.dtype == np.float32 for g in grads[-1])
    for ours, twin in zip(*grads):
        np.testing.assert_allclose(ours, twin, rtol=2e-3, atol=2e-3 * np.abs(twin).max())


def test_training_with_one_value_per_channel_raises_like_torch():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        minitorch.nn.BatchNorm1d(3)(minitorch.randn(1, 3))


@pytest.mark.parametrize("offset", [0.0, 1000.0])
def test_float32_gradients_as_accurate_as_torch_against_float64(offset):
    """Output and gradients: the array forward and backward (centred values reused as dx's
    buffer, rows of per-channel factors) keep float32 error at PyTorch's level or better,
    also when |mu| >> sigma (where the forward centres before scaling)."""
    a = (RNG.standard_normal((16, 8, 6, 6)) * 0.5 + offset).astype(np.float32)
    w = RNG.standard_normal(8).astype(np.float32)
    up = RNG.standard_normal(a.shape).astype(np.float32)
    results = {}
    for lib, dtype in ((minitorch, "float32"), (torch, "float32"), (torch, "float64")):
        m = lib.nn.BatchNorm2d(8).to(getattr(lib, dtype))
        with lib.no_grad():
            m.weight.copy_(lib.tensor(w))
        x = lib.tensor(a.astype(dtype), requires_grad=True)
        y = m(x)
        y.backward(lib.tensor(up.astype(dtype)))
        results[lib.__name__, dtype] = [
            np.asarray(t.detach().numpy(), np.float64)
            for t in (y, x.grad, m.weight.grad, m.bias.grad)
        ]
    ref = results["torch", "float64"]
    for i, exact in enumerate(ref):
        scale = np.abs(exact).max()
        ours = np.abs(results["minitorch", "float32"][i] - exact).max() / scale
        theirs = np.abs(results["torch", "float32"][i] - exact).max() / scale
        assert ours <= 2 * theirs + 1e-6, (i, ours, theirs)


def _functional_run(lib, a, w, b, up, retain=False):
    x = lib.tensor(a, requires_grad=True)
    ww, bb = lib.tensor(w, requires_grad=True), lib.tensor(b, requires_grad=True)
    y = lib.nn.functional.batch_norm(x, None, None, ww, bb, training=True)
    y.backward(lib.tensor(up), retain_graph=retain)
    return x, ww, bb, y


@pytest.mark.parametrize("offset", [0.0, 40.0])  # 40: |mu| > 8 sigma, the refining pass
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_second_backward_forms_the_centred_values_again(offset, dtype):
    """The first backward uses up the forward's centred values (as dx's buffer); a second
    one (retain_graph) forms them again from x: the same bits, and torch's values."""
    a = (RNG.standard_normal((5, 3, 4, 6)) * 2 + offset).astype(dtype)
    w, b = RNG.standard_normal(3).astype(dtype), RNG.standard_normal(3).astype(dtype)
    up = RNG.standard_normal(a.shape).astype(dtype)
    x, ww, bb, y = _functional_run(minitorch, a, w, b, up, retain=True)
    first = [t.grad.numpy().copy() for t in (x, ww, bb)]
    for t in (x, ww, bb):
        t.grad = None
    y.backward(minitorch.tensor(up))
    for got, before in zip((x.grad, ww.grad, bb.grad), first):
        np.testing.assert_array_equal(got.numpy(), before)
        assert got.dtype == getattr(minitorch, np.dtype(dtype).name)
    theirs = _functional_run(torch, a.astype(np.float64), w.astype(np.float64),
                             b.astype(np.float64), up.astype(np.float64))
    tol = 1e-9 if dtype == np.float64 else 2e-4
    for got, ref in zip(first, (theirs[0].grad, theirs[1].grad, theirs[2].grad)):
        np.testing.assert_allclose(got, ref.numpy(), rtol=tol, atol=tol * np.abs(ref.numpy()).max())


def test_training_forward_without_grad_matches_the_recorded_one():
    """Under no_grad nothing is kept for a backward and y is formed in place: the same
    bits as with gradients, and the same running statistics."""
    a = RNG.standard_normal((6, 4, 5, 5)).astype(np.float32) + 3
    mods = [minitorch.nn.BatchNorm2d(4) for _ in range(2)]
    with minitorch.no_grad():
        quiet = mods[0](minitorch.tensor(a))
    recorded = mods[1](minitorch.tensor(a, requires_grad=True))
    np.testing.assert_array_equal(quiet.numpy(), recorded.detach().numpy())
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_array_equal(getattr(mods[0], name).numpy(),
                                      getattr(mods[1], name).numpy())


def test_only_the_parameters_need_gradients():
    """An input without requires_grad: weight and bias gradients still match torch's."""
    a, up = RNG.standard_normal((4, 3, 5)) + 2, RNG.standard_normal((4, 3, 5))
    grads = []
    for lib in (minitorch, torch):
        m = lib.nn.BatchNorm1d(3).double()
        m(lib.tensor(a)).backward(lib.tensor(up))
        grads.append([m.weight.grad.numpy(), m.bias.grad.numpy()])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_inf_and_nan_inputs_are_quiet_and_match_torch():
    """Non-finite values: no NumPy warning (forward, running estimates, backward), and
    torch's output, gradients and running estimates, NaN for NaN."""
    a = RNG.standard_normal((4, 3, 5, 5))
    a[0, 0, 0, 0], a[1, 1, 2, 3] = np.inf, np.nan
    up = RNG.standard_normal(a.shape)
    results = []
    for lib in (minitorch, torch):
        m = lib.nn.BatchNorm2d(3).double()
        for _ in range(2):  # the second step adds to non-finite running estimates
            x = lib.tensor(a, requires_grad=True)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                y = m(x)
                y.backward(lib.tensor(up))
        results.append([t.detach().numpy() for t in (y, x.grad, m.weight.grad,
                                                     m.running_mean, m.running_var)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12, equal_nan=True)
