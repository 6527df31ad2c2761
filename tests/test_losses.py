"""Loss functions and modules against real PyTorch: outputs, input gradients (random
upstream gradient), options, second derivatives and error messages."""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import pytest
import torch

import minitorch
import minitorch.nn.functional as F
from minitorch import nn

TF = torch.nn.functional
DTYPES = {
    "float64": (minitorch.float64, torch.float64, 1e-10),
    "float32": (minitorch.float32, torch.float32, 1e-5),
}
REDUCTIONS = ["none", "mean", "sum"]


def _pair(arr: np.ndarray, grad: bool = False, device: str = "cpu"):
    """The same values as a minitorch and a torch tensor, on ``device``."""
    m = minitorch.tensor(arr.copy(), requires_grad=grad, device=device)
    t = torch.tensor(arr.copy(), requires_grad=grad, device=device)
    return m, t


def _close(m, t, tol):
    assert m is not None and t is not None
    if isinstance(m, minitorch.Tensor):
        assert str(m.device) == str(t.device), f"device {m.device} vs torch {t.device}"
    a = m.detach().cpu().numpy() if isinstance(m, minitorch.Tensor) else np.asarray(m)
    b = t.detach().cpu().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _compare(mfn, tfn, arrays, grads, tol, seed=0, device="cpu"):
    """Run both on ``device``, compare outputs, then backward a random upstream gradient
    and compare the gradients of the arrays flagged in ``grads``."""
    ms, ts = zip(*(_pair(a, g, device) for a, g in zip(arrays, grads)))
    mo, to = mfn(*ms), tfn(*ts)
    _close(mo, to, tol)
    up = np.random.default_rng(seed).standard_normal(to.shape).astype(arrays[0].dtype)
    mo.backward(minitorch.tensor(up, device=device))
    to.backward(torch.tensor(up, device=device))
    for m, t, g in zip(ms, ts, grads):
        if g:
            _close(m.grad, t.grad, tol)
    return mo, to


def _rand(shape, dtype, seed=0, scale=1.0):
    # np.asarray: a 0-d draw must stay an array (minitorch.tensor(np.float64(1.0)) is float32)
    return np.asarray(np.random.default_rng(seed).standard_normal(shape) * scale, dtype=dtype)


# -------------------------------------------------------------------- regression losses
POINTWISE = [
    ("mse_loss", {}),
    ("l1_loss", {}),
    ("smooth_l1_loss", {}),
    ("smooth_l1_loss", {"beta": 0.5}),
    ("smooth_l1_loss", {"beta": 0.0}),
    ("huber_loss", {}),
    ("huber_loss", {"delta": 0.3}),
]


@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", POINTWISE)
def test_pointwise_losses(name, kw, reduction, dtype, device):
    x, y = _rand((4, 5), dtype, 1), _rand((4, 5), dtype, 2)
    tol = DTYPES[dtype][2]
    _compare(
        lambda a, b: getattr(F, name)(a, b, reduction=reduction, **kw),
        lambda a, b: getattr(TF, name)(a, b, reduction=reduction, **kw),
        [x, y],
        [True, True],
        tol,
        device=device,
    )


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_pointwise_weight(name, reduction):
    x, y, w = (
        _rand((3, 4), "float64", 1),
        _rand((3, 4), "float64", 2),
        np.abs(_rand((3, 4), "float64", 3)),
    )
    _compare(
        lambda a, b, c: getattr(F, name)(a, b, reduction=reduction, weight=c),
        lambda a, b, c: getattr(TF, name)(a, b, reduction=reduction, weight=c),
        [x, y, w],
        [True, True, False],
        1e-10,
    )


def test_pointwise_broadcast_warns_like_torch():
    x, y = _rand((3, 1), "float64", 1), _rand((4,), "float64", 2)
    with pytest.warns(UserWarning, match="target size"):
        _compare(F.mse_loss, TF.mse_loss, [x, y], [True, True], 1e-10)


