"""minitorch.optim against torch.optim: same parameters, same gradients, same steps."""

import io
import re

import numpy as np
import pytest
import torch

import minitorch
from minitorch import optim

SHAPES = [(3, 4), (5,), ()]
F64 = {"mt": minitorch.float64, "th": torch.float64, "np": np.float64}
F32 = {"mt": minitorch.float32, "th": torch.float32, "np": np.float32}

CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1}),
    ("Adam", {"lr": 0.02, "amsgrad": True}),
    ("Adam", {"lr": 0.02, "amsgrad": True, "maximize": True, "weight_decay": 0.05}),
    ("Adam", {"lr": 0.02, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True, "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "maximize": True, "eps": 1e-3}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.1, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6}),
    ("Adagrad", {"lr": 0.1, "maximize": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.1}),
    ("Adadelta", {"maximize": True}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.01, "momentum_decay": 0.01, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True,
               "maximize": True}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.01, "betas": (0.5, 0.9), "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True,
               "maximize": True}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2)}),
    ("Rprop", {"maximize": True}),
    ("ASGD", {}),
    ("ASGD", {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 5, "weight_decay": 0.1}),
    ("ASGD", {"lr": 0.05, "t0": 0, "maximize": True}),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'default'}" for name, kw in CONFIGS]


def to_np(t):
    return t.detach().cpu().numpy()


def make_params(dtypes, seed=0, device="cpu"):
    """The same random parameters on both sides (one of each shape in SHAPES)."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtypes["np"]) for s in SHAPES]
    mt = [minitorch.tensor(a, dtype=dtypes["mt"], requires_grad=True, device=device)
          for a in arrays]
    th = [torch.tensor(a, dtype=dtypes["th"], requires_grad=True, device=device)
          for a in arrays]
    return mt, th


def run_steps(pairs, steps, rng, dtypes=F64, skip=True, device="cpu"):
    """Give both optimizers the same random gradients and step them.

    ``pairs`` is a list of (minitorch_optimizer, torch_optimizer). The second
    parameter gets no gradient every fourth step (``skip``), to check that
    optimizers skip parameters whose grad is None.
    """
    for k in range(steps):
        grads = [rng.standard_normal(s).astype(dtypes["np"]) for s in SHAPES]
        for opt_mt, opt_th in pairs:
            params_mt = [p for g in opt_mt.param_groups for p in g["params"]]
            params_th = [p for g in opt_th.param_groups for p in g["params"]]
            for i, (pm, pt, g) in enumerate(zip(params_mt, params_th, grads)):
                if skip and i == 1 and k % 4 == 3:
                    pm.grad, pt.grad = None, None
                else:
                    pm.grad = minitorch.tensor(g, dtype=dtypes["mt"], device=device)
                    pt.grad = torch.tensor(g, dtype=dtypes["th"], device=device)
            opt_mt.step()
            opt_th.step()


def assert_params_close(opt_mt, opt_th, rtol=1e-10, atol=1e-12):
    for gm, gt in zip(opt_mt.param_groups, opt_th.param_groups):
        for pm, pt in zip(gm["params"], gt["params"]):
            assert str(pm.device) == str(pt.device)
            assert to_np(pm).dtype == to_np(pt).dtype
            np.testing.assert_allclose(to_np(pm), to_np(pt), rtol=rtol, atol=atol)


def build(name, kw, dtypes=F64, seed=0, device="cpu"):
    mt, th = make_params(dtypes, seed, device)
    return getattr(optim, name)(mt, **kw), getattr(torch.optim, name)(th, **kw)


def assert_state_dicts_match(sd_mt, sd_th, rtol=1e-10):
    """Same structure as torch's state_dict, and the same numbers."""
    assert sd_mt["param_groups"] == sd_th["param_groups"]
    assert sd_mt["state"].keys() == sd_th["state"].keys()
    for idx, st_th in sd_th["state"].items():
        st_mt = sd_mt["state"][idx]
        assert list(st_mt.keys()) == list(st_th.keys())
        for key, v_th in st_th.items():
            v_mt = st_mt[key]
            assert isinstance(v_mt, minitorch.Tensor)
            assert tuple(v_mt.shape) == tuple(v_th.shape)
            assert str(v_mt.dtype).split(".")[-1] == str(v_th.dtype).split(".")[-1]
            np.testing.assert_allclose(to_np(v_mt), to_np(v_th), rtol=rtol, atol=1e-12)


