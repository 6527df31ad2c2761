"""The shortcuts that cut per-op overhead give PyTorch's values and leave no state behind.

* an outer product (inner size 1: ``mm``, ``@``, a batch-1 weight gradient, ``Linear`` with
  one input feature) is a broadcast product, not NumPy's matmul;
* ``Linear``'s backward skips its reshapes for matrices;
* the engine sums a node's gradients as arrays (unless ``create_graph``) and runs the whole
  backward pass under one ``np.errstate`` (``autograd/_quiet.py``);
* the cross-entropy kernel takes its row maxima down the columns of a transposed copy.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.autograd import _quiet
from minitorch.kernels import reference
from minitorch.kernels.cross_entropy import cross_entropy_forward


def _np(t) -> np.ndarray:
    return np.array(t.detach().numpy())


def _close(a, b, tol=1e-12) -> None:
    np.testing.assert_allclose(_np(a), _np(b), rtol=tol, atol=tol)


@pytest.mark.parametrize("how", ["mm", "matmul"])
def test_outer_product_matches_torch_with_gradients(rng, how):
    a, b, up = rng.standard_normal((5, 1)), rng.standard_normal((1, 7)), rng.standard_normal((5, 7))
    a[2, 0], b[0, 3] = -1.0, 0.0  # a -0 in the product: PyTorch's sign

    def run(lib):
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        z = lib.mm(x, y) if how == "mm" else x @ y
        z.backward(lib.tensor(up))
        return z, x.grad, y.grad

    for got, want in zip(run(minitorch), run(torch)):
        _close(got, want)
    z = run(minitorch)[0]
    assert np.signbit(_np(z)[2, 3]) == np.signbit(_np(run(torch)[0])[2, 3])


@pytest.mark.parametrize("shape,features", [((1, 6), 6), ((4, 3, 6), 6), ((6,), 6), ((5, 1), 1)])
def test_linear_gradients_match_torch(rng, shape, features):
    """Batch 1 (an outer-product weight gradient), folded leading dims, a vector input,
    and one input feature (an outer-product forward)."""
    x0 = rng.standard_normal(shape)
    w0, b0 = rng.standard_normal((4, features)), rng.standard_normal(4)
    up = rng.standard_normal(shape[:-1] + (4,))

    def run(lib):
        x = lib.tensor(x0, requires_grad=True)
        w, b = lib.tensor(w0, requires_grad=True), lib.tensor(b0, requires_grad=True)
        out = lib.nn.functional.linear(x, w, b)
        out.backward(lib.tensor(up))
        return out, x.grad, w.grad, b.grad

    for got, want in zip(run(minitorch), run(torch)):
        _close(got, want)


def test_repeated_uses_and_second_order_match_torch(rng):
    """A leaf used five times: first gradients summed as arrays, second-order ones through
    the graph (``create_graph``)."""
    a, up = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))

    def run(lib):
        x = lib.tensor(a, requires_grad=True)
        y = (x * 1.5 + 0.5).tanh() * x - x.sigmoid()
        y = (y.relu() / (1 + x * x)).exp()
        (g,) = lib.autograd.grad(y, x, lib.tensor(up), create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        y2 = (x * x + x.exp() * x).sum()
        y2.backward()
        return y, g, gg, x.grad

    for got, want in zip(run(minitorch), run(torch)):
        _close(got, want, 1e-10)


def test_backward_pass_restores_numpy_error_state():
    """The one ``errstate`` of a backward pass is left on success and on error, and ops
    outside a pass take their own again (no RuntimeWarning either way)."""

    class Boom(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            assert _quiet.state.on
            raise ValueError("boom")

    before = np.geterr()
    x = minitorch.tensor([0.0, 1.0, -1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        (x.log() * 0).sum().backward()  # -inf * 0 in backward: quiet
        with pytest.raises(ValueError, match="boom"):
            Boom.apply(x).sum().backward()
        assert not _quiet.state.on and np.geterr() == before
        y = x.log() * 0  # outside a pass: each op quiet on its own (-inf * 0)
    assert np.isnan(_np(y)[0]) and np.geterr() == before


@pytest.mark.parametrize("shape", [(64, 10), (0, 10), (3, 1), (2, 5, 4)])
def test_cross_entropy_kernel_matches_the_reference(rng, shape):
    x = (rng.standard_normal(shape) * 30).astype(np.float32)  # exp(x) alone would overflow
    target = rng.integers(0, shape[1], (shape[0],) + shape[2:])
    loss, soft, _, _ = cross_entropy_forward(x, target, -100)
    np.testing.assert_allclose(loss, reference.cross_entropy_forward(x, target, -100),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(soft.sum(1), np.ones(soft.sum(1).shape), rtol=1e-5)


def test_cross_entropy_kernel_nan_row_stays_nan():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    x[1, 2] = np.nan
    loss, soft, _, _ = cross_entropy_forward(x, np.array([0, 1, 3]), -100)
    assert np.isnan(loss[1]) and np.isnan(soft[1]).all()
    assert np.isfinite(loss[[0, 2]]).all() and np.isfinite(soft[[0, 2]]).all()
