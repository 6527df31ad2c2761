"""minitorch.nn.functional against torch.nn.functional: values, gradients (random upstream
gradient), second derivatives, and error messages."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minitorch
import minitorch.nn.functional as F
from minitorch.ops.activation import erf_array

TOL = {np.float64: 1e-10, np.float32: 1e-5}


def pair(arr: np.ndarray, requires_grad: bool = True):
    """The same values as a minitorch and a torch tensor."""
    m = minitorch.tensor(arr, requires_grad=requires_grad)
    t = torch.tensor(arr, requires_grad=requires_grad)
    return m, t


def close(m, t, tol: float) -> None:
    """Assert a minitorch tensor equals a torch tensor (relative/absolute ``tol``)."""
    assert tuple(m.shape) == tuple(t.shape)
    np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


def check_fn(fm, ft, arrays, dtype=np.float64, grad_of=None) -> None:
    """Compare values and input gradients of ``fm(*m_inputs)`` and ``ft(*t_inputs)``."""
    tol = TOL[dtype]
    rng = np.random.default_rng(1)
    ms, ts = zip(*(pair(a.astype(dtype)) for a in arrays))
    out_m, out_t = fm(*ms), ft(*ts)
    close(out_m, out_t, tol)
    up = rng.standard_normal(out_t.shape).astype(dtype)
    out_m.backward(minitorch.tensor(up))
    out_t.backward(torch.tensor(up))
    for m, t in zip(ms, ts):
        close(m.grad, t.grad, tol)


ACTIVATIONS = [
    ("relu", F.relu, TF.relu),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    ("leaky_relu_default", F.leaky_relu, TF.leaky_relu),
    ("elu", F.elu, TF.elu),
    ("elu_alpha", lambda x: F.elu(x, 0.5), lambda x: TF.elu(x, 0.5)),
    ("gelu", F.gelu, TF.gelu),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"),
     lambda x: TF.gelu(x, approximate="tanh")),
    ("sigmoid", F.sigmoid, torch.sigmoid),
    ("tanh", F.tanh, torch.tanh),
    ("silu", F.silu, TF.silu),
    ("softplus", F.softplus, TF.softplus),
    ("softplus_beta", lambda x: F.softplus(x, 2.0, 3.0), lambda x: TF.softplus(x, 2.0, 3.0)),
    ("hardtanh", F.hardtanh, TF.hardtanh),
    ("relu6", F.relu6, TF.relu6),
    ("softmax", lambda x: F.softmax(x, 1), lambda x: TF.softmax(x, 1)),
    ("softmax_neg", lambda x: F.softmax(x, dim=-1), lambda x: TF.softmax(x, dim=-1)),
    ("log_softmax", lambda x: F.log_softmax(x, 0), lambda x: TF.log_softmax(x, 0)),
    ("normalize", F.normalize, TF.normalize),
    ("normalize_p1", lambda x: F.normalize(x, 1.0, 0), lambda x: TF.normalize(x, 1.0, 0)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,fm,ft", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_matches_torch(name, fm, ft, dtype, rng) -> None:
    x = rng.standard_normal((4, 5, 3)) * 3
    x[0, 0, 0] = 25.0  # above softplus's threshold
    x[0, 0, 1] = 1.0  # hardtanh's boundary
    check_fn(fm, ft, [x], dtype)


SMOOTH = [a for a in ACTIVATIONS if a[0] in
          ("elu", "gelu", "gelu_tanh", "silu", "softplus", "softplus_beta",
           "normalize")]


@pytest.mark.parametrize("name,fm,ft", SMOOTH, ids=[a[0] for a in SMOOTH])
def test_activation_second_derivative(name, fm, ft, rng) -> None:
    """d/dx of (upstream . grad) — the Hessian-vector product — matches torch."""
    x = rng.standard_normal((3, 4)) * 2
    v = rng.standard_normal((3, 4))
    (m, t) = pair(x)
    (gm,) = minitorch.autograd.grad(fm(m), m, minitorch.tensor(v), create_graph=True)
    (gt,) = torch.autograd.grad(ft(t), t, torch.tensor(v), create_graph=True)
    close(gm, gt, 1e-10)
    w = rng.standard_normal((3, 4))
    (hm,) = minitorch.autograd.grad((gm * minitorch.tensor(w)).sum(), m)
    (ht,) = torch.autograd.grad((gt * torch.tensor(w)).sum(), t)
    close(hm, ht, 1e-9)


def test_erf_is_double_precise() -> None:
    x = np.concatenate([np.linspace(-7, 7, 20001), [0.0, 2.5, -2.5, 1e-300, 40.0]])
    ref = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(erf_array(x), ref, rtol=0, atol=2e-15)
    assert erf_array(x.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("fn,kwargs", [("relu", {}), ("leaky_relu", {"negative_slope": 0.1}),
                                       ("elu", {}), ("hardtanh", {}), ("silu", {})])
def test_inplace_activation_writes_into_input(fn, kwargs, rng) -> None:
    x = rng.standard_normal((3, 4))
    m, t = pair(x)
    mm, tt = m * 2, t * 2  # non-leaf, so in-place is allowed with autograd
    rm = getattr(F, fn)(mm, inplace=True, **kwargs)
    rt = getattr(TF, fn)(tt, inplace=True, **kwargs)
    assert rm is mm
    close(mm, tt, 1e-12)
    up = rng.standard_normal((3, 4))
    rm.backward(minitorch.tensor(up))
    rt.backward(torch.tensor(up))
    close(m.grad, t.grad, 1e-12)


def test_relu_inplace_on_leaf_requiring_grad_raises() -> None:
    x = minitorch.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.relu_(x)


def test_gelu_bad_approximate() -> None:
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(minitorch.randn(3), approximate="fast")


def test_softmax_implicit_dim_like_torch(rng) -> None:
    for shape in [(5,), (2, 5), (2, 3, 4), (2, 3, 4, 5)]:
        x = rng.standard_normal(shape)
        with pytest.warns(UserWarning):
            ref = TF.softmax(torch.tensor(x))
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
            ours = F.softmax(minitorch.tensor(x))
        close(ours, ref, 1e-12)


# ----------------------------------------------------------------------------- linear
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("xshape", [(5, 3), (3,), (2, 4, 3), (2, 1, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(xshape, bias, dtype, rng) -> None:
    arrays = [rng.standard_normal(xshape), rng.standard_normal((6, 3))]
    if bias:
        arrays.append(rng.standard_normal(6))
    check_fn(F.linear, TF.linear, arrays, dtype)


def test_linear_is_one_node_and_twice_differentiable(rng) -> None:
    x, w, b = (rng.standard_normal(s) for s in [(4, 3), (2, 3), (2,)])
    (xm, xt), (wm, wt), (bm, bt) = pair(x), pair(w), pair(b)
    ym = F.linear(xm, wm, bm)
    assert ym.grad_fn.name() == "AddmmBackward0"  # one node, named like PyTorch's
    yt = TF.linear(xt, wt, bt)
    gm = minitorch.autograd.grad((ym * ym).sum(), [xm, wm], create_graph=True)
    gt = torch.autograd.grad((yt * yt).sum(), [xt, wt], create_graph=True)
    hm = minitorch.autograd.grad(gm[0].sum() + (gm[1] * gm[1]).sum(), [xm, wm, bm])
    ht = torch.autograd.grad(gt[0].sum() + (gt[1] * gt[1]).sum(), [xt, wt, bt])
    for a, b_ in zip(hm, ht):
        close(a, b_, 1e-10)


def test_linear_errors() -> None:
    x = minitorch.randn(4, 3)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(4x3 and 5x2\)"):
        F.linear(x, minitorch.randn(2, 5))
    with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype"):
        F.linear(x, minitorch.randn(2, 3, dtype=minitorch.float64))


# ---------------------------------------------------------------------------- dropout
def test_dropout_p0_p1_and_eval_exact(rng) -> None:
    x = minitorch.tensor(rng.standard_normal((20, 30)), requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    np.testing.assert_array_equal(F.dropout(x, 0.0).detach().numpy(), x.detach().numpy())
    y = F.dropout(x, 1.0)
    np.testing.assert_array_equal(y.detach().numpy(), 0.0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 0.0)


def test_dropout_statistics_and_gradient() -> None:
    x = minitorch.ones(200, 500, requires_grad=True)
    y = F.dropout(x, 0.5)
    vals = y.detach().numpy()
    assert set(np.unique(vals)) <= {0.0, 2.0}  # survivors scaled by 1/(1-p)
    kept = (vals != 0).mean()
    assert abs(kept - 0.5) < 0.01  # 100k draws: std of the mean ~0.0016
    up = np.random.default_rng(0).standard_normal(vals.shape)
    y.backward(minitorch.tensor(up, dtype=minitorch.float32))
    np.testing.assert_allclose(x.grad.numpy(), up * vals, rtol=1e-6)


def test_dropout_seeded_and_bad_p() -> None:
    x = minitorch.ones(50)
    minitorch.manual_seed(3)
    a = F.dropout(x, 0.3)
    minitorch.manual_seed(3)
    b = F.dropout(x, 0.3)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        F.dropout(x, 1.5)


@pytest.mark.parametrize("fn, shape, batched", [
    ("dropout1d", (40, 30, 7), True),
    ("dropout1d", (1200, 7), False),
    ("dropout2d", (40, 30, 3, 4), True),
    ("dropout3d", (40, 30, 2, 3, 2), True),
    ("dropout3d", (1200, 2, 3, 2), False),
])
def test_channel_dropout_zeroes_whole_channels(fn, shape, batched) -> None:
    minitorch.manual_seed(0)
    x = minitorch.ones(*shape, requires_grad=True)
    y = getattr(F, fn)(x, 0.4)
    vals = y.detach().numpy()
    assert vals.shape == shape
    np.testing.assert_allclose(np.unique(vals), [0.0, 1 / 0.6], rtol=1e-6)
    lead = 2 if batched else 1  # one mask entry per (sample, channel) or per channel
    per_channel = vals.reshape(shape[:lead] + (-1,))
    assert (per_channel == per_channel[..., :1]).all()  # a channel is kept or zeroed whole
    kept = (per_channel[..., 0] != 0).mean()
    assert abs(kept - 0.6) < 0.06  # 1,200 channel draws: 4 standard deviations
    up = np.random.default_rng(0).standard_normal(shape)
    y.backward(minitorch.tensor(up, dtype=minitorch.float32))
    np.testing.assert_allclose(x.grad.numpy(), up * vals, rtol=1e-6)  # the same mask


def test_channel_dropout_edge_cases_like_torch() -> None:
    torch = pytest.importorskip("torch")
    tF = torch.nn.functional
    x = minitorch.randn(2, 3, 4, 4, requires_grad=True)
    for fn in ("dropout1d", "dropout2d", "dropout3d"):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            getattr(F, fn)(x, -0.1)
    assert F.dropout2d(x, 0.5, training=False) is x
    np.testing.assert_array_equal(F.dropout2d(x, 0.0).detach().numpy(), x.detach().numpy())
    np.testing.assert_array_equal(F.dropout2d(x, 1.0).detach().numpy(), 0.0)
    for shape in ((4,), (2, 3, 4, 5)):  # wrong ranks for dropout1d: torch's message
        with pytest.raises(RuntimeError) as ours:
            F.dropout1d(minitorch.ones(*shape))
        with pytest.raises(RuntimeError) as theirs:
            tF.dropout1d(torch.ones(*shape))
        assert str(ours.value) == str(theirs.value)
    with (pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"),
          pytest.warns(UserWarning)):
        F.dropout2d(minitorch.ones(4))
    # Other ranks warn as torch does; a 3-D input to dropout2d is read as (N, C, L).
    for fn, shape in (("dropout2d", (2, 3)), ("dropout2d", (6, 5, 4)), ("dropout3d", (6, 5))):
        with pytest.warns(UserWarning) as ours:
            y = getattr(F, fn)(minitorch.ones(*shape), 0.5)
        with pytest.warns(UserWarning) as theirs:
            getattr(tF, fn)(torch.ones(*shape), 0.5)
        assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
        assert tuple(y.shape) == shape
    with pytest.warns(UserWarning):
        vals = F.dropout2d(minitorch.ones(50, 40, 6), 0.5).numpy()
    assert (vals == vals[:, :, :1]).all()  # (N, C, L): the L values share one draw


def test_channel_dropout_inplace_and_modules() -> None:
    x = minitorch.ones(8, 5, 3, 3)
    y = F.dropout2d(x, 0.5, inplace=True)
    assert y is x and set(np.unique(x.numpy())) <= {0.0, 2.0}
    z = minitorch.ones(5, 3)  # unbatched dropout1d, in place: same tensor, same shape
    out = F.dropout1d(z, 0.5, inplace=True)
    assert out is z and tuple(z.shape) == (5, 3)
    assert (z.numpy() == z.numpy()[:, :1]).all()
    for name in ("Dropout1d", "Dropout2d", "Dropout3d"):
        m = getattr(minitorch.nn, name)(0.25)
        assert repr(m) == f"{name}(p=0.25, inplace=False)"
        with pytest.raises(ValueError, match="dropout probability"):
            getattr(minitorch.nn, name)(1.5)
    m = minitorch.nn.Dropout2d(0.5)
    x = minitorch.ones(4, 6, 2, 2)
    assert set(np.unique(m(x).numpy())) <= {0.0, 2.0}
    m.eval()
    assert m(x) is x


# ------------------------------------------------------------------------------- pad
PADS = [
    ((1, 2), "constant", 0.0),
    ((1, 2, 0, 3), "constant", 1.5),
    ((-1, 2, 1, -2), "constant", 0.0),
    ((2, 1, 1, 2), "reflect", None),
    ((2, 1, 1, 2), "replicate", None),
    ((2, 1, 1, 3), "circular", None),
    ((1, 1), "reflect", None),
]


@pytest.mark.parametrize("padding,mode,value", PADS)
def test_pad_matches_torch(padding, mode, value, rng) -> None:
    x = rng.standard_normal((2, 3, 4, 5) if len(padding) == 4 else (2, 4, 5))
    kw = {} if value is None else {"value": value}
    check_fn(lambda t: F.pad(t, padding, mode, **kw),
             lambda t: TF.pad(t, padding, mode, **kw), [x])


def test_pad_errors() -> None:
    x = minitorch.randn(2, 3)
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(x, (1, 2, 3))
    with pytest.raises(RuntimeError, match="Padding length should be less than or equal"):
        F.pad(x, (1, 1, 1, 1, 1, 1))
    with pytest.raises(RuntimeError, match="Padding size should be less than"):
        F.pad(x, (3, 3), mode="reflect")


# --------------------------------------------------------------------- normalisation
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (3, 2, 4, 4)])
def test_batch_norm_training_matches_torch(shape, dtype, rng) -> None:
    c = shape[1]
    x, w, b = rng.standard_normal(shape) * 2 + 1, rng.standard_normal(c), rng.standard_normal(c)
    rm, rv = rng.standard_normal(c), rng.random(c) + 0.5
    m_stats = [minitorch.tensor(rm.astype(dtype)), minitorch.tensor(rv.astype(dtype))]
    t_stats = [torch.tensor(rm.astype(dtype)), torch.tensor(rv.astype(dtype))]
    check_fn(lambda x_, w_, b_: F.batch_norm(x_, *m_stats, w_, b_, True, 0.3, 1e-3),
             lambda x_, w_, b_: TF.batch_norm(x_, *t_stats, w_, b_, True, 0.3, 1e-3),
             [x, w, b], dtype)
    for m, t in zip(m_stats, t_stats):
        close(m, t, TOL[dtype])


def test_batch_norm_eval_and_no_affine(rng) -> None:
    x = rng.standard_normal((5, 3, 2))
    rm, rv = rng.standard_normal(3), rng.random(3) + 0.5
    check_fn(lambda t: F.batch_norm(t, minitorch.tensor(rm), minitorch.tensor(rv)),
             lambda t: TF.batch_norm(t, torch.tensor(rm), torch.tensor(rv)), [x])
    check_fn(lambda t: F.batch_norm(t, None, None, training=True),
             lambda t: TF.batch_norm(t, None, None, training=True), [x])


def test_batch_norm_second_derivative(rng) -> None:
    x, w = rng.standard_normal((4, 3)), rng.standard_normal(3)
    (xm, xt), (wm, wt) = pair(x), pair(w)
    ym = F.batch_norm(xm, None, None, wm, None, True)
    yt = TF.batch_norm(xt, None, None, wt, None, True)
    gm = minitorch.autograd.grad((ym ** 3).sum(), xm, create_graph=True)[0]
    gt = torch.autograd.grad((yt ** 3).sum(), xt, create_graph=True)[0]
    hm = minitorch.autograd.grad((gm * gm).sum(), [xm, wm])
    ht = torch.autograd.grad((gt * gt).sum(), [xt, wt])
    for a, b in zip(hm, ht):
        close(a, b, 1e-9)


def test_batch_norm_needs_two_values_per_channel() -> None:
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        F.batch_norm(minitorch.randn(1, 3), None, None, training=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape,norm", [((4, 5), (5,)), ((2, 3, 4), (3, 4)), ((2, 3, 4), (4,))])
def test_layer_norm_matches_torch(shape, norm, dtype, rng) -> None:
    x, w, b = rng.standard_normal(shape) * 3, rng.standard_normal(norm), rng.standard_normal(norm)
    check_fn(lambda x_, w_, b_: F.layer_norm(x_, norm, w_, b_, 1e-4),
             lambda x_, w_, b_: TF.layer_norm(x_, norm, w_, b_, 1e-4), [x, w, b], dtype)
    check_fn(lambda x_: F.layer_norm(x_, norm), lambda x_: TF.layer_norm(x_, norm), [x], dtype)


def test_layer_norm_shape_error() -> None:
    with pytest.raises(RuntimeError, match=r"expected input with shape \[\*, 4\], but got input of size\[2, 3\]"):
        F.layer_norm(minitorch.randn(2, 3), (4,))


# ------------------------------------------------------------------- embedding, one_hot
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_matches_torch(padding_idx, rng) -> None:
    w = rng.standard_normal((6, 4))
    idx = np.array([[0, 2, 5], [2, 2, 1]])
    check_fn(lambda w_: F.embedding(minitorch.tensor(idx), w_, padding_idx),
             lambda w_: TF.embedding(torch.tensor(idx), w_, padding_idx), [w])


def test_embedding_errors() -> None:
    w = minitorch.randn(3, 2)
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(minitorch.tensor([3]), w)
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types"):
        F.embedding(minitorch.tensor([1.0]), w)


def test_one_hot_matches_torch() -> None:
    idx = [[0, 3], [2, 1]]
    for n in (-1, 5):
        m = F.one_hot(minitorch.tensor(idx), n)
        t = TF.one_hot(torch.tensor(idx), n)
        assert m.dtype == minitorch.int64
        np.testing.assert_array_equal(m.numpy(), t.numpy())
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes"):
        F.one_hot(minitorch.tensor([3]), 3)
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor"):
        F.one_hot(minitorch.tensor([1.0]))


# ----------------------------------------------------------------- conv/pool re-exports
def test_conv_and_pool_reexported(rng) -> None:
    x, w = rng.standard_normal((2, 3, 7, 7)), rng.standard_normal((4, 3, 3, 3))
    check_fn(lambda a, b: F.max_pool2d(F.conv2d(a, b, padding=1), 2),
             lambda a, b: TF.max_pool2d(TF.conv2d(a, b, padding=1), 2), [x, w])
    check_fn(lambda a: F.avg_pool2d(a, 3, 2) + F.adaptive_avg_pool2d(a, 3),
             lambda a: TF.avg_pool2d(a, 3, 2) + TF.adaptive_avg_pool2d(a, 3), [x])


def test_losses_reexported() -> None:
    for name in ("cross_entropy", "nll_loss", "mse_loss"):
        assert callable(getattr(F, name))