@pytest.mark.parametrize(("name", "kw"), CONFIGS, ids=IDS)
def test_twenty_steps_match_torch_float64(name, kw, device):
    opt_mt, opt_th = build(name, kw, device=device)
    run_steps([(opt_mt, opt_th)], 20, np.random.default_rng(1), device=device)
    assert_params_close(opt_mt, opt_th)
    assert_state_dicts_match(opt_mt.state_dict(), opt_th.state_dict())


@pytest.mark.parametrize(
    ("name", "kw"),
    [("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
     ("Adam", {"lr": 0.01, "amsgrad": True}), ("AdamW", {}),
     ("RMSprop", {"centered": True, "momentum": 0.9}), ("Adagrad", {"lr_decay": 0.01}),
     ("Adadelta", {"weight_decay": 0.1}), ("Adamax", {"lr": 0.01}),
     ("NAdam", {"lr": 0.01}), ("RAdam", {"lr": 0.01}), ("Rprop", {}),
     ("ASGD", {"lr": 0.05, "t0": 3})],
)
def test_float32_params_stay_float32(name, kw, device):
    opt_mt, opt_th = build(name, kw, dtypes=F32, device=device)
    run_steps([(opt_mt, opt_th)], 10, np.random.default_rng(2), dtypes=F32, device=device)
    assert_params_close(opt_mt, opt_th, rtol=1e-5, atol=1e-6)
    for p in opt_mt.param_groups[0]["params"]:
        assert p.dtype == minitorch.float32
        for key, buf in opt_mt.state[p].items():
            assert buf.dtype == minitorch.float32, key


# NAdam's mu_product and ASGD's eta/mu are float32 0-d tensors that load_state_dict casts
# to the parameters' float64 (as in PyTorch), so a resumed run rounds differently from an
# uninterrupted one: test_scalar_state_round_trip_like_torch covers them.
_FLOAT32_SCALAR_STATE = ("NAdam", "ASGD")


@pytest.mark.parametrize(("name", "kw"),
                         [c for c in CONFIGS[1::2] if c[0] not in _FLOAT32_SCALAR_STATE],
                         ids=[i for i, c in zip(IDS[1::2], CONFIGS[1::2])
                              if c[0] not in _FLOAT32_SCALAR_STATE])
def test_state_dict_round_trip(name, kw):
    """Save after 10 steps, load into a fresh optimizer, 10 more == 20 uninterrupted."""
    opt_mt, opt_th = build(name, kw)
    rng = np.random.default_rng(3)
    run_steps([(opt_mt, opt_th)], 10, rng)
    saved = opt_mt.state_dict()
    fresh = [minitorch.tensor(to_np(p).copy(), requires_grad=True)
             for p in opt_mt.param_groups[0]["params"]]
    resumed = getattr(optim, name)(fresh, lr=123.0)  # the lr comes back from the dict
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == opt_mt.param_groups[0]["lr"]
    assert all(a is b for a, b in zip(resumed.param_groups[0]["params"], fresh))
    rng_state = rng.bit_generator.state
    run_steps([(opt_mt, opt_th)], 10, rng)
    rng.bit_generator.state = rng_state
    _, th_again = build(name, kw)  # only a sink for run_steps' torch side
    run_steps([(resumed, th_again)], 10, rng)
    for a, b in zip(opt_mt.param_groups[0]["params"], fresh):
        np.testing.assert_allclose(to_np(b), to_np(a), rtol=1e-12, atol=1e-14)
    assert_params_close(resumed, opt_th)


@pytest.mark.parametrize(("name", "kw"), [c for c in CONFIGS if c[0] in _FLOAT32_SCALAR_STATE])
def test_scalar_state_round_trip_like_torch(name, kw):
    """Both libraries resumed from their own state dicts after 10 steps agree for 10 more."""
    opt_mt, opt_th = build(name, kw)
    rng = np.random.default_rng(3)
    run_steps([(opt_mt, opt_th)], 10, rng)
    fresh_mt = [minitorch.tensor(to_np(p).copy(), requires_grad=True)
                for p in opt_mt.param_groups[0]["params"]]
    fresh_th = [torch.tensor(to_np(p).copy(), requires_grad=True)
                for p in opt_th.param_groups[0]["params"]]
    resumed_mt = getattr(optim, name)(fresh_mt, **kw)
    resumed_th = getattr(torch.optim, name)(fresh_th, **kw)
    resumed_mt.load_state_dict(opt_mt.state_dict())
    resumed_th.load_state_dict(opt_th.state_dict())
    run_steps([(resumed_mt, resumed_th)], 10, rng)
    assert_params_close(resumed_mt, resumed_th)
    assert_state_dicts_match(resumed_mt.state_dict(), resumed_th.state_dict())


def test_state_dict_survives_minitorch_save_load():
    opt_mt, opt_th = build("Adam", {"lr": 0.01, "amsgrad": True, "betas": (0.8, 0.9)})
    rng = np.random.default_rng(7)
    run_steps([(opt_mt, opt_th)], 5, rng)
    buf = io.BytesIO()
    minitorch.save(opt_mt.state_dict(), buf)
    buf.seek(0)
    loaded = minitorch.load(buf)
    params = opt_mt.param_groups[0]["params"]
    opt_mt = optim.Adam(params)
    opt_mt.load_state_dict(loaded)
    assert opt_mt.param_groups[0]["betas"] == (0.8, 0.9)
    assert opt_mt.state[params[0]]["step"].dtype == minitorch.float32
    run_steps([(opt_mt, opt_th)], 5, rng)
    assert_params_close(opt_mt, opt_th)


def test_load_torch_state_dict_continues_like_torch():
    """A torch state_dict converted to minitorch tensors resumes identically."""
    opt_mt, opt_th = build("Adam", {"lr": 0.01, "amsgrad": True})
    rng = np.random.default_rng(4)
    _, th_only = make_params(F64)
    warm = torch.optim.Adam(th_only, lr=0.01, amsgrad=True)
    for _ in range(5):
        for p in th_only:
            p.grad = torch.tensor(rng.standard_normal(tuple(p.shape)))
        warm.step()
    sd = warm.state_dict()
    converted = {
        "state": {i: {k: minitorch.tensor(v.numpy(), dtype=minitorch.float32 if k == "step"
                                          else minitorch.float64)
                      for k, v in st.items()} for i, st in sd["state"].items()},
        "param_groups": sd["param_groups"],
    }
    opt_th.load_state_dict(sd)
    opt_mt.load_state_dict(converted)
    for pm, pt, pw in zip(opt_mt.param_groups[0]["params"], opt_th.param_groups[0]["params"],
                          th_only):
        with torch.no_grad():
            pt.copy_(pw)
        with minitorch.no_grad():
            pm.copy_(minitorch.tensor(pw.detach().numpy()))
    run_steps([(opt_mt, opt_th)], 5, rng)
    assert_params_close(opt_mt, opt_th)


def test_param_groups_with_different_options():
    mt, th = make_params(F64)
    groups_mt = [{"params": mt[:1]}, {"params": mt[1:], "lr": 0.01, "momentum": 0.5}]
    groups_th = [{"params": th[:1]}, {"params": th[1:], "lr": 0.01, "momentum": 0.5}]
    opt_mt = optim.SGD(groups_mt, lr=0.1, momentum=0.9)
    opt_th = torch.optim.SGD(groups_th, lr=0.1, momentum=0.9)
    assert repr(opt_mt) == repr(opt_th)
    run_steps([(opt_mt, opt_th)], 20, np.random.default_rng(5))
    assert_params_close(opt_mt, opt_th)
    assert_state_dicts_match(opt_mt.state_dict(), opt_th.state_dict())


def test_add_param_group_later():
    mt, th = make_params(F64)
    opt_mt = optim.Adagrad(mt[:2], lr=0.1)
    opt_th = torch.optim.Adagrad(th[:2], lr=0.1)
    opt_mt.add_param_group({"params": mt[2], "lr": 0.5})
    opt_th.add_param_group({"params": th[2], "lr": 0.5})
    assert repr(opt_mt) == repr(opt_th)
    run_steps([(opt_mt, opt_th)], 5, np.random.default_rng(6))
    assert_params_close(opt_mt, opt_th)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
                                  "Adamax", "NAdam", "RAdam", "Rprop", "ASGD", "LBFGS"])
