"""The transposed convolution with the batch in parts, one per core
(``kernels/conv_transpose_parts.py``): by phases and by im2col, part by part it gives the
whole batch's output and gradients and torch's (float64 tight, float32 loose), second
derivatives (create_graph) too; NaN/inf inputs leave the phases as before; the parts
never depend on how many threads run them; where they are chosen.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conv_paths import conv_geometry_of

import minitorch
from minitorch.kernels import conv as kconv
from minitorch.kernels import conv_transpose_parts as ctp
from minitorch.kernels import conv_transpose_phases as phases
from minitorch.kernels import threads

# (x shape, w shape, stride, padding, output_padding, groups, dilation): the DCGAN layer
# (phases apply), a stride-1 projection from 1x1 (DCGAN's first), and im2col's others
CASES = [
    ((5, 6, 4, 6), (6, 3, 4, 4), 2, 1, 0, 1, 1),
    ((7, 5, 1, 1), (5, 4, 4, 4), 1, 0, 0, 1, 1),
    ((5, 4, 5, 3), (4, 3, 3, 3), 2, 1, 1, 2, 1),
    ((3, 2, 4, 4), (2, 3, 3, 2), 3, (0, 1), (2, 1), 1, (2, 1)),
]


@pytest.fixture
def parts(monkeypatch):
    """Parts on every layer, however small (2 threads: 2 parts; ``parts(k)``: k), and the
    phases offered wherever they apply (their cost model keeps them off small layers)."""
    before = threads.get_num_threads()
    monkeypatch.setattr(kconv, "_PARTS_MIN_BYTES", 0)
    monkeypatch.setattr(phases, "prefer", phases.applies)
    minitorch.set_num_threads(2)
    yield minitorch.set_num_threads
    minitorch.set_num_threads(before)


def _run(lib, x, w, b, up, case, create_graph=False):
    """Output and the gradients of x, w, b for the upstream ``up``; with ``create_graph``
    the gradients of a function of those gradients."""
    _, _, s, p, op, g, d = case
    xs, ws, bs = (lib.tensor(a, requires_grad=True) for a in (x, w, b))
    y = lib.nn.functional.conv_transpose2d(xs, ws, bs, s, p, op, g, d)
    if not create_graph:
        y.backward(lib.tensor(up))
        return y, [t.detach().numpy() for t in (y, xs.grad, ws.grad, bs.grad)]
    gx, gw = lib.autograd.grad((y * lib.tensor(up)).sum(), (xs, ws), create_graph=True)
    ((gx * gx).sum() + (gw ** 3).sum() + (y * y).sum()).backward()
    return y, [t.detach().numpy() for t in (gx, gw, xs.grad, ws.grad, bs.grad)]


def _arrays(case, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    xs, ws, s, p, op, g, d = case
    x, w = rng.standard_normal(xs).astype(dtype), rng.standard_normal(ws).astype(dtype)
    b = rng.standard_normal(ws[1] * g).astype(dtype)
    out = torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(w), None, s, p,
                                               op, g, d)
    return x, w, b, rng.standard_normal(tuple(out.shape)).astype(dtype)


def _uses(y, n_parts: int, by_phases: bool) -> None:
    node = y.grad_fn
    while not hasattr(node, "geo"):
        node = node.next_functions[0][0]
    assert conv_geometry_of(y).parts == n_parts and node.phases == by_phases


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("n_parts", [2, 3])
def test_parts_give_the_whole_batch_results(parts, monkeypatch, case, n_parts):
    """Output and the three gradients in 2 or 3 parts (5 or 7 images: parts of unequal
    sizes) agree with the whole batch's in float64."""
    x, w, b, up = _arrays(case)
    parts(n_parts)
    y, ours = _run(minitorch, x, w, b, up, case)
    _uses(y, n_parts, case[2] == 2 and case[3] == 1 and case[4] == 0)
    monkeypatch.setattr(ctp, "prefer", lambda *a: 1)
    y, whole = _run(minitorch, x, w, b, up, case)
    _uses(y, 1, case[2] == 2 and case[3] == 1 and case[4] == 0)
    for a, r in zip(ours, whole):
        np.testing.assert_allclose(a, r, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 2e-4)])
def test_parts_match_torch(parts, case, dtype, tol):
    """Output and the gradients of x, w and b in 2 parts against torch (float64 tight,
    float32 loose)."""
    x, w, b, up = _arrays(case, dtype, seed=1)
    y, ours = _run(minitorch, x, w, b, up, case)
    assert conv_geometry_of(y).parts == 2
    _, theirs = _run(torch, x, w, b, up, case)
    for a, r in zip(ours, theirs):
        assert a.dtype == r.dtype
        np.testing.assert_allclose(a, r, rtol=tol, atol=tol)


