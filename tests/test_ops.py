"""Table-driven differential tests: every op of ``op_table.OPS`` against PyTorch.

For each entry: forward (float64 tight, float32 loose), backward with a random upstream
gradient, ``minitorch.autograd.gradcheck``, second derivatives, broadcast inputs,
non-contiguous inputs, hypothesis-drawn shapes (0-d, size-1 and size-0 dims), and the
method / function / ``out=`` forms.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from op_table import DOMAINS, OPS, Op

import minitorch

TIGHT = {"rtol": 1e-10, "atol": 1e-10}
LOOSE = {"rtol": 1e-5, "atol": 1e-5}
HYP = settings(max_examples=8, deadline=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture,
                                      HealthCheck.too_slow])


# ------------------------------------------------------------------------------ helpers
def flat(result) -> list:
    """An op's result as a list of tensors."""
    return list(result) if isinstance(result, (tuple, list)) else [result]


def make_arrays(entry: Op, rng, shapes=None, dtype=np.float64) -> list[np.ndarray]:
    shapes = entry.shapes if shapes is None else shapes
    out = []
    for dom, shape in zip(entry.domains(), shapes):
        a = DOMAINS[dom](rng, tuple(shape))
        out.append(a if a.dtype == bool else a.astype(dtype))
    return out


def leaves(m, arrays, requires_grad: bool = True, device: str = "cpu") -> list:
    """Tensors of module ``m`` on ``device`` holding copies of ``arrays`` (float ones
    requiring grad)."""
    out = []
    for a in arrays:
        t = m.tensor(np.array(a), device=device)
        if requires_grad and a.dtype.kind == "f":
            t.requires_grad_(True)
        out.append(t)
    return out


def to_np(t) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return np.array(t.detach().numpy(force=True))  # force: a ZeroTensor, or on CUDA
    return np.array(t.detach().cpu().numpy())


def dtype_name(t) -> str:
    return str(t.dtype).split(".")[-1]


def assert_same(mt, tt, tol=TIGHT, what="output") -> None:
    """Same shape, dtype, device and values (NaNs in the same places)."""
    assert tuple(mt.shape) == tuple(tt.shape), f"{what}: shape {mt.shape} vs torch {tt.shape}"
    assert str(mt.device) == str(tt.device), f"{what}: device {mt.device} vs torch {tt.device}"
    assert dtype_name(mt) == dtype_name(tt), f"{what}: dtype {mt.dtype} vs torch {tt.dtype}"
    np.testing.assert_allclose(to_np(mt), to_np(tt), equal_nan=True, err_msg=what, **tol)


def assert_grads(mgrads, tgrads, tol=TIGHT, what="grad") -> None:
    for i, (mg, tg) in enumerate(zip(mgrads, tgrads)):
        if tg is None and mg is None:
            continue
        ref = to_np(tg) if tg is not None else 0 * to_np(mg)
        got = to_np(mg) if mg is not None else 0 * to_np(tg)
        assert ref.shape == got.shape, f"{what}[{i}]: shape {got.shape} vs torch {ref.shape}"
        np.testing.assert_allclose(got, ref, err_msg=f"{what}[{i}]", **tol)


def diff_outputs(result) -> list:
    return [o for o in flat(result) if o.dtype.is_floating_point and o.requires_grad]


def check_forward(entry: Op, arrays, tol=TIGHT, device: str = "cpu") -> None:
    tout = flat(entry.fn(torch, *leaves(torch, arrays, False, device)))
    mout = flat(entry.fn(minitorch, *leaves(minitorch, arrays, False, device)))
    assert len(mout) == len(tout)
    for i, (mo, to) in enumerate(zip(mout, tout)):
        assert_same(mo, to, tol, f"{entry.name} output {i}")