def test_pointwise_dtype_promotion():
    m = F.mse_loss(minitorch.ones(3), minitorch.zeros(3, dtype=minitorch.float64))
    assert m.dtype is minitorch.float64


def test_pointwise_ties_and_boundaries():
    # d = 0 (sign subgradient 0), |d| = beta exactly, integers
    x = np.array([0.0, 1.0, -1.0, 2.0, 0.5])
    y = np.array([0.0, 0.0, 0.0, 1.0, 0.0])
    for name in ("l1_loss", "smooth_l1_loss", "huber_loss", "mse_loss"):
        _compare(getattr(F, name), getattr(TF, name), [x, y], [True, True], 1e-12)


def test_grad_fn_names_match_torch():
    x = minitorch.randn(3, requires_grad=True)
    y = minitorch.randn(3)
    assert type(F.mse_loss(x, y).grad_fn).__name__ == "MseLossBackward0"
    assert type(F.smooth_l1_loss(x, y).grad_fn).__name__ == "SmoothL1LossBackward0"
    assert type(F.huber_loss(x, y).grad_fn).__name__ == "HuberLossBackward0"
    t = minitorch.tensor([0, 2, 1])
    logits = minitorch.randn(3, 4, requires_grad=True)
    nll = F.nll_loss(logits.log_softmax(1), t)
    assert type(nll.grad_fn).__name__ == "NllLossBackward0"
    assert type(nll.grad_fn.next_functions[0][0]).__name__ == "LogSoftmaxBackward0"


# ------------------------------------------------------------------- cross-entropy / NLL
def _targets(shape, n_classes, seed=0, ignore=None):
    t = np.random.default_rng(seed).integers(0, n_classes, size=shape).astype(np.int64)
    if ignore is not None:
        t.reshape(-1)[::3] = ignore
    return t


def _ce(module, target, device="cpu", **kw):
    if module is torch:
        return lambda x: TF.cross_entropy(
            x, torch.tensor(target, device=device), **{k: _tw(v, device) for k, v in kw.items()}
        )
    return lambda x: F.cross_entropy(
        x, minitorch.tensor(target, device=device), **{k: _mw(v, device) for k, v in kw.items()}
    )


def _tw(v, device="cpu"):
    return torch.tensor(v, device=device) if isinstance(v, np.ndarray) else v


def _mw(v, device="cpu"):
    return minitorch.tensor(v, device=device) if isinstance(v, np.ndarray) else v


CE_CASES = [
    ("plain", (6, 5), (6,), {}),
    ("unbatched", (5,), (), {}),
    ("extra_dims", (3, 4, 2, 3), (3, 2, 3), {}),
    ("one_extra_dim", (3, 4, 5), (3, 5), {}),
    ("ignore", (6, 5), (6,), {"ignore_index": 2}),
    ("ignore_default", (7, 5), (7,), {"_ignore": -100}),
    ("weight", (6, 5), (6,), {"weight": True}),
    ("weight_ignore", (7, 5), (7,), {"weight": True, "_ignore": 3, "ignore_index": 3}),
    ("smooth", (6, 5), (6,), {"label_smoothing": 0.1}),
    (
        "smooth_weight_ignore",
        (7, 5),
        (7,),
        {"label_smoothing": 0.2, "weight": True, "_ignore": 1, "ignore_index": 1},
    ),
    (
        "smooth_extra_dims_weight",
        (3, 4, 2, 3),
        (3, 2, 3),
        {"label_smoothing": 0.3, "weight": True, "_ignore": 0, "ignore_index": 0},
    ),
    ("smooth_unbatched", (5,), (), {"label_smoothing": 0.25, "weight": True}),
    ("weight_extra_dims", (3, 4, 5), (3, 5), {"weight": True}),
]


