"""Values that used to be silently wrong, now equal to PyTorch's (the fixes behind the
bad-input table): uint8 masks, overflow checks, zero gradients where PyTorch gives 0,
integer ``fmod``, float16 norms, gradient validation that still lets valid uses through.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch


def _np(t) -> np.ndarray:
    return np.array(t.detach().numpy())


@pytest.mark.parametrize("lib", [torch, minitorch])
def test_uint8_index_is_a_mask_with_a_deprecation_warning(lib):
    x = lib.arange(3.0)
    with pytest.warns(UserWarning, match="indexing with dtype .*uint8 is now deprecated"):
        got = x[lib.tensor([1, 0, 1], dtype=lib.uint8)]
    assert got.tolist() == [0.0, 2.0]


def test_uint8_mask_assignment_and_gradient_match_torch():
    out = {}
    for lib in (torch, minitorch):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        m = lib.tensor([1, 0, 0, 1], dtype=lib.uint8)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = x * 1
            y[m] = lib.tensor([7.0, 8.0])
            (y * lib.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
            z = x.detach().clone()[m]
        out[lib] = (_np(y), _np(x.grad), _np(z))
    for a, b in zip(out[torch], out[minitorch]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("value,dtype", [(-1, "uint8"), (-255, "uint8"), (255, "uint8"),
                                         (-128, "int8"), (127, "int8"), (3.7, "int8"),
                                         (-1.5, "int32"), (2**31 - 1, "int32"), (1e10, "int64")])
def test_in_range_values_still_convert_like_torch(value, dtype):
    t = torch.tensor([value], dtype=getattr(torch, dtype))
    m = minitorch.tensor([value], dtype=getattr(minitorch, dtype))
    assert m.tolist() == t.tolist()


def _grads(fn, lib, x):
    t = lib.tensor(x, dtype=lib.float64, requires_grad=True)
    out = fn(lib, t)
    g = lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)),
                   dtype=lib.float64)
    out.backward(g)
    return _np(out), _np(t.grad)


@pytest.mark.parametrize("name,fn,x", [
    ("std_equal", lambda L, t: t.std(), [2.0, 2.0, 2.0]),
    ("std_dim_equal_rows", lambda L, t: t.std(1), [[1.0, 1.0], [1.0, 3.0]]),
    ("std_biased_equal", lambda L, t: t.std(unbiased=False), [5.0, 5.0]),
    ("ce_all_ignored", lambda L, t: L.nn.functional.cross_entropy(t, L.tensor([-100, -100])),
     [[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]]),
    ("ce_all_ignored_custom", lambda L, t: L.nn.functional.cross_entropy(
        t, L.tensor([1, 1]), ignore_index=1), [[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]]),
    ("nll_all_ignored", lambda L, t: L.nn.functional.nll_loss(t, L.tensor([-100, -100])),
     [[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]]),
    ("nll_all_ignored_weighted", lambda L, t: L.nn.functional.nll_loss(
        t, L.tensor([-100, -100]), weight=L.tensor([1.0, 2.0, 3.0], dtype=L.float64)),
     [[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]]),
    ("ce_some_ignored", lambda L, t: L.nn.functional.cross_entropy(t, L.tensor([2, -100])),
     [[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]]),
    ("fmod_float", lambda L, t: L.fmod(t, 1.5), [-3.5, 2.0, 4.25]),
])
def test_gradients_equal_torch(name, fn, x):
    t_out, t_grad = _grads(fn, torch, x)
    m_out, m_grad = _grads(fn, minitorch, x)
    np.testing.assert_allclose(m_out, t_out, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(m_grad, t_grad, rtol=1e-12, atol=1e-15)
    assert not np.isnan(m_grad).any()


@pytest.mark.parametrize("a,b", [([5, -5, 7], [3, 3, -2]), ([5, -5, 7], 3)])
def test_fmod_and_remainder_of_ints_stay_ints(a, b):
    for op in ("fmod", "remainder", "floor_divide"):
        t = getattr(torch, op)(torch.tensor(a), b if isinstance(b, int) else torch.tensor(b))
        m = getattr(minitorch, op)(minitorch.tensor(a),
                                   b if isinstance(b, int) else minitorch.tensor(b))
        assert m.dtype.name == str(t.dtype).split(".")[1]
        assert m.tolist() == t.tolist()


@pytest.mark.parametrize("p", [2, 3, "fro"])
def test_float16_norm_is_computed_without_overflow(p):
    x = np.full(1000, 300.0, np.float16)
    t = torch.tensor(x).norm(p=p)
    m = minitorch.tensor(x).norm(p=p)
    assert m.dtype is minitorch.float16
    assert np.isfinite(m.item())
    np.testing.assert_allclose(m.item(), t.item(), rtol=2e-3)


def test_optimizer_never_broadcasts_a_gradient():
    p = minitorch.nn.Parameter(minitorch.ones(3))
    opt = minitorch.optim.SGD([p], lr=0.1)
    p.grad = minitorch.zeros(3)
    p.grad.data = minitorch.ones(1) * 5  # storage replaced behind the setter's back
    with pytest.raises(RuntimeError, match=r"parameter of size \[3\] has size \[1\]"):
        opt.step()
    assert p.tolist() == [1.0, 1.0, 1.0]


def test_valid_grad_assignment_and_hooks_still_work():
    p = minitorch.nn.Parameter(minitorch.ones(3))
    p.grad = minitorch.full((3,), 2.0)
    p.grad = None
    x = minitorch.ones(3, requires_grad=True)
    x.register_hook(lambda g: g * 2)
    y = x * 3
    y.register_hook(lambda g: g + 1)
    y.sum().backward()
    assert x.grad.tolist() == [12.0, 12.0, 12.0]


def test_backward_gradient_of_other_float_dtype_is_accepted_like_torch():
    for lib in (torch, minitorch):
        x = lib.ones(3, requires_grad=True)
        (x * 2).backward(lib.ones(3, dtype=lib.float64))
        assert x.grad.dtype is lib.float32 and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_conv2d_with_zero_kernel_builds_like_torch_but_cannot_run():
    conv = minitorch.nn.Conv2d(1, 1, 0)
    assert tuple(conv.weight.shape) == (1, 1, 0, 0)
    with pytest.raises(RuntimeError, match="kernel size should be greater than zero"):
        conv(minitorch.ones(1, 1, 3, 3))
