"""minitorch.optim.lr_scheduler against torch.optim.lr_scheduler, step by step."""

import io
import math
import re
import warnings

import pytest
import torch

import minitorch
from minitorch import optim
from minitorch.optim import lr_scheduler


def lambda_a(epoch):
    return 0.95**epoch


def lambda_b(epoch):
    return 1.0 / (1 + epoch)


SCHEDULERS = [
    ("StepLR", {"step_size": 4}, "SGD"),
    ("StepLR", {"step_size": 3, "gamma": 0.5}, "Adam"),
    ("MultiStepLR", {"milestones": [3, 7, 7, 15], "gamma": 0.3}, "SGD"),
    ("ExponentialLR", {"gamma": 0.9}, "SGD"),
    ("CosineAnnealingLR", {"T_max": 10}, "SGD"),
    ("CosineAnnealingLR", {"T_max": 6, "eta_min": 0.01}, "Adam"),
    ("LambdaLR", {"lr_lambda": lambda_a}, "SGD"),
    ("LambdaLR", {"lr_lambda": [lambda_a, lambda_b]}, "SGD"),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 25}, "SGD"),
    ("OneCycleLR", {"max_lr": [1.0, 0.4], "total_steps": 25, "anneal_strategy": "linear",
                    "pct_start": 0.4}, "SGD"),
    ("OneCycleLR", {"max_lr": 0.5, "epochs": 5, "steps_per_epoch": 5, "three_phase": True,
                    "div_factor": 10.0, "final_div_factor": 100.0}, "SGD"),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 25, "base_momentum": 0.8,
                    "max_momentum": [0.9, 0.99]}, "Adam"),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 25, "cycle_momentum": False}, "Adam"),
    ("LinearLR", {}, "SGD"),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 0.6, "total_iters": 8}, "Adam"),
    ("ConstantLR", {}, "SGD"),
    ("ConstantLR", {"factor": 0.5, "total_iters": 7}, "Adam"),
    ("PolynomialLR", {}, "SGD"),
    ("PolynomialLR", {"total_iters": 12, "power": 2.0}, "Adam"),
    ("MultiplicativeLR", {"lr_lambda": lambda_a}, "SGD"),
    ("MultiplicativeLR", {"lr_lambda": [lambda_a, lambda_b]}, "Adam"),
    ("CosineAnnealingWarmRestarts", {"T_0": 4}, "SGD"),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.01}, "Adam"),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4}, "SGD"),
    ("CyclicLR", {"base_lr": [0.01, 0.02], "max_lr": 0.1, "step_size_up": 3,
                  "step_size_down": 5, "mode": "triangular2"}, "SGD"),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2, "mode": "exp_range",
                  "gamma": 0.9, "base_momentum": 0.85, "max_momentum": 0.95}, "Adam"),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "scale_fn": lambda_b,
                  "scale_mode": "iterations", "cycle_momentum": False}, "SGD"),
]
IDS = [f"{n}-{i}" for i, (n, _, _) in enumerate(SCHEDULERS)]

PLATEAU = [
    {},
    {"mode": "min", "factor": 0.5, "patience": 2, "cooldown": 1, "min_lr": 0.004},
    {"mode": "max", "factor": 0.5, "patience": 1, "threshold": 0.05, "threshold_mode": "abs",
     "min_lr": [0.01, 0.002]},
    {"mode": "max", "factor": 0.2, "patience": 0, "threshold": 0.01, "eps": 1e-3},
]
METRICS = [1.0, 0.9, 0.9, 0.95, 0.91, 0.9, 0.899, 0.92, 0.5, 0.5, 0.5, 0.7, 0.49, 0.6,
           0.6, 0.6, 0.6, 0.48, 0.4, 0.4, 0.4, 0.4, 0.39, 0.41, 0.5]


