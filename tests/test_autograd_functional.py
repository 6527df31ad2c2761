"""``minitorch.autograd.functional`` against ``torch.autograd.functional``: same values, same
shapes and tuple structure, same errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.autograd.functional as TF

import minitorch
import minitorch.autograd.functional as MF


def arr(t) -> np.ndarray:
    return np.array(t.detach().numpy())


def close(ours, theirs, tol=1e-10) -> None:
    """Same structure (tensor / nested tuples) and values."""
    if isinstance(theirs, (tuple, list)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            close(a, b, tol)
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(arr(ours), arr(theirs), rtol=tol, atol=tol)


def f_vec(x):  # R^(3x2) -> R^2
    return (x.exp() * x.sin()).sum(0) + x.pow(2).sum()


def f_two(x, y):  # (R^(3x2), R^2) -> R^2
    return (x.tanh() * y).sum(0) + x.pow(3).sum() * y.sigmoid()


def f_two_out(x, y):
    return x * y.sum(), (x.log() * y[0]).sum()


def f_scalar(x):
    return (x.pow(3) * x.sin()).sum()


def f_scalar_two(x, y):
    return (x.pow(2).sum(0) * y.exp()).sum() + (x * x).sum()


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.random((3, 2)) + 0.5, rng.random(2) + 0.5, rng.random((3, 2)), rng.random(2)


def both(data, fn):
    x, y, u, v = data
    return (fn(minitorch, MF, minitorch.tensor(x), minitorch.tensor(y), minitorch.tensor(u),
               minitorch.tensor(v)),
            fn(torch, TF, torch.tensor(x), torch.tensor(y), torch.tensor(u), torch.tensor(v)))


@pytest.mark.parametrize("case", ["single", "two_in", "two_out", "create_graph", "forward",
                                  "forward_two"])
def test_jacobian(data, case):
    def run(lib, F, x, y, u, v):
        if case == "single":
            return F.jacobian(f_vec, x)
        if case == "forward":
            return F.jacobian(f_vec, x, vectorize=True, strategy="forward-mode")
        if case == "forward_two":
            return F.jacobian(f_two_out, (x, y), vectorize=True, strategy="forward-mode")
        if case == "two_in":
            return F.jacobian(f_two, (x, y))
        if case == "two_out":
            return F.jacobian(f_two_out, (x, y), vectorize=False)
        x.requires_grad_(True)
        jac = F.jacobian(f_vec, x, create_graph=True)
        return lib.autograd.grad(jac.sum(), x)[0]  # a second derivative through the Jacobian

    ours, theirs = both(data, run)
    close(ours, theirs)


@pytest.mark.parametrize("case", ["single", "two_in", "create_graph"])
def test_hessian(data, case):
    def run(lib, F, x, y, u, v):
        if case == "single":
            return F.hessian(f_scalar, x)
        if case == "two_in":
            return F.hessian(f_scalar_two, (x, y))
        x.requires_grad_(True)
        hes = F.hessian(f_scalar, x, create_graph=True)
        return lib.autograd.grad(hes.sum(), x)[0]

    ours, theirs = both(data, run)
    close(ours, theirs)


def test_vjp_jvp_vhp_hvp(data):
    def run(lib, F, x, y, u, v):
        return (F.vjp(f_two, (x, y), v), F.jvp(f_two, (x, y), (u, v)),
                F.vjp(f_scalar, x), F.jvp(f_vec, x, u),
                F.vhp(f_scalar, x, u), F.hvp(f_scalar, x, u),
                F.vhp(f_scalar_two, (x, y), (u, v)), F.hvp(f_scalar_two, (x, y), (u, v)))

    ours, theirs = both(data, run)
    close(ours, theirs)


def test_outputs_are_detached_unless_create_graph(data):
    x = minitorch.tensor(data[0])
    out, grad = MF.vjp(f_scalar, x)
    assert not out.requires_grad and not grad.requires_grad
    x.requires_grad_(True)
    out, grad = MF.vjp(f_scalar, x, create_graph=True)
    assert out.requires_grad and grad.requires_grad


def test_independent_input_zeros_or_strict_error(data):
    def g(x, y):
        return x.sum() * 2

    ours, theirs = both(data, lambda lib, F, x, y, u, v: F.jacobian(g, (x, y)))
    close(ours, theirs)
    for F, lib in ((MF, minitorch), (TF, torch)):
        x, y = lib.tensor(data[0]), lib.tensor(data[1])
        with pytest.raises(RuntimeError, match="independent of input 1"):
            F.jacobian(g, (x, y), strict=True)


def test_errors_match_torch(data):
    for F, lib in ((MF, minitorch), (TF, torch)):
        x = lib.tensor(data[0])
        with pytest.raises(TypeError) as err:
            F.jacobian(lambda t: 3, x)
        assert str(err.value) == (
            "The outputs of the user-provided function given to jacobian must be either a Tensor "
            "or a tuple of Tensors but the given outputs of the user-provided function has type "
            "<class 'int'>.")
        with pytest.raises(TypeError, match="value at index 1 has type <class 'float'>"):
            F.vjp(f_two, (x, 2.0))
        with pytest.raises(RuntimeError, match="v can only be None"):
            F.vjp(f_vec, x)
        with pytest.raises(RuntimeError, match="should contain a single element"):
            F.hessian(f_vec, x)
        with pytest.raises(NotImplementedError, match="only implemented for `vectorize=True`"):
            F.jacobian(f_vec, x, strategy="forward-mode")
        with pytest.raises(AssertionError, match="Expected strategy to be either"):
            F.jacobian(f_vec, x, strategy="sideways")
        with pytest.raises(RuntimeError, match=r"v has invalid size: should be torch.Size\(\[3, 2\]\)"):
            F.jvp(f_vec, x, lib.ones(2, dtype=lib.float64))