@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CE_CASES, ids=[c[0] for c in CE_CASES])
def test_cross_entropy_index_targets(case, reduction, dtype, device):
    _, shape, tshape, kw = case
    kw = dict(kw)
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    ignore = kw.pop("_ignore", None)
    target = _targets(tshape, n_classes, seed=1, ignore=ignore)
    if kw.pop("weight", False):
        kw["weight"] = np.abs(_rand((n_classes,), dtype, 5)) + 0.1
    x = _rand(shape, dtype, 3)
    tol = DTYPES[dtype][2]
    _compare(
        _ce(minitorch, target, device, reduction=reduction, **kw),
        _ce(torch, target, device, reduction=reduction, **kw),
        [x],
        [True],
        tol,
        device=device,
    )
    # nll_loss on log-probabilities must agree too (when no smoothing)
    if "label_smoothing" not in kw:
        _compare(
            lambda a: F.nll_loss(
                a,
                minitorch.tensor(target, device=device),
                reduction=reduction,
                **{k: _mw(v, device) for k, v in kw.items()},
            ),
            lambda a: TF.nll_loss(
                a,
                torch.tensor(target, device=device),
                reduction=reduction,
                **{k: _tw(v, device) for k, v in kw.items()},
            ),
            [x],
            [True],
            tol,
            device=device,
        )


def test_cross_entropy_all_ignored_is_nan_like_torch():
    x = _rand((3, 4), "float64", 0)
    t = np.full(3, -100)
    mo = F.cross_entropy(minitorch.tensor(x), minitorch.tensor(t))
    assert np.isnan(mo.item()) and np.isnan(
        TF.cross_entropy(torch.tensor(x), torch.tensor(t)).item()
    )
    assert F.cross_entropy(minitorch.tensor(x), minitorch.tensor(t), reduction="sum").item() == 0.0


@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 5), (5,), (2, 3, 4)])
@pytest.mark.parametrize(
    "smoothing,weight", [(0.0, False), (0.2, False), (0.0, True), (0.15, True)]
)
def test_cross_entropy_probability_targets(shape, reduction, dtype, smoothing, weight):
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    x = _rand(shape, dtype, 1)
    p = np.random.default_rng(2).random(shape).astype(dtype)
    p /= p.sum(axis=0 if len(shape) == 1 else 1, keepdims=True)
    kw = {"reduction": reduction, "label_smoothing": smoothing}
    if weight:
        kw["weight"] = np.abs(_rand((n_classes,), dtype, 5)) + 0.1
    _compare(
        lambda a, b: F.cross_entropy(a, b, **{k: _mw(v) for k, v in kw.items()}),
        lambda a, b: TF.cross_entropy(a, b, **{k: _tw(v) for k, v in kw.items()}),
        [x, p],
        [True, True],
        DTYPES[dtype][2],
    )


@pytest.mark.parametrize("dtype", list(DTYPES))
def test_cross_entropy_huge_logits_finite(dtype):
    x = _rand((5, 4), dtype, 0, scale=1e4)
    t = _targets((5,), 4, seed=1)
    for red in REDUCTIONS:
        mo, _ = _compare(
            _ce(minitorch, t, reduction=red),
            _ce(torch, t, reduction=red),
            [x],
            [True],
            DTYPES[dtype][2],
        )
        assert np.isfinite(mo.detach().numpy()).all()
    # the composed path (label smoothing) is stable too
    mo, _ = _compare(
        _ce(minitorch, t, label_smoothing=0.1),
        _ce(torch, t, label_smoothing=0.1),
        [x],
        [True],
        1e-4 if dtype == "float32" else 1e-10,
    )
    assert np.isfinite(mo.item())