def test_repr_and_defaults_match_torch(name):
    mt, th = make_params(F64)
    kw = {"lr": 0.1} if name in ("Rprop", "LBFGS") else {"lr": 0.1, "weight_decay": 0.01}
    opt_mt, opt_th = getattr(optim, name)(mt, **kw), getattr(torch.optim, name)(th, **kw)
    assert repr(opt_mt) == repr(opt_th)
    assert opt_mt.defaults == opt_th.defaults
    default_mt, default_th = getattr(optim, name)(mt), getattr(torch.optim, name)(th)
    assert repr(default_mt) == repr(default_th)


def test_named_parameters_give_param_names():
    mt, th = make_params(F64)
    opt_mt = optim.SGD([("w", mt[0]), ("b", mt[1])], lr=0.1)
    opt_th = torch.optim.SGD([("w", th[0]), ("b", th[1])], lr=0.1)
    assert opt_mt.state_dict()["param_groups"] == opt_th.state_dict()["param_groups"]


def test_zero_grad():
    mt, _ = make_params(F64)
    opt = optim.SGD(mt, lr=0.1)
    for p in mt:
        p.grad = minitorch.ones_like(p)
    opt.zero_grad(set_to_none=False)
    for p in mt:
        assert p.grad is not None
        assert np.all(to_np(p.grad) == 0)
    opt.zero_grad()
    assert all(p.grad is None for p in mt)


