"""The shortcuts that cut a training step's overhead (issue 18) change no number.

* A backward pass that records no graph (no ``create_graph``) computes the gradients of
  ``Linear``/``Addmm``, convolution, cross-entropy, max pooling and reshape on raw
  arrays; with
  ``create_graph=True`` the same gradients go through Tensor ops. The two agree bit for
  bit, and with PyTorch (float64, tight).
* Adam's step writes every intermediate into one scratch array: bit for bit the
  formulas with a new array for each (the plain twin below).
* Built-in forwards ignore NumPy's floating-point errors through NumPy's error-state
  context variable (``autograd/_quiet.py``): the caller's state comes back exactly, also
  after an error inside a forward.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.autograd import _quiet
from minitorch.autograd.function import ArrayFunction


def _np(t) -> np.ndarray:
    return np.array(t.detach().numpy())


# ------------------------------------------------------------------ backward on arrays
def _net_grads(lib, arrays, create_graph: bool, x_shape):
    """Gradients of a small net that uses every op with an array backward: convolution
    (input, weight and bias gradients), reshape (Flatten), Linear as Addmm (2-D input with
    bias), Linear without bias, Linear on a 3-D input and on a 1-D input, ReLU, max
    pooling and cross-entropy."""
    F = lib.nn.functional
    x0, wc, bc, w1, b1, w2, w3, b3, w4, target = arrays
    x = lib.tensor(x0.reshape(x_shape), requires_grad=True)
    params = [lib.tensor(a, requires_grad=True) for a in (wc, bc, w1, b1, w2, w3, b3, w4)]
    pwc, pbc, pw1, pb1, pw2, pw3, pb3, pw4 = params
    h = F.conv2d(x, pwc, pbc, padding=1)  # (N, 2, 4, 4)
    h = F.max_pool2d(h, 2).flatten(1)  # (N, 8)
    h = F.relu(F.linear(h, pw1, pb1))  # Addmm: (N, 6)
    h = F.linear(h, pw2)  # no bias: (N, 5)
    h3 = F.linear(h.reshape(h.shape[0], 1, 5), pw3, pb3)  # 3-D input: (N, 1, 4)
    v = F.linear(h3[0, 0], pw4)  # 1-D input: (3,)
    loss = F.cross_entropy(h3.reshape(-1, 4), lib.tensor(target)) + (v * v).sum()
    return lib.autograd.grad(loss, [x, *params], create_graph=create_graph)


@pytest.mark.parametrize("batch", [1, 3])
def test_array_backward_paths_match_tensor_paths_and_torch(rng, batch):
    x_shape = (batch, 2, 4, 4)  # max_pool2d(2) -> (batch, 2, 2, 2): 8 features
    arrays = [rng.standard_normal(int(np.prod(x_shape))), rng.standard_normal((2, 2, 3, 3)),
              rng.standard_normal(2), rng.standard_normal((6, 8)),
              rng.standard_normal(6), rng.standard_normal((5, 6)), rng.standard_normal((4, 5)),
              rng.standard_normal(4), rng.standard_normal((3, 4)), rng.integers(0, 4, batch)]
    plain = _net_grads(minitorch, arrays, False, x_shape)
    recorded = _net_grads(minitorch, arrays, True, x_shape)
    want = _net_grads(torch, arrays, False, x_shape)
    for a, b, t in zip(plain, recorded, want):
        assert a.grad_fn is None and b.grad_fn is not None  # the two paths really ran
        np.testing.assert_array_equal(_np(a), _np(b))
        np.testing.assert_allclose(_np(a), _np(t), rtol=1e-12, atol=1e-12)


def test_array_backward_paths_float32_match_torch(rng):
    x_shape = (5, 2, 4, 4)
    arrays = [rng.standard_normal(int(np.prod(x_shape))), rng.standard_normal((2, 2, 3, 3)),
              rng.standard_normal(2), rng.standard_normal((6, 8)),
              rng.standard_normal(6), rng.standard_normal((5, 6)), rng.standard_normal((4, 5)),
              rng.standard_normal(4), rng.standard_normal((3, 4)), rng.integers(0, 4, 5)]
    arrays = [a.astype(np.float32) if a.dtype.kind == "f" else a for a in arrays]
    got = _net_grads(minitorch, arrays, False, x_shape)
    want = _net_grads(torch, arrays, False, x_shape)
    for a, t in zip(got, want):
        assert a.dtype is minitorch.float32
        scale = np.abs(_np(t)).max()  # float32 rounding, relative to the largest entry
        np.testing.assert_allclose(_np(a), _np(t), rtol=0, atol=1e-5 * scale)


# --------------------------------------------------------------------- Adam, plain twin
def _adam_plain(p, g, state, t, lr, betas, eps, wd, amsgrad, maximize, decoupled):
    """Adam's step as the formulas read, with a new array for each intermediate (the
    update minitorch ran before it used one scratch array)."""
    beta1, beta2 = betas
    if decoupled and wd != 0:
        p *= 1 - lr * wd
    g = -g if maximize else g
    if not decoupled and wd != 0:
        g = g + wd * p
    m, v = state["m"], state["v"]
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    g2 = g * g
    g2 *= 1 - beta2
    v += g2
    if amsgrad:
        np.maximum(state["vmax"], v, out=state["vmax"])
        v = state["vmax"]
    denom = np.sqrt(v)
    denom /= math.sqrt(1 - beta2**t)
    denom += eps
    update = m / denom
    update *= lr / (1 - beta1**t)
    p -= update


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("options", [
    {}, {"weight_decay": 0.1}, {"amsgrad": True, "maximize": True},
    {"weight_decay": 0.05, "decoupled_weight_decay": True, "amsgrad": True},
])
def test_adam_step_is_bit_identical_to_plain_formulas(rng, dtype, options):
    shapes = [(3, 4), (5,), ()]  # a 0-d parameter too
    starts = [rng.standard_normal(s).astype(dtype) for s in shapes]
    params = [minitorch.tensor(a.copy(), requires_grad=True) for a in starts]
    opt = minitorch.optim.Adam(params, lr=0.01, **options)
    group = opt.param_groups[0]
    plain = [a.copy() for a in starts]
    states = [{"m": np.zeros_like(a), "v": np.zeros_like(a), "vmax": np.zeros_like(a)}
              for a in starts]
    for step in range(1, 5):
        grads = [rng.standard_normal(s).astype(dtype) for s in shapes]
        grads[0] = np.asfortranarray(grads[0])  # a non-contiguous gradient layout
        for p, g in zip(params, grads):
            p.grad = minitorch.tensor(g)
        opt.step()
        for a, g, st in zip(plain, grads, states):
            _adam_plain(a, g, st, step, group["lr"], group["betas"], group["eps"],
                        group["weight_decay"], group["amsgrad"], group["maximize"],
                        group["decoupled_weight_decay"])
        for p, a in zip(params, plain):
            np.testing.assert_array_equal(_np(p), a)


# ------------------------------------------------------------ NumPy's error state
class _Fails(ArrayFunction):
    """A built-in-style op whose forward raises after doing arithmetic."""

    @staticmethod
    def forward(ctx, x):
        _ = x / 0.0
        raise ValueError("forward failed")


def test_forward_ignores_numpy_errors_and_restores_the_callers_state():
    x = minitorch.tensor([0.0, 1.0, math.inf], requires_grad=True)
    with np.errstate(all="raise"):  # the caller's state: raise
        before = np.geterr()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = (x / 0.0).log() + (x - x)  # 0/0, log(0), inf - inf: no error, no warning
            y.sum().backward()
        assert np.geterr() == before
        with pytest.raises(ValueError, match="forward failed"):
            _Fails.apply(x)
        assert np.geterr() == before  # restored after the error too
        with pytest.raises(FloatingPointError):
            np.array([1.0]) / 0.0
    assert np.isnan(_np(y)[0]) and _np(y)[1] == math.inf and np.isnan(_np(y)[2])


def test_ignore_errors_switch_nests_and_restores():
    with np.errstate(divide="warn", invalid="raise", over="ignore", under="print"):
        before = np.geterr()
        outer = _quiet.ignore_errors()
        inner = _quiet.ignore_errors()
        assert set(np.geterr().values()) == {"ignore"}
        _quiet.restore_errors(inner)
        assert set(np.geterr().values()) == {"ignore"}
        _quiet.restore_errors(outer)
        assert np.geterr() == before
