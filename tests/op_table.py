"""The op table: one entry per core op, driving every check in ``test_ops.py``.

An entry says how to call the op given a module (``torch`` or ``minitorch``) and input
tensors, which input shapes to use, where the inputs may lie (``positive`` for ``log``,
``distinct`` away from kinks and ties for ``abs``/``relu``/``max``, ...), and which checks
apply.  Adding an op here tests it every way at once: forward in float32 and float64,
backward with a random upstream gradient, finite differences, second derivatives,
broadcast and non-contiguous inputs, hypothesis-drawn shapes, method/function/``out=``
forms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# ----------------------------------------------------------------------------- domains
CLAMP_LO, CLAMP_HI = -0.5, 0.5


def _distinct(rng: np.random.Generator, shape) -> np.ndarray:
    """Values that are pairwise far apart and away from 0 and the clamp bounds.

    Kinks (abs, relu, clamp) and ties (max, maximum) make gradients ill-defined; a random
    permutation of a spaced grid avoids them by construction.
    """
    n = int(np.prod(shape))
    grid = (np.arange(n) - n / 2.0 + 0.5) * 0.37 + 0.11
    vals = rng.permutation(grid) + rng.uniform(-0.03, 0.03, n)
    return vals.reshape(shape)


def _with_zero(rng: np.random.Generator, shape) -> np.ndarray:
    x = rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    if x.size:
        x.reshape(-1)[rng.integers(x.size)] = 0.0
    return x


DOMAINS: dict[str, Callable[[np.random.Generator, tuple], np.ndarray]] = {
    "real": lambda rng, s: rng.standard_normal(s),
    "positive": lambda rng, s: rng.uniform(0.5, 2.0, s),
    "nonzero": lambda rng, s: rng.uniform(0.5, 2.0, s) * rng.choice([-1.0, 1.0], s),
    "log1p": lambda rng, s: rng.uniform(-0.5, 2.0, s),
    "distinct": _distinct,
    "small_int": lambda rng, s: rng.integers(-2, 3, s).astype(np.float64),
    "with_zero": _with_zero,
    "bool": lambda rng, s: rng.random(s) > 0.5,
    "nonfinite": lambda rng, s: _nonfinite(rng, s),
}


def _nonfinite(rng: np.random.Generator, shape) -> np.ndarray:
    """Normal values with a NaN, +inf and -inf at random places (where there is room)."""
    x = rng.standard_normal(shape)
    flat = x.reshape(-1)
    for pos, v in zip(rng.permutation(flat.size)[:3], (np.nan, np.inf, -np.inf)):
        flat[pos] = v
    return x


# ------------------------------------------------------------------------------- entry
@dataclass
class Op:
    """One op of the table.

    Attributes
    ----------
    name : test id.
    fn : ``fn(m, *xs)`` applies the op with module ``m`` to input tensors ``xs``; it may
        return a Tensor or a tuple of Tensors (integer outputs are compared, not
        differentiated).
    shapes : the input shapes of the standard checks (small: gradcheck uses them).
    domain : one domain name for all inputs, or one per input.
    grad : differentiable (backward and gradcheck apply).
    gradgrad : compare second derivatives with torch.
    bcast : alternative input shapes exercising broadcasting.
    hyp : key of a hypothesis shape strategy in ``test_ops.SHAPES``, or None.
    func : name of ``minitorch.<func>`` / ``Tensor.<func>`` equal to ``fn`` when called as
        ``m.func(*xs, *args, **kwargs)``; None when ``fn`` is an operator or composite.
    method : also check ``xs[0].func(*xs[1:], ...)``.
    out : also check ``m.func(..., out=r)``.
    noncontig : check transposed/strided-view inputs.
    gradcheck : compare with finite differences (not at ties, where they are one-sided).
    """

    name: str
    fn: Callable[..., Any]
    shapes: tuple
    domain: str | tuple = "real"
    grad: bool = True
    gradgrad: bool = True
    bcast: tuple | None = None
    hyp: str | None = None
    func: str | None = None
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    method: bool = True
    out: bool = False
    noncontig: bool = True
    gradcheck: bool = True

    def domains(self) -> tuple:
        if isinstance(self.domain, str):
            return (self.domain,) * len(self.shapes)
        return self.domain

    def __repr__(self) -> str:
        return self.name


def _call(func, args=(), kwargs=None):
    kwargs = kwargs or {}
    return lambda m, *xs: getattr(m, func)(*xs, *args, **kwargs)


def op(name: str, func: str, shapes, *, args=(), kwargs=None, **opts) -> Op:
    """An entry for ``m.func(*xs, *args, **kwargs)`` (also checked as a method)."""
    kwargs = kwargs or {}
    return Op(name, _call(func, args, kwargs), shapes, func=func, args=args, kwargs=kwargs,
              **opts)


def meth(name: str, method: str, shapes, *, args=(), kwargs=None, **opts) -> Op:
    """An entry for a method with no function form in torch: ``xs[0].method(*xs[1:], ...)``."""
    kwargs = kwargs or {}
    return Op(name, lambda m, x, *xs: getattr(x, method)(*xs, *args, **kwargs), shapes, **opts)


def expr(name: str, fn, shapes, **opts) -> Op:
    """An entry for an operator or composite expression ``fn(m, *xs)``."""
    return Op(name, fn, shapes, **opts)


def _idx(m, arr, like):
    """An int64 index tensor in module ``m``, on the device of tensor ``like``."""
    return m.tensor(np.asarray(arr, dtype=np.int64), device=like.device)


def _mask(m, arr, like):
    """A bool mask tensor in module ``m``, on the device of tensor ``like``."""
    return m.tensor(np.asarray(arr, dtype=bool), device=like.device)


M = (3, 4)
B2 = ((3, 4), (4,))  # a broadcast pair

# ---------------------------------------------------------------------------- the table
OPS: list[Op] = [
    # --- binary arithmetic: functions (with out=), operators, scalars
    op("add", "add", (M, M), bcast=B2, hyp="bcast2", out=True),
    op("add_alpha", "add", (M, M), kwargs={"alpha": 2.5}, bcast=B2, out=True),
    op("sub", "sub", (M, M), bcast=B2, hyp="bcast2", out=True),
    op("mul", "mul", (M, M), bcast=B2, hyp="bcast2", out=True),
    op("div", "div", (M, M), domain=("real", "nonzero"), bcast=B2, hyp="bcast2", out=True),
    op("div_floor", "div", (M, M), domain=("real", "nonzero"), kwargs={"rounding_mode": "floor"},
       gradgrad=False, out=True),
    op("div_trunc", "div", (M, M), domain=("real", "nonzero"), kwargs={"rounding_mode": "trunc"},
       gradgrad=False, out=True),
    op("floor_divide", "floor_divide", (M, M), domain=("real", "nonzero"), grad=False,
       out=True),  # torch has no derivative for floor_divide
    op("remainder", "remainder", (M, M), domain=("real", "nonzero"), bcast=B2, out=True),
    op("pow_tensor_tensor", "pow", (M, M), domain=("positive", "real"), bcast=B2, hyp="bcast2",
       out=True),
    op("pow_tensor_scalar", "pow", (M,), args=(3,), hyp="any", out=True),
    op("pow_tensor_half", "pow", (M,), args=(0.5,), domain="positive", out=True),
    op("pow_tensor_neg", "pow", (M,), args=(-1.5,), domain="positive"),
    op("maximum", "maximum", (M, M), domain="distinct", bcast=B2, out=True),
    op("minimum", "minimum", (M, M), domain="distinct", bcast=B2, out=True),
    expr("op_add", lambda m, x, y: x + y, (M, M), bcast=B2),
    expr("op_sub", lambda m, x, y: x - y, (M, M), bcast=B2),
    expr("op_mul", lambda m, x, y: x * y, (M, M), bcast=B2),
    expr("op_div", lambda m, x, y: x / y, (M, M), domain=("real", "nonzero"), bcast=B2),
    expr("op_floordiv", lambda m, x, y: x // y, (M, M), domain=("real", "nonzero"),
         grad=False),
    expr("op_mod", lambda m, x, y: x % y, (M, M), domain=("real", "nonzero")),
    expr("op_pow", lambda m, x, y: x**y, (M, M), domain=("positive", "real"), bcast=B2),
    expr("op_neg", lambda m, x: -x, (M,), hyp="any"),
    expr("op_radd", lambda m, x: 2.5 + x, (M,)),
    expr("op_rsub", lambda m, x: 2.5 - x, (M,)),
    expr("op_rmul", lambda m, x: 2.5 * x, (M,)),
    expr("op_rdiv", lambda m, x: 2.5 / x, (M,), domain="nonzero"),
    expr("op_scalar_div", lambda m, x: x / 4, (M,)),
    expr("op_rfloordiv", lambda m, x: 2.5 // x, (M,), domain="nonzero", grad=False),
    expr("op_rmod", lambda m, x: 2.5 % x, (M,), domain="nonzero", grad=False),
    expr("op_mod_scalar", lambda m, x: x % 0.7, (M,)),
    expr("op_rpow", lambda m, x: 2.0**x, (M,), hyp="any"),
    expr("op_pow_scalar", lambda m, x: x**2, (M,), hyp="any"),
    expr("op_pow_0d", lambda m, x, y: x**y, (M, ()), domain=("positive", "real")),
    expr("op_add_0d", lambda m, x, y: x + y, ((), M)),
    # --- unary math
    op("neg", "neg", (M,), hyp="any", out=True),
    op("abs", "abs", (M,), domain="distinct", hyp="any", out=True),
    op("exp", "exp", (M,), hyp="any", out=True),
    op("log", "log", (M,), domain="positive", hyp="any", out=True),
    op("log1p", "log1p", (M,), domain="log1p", hyp="any", out=True),
    op("sqrt", "sqrt", (M,), domain="positive", hyp="any", out=True),
    op("rsqrt", "rsqrt", (M,), domain="positive", hyp="any", out=True),
    op("sin", "sin", (M,), hyp="any", out=True),
    op("cos", "cos", (M,), hyp="any", out=True),
    op("tanh", "tanh", (M,), hyp="any", out=True),
    op("sigmoid", "sigmoid", (M,), hyp="any", out=True),
    op("relu", "relu", (M,), domain="distinct", hyp="any"),
    op("square", "square", (M,), hyp="any"),
    op("reciprocal", "reciprocal", (M,), domain="nonzero"),
    op("sign", "sign", (M,), domain="distinct", gradgrad=False),
    op("floor", "floor", (M,), domain="distinct", gradgrad=False),
    op("ceil", "ceil", (M,), domain="distinct", gradgrad=False),
    op("round", "round", (M,), domain="distinct", gradgrad=False),
    op("trunc", "trunc", (M,), domain="distinct", gradgrad=False),
    op("clamp", "clamp", (M,), args=(CLAMP_LO, CLAMP_HI), domain="distinct", hyp="any",
       out=True),
    op("clamp_min", "clamp", (M,), kwargs={"min": CLAMP_LO}, domain="distinct"),
    op("clamp_max", "clamp", (M,), kwargs={"max": CLAMP_HI}, domain="distinct"),
    op("clip", "clip", (M,), args=(CLAMP_LO, CLAMP_HI), domain="distinct"),
    op("clamp_tensor", "clamp", (M, M, M), domain="distinct",
       bcast=((3, 4), (4,), (3, 1))),
    expr("clamp_tensor_min", lambda m, x, lo: m.clamp(x, min=lo), (M, (4,)), domain="distinct"),
    op("where", "where", (M, M, M), domain=("bool", "real", "real"), method=False,
       bcast=((3, 1), (4,), (3, 4)), hyp="bcast3_where"),
    expr("where_method", lambda m, c, x, y: x.where(c, y), (M, M, M),
         domain=("bool", "real", "real")),
    expr("where_scalar", lambda m, x: m.where(x > 0, x, 0.0), (M,), domain="distinct"),
    expr("where_cond_expr", lambda m, x, y: m.where(x > y, x * 2, y), (M, M), domain="distinct",
         bcast=B2),
    # --- comparisons (forward only)
    *[
        op(f"cmp_{c}", c, (M, M), domain="small_int", grad=False, bcast=B2, hyp="bcast2",
           out=True)
        for c in ("eq", "ne", "lt", "le", "gt", "ge")
    ],
    *[
        expr(f"cmp_op_{n}", f, (M, M), domain="small_int", grad=False, bcast=B2)
        for n, f in [
            ("eq", lambda m, x, y: x == y),
            ("ne", lambda m, x, y: x != y),
            ("lt", lambda m, x, y: x < y),
            ("le", lambda m, x, y: x <= y),
            ("gt", lambda m, x, y: x > y),
            ("ge", lambda m, x, y: x >= y),
            ("scalar", lambda m, x, y: x >= 1),
        ]
    ],
    # --- matrix products: every matmul broadcasting case, mm, bmm, dot
    op("matmul_1d_1d", "matmul", ((4,), (4,)), out=True),
    op("matmul_1d_2d", "matmul", ((3,), (3, 4)), out=True),
    op("matmul_2d_1d", "matmul", ((3, 4), (4,)), out=True),
    op("matmul_2d_2d", "matmul", ((3, 4), (4, 2)), out=True, hyp="matmul"),
    op("matmul_batched_2d", "matmul", ((2, 3, 4), (4, 2)), out=True),
    op("matmul_2d_batched", "matmul", ((3, 4), (2, 4, 2)), out=True),
    op("matmul_bcast_batch", "matmul", ((2, 1, 3, 4), (3, 4, 2)), out=True),
    op("matmul_1d_batched", "matmul", ((3,), (2, 3, 4)), out=True),
    op("matmul_batched_1d", "matmul", ((2, 3, 4), (4,)), out=True),
    expr("op_matmul", lambda m, x, y: x @ y, ((2, 3, 4), (2, 4, 2))),
    op("mm", "mm", ((3, 4), (4, 2)), out=True),
    op("bmm", "bmm", ((2, 3, 4), (2, 4, 2)), out=True),
    op("dot", "dot", ((5,), (5,)), out=True),
    # --- reductions
    op("sum", "sum", (M,), hyp="any"),
    op("sum_dim", "sum", ((2, 3, 4),), args=(1,)),
    op("sum_dims_keepdim", "sum", ((2, 3, 4),), args=((0, 2),), kwargs={"keepdim": True},
       out=True),
    op("mean", "mean", (M,), hyp="any_nonempty"),
    op("mean_dim_keepdim", "mean", ((2, 3, 4),), args=(-1,), kwargs={"keepdim": True}, out=True),
    op("mean_dims", "mean", ((2, 3, 4),), args=((0, 1),)),
    op("prod", "prod", (M,), domain="nonzero", hyp="small"),
    op("prod_dim", "prod", (M,), args=(1,), domain="nonzero"),
    op("prod_zero", "prod", (M,), domain="with_zero", gradgrad=False),
    op("prod_dim_zero", "prod", (M,), args=(0,), kwargs={"keepdim": True}, domain="with_zero",
       gradgrad=False),
    op("max_all", "max", (M,), domain="distinct", hyp="any_nonempty"),
    op("min_all", "min", (M,), domain="distinct"),
    op("max_dim", "max", ((2, 3, 4),), args=(1,), domain="distinct"),
    op("max_dim_keepdim", "max", ((2, 3, 4),), args=(-1,), kwargs={"keepdim": True},
       domain="distinct"),
    op("min_dim", "min", ((2, 3, 4),), args=(0,), domain="distinct"),
    op("min_dim_keepdim", "min", (M,), args=(1,), kwargs={"keepdim": True}, domain="distinct"),
    op("max_binary", "max", (M, M), domain="distinct"),
    op("amax", "amax", ((2, 3, 4),), args=((0, 2),), domain="distinct", out=True),
    op("amin", "amin", ((2, 3, 4),), args=(1,), kwargs={"keepdim": True}, domain="distinct"),
    op("amax_ties", "amax", ((3, 4),), args=(1,), domain="small_int", gradcheck=False),
    op("argmax", "argmax", (M,), domain="distinct", grad=False),
    op("argmax_dim", "argmax", ((2, 3, 4),), args=(1,), domain="distinct", grad=False),
    op("argmin_dim_keepdim", "argmin", (M,), args=(1,), kwargs={"keepdim": True},
       domain="distinct", grad=False),
    op("var", "var", (M,), hyp="two_or_more"),
    op("var_dim", "var", ((2, 3, 4),), args=(1,), kwargs={"keepdim": True}),
    op("var_biased", "var", (M,), args=(1,), kwargs={"unbiased": False}),
    op("var_correction", "var", (M,), args=(0,), kwargs={"correction": 2}),
    op("std", "std", (M,)),
    op("std_dim", "std", ((2, 3, 4),), args=((0, 2),)),
    op("std_biased", "std", (M,), args=(1,), kwargs={"unbiased": False, "keepdim": True}),
    op("logsumexp", "logsumexp", ((2, 3, 4),), args=(1,), hyp="lastdim"),
    op("logsumexp_keepdim", "logsumexp", (M,), args=((0, 1),), kwargs={"keepdim": True}),
    op("softmax", "softmax", ((2, 3, 4),), args=(-1,), hyp="lastdim"),
    op("softmax_dim0", "softmax", (M,), args=(0,)),
    op("log_softmax", "log_softmax", ((2, 3, 4),), args=(1,), hyp="lastdim"),
    op("norm", "norm", (M,), hyp="any_nonempty"),
    op("norm_p1", "norm", (M,), args=(1,), domain="distinct"),
    op("norm_p3_dim", "norm", (M,), args=(3,), kwargs={"dim": 1}),
    op("norm_inf", "norm", (M,), args=(float("inf"),), domain="distinct"),
    op("norm_p2_keepdim", "norm", ((2, 3, 4),), args=(2,), kwargs={"dim": (0, 2), "keepdim": True}),
    op("all", "all", (M,), domain="bool", grad=False),
    op("any_dim", "any", (M,), args=(1,), domain="bool", grad=False),
    op("all_dim", "all", ((2, 3, 4),), args=(0,), domain="bool", grad=False),
    # --- shape ops
    meth("view", "view", (M,), args=(2, 6), noncontig=False),
    meth("view_infer", "view", ((2, 3, 4),), args=((-1, 4),), noncontig=False),
    expr("view_as", lambda m, x, y: x.view_as(y), (M, (4, 3)), noncontig=False),
    op("reshape", "reshape", ((2, 3, 4),), args=((4, -1),)),
    op("flatten", "flatten", ((2, 3, 4),)),
    op("flatten_range", "flatten", ((2, 3, 4, 2),), args=(1, 2)),
    op("squeeze", "squeeze", ((3, 1, 4, 1),)),
    op("squeeze_dim", "squeeze", ((3, 1, 4),), args=(1,)),
    op("unsqueeze", "unsqueeze", (M,), args=(1,)),
    op("unsqueeze_neg", "unsqueeze", (M,), args=(-1,)),
    op("transpose", "transpose", ((2, 3, 4),), args=(0, 2)),
    op("permute", "permute", ((2, 3, 4),), args=((2, 0, 1),)),
    op("t", "t", (M,)),
    expr("T", lambda m, x: x.T, ((3, 4),)),
    expr("mT", lambda m, x: x.mT, ((2, 3, 4),)),
    meth("expand", "expand", ((3, 1),), args=(2, 3, 4)),
    expr("expand_as", lambda m, x, y: x.expand_as(y) * y, ((4,), M)),
    meth("repeat", "repeat", ((2, 3),), args=(2, 1, 3)),
    expr("cat", lambda m, x, y, z: m.cat([x, y, z], 1), (M, (3, 2), (3, 1))),
    expr("cat_out", lambda m, x, y: m.cat([x, y], out=m.empty(0, dtype=x.dtype, device=x.device)), (M, (1, 4)),
         grad=False),
    expr("stack", lambda m, x, y: m.stack([x, y], dim=1), (M, M)),
    expr("stack_neg", lambda m, x, y: m.stack((x, y), -1), (M, M)),
    op("split", "split", ((5, 3),), args=(2,)),
    op("split_sizes", "split", ((5, 3),), args=([1, 3, 1],)),
    op("split_dim", "split", ((2, 5),), args=(2,), kwargs={"dim": 1}),
    op("chunk", "chunk", ((5, 3),), args=(3,)),
    op("chunk_dim", "chunk", ((3, 4),), args=(2, 1)),
    expr("contiguous", lambda m, x: x.transpose(0, 1).contiguous() * 1, (M,)),
    op("clone", "clone", (M,)),
    # --- indexing
    expr("index_int", lambda m, x: x[1], ((3, 4, 2),)),
    expr("index_neg_int", lambda m, x: x[-1, 2], ((3, 4, 2),)),
    expr("index_slice", lambda m, x: x[1:3, :2], ((3, 4, 2),)),
    expr("index_step", lambda m, x: x[::2, 1::2], ((5, 4),)),
    expr("index_none_ellipsis", lambda m, x: x[None, ..., 1], ((3, 4, 2),)),
    expr("index_ellipsis_slice", lambda m, x: x[..., 1:, None], ((3, 4, 2),)),
    expr("index_bool_mask", lambda m, x: x[x > 0], (M,), domain="distinct"),
    expr("index_bool_rows", lambda m, x: x[_mask(m, [True, False, True], x)], (M,)),
    expr("index_int_tensor_repeat", lambda m, x: x[_idx(m, [0, 2, 0, 0], x)], (M,)),
    expr("index_int_tensor_2d", lambda m, x: x[_idx(m, [[1, 1], [2, 0]], x), 1:], (M,)),
    expr("index_two_tensors", lambda m, x: x[_idx(m, [0, 2, 2], x), _idx(m, [1, 1, 3], x)], (M,)),
    expr("index_list", lambda m, x: x[:, [3, 0, 3]], (M,)),
    expr("setitem_tensor",
         lambda m, x, v: _setitem(m, x, (slice(None), 1), v), (M, (3,))),
    expr("setitem_scalar", lambda m, x: _setitem(m, x, (0, slice(1, 3)), 2.5), (M,)),
    expr("setitem_mask", lambda m, x: _setitem(m, x, x.detach() > 0, 0.0), (M,),
         domain="distinct"),
    expr("setitem_int_tensor",
         lambda m, x, v: _setitem(m, x, _idx(m, [2, 0], x), v), (M, (4,))),
    op("gather", "gather", ((3, 4),), args=(1, None), method=True),
    op("gather_dim0", "gather", ((3, 4),), args=(0, None)),
    expr("index_select", lambda m, x: m.index_select(x, 1, _idx(m, [3, 0, 3], x)), (M,)),
]


def _setitem(m, x, key, v):
    """Out-of-place test of ``__setitem__``: assign into a copy that is in the graph."""
    y = x * 1
    y[key] = v
    return y


_GATHER_INDEX = {
    "gather": [[0, 3, 3], [1, 1, 0], [2, 0, 2]],
    "gather_dim0": [[0, 2, 2, 1], [1, 1, 0, 0]],
}


def _fix_gather(entry: Op) -> Op:
    """gather's index is a constant: build it in the right module at call time."""
    index = _GATHER_INDEX[entry.name]
    dim = entry.args[0]
    entry.fn = lambda m, x: m.gather(x, dim, _idx(m, index, x))
    entry.func = None  # the method/out forms are covered below
    return entry