def test_cross_entropy_fast_path_keeps_float32():
    x = minitorch.randn(8, 10, requires_grad=True)
    loss = F.cross_entropy(x, minitorch.randint(0, 10, (8,)))
    loss.backward()
    assert loss.dtype is minitorch.float32 and x.grad.dtype is minitorch.float32


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "kw",
    [{}, {"label_smoothing": 0.1, "weight": True}, {"ignore_index": 1}],
    ids=["fused", "general", "ignore"],
)
def test_cross_entropy_second_derivative(reduction, kw):
    kw = dict(kw)
    x = _rand((4, 3), "float64", 0)
    t = _targets((4,), 3, seed=4)
    if kw.pop("weight", False):
        kw["weight"] = np.array([0.5, 1.5, 2.0])
    v = _rand((4, 3), "float64", 7)
    up = _rand(() if reduction != "none" else (4,), "float64", 8)
    res = []
    for lib, fn, wrap in ((minitorch, F.cross_entropy, _mw), (torch, TF.cross_entropy, _tw)):
        xx = lib.tensor(x, requires_grad=True)
        g = lib.tensor(up, requires_grad=True)
        loss = fn(xx, lib.tensor(t), reduction=reduction, **{k: wrap(val) for k, val in kw.items()})
        (gx,) = lib.autograd.grad(loss, xx, g, create_graph=True)
        ((gx * lib.tensor(v)).sum() ** 2).backward()
        res.append((gx.detach().numpy(), xx.grad.numpy(), g.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


def test_mse_second_derivative():
    x, y = _rand((3, 4), "float64", 0), _rand((3, 4), "float64", 1)
    res = []
    for lib, fn in ((minitorch, F.mse_loss), (torch, TF.mse_loss)):
        xx, yy = lib.tensor(x, requires_grad=True), lib.tensor(y, requires_grad=True)
        (gx,) = lib.autograd.grad(fn(xx, yy) * 3, xx, create_graph=True)
        (gx**3).sum().backward()
        res.append((xx.grad.numpy(), yy.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-10)


# ---------------------------------------------------------------------- binary losses
@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [False, True])
def test_binary_cross_entropy(reduction, dtype, weight):
    rng = np.random.default_rng(0)
    x = rng.uniform(0.05, 0.95, (4, 3)).astype(dtype)
    y = rng.random((4, 3)).astype(dtype)
    arrays, grads = [x, y], [True, True]
    if weight:
        arrays.append(rng.random((3,)).astype(dtype))
        grads.append(False)

    def run(lib_f, *a):
        return lib_f(a[0], a[1], weight=a[2] if weight else None, reduction=reduction)

    _compare(
        lambda *a: run(F.binary_cross_entropy, *a),
        lambda *a: run(TF.binary_cross_entropy, *a),
        arrays,
        grads,
        DTYPES[dtype][2],
    )


def test_binary_cross_entropy_clamps_log_at_minus_100():
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    for red in REDUCTIONS:
        _compare(
            lambda a, b, red=red: F.binary_cross_entropy(a, b, reduction=red),
            lambda a, b, red=red: TF.binary_cross_entropy(a, b, reduction=red),
            [x, y],
            [True, False],
            1e-10,
        )


@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", ["plain", "weight", "pos_weight", "both"])
def test_bce_with_logits(reduction, dtype, opts):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((4, 3)) * 3).astype(dtype)
    x[0, 0] = 0.0
    y = rng.random((4, 3)).astype(dtype)
    w = rng.random((4, 1)).astype(dtype)  # broadcasts over classes
    pw = (rng.random((3,)) * 3).astype(dtype)  # broadcasts over the batch

    def run(f, a, b):
        return f(
            a,
            b,
            reduction=reduction,
            weight=w if opts in ("weight", "both") else None,
            pos_weight=pw if opts in ("pos_weight", "both") else None,
        )

    _compare(
        lambda a, b: run(
            lambda a, b, weight, pos_weight, **k: F.binary_cross_entropy_with_logits(
                a,
                b,
                _mw(weight) if weight is not None else None,
                pos_weight=_mw(pos_weight) if pos_weight is not None else None,
                **k,
            ),
            a,
            b,
        ),
        lambda a, b: run(
            lambda a, b, weight, pos_weight, **k: TF.binary_cross_entropy_with_logits(
                a,
                b,
                _tw(weight) if weight is not None else None,
                pos_weight=_tw(pos_weight) if pos_weight is not None else None,
                **k,
            ),
            a,
            b,
        ),
        [x, y],
        [True, True],
        DTYPES[dtype][2],
    )


@pytest.mark.parametrize("dtype", list(DTYPES))
def test_bce_with_logits_huge_logits(dtype):
    x = np.array([1e4, -1e4, 50.0, -50.0, 0.0], dtype=dtype)
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.3], dtype=dtype)
    mo, _ = _compare(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction="none"),
        lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction="none"),
        [x, y],
        [True, True],
        DTYPES[dtype][2],
    )
    assert np.isfinite(mo.detach().numpy()).all()