def make_optimizers(kind):
    """The same two-group optimizer on both sides (different lrs per group)."""
    pm = [minitorch.zeros(2, requires_grad=True), minitorch.zeros(3, requires_grad=True)]
    pt = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    kw = {"lr": 0.1, "momentum": 0.9} if kind == "SGD" else {"lr": 0.1}
    opt_mt = getattr(optim, kind)([{"params": pm[:1]}, {"params": pm[1:], "lr": 0.05}], **kw)
    opt_th = getattr(torch.optim, kind)([{"params": pt[:1]}, {"params": pt[1:], "lr": 0.05}],
                                        **kw)
    return opt_mt, opt_th


def assert_groups_match(opt_mt, opt_th):
    for gm, gt in zip(opt_mt.param_groups, opt_th.param_groups):
        assert gm["lr"] == pytest.approx(gt["lr"], rel=1e-12, abs=1e-15)
        for key in ("momentum", "betas"):
            if key in gt:
                assert gm[key] == pytest.approx(gt[key], rel=1e-12)


def step_both(pairs, metric=None):
    """One epoch: optimizer steps (no grads, so no change), then scheduler steps."""
    for (opt_mt, opt_th), (s_mt, s_th) in pairs:
        opt_mt.step()
        opt_th.step()
        if metric is None:
            s_mt.step()
            s_th.step()
        else:
            s_mt.step(metric)
            s_th.step(metric)
        assert s_mt.get_last_lr() == pytest.approx(s_th.get_last_lr(), rel=1e-12, abs=1e-15)
        assert_groups_match(opt_mt, opt_th)


def build(name, kw, kind):
    opt_mt, opt_th = make_optimizers(kind)
    s_mt = getattr(lr_scheduler, name)(opt_mt, **kw)
    s_th = getattr(torch.optim.lr_scheduler, name)(opt_th, **kw)
    return (opt_mt, opt_th), (s_mt, s_th)