def test_step_with_closure_returns_loss_and_enables_grad():
    w = minitorch.tensor([1.0, -2.0], requires_grad=True)
    wt = torch.tensor([1.0, -2.0], requires_grad=True)
    opt, opt_t = optim.SGD([w], lr=0.1), torch.optim.SGD([wt], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    def closure_t():
        opt_t.zero_grad()
        loss = (wt * wt).sum()
        loss.backward()
        return loss

    with minitorch.no_grad():
        loss = opt.step(closure)
    with torch.no_grad():
        loss_t = opt_t.step(closure_t)
    assert float(loss.item()) == pytest.approx(float(loss_t.item()))
    np.testing.assert_allclose(to_np(w), wt.detach().numpy(), rtol=1e-6)


def test_params_without_grad_are_untouched_and_have_no_state():
    mt, _ = make_params(F64)
    before = to_np(mt[0]).copy()
    opt = optim.Adam(mt, lr=0.1)
    mt[1].grad = minitorch.ones_like(mt[1])
    opt.step()
    np.testing.assert_array_equal(to_np(mt[0]), before)
    assert len(opt.state) == 1 and mt[1] in opt.state


def test_step_is_a_float32_scalar_tensor():
    mt, _ = make_params(F64)
    opt = optim.Adam(mt)
    for p in mt:
        p.grad = minitorch.ones_like(p)
    opt.step()
    opt.step()
    step = opt.state[mt[0]]["step"]
    assert step.dtype == minitorch.float32 and tuple(step.shape) == ()
    assert step.item() == 2.0


def test_step_records_no_graph():
    w = minitorch.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = minitorch.ones_like(w)
    opt.step()
    assert w.is_leaf and w.grad_fn is None and w.requires_grad


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda p: optim.SGD(p, lr=-1.0), ValueError, "Invalid learning rate: -1.0"),
        (lambda p: optim.SGD(p, momentum=-0.1), ValueError, "Invalid momentum value"),
        (lambda p: optim.SGD(p, weight_decay=-1), ValueError, "Invalid weight_decay value"),
        (lambda p: optim.SGD(p, nesterov=True), ValueError,
         "Nesterov momentum requires a momentum and zero dampening"),
        (lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
         "Nesterov momentum requires a momentum and zero dampening"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.9)), ValueError,
         "Invalid beta parameter at index 0: 1.0"),
        (lambda p: optim.Adam(p, betas=(0.9, -0.1)), ValueError,
         "Invalid beta parameter at index 1"),
        (lambda p: optim.AdamW(p, eps=-1e-8), ValueError, "Invalid epsilon value"),
        (lambda p: optim.RMSprop(p, alpha=-0.5), ValueError, "Invalid alpha value"),
        (lambda p: optim.Adagrad(p, lr_decay=-1), ValueError, "Invalid lr_decay value"),
        (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), ValueError,
         "Invalid initial_accumulator_value value"),
        (lambda p: optim.SGD([], lr=0.1), ValueError, "optimizer got an empty parameter list"),
        (lambda p: optim.SGD(p[0], lr=0.1), TypeError, "iterable of Tensors or dicts"),
        (lambda p: optim.SGD([{"params": set(p)}], lr=0.1), TypeError, "ordered collections"),
        (lambda p: optim.SGD([p[0], 3], lr=0.1), TypeError,
         "optimizer can only optimize Tensors, but one of the params is int"),
        (lambda p: optim.SGD([{"params": p[:1]}, {"params": p[:2]}], lr=0.1), ValueError,
         "some parameters appear in more than one parameter group"),
        (lambda p: optim.SGD([p[0] * 2], lr=0.1), ValueError,
         "can't optimize a non-leaf Tensor"),
        (lambda p: optim.SGD([("a", p[0]), p[1]], lr=0.1), ValueError,
         "Some param names are missing"),
        (lambda p: optim.Adam(p, fused=True), NotImplementedError, "fused=True"),
    ],
)
def test_errors_match_torch(call, exc, match):
    mt, th = make_params(F64)
    with pytest.raises(exc, match=match):
        call(mt)
    if exc is not NotImplementedError:  # torch itself supports fused=True
        with pytest.raises(exc, match=match):
            _call_with_torch(call, th)