# ----------------------------------------------------------------------------- modules
MODULES = [
    ("MSELoss", {}, "reg"),
    ("L1Loss", {}, "reg"),
    ("SmoothL1Loss", {"beta": 0.7}, "reg"),
    ("HuberLoss", {"delta": 0.4}, "reg"),
    ("CrossEntropyLoss", {"label_smoothing": 0.1, "ignore_index": 1}, "cls"),
    ("CrossEntropyLoss", {"weight": np.array([1.0, 2.0, 0.5])}, "cls"),
    ("NLLLoss", {"weight": np.array([1.0, 2.0, 0.5])}, "cls"),
    ("BCELoss", {"weight": np.array([1.0, 2.0, 0.5])}, "prob"),
    ("BCEWithLogitsLoss", {"pos_weight": np.array([1.0, 2.0, 0.5])}, "reg"),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw,kind", MODULES)
def test_loss_modules(name, kw, kind, reduction):
    x = _rand((4, 3), "float64", 0)
    y = np.random.default_rng(1).random((4, 3))
    if kind == "cls":
        y = _targets((4,), 3, seed=2)
    if kind == "prob":
        x = np.random.default_rng(3).uniform(0.1, 0.9, (4, 3))
    m = getattr(nn, name)(reduction=reduction, **{k: _mw(v) for k, v in kw.items()})
    t = getattr(torch.nn, name)(reduction=reduction, **{k: _tw(v) for k, v in kw.items()})
    _compare(m, t, [x, y], [True, kind != "cls"], 1e-10)
    assert m.reduction == reduction
    if "weight" in kw:
        assert "weight" in dict(m.named_buffers())


def test_loss_module_legacy_flags():
    with pytest.warns(UserWarning, match="reduction='sum'"):
        m = nn.MSELoss(size_average=False)
    assert m.reduction == "sum"


# ------------------------------------------------------------------------------ errors
def _x(*shape):
    return minitorch.randn(*shape)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (
            lambda: F.cross_entropy(_x(3, 5), minitorch.tensor([1, 2, 10])),
            IndexError,
            "Target 10 is out of bounds.",
        ),
        (
            lambda: F.cross_entropy(_x(3, 5), minitorch.tensor([1, -1, 2])),
            IndexError,
            "Target -1 is out of bounds.",
        ),
        (
            lambda: F.cross_entropy(_x(3, 5), minitorch.tensor([1, 2, 3, 4])),
            ValueError,
            r"Expected input batch_size \(3\) to match target batch_size \(4\)\.",
        ),
        (
            lambda: F.cross_entropy(_x(3, 5), minitorch.tensor([1.0, 2, 3])),
            RuntimeError,
            "expected target dtype to be Long or Byte, but got Float",
        ),
        (
            lambda: F.cross_entropy(_x(3, 5), minitorch.tensor([1, 2, 3], dtype=minitorch.int32)),
            RuntimeError,
            "expected target dtype to be Long or Byte, but got Int",
        ),
        (
            lambda: F.cross_entropy(_x(3, 5), minitorch.zeros(3, 5, dtype=minitorch.int64)),
            RuntimeError,
            "Expected floating point type for target with class probabilities, got Long",
        ),
        (
            lambda: F.cross_entropy(_x(3, 5), minitorch.rand(3, 5), ignore_index=1),
            RuntimeError,
            "ignore_index is not supported for floating point target",
        ),
        (
            lambda: F.cross_entropy(_x(3, 5), minitorch.tensor([1, 2, 3]), label_smoothing=1.5),
            RuntimeError,
            "label_smoothing must be between 0.0 and 1.0. Got: 1.5",
        ),
        (
            lambda: F.cross_entropy(
                _x(3, 5), minitorch.tensor([1, 2, 3]), weight=minitorch.ones(4)
            ),
            RuntimeError,
            r"weight tensor should be defined either for all 5 classes or no classes but got weight tensor of shape: \[4\]",
        ),
        (
            lambda: F.cross_entropy(_x(3, 5, 2), minitorch.tensor([1, 2, 3])),
            RuntimeError,
            r"Expected target size \[3, 2\], got \[3\]",
        ),
        (
            lambda: F.cross_entropy(_x(3, 5, 2, 2), minitorch.zeros(3, 3, dtype=minitorch.int64)),
            RuntimeError,
            "only batches of spatial targets supported",
        ),
        (
            lambda: F.cross_entropy(_x(3, 5), minitorch.zeros(3, 3, dtype=minitorch.int64)),
            RuntimeError,
            "0D or 1D target tensor expected, multi-target not supported",
        ),
        (
            lambda: F.cross_entropy(_x(3, 5), minitorch.tensor([1, 2, 3]), reduction="foo"),
            ValueError,
            "foo is not a valid value for reduction",
        ),
        (
            lambda: F.mse_loss(_x(3), _x(3), reduction="avg"),
            ValueError,
            "avg is not a valid value for reduction",
        ),
        (
            lambda: F.nll_loss(_x(3, 5), minitorch.tensor([1, 2, 3]), weight=minitorch.ones(5, 1)),
            RuntimeError,
            "weight tensor should be defined either for all 5 classes",
        ),
        (
            lambda: F.binary_cross_entropy(minitorch.rand(3), minitorch.rand(3, 1)),
            ValueError,
            r"Using a target size \(minitorch.Size\(\[3, 1\]\)\) that is different to the input size",
        ),
        (
            lambda: F.binary_cross_entropy(minitorch.rand(3) + 1, minitorch.rand(3)),
            RuntimeError,
            "all elements of input should be between 0 and 1",
        ),
        (
            lambda: F.binary_cross_entropy_with_logits(minitorch.rand(3), minitorch.rand(3, 1)),
            ValueError,
            r"Target size \(minitorch.Size\(\[3, 1\]\)\) must be the same as input size",
        ),
        (
            lambda: F.mse_loss(_x(3), _x(4)),
            RuntimeError,
            r"The size of tensor a \(3\) must match the size of tensor b \(4\)",
        ),
        (
            lambda: F.mse_loss(_x(3), _x(3), weight=_x(2)),
            ValueError,
            "Weights and input must have the same size.",
        ),
        (
            lambda: F.smooth_l1_loss(_x(3), _x(3), beta=-1),
            RuntimeError,
            "does not support negative values for beta",
        ),
        (
            lambda: F.huber_loss(_x(3), _x(3), delta=0),
            RuntimeError,
            "does not support non-positive values for delta",
        ),
    ],
)
def test_errors(call, exc, match):
    warns = pytest.warns(UserWarning) if "size of tensor a" in match else nullcontext()
    with warns, pytest.raises(exc, match=match):
        call()


def test_torch_agrees_on_error_messages():
    """The messages asserted above are PyTorch's own (spot check a few)."""
    with pytest.raises(IndexError, match="Target 10 is out of bounds."):
        TF.cross_entropy(torch.randn(3, 5), torch.tensor([1, 2, 10]))
    with pytest.raises(
        ValueError, match=r"Expected input batch_size \(3\) to match target batch_size \(4\)\."
    ):
        TF.cross_entropy(torch.randn(3, 5), torch.tensor([1, 2, 3, 4]))
    with pytest.raises(
        RuntimeError, match="expected target dtype to be Long or Byte, but got Float"
    ):
        TF.cross_entropy(torch.randn(3, 5), torch.tensor([1.0, 2, 3]))