def check_backward(entry: Op, arrays, rng, tol=TIGHT, views=None, device: str = "cpu") -> None:
    """Forward and every input's gradient vs torch, with a random upstream gradient.

    ``views(m, leaves)`` optionally turns the leaves into the op's actual inputs.
    """
    views = views or (lambda m, xs: xs)
    txs = leaves(torch, arrays, device=device)
    tout = entry.fn(torch, *views(torch, txs))
    tdiff = diff_outputs(tout)
    ups = [rng.standard_normal(tuple(o.shape)).astype(arrays[0].dtype) for o in tdiff]
    mxs = leaves(minitorch, arrays, device=device)
    mout = entry.fn(minitorch, *views(minitorch, mxs))
    for i, (mo, to) in enumerate(zip(flat(mout), flat(tout))):
        assert_same(mo, to, tol, f"{entry.name} output {i}")
    mdiff = diff_outputs(mout)
    assert len(mdiff) == len(tdiff), "differentiable outputs differ from torch's"
    if not tdiff:
        return
    tw = [x for x in txs if x.requires_grad]
    mw = [x for x in mxs if x.requires_grad]
    tg = torch.autograd.grad(tdiff, tw, [torch.tensor(u, device=device) for u in ups],
                             allow_unused=True)
    mg = minitorch.autograd.grad(mdiff, mw, [minitorch.tensor(u, device=device) for u in ups],
                                 allow_unused=True)
    assert_grads(mg, tg, tol, f"{entry.name} grad")


def second_derivatives(m, entry: Op, arrays, ups, ws, device: str = "cpu"):
    xs = leaves(m, arrays, device=device)
    w = [x for x in xs if x.requires_grad]
    outs = diff_outputs(entry.fn(m, *xs))
    grads = m.autograd.grad(outs, w, [m.tensor(u, device=device) for u in ups],
                            create_graph=True, allow_unused=True)
    terms = [(g * m.tensor(v, device=device)).sum() for g, v in zip(grads, ws)
             if g is not None and g.requires_grad]
    if not terms:
        return [None] * len(w)
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return m.autograd.grad(total, w, allow_unused=True)


# ------------------------------------------------------------------------- the checks
DIFF = [e for e in OPS if e.grad]


# The forward, backward, second-derivative and broadcast checks run on every device
# (``device`` fixture, conftest.py): on CUDA minitorch (CuPy) is compared with torch on
# CUDA; without a GPU those cases are skipped.
@pytest.mark.parametrize("entry", OPS, ids=str)
def test_forward_float64(entry, rng, device):
    check_forward(entry, make_arrays(entry, rng), device=device)


@pytest.mark.parametrize("entry", OPS, ids=str)
def test_forward_float32(entry, rng, device):
    check_forward(entry, make_arrays(entry, rng, dtype=np.float32), LOOSE, device)


@pytest.mark.parametrize("entry", DIFF, ids=str)
def test_backward(entry, rng, device):
    check_backward(entry, make_arrays(entry, rng), rng, device=device)


@pytest.mark.parametrize("entry", DIFF, ids=str)
def test_backward_float32(entry, rng, device):
    check_backward(entry, make_arrays(entry, rng, dtype=np.float32), rng,
                   {"rtol": 1e-4, "atol": 1e-5}, device=device)


