"""``nn.utils`` clipping, ``inference_mode``, ``isclose``/``allclose`` and ``tril``/``triu``,
against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch


def _params(lib, rng_seed: int, scale: float, with_missing: bool = True):
    rng = np.random.default_rng(rng_seed)
    shapes = [((3, 4), np.float32), ((5,), np.float32), ((2, 2, 2), np.float64)]
    params = []
    for shape, dt in shapes:
        p = lib.tensor(rng.standard_normal(shape).astype(dt), requires_grad=True)
        p.grad = lib.tensor((rng.standard_normal(shape) * scale).astype(dt))
        params.append(p)
    if with_missing:
        params.append(lib.tensor(np.ones(3, np.float32), requires_grad=True))  # no .grad
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm, scale", [(1.0, 5.0), (100.0, 0.1)])  # clips / does not
def test_clip_grad_norm_matches_torch(norm_type, max_norm, scale) -> None:
    ours, theirs = _params(minitorch, 0, scale), _params(torch, 0, scale)
    n_m = minitorch.nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    n_t = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert n_m.dim() == 0 and str(n_m.dtype)[10:] == str(n_t.dtype)[6:]  # promoted like torch
    np.testing.assert_allclose(n_m.item(), n_t.item(), rtol=1e-6)
    for p, q in zip(ours, theirs):
        if q.grad is None:
            assert p.grad is None
            continue
        assert p.grad.dtype.itemsize == q.grad.dtype.itemsize
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-7)
    clipped = max_norm < n_t.item()
    joint = np.linalg.norm([np.linalg.norm(p.grad.numpy().ravel(), norm_type)
                            for p in ours[:3]], norm_type)
    assert (joint <= max_norm * (1 + 1e-5)) if clipped else joint == pytest.approx(n_t.item())


def test_clip_grad_norm_edge_cases() -> None:
    clip = minitorch.nn.utils.clip_grad_norm_
    p = minitorch.tensor([3.0, 4.0], requires_grad=True)
    p.grad = minitorch.tensor([3.0, 4.0])
    total = clip(p, 1.0)  # a single tensor works too
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8], rtol=1e-5)
    assert clip([minitorch.ones(2, requires_grad=True)], 1.0).item() == 0.0  # no grads at all
    p.grad = minitorch.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite, so it cannot be clipped"):
        clip(p, 1.0, error_if_nonfinite=True)
    q = torch.tensor([1.0, 2.0], requires_grad=True)
    q.grad = torch.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.utils.clip_grad_norm_(q, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as ours:
        clip(p, 1.0, error_if_nonfinite=True)
    assert str(ours.value) == str(theirs.value)


def test_clip_grad_value_matches_torch() -> None:
    ours, theirs = _params(minitorch, 1, 3.0), _params(torch, 1, 3.0)
    assert minitorch.nn.utils.clip_grad_value_(ours, 0.5) is None
    torch.nn.utils.clip_grad_value_(theirs, 0.5)
    for p, q in zip(ours, theirs):
        if q.grad is not None:
            np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
            assert np.abs(p.grad.numpy()).max() == 0.5


def test_clipping_in_a_training_loop_matches_torch() -> None:
    from benchmarks.models import init_parameters, mlp

    x = np.random.default_rng(2).standard_normal((16, 1, 28, 28)).astype(np.float32)
    y = np.random.default_rng(3).integers(0, 10, 16)
    losses = {}
    for lib in (minitorch, torch):
        model = mlp(lib)
        init_parameters(lib, model)
        opt = lib.optim.SGD(model.parameters(), lr=0.5)
        for _ in range(3):
            loss = lib.nn.functional.cross_entropy(model(lib.from_numpy(x)), lib.from_numpy(y))
            opt.zero_grad()
            loss.backward()
            lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.1)
            opt.step()
        losses[lib.__name__] = loss.item()
    assert losses["minitorch"] == pytest.approx(losses["torch"], rel=1e-4)


def test_inference_mode_like_torch() -> None:
    for lib in (minitorch, torch):
        x = lib.ones(2, requires_grad=True)
        with lib.inference_mode():
            assert not (x * 2).requires_grad
            assert lib.is_inference_mode_enabled() and not lib.is_grad_enabled()
        assert lib.is_grad_enabled() and not lib.is_inference_mode_enabled()
        with lib.inference_mode(False):
            assert (x * 2).requires_grad

        @lib.inference_mode
        def bare(t):
            return (t * 2).requires_grad

        @lib.inference_mode()
        def called(t):
            return (t * 2).requires_grad

        @lib.no_grad
        def bare_no_grad(t):
            return (t * 2).requires_grad

        assert bare(x) is False and called(x) is False and bare_no_grad(x) is False
        assert bare.__name__ == "bare"
        assert lib.is_grad_enabled()


# ------------------------------------------ isclose / allclose / tril / triu (torch-checked)
def test_isclose_allclose_like_torch() -> None:
    a_np = np.array([1.0, 2.0, np.nan, np.inf, -np.inf, 1e-9], np.float32)
    b_np = np.array([1.0, 2.00001, np.nan, np.inf, np.inf, 0.0], np.float32)
    for kw in ({}, {"equal_nan": True}, {"rtol": 0.0, "atol": 1e-8}):
        ours = minitorch.isclose(minitorch.tensor(a_np), minitorch.tensor(b_np), **kw)
        theirs = torch.isclose(torch.tensor(a_np), torch.tensor(b_np), **kw)
        assert ours.dtype == minitorch.bool
        assert ours.tolist() == theirs.tolist()
        assert minitorch.allclose(minitorch.tensor(a_np), minitorch.tensor(b_np), **kw) == \
            torch.allclose(torch.tensor(a_np), torch.tensor(b_np), **kw)
    x = minitorch.tensor([[1.0, 2.0]])
    assert x.allclose(x + 1e-9) is True and x.isclose(minitorch.tensor([1.0])).tolist() == [[True, False]]
    for a, b in (((4,), (2,)), ((3,), (3,))):
        dt = minitorch.float64 if a == b else minitorch.float32
        tdt = torch.float64 if a == b else torch.float32
        with pytest.raises(RuntimeError) as ours:
            minitorch.isclose(minitorch.ones(*a), minitorch.ones(*b, dtype=dt))
        with pytest.raises(RuntimeError) as theirs:
            torch.isclose(torch.ones(*a), torch.ones(*b, dtype=tdt))
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("fn", ["tril", "triu"])
@pytest.mark.parametrize("shape, k", [((4, 5), 0), ((4, 5), 1), ((5, 4), -2), ((2, 3, 4), -1)])
def test_tril_triu_values_and_gradients_like_torch(fn, shape, k) -> None:
    x_np = np.random.default_rng(0).standard_normal(shape)
    g_np = np.random.default_rng(1).standard_normal(shape)
    x_np[0, ..., -1] = np.inf  # a masked-out infinity must become 0, not nan
    xm = minitorch.tensor(x_np, requires_grad=True)
    xt = torch.tensor(x_np, requires_grad=True)
    ym, yt = getattr(minitorch, fn)(xm, k), getattr(torch, fn)(xt, k)
    np.testing.assert_array_equal(ym.detach().numpy(), yt.detach().numpy())
    assert ym.grad_fn.name() == yt.grad_fn.name()
    ym.backward(minitorch.tensor(g_np))
    yt.backward(torch.tensor(g_np))
    np.testing.assert_array_equal(xm.grad.numpy(), xt.grad.numpy())
    np.testing.assert_array_equal(getattr(xm, fn)(k).detach().numpy(), yt.detach().numpy())
    with pytest.raises(RuntimeError, match=f"{fn}: input tensor must have at least 2 dimensions"):
        getattr(minitorch, fn)(minitorch.ones(3))
