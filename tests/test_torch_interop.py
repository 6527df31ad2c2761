"""minitorch.utils.torch_interop: tensors and whole state dicts between minitorch and
PyTorch; the same CNN, built in both with identical module names, gives the same outputs
and gradients once the weights are copied (in either direction)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from minitorch.utils.torch_interop import (
    from_torch,
    state_dict_from_torch,
    state_dict_to_torch,
    to_torch,
)


@pytest.mark.parametrize(
    "mt_dtype,th_dtype",
    [
        (minitorch.float32, torch.float32),
        (minitorch.float64, torch.float64),
        (minitorch.int64, torch.int64),
        (minitorch.int32, torch.int32),
        (minitorch.uint8, torch.uint8),
        (minitorch.bool, torch.bool),
    ],
)
def test_round_trip_keeps_values_and_dtype(mt_dtype, th_dtype):
    arr = (np.arange(12).reshape(3, 4) % 3).astype(mt_dtype.np)
    m = minitorch.tensor(arr, dtype=mt_dtype)
    t = to_torch(m)
    assert t.dtype == th_dtype and tuple(t.shape) == (3, 4)
    np.testing.assert_array_equal(t.numpy(), arr)
    back = from_torch(t)
    assert back.dtype is mt_dtype
    np.testing.assert_array_equal(back.numpy(), arr)


def test_conversions_copy_and_keep_requires_grad():
    m = minitorch.randn(2, 3, requires_grad=True)
    t = to_torch(m)
    assert t.requires_grad and t.is_leaf
    with torch.no_grad():
        t.add_(1)
    assert not np.allclose(t.detach().numpy(), m.detach().numpy())  # a copy, not a view
    back = from_torch(t)
    assert back.requires_grad and back.is_leaf
    t0 = torch.zeros(3)
    m0 = from_torch(t0)
    t0.add_(5)
    assert m0.sum().item() == 0.0


def test_type_errors():
    with pytest.raises(TypeError, match="expected a minitorch.Tensor"):
        to_torch(torch.zeros(2))
    with pytest.raises(TypeError, match="expected a torch.Tensor"):
        from_torch(minitorch.zeros(2))
    with pytest.raises(TypeError, match="bfloat16"):
        from_torch(torch.zeros(2, dtype=torch.bfloat16))


def _small_cnn(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 3, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(3 * 2 * 2, 5),
    )


def _outputs_and_grads(model, lib, x, target):
    xx = lib.tensor(x, requires_grad=True)
    out = model(xx)
    loss = lib.nn.functional.cross_entropy(out, lib.tensor(target))
    model.zero_grad()
    loss.backward()
    grads = {n: p.grad.numpy().copy() for n, p in model.named_parameters()}
    return out.detach().numpy(), loss.item(), xx.grad.numpy(), grads


def _check_same(a, b, tol=1e-5):
    out_a, loss_a, gx_a, grads_a = a
    out_b, loss_b, gx_b, grads_b = b
    np.testing.assert_allclose(out_a, out_b, rtol=tol, atol=tol)
    assert loss_a == pytest.approx(loss_b, rel=tol)
    np.testing.assert_allclose(gx_a, gx_b, rtol=tol, atol=tol)
    assert grads_a.keys() == grads_b.keys()
    for k in grads_a:
        np.testing.assert_allclose(grads_a[k], grads_b[k], rtol=tol, atol=tol, err_msg=k)


def test_torch_weights_load_into_minitorch_and_back():
    torch.manual_seed(0)
    th_model = _small_cnn(torch)
    mt_model = _small_cnn(minitorch)
    sd = state_dict_from_torch(th_model.state_dict())
    assert list(sd) == list(th_model.state_dict())
    assert all(
        isinstance(v, minitorch.Tensor) and v.dtype is minitorch.float32 for v in sd.values()
    )
    mt_model.load_state_dict(sd)

    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 2, 8, 8)).astype(np.float32)
    target = np.array([0, 4, 2])
    _check_same(
        _outputs_and_grads(mt_model, minitorch, x, target),
        _outputs_and_grads(th_model, torch, x, target),
    )

    # ... and back: minitorch weights (changed) into a fresh torch model
    with minitorch.no_grad():
        for p in mt_model.parameters():
            p.mul_(0.5)
    th_fresh = _small_cnn(torch)
    th_fresh.load_state_dict(state_dict_to_torch(mt_model.state_dict()))
    _check_same(
        _outputs_and_grads(mt_model, minitorch, x, target),
        _outputs_and_grads(th_fresh, torch, x, target),
    )


def test_float64_model_round_trip():
    th_model = torch.nn.Linear(3, 2).double()
    mt_model = minitorch.nn.Linear(3, 2).double()
    mt_model.load_state_dict(state_dict_from_torch(th_model.state_dict()))
    x = np.random.default_rng(1).standard_normal((4, 3))
    np.testing.assert_allclose(
        mt_model(minitorch.tensor(x)).detach().numpy(),
        th_model(torch.tensor(x)).detach().numpy(),
        rtol=1e-12,
    )
    sd = state_dict_to_torch(mt_model.state_dict())
    assert sd["weight"].dtype == torch.float64
