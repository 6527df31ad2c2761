"""The bad-input table: invalid calls that must fail the way PyTorch fails.

Each case is ``name -> (call, pattern)``. ``call(L)`` makes one invalid call with ``L``
being ``torch`` or ``minitorch`` (``L.nn``, ``L.optim``, ``L.utils.data`` are reached
through it); ``pattern`` is a regular expression the *minitorch* message must match:
it names the shapes, dtypes or values involved. The exception *type* is not written
here: ``test_bad_input.py`` runs every call on PyTorch too and requires the same type.

Cases come in families (a loop over ops, dims, shapes, values), but every case is a
distinct invalid call. ``ALLOWED`` lists the few deliberate differences, each with its
reason; those cases must still raise (the listed type) with the pattern.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any

from test_errors import _backward_twice
from test_errors import _saved_tensor_modified as _saved_modified

CASES: dict[str, tuple[Callable[[Any], Any], str]] = {}


def add(name: str, call: Callable[[Any], Any], pattern: str) -> None:
    assert name not in CASES, name
    CASES[name] = (call, pattern)


def _f(L):
    return L.nn.functional


# ============================================================================ creation
_INT_LIMITS = {"int8": (-128, 127), "uint8": (-255, 255), "int16": (-32768, 32767),
               "int32": (-2**31, 2**31 - 1)}
add("tensor_300_int8_issue", lambda L: L.tensor(300, dtype=L.int8),
    "value cannot be converted to type int8 without overflow")
add("tensor_list_300_int8_issue", lambda L: L.tensor([300], dtype=L.int8),
    "value cannot be converted to type int8 without overflow")
for _dt, (_lo, _hi) in _INT_LIMITS.items():
    for _v in (_hi + 1, _lo - 1, 10**12):
        add(f"tensor_int_overflow_{_dt}_{_v}",
            lambda L, v=_v, dt=_dt: L.tensor(v, dtype=getattr(L, dt)),
            f"value cannot be converted to type {_dt} without overflow")
        add(f"tensor_list_int_overflow_{_dt}_{_v}",
            lambda L, v=_v, dt=_dt: L.tensor([0, v], dtype=getattr(L, dt)),
            f"value cannot be converted to type {_dt} without overflow")
for _dt, _v in [("int8", 1000.7), ("int8", -128.9), ("uint8", -1.5), ("uint8", 255.5),
                ("int32", 1e10), ("int32", -3e9), ("int32", float("inf")),
                ("int64", float("inf")), ("int64", float("nan")), ("int16", 1e5)]:
    add(f"tensor_float_overflow_{_dt}_{_v}",
        lambda L, v=_v, dt=_dt: L.tensor([v], dtype=getattr(L, dt)),
        f"value cannot be converted to type {_dt} without overflow")
for _v in (2**63, -2**63 - 1, 2**70):
    add(f"tensor_python_int_too_big_{_v}", lambda L, v=_v: L.tensor([1, v]), "Overflow")
for _fn in ("zeros", "ones", "empty", "rand", "randn"):
    for _shape in ((-1,), (2, -3)):
        add(f"{_fn}_negative_dim_{_shape}", lambda L, f=_fn, s=_shape: getattr(L, f)(*s),
            rf"negative dimension {min(_shape)}")
add("full_int8_overflow", lambda L: L.full((2,), 300, dtype=L.int8),
    "value cannot be converted to type int8.* without overflow")
add("fill_int8_overflow", lambda L: L.zeros(2, dtype=L.int8).fill_(300),
    "value cannot be converted to type int8.* without overflow")
add("tensor_from_string", lambda L: L.tensor("abc"), "invalid data type 'str'")
add("tensor_ragged", lambda L: L.tensor([[1, 2], [3]]), r"expected sequence of length 2.*got 1")
add("zeros_str_size", lambda L: L.zeros((2, "a")), "str")
add("arange_zero_step", lambda L: L.arange(0, 10, 0), "step must be nonzero")
add("arange_wrong_sign", lambda L: L.arange(1, 0, 1),
    "upper bound and lower bound inconsistent with step sign")
add("linspace_negative_steps", lambda L: L.linspace(0, 1, -1),
    "number of steps must be non-negative")
add("eye_negative", lambda L: L.eye(-1), "n must be greater or equal to 0, got -1")
add("randint_empty_range", lambda L: L.randint(5, 2, (3,)), "from=5 >= to=2")
add("randint_equal_range", lambda L: L.randint(3, 3, (3,)), "from=3 >= to=3")
add("randperm_negative", lambda L: L.randperm(-1), "n must be non-negative, got-?-1|-1")
add("multinomial_negative", lambda L: L.multinomial(L.tensor([0.5, -0.1]), 1),
    "invalid multinomial distribution|element < 0")
add("multinomial_too_many",
    lambda L: L.multinomial(L.tensor([0.5, 0.5]), 3),
    "cannot sample n_sample > prob_dist.size")
add("multinomial_zero_sum", lambda L: L.multinomial(L.tensor([0.0, 0.0]), 1),
    "invalid multinomial distribution|sum of probabilities")
add("bernoulli_p_above_one", lambda L: L.bernoulli(L.tensor([1.5])), r"p_in >= 0 && p_in <= 1")
add("normal_negative_std", lambda L: L.normal(L.zeros(2), -1.0), "std >= 0.0")
add("requires_grad_int", lambda L: L.ones(3, dtype=L.int64, requires_grad=True),
    "floating point .*can require gradients")
add("requires_grad_bool", lambda L: L.tensor([True], requires_grad=True),
    "floating point .*can require gradients")
add("rand_int_dtype", lambda L: L.rand(2, dtype=L.int64), "Long")
add("randn_int_dtype", lambda L: L.randn(2, dtype=L.int32), "Int")


# ============================================================================ indexing
for _shape, _key, _msg in [
    ((3,), 3, "index 3 is out of bounds for dimension 0 with size 3"),
    ((3,), -4, "index -4 is out of bounds for dimension 0 with size 3"),
    ((3, 2), (0, 2), "index 2 is out of bounds for dimension 1 with size 2"),
    ((3, 2), (slice(None), -3), "index -3 is out of bounds for dimension 1 with size 2"),
    ((2, 3, 4), (..., 4), "index 4 is out of bounds for dimension 2 with size 4"),
    ((2, 3, 4), (1, ..., -5), "index -5 is out of bounds for dimension 2 with size 4"),
    ((0,), 0, "index 0 is out of bounds for dimension 0 with size 0"),
]:
    add(f"getitem_int_{_shape}_{_key}", lambda L, s=_shape, k=_key: L.ones(*s)[k], _msg)
    add(f"setitem_int_{_shape}_{_key}",
        lambda L, s=_shape, k=_key: L.ones(*s).__setitem__(k, 0.0), _msg)
for _idx, _bad in [([0, 5], 5), ([-4], -4), ([1, -1, 3], 3), ([[0], [7]], 7)]:
    add(f"getitem_tensor_{_idx}", lambda L, i=_idx: L.ones(3)[L.tensor(i)],
        f"index {_bad} is out of bounds for dimension 0 with size 3")
    add(f"getitem_list_{_idx}", lambda L, i=_idx: L.ones(3)[i],
        f"index {_bad} is out of bounds for dimension 0 with size 3")
    add(f"setitem_tensor_{_idx}",
        lambda L, i=_idx: L.ones(3).__setitem__(L.tensor(i), 1.0),
        f"index {_bad} is out of bounds for dimension 0 with size 3")
add("getitem_tensor_dim1", lambda L: L.ones(2, 3)[:, L.tensor([3])],
    "index 3 is out of bounds for dimension 1 with size 3")
add("too_many_indices", lambda L: L.ones(3)[0, 0], "too many indices for tensor of dimension 1")
add("too_many_indices_2d", lambda L: L.ones(2, 2)[0, 0, 0],
    "too many indices for tensor of dimension 2")
add("float_index", lambda L: L.ones(3)[1.5], r"only integers, slices.*valid indices")
add("str_index", lambda L: L.ones(3)["a"], "invalid data type 'str'")
add("float_tensor_index", lambda L: L.ones(3)[L.tensor([1.0])],
    "tensors used as indices must be long, int, byte or bool tensors")
for _dt in ("bool", "uint8"):
    for _mask, _want in [([1, 0], "[3]"), ([1, 0, 1, 1], "[3]")]:
        add(f"mask_{_dt}_shape_{len(_mask)}",
            lambda L, m=_mask, d=_dt: L.arange(3.0)[L.tensor(m, dtype=getattr(L, d))],
            rf"shape of the mask \[{len(_mask)}\] at index 0 does not match.*"
            + _want.replace("[", r"\[").replace("]", r"\]"))
    add(f"mask_{_dt}_2d_shape",
        lambda L, d=_dt: L.ones(2, 3)[L.ones(3, 2, dtype=getattr(L, d))],
        r"shape of the mask \[3, 2\] at index 0 does not match.*\[2, 3\]")
    add(f"setitem_mask_{_dt}_shape",
        lambda L, d=_dt: L.ones(3).__setitem__(L.tensor([1, 0], dtype=getattr(L, d)), 0.0),
        r"shape of the mask \[2\] at index 0 does not match.*\[3\]")
for _v in ("0.0", "L.tensor(0.0)"):
    add(f"setitem_uint8_mask_scalar_{_v}", lambda L, v=_v: L.arange(3.0).__setitem__(
        L.tensor([1, 0, 1], dtype=L.uint8), eval(v)),
        "masked_fill_ only supports boolean masks, but got mask with dtype unsigned char")
add("slice_step_zero", lambda L: L.ones(3)[::0], "step must be greater than zero")
add("slice_step_negative", lambda L: L.ones(3)[::-1], "step must be greater than zero")
add("setitem_shape_mismatch", lambda L: L.ones(2, 3).__setitem__(0, L.ones(2)),
    r"expanded size of the tensor \(3\) must match the existing size \(2\)")
# index_select
for _shape, _dim, _idx, _msg in [
    ((5,), 0, [-1], "index -1 is out of bounds|out of range"),
    ((5,), 0, [5], "index 5 is out of bounds|out of range"),
    ((2, 3), 1, [0, 3], "index 3 is out of bounds|out of range"),
    ((2, 3), -1, [-4], "index -4 is out of bounds|out of range"),
    ((2, 3), 0, [2], "index 2 is out of bounds|out of range"),
]:
    add(f"index_select_{_shape}_{_dim}_{_idx}",
        lambda L, s=_shape, d=_dim, i=_idx: L.ones(*s).index_select(d, L.tensor(i)), _msg)
add("index_select_2d_index", lambda L: L.ones(5).index_select(0, L.tensor([[0, 1]])),
    "Index is supposed to be a vector|1-D|one dimension")
add("index_select_float_index", lambda L: L.ones(5).index_select(0, L.tensor([1.0])),
    "Expected dtype int32/int64 for index|Long|Int|int")
add("index_select_dim_range", lambda L: L.ones(5).index_select(1, L.tensor([0])),
    r"Dimension out of range \(expected to be in range of \[-1, 0\], but got 1\)")
# gather
for _shape, _dim, _idx, _bad, _size in [
    ((5,), 0, [-1], -1, 5), ((5,), 0, [5], 5, 5), ((2, 3), 1, [[0, 3], [1, 1]], 3, 3),
    ((2, 3), 0, [[2, 0, 0]], 2, 2), ((2, 3), -1, [[-2], [0]], -2, 3),
]:
    add(f"gather_{_shape}_{_dim}_{_idx}",
        lambda L, s=_shape, d=_dim, i=_idx: L.ones(*s).gather(d, L.tensor(i)),
        f"index {_bad} is out of bounds for dimension {_dim % len(_shape)} with size {_size}")
add("gather_float_index", lambda L: L.ones(2, 3).gather(1, L.ones(2, 2)),
    "gather.*Expected dtype int.*64 for index")
add("gather_ndim", lambda L: L.ones(2, 3).gather(1, L.tensor([0])),
    "Index tensor must have the same number of dimensions as input tensor")
add("gather_index_too_big", lambda L: L.ones(2, 3).gather(1, L.zeros(3, 2, dtype=L.int64)),
    r"Size does not match at dimension 0 expected index \[3, 2\] to be (no larger|smaller) "
    r"than self \[2, 3\]")
add("gather_dim_range", lambda L: L.ones(2, 3).gather(2, L.zeros(2, 2, dtype=L.int64)),
    r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)")
# scatter_add
for _shape, _dim, _idx, _bad, _size in [
    ((5,), 0, [-1], -1, 5), ((5,), 0, [7], 7, 5), ((2, 3), 1, [[0, 3]], 3, 3),
    ((2, 3), 0, [[0, 2, 1]], 2, 2),
]:
    add(f"scatter_add_{_shape}_{_dim}_{_idx}",
        lambda L, s=_shape, d=_dim, i=_idx: L.zeros(*s).scatter_add(
            d, L.tensor(i), L.ones(*L.tensor(i).shape)),
        f"index {_bad} is out of bounds for dimension {_dim} with size {_size}")
    add(f"scatter_add_inplace_{_shape}_{_dim}_{_idx}",
        lambda L, s=_shape, d=_dim, i=_idx: L.zeros(*s).scatter_add_(
            d, L.tensor(i), L.ones(*L.tensor(i).shape)),
        f"index {_bad} is out of bounds for dimension {_dim} with size {_size}")
add("scatter_add_float_index", lambda L: L.zeros(3).scatter_add(0, L.tensor([0.0]), L.ones(1)),
    "scatter.*Expected dtype int.*64 for index")
add("scatter_add_index_bigger_than_src",
    lambda L: L.zeros(5).scatter_add(0, L.tensor([0, 1, 2]), L.ones(2)),
    r"Expected index \[3\] to be (no larger|smaller) than self \[5\].*src \[2\]")
add("scatter_add_ndim", lambda L: L.zeros(2, 3).scatter_add(0, L.tensor([0]), L.ones(1)),
    "Index tensor must have the same number of dimensions as self tensor")
add("scatter_add_dtype", lambda L: L.zeros(3).scatter_add(0, L.tensor([0]),
                                                          L.ones(1, dtype=L.float64)),
    "scatter.*Expected self.dtype to be equal to src.dtype")
# narrow
for _shape, _args, _msg in [
    ((5,), (0, 3, 5), r"start \(3\) \+ length \(5\) exceeds dimension size \(5\)"),
    ((5,), (0, 1, -1), "narrow\\(\\): length must be non-negative"),
    ((5,), (0, 6, 0), r"start out of range \(expected to be in range of \[-5, 5\], but got 6\)"),
    ((5,), (0, -7, 1), r"start out of range \(expected to be in range of \[-5, 5\], but got -7\)"),
    ((2, 3), (1, 2, 2), r"start \(2\) \+ length \(2\) exceeds dimension size \(3\)"),
    ((2, 3), (2, 0, 1), (r"Dimension out of range \(expected to be in range of \[-2, 1\], "
                        r"but got 2\)")),
    ((2, 3), (-1, -1, 2), r"start \(2\) \+ length \(2\) exceeds dimension size \(3\)"),
]:
    add(f"narrow_{_shape}_{_args}", lambda L, s=_shape, a=_args: L.ones(*s).narrow(*a), _msg)
# masked ops
add("masked_fill_float_mask", lambda L: L.ones(3).masked_fill(L.ones(3), 0.0),
    "masked_fill_? only supports boolean masks, but got mask with dtype float")
add("masked_fill_int_mask", lambda L: L.ones(3).masked_fill(L.tensor([1, 0, 1]), 0.0),
    "masked_fill_? only supports boolean masks, but got mask with dtype long")
add("masked_fill_shape", lambda L: L.ones(3).masked_fill(L.tensor([True, False]), 0.0),
    r"size of tensor a \(3\) must match the size of tensor b \(2\)|\(2\).*\(3\)")
add("masked_fill_value_dims", lambda L: L.ones(3).masked_fill(L.tensor([True, False, True]),
                                                              L.ones(3)),
    "only supports a 0-dimensional value tensor, but got tensor with 1 dimension")
add("masked_fill_inplace_broadcast",
    lambda L: L.ones(3).masked_fill_(L.ones(2, 3, dtype=L.bool), 0.0),
    r"\[3\].*\[2, 3\]")
add("tril_1d", lambda L: L.tril(L.ones(3)), "tril: input tensor must have at least 2 dimensions")
add("triu_0d", lambda L: L.triu(L.tensor(1.0)),
    "triu: input tensor must have at least 2 dimensions")


# ============================================================================ shape ops
add("view_wrong_numel", lambda L: L.ones(2, 3).view(4), r"shape '\[4\]' is invalid for input "
    "of size 6")
add("view_wrong_numel_2", lambda L: L.ones(2, 3).view(4, -1), r"shape '\[4, -1\]' is invalid "
    "for input of size 6")
add("reshape_wrong_numel", lambda L: L.ones(2, 3).reshape(7), r"shape '\[7\]' is invalid for "
    "input of size 6")
add("reshape_wrong_numel_3d", lambda L: L.ones(2, 3, 4).reshape(5, -1),
    r"shape '\[5, -1\]' is invalid for input of size 24")
add("reshape_two_inferred", lambda L: L.ones(6).reshape(-1, -1),
    "only one dimension can be inferred")
add("reshape_negative", lambda L: L.ones(6).reshape(-2, 3), "invalid shape dimension -2")
add("view_negative", lambda L: L.ones(6).view(2, -3), "invalid shape dimension -3")
add("view_incompatible_strides", lambda L: L.ones(2, 3).t().view(6),
    r"view size is not compatible with input tensor's size and stride.*\.reshape")
add("view_as_mismatch", lambda L: L.ones(2, 3).view_as(L.ones(4)),
    r"shape '\[4\]' is invalid for input of size 6")
add("reshape_as_mismatch", lambda L: L.ones(2, 3).reshape_as(L.ones(5)),
    r"shape '\[5\]' is invalid for input of size 6")
for _src, _tgt, _msg in [
    ((2, 3), (4, 3), (r"expanded size of the tensor \(4\) must match the existing size \(2\) at "
                     r"non-singleton dimension 0")),
    ((2, 3), (2, 5), (r"expanded size of the tensor \(5\) must match the existing size \(3\) at "
                     r"non-singleton dimension 1")),
    ((2, 3), (3,), (r"number of sizes provided \(1\) must be greater or equal to the number of "
                   r"dimensions in the tensor \(2\)")),
    ((3,), (-1, 3), (r"expanded size of the tensor \(-1\) isn't allowed in a leading, "
                    r"non-existing dimension 0")),
    ((3,), (2, 4), r"expanded size of the tensor \(4\) must match the existing size \(3\)"),
]:
    add(f"expand_{_src}_{_tgt}", lambda L, s=_src, t=_tgt: L.ones(*s).expand(*t), _msg)
add("expand_as_mismatch", lambda L: L.ones(2, 3).expand_as(L.ones(2, 4)),
    r"expanded size of the tensor \(4\) must match the existing size \(3\)")
add("broadcast_to_mismatch", lambda L: L.broadcast_to(L.ones(2, 3), (3, 3)),
    r"expanded size of the tensor \(3\) must match the existing size \(2\)")
add("broadcast_shapes_mismatch", lambda L: L.broadcast_shapes((2, 3), (4,)),
    r"Shape mismatch|\(3\).*\(4\)|3.*4")
add("broadcast_tensors_mismatch", lambda L: L.broadcast_tensors(L.ones(2), L.ones(3)),
    r"size of tensor a \(2\) must match the size of tensor b \(3\)")
for _op, _args in [("permute", (0,)), ("permute", (0, 1, 2)), ("permute", (0, 0)),
                   ("permute", (0, 2))]:
    add(f"permute_{_args}", lambda L, a=_args: L.ones(2, 3).permute(*a),
        "number of dimensions in the tensor input does not match the length of the desired "
        "ordering|duplicate dims|Dimension out of range.*got 2|repeated dim")
for _meth, _args, _msg in [
    ("transpose", (0, 2), r"\[-2, 1\], but got 2"),
    ("transpose", (-3, 0), r"\[-2, 1\], but got -3"),
    ("swapaxes", (0, 5), r"\[-2, 1\], but got 5"),
    ("swapdims", (3, 0), r"\[-2, 1\], but got 3"),
    ("squeeze", (2,), r"\[-2, 1\], but got 2"),
    ("unsqueeze", (3,), r"\[-3, 2\], but got 3"),
    ("unsqueeze", (-4,), r"\[-3, 2\], but got -4"),
    ("flatten", (0, 2), r"\[-2, 1\], but got 2"),
    ("unbind", (2,), r"\[-2, 1\], but got 2"),
    ("movedim", (0, 2), r"\[-2, 1\], but got 2"),
    ("flip", (2,), r"\[-2, 1\], but got 2"),
    ("size", (2,), r"\[-2, 1\], but got 2"),
    ("split", (1, 2), r"\[-2, 1\], but got 2"),
    ("chunk", (2, 3), r"\[-2, 1\], but got 3"),
    ("narrow", (-3, 0, 1), r"\[-2, 1\], but got -3"),
]:
    add(f"{_meth}_dim_range_{_args}", lambda L, m=_meth, a=_args: getattr(L.ones(2, 3), m)(*a),
        r"Dimension out of range \(expected to be in range of " + _msg + r"\)")
add("flatten_start_after_end", lambda L: L.ones(2, 3, 4).flatten(2, 1),
    "flatten\\(\\) has invalid args: start_dim cannot come after end_dim")
add("unflatten_wrong_sizes", lambda L: L.ones(2, 6).unflatten(1, (4, 2)),
    r"unflatten: Provided sizes \[4, 2\] don't multiply up to the size of dim 1 \(6\)")
add("unflatten_two_inferred", lambda L: L.ones(2, 6).unflatten(1, (-1, -1)),
    "only one dimension can be inferred")
add("flip_duplicate", lambda L: L.ones(2, 3).flip(0, 0), "dims has duplicates|appears multiple")
add("t_3d", lambda L: L.ones(2, 3, 4).t(), r"t\(\) expects a tensor with <= 2 dimensions, but "
    "self is 3D")
add("repeat_fewer_dims", lambda L: L.ones(2, 3).repeat(2),
    "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
add("repeat_negative", lambda L: L.ones(2).repeat(-1), "negative|-1")
add("sum_to_size_bad", lambda L: L.ones(2, 3).sum_to_size(4), r"size \{\[4\]\} is not "
    r"expandable to size \{\[2, 3\]\}|\[4\].*\[2, 3\]")
for _tensors, _dim, _msg in [
    (((2, 3), (2, 4)), 0, ("Sizes of tensors must match except in dimension 0. Expected size 3 "
                          "but got size 4 for tensor number 1")),
    (((2, 3), (3, 3)), 1, ("Sizes of tensors must match except in dimension 1. Expected size 2 "
                          "but got size 3 for tensor number 1")),
    (((2, 3), (3,)), 0, "Tensors must have same number of dimensions: got 2 and 1"),
    (((2, 3), (2, 3)), 2, r"\[-2, 1\], but got 2"),
    (((2, 3), (2, 3), (2, 5)), 0, "Expected size 3 but got size 5 for tensor number 2"),
]:
    for _fn in ("cat", "concat"):
        add(f"{_fn}_{_tensors}_{_dim}",
            lambda L, ts=_tensors, d=_dim, f=_fn: getattr(L, f)([L.ones(*s) for s in ts], d),
            _msg)
add("cat_empty", lambda L: L.cat([]), "expected a non-empty list of Tensors")
add("cat_dtype_int_float_out", lambda L: L.cat([L.ones(2), L.ones(2)], dim=1),
    r"\[-1, 0\], but got 1")
for _shapes, _msg in [(((2, 3), (3, 2)), (r"stack expects each tensor to be equal size.*\[2, 3\]"
                       r".*\[3, 2\]")),
                      (((2,), (3,)), r"stack expects each tensor to be equal size.*\[2\].*\[3\]"),
                      (((2,), (2,), (1,)), r"\[2\] at entry 0 and \[1\] at entry 2")]:
    add(f"stack_{_shapes}", lambda L, s=_shapes: L.stack([L.ones(*x) for x in s]), _msg)
add("stack_empty", lambda L: L.stack([]), "stack expects a non-empty TensorList")
add("stack_dim_range", lambda L: L.stack([L.ones(2), L.ones(2)], 3),
    r"\[-2, 1\], but got 3")
add("split_sizes_sum", lambda L: L.ones(5).split([2, 2]),
    r"split_with_sizes expects split_sizes to sum exactly to 5 \(input tensor's size at "
    r"dimension 0\), but got split_sizes=\[2, 2\]")
add("split_sizes_negative", lambda L: L.ones(5).split([6, -1]),
    "split_with_sizes expects split_sizes have only non-negative entries, but got "
    r"split_sizes=\[6, -1\]")
add("split_size_negative", lambda L: L.ones(5).split(-1),
    "split expects split_size be non-negative, but got split_size=-1")
add("chunk_zero", lambda L: L.ones(5).chunk(0), "chunk expects `chunks` to be greater than 0, "
    "got: 0")
add("squeeze_dim_type", lambda L: L.ones(2, 1).squeeze("a"), "str|name")
add("unbind_0d", lambda L: L.tensor(1.0).unbind(0), r"Dimension specified as 0 but tensor has "
    "no dimensions")


# ============================================================================ reductions
_REDUCE = ["sum", "mean", "prod", "amax", "amin", "argmax", "argmin", "std", "var",
           "logsumexp", "softmax", "log_softmax", "all", "any", "max", "min", "norm"]


def _reduce(L, op, dim):
    x = L.ones(2, 3)
    if op in ("all", "any"):
        x = x.bool()
    if op == "norm":
        return x.norm(dim=dim)
    return getattr(x, op)(dim)


for _op in _REDUCE:
    for _dim in (2, -3):
        add(f"{_op}_dim_{_dim}", lambda L, o=_op, d=_dim: _reduce(L, o, d),
            rf"Dimension out of range \(expected to be in range of \[-2, 1\], but got {_dim}\)")
for _op in ("sum", "mean", "amax", "std", "var", "logsumexp"):
    add(f"{_op}_dim_list_range", lambda L, o=_op: getattr(L.ones(2, 3), o)((0, 3)),
        r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 3\)")
    add(f"{_op}_dim_list_repeat", lambda L, o=_op: getattr(L.ones(2, 3), o)((1, 1)),
        "dim 1 appears multiple times in the list of dims")
add("mean_int", lambda L: L.tensor([1, 2]).mean(), "mean.*floating point.*Got: Long")
add("mean_bool", lambda L: L.tensor([True]).mean(), "mean.*floating point.*Got: Bool")
add("std_int", lambda L: L.tensor([1, 2]).std(), "std and var only support floating point and "
    "complex dtypes|Long")
add("var_int", lambda L: L.tensor([1, 2]).var(), "std and var only support floating point and "
    "complex dtypes|Long")
add("max_empty", lambda L: L.ones(0).max(), "max\\(\\): Expected reduction dim to be specified "
    "for input.numel\\(\\) == 0")
add("min_empty", lambda L: L.ones(0).min(), "min\\(\\): Expected reduction dim to be specified "
    "for input.numel\\(\\) == 0")
add("argmax_empty", lambda L: L.ones(0).argmax(), "argmax\\(\\): Expected reduction dim to be "
    "specified for input.numel\\(\\) == 0")
add("amax_empty_dim", lambda L: L.ones(0, 3).amax(0), "amax\\(\\): Expected reduction dim 0 to "
    "have non-zero size")
add("max_empty_dim", lambda L: L.ones(0, 3).max(0), "max\\(\\): Expected reduction dim 0 to have "
    "non-zero size")
add("softmax_int", lambda L: L.tensor([1, 2]).softmax(0), "Long")
add("log_softmax_int", lambda L: L.tensor([1, 2]).log_softmax(0), "Long")
add("norm_int", lambda L: L.tensor([1, 2]).norm(), "norm.*floating point|Long")
add("prod_dim_str", lambda L: L.ones(2).prod("x"), "str|name")


# ============================================================================ elementwise
_BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt",
           "ge", "fmod", "remainder", "floor_divide", "atan2" if False else "true_divide"]
for _op in _BINARY:
    for _a, _b, _msg in [((2, 3), (4,), (r"tensor a \(3\) must match the size of tensor b \(4\) "
                                        r"at non-singleton dimension 1")),
                         ((5, 1), (2, 2), (r"tensor a \(5\) must match the size of tensor b "
                                          r"\(2\) at non-singleton dimension 0"))]:
        add(f"{_op}_broadcast_{_a}_{_b}",
            lambda L, o=_op, a=_a, b=_b: getattr(L, o)(L.ones(*a), L.ones(*b)), _msg)
for _op in ("add_", "sub_", "mul_", "div_"):
    add(f"{_op}_output_shape", lambda L, o=_op: getattr(L.ones(3), o)(L.ones(2, 3)),
        r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]")
    add(f"{_op}_int_self_float_other", lambda L, o=_op: getattr(L.tensor([1, 2]), o)(1.5),
        "result type Float can't be cast to the desired output type Long")
for _op in ("floor_divide", "remainder", "fmod"):
    for _b in (0, [0, 1]):
        add(f"{_op}_int_by_zero_{_b}",
            lambda L, o=_op, b=_b: getattr(L, o)(L.tensor([1, 2]),
                                                 b if isinstance(b, int) else L.tensor(b)),
            "ZeroDivisionError")
add("floordiv_operator_int_zero", lambda L: L.tensor([4, 5]) // 0, "ZeroDivisionError")
add("mod_operator_int_zero", lambda L: L.tensor([4, 5]) % 0, "ZeroDivisionError")
add("div_floor_int_zero", lambda L: L.tensor([4, 5]).div(0, rounding_mode="floor"),
    "ZeroDivisionError")
add("div_trunc_int_zero", lambda L: L.tensor([4, 5]).div(0, rounding_mode="trunc"),
    "ZeroDivisionError")
add("div_bad_rounding", lambda L: L.ones(2).div(2, rounding_mode="up"),
    "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'up'")
add("int_negative_power", lambda L: L.tensor([2, 3]) ** -1,
    "Integers to negative integer powers are not allowed")
add("int_negative_power_tensor", lambda L: L.tensor([2, 3]).pow(-2),
    "Integers to negative integer powers are not allowed")
for _op in ("bitwise_and", "bitwise_or", "bitwise_xor"):
    add(f"{_op}_float", lambda L, o=_op: getattr(L, o)(L.ones(2), L.ones(2)),
        f"\"{_op}_cpu\" not implemented for 'Float'|{_op}.*Float")
add("bitwise_not_float", lambda L: L.bitwise_not(L.ones(2)),
    "\"bitwise_not_cpu\" not implemented for 'Float'|bitwise_not.*Float")
add("clamp_without_bounds", lambda L: L.clamp(L.ones(2)),
    "At least one of 'min' or 'max' must not be None")
add("where_condition_float", lambda L: L.where(L.ones(2), L.ones(2), L.ones(2)),
    "where expected condition to be a boolean tensor, but got a tensor with dtype .*(Float|float32)")
add("where_condition_long", lambda L: L.where(L.tensor([1, 0]), L.ones(2), L.ones(2)),
    "where expected condition to be a boolean tensor, but got a tensor with dtype .*(Long|int64)")
add("where_broadcast", lambda L: L.where(L.ones(3, dtype=L.bool), L.ones(2), L.ones(3)),
    r"size of tensor a \(3\) must match the size of tensor b \(2\)|\(2\).*\(3\)|\(3\).*\(2\)")
add("lerp_shape", lambda L: L.lerp(L.ones(2), L.ones(3), 0.5),
    r"tensor a \(2\) must match the size of tensor b \(3\)")
add("addcmul_shape", lambda L: L.addcmul(L.ones(2), L.ones(3), L.ones(3)),
    r"\(2\).*\(3\)|\(3\).*\(2\)")
add("addcdiv_int", lambda L: L.addcdiv(L.tensor([1]), L.tensor([1]), L.tensor([1])),
    "Integer division with addcdiv is no longer supported")
add("isclose_dtype", lambda L: L.isclose(L.ones(2), L.ones(2, dtype=L.float64)),
    "Float.*Double|float.*double")
add("allclose_shape", lambda L: L.allclose(L.ones(2), L.ones(3)),
    r"tensor a \(2\) must match the size of tensor b \(3\)")
add("relu_inplace_leaf", lambda L: L.ones(2, requires_grad=True).relu_(),
    "a leaf Variable that requires grad is being used in an in-place operation")
add("sqrt_inplace_int", lambda L: L.tensor([4]).sqrt_(),
    "result type Float can't be cast to the desired output type Long")
add("exp_inplace_int", lambda L: L.tensor([4]).exp_(),
    "result type Float can't be cast to the desired output type Long")
add("item_many", lambda L: L.ones(3).item(), "a Tensor with 3 elements cannot be converted to "
    "Scalar")
add("item_empty", lambda L: L.ones(0).item(), "a Tensor with 0 elements cannot be converted to "
    "Scalar")
add("bool_many", lambda L: bool(L.ones(2)), "Boolean value of Tensor with more than one value is "
    "ambiguous")
add("float_many", lambda L: float(L.ones(2)), "only one element tensors can be converted to "
    "Python scalars")
add("int_many", lambda L: int(L.ones(2)), "only one element tensors can be converted to Python "
    "scalars")
add("index_float", lambda L: [1, 2][L.tensor(1.0)], "only integer tensors of a single element "
    "can be converted to an index")
add("len_0d", lambda L: len(L.tensor(1.0)), "len\\(\\) of a 0-d tensor")
add("iter_0d", lambda L: iter(L.tensor(1.0)), "iteration over a 0-d tensor")


# ============================================================================ linear algebra
for _a, _b, _msg in [
    ((2, 3), (2, 3), r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"),
    ((4, 5), (4,), r"size mismatch, got input \(4\), mat \(4x5\), vec \(4\)"),
    ((3,), (4,), r"inconsistent tensor size.*\[3\].*\[4\]"),
    ((2, 2, 3), (3, 3, 1), r"size of tensor a \(2\) must match the size of tensor b \(3\)"),
    ((5,), (4, 2), r"size mismatch|\(1x5 and 4x2\)|5.*4"),
    ((2, 3, 4), (5, 6), r"\(6x4 and 5x6\)|4.*5"),
]:
    add(f"matmul_{_a}_{_b}", lambda L, a=_a, b=_b: L.ones(*a) @ L.ones(*b), _msg)
    add(f"matmul_fn_{_a}_{_b}", lambda L, a=_a, b=_b: L.matmul(L.ones(*a), L.ones(*b)), _msg)
add("matmul_0d", lambda L: L.matmul(L.tensor(1.0), L.ones(2)), "both arguments to matmul need "
    "to be at least 1D")
add("matmul_dtype", lambda L: L.ones(2, 2) @ L.ones(2, 2, dtype=L.float64),
    "expected (mat1 and mat2 to have the same dtype|m1 and m2 to have the same dtype|both "
    "vectors to have same dtype|scalar type)")
add("mm_shape", lambda L: L.mm(L.ones(2, 3), L.ones(4, 3)), r"\(2x3 and 4x3\)")
add("mm_1d", lambda L: L.mm(L.ones(3), L.ones(3, 2)), "self must be a matrix")
add("mm_3d", lambda L: L.mm(L.ones(2, 3), L.ones(2, 3, 2)), "mat2 must be a matrix")
add("mm_dtype", lambda L: L.mm(L.ones(2, 2), L.ones(2, 2, dtype=L.float64)),
    "same dtype.*(F|f)loat != (D|d)ouble")
add("bmm_shape", lambda L: L.bmm(L.ones(2, 2, 3), L.ones(2, 4, 3)),
    r"batch2 tensor to be: \[2, 3\] but got: \[2, 4\]")
add("bmm_batch", lambda L: L.bmm(L.ones(2, 2, 3), L.ones(3, 3, 4)),
    r"batch2 tensor to be: \[2, 3\] but got: \[3, 3\]|batch1 and batch2 must have same number of "
    "batches")
add("bmm_2d", lambda L: L.bmm(L.ones(2, 3), L.ones(3, 2)), "batch1 must be a 3D tensor")
add("bmm_2d_second", lambda L: L.bmm(L.ones(1, 2, 3), L.ones(3, 2)),
    "batch2 must be a 3D tensor")
add("dot_sizes", lambda L: L.dot(L.ones(3), L.ones(4)),
    r"inconsistent tensor size, expected tensor \[3\] and src \[4\] to have the same number of "
    "elements")
add("dot_2d", lambda L: L.dot(L.ones(2, 2), L.ones(2, 2)), "1D tensors expected, but got 2D "
    "and 2D tensors")
add("dot_dtype", lambda L: L.dot(L.ones(2), L.ones(2, dtype=L.float64)),
    "dot : expected both vectors to have same dtype, but found Float and Double")
add("linear_features", lambda L: _f(L).linear(L.ones(2, 3), L.ones(4, 5)),
    r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 5x4\)")
add("linear_bias", lambda L: _f(L).linear(L.ones(2, 3), L.ones(4, 3), L.ones(5)),
    r"expanded size of the tensor \(4\) must match the existing size \(5\)")


# ============================================================================ conv / pool
def _conv(L, x, w, **kw):
    return _f(L).conv2d(L.ones(*x), L.ones(*w), **kw)


for _x, _w, _kw, _msg in [
    ((1, 2, 5, 5), (3, 4, 3, 3), {}, (r"expected input\[1, 2, 5, 5\] to have 4 channels, but got 2 "
                                     "channels instead")),
    ((1, 3, 2, 2), (4, 3, 3, 3), {}, (r"Kernel size can't be greater than actual input size|"
                                     r"\(2 x 2\).*\(3 x 3\)")),
    ((1, 3, 5, 5), (4, 3, 3, 3), {"stride": 0}, "non-positive stride is not supported"),
    ((1, 3, 5, 5), (4, 3, 3, 3), {"padding": -1}, "negative padding is not supported"),
    ((1, 3, 5, 5), (4, 3, 3, 3), {"dilation": 0}, "dilation should be greater than zero"),
    ((1, 4, 5, 5), (4, 2, 3, 3), {"groups": 3}, "groups|channels"),
    ((1, 3, 5, 5), (4, 3, 3, 3), {"bias": "b5"}, r"bias.*\[4\]|\[5\]|size 5"),
    ((1, 3, 5, 5), (4, 3, 3), {}, r"weight of size \[4, 3, 3\]|4-dimensional weight|3-d|3D"),
    ((3, 5, 5, 1, 1), (4, 3, 3, 3), {}, r"\[3, 5, 5, 1, 1\]|5D|5-d"),
    ((1, 3, 5, 5), (4, 3, 3, 3), {"padding": "same", "stride": 2},
     "padding='same' is not supported for strided convolutions"),
    ((1, 3, 5, 5), (4, 3, 3, 3), {"padding": "full"}, "Invalid padding string: 'full'"),
]:
    def _call(L, x=_x, w=_w, kw=_kw):
        kw = dict(kw)
        if kw.get("bias") == "b5":
            kw["bias"] = L.ones(5)
        return _conv(L, x, w, **kw)

    add(f"conv2d_{_x}_{_w}_{sorted(_kw.items())}", _call, _msg)
add("conv2d_dtype", lambda L: _f(L).conv2d(L.ones(1, 1, 3, 3), L.ones(1, 1, 2, 2,
                                                                      dtype=L.float64)),
    "Input type.*float32.*weight type.*float64|Float.*Double")
add("Conv2d_kernel_zero", lambda L: L.nn.Conv2d(1, 1, 0)(L.ones(1, 1, 3, 3)),
    "kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 0")
add("Conv2d_kernel_zero_w", lambda L: L.nn.Conv2d(1, 1, (2, 0))(L.ones(1, 1, 3, 3)),
    "kernel size should be greater than zero, but got kernel_height: 2 kernel_width: 0")
add("Conv2d_groups_in", lambda L: L.nn.Conv2d(3, 4, 3, groups=2),
    "in_channels must be divisible by groups")
add("Conv2d_groups_out", lambda L: L.nn.Conv2d(4, 3, 3, groups=2),
    "out_channels must be divisible by groups")
add("Conv2d_groups_zero", lambda L: L.nn.Conv2d(4, 4, 3, groups=0),
    "groups must be a positive integer")
add("Conv2d_padding_mode", lambda L: L.nn.Conv2d(1, 1, 3, padding_mode="mirror"),
    "padding_mode must be one of")
add("Conv2d_padding_str", lambda L: L.nn.Conv2d(1, 1, 3, padding="big"),
    "Invalid padding string 'big'")
add("Conv2d_same_stride", lambda L: L.nn.Conv2d(1, 1, 3, padding="same", stride=2),
    "padding='same' is not supported for strided convolutions")
add("Conv2d_wrong_channels", lambda L: L.nn.Conv2d(3, 2, 3)(L.ones(1, 1, 5, 5)),
    r"expected input\[1, 1, 5, 5\] to have 3 channels, but got 1 channels instead")
add("Conv2d_2d_input", lambda L: L.nn.Conv2d(1, 2, 3)(L.ones(5, 5)),
    r"\[5, 5\]|2D|2-d|3D \(unbatched\) or 4D \(batched\)")
for _fn in ("max_pool2d", "avg_pool2d"):
    for _x, _args, _kw, _msg in [
        ((1, 1, 2, 2), (3,), {}, r"Output size is too small|\(0x0\)|too small"),
        ((1, 1, 4, 4), (2,), {"stride": 0}, "stride should not be zero"),
        ((1, 1, 4, 4), (2,), {"padding": 2}, ("pad should be at most half of effective kernel "
                                             "size|pad should be smaller than or equal to half")),
        ((1, 1, 4, 4), (0,), {}, "kernel size|kernel_size"),
        ((1, 4, 4), (2,), {"padding": -1}, "pad must be non-negative|negative"),
        ((4,), (2,), {}, r"3D or 4D|\[4\]|non-empty 3D or 4D"),
    ]:
        add(f"{_fn}_{_x}_{_args}_{sorted(_kw.items())}",
            lambda L, f=_fn, x=_x, a=_args, kw=_kw: getattr(_f(L), f)(L.ones(*x), *a, **kw),
            _msg)
add("adaptive_avg_pool2d_1d", lambda L: _f(L).adaptive_avg_pool2d(L.ones(4), 2),
    r"3D or 4D|non-empty 3D or 4D|\[4\]")
add("adaptive_max_pool2d_1d", lambda L: _f(L).adaptive_max_pool2d(L.ones(4), 2),
    r"3D or 4D|non-empty 3D or 4D|\[4\]")
add("adaptive_avg_pool2d_size",
    lambda L: _f(L).adaptive_avg_pool2d(L.ones(1, 1, 4, 4), (1, 2, 3)),
    r"adaptive_avg_pool2d: output_size must be 2 \(got \[1, 2, 3\]\)")
add("MaxPool2d_module", lambda L: L.nn.MaxPool2d(3)(L.ones(1, 1, 2, 2)),
    r"Output size is too small|too small")
add("pad_odd_length", lambda L: _f(L).pad(L.ones(2, 2), (1, 1, 1)),
    "Padding length must be divisible by 2")
add("pad_too_long", lambda L: _f(L).pad(L.ones(2), (1, 1, 1, 1)),
    "Padding length should be less than or equal to two times the input dimension but got "
    "padding length 4 and input of dimension 1")
add("pad_bad_mode", lambda L: _f(L).pad(L.ones(1, 2, 2), (1, 1), mode="weird"),
    "weird|mode")


# ============================================================================ losses
for _fn in ("cross_entropy", "nll_loss"):
    for _t, _bad in [([0, 5], 5), ([-3, 0], -3), ([3, 0], 3)]:
        add(f"{_fn}_target_{_t}",
            lambda L, f=_fn, t=_t: getattr(_f(L), f)(L.zeros(2, 3), L.tensor(t)),
            f"Target {_bad} is out of bounds")
    add(f"{_fn}_batch_mismatch",
        lambda L, f=_fn: getattr(_f(L), f)(L.zeros(2, 3), L.tensor([0, 1, 2])),
        r"Expected input batch_size \(2\) to match target batch_size \(3\)")
    add(f"{_fn}_reduction", lambda L, f=_fn: getattr(_f(L), f)(L.zeros(2, 3), L.tensor([0, 1]),
                                                              reduction="avg"),
        "avg is not a valid value for reduction")
    add(f"{_fn}_weight_size",
        lambda L, f=_fn: getattr(_f(L), f)(L.zeros(2, 3), L.tensor([0, 1]), weight=L.ones(2)),
        r"weight tensor should be defined either for all 3 classes or no classes but got weight "
        r"tensor of shape: \[2\]")
    add(f"{_fn}_spatial_target_shape",
        lambda L, f=_fn: getattr(_f(L), f)(L.zeros(2, 3, 4), L.zeros(2, 5, dtype=L.int64)),
        r"\[2, 5\]|\[2, 4\]|size mismatch|Expected target size")
add("nll_loss_float_target", lambda L: _f(L).nll_loss(L.zeros(2, 3), L.zeros(2)),
    "expected (scalar type|target dtype to be) Long.* but (found|got) Float")
add("nll_loss_3d_target", lambda L: _f(L).nll_loss(L.zeros(2, 3), L.zeros(2, 1, dtype=L.int64)),
    r"1D target tensor expected, multi-target not supported|\[2, 1\]")
add("cross_entropy_prob_target_shape",
    lambda L: _f(L).cross_entropy(L.zeros(2, 3), L.zeros(2, 4)),
    r"\[2, 4\]|\[2, 3\]|size of tensor a \(3\) must match the size of tensor b \(4\)")
add("cross_entropy_label_smoothing", lambda L: _f(L).cross_entropy(L.zeros(2, 3),
                                                                    L.tensor([0, 1]),
                                                                    label_smoothing=1.5),
    r"label_smoothing must be between 0.0 and 1.0. Got: 1.5")
add("cross_entropy_0d_input", lambda L: _f(L).cross_entropy(L.tensor(1.0), L.tensor(0)),
    "0D|0-d|dimension|at least|class probabilities, got Long")
for _fn in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
    add(f"{_fn}_shape", lambda L, f=_fn: getattr(_f(L), f)(L.ones(2, 3), L.ones(3, 2)),
        r"tensor a \(3\) must match the size of tensor b \(2\)")
    add(f"{_fn}_reduction", lambda L, f=_fn: getattr(_f(L), f)(L.ones(2), L.ones(2),
                                                              reduction="none "),
        "none  is not a valid value for reduction")
add("smooth_l1_negative_beta", lambda L: _f(L).smooth_l1_loss(L.ones(2), L.ones(2), beta=-1.0),
    "smooth_l1_loss does not support negative values for beta")
add("huber_negative_delta", lambda L: _f(L).huber_loss(L.ones(2), L.ones(2), delta=-1.0),
    "huber_loss does not support non-positive values for delta")
add("bce_size", lambda L: _f(L).binary_cross_entropy(L.full((2,), 0.5), L.ones(3)),
    r"Using a target size \((mini)?torch.Size\(\[3\]\)\) that is different to the input size "
    r"\((mini)?torch.Size\(\[2\]\)\) is deprecated")
add("bce_range", lambda L: _f(L).binary_cross_entropy(L.tensor([1.5]), L.ones(1)),
    "all elements of input should be between 0 and 1")
add("bce_weight", lambda L: _f(L).binary_cross_entropy(L.full((2,), 0.5), L.ones(2),
                                                        weight=L.ones(3)),
    r"\[3\].*\[2\]|\(2\).*\(3\)|\(3\).*\(2\)")
add("bce_logits_size", lambda L: _f(L).binary_cross_entropy_with_logits(L.ones(2), L.ones(3)),
    r"Target size \((mini)?torch.Size\(\[3\]\)\) must be the same as input size \((mini)?torch.Size\(\[2\]\)\)")
add("bce_logits_reduction", lambda L: _f(L).binary_cross_entropy_with_logits(
    L.ones(2), L.ones(2), reduction="x"), "x is not a valid value for reduction")
add("one_hot_negative", lambda L: _f(L).one_hot(L.tensor([-1, 0])),
    "Class values must be non-negative")
add("one_hot_too_small", lambda L: _f(L).one_hot(L.tensor([3]), 2),
    "Class values must be smaller than num_classes")
add("one_hot_float", lambda L: _f(L).one_hot(L.tensor([1.0])),
    "one_hot is only applicable to index tensor|Long|int64")
add("CrossEntropyLoss_module_target", lambda L: L.nn.CrossEntropyLoss()(L.zeros(2, 3),
                                                                         L.tensor([0, 9])),
    "Target 9 is out of bounds")
add("MSELoss_module_reduction", lambda L: L.nn.MSELoss(reduction="bad")(L.ones(2), L.ones(2)),
    "bad is not a valid value for reduction")


# ============================================================================ modules
add("Linear_in_features", lambda L: L.nn.Linear(3, 2)(L.ones(4, 5)),
    r"mat1 and mat2 shapes cannot be multiplied \(4x5 and 3x2\)")
add("Linear_negative", lambda L: L.nn.Linear(-1, 2), "negative dimension -1")
add("Linear_int_input", lambda L: L.nn.Linear(2, 2)(L.ones(1, 2, dtype=L.int64)),
    "same dtype|Long.*Float|Float.*Long|scalar type")
add("BatchNorm1d_features", lambda L: L.nn.BatchNorm1d(3)(L.ones(4, 5)),
    r"running_mean should contain 5 elements not 3|\(5\).*\(3\)|\(3\).*\(5\)")
add("BatchNorm1d_dims", lambda L: L.nn.BatchNorm1d(3)(L.ones(4, 3, 2, 2)),
    r"expected 2D or 3D input \(got 4D input\)")
add("BatchNorm2d_dims", lambda L: L.nn.BatchNorm2d(3)(L.ones(4, 3, 2)),
    r"expected 4D input \(got 3D input\)")
add("BatchNorm1d_one_sample", lambda L: L.nn.BatchNorm1d(3)(L.ones(1, 3)),
    r"Expected more than 1 value per channel when training, got input size (mini)?torch.Size\(\[1, 3\]\)")
add("BatchNorm2d_channels", lambda L: L.nn.BatchNorm2d(3)(L.ones(2, 4, 2, 2)),
    r"running_mean should contain 4 elements not 3|\(4\).*\(3\)")
add("LayerNorm_shape", lambda L: L.nn.LayerNorm(4)(L.ones(2, 3)),
    r"Given normalized_shape=\[4\], expected input with shape \[\*, 4\], but got input of size"
    r"\[2, 3\]")
add("layer_norm_fn_shape", lambda L: _f(L).layer_norm(L.ones(2, 3), (2,)),
    r"Given normalized_shape=\[2\], expected input with shape \[\*, 2\]")
add("Embedding_range", lambda L: L.nn.Embedding(5, 2)(L.tensor([1, 5])),
    "index out of range in self|index 5 is out of bounds")
add("Embedding_negative", lambda L: L.nn.Embedding(5, 2)(L.tensor([-1])),
    "index out of range in self|index -1 is out of bounds")
add("Embedding_float", lambda L: L.nn.Embedding(5, 2)(L.tensor([1.0])),
    "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, "
    "Int; but got torch.FloatTensor instead|Long|int")
add("Embedding_padding_idx", lambda L: L.nn.Embedding(5, 2, padding_idx=5),
    "Padding_idx must be within num_embeddings")
for _cls in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d"):
    for _p in (1.5, -0.1):
        add(f"{_cls}_p_{_p}", lambda L, c=_cls, p=_p: getattr(L.nn, c)(p),
            f"dropout probability has to be between 0 and 1, but got {_p}")
add("dropout_fn_p", lambda L: _f(L).dropout(L.ones(2), p=2.0),
    "dropout probability has to be between 0 and 1, but got 2.0")
add("Sequential_non_module", lambda L: L.nn.Sequential(L.nn.ReLU(), 5),
    "int is not a Module subclass")
add("ModuleList_index", lambda L: L.nn.ModuleList([L.nn.ReLU()])[3],
    "index 3 is out of range")
add("ModuleList_append_non_module", lambda L: L.nn.ModuleList().append(3),
    "int is not a Module subclass")
add("ModuleDict_key", lambda L: L.nn.ModuleDict({"a": L.nn.ReLU()})["b"], "b")
add("Module_missing_attr", lambda L: L.nn.Linear(2, 2).foo,
    "'Linear' object has no attribute 'foo'")
add("add_module_dot", lambda L: L.nn.Module().add_module("a.b", L.nn.ReLU()),
    "module name can.+t contain \".\", got: a.b")
add("add_module_non_module", lambda L: L.nn.Module().add_module("a", 3),
    "int is not a Module subclass")
add("add_module_empty_name", lambda L: L.nn.Module().add_module("", L.nn.ReLU()),
    "module name can.+t be empty string")
add("register_parameter_tensor",
    lambda L: L.nn.Module().register_parameter("w", L.ones(2)),
    "cannot assign 'torch.FloatTensor' object to parameter 'w' \\(torch.nn.Parameter or None "
    "required\\)|FloatTensor.*Parameter or None")
add("register_parameter_dot", lambda L: L.nn.Module().register_parameter(
    "a.b", L.nn.Parameter(L.ones(1))), "parameter name can.+t contain")
add("register_buffer_dot", lambda L: L.nn.Module().register_buffer("a.b", L.ones(1)),
    "buffer name can.+t contain")
add("register_buffer_non_tensor", lambda L: L.nn.Module().register_buffer("b", 3),
    "cannot assign 'int' object to buffer 'b' \\((mini)?torch Tensor or None required\\)")


def _assign_tensor_to_param(L):
    m = L.nn.Linear(2, 2)
    m.weight = L.ones(2, 2)


add("assign_tensor_to_parameter", _assign_tensor_to_param,
    "cannot assign '.*FloatTensor' as parameter 'weight' \\((mini)?torch.nn.Parameter or None "
    "expected\\)")
add("Parameter_int_requires_grad", lambda L: L.nn.Parameter(L.tensor([1, 2])),
    "(O|o)nly Tensors of floating point .*dtype can require gradients")
add("Softmax_dim", lambda L: L.nn.Softmax(dim=2)(L.ones(2, 3)),
    r"\[-2, 1\], but got 2")
add("Flatten_dims", lambda L: L.nn.Flatten(1, 5)(L.ones(2, 3)), r"\[-2, 1\], but got 5")
add("Unflatten_sizes", lambda L: L.nn.Unflatten(1, (2, 2))(L.ones(2, 6)),
    r"unflatten: Provided sizes \[2, 2\] don't multiply up to the size of dim 1 \(6\)")
add("LeakyReLU_inplace_leaf", lambda L: _f(L).leaky_relu(L.ones(2, requires_grad=True), 0.1,
                                                         inplace=True),
    "a leaf Variable that requires grad is being used in an in-place operation")
add("Module_to_bad", lambda L: L.nn.Linear(2, 2).to("tpu"),
    "Expected one of .* device type at start of device string: tpu")
add("Module_apply_non_callable", lambda L: L.nn.Linear(2, 2).apply(3),
    "'int' object is not callable")
add("init_fan_1d", lambda L: L.nn.init.kaiming_uniform_(L.ones(3)),
    "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
add("init_xavier_1d", lambda L: L.nn.init.xavier_uniform_(L.ones(3)),
    "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
add("init_bad_mode", lambda L: L.nn.init.kaiming_normal_(L.ones(2, 2), mode="fan_x"),
    "Mode fan_x not supported, please use one of fan_in, fan_out")
add("init_bad_nonlinearity", lambda L: L.nn.init.calculate_gain("swish"),
    "Unsupported nonlinearity swish")
add("clip_grad_norm_nonfinite", lambda L: L.nn.utils.clip_grad_norm_(
    [_param_with_grad(L, float("inf"))], 1.0, error_if_nonfinite=True),
    "The total norm of order 2.0 for gradients from `parameters` is non-finite")


def _param_with_grad(L, value):
    p = L.nn.Parameter(L.ones(2))
    p.grad = L.full((2,), value)
    return p


# ============================================================================ state_dict
def _load_sd(L, sd_fn, strict=True):
    m = L.nn.Linear(3, 2)
    return m.load_state_dict(sd_fn(L), strict=strict)


add("load_state_dict_missing", lambda L: _load_sd(L, lambda L: {"weight": L.ones(2, 3)}),
    "Missing key\\(s\\) in state_dict: \"bias\"")
add("load_state_dict_unexpected", lambda L: _load_sd(
    L, lambda L: {"weight": L.ones(2, 3), "bias": L.ones(2), "extra": L.ones(1)}),
    "Unexpected key\\(s\\) in state_dict: \"extra\"")
add("load_state_dict_size", lambda L: _load_sd(
    L, lambda L: {"weight": L.ones(4, 3), "bias": L.ones(2)}),
    r"size mismatch for weight: copying a param with shape (mini)?torch.Size\(\[4, 3\]\) from "
    r"checkpoint, the shape in current model is (mini)?torch.Size\(\[2, 3\]\)")
add("load_state_dict_size_nonstrict", lambda L: _load_sd(
    L, lambda L: {"weight": L.ones(2, 3), "bias": L.ones(5)}, strict=False),
    r"size mismatch for bias: copying a param with shape (mini)?torch.Size\(\[5\]\) from "
    r"checkpoint, the shape in current model is (mini)?torch.Size\(\[2\]\)")
add("load_state_dict_list", lambda L: L.nn.Linear(3, 2).load_state_dict([1, 2]),
    "Expected state_dict to be dict-like, got <class 'list'>")
add("load_state_dict_nested_missing", lambda L: L.nn.Sequential(L.nn.Linear(3, 2)).load_state_dict(
    {"0.weight": L.ones(2, 3)}), "Missing key\\(s\\) in state_dict: \"0.bias\"")
add("load_state_dict_non_tensor", lambda L: _load_sd(
    L, lambda L: {"weight": [[1.0] * 3] * 2, "bias": L.ones(2)}),
    "While copying the parameter named \"weight\", expected torch.Tensor or Tensor-like object "
    "from checkpoint but received <class 'list'>|expected minitorch.Tensor from checkpoint but received <class 'list'>")


def _opt(L, cls="SGD", **kw):
    return getattr(L.optim, cls)([L.nn.Parameter(L.ones(2))], **kw)


add("optim_load_state_dict_groups", lambda L: _opt(L).load_state_dict(
    {"state": {}, "param_groups": []}),
    "loaded state dict has a different number of parameter groups")
add("optim_load_state_dict_sizes", lambda L: _opt(L).load_state_dict(
    {"state": {}, "param_groups": [dict(_opt(L).param_groups[0], params=[0, 1])]}),
    "loaded state dict contains a parameter group that doesn't match the size of optimizer's "
    "group")


# ============================================================================ optimizers
for _cls, _kw, _msg in [
    ("SGD", {"lr": -1.0}, "Invalid learning rate: -1.0"),
    ("SGD", {"lr": 0.1, "momentum": -0.5}, "Invalid momentum value: -0.5"),
    ("SGD", {"lr": 0.1, "weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    ("SGD", {"lr": 0.1, "nesterov": True}, ("Nesterov momentum requires a momentum and zero "
                                           "dampening")),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "nesterov": True},
     "Nesterov momentum requires a momentum and zero dampening"),
    ("Adam", {"lr": -0.1}, "Invalid learning rate: -0.1"),
    ("Adam", {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    ("Adam", {"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
    ("Adam", {"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    ("Adam", {"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    ("AdamW", {"lr": -0.1}, "Invalid learning rate: -0.1"),
    ("AdamW", {"betas": (0.9, 1.5)}, "Invalid beta parameter at index 1: 1.5"),
    ("AdamW", {"eps": -1.0}, "Invalid epsilon value: -1.0"),
    ("RMSprop", {"lr": -0.1}, "Invalid learning rate: -0.1"),
    ("RMSprop", {"alpha": -0.1}, "Invalid alpha value: -0.1"),
    ("RMSprop", {"momentum": -0.1}, "Invalid momentum value: -0.1"),
    ("RMSprop", {"eps": -0.1}, "Invalid epsilon value: -0.1"),
    ("Adagrad", {"lr": -0.1}, "Invalid learning rate: -0.1"),
    ("Adagrad", {"lr_decay": -0.1}, "Invalid lr_decay value: -0.1"),
    ("Adagrad", {"initial_accumulator_value": -1.0}, ("Invalid initial_accumulator_value value: "
                                                     "-1.0")),
]:
    add(f"{_cls}_{sorted(_kw.items())}", lambda L, c=_cls, kw=_kw: _opt(L, c, **kw), _msg)
for _cls in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad"):
    add(f"{_cls}_empty_params", lambda L, c=_cls: getattr(L.optim, c)([], lr=0.1),
        "optimizer got an empty parameter list")
    add(f"{_cls}_tensor_params", lambda L, c=_cls: getattr(L.optim, c)(L.ones(2), lr=0.1),
        "params argument given to the optimizer should be an iterable of Tensors or dicts, but "
        "got .*(FloatTensor|Tensor)")
    add(f"{_cls}_duplicate_groups", lambda L, c=_cls: getattr(L.optim, c)(
        _dup_groups(L), lr=0.1), "some parameters appear in more than one parameter group")
    add(f"{_cls}_non_leaf", lambda L, c=_cls: getattr(L.optim, c)(
        [L.ones(2, requires_grad=True) * 2], lr=0.1), "can't optimize a non-leaf Tensor")


def _dup_groups(L):
    p = L.nn.Parameter(L.ones(2))
    return [{"params": [p]}, {"params": [p]}]


def _step_bad_grad(L, cls):
    p = L.nn.Parameter(L.ones(3))
    opt = getattr(L.optim, cls)([p], lr=0.1)
    p.grad = L.zeros(3)
    p.grad.data = L.ones(1) * 5  # replace the gradient's storage behind autograd's back
    opt.step()


add("add_param_group_dup", lambda L: _add_dup_group(L),
    "some parameters appear in more than one parameter group")


def _add_dup_group(L):
    p = L.nn.Parameter(L.ones(2))
    L.optim.SGD([p], lr=0.1).add_param_group({"params": [p]})




# ============================================================================ schedulers
def _sched(L, name, *a, **kw):
    return getattr(L.optim.lr_scheduler, name)(_opt(L, lr=0.1), *a, **kw)


add("StepLR_not_optimizer", lambda L: L.optim.lr_scheduler.StepLR("opt", 2),
    "str is not an Optimizer")
add("ExponentialLR_not_optimizer", lambda L: L.optim.lr_scheduler.ExponentialLR(None, 0.9),
    "NoneType is not an Optimizer")
add("MultiStepLR_not_optimizer", lambda L: L.optim.lr_scheduler.MultiStepLR(3, [1]),
    "int is not an Optimizer")
add("LambdaLR_count", lambda L: _sched(L, "LambdaLR", [lambda e: 1.0, lambda e: 1.0]),
    "Expected 1 lr_lambdas, but got 2")
add("OneCycleLR_no_steps", lambda L: _sched(L, "OneCycleLR", 0.1),
    "You must define either total_steps OR \\(epochs AND steps_per_epoch\\)")
add("OneCycleLR_zero_steps", lambda L: _sched(L, "OneCycleLR", 0.1, total_steps=0),
    "Expected positive integer total_steps, but got 0")
add("OneCycleLR_anneal", lambda L: _sched(L, "OneCycleLR", 0.1, total_steps=5,
                                          anneal_strategy="x"),
    "anneal_strategy must be one of 'cos' or 'linear', instead got x")
add("OneCycleLR_pct", lambda L: _sched(L, "OneCycleLR", 0.1, total_steps=5, pct_start=1.5),
    "Expected float between 0 and 1 pct_start, but got 1.5")


def _onecycle_past_end(L):
    s = _sched(L, "OneCycleLR", 0.1, total_steps=2)
    for _ in range(3):
        s.optimizer.step()
        s.step()


add("OneCycleLR_past_end", _onecycle_past_end,
    "Tried to step 3 times. The specified number of total steps is 2")
add("ReduceLROnPlateau_mode", lambda L: _sched(L, "ReduceLROnPlateau", mode="avg"),
    "mode avg is unknown!")
add("ReduceLROnPlateau_factor", lambda L: _sched(L, "ReduceLROnPlateau", factor=1.0),
    "Factor should be < 1.0.")
add("ReduceLROnPlateau_threshold_mode", lambda L: _sched(L, "ReduceLROnPlateau",
                                                         threshold_mode="x"),
    "threshold mode x is unknown!")
add("ReduceLROnPlateau_min_lr_list", lambda L: _sched(L, "ReduceLROnPlateau", min_lr=[0.1, 0.2]),
    "expected 1 min_lrs, got 2")
add("ReduceLROnPlateau_not_optimizer",
    lambda L: L.optim.lr_scheduler.ReduceLROnPlateau("x"), "str is not an Optimizer")
add("CosineAnnealingLR_not_optimizer",
    lambda L: L.optim.lr_scheduler.CosineAnnealingLR([], 10), "list is not an Optimizer")
add("scheduler_no_initial_lr", lambda L: _sched(L, "StepLR", 2, last_epoch=3),
    "param 'initial_lr' is not specified in param_groups\\[0\\] when resuming")


# ============================================================================ DataLoader
def _ds(L, n=5):
    return L.utils.data.TensorDataset(L.arange(float(n)))


for _kw, _msg in [
    ({"batch_size": 0}, "batch_size should be a positive integer value, but got batch_size=0"),
    ({"batch_size": -2}, "batch_size should be a positive integer value, but got batch_size=-2"),
    ({"num_workers": -1}, "num_workers option should be non-negative"),
    ({"timeout": -1}, "timeout option should be non-negative"),
    ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
    ({"prefetch_factor": 2}, "prefetch_factor option could only be specified in multiprocessing"),
    ({"shuffle": True, "sampler": [0, 1]}, "sampler option is mutually exclusive with shuffle"),
    ({"batch_sampler": [[0, 1]], "batch_size": 2}, ("batch_sampler option is mutually exclusive "
                                                   "with batch_size")),
    ({"batch_sampler": [[0, 1]], "drop_last": True}, "batch_sampler option is mutually exclusive"),
    ({"batch_sampler": [[0, 1]], "shuffle": True}, "batch_sampler option is mutually exclusive"),
    ({"batch_size": None, "drop_last": True}, ("batch_size=None option disables auto-batching and "
                                              "is mutually exclusive with drop_last")),
]:
    add(f"DataLoader_{sorted(_kw.items())}",
        lambda L, kw=_kw: L.utils.data.DataLoader(_ds(L), **kw), _msg)
add("TensorDataset_sizes", lambda L: L.utils.data.TensorDataset(L.ones(3), L.ones(4)),
    "Size mismatch between tensors")
add("random_split_lengths", lambda L: L.utils.data.random_split(_ds(L), [2, 2]),
    "Sum of input lengths does not equal the length of the input dataset!")
add("random_split_fractions", lambda L: L.utils.data.random_split(_ds(L), [0.5, 0.6]),
    "Sum of input lengths does not equal the length of the input dataset!")
add("Subset_index", lambda L: L.utils.data.Subset(_ds(L), [0, 9])[1],
    "index 9 is out of bounds for dimension 0 with size 5")
add("collate_unequal", lambda L: next(iter(L.utils.data.DataLoader(
    [L.ones(2), L.ones(3)], batch_size=2))),
    r"stack expects each tensor to be equal size, but got \[2\] at entry 0 and \[3\] at entry 1")
add("DataLoader_set_batch_size", lambda L: setattr(L.utils.data.DataLoader(_ds(L)),
                                                   "batch_size", 3),
    "batch_size attribute should not be set after DataLoader is initialized")
add("DataLoader_len_iterable", lambda L: len(L.utils.data.DataLoader(_Iterable(L))),
    "has no len\\(\\)|__len__")
add("Dataset_getitem_abstract", lambda L: L.utils.data.Dataset()[0],
    "Subclasses of Dataset should implement __getitem__")
add("RandomSampler_num_samples", lambda L: L.utils.data.RandomSampler(range(3), num_samples=0),
    "num_samples should be a positive integer value, but got num_samples=0")
add("BatchSampler_batch_size", lambda L: L.utils.data.BatchSampler(range(3), 0, False),
    "batch_size should be a positive integer value, but got batch_size=0")
add("BatchSampler_drop_last", lambda L: L.utils.data.BatchSampler(range(3), 2, "yes"),
    "drop_last should be a boolean value, but got drop_last=yes")
add("RandomSampler_replacement", lambda L: L.utils.data.RandomSampler(range(3), replacement=1),
    "replacement should be a boolean value, but got replacement=1")


def _Iterable(L):
    class It(L.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(3))

        def __len__(self):
            raise TypeError("object of type 'It' has no len()")

    return It()


# ============================================================================ autograd misuse
def _hook(L, ret):
    x = L.ones(3, requires_grad=True)
    x.register_hook(lambda g: ret(L))
    (x * 2).sum().backward()


def _nonleaf_hook(L, ret):
    x = L.ones(3, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: ret(L))
    y.sum().backward()


def _set_grad(L, value):
    p = L.nn.Parameter(L.ones(3))
    p.grad = value(L)


add("backward_twice", _backward_twice, "backward through the graph a second time")
add("saved_tensor_modified", _saved_modified,
    r"modified by an inplace operation: \[torch.FloatTensor \[2\]\], which is output 0 of "
    r"MulBackward0, is at version 1; expected version 0 instead|modified by an inplace")
add("backward_non_scalar", lambda L: (L.ones(3, requires_grad=True) * 2).backward(),
    "grad can be implicitly created only for scalar outputs")
add("backward_no_grad", lambda L: L.ones(2).sum().backward(),
    "element 0 of tensors does not require grad and does not have a grad_fn")
add("backward_gradient_shape", lambda L: (L.ones(3, requires_grad=True) * 2).backward(L.ones(2)),
    r"Mismatch in shape: grad_output\[0\] has a shape of (mini)?torch.Size\(\[2\]\) and output\[0\] has "
    r"a shape of (mini)?torch.Size\(\[3\]\)")
add("backward_gradient_shape_scalar",
    lambda L: (L.ones(3, requires_grad=True) * 2).sum().backward(L.ones(1)),
    r"Mismatch in shape: grad_output\[0\] has a shape of (mini)?torch.Size\(\[1\]\) and output\[0\] has "
    r"a shape of (mini)?torch.Size\(\[\]\)")
add("backward_gradient_list", lambda L: (L.ones(3, requires_grad=True) * 2).backward([1.0] * 3),
    "gradients can be either Tensors or None, but got float|list")
add("grad_unused", lambda L: L.autograd.grad((L.ones(1, requires_grad=True) * 2).sum(),
                                              [L.ones(1, requires_grad=True)]),
    "One of the differentiated Tensors appears to not have been used in the graph")
add("grad_input_no_grad", lambda L: L.autograd.grad((L.ones(1, requires_grad=True) * 2).sum(),
                                                     [L.ones(1)]),
    "One of the differentiated Tensors does not require grad")
add("grad_outputs_length", lambda L: L.autograd.grad(
    [L.ones(1, requires_grad=True) * 2], [L.ones(1, requires_grad=True)],
    grad_outputs=[L.ones(1), L.ones(1)]),
    "grad_outputs should have the same length as outputs|2 vs 1|1 vs 2")
for _name, _ret, _msg in [
    ("shape", lambda L: L.ones(2), "hook '<lambda>' has changed the size of value"),
    ("shape_2d", lambda L: L.ones(3, 1), "hook '<lambda>' has changed the size of value"),
    ("dtype", lambda L: L.ones(3, dtype=L.float64),
     r"hook '<lambda>' has changed the type of value \(was .*FloatTensor got .*DoubleTensor\)"),
    ("int", lambda L: 5, "expected Variable, but hook returned 'int'"),
    ("list", lambda L: [1.0, 2.0, 3.0], "expected Variable, but hook returned 'list'"),
]:
    add(f"leaf_hook_returns_{_name}", lambda L, r=_ret: _hook(L, r), _msg)
    add(f"nonleaf_hook_returns_{_name}", lambda L, r=_ret: _nonleaf_hook(L, r), _msg)
for _name, _val, _msg in [
    ("shape", lambda L: L.ones(1) * 5, (r"attempting to assign a gradient of size '\[1\]' to a "
                                       r"tensor of size '\[3\]'")),
    ("shape_2d", lambda L: L.ones(3, 1), (r"attempting to assign a gradient of size '\[3, 1\]' to "
                                         r"a tensor of size '\[3\]'")),
    ("list", lambda L: [1.0, 2.0, 3.0], ("assigned grad expected to be a Tensor or None but got "
                                        "grad of type list")),
    ("float", lambda L: 1.0, ("assigned grad expected to be a Tensor or None but got grad of type "
                             "float")),
    ("ndarray", lambda L: __import__("numpy").ones(3, "float32"),
     "assigned grad expected to be a Tensor or None but got grad of type (numpy.)?ndarray"),
    ("double", lambda L: L.ones(3, dtype=L.float64),
     "attempting to assign a gradient with dtype 'double' to a tensor with grad_dtype 'Float'"),
    ("long", lambda L: L.ones(3, dtype=L.int64),
     ("attempting to assign a gradient with dtype 'long int' to a tensor with grad_dtype "
     "'Float'")),
    ("half", lambda L: L.ones(3, dtype=L.float16),
     "attempting to assign a gradient with dtype 'c10::Half|half' to a tensor with grad_dtype"),
]:
    add(f"set_grad_{_name}", lambda L, v=_val: _set_grad(L, v), _msg)
add("requires_grad_false_nonleaf", lambda L: setattr(L.ones(2, requires_grad=True) * 2,
                                                     "requires_grad", False),
    "you can only change requires_grad flags of leaf variables")
add("retain_grad_no_grad", lambda L: L.ones(2).retain_grad(),
    "can't retain_grad on Tensor that has requires_grad=False")
add("register_hook_no_grad", lambda L: L.ones(2).register_hook(lambda g: g),
    "cannot register a hook on a tensor that doesn't require gradient")
add("numpy_requires_grad", lambda L: L.ones(3, requires_grad=True).numpy(),
    r"Can't call numpy\(\) on Tensor that requires grad")
add("leaf_inplace", lambda L: L.ones(3, requires_grad=True).add_(1),
    "a leaf Variable that requires grad is being used in an in-place operation")
add("leaf_setitem", lambda L: L.ones(3, requires_grad=True).__setitem__(0, 2.0),
    "a leaf Variable that requires grad is being used in an in-place operation")
add("leaf_zero_", lambda L: L.ones(3, requires_grad=True).zero_(),
    "a leaf Variable that requires grad is being used in an in-place operation")
add("leaf_uniform_", lambda L: L.ones(3, requires_grad=True).uniform_(),
    "a leaf Variable that requires grad is being used in an in-place operation")
add("deepcopy_nonleaf", lambda L: __import__("copy").deepcopy(L.ones(2, requires_grad=True) * 2),
    "Only Tensors created explicitly by the user \\(graph leaves\\) support the deepcopy "
    "protocol")
add("function_wrong_grad_count", lambda L: _bad_function(L),
    "function .*Backward returned an incorrect number of gradients \\(expected 2, got 1\\)")
add("gradcheck_float32_input", lambda L: _gradcheck_fail(L),
    "Jacobian mismatch|Gradcheck|gradcheck|backward")


def _bad_function(L):
    class Bad(L.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x = L.ones(2, requires_grad=True)
    Bad.apply(x, x).sum().backward()


def _gradcheck_fail(L):
    class Wrong(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    x = L.ones(2, dtype=L.float64, requires_grad=True)
    L.autograd.gradcheck(Wrong.apply, (x,), raise_exception=True)


# ============================================================================ checkpoints
def _ckpt_path(name: str) -> str:
    d = tempfile.mkdtemp(prefix="badinput-")
    return os.path.join(d, name)


def _load_written(L, data: bytes):
    path = _ckpt_path("x.pt")
    with open(path, "wb") as fh:
        fh.write(data)
    return L.load(path)


def _load_corrupted(L, corrupt):
    path = _ckpt_path("c.pt")
    L.save({"w": L.arange(6.0)}, path)
    with open(path, "rb") as fh:
        data = fh.read()
    with open(path, "wb") as fh:
        fh.write(corrupt(data))
    return L.load(path)


add("load_missing_file", lambda L: L.load(_ckpt_path("absent.pt")), "No such file|absent.pt")
add("load_directory", lambda L: L.load(tempfile.mkdtemp()), "Is a directory|directory")
add("save_missing_dir", lambda L: L.save({}, os.path.join(_ckpt_path("nodir"), "x.pt")),
    "Parent directory .*nodir does not exist")
add("load_empty_file", lambda L: _load_written(L, b""), "x.pt.*empty|empty")
add("load_text_file", lambda L: _load_written(L, b"hello world\n"), "x.pt.*not a minitorch")
add("load_truncated", lambda L: _load_corrupted(L, lambda d: d[: len(d) // 2]),
    "c.pt.*(truncated|corrupt)")
add("load_zeroed_tail", lambda L: _load_corrupted(L, lambda d: d[:-40] + bytes(40)),
    "c.pt.*(truncated|corrupt)")
add("load_garbage_zip", lambda L: _load_written(L, b"PK\x03\x04" + bytes(60)),
    "x.pt.*(truncated|corrupt)")



def _hostile(make):
    """A crafted minitorch-format checkpoint (``test_checkpoint_faults`` builds them):
    PyTorch, which cannot read the format at all, raises RuntimeError too."""
    import numpy as np
    from test_checkpoint_faults import _archive, _header, _npy, _set_sizes

    return lambda L: _load_written(L, make(np, _archive, _header, _npy, _set_sizes))


for _name, _make, _msg in [
    ("shape_1e12", lambda np, a, h, n, z: a(h(shape=(10**12,)), {"tensors/0.npy": n(
        np.zeros(3, np.float32))}), "x.pt is corrupt or hostile: .*declares shape"),
    ("dtype_complex", lambda np, a, h, n, z: a(h(dtype="complex64"), {"tensors/0.npy": n(
        np.zeros(3, np.float32))}), "x.pt holds tensors/0.npy of unsupported dtype 'complex64'"),
    ("dtype_object", lambda np, a, h, n, z: a(h(dtype="object"), {"tensors/0.npy": n(
        np.zeros(3, np.float32))}), "x.pt holds tensors/0.npy of unsupported dtype 'object'"),
    ("shape_negative", lambda np, a, h, n, z: a(h(shape=(-3,)), {"tensors/0.npy": n(
        np.zeros(3, np.float32))}), r"x.pt is corrupt: tensors/0.npy has shape \[-3\]"),
    ("npy_disagrees", lambda np, a, h, n, z: a(h(shape=(3,)), {"tensors/0.npy": n(
        np.zeros(4, np.float32))}), r"x.pt is corrupt: .*holds float32 \[4\]"),
    ("missing_member", lambda np, a, h, n, z: a(h(), {}), ("x.pt is truncated or corrupt: "
                                                          "cannot read tensors/0.npy")),
    ("deep_nesting", lambda np, a, h, n, z: a(h(root=__import__("json").loads(
        '{"type": "list", "items": [' * 150 + "1" + "]}" * 150)), {"tensors/0.npy": n(
            np.zeros(3, np.float32))}), "x.pt is corrupt: .*nested deeper than 100 levels"),
    ("bomb", lambda np, a, h, n, z: z(a(h(shape=(1 << 18,)), {"tensors/0.npy": n(
        np.zeros(1 << 18, np.float32))}, __import__("zipfile").ZIP_DEFLATED),
        "tensors/0.npy", 3 << 30), "x.pt is corrupt: tensors/0.npy declares 3221225472 bytes"),
]:
    add(f"load_hostile_{_name}", _hostile(_make), _msg)


# ------------------------------------------------------------------------------ allow-list
# name -> (minitorch's exception type name, reason). Reviewed: each is a deliberate
# difference, and the case must still raise that type with the pattern.
ALLOWED: dict[str, tuple[str, str]] = {
    "index_select_(2, 3)_1_[0, 3]": ("IndexError", ("torch raises RuntimeError or IndexError "
                                    "depending on which kernel runs (dim and layout); minitorch "
                                    "always raises IndexError, as for every other dim")),
    "index_select_(2, 3)_-1_[-4]": ("IndexError", "same kernel-dependent type in torch"),
    "avg_pool2d_(4,)_(2,)_[]": ("RuntimeError", ("torch's avg_pool2d indexes dim -3 of a 1-D "
                                "input first (IndexError); minitorch checks the rank first and "
                                "raises RuntimeError like max_pool2d does")),
    "load_empty_file": ("RuntimeError", ("torch unpickles and raises EOFError; minitorch never "
                                        "unpickles and raises its documented RuntimeError")),
    "load_text_file": ("RuntimeError", ("torch's unpickler fails on the text with a KeyError; "
                                       "minitorch never unpickles and raises its documented "
                                       "RuntimeError naming the file")),
}
