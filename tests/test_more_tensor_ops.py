"""The tensor ops of issue 16 beyond the op table: bad input, return types, warnings,
in-place forms and ``out=`` pairs, each checked against PyTorch.

Values and gradients of every op are in ``op_table.py`` (run by ``test_ops.py``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from test_errors import check_error

import minitorch


def _t(L, *shape, dtype=None):
    return L.ones(*shape, dtype=dtype) if dtype is not None else L.ones(*shape)


CASES = {
    "take_out_of_range": (lambda L: L.take(_t(L, 3), L.tensor([5])), IndexError,
                          r"out of range: tried to access index 5 on a tensor of 3 elements"),
    "take_float_index": (lambda L: L.take(_t(L, 3), L.tensor([0.0])), RuntimeError,
                         "Expected a long tensor for index, but got Float"),
    "sort_bad_dim": (lambda L: L.sort(_t(L, 3), dim=2), IndexError, "Dimension out of range"),
    "topk_k_too_large": (lambda L: L.topk(_t(L, 3), 4), RuntimeError,
                         "selected index k out of range"),
    "kthvalue_k_zero": (lambda L: L.kthvalue(_t(L, 3), 0), RuntimeError,
                        "selected number k out of range for dimension 0"),
    "einsum_size_mismatch": (lambda L: L.einsum("ij,jk", _t(L, 2, 3), _t(L, 4, 2)),
                             RuntimeError, ("subscript j has size 4 for operand 1 which does "
                             "not broadcast with previously seen size 3")),
    "einsum_ndim_mismatch": (lambda L: L.einsum("ij", _t(L, 2, 3, 1)), RuntimeError,
                             (r"subscripts in the equation \(2\) does not match the number of "
                             r"dimensions \(3\) for operand 0")),
    "einsum_too_few_operands": (lambda L: L.einsum("ij,jk", _t(L, 2, 3)), RuntimeError,
                                "fewer operands were provided"),
    "einsum_dtype_mismatch": (lambda L: L.einsum("ij,jk", _t(L, 2, 3),
                                                 _t(L, 3, 2, dtype=L.float64)),
                              RuntimeError, "expected scalar type Float but found Double"),
    "einsum_bad_output": (lambda L: L.einsum("ij->k", _t(L, 2, 3)), RuntimeError,
                          "output subscript k does not appear"),
    "diag_3d": (lambda L: L.diag(_t(L, 2, 2, 2)), RuntimeError,
                "diag\\(\\): Supports 1D or 2D tensors. Got 3D"),
    "trace_1d": (lambda L: L.trace(_t(L, 3)), RuntimeError,
                 "trace: expected a matrix, but got tensor with dim 1"),
    "outer_2d": (lambda L: L.outer(_t(L, 2, 2), _t(L, 2)), RuntimeError,
                 "outer: Expected 1-D argument self, but got 2-D"),
    "cross_no_size_3": (lambda L: L.cross(_t(L, 2, 4), _t(L, 2, 4), dim=1), RuntimeError,
                        "dimension 1 must have length 3. Got 4 and 4"),
    "cdist_columns": (lambda L: L.cdist(_t(L, 2, 3), _t(L, 2, 4)), RuntimeError,
                      "X1 and X2 must have the same number of columns. X1: 3 X2: 4"),
    "cdist_long": (lambda L: L.cdist(_t(L, 2, 3, dtype=L.int64), _t(L, 2, 3, dtype=L.int64)),
                   RuntimeError, "cdist only supports floating-point dtypes, X1 got: Long"),
    "bincount_negative": (lambda L: L.bincount(L.tensor([-1, 2])), RuntimeError,
                          "1-d non-negative integral inputs"),
    "bincount_float": (lambda L: L.bincount(L.tensor([1.0, 2.0])), NotImplementedError,
                       "\"bincount_cpu\" not implemented for 'Float'"),
    "histc_long": (lambda L: L.histc(L.tensor([1, 2])), NotImplementedError,
                   "\"histogram_cpu\" not implemented for 'Long'"),
    "quantile_q_range": (lambda L: L.quantile(L.tensor([1.0, 2.0]), 1.5), RuntimeError,
                         r"q must be in the range \[0, 1\] but got 1.5"),
    "quantile_q_tensor_range": (lambda L: L.quantile(L.tensor([1.0, 2.0]), L.tensor([0.5, 2.0])),
                                RuntimeError, r"q values must be in the range \[0, 1\]"),
    "quantile_int": (lambda L: L.quantile(L.tensor([1, 2]), 0.5), RuntimeError,
                     "input tensor must be either float or double dtype"),
    "quantile_interpolation": (lambda L: L.quantile(L.tensor([1.0, 2.0]), 0.5,
                                                    interpolation="cubic"),
                               RuntimeError, "interpolation must be one of linear"),
    "roll_misaligned": (lambda L: L.roll(_t(L, 3, 3), (1, 2), 0), RuntimeError,
                        "shifts and dimensions must align. shifts: 2, dims:1"),
    "rot90_same_dims": (lambda L: L.rot90(_t(L, 3, 3), 1, (0, 0)), RuntimeError,
                        "expected rotation dims to be different"),
    "rot90_1d": (lambda L: L.rot90(_t(L, 3)), RuntimeError,
                 "expected total dims >= 2, but got total dims = 1"),
    "repeat_interleave_sizes": (lambda L: L.repeat_interleave(_t(L, 3), L.tensor([1, 2])),
                                RuntimeError, r"repeats.size\(0\) = 2 and input.size\(0\) = 3"),
    "searchsorted_dims": (lambda L: L.searchsorted(_t(L, 2, 3), _t(L, 3, 1)), RuntimeError,
                          r"boundaries tensor \[2, 3\] and input value tensor \[3, 1\]"),
    "bucketize_2d": (lambda L: L.bucketize(_t(L, 2), _t(L, 2, 2)), RuntimeError,
                     r"boundaries tensor must be 1 dimension, but got dim\(2\)"),
    "masked_select_float_mask": (lambda L: L.masked_select(_t(L, 3), _t(L, 3)), RuntimeError,
                                 "expected BoolTensor for mask"),
    "index_put_shape": (lambda L: _t(L, 3).index_put_((L.tensor([0]),), _t(L, 2)),
                        RuntimeError, (r"value tensor of shape \[2\] cannot be broadcast to "
                        r"indexing result of shape \[1\]")),
    "index_put_dtype": (lambda L: L.index_put(_t(L, 3), (L.tensor([0]),),
                                              _t(L, 1, dtype=L.float64)),
                        RuntimeError, ("source and destination dtypes match, got Float for the "
                        "destination and Double for the source")),
    "diff_0d": (lambda L: L.diff(L.tensor(1.0)), RuntimeError,
                "diff expects input to be at least one-dimensional"),
    "cumsum_bad_dim": (lambda L: L.cumsum(_t(L, 3), 1), IndexError, "Dimension out of range"),
    "meshgrid_2d": (lambda L: L.meshgrid(_t(L, 2, 2), indexing="ij"), RuntimeError,
                    "Expected 0D or 1D tensor in the tensor list"),
    "median_empty_dim": (lambda L: L.median(_t(L, 0, 3), 0), IndexError,
                         "median\\(\\): Expected reduction dim 0 to have non-zero size"),
    "mode_empty_dim": (lambda L: L.mode(_t(L, 3, 0), 1), IndexError,
                       "mode\\(\\): Expected reduction dim 1 to have non-zero size"),
    "nan_to_num_str": (lambda L: L.nan_to_num(_t(L, 2), posinf="a"), TypeError,
                       "argument 'posinf' must be float, not str"),
    "movedim_lengths": (lambda L: L.movedim(_t(L, 2, 3), (0, 1), (1,)), RuntimeError,
                        "should contain the same number of dims as destination"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_error(name):
    check_error(*CASES[name])


@pytest.mark.parametrize("name", ["sort", "topk", "kthvalue", "median", "mode"])
def test_named_tuples(name):
    """``values, indices`` named tuples, typed and printed like ``torch.return_types``."""
    args = {"topk": (2,), "kthvalue": (3,), "median": (0,)}.get(name, ())
    x = np.array([[3.0, 1.0, 2.0], [0.5, 4.0, 0.5]])
    t = getattr(torch, name)(torch.tensor(x), *args)
    m = getattr(minitorch, name)(minitorch.tensor(x), *args)
    assert type(m).__name__ == type(t).__name__ == name
    assert m._fields == ("values", "indices")
    assert t.values is t[0] and t.indices is t[1]
    values, indices = m
    assert values is m.values and indices is m.indices
    assert repr(m) == repr(t).replace("torch.", "minitorch.")


def test_out_pairs():
    """``out=(values, indices)`` is written and returned, as in PyTorch."""
    x = np.random.default_rng(0).standard_normal((3, 5))
    for name, args in [("sort", ()), ("topk", (2,)), ("kthvalue", (3,)), ("median", (1,)),
                       ("mode", ())]:
        tout = (torch.empty(0, dtype=torch.float64), torch.empty(0, dtype=torch.int64))
        mout = (minitorch.empty(0, dtype=minitorch.float64),
                minitorch.empty(0, dtype=minitorch.int64))
        tr = getattr(torch, name)(torch.tensor(x), *args, out=tout)
        mr = getattr(minitorch, name)(minitorch.tensor(x), *args, out=mout)
        assert mr.values is mout[0] and mr.indices is mout[1]
        for a, b in zip(mr, tr):
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_unique_sorted_false_is_sorted_and_equal_nan():
    """``unique`` sorts (as PyTorch's CPU kernel does) and keeps each NaN apart."""
    x = [3.0, float("nan"), 1.0, 3.0, float("nan")]
    m = minitorch.unique(minitorch.tensor(x), sorted=False)
    t = torch.unique(torch.tensor(x), sorted=False)
    np.testing.assert_array_equal(m.numpy(), t.numpy())


def test_meshgrid_warns_without_indexing():
    for L in (torch, minitorch):
        with pytest.warns(UserWarning, match="indexing argument"):
            a, _b = L.meshgrid(L.arange(3), L.arange(2))
        assert tuple(a.shape) == (3, 2)


def test_cross_without_dim_warns_like_torch():
    x = np.random.default_rng(1).standard_normal((3, 5))
    for L in (torch, minitorch):
        with pytest.warns(UserWarning, match="without specifying the dim arg is deprecated"):
            L.cross(L.tensor(x), L.tensor(x[::-1].copy()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.cross(torch.tensor(x), torch.tensor(x[::-1].copy()))
        m = minitorch.cross(minitorch.tensor(x), minitorch.tensor(x[::-1].copy()))
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name,args", [("cumsum_", (1,)), ("cumprod_", (0,)),
                                       ("nan_to_num_", ()), ("index_put_", None)])
def test_inplace_forms_on_leaf_views(name, args):
    """In-place methods change the tensor, bump its version and keep gradients right."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4))
    x[0, 1] = np.nan
    up = rng.standard_normal((3, 4))
    grads = []
    for L in (torch, minitorch):
        leaf = L.tensor(x, requires_grad=True)
        y = leaf * 2
        if args is None:
            r = y.index_put_((L.tensor([2, 0, 2]),), L.tensor([1.0, 2.0, 3.0, 4.0],
                                                             dtype=L.float64), accumulate=True)
        else:
            r = getattr(y, name)(*args)
        assert r is y
        y.backward(L.tensor(up))
        grads.append((y.detach().numpy(), leaf.grad.numpy()))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-12, equal_nan=True)


def test_cumprod_many_zeros_matches_torch():
    """Slices with several zeros, including at the ends, to first and second order."""
    x = np.array([[0.0, 2.0, 0.0, 3.0], [1.5, 0.0, 0.0, 0.0], [2.0, -1.0, 0.5, 0.0]])
    up = np.random.default_rng(3).standard_normal(x.shape)
    w = np.random.default_rng(4).standard_normal(x.shape)
    res = []
    for L in (torch, minitorch):
        leaf = L.tensor(x, requires_grad=True)
        (g,) = L.autograd.grad(L.cumprod(leaf, 1), leaf, L.tensor(up), create_graph=True)
        (gg,) = L.autograd.grad((g * L.tensor(w)).sum(), leaf)
        res.append((g.detach().numpy(), gg.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_issue_ops_are_functions_and_methods():
    """Every op of the issue is ``minitorch.<name>``, and a Tensor method where torch has one."""
    names = ["cumsum", "cumprod", "isnan", "isinf", "isfinite", "nan_to_num", "sort", "argsort",
             "topk", "kthvalue", "median", "mode", "unique", "bincount", "histc", "einsum",
             "outer", "cross", "diag", "trace", "meshgrid", "lerp", "addcmul", "addcdiv",
             "masked_select", "take", "roll", "rot90", "unbind", "movedim", "repeat_interleave",
             "searchsorted", "bucketize", "diff", "count_nonzero", "std_mean", "var_mean",
             "quantile", "cdist", "index_put"]
    for n in names:
        assert callable(getattr(minitorch, n)), n
        if hasattr(torch.Tensor, n):
            assert callable(getattr(minitorch.Tensor, n)), n
    for n in ("cumsum_", "cumprod_", "nan_to_num_", "index_put_", "lerp_", "addcmul_",
              "addcdiv_"):
        assert callable(getattr(minitorch.Tensor, n)), n


def test_grad_fn_names_match_torch():
    """The ops that are one Function name their node as PyTorch does."""
    x = np.random.default_rng(5).standard_normal((3, 4))
    ops = {
        "sort": lambda L, t: t.sort().values, "topk": lambda L, t: t.topk(2).values,
        "kthvalue": lambda L, t: t.kthvalue(2).values, "mode": lambda L, t: t.mode().values,
        "median": lambda L, t: t.median(), "cumsum": lambda L, t: t.cumsum(0),
        "cumprod": lambda L, t: t.cumprod(1), "roll": lambda L, t: t.roll(1, 0),
        "nan_to_num": lambda L, t: t.nan_to_num(), "diagonal": lambda L, t: t.diagonal(),
    }
    for name, f in ops.items():
        names = [type(f(L, L.tensor(x, requires_grad=True)).grad_fn).__name__
                 for L in (torch, minitorch)]
        assert names[0] == names[1], name


def test_op_table_covers_issue_16():
    """Every op of issue 16 has an entry in the op table (differential against torch)."""
    from op_table import OPS

    covered = {e.func for e in OPS if e.func} | {e.name for e in OPS}
    required = ["cumsum", "cumprod", "isnan", "isinf", "isfinite", "nan_to_num", "sort",
                "argsort", "topk", "kthvalue", "mode", "unique", "bincount", "histc", "outer",
                "cross", "trace", "lerp", "addcmul", "addcdiv", "index_put", "masked_select",
                "take", "roll", "rot90", "unbind", "movedim", "repeat_interleave",
                "searchsorted", "bucketize", "diff", "count_nonzero", "std_mean", "var_mean",
                "quantile", "cdist", "median_all", "median_dim", "einsum_mm", "diag_vec",
                "diag_mat", "meshgrid_ij", "index_put_"]
    missing = [n for n in required if n not in covered]
    assert not missing, missing