OPS = [_fix_gather(e) if e.name in _GATHER_INDEX else e for e in OPS]
OPS.append(expr("gather_method",
                lambda m, x: x.gather(1, _idx(m, _GATHER_INDEX["gather"], x)), ((3, 4),)))

# --- tensor ops of issue 16: scans, sorting and order statistics, counting, einsum,
# diagonals, rolls and rotations, index_put / take / masked_select
S3 = (3, 5)
IDX = _idx


def _einsum(equation: str):
    return lambda m, *xs: m.einsum(equation, *xs)


OPS += [
    op("cumsum", "cumsum", ((2, 3, 4),), args=(1,), out=True),
    op("cumsum_neg", "cumsum", (M,), args=(-1,), hyp="lastdim"),
    op("cumsum_dtype", "cumsum", (M,), args=(0,), kwargs={"dtype": None}),
    expr("cumsum_int", lambda m, x: m.cumsum(x.to(m.int32), 0), (M,), domain="small_int",
         grad=False),
    expr("cumsum_bool", lambda m, x: x.cumsum(1), (M,), domain="bool", grad=False),
    op("cumprod", "cumprod", ((2, 3, 4),), args=(1,), domain="nonzero", out=True,
       hyp="lastdim"),
    op("cumprod_zero", "cumprod", (M,), args=(1,), domain="with_zero"),
    op("cumprod_zero_dim0", "cumprod", ((5, 2),), args=(0,), domain="with_zero"),
    expr("cumprod_zeros", lambda m, x: m.cumprod(x * _mask(m, [[1, 0, 1, 0, 1], [0, 1, 1, 1, 0],
                                                              [1, 1, 1, 1, 1]], x), 1), (S3,)),
    expr("cumsum_", lambda m, x: (x * 1).cumsum_(1), (M,)),
    expr("cumprod_", lambda m, x: (x * 1).cumprod_(0), (M,), domain="nonzero"),
    op("diff", "diff", (S3,)),
    op("diff_n2_dim0", "diff", ((5, 3),), kwargs={"n": 2, "dim": 0}),
    expr("diff_prepend_append", lambda m, x, p, a: m.diff(x, dim=1, prepend=p, append=a),
         (M, (3, 2), (3, 1))),
    expr("diff_bool", lambda m, x: m.diff(x), ((6,),), domain="bool", grad=False),
    op("isnan", "isnan", (M,), domain="nonfinite", grad=False),
    op("isinf", "isinf", (M,), domain="nonfinite", grad=False),
    op("isfinite", "isfinite", (M,), domain="nonfinite", grad=False),
    expr("isnan_int", lambda m, x: m.isnan(x.to(m.int64)), (M,), domain="small_int",
         grad=False),
    op("nan_to_num", "nan_to_num", (M,), domain="nonfinite", out=True, hyp="any"),
    op("nan_to_num_values", "nan_to_num", (M,), kwargs={"nan": 1.5, "posinf": 9.0,
                                                        "neginf": -9.0}, domain="nonfinite"),
    expr("nan_to_num_", lambda m, x: (x * 1).nan_to_num_(2.0), (M,), domain="nonfinite"),
    op("sort", "sort", (S3,), domain="distinct", hyp="lastdim"),
    op("sort_desc_dim0", "sort", ((4, 3),), args=(0, True), domain="distinct"),
    op("sort_stable_ties", "sort", ((3, 8),), kwargs={"stable": True, "descending": True},
       domain="small_int", gradcheck=False),
    op("sort_stable_ties_asc", "sort", ((3, 8),), kwargs={"stable": True}, domain="small_int",
       gradcheck=False),
    op("sort_nonfinite", "sort", ((2, 6),), kwargs={"descending": True}, domain="nonfinite",
       grad=False),
    op("sort_0d", "sort", ((),)),
    op("argsort", "argsort", (S3,), domain="distinct", grad=False),
    op("argsort_desc_stable", "argsort", ((3, 8),), kwargs={"stable": True, "dim": 1, "descending": True},
       domain="small_int", grad=False),
    op("msort", "msort", ((4, 3),), domain="distinct", out=True),
    op("topk", "topk", ((3, 6),), args=(2,), domain="distinct"),
    op("topk_smallest_dim0", "topk", ((5, 3),), args=(3, 0, False), domain="distinct"),
    op("kthvalue", "kthvalue", (S3,), args=(2,), domain="distinct"),
    op("kthvalue_keepdim", "kthvalue", ((4, 3),), args=(4, 0, True), domain="distinct"),
    op("median_all", "median", (S3,), domain="distinct"),
    op("median_all_even", "median", ((2, 4),), domain="distinct"),
    op("median_all_ties", "median", ((3, 4),), domain="small_int", gradcheck=False),
    op("median_dim", "median", ((4, 5),), args=(1,), domain="distinct", hyp="lastdim"),
    op("median_dim_even_keepdim", "median", ((4, 3),), args=(0, True), domain="distinct"),
    op("median_nan", "median", ((3, 6),), args=(1,), domain="nonfinite", grad=False),
    op("median_all_nan", "median", ((3, 6),), domain="nonfinite", grad=False),
    op("nanmedian_dim", "nanmedian", ((3, 6),), args=(1,), domain="nonfinite", grad=False),
    op("nanmedian_all", "nanmedian", ((3, 6),), domain="nonfinite", grad=False),
    expr("median_int", lambda m, x: m.median(x.to(m.int64), 1), ((3, 6),), domain="small_int",
         grad=False),
    expr("median_all_int", lambda m, x: x.to(m.int32).median(), ((3, 6),), domain="small_int",
         grad=False),
    expr("mode_int", lambda m, x: m.mode(x.to(m.int64)), ((3, 8),), domain="small_int",
         grad=False),
    op("mode", "mode", ((3, 8),), domain="small_int", gradcheck=False),
    op("mode_dim0_keepdim", "mode", ((8, 2),), args=(0, True), domain="small_int",
       gradcheck=False),
    op("quantile", "quantile", (S3,), args=(0.3,), domain="distinct"),
    op("quantile_dim", "quantile", ((4, 5),), args=(0.75,), kwargs={"dim": 1, "keepdim": True},
       domain="distinct"),
    expr("quantile_q_tensor",
         lambda m, x: m.quantile(x, m.tensor([0.1, 0.5, 0.9], dtype=x.dtype), dim=0),
         ((5, 3),), domain="distinct"),
    expr("quantile_q_tensor_all_keepdim",
         lambda m, x: x.quantile(m.tensor([0.2, 1.0], dtype=x.dtype), keepdim=True),
         ((2, 3),), domain="distinct"),
    *[op(f"quantile_{how}", "quantile", ((4, 6),), args=(0.4, 1),
         kwargs={"interpolation": how}, domain="distinct")
      for how in ("lower", "higher", "midpoint", "nearest")],
    op("quantile_nan", "quantile", ((3, 6),), args=(0.5, 1), domain="nonfinite", grad=False),
    op("unique", "unique", (S3,), domain="small_int", grad=False),
    op("unique_inverse_counts", "unique", (S3,), kwargs={"return_inverse": True,
                                                        "return_counts": True},
       domain="small_int", grad=False),
    op("unique_dim", "unique", ((8, 2),), kwargs={"dim": 0, "return_inverse": True,
                                                  "return_counts": True},
       domain="bool", grad=False),
    expr("searchsorted", lambda m, s, v: m.searchsorted(s.sort().values, v), ((6,), M),
         domain="small_int", grad=False),
    expr("searchsorted_right_2d", lambda m, s, v: m.searchsorted(s.sort().values, v, right=True),
         ((3, 5), (3, 4)), domain="small_int", grad=False),
    expr("searchsorted_side_sorter",
         lambda m, s, v: m.searchsorted(s, v, side="right", sorter=s.argsort(stable=True)),
         ((6,), (4,)), domain="small_int", grad=False),
    expr("searchsorted_scalar_int32",
         lambda m, s: m.searchsorted(s.sort().values, 0.5, out_int32=True), ((6,),),
         grad=False),
    expr("bucketize", lambda m, x, b: m.bucketize(x, b.sort().values), (M, (5,)),
         domain="small_int", grad=False),
    expr("bucketize_right", lambda m, x, b: m.bucketize(x, b.sort().values, right=True),
         (M, (5,)), domain="small_int", grad=False),
    expr("bincount", lambda m, x: m.bincount((x + 2).to(m.int64)), ((10,),),
         domain="small_int", grad=False),
    expr("bincount_weights_minlength",
         lambda m, x, w: (x + 2).to(m.int64).bincount(w, minlength=7), ((10,), (10,)),
         domain=("small_int", "real"), grad=False),
    op("histc", "histc", ((20,),), kwargs={"bins": 5}, grad=False),
    op("histc_range", "histc", ((4, 5),), kwargs={"bins": 4, "min": -1, "max": 1}, grad=False,
       out=True),
    op("count_nonzero", "count_nonzero", (M,), domain="small_int", grad=False),
    op("count_nonzero_dims", "count_nonzero", ((2, 3, 4),), args=((0, 2),),
       domain="small_int", grad=False),
    op("var_mean", "var_mean", (M,), args=(1,), method=False),
    op("var_mean_correction", "var_mean", ((2, 3, 4),), args=((0, 2),),
       kwargs={"correction": 0, "keepdim": True}, method=False),
    op("std_mean", "std_mean", (M,), method=False),
    op("std_mean_unbiased", "std_mean", ((3, 4),), args=(0, False), method=False),
    *[expr(f"einsum_{n}", _einsum(eq), shapes)
      for n, eq, shapes in [
          ("mm", "ij,jk->ik", ((3, 4), (4, 2))),
          ("bmm", "bij,bjk->bik", ((2, 3, 4), (2, 4, 2))),
          ("implicit", "ji,jk", ((4, 3), (4, 2))),
          ("trace", "ii->", ((3, 3),)),
          ("diagonal", "ii->i", ((3, 3),)),
          ("diagonal_implicit", "bii", ((2, 3, 3),)),
          ("outer", "i,j->ij", ((3,), (4,))),
          ("sum_own_letter", "ij,j->i", ((3, 4), (4,))),
          ("sum_only_operand", "ijk->ki", ((2, 3, 4),)),
          ("ellipsis_bcast", "...ij,...jk->...ik", ((2, 1, 3, 4), (3, 4, 2))),
          ("three", "ij,jk,kl->il", ((2, 3), (3, 4), (4, 2))),
          ("repeat_and_share", "iij,jk->ik", ((3, 3, 2), (2, 4))),
          ("bcast_letter", "ij,ij->i", ((3, 1), (3, 4))),
          ("upper", "Ab,bC->AC", ((2, 3), (3, 2))),
          ("attention", "bhqd,bhkd->bhqk", ((2, 2, 3, 4), (2, 2, 5, 4))),
          ("own_letters_both", "ij,kl->il", ((2, 3), (4, 5))),
          ("full_contraction", "ij,ij->", ((3, 4), (3, 4))),
          ("transposed_out", "ij,jk->ki", ((3, 4), (4, 2))),
      ]],
    expr("einsum_list", lambda m, x, y: m.einsum("ij,jk", [x, y]), ((3, 4), (4, 2))),
    expr("einsum_sublist", lambda m, x, y: m.einsum(x, [0, 1], y, [1, 2], [0, 2]),
         ((3, 4), (4, 2))),
    expr("einsum_sublist_ellipsis", lambda m, x: m.einsum(x, [..., 0, 0], [..., 0]),
         ((2, 3, 3),)),
    op("outer", "outer", ((3,), (4,)), out=True),
    op("cross", "cross", ((4, 3), (4, 3)), kwargs={"dim": 1}, bcast=((4, 3), (1, 3)), out=True),
    op("cross_dim0", "cross", ((3, 2), (3, 2)), kwargs={"dim": -2}),
    op("diag_vec", "diag", ((4,),), out=True),
    op("diag_vec_k", "diag", ((3,),), args=(-2,)),
    op("diag_mat", "diag", ((3, 5),), args=(1,)),
    op("diag_mat_neg", "diag", ((4, 3),), args=(-1,)),
    op("diagonal", "diagonal", ((2, 3, 4),), kwargs={"offset": -1, "dim1": 2, "dim2": 0}),
    op("trace", "trace", ((3, 4),), hyp="matmul"),
    expr("trace_int", lambda m, x: m.trace(x.to(m.int32)), ((3, 3),), domain="small_int",
         grad=False),
    op("cdist", "cdist", ((4, 3), (5, 3)), method=False,
       gradgrad=False),  # torch: "derivative for _cdist_backward is not implemented"
    op("cdist_p1_batched", "cdist", ((2, 4, 3), (2, 5, 3)), kwargs={"p": 1.0},
       domain="distinct", method=False, gradgrad=False),
    op("cdist_p3", "cdist", ((4, 3), (2, 3)), kwargs={"p": 3.0}, method=False, gradgrad=False),
    expr("meshgrid_ij", lambda m, x, y: m.meshgrid(x, y, indexing="ij"), ((3,), (4,))),
    expr("meshgrid_xy3", lambda m, x, y, z: m.meshgrid([x, y, z], indexing="xy"),
         ((3,), (4,), (2,))),
    op("lerp", "lerp", (M, M), args=(0.3,), out=True),
    op("lerp_tensor_weight", "lerp", (M, M, M), bcast=((3, 4), (4,), (3, 1))),
    op("addcmul", "addcmul", (M, M, M), kwargs={"value": 0.5}, bcast=((3, 4), (4,), (3, 1)),
       out=True),
    op("addcdiv", "addcdiv", (M, M, M), kwargs={"value": -2.0},
       domain=("real", "real", "nonzero"), out=True),
    expr("index_put", lambda m, x, v: m.index_put(x, (IDX(m, [0, 2], x),), v), (M, (4,))),
    expr("index_put_two_tensors",
         lambda m, x, v: x.index_put((IDX(m, [0, 2, 1], x), IDX(m, [3, 3, 0], x)), v),
         (M, (3,))),
    expr("index_put_accumulate",
         lambda m, x, v: m.index_put(x, (IDX(m, [0, 2, 0], x),), v, accumulate=True),
         (M, (3, 4))),
    expr("index_put_accumulate_bcast",
         lambda m, x, v: m.index_put(x, (IDX(m, [1, 1], x), IDX(m, [2, 2], x)), v, True),
         (M, ())),
    expr("index_put_", lambda m, x, v: (x * 1).index_put_((IDX(m, [2, 0, 2], x),), v, True),
         (M, (4,))),
    expr("masked_select", lambda m, x: m.masked_select(x, x.detach() > 0), (M,)),
    expr("masked_select_bcast",
         lambda m, x: x.masked_select(_mask(m, [True, False, True, True], x)), (M,)),
    expr("take", lambda m, x: m.take(x, IDX(m, [[0, 5], [11, -1]], x)), (M,)),
    expr("take_method", lambda m, x: x.take(IDX(m, [3, 3, 1], x)), ((2, 2),)),
    op("masked_select_fn", "masked_select", (M, M), domain=("real", "bool"), out=True,
       bcast=((3, 4), (4,))),
    op("roll", "roll", (M,), args=(5,), hyp="any"),
    op("roll_dims", "roll", ((3, 4, 2),), args=((1, -2), (0, 2))),
    op("rot90", "rot90", (M,)),
    op("rot90_k2", "rot90", (M,), args=(2,)),
    op("rot90_k3_dims", "rot90", ((2, 3, 4),), args=(3, (1, 2))),
    op("rot90_neg", "rot90", ((2, 3, 4),), args=(-1, (2, 0))),
    op("unbind", "unbind", (M,), args=(1,)),
    op("movedim", "movedim", ((2, 3, 4),), args=(0, 2)),
    op("movedim_tuple", "movedim", ((2, 3, 4, 5),), args=((0, 1), (3, 0))),
    op("repeat_interleave", "repeat_interleave", (M,), args=(2,)),
    op("repeat_interleave_dim", "repeat_interleave", (M,), args=(3,), kwargs={"dim": 1}),
    expr("repeat_interleave_tensor",
         lambda m, x: m.repeat_interleave(x, IDX(m, [1, 0, 3], x), dim=0), (M,)),
    expr("repeat_interleave_indices", lambda m, x: m.repeat_interleave(IDX(m, [2, 0, 1], x)),
         ((1,),), grad=False),
]

BY_NAME = {e.name: e for e in OPS}
assert len(BY_NAME) == len(OPS), "duplicate op names in the table"