def approx_equal(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-15) or (math.isinf(a) and a == b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(approx_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(approx_equal(a[k], b[k]) for k in a)
    return a == b


@pytest.mark.parametrize(("name", "kw", "kind"), SCHEDULERS, ids=IDS)
def test_lrs_match_torch(name, kw, kind):
    opts, scheds = build(name, kw, kind)
    assert scheds[0].get_last_lr() == pytest.approx(scheds[1].get_last_lr(), rel=1e-12)
    assert_groups_match(*opts)
    assert repr(opts[0]) == repr(opts[1])  # initial_lr, max_lr, ... keys too
    for _ in range(25):
        step_both([(opts, scheds)])
    assert approx_equal(scheds[0].state_dict(), scheds[1].state_dict())


@pytest.mark.parametrize("kw", PLATEAU)
def test_reduce_on_plateau_matches_torch(kw):
    opts, scheds = build("ReduceLROnPlateau", kw, "SGD")
    for metric in METRICS:
        step_both([(opts, scheds)], metric=metric)
    assert approx_equal(scheds[0].state_dict(), scheds[1].state_dict())


@pytest.mark.parametrize(
    ("name", "kw", "kind"),
    [*SCHEDULERS[::2], ("ReduceLROnPlateau", PLATEAU[1], "SGD")],
    ids=[*IDS[::2], "ReduceLROnPlateau"],
)
def test_state_dict_round_trip(name, kw, kind):
    """Save after 10 steps, restore into fresh objects: 10 more == uninterrupted."""
    plateau = name == "ReduceLROnPlateau"
    opts, scheds = build(name, kw, kind)
    for k in range(10):
        step_both([(opts, scheds)], metric=METRICS[k] if plateau else None)
    opt_state, sched_state = opts[0].state_dict(), scheds[0].state_dict()
    opt_new, _ = make_optimizers(kind)
    sched_new = getattr(lr_scheduler, name)(opt_new, **kw)  # before loading, like torch
    opt_new.load_state_dict(opt_state)
    sched_new.load_state_dict(sched_state)
    for k in range(10, 20):
        step_both([(opts, scheds)], metric=METRICS[k] if plateau else None)
        opt_new.step()
        sched_new.step(*([METRICS[k]] if plateau else []))
        assert sched_new.get_last_lr() == scheds[0].get_last_lr()
        assert [g["lr"] for g in opt_new.param_groups] == scheds[0].get_last_lr()


def test_chained_schedulers_match_torch():
    """Two schedulers on one optimizer multiply their effects, as in torch."""
    opts, s1 = build("ExponentialLR", {"gamma": 0.9}, "SGD")
    s2 = (lr_scheduler.MultiStepLR(opts[0], milestones=[5, 12], gamma=0.1),
          torch.optim.lr_scheduler.MultiStepLR(opts[1], milestones=[5, 12], gamma=0.1))
    for _ in range(20):
        step_both([(opts, s1)])
        s2[0].step()
        s2[1].step()
        assert s2[0].get_last_lr() == pytest.approx(s2[1].get_last_lr(), rel=1e-12)
        assert_groups_match(*opts)


def test_chained_step_and_cosine_match_torch():
    opts, s1 = build("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.001}, "SGD")
    s2 = (lr_scheduler.StepLR(opts[0], step_size=5, gamma=0.5),
          torch.optim.lr_scheduler.StepLR(opts[1], step_size=5, gamma=0.5))
    for _ in range(20):
        step_both([(opts, s1)])
        s2[0].step()
        s2[1].step()
        assert_groups_match(*opts)


def test_one_cycle_too_many_steps():
    (opt, _), (sched, _) = build("OneCycleLR", {"max_lr": 1.0, "total_steps": 5}, "SGD")
    for _ in range(5):
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 6 times. The specified number of "
                                         "total steps is 5"):
        sched.step()


@pytest.mark.parametrize(
    ("name", "kw", "match"),
    [
        ("OneCycleLR", {"max_lr": 1.0}, "total_steps OR \\(epochs AND steps_per_epoch\\)"),
        ("OneCycleLR", {"max_lr": 1.0, "total_steps": 0}, "positive integer total_steps"),
        ("OneCycleLR", {"max_lr": 1.0, "total_steps": 9, "pct_start": 2.0}, "pct_start"),
        ("OneCycleLR", {"max_lr": 1.0, "total_steps": 9, "anneal_strategy": "exp"},
         "anneal_strategy must be one of 'cos' or 'linear'"),
        ("OneCycleLR", {"max_lr": [1.0], "total_steps": 9},
         "max_lr must have the same length as optimizer.param_groups"),
        ("ReduceLROnPlateau", {"factor": 1.0}, "Factor should be < 1.0"),
        ("ReduceLROnPlateau", {"mode": "avg"}, "mode avg is unknown"),
        ("ReduceLROnPlateau", {"threshold_mode": "x"}, "threshold mode x is unknown"),
        ("ReduceLROnPlateau", {"min_lr": [0.1]}, "expected 2 min_lrs, got 1"),
        ("LambdaLR", {"lr_lambda": [lambda_a]}, "Expected 2 lr_lambdas, but got 1"),
    ],
)
def test_errors_match_torch(name, kw, match):
    opt_mt, opt_th = make_optimizers("SGD")
    with pytest.raises(ValueError, match=match):
        getattr(lr_scheduler, name)(opt_mt, **kw)
    with pytest.raises(ValueError, match=match):
        getattr(torch.optim.lr_scheduler, name)(opt_th, **kw)


def test_not_an_optimizer_and_resume_without_initial_lr():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.StepLR([], step_size=2)
    opt, _ = make_optimizers("SGD")
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(opt, step_size=2, last_epoch=3)


def test_one_cycle_needs_momentum():
    w = minitorch.zeros(2, requires_grad=True)
    opt = optim.Adagrad([w])
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5)


def test_lambda_state_dict_drops_functions_keeps_objects():
    class Factor:
        def __init__(self):
            self.scale = 0.5

        def __call__(self, epoch):
            return self.scale**epoch

    opt, _ = make_optimizers("SGD")
    obj = Factor()
    sched = lr_scheduler.LambdaLR(opt, [lambda_a, obj])
    state = sched.state_dict()
    assert state["lr_lambdas"] == [None, {"scale": 0.5}]
    obj.scale = 0.1
    sched.load_state_dict(state)
    assert obj.scale == 0.5 and "lr_lambdas" in state


def test_warnings_like_torch():
    opt, _ = make_optimizers("SGD")
    sched = lr_scheduler.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()
    opt2, _ = make_optimizers("SGD")
    sched2 = lr_scheduler.StepLR(opt2, step_size=2)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched2.step()


def test_is_lr_scheduler_subclass():
    opt, _ = make_optimizers("SGD")
    assert isinstance(lr_scheduler.ReduceLROnPlateau(opt), lr_scheduler.LRScheduler)


def test_state_dicts_survive_minitorch_save_load():
    """Optimizer + MultiStepLR checkpoint through minitorch.save/load, then resume."""
    opts, scheds = build("MultiStepLR", {"milestones": [3, 5, 5], "gamma": 0.5}, "SGD")
    for _ in range(4):
        step_both([(opts, scheds)])
    buf = io.BytesIO()
    minitorch.save({"opt": opts[0].state_dict(), "sched": scheds[0].state_dict()}, buf)
    buf.seek(0)
    ckpt = minitorch.load(buf)
    opt_new, _ = make_optimizers("SGD")
    sched_new = lr_scheduler.MultiStepLR(opt_new, milestones=[1], gamma=0.9)
    opt_new.load_state_dict(ckpt["opt"])
    sched_new.load_state_dict(ckpt["sched"])
    for _ in range(4):
        step_both([(opts, scheds)])
        opt_new.step()
        sched_new.step()
        assert sched_new.get_last_lr() == scheds[0].get_last_lr()
    with pytest.warns(UserWarning, match="epoch parameter"):
        sched_new.step(2)  # the deprecated closed-form path needs a Counter again
    assert sched_new.get_last_lr() == pytest.approx([0.1, 0.05])


@pytest.mark.parametrize(
    ("name", "kw"),
    [("StepLR", {"step_size": 3, "gamma": 0.5}), ("MultiStepLR", {"milestones": [2, 6, 6]}),
     ("ExponentialLR", {"gamma": 0.8}), ("CosineAnnealingLR", {"T_max": 8, "eta_min": 0.01})],
)
def test_step_with_epoch_uses_closed_form_like_torch(name, kw):
    opts, scheds = build(name, kw, "SGD")
    step_both([(opts, scheds)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in (7, 3, 12):
            scheds[0].step(epoch)
            scheds[1].step(epoch)
            assert scheds[0].get_last_lr() == pytest.approx(scheds[1].get_last_lr(), rel=1e-12)


def _build_composite(lib, kind, opt):
    sched = lib.optim.lr_scheduler
    if kind == "sequential":
        return sched.SequentialLR(
            opt, [sched.LinearLR(opt, start_factor=0.2, total_iters=4),
                  sched.ExponentialLR(opt, gamma=0.9),
                  sched.CosineAnnealingLR(opt, T_max=5)], milestones=[4, 9])
    if kind == "chained":
        return sched.ChainedScheduler([sched.ConstantLR(opt, factor=0.5, total_iters=3),
                                       sched.ExponentialLR(opt, gamma=0.9),
                                       sched.StepLR(opt, step_size=4, gamma=0.5)])
    inner = sched.SequentialLR(opt, [sched.ConstantLR(opt, factor=0.5, total_iters=2),
                                     sched.ExponentialLR(opt, gamma=0.8)], milestones=[3])
    return sched.ChainedScheduler([inner, sched.MultiStepLR(opt, milestones=[5, 10])])


@pytest.mark.parametrize("kind", ["sequential", "chained", "chained-sequential"])
def test_sequential_and_chained_match_torch(kind):
    opt_mt, opt_th = make_optimizers("SGD")
    s_mt, s_th = _build_composite(minitorch, kind, opt_mt), _build_composite(torch, kind, opt_th)
    assert s_mt.get_last_lr() == pytest.approx(s_th.get_last_lr(), rel=1e-12)
    assert_groups_match(opt_mt, opt_th)
    for _ in range(20):
        step_both([((opt_mt, opt_th), (s_mt, s_th))])
    assert approx_equal(s_mt.state_dict(), s_th.state_dict())
    resumed_opt, _ = make_optimizers("SGD")
    resumed = _build_composite(minitorch, kind, resumed_opt)
    resumed.load_state_dict(s_mt.state_dict())
    assert approx_equal(resumed.state_dict(), s_th.state_dict())


def test_warm_restarts_with_fractional_epochs_match_torch():
    opts, scheds = build("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2}, "SGD")
    for epoch in [0.5, 1.25, 2.9, 3.0, 4.5, 9.2, 10.0, 21.7, 2.0]:
        for opt in opts:
            opt.step()
        for sched in scheds:
            sched.step(epoch)
        assert scheds[0].get_last_lr() == pytest.approx(scheds[1].get_last_lr(), rel=1e-12)
    assert approx_equal(scheds[0].state_dict(), scheds[1].state_dict())


class _MyOptimizer(optim.Optimizer):
    """A user's optimizer whose step() does not call the base class's."""

    def __init__(self, params, lr=0.1):
        super().__init__(params, {"lr": lr})

    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.data.sub_(group["lr"] * p.grad)


def test_user_optimizer_overriding_step_gets_no_order_warning():
    p = minitorch.zeros(2, requires_grad=True)
    opt = _MyOptimizer([p])
    sched = lr_scheduler.StepLR(opt, step_size=2)
    p.grad = minitorch.ones(2)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()
    assert p.tolist() == pytest.approx([-0.1, -0.1])
    opt2 = _MyOptimizer([minitorch.zeros(2, requires_grad=True)])
    sched2 = lr_scheduler.StepLR(opt2, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched2.step()  # really called in the wrong order


def test_lbfgs_with_scheduler_gets_no_order_warning():
    p = minitorch.ones(2, requires_grad=True)
    opt = optim.LBFGS([p], max_iter=2)
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()
    assert opt.param_groups[0]["lr"] == 0.5


def test_step_replaced_after_scheduler_warns_like_torch():
    opt, _ = make_optimizers("SGD")
    sched = lr_scheduler.StepLR(opt, step_size=2)
    opt.step = lambda closure=None: None
    with pytest.warns(UserWarning, match="overridden after learning rate scheduler"):
        sched.step()


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, start_factor=0), ValueError,
     "Starting multiplicative factor expected to be greater than 0"),
    (lambda lib, o: lib.optim.lr_scheduler.ConstantLR(o, factor=2.0), ValueError,
     "Constant multiplicative factor expected to be between 0 and 1."),
    (lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0), ValueError,
     "Expected positive integer T_0, but got 0"),
    (lambda lib, o: lib.optim.lr_scheduler.CyclicLR(o, 0.1, 1.0, mode="zigzag"), ValueError,
     "mode is invalid and scale_fn is None"),
    (lambda lib, o: lib.optim.lr_scheduler.MultiplicativeLR(o, lr_lambda=[lambda_a]), ValueError,
     "Expected 2 lr_lambdas, but got 1"),
    (lambda lib, o: lib.optim.lr_scheduler.SequentialLR(
        o, [lib.optim.lr_scheduler.StepLR(o, 2)], milestones=[3]), ValueError,
     "Sequential Schedulers expects number of schedulers provided to be one more"),
    (lambda lib, o: lib.optim.lr_scheduler.ChainedScheduler([]), ValueError,
     "expects at least one scheduler to be chained"),
    (lambda lib, o: lib.optim.lr_scheduler.ChainedScheduler(
        [lib.optim.lr_scheduler.ReduceLROnPlateau(o)]), ValueError,
     "does not support `ReduceLROnPlateau`"),
])
def test_new_scheduler_errors_match_torch(call, exc, match):
    opt_mt, opt_th = make_optimizers("SGD")
    with pytest.raises(exc, match=re.escape(match)):
        call(torch, opt_th)
    with pytest.raises(exc, match=re.escape(match)):
        call(minitorch, opt_mt)


def test_step_wrapper_keeps_no_reference_cycle():
    import gc
    import weakref

    opt, _ = make_optimizers("SGD")
    lr_scheduler.StepLR(opt, step_size=2)
    ref = weakref.ref(opt)
    gc.disable()
    try:
        del opt
        assert ref() is None  # freed by reference counting alone
    finally:
        gc.enable()