@pytest.mark.parametrize("entry", [e for e in DIFF if e.gradcheck], ids=str)
def test_gradcheck(entry, rng):
    xs = leaves(minitorch, make_arrays(entry, rng))

    def f(*inputs):
        return tuple(o for o in flat(entry.fn(minitorch, *inputs)) if o.dtype.is_floating_point)

    assert minitorch.autograd.gradcheck(f, tuple(xs), eps=1e-6, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("entry", [e for e in DIFF if e.gradgrad], ids=str)
def test_second_derivatives(entry, rng, device):
    """Differentiate ``sum(grad * w)`` again (``create_graph=True``) and compare with torch."""
    arrays = make_arrays(entry, rng)
    touts = diff_outputs(entry.fn(torch, *leaves(torch, arrays, device=device)))
    ups = [rng.standard_normal(tuple(o.shape)) for o in touts]
    ws = [rng.standard_normal(a.shape) for a in arrays if a.dtype.kind == "f"]
    tg = second_derivatives(torch, entry, arrays, ups, ws, device)
    mg = second_derivatives(minitorch, entry, arrays, ups, ws, device)
    assert_grads(mg, tg, {"rtol": 1e-9, "atol": 1e-9}, f"{entry.name} second derivative")


@pytest.mark.parametrize("entry", [e for e in OPS if e.bcast], ids=str)
def test_broadcast_inputs(entry, rng, device):
    arrays = make_arrays(entry, rng, entry.bcast)
    if entry.grad:
        check_backward(entry, arrays, rng, device=device)
    else:
        check_forward(entry, arrays, device=device)


def _noncontig_bases(arrays, rng):
    """Per input: a base array and how to view it so the view holds the input's values."""
    bases, kinds = [], []
    for i, a in enumerate(arrays):
        if a.ndim >= 2 and i % 2 == 0:
            bases.append(np.ascontiguousarray(a.swapaxes(-1, -2)))
            kinds.append("T")
        elif a.ndim >= 1 and a.shape[-1] > 0:
            base = rng.standard_normal(a.shape[:-1] + (2 * a.shape[-1],)).astype(a.dtype)
            base[..., ::2] = a
            bases.append(base)
            kinds.append("step")
        else:
            bases.append(a)
            kinds.append("")
    return bases, kinds


def _apply_views(kinds):
    def views(m, xs):
        out = []
        for x, k in zip(xs, kinds):
            out.append(x.transpose(-1, -2) if k == "T" else x[..., ::2] if k == "step" else x)
        return out

    return views


@pytest.mark.parametrize("entry", [e for e in OPS if e.noncontig], ids=str)
def test_noncontiguous_inputs(entry, rng):
    """Transposed and strided-slice views as inputs; gradients reach the base tensors."""
    arrays = make_arrays(entry, rng)
    bases, kinds = _noncontig_bases(arrays, rng)
    views = _apply_views(kinds)
    mviews = views(minitorch, leaves(minitorch, bases, False))
    if entry.grad:
        check_backward(entry, bases, rng, views=views)
    else:
        tout = flat(entry.fn(torch, *views(torch, leaves(torch, bases, False))))
        for mo, to in zip(flat(entry.fn(minitorch, *mviews)), tout):
            assert_same(mo, to)


# -------------------------------------------------------------- hypothesis-drawn shapes
def _dims(lo=0, hi=3, min_size=0, max_size=3):
    return st.lists(st.integers(min_size, max_size), min_size=lo, max_size=hi).map(tuple)


@st.composite
def _bcast(draw, n):
    """``n`` shapes that broadcast together (drops leading dims, sets some to 1)."""
    full = draw(_dims())
    shapes = []
    for _ in range(n):
        k = draw(st.integers(0, len(full)))
        tail = list(full[len(full) - k:])
        for i in range(len(tail)):
            if draw(st.booleans()) and draw(st.booleans()):
                tail[i] = 1
        shapes.append(tuple(tail))
    return tuple(shapes)


@st.composite
def _matmul(draw):
    n, k, p = draw(st.integers(0, 3)), draw(st.integers(0, 3)), draw(st.integers(0, 3))
    return ((n, k), (k, p))


SHAPES = {
    "any": _dims().map(lambda s: (s,)),
    "any_nonempty": _dims(min_size=1).map(lambda s: (s,)),
    "small": _dims(0, 2, 1, 3).map(lambda s: (s,)),
    "two_or_more": _dims(1, 3, 1, 3).filter(lambda s: int(np.prod(s)) >= 2).map(lambda s: (s,)),
    "lastdim": _dims(2, 3, 1, 3).map(lambda s: (s,)),
    "bcast2": _bcast(2),
    "bcast3_where": _bcast(3),
    "matmul": _matmul(),
}


@pytest.mark.parametrize("entry", [e for e in OPS if e.hyp], ids=str)
@HYP
@given(data=st.data())
def test_hypothesis_shapes(entry, data):
    shapes = data.draw(SHAPES[entry.hyp], label="shapes")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    arrays = make_arrays(entry, rng, shapes)
    if entry.grad:
        check_backward(entry, arrays, rng)
    else:
        check_forward(entry, arrays)


def test_hypothesis_strategies_cover_edge_shapes():
    """The shape strategies can produce 0-d, size-1 and size-0 dims, and real broadcasting."""
    assert SHAPES.keys() >= {e.hyp for e in OPS if e.hyp}
    quiet = settings(database=None, max_examples=2000)
    find(SHAPES["any"], lambda s: s[0] == (), settings=quiet)
    find(SHAPES["any"], lambda s: 0 in s[0], settings=quiet)
    find(SHAPES["any"], lambda s: 1 in s[0], settings=quiet)
    find(SHAPES["bcast2"], lambda s: len(s[0]) != len(s[1]) and 0 not in s[0], settings=quiet)
    find(SHAPES["bcast2"], lambda s: len(s[0]) == len(s[1]) and s[0] != s[1], settings=quiet)


# ------------------------------------------------------- method, function and out= forms
FUNCS = [e for e in OPS if e.func]


@pytest.mark.parametrize("entry", [e for e in FUNCS if e.method], ids=str)
def test_method_form(entry, rng):
    """``x.op(...)`` equals ``minitorch.op(x, ...)`` and torch's method."""
    arrays = make_arrays(entry, rng)
    assert callable(getattr(minitorch, entry.func)), f"minitorch.{entry.func} is missing"
    mx, tx = leaves(minitorch, arrays, False), leaves(torch, arrays, False)
    mm = flat(getattr(mx[0], entry.func)(*mx[1:], *entry.args, **entry.kwargs))
    tm = flat(getattr(tx[0], entry.func)(*tx[1:], *entry.args, **entry.kwargs))
    mf = flat(entry.fn(minitorch, *mx))
    for a, b, c in zip(mm, tm, mf):
        assert_same(a, b)
        assert_same(a, c.detach() if hasattr(c, "detach") else c)


@pytest.mark.parametrize("entry", [e for e in FUNCS if e.out], ids=str)
def test_out_argument(entry, rng):
    """``minitorch.op(..., out=r)`` writes into ``r`` (resized like torch) and returns it."""
    arrays = make_arrays(entry, rng)
    tx, mx = leaves(torch, arrays, False), leaves(minitorch, arrays, False)
    expect = getattr(torch, entry.func)(*tx, *entry.args, **entry.kwargs)
    tr = torch.empty(0, dtype=expect.dtype)
    mr = minitorch.empty(0, dtype=getattr(minitorch, dtype_name(expect)))
    tret = getattr(torch, entry.func)(*tx, *entry.args, out=tr, **entry.kwargs)
    mret = getattr(minitorch, entry.func)(*mx, *entry.args, out=mr, **entry.kwargs)
    assert tret is tr and mret is mr
    assert_same(mr, tr)


def test_table_covers_the_issue():
    """Every op named in the core issue has at least one entry."""
    names = {e.func for e in OPS if e.func} | {e.name for e in OPS}
    required = [
        "add", "sub", "mul", "div", "floor_divide", "remainder", "pow", "neg", "abs", "exp",
        "log", "log1p", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "relu", "clamp",
        "clip", "maximum", "minimum", "where", "eq", "ne", "lt", "le", "gt", "ge", "matmul",
        "mm", "bmm", "dot", "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax",
        "argmin", "var", "std", "logsumexp", "softmax", "log_softmax", "norm", "all", "any",
        "view", "view_as", "reshape", "flatten", "squeeze", "unsqueeze", "transpose", "permute",
        "t", "expand", "expand_as", "repeat", "cat", "stack", "split", "chunk", "contiguous",
        "gather",
    ]
    missing = [n for n in required if n not in names]
    assert not missing, missing