@pytest.mark.parametrize("case", CASES[:2])
def test_second_derivatives_in_parts_match_torch(parts, case):
    """create_graph=True through a transposed convolution in parts (by phases, and by
    im2col): the gradients and the gradients of a function of them are torch's."""
    x, w, b, up = _arrays(case, seed=2)
    y, ours = _run(minitorch, x, w, b, up, case, create_graph=True)
    assert conv_geometry_of(y).parts == 2
    _, theirs = _run(torch, x, w, b, up, case, create_graph=True)
    for a, r in zip(ours, theirs):
        np.testing.assert_allclose(a, r, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("where", ["input", "upstream"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_values_leave_the_phases(parts, where, bad):
    """A NaN or an infinity in the input (or in the upstream gradient) takes im2col, in
    parts, as the whole batch did: torch's output and gradients, NaNs where torch's are."""
    case = CASES[0]
    x, w, b, up = _arrays(case, seed=3)
    (x if where == "input" else up)[3, 2, 1, 2] = bad
    y, ours = _run(minitorch, x, w, b, up, case)
    _uses(y, 2, where == "upstream")  # a bad input is seen in the forward
    _, theirs = _run(torch, x, w, b, up, case)
    for a, r in zip(ours, theirs):
        np.testing.assert_array_equal(np.isnan(a), np.isnan(r))
        np.testing.assert_allclose(a, r, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_results_do_not_depend_on_the_free_cores(parts, monkeypatch, dtype):
    """The same 2 parts run one after another (one free core) give the same bits as on
    two threads: a DCGAN-sized layer, large enough for split copies inside each part."""
    case = ((16, 64, 16, 16), (64, 32, 4, 4), 2, 1, 0, 1, 1)
    x, w, b, up = _arrays(case, dtype, seed=4)
    y, parallel = _run(minitorch, x, w, b, up, case)
    _uses(y, 2, True)
    monkeypatch.setattr(threads, "free_cores", lambda: 1)
    _, serial = _run(minitorch, x, w, b, up, case)
    for a, r in zip(parallel, serial):
        np.testing.assert_array_equal(a, r)


def test_the_choice(monkeypatch):
    """prefer_parts' rule, asked about the convolution whose input gradient this is: the
    DCGAN generator's 128 -> 64 layer (batch 64) takes one part per thread, LeNet-sized
    layers none, nor do weights over 2 MiB (its 512 -> 256 layer: 8 MiB in float32, its
    first layer 3.1 MiB; 256 -> 128 has 2 MiB in float32, 4 MiB in float64), a single
    image, one thread, or other arrays."""
    before = threads.get_num_threads()
    minitorch.set_num_threads(2)
    try:
        z = np.zeros((64, 128, 16, 16), np.float32)
        geo = kconv.ConvGeometry((2, 2), (1, 1, 1, 1), (1, 1), 1)
        assert ctp.prefer(z, (128, 64, 4, 4), geo, (32, 32)) == 2
        assert ctp.prefer(z[:1], (128, 64, 4, 4), geo, (32, 32)) == 1
        big = np.zeros((64, 512, 4, 4), np.float32)
        assert ctp.prefer(big, (512, 256, 4, 4), geo, (8, 8)) == 1
        assert ctp.prefer(big[:, :256], (256, 128, 4, 4), geo, (8, 8)) == 2
        assert ctp.prefer(big[:, :256].astype(np.float64), (256, 128, 4, 4), geo, (8, 8)) == 1
        z1 = np.zeros((64, 100, 1, 1), np.float32)
        assert ctp.prefer(z1, (100, 512, 4, 4), geo._replace(stride=(1, 1)), (4, 4)) == 1
        small = np.zeros((4, 16, 4, 4), np.float32)
        assert ctp.prefer(small, (16, 6, 4, 4), geo, (8, 8)) == 1
        minitorch.set_num_threads(1)
        assert ctp.prefer(z, (128, 64, 4, 4), geo, (32, 32)) == 1
        minitorch.set_num_threads(2)
        monkeypatch.setattr(ctp, "get_array_module", lambda a: object())
        assert ctp.prefer(z, (128, 64, 4, 4), geo, (32, 32)) == 1
    finally:
        minitorch.set_num_threads(before)


@pytest.mark.parametrize("case", CASES[:2])
@pytest.mark.parametrize("needs", [(True, False), (False, True)])
def test_one_gradient_asked_for(parts, case, needs):
    """Only the input's or only the weight's gradient (a frozen weight; the generator's
    latent input), in parts: torch's."""
    x, w, _, up = _arrays(case, seed=6)
    _, _, s, p, op, g, d = case
    grads = []
    for lib in (minitorch, torch):
        xs, ws = lib.tensor(x, requires_grad=needs[0]), lib.tensor(w, requires_grad=needs[1])
        y = lib.nn.functional.conv_transpose2d(xs, ws, None, s, p, op, g, d)
        if lib is minitorch:
            assert conv_geometry_of(y).parts == 2
        y.backward(lib.tensor(up))
        grads.append((xs if needs[0] else ws).grad.numpy())
        assert (ws if needs[0] else xs).grad is None
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10, atol=1e-10)


def test_only_the_bias_gradient(parts):
    """Neither the input's nor the weight's gradient asked for: the bias's alone, torch's."""
    case = CASES[0]
    x, w, b, up = _arrays(case, seed=7)
    grads = []
    for lib in (minitorch, torch):
        bs = lib.tensor(b, requires_grad=True)
        y = lib.nn.functional.conv_transpose2d(lib.tensor(x), lib.tensor(w), bs, 2, 1)
        y.backward(lib.tensor(up))
        grads.append(bs.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10, atol=1e-10)
