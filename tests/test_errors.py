"""Bad input: PyTorch's exception type, and a message that names the problem.

Each case runs in torch too, so the exception *type* is checked against PyTorch itself;
the message is matched against a pattern naming the shapes, dtypes or misuse.
"""

from __future__ import annotations

import pytest
import torch

import minitorch


def _backward_twice(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    y.backward()


def _saved_tensor_modified(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    y = h * h  # saves h
    h.add_(1)
    y.sum().backward()


def _output_modified(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x.sigmoid()  # saves its output
    y.mul_(2)
    y.sum().backward()


def _view_of_leaf_inplace(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    x[0].mul_(2)


CASES = {
    "matmul_shape_mismatch": (lambda L: L.ones(2, 3) @ L.ones(2, 3), RuntimeError,
                              r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"),
    "mm_shape_mismatch": (lambda L: L.mm(L.ones(2, 3), L.ones(4, 3)), RuntimeError,
                          r"\(2x3 and 4x3\)"),
    "matmul_1d_mismatch": (lambda L: L.ones(3) @ L.ones(4), RuntimeError,
                           r"inconsistent tensor size.*\[3\].*\[4\]"),
    "matmul_batch_mismatch": (lambda L: L.ones(2, 2, 3) @ L.ones(3, 3, 1), RuntimeError,
                              r"size of tensor a \(2\) must match the size of tensor b \(3\)"),
    "matmul_0d": (lambda L: L.matmul(L.tensor(1.0), L.ones(2)), RuntimeError,
                  "at least 1D"),
    "bmm_mismatch": (lambda L: L.bmm(L.ones(2, 2, 3), L.ones(2, 4, 3)), RuntimeError,
                     r"batch2 tensor to be: \[2, 3\] but got: \[2, 4\]"),
    "mm_dtype_mismatch": (lambda L: L.ones(2, 2) @ L.ones(2, 2, dtype=L.float64), RuntimeError,
                          "same dtype.*(F|f)loat != (D|d)ouble"),
    "broadcast_mismatch": (lambda L: L.ones(2, 3) + L.ones(4), RuntimeError,
                           (r"size of tensor a \(3\) must match the size of tensor b \(4\) at "
                            r"non-singleton dimension 1")),
    "broadcast_mismatch_compare": (lambda L: L.ones(2, 3) < L.ones(2), RuntimeError,
                                   r"tensor a \(3\).*tensor b \(2\)"),
    "view_incompatible_strides": (lambda L: L.ones(2, 3).t().view(6), RuntimeError,
                                  ("view size is not compatible with input tensor's size and "
                                   r"stride.*Use \.reshape")),
    "view_wrong_numel": (lambda L: L.ones(2, 3).view(4), RuntimeError,
                         r"shape '\[4\]' is invalid for input of size 6"),
    "reshape_two_inferred": (lambda L: L.ones(6).reshape(-1, -1), RuntimeError,
                             "only one dimension can be inferred"),
    "expand_mismatch": (lambda L: L.ones(2, 3).expand(4, 3), RuntimeError,
                        r"expanded size of the tensor \(4\) must match the existing size \(2\)"),
    "item_many_elements": (lambda L: L.ones(3).item(), RuntimeError,
                           "a Tensor with 3 elements cannot be converted to Scalar"),
    "bool_many_elements": (lambda L: bool(L.ones(2)), RuntimeError,
                           "more than one value is ambiguous"),
    "backward_non_scalar": (lambda L: (L.ones(3, requires_grad=True) * 2).backward(),
                            RuntimeError, "grad can be implicitly created only for scalar"),
    "backward_no_grad": (lambda L: L.ones(2).sum().backward(), RuntimeError,
                         "does not require grad and does not have a grad_fn"),
    "backward_gradient_shape": (
        lambda L: (L.ones(3, requires_grad=True) * 2).backward(L.ones(2)), RuntimeError,
        r"Mismatch in shape.*\[2\].*\[3\]"),
    "backward_twice": (_backward_twice, RuntimeError,
                       "backward through the graph a second time.*retain_graph=True"),
    "inplace_saved_tensor": (_saved_tensor_modified, RuntimeError,
                             r"modified by an inplace operation.*\[2\].*version"),
    "inplace_saved_output": (_output_modified, RuntimeError, "modified by an inplace operation"),
    "index_out_of_range": (lambda L: L.ones(3)[3], IndexError,
                           "index 3 is out of bounds for dimension 0 with size 3"),
    "index_out_of_range_dim1": (lambda L: L.ones(3, 2)[:, -3], IndexError,
                                "index -3 is out of bounds for dimension 1 with size 2"),
    "index_tensor_out_of_range": (lambda L: L.ones(3)[L.tensor([0, 5])], IndexError,
                                  "index 5 is out of bounds for dimension 0 with size 3"),
    "too_many_indices": (lambda L: L.ones(3)[0, 0], IndexError,
                         "too many indices for tensor of dimension 1"),
    "float_index": (lambda L: L.ones(3)[1.5], IndexError,
                    r"only integers, slices.*valid indices \(got float\)"),
    "float_tensor_index": (lambda L: L.ones(3)[L.tensor([1.0])], IndexError,
                           "tensors used as indices must be long, int, byte or bool tensors"),
    "mask_shape": (lambda L: L.ones(3)[L.tensor([True, False])], IndexError,
                   r"shape of the mask \[2\] at index 0 does not match.*\[3\]"),
    "numpy_requires_grad": (lambda L: L.ones(3, requires_grad=True).numpy(), RuntimeError,
                            r"Can't call numpy\(\) on Tensor that requires grad.*detach\(\)"),
    "leaf_inplace": (lambda L: L.ones(3, requires_grad=True).add_(1), RuntimeError,
                     "a leaf Variable that requires grad is being used in an in-place"),
    "leaf_setitem": (lambda L: L.ones(3, requires_grad=True).__setitem__(0, 2.0), RuntimeError,
                     "leaf Variable that requires grad .*in-place"),
    "view_of_leaf_inplace": (_view_of_leaf_inplace, RuntimeError,
                             "leaf Variable that requires grad .*in-place"),
    "requires_grad_int_tensor": (lambda L: L.ones(3, dtype=L.int64, requires_grad=True),
                                 RuntimeError,
                                 "(O|o)nly Tensors of floating point .*can require gradients"),
    "requires_grad_int_method": (lambda L: L.tensor([1, 2]).requires_grad_(), RuntimeError,
                                 "only Tensors of floating point .*can require gradients"),
    "int_inplace_float": (lambda L: L.tensor([1, 2]).mul_(1.5), RuntimeError,
                          "result type Float can't be cast to the desired output type Long"),
    "dim_out_of_range": (lambda L: L.ones(2, 3).sum(2), IndexError,
                         (r"Dimension out of range \(expected to be in range of \[-2, 1\], but "
                          r"got 2\)")),
    "permute_duplicate": (lambda L: L.ones(2, 3).permute(0, 0), RuntimeError, "duplicate dims"),
    "cat_sizes": (lambda L: L.cat([L.ones(2, 3), L.ones(2, 4)]), RuntimeError,
                  ("Sizes of tensors must match except in dimension 0. Expected size 3 but got "
                   "size 4 for tensor number 1")),
    "stack_sizes": (lambda L: L.stack([L.ones(2, 3), L.ones(3, 2)]), RuntimeError,
                    r"stack expects each tensor to be equal size.*\[2, 3\].*\[3, 2\]"),
    "split_sizes": (lambda L: L.ones(5).split([2, 2]), RuntimeError,
                    "split_sizes to sum exactly to 5"),
    "gather_float_index": (lambda L: L.ones(2, 3).gather(1, L.ones(2, 2)), RuntimeError,
                           "gather.*Expected dtype int.*64 for index"),
    "mean_of_int": (lambda L: L.tensor([1, 2]).mean(), RuntimeError,
                    "mean.*floating point.*Got: Long"),
    "where_condition_dtype": (lambda L: L.where(L.ones(2), L.ones(2), L.ones(2)), RuntimeError,
                              "where expected condition to be a boolean tensor"),
    "randint_bounds": (lambda L: L.randint(5, 2, (3,)), RuntimeError,
                       "from=5 >= to=2"),
    "tensor_from_string": (lambda L: L.tensor("abc"), TypeError, "invalid data type 'str'"),
    "clamp_without_bounds": (lambda L: L.clamp(L.ones(2)), RuntimeError,
                             "At least one of 'min' or 'max' must not be None"),
}


def check_error(fn, exc, pattern) -> None:
    """``fn(torch)`` raises ``exc``; ``fn(minitorch)`` raises it with ``pattern`` in the message."""
    with pytest.raises(exc):  # PyTorch raises the same exception type
        fn(torch)
    with pytest.raises(exc, match=pattern):
        fn(minitorch)


@pytest.mark.parametrize("name", list(CASES))
def test_error(name):
    check_error(*CASES[name])


def test_backward_twice_works_with_retain_graph():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad is not None


def test_grad_of_input_not_requiring_grad():
    x = minitorch.tensor([1.0], requires_grad=True)
    c = minitorch.tensor([1.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        minitorch.autograd.grad((x * c).sum(), [c])


def test_out_with_autograd_raises():
    x = minitorch.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="out=.*don't support automatic differentiation"):
        minitorch.add(x, x, out=minitorch.empty(1))
