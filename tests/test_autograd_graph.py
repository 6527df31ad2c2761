"""PyTorch's debugging APIs, differential against torch: anomaly mode, ``autograd.graph``
(Node name/next_functions/metadata/hooks, ``_saved_*`` attributes, saved_tensors_hooks,
save_on_cpu) and ``iter_graph``; and that all of it costs nothing when off."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.autograd import _instrument
from minitorch.autograd.function import Function
from minitorch.autograd.graph import iter_graph, save_on_cpu, saved_tensors_hooks


def arr(t) -> np.ndarray:
    return np.array(t.detach().numpy())


def anomaly_error(lib):
    """Run a graph whose backward yields NaN under detect_anomaly; return (message, warnings)."""
    x = lib.tensor([0.0, 4.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with lib.autograd.detect_anomaly():
            y = x.sqrt()  # d sqrt(x)/dx = 1/(2 sqrt x): inf at 0; times 0 below: NaN
            z = (y * 0.0).sum()
            with pytest.raises(RuntimeError) as err:
                z.backward()
    return str(err.value), [str(w.message) for w in caught]


def test_anomaly_mode_message_matches_torch():
    with np.errstate(all="ignore"):
        ours, our_warnings = anomaly_error(minitorch)
    theirs, their_warnings = anomaly_error(torch)
    assert ours == theirs == "Function 'SqrtBackward0' returned nan values in its 0th output."
    assert our_warnings[0] == their_warnings[0]  # "Anomaly Detection has been enabled. ..."
    trace = [w for w in our_warnings if w.startswith("Error detected in SqrtBackward0.")]
    assert trace, our_warnings
    # the forward traceback names this file and the line that made the node, not minitorch
    assert "Traceback of forward call that caused the error" in trace[0]
    assert "y = x.sqrt()" in trace[0] and "ops/elementwise.py" not in trace[0]


def test_anomaly_flags_and_restore():
    for lib in (torch, minitorch):
        assert not lib.is_anomaly_enabled()
        with lib.autograd.set_detect_anomaly(True, check_nan=False):
            assert lib.is_anomaly_enabled() and not lib.is_anomaly_check_nan_enabled()
        assert not lib.is_anomaly_enabled()
        lib.autograd.set_detect_anomaly(True)
        assert lib.is_anomaly_enabled() and lib.is_anomaly_check_nan_enabled()
        lib.autograd.set_detect_anomaly(False)
        assert not lib.is_anomaly_enabled()


def test_anomaly_off_nan_passes_silently_like_torch():
    for lib in (torch, minitorch):
        x = lib.tensor([0.0], requires_grad=True)
        with np.errstate(all="ignore"):
            (x.sqrt() * 0.0).sum().backward()
        assert np.isnan(arr(x.grad)).all()


def test_watching_is_free_when_off():
    """Off, Function.apply is the plain function and the engine's flag is down."""
    plain = Function.__dict__["apply"]
    assert plain is _instrument._PLAIN_APPLY and not _instrument.active
    with minitorch.autograd.set_detect_anomaly(True):
        assert Function.__dict__["apply"] is not plain and _instrument.active
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        assert Function.__dict__["apply"] is not plain
    assert Function.__dict__["apply"] is plain and not _instrument.active


# ----------------------------------------------------------------------------- Node API
def test_node_name_next_functions_metadata_like_torch():
    a_np, b_np = np.random.rand(3), np.random.rand(3)
    got = {}
    for lib in (torch, minitorch):
        a = lib.tensor(a_np, requires_grad=True)
        b = lib.tensor(b_np, requires_grad=True)
        y = (a * b).exp().sum()
        nodes = [y.grad_fn.name()]
        n = y.grad_fn
        while n.next_functions:
            n = n.next_functions[0][0]
            nodes.append(n.name())
        assert all(i == 0 for _, i in y.grad_fn.next_functions)
        y.grad_fn.metadata["note"] = 1
        assert y.grad_fn.metadata == {"note": 1}
        got[lib.__name__] = nodes
    assert got["minitorch"][:-1] == got["torch"][:-1] == ["SumBackward0", "ExpBackward0",
                                                          "MulBackward0"]
    # torch's name() of a leaf's node is "torch::autograd::AccumulateGrad"; ours is how it prints
    assert got["torch"][-1].endswith("AccumulateGrad") and got["minitorch"][-1] == "AccumulateGrad"


def test_node_hooks_like_torch():
    x_np = np.random.rand(4)
    seen = {}
    for lib in (torch, minitorch):
        x = lib.tensor(x_np, requires_grad=True)
        y = x * lib.tensor(x_np + 1)  # grad_inputs: (for x, None for the constant)
        z = y.exp().sum()
        log = []
        y.grad_fn.register_prehook(lambda gout, log=log: log.append(("pre", arr(gout[0]))))
        h = y.grad_fn.register_hook(lambda gin, gout: (gin[0] * 2, gin[1]))
        z.backward(retain_graph=True)
        seen[lib.__name__] = (arr(x.grad), log[0][1])
        h.remove()
        x.grad = None
        z.backward()
        np.testing.assert_allclose(arr(x.grad), seen[lib.__name__][0] / 2)
    np.testing.assert_allclose(seen["minitorch"][0], seen["torch"][0], rtol=1e-12)
    np.testing.assert_allclose(seen["minitorch"][1], seen["torch"][1], rtol=1e-12)


