"""Random programs of core ops, run in minitorch and PyTorch on the same float64 inputs.

Hypothesis draws a short program: each step applies an op to one or two earlier values
(leaves or intermediates, so values are reused and gradients must add up).  Every value
broadcasts to ``(3, 3)``, so any op can follow any other.  The final output and every
leaf's ``.grad`` (after ``backward`` with a random upstream gradient) must match torch.
"""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minitorch

LEAF_SHAPES = [(3, 3), (3,), (3, 1), (1, 3)]


def _idx(m, values):
    return m.tensor(np.asarray(values, dtype=np.int64))


UNARY = [
    ("tanh", lambda m, x: x.tanh()),
    ("sigmoid", lambda m, x: m.sigmoid(x)),
    ("sin", lambda m, x: x.sin()),
    ("cos", lambda m, x: m.cos(x)),
    ("neg", lambda m, x: -x),
    ("scale", lambda m, x: x * 0.5 + 0.25),
    ("abs", lambda m, x: x.abs()),
    ("relu", lambda m, x: m.relu(x)),
    ("square", lambda m, x: x * x),
    ("soft_sqrt", lambda m, x: (x * x + 1).sqrt()),
    ("soft_log", lambda m, x: m.log1p(x * x)),
    ("gauss", lambda m, x: (-(x * x)).exp()),
    ("rsqrt", lambda m, x: (x * x + 0.5).rsqrt()),
    ("clamp", lambda m, x: x.clamp(-0.8, 0.8)),
    ("pow", lambda m, x: (x.abs() + 0.5) ** 1.5),
    ("softmax", lambda m, x: x.softmax(-1)),
    ("log_softmax", lambda m, x: m.log_softmax(x, dim=0)),
    ("sum_keep", lambda m, x: x.sum(-1, keepdim=True)),
    ("mean_keep", lambda m, x: x.mean(0, keepdim=True)),
    ("lse", lambda m, x: x.logsumexp(-1, keepdim=True)),
    ("amax", lambda m, x: x.amax(-1, keepdim=True)),
    ("norm", lambda m, x: x.norm(dim=-1, keepdim=True)),
    ("t", lambda m, x: x.t()),
    ("flip", lambda m, x: x.flip(-1)),
    ("expand", lambda m, x: x.expand(3, 3)),
    ("index_repeat", lambda m, x: x.expand(3, 3)[_idx(m, [2, 0, 2])]),
    ("slice", lambda m, x: x.expand(3, 3)[:, None, ::2].reshape(3, 2).sum(1, keepdim=True)),
    ("gather", lambda m, x: x.expand(3, 3).gather(1, _idx(m, [[0, 0, 2], [1, 2, 1], [2, 2, 0]]))),
    ("setitem", lambda m, x: _setitem(m, x)),
]

BINARY = [
    ("add", lambda m, x, y: x + y),
    ("sub", lambda m, x, y: m.sub(x, y, alpha=0.5)),
    ("mul", lambda m, x, y: x * y),
    ("safe_div", lambda m, x, y: x / (1 + y * y)),
    ("maximum", lambda m, x, y: m.maximum(x, y)),
    ("where", lambda m, x, y: m.where(x > y, x, y * 2)),
    ("matmul", lambda m, x, y: x.expand(3, 3) @ y.expand(3, 3)),
    ("matvec", lambda m, x, y: (x.expand(3, 3) @ y.expand(3, 3)[0]).unsqueeze(0)),
    ("cat", lambda m, x, y: m.cat([x.expand(3, 3), y.expand(3, 3)], 1)[:, 2:5]),
    ("stack", lambda m, x, y: m.stack([x.expand(3, 3), y.expand(3, 3)]).prod(0)),
    ("pow", lambda m, x, y: (x.abs() + 0.5) ** y.tanh()),
]


def _setitem(m, x):
    y = x.expand(3, 3) * 1
    y[1] = x.expand(3, 3)[0] * 2
    return y


@st.composite
def programs(draw):
    n = draw(st.integers(1, 8))
    steps = []
    for i in range(n):
        pool = len(LEAF_SHAPES) + i
        if draw(st.booleans()):
            steps.append(("u", draw(st.integers(0, len(UNARY) - 1)), draw(st.integers(0, pool - 1)),
                          None))
        else:
            steps.append(("b", draw(st.integers(0, len(BINARY) - 1)),
                          draw(st.integers(0, pool - 1)), draw(st.integers(0, pool - 1))))
    return steps


def run(m, program, arrays, upstream):
    leaves = [m.tensor(a, requires_grad=True) for a in arrays]
    pool = list(leaves)
    for kind, op, a, b in program:
        if kind == "u":
            pool.append(UNARY[op][1](m, pool[a]))
        else:
            pool.append(BINARY[op][1](m, pool[a], pool[b]))
    out = pool[-1]
    (out * m.tensor(upstream(tuple(out.shape)))).sum().backward()
    return out, [x.grad for x in leaves]


def describe(program) -> str:
    names = [UNARY[op][0] if k == "u" else BINARY[op][0] for k, op, _, _ in program]
    return " -> ".join(names)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=programs(), seed=st.integers(0, 2**16))
def test_random_composition_matches_torch(program, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in LEAF_SHAPES]
    up = rng.standard_normal((3, 3))
    tout, tgrads = run(torch, program, arrays, lambda s: up[tuple(slice(0, k) for k in s)]
                       if len(s) == 2 else up[0, : s[0]] if s else up[0, 0])
    mout, mgrads = run(minitorch, program, arrays, lambda s: up[tuple(slice(0, k) for k in s)]
                       if len(s) == 2 else up[0, : s[0]] if s else up[0, 0])
    what = describe(program)
    assert tuple(mout.shape) == tuple(tout.shape), what
    np.testing.assert_allclose(mout.detach().numpy(), tout.detach().numpy(), rtol=1e-9,
                               atol=1e-12, err_msg=what)
    for i, (mg, tg) in enumerate(zip(mgrads, tgrads)):
        assert (mg is None) == (tg is None), f"{what}: leaf {i} grad presence differs"
        if tg is not None:
            np.testing.assert_allclose(mg.numpy(), tg.numpy(), rtol=1e-8, atol=1e-10,
                                       err_msg=f"{what}: leaf {i}")
