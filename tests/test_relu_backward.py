"""ReLU's backward (ops/elementwise.py ``Relu``) against torch's ``threshold_backward``:
a select (``z <= 0 ? 0 : g``), so inf/NaN upstream gradients at ``z = 0`` give 0 and a
NaN input passes the gradient through; first order on arrays, create_graph in Tensor ops."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch

RNG = np.random.default_rng(18)
SPECIAL = [np.nan, -np.inf, np.inf, 0.0, -0.0, -1.0, 2.0]


def _inputs(dtype):
    x = RNG.standard_normal((5, 7)).astype(dtype)
    g = RNG.standard_normal((5, 7)).astype(dtype)
    x.flat[: len(SPECIAL)] = SPECIAL  # every special input ...
    g.flat[len(SPECIAL) : 3 * len(SPECIAL)] = SPECIAL * 2  # ... and upstream gradient
    x.flat[len(SPECIAL) : 3 * len(SPECIAL)] = np.repeat([0.0, -3.0], len(SPECIAL))
    return x, g


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fn", ["relu", "functional", "module"])
def test_relu_gradient_matches_torch_with_nan_and_inf(dtype, fn):
    x, g = _inputs(dtype)
    grads = []
    for lib in (minitorch, torch):
        call = {
            "relu": lib.relu,
            "functional": lib.nn.functional.relu,
            "module": lib.nn.ReLU(),
        }[fn]
        t = lib.tensor(x, requires_grad=True)
        y = call(t)
        y.backward(lib.tensor(g))
        grads.append((y.detach().numpy(), t.grad.numpy()))
    (y_ours, g_ours), (y_torch, g_torch) = grads
    assert g_ours.dtype == g_torch.dtype
    np.testing.assert_array_equal(np.abs(y_ours), np.abs(y_torch))  # -0.0 vs 0.0 aside
    np.testing.assert_array_equal(g_ours, g_torch)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_relu_second_derivative_matches_torch(dtype):
    """create_graph: d/dx sum(w * d relu(x^3)/dx), and the gradient w.r.t. the upstream
    gradient itself, through the Tensor-op twin."""
    x = RNG.standard_normal((4, 6)).astype(dtype)
    x.flat[:3] = [0.0, np.nan, -1.0]
    g = RNG.standard_normal((4, 6)).astype(dtype)
    w = RNG.standard_normal((4, 6)).astype(dtype)
    out = []
    for lib in (minitorch, torch):
        t = lib.tensor(x, requires_grad=True)
        u = lib.tensor(g, requires_grad=True)
        (dx,) = lib.autograd.grad(lib.relu(t * t * t), t, u, create_graph=True)
        (dx * lib.tensor(w)).sum().backward()
        out.append([a.detach().numpy() for a in (dx, t.grad, u.grad)])
    tol = {np.float64: 1e-12, np.float32: 1e-5}[dtype]
    for ours, theirs in zip(*out):
        np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)