# ------------------------------------------------------------------------ _saved_* names
SAVED_CASES = [
    ("a * b", ["_saved_other", "_saved_self"]),
    ("a * c", ["_saved_other", "_saved_self"]),  # c needs no grad: self is not saved
    ("a / b", ["_saved_other", "_saved_self"]),
    ("a + b", ["_saved_alpha"]),
    ("a - b", ["_saved_alpha"]),
    ("a.exp()", ["_saved_result"]),
    ("a.sqrt()", ["_saved_result"]),
    ("a.relu()", ["_saved_result"]),
    ("a.sigmoid()", ["_saved_result"]),
    ("a.tanh()", ["_saved_result"]),
    ("a.log()", ["_saved_self"]),
    ("a.pow(2)", ["_saved_self", "_saved_exponent"]),
    ("a.sum()", ["_saved_self_sym_sizes"]),
    ("a.mean()", ["_saved_self_sym_sizes", "_saved_self_sym_numel"]),
    ("a.view(3, 1)", ["_saved_self_sym_sizes"]),
    ("lib.mm(a.view(3, 1), b.view(1, 3))", ["_saved_self", "_saved_mat2", "_saved_self_sym_sizes",
                                            "_saved_mat2_sym_sizes"]),
    ("a @ b", ["_saved_self", "_saved_tensor"]),
]


@pytest.mark.parametrize("expr,names", SAVED_CASES, ids=[c[0] for c in SAVED_CASES])
def test_saved_attributes_like_torch(expr, names):
    a_np, b_np, c_np = (np.random.rand(3) + 0.5 for _ in range(3))
    out = {}
    for lib in (torch, minitorch):
        a = lib.tensor(a_np, requires_grad=True)
        b = lib.tensor(b_np, requires_grad=True)
        c = lib.tensor(c_np)
        node = eval(expr, {"lib": lib, "a": a, "b": b, "c": c}).grad_fn
        values = []
        for name in names:
            v = getattr(node, name)
            values.append(arr(v) if hasattr(v, "detach") else (None if v is None else
                                                                 np.asarray(v, dtype=float)))
        out[lib.__name__] = values
    for ours, theirs in zip(out["minitorch"], out["torch"]):
        if theirs is None:
            assert ours is None
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_saved_inputs_are_the_inputs_and_freed_after_backward():
    for lib in (torch, minitorch):
        a = lib.rand(3, requires_grad=True)
        b = lib.rand(3, requires_grad=True)
        y = a * b
        assert y.grad_fn._saved_other is b and y.grad_fn._saved_self is a
        y.sum().backward()
        with pytest.raises(RuntimeError, match="after they have already been freed"):
            _ = y.grad_fn._saved_other
        with pytest.raises(AttributeError):
            _ = y.grad_fn._saved_nonexistent


# ------------------------------------------------------------------- saved_tensors_hooks
def test_saved_tensors_hooks_like_torch():
    x_np = np.random.rand(5)
    res = {}
    for lib in (torch, minitorch):
        packed, unpacked = [], []

        def pack(t, packed=packed):
            packed.append(tuple(t.shape))
            return t * 2  # unpack must undo it: the gradient tells us both ran

        def unpack(t, unpacked=unpacked):
            unpacked.append(tuple(t.shape))
            return t / 2

        x = lib.tensor(x_np, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = (x.exp() * x).sum()
        y.backward()
        res[lib.__name__] = (arr(x.grad), len(packed), len(unpacked))
    np.testing.assert_allclose(res["minitorch"][0], res["torch"][0], rtol=1e-12)
    assert res["minitorch"][1:] == res["torch"][1:]


def test_save_on_cpu_gives_the_same_gradients():
    x_np = np.random.rand(4, 3)
    grads = []
    for lib in (torch, minitorch):
        x = lib.tensor(x_np, requires_grad=True)
        with lib.autograd.graph.save_on_cpu():
            y = (x.tanh() @ x.t()).sum()
        y.backward()
        grads.append(arr(x.grad))
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)
    assert save_on_cpu is minitorch.autograd.graph.save_on_cpu


# ---------------------------------------------------------------------------- iter_graph
def test_iter_graph_is_a_deterministic_topological_order():
    a = minitorch.rand(3, requires_grad=True)
    b = minitorch.rand(3, requires_grad=True)
    h = a * b
    y = (h.exp() + h.sin() * a).sum()
    order = list(iter_graph([y]))
    assert order == list(iter_graph([y]))
    assert order[0] is y.grad_fn
    position = {n: i for i, n in enumerate(order)}
    for node in order:
        for nxt, _ in node.next_functions:
            if nxt is not None:
                assert position[node] < position[nxt]
    assert len(order) == len(set(order)) == 8  # sum, add, exp, mul, sin, mul, 2 leaves