def _call_with_torch(call, th_params):
    """Run the same lambda with ``optim`` bound to ``torch.optim``."""
    glb = dict(call.__globals__, optim=torch.optim)
    fn = type(call)(call.__code__, glb)
    return fn(th_params)


def test_missing_required_option():
    from torch.optim.optimizer import required as torch_required

    mt, th = make_params(F64)
    match = "didn't specify a value of required optimization parameter lr"
    with pytest.raises(ValueError, match=match):
        optim.Optimizer(mt, {"lr": optim.optimizer.required})
    with pytest.raises(ValueError, match=match):
        torch.optim.Optimizer(th, {"lr": torch_required})


def test_load_state_dict_validation():
    mt, _ = make_params(F64)
    opt = optim.SGD(mt, lr=0.1)
    two = optim.SGD([{"params": mt[:1]}, {"params": mt[1:]}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict(two.state_dict())
    small = optim.SGD(mt[:2], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(small.state_dict())


def _lbfgs_problem(lib, x, y, w0):
    """L2-regularised logistic regression (smooth, strongly convex, well conditioned, so
    rounding differences between the libraries do not grow from step to step)."""
    w = lib.tensor(w0[0], requires_grad=True)
    b = lib.tensor(w0[1], requires_grad=True)
    xs, ys = lib.tensor(x), lib.tensor(y)

    def closure():
        w.grad = b.grad = None
        z = xs @ w + b
        loss = ((1 + z.exp()).log() - ys * z).mean() + 0.05 * (w * w).sum()
        loss.backward()
        return loss

    return [w, b], closure


@pytest.mark.parametrize("kw", [{"max_iter": 2}, {"lr": 0.5, "max_iter": 3, "history_size": 3},
                                {"line_search_fn": "strong_wolfe", "max_iter": 2},
                                {"line_search_fn": "strong_wolfe", "lr": 3.0, "max_iter": 3,
                                 "history_size": 2, "max_eval": 4}])
def test_lbfgs_twenty_steps_match_torch(kw):
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((32, 6)), (rng.random(32) < 0.5).astype(np.float64)
    w0 = [rng.standard_normal(6), rng.standard_normal(1)]
    pm, closure_mt = _lbfgs_problem(minitorch, x, y, w0)
    pt, closure_th = _lbfgs_problem(torch, x, y, w0)
    opt_mt, opt_th = optim.LBFGS(pm, **kw), torch.optim.LBFGS(pt, **kw)
    for _ in range(20):
        loss_mt, loss_th = opt_mt.step(closure_mt), opt_th.step(closure_th)
        assert loss_mt.item() == pytest.approx(loss_th.item(), rel=1e-9, abs=1e-12)
        for a, b in zip(pm, pt):
            np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-8, atol=1e-10)
    st_mt, st_th = opt_mt.state[pm[0]], opt_th.state[pt[0]]
    assert st_mt["func_evals"] == st_th["func_evals"]
    assert st_mt["n_iter"] == st_th["n_iter"]
    assert len(st_mt["old_dirs"]) == len(st_th["old_dirs"])


def test_lbfgs_errors_like_torch():
    p = [minitorch.zeros(2, requires_grad=True), minitorch.zeros(2, requires_grad=True)]
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": p[:1]}, {"params": p[1:]}])
    opt = optim.LBFGS(p, line_search_fn="backtracking")

    def closure():
        loss = (p[0] * p[1] + p[0]).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)
    with pytest.raises(TypeError):
        optim.LBFGS(p).step()  # the closure is required


@pytest.mark.parametrize(("name", "kw", "match"), [
    ("Adadelta", {"rho": 1.5}, "Invalid rho value: 1.5"),
    ("Adamax", {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
    ("NAdam", {"momentum_decay": -1.0}, "Invalid momentum_decay value: -1.0"),
    ("RAdam", {"eps": -1.0}, "Invalid epsilon value: -1.0"),
    ("Rprop", {"etas": (1.5, 1.2)}, "Invalid eta values: 1.5, 1.2"),
    ("ASGD", {"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    ("LBFGS", {"lr": -1.0}, "Invalid learning rate: -1.0"),
])
def test_new_optimizer_argument_errors_match_torch(name, kw, match):
    mt, th = make_params(F64)
    with pytest.raises(ValueError, match=re.escape(match)):
        getattr(torch.optim, name)(th, **kw)
    with pytest.raises(ValueError, match=re.escape(match)):
        getattr(optim, name)(mt, **kw)


def test_lbfgs_state_dict_save_load_resumes_like_torch():
    """Save L-BFGS's state (its history as tensors, like torch's) with minitorch.save,
    load it into a fresh optimizer, and continue exactly as the uninterrupted torch run."""
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((32, 6)), (rng.random(32) < 0.5).astype(np.float64)
    w0 = [rng.standard_normal(6), rng.standard_normal(1)]
    kw = {"max_iter": 1, "history_size": 3, "line_search_fn": "strong_wolfe"}
    pm, closure_mt = _lbfgs_problem(minitorch, x, y, w0)
    pt, closure_th = _lbfgs_problem(torch, x, y, w0)
    opt_mt, opt_th = optim.LBFGS(pm, **kw), torch.optim.LBFGS(pt, **kw)
    for _ in range(3):
        opt_mt.step(closure_mt)
        opt_th.step(closure_th)
    st = opt_mt.state[pm[0]]
    assert isinstance(st["d"], minitorch.Tensor) and isinstance(st["old_dirs"][0],
                                                                  minitorch.Tensor)
    buf = io.BytesIO()
    minitorch.save(opt_mt.state_dict(), buf)
    buf.seek(0)
    qm, closure_q = _lbfgs_problem(minitorch, x, y, [to_np(p) for p in pm])
    resumed = optim.LBFGS(qm, **kw)
    resumed.load_state_dict(minitorch.load(buf))
    for _ in range(3):
        resumed.step(closure_q)
        opt_th.step(closure_th)
    for a, b in zip(qm, pt):
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-8, atol=1e-10)
