"""The two Function bases: ArrayFunction (built-in ops, raw arrays) and Function (users')."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch
from minitorch.autograd.function import ArrayFunction, Function, MovementFunction
from minitorch.ops import elementwise, indexing, linalg, pool, reduction, shape


def test_array_function_forward_gets_arrays_and_names_its_node_like_pytorch():
    seen = []

    class Twice(ArrayFunction):
        @staticmethod
        def forward(ctx, x):
            seen.append(type(x))
            return 2 * x

        @staticmethod
        def backward(ctx, grad):
            return 2 * grad

    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = Twice.apply(x)
    y.sum().backward()
    assert seen == [np.ndarray]
    assert type(y.grad_fn).__name__ == "TwiceBackward0"
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_user_function_forward_gets_tensors():
    seen = []

    class Twice(Function):
        @staticmethod
        def forward(ctx, x):
            seen.append((type(x), x.requires_grad, minitorch.is_grad_enabled()))
            return 2 * x

        @staticmethod
        def backward(ctx, grad):
            return 2 * grad

    y = Twice.apply(minitorch.tensor([1.0], requires_grad=True))
    assert seen == [(minitorch.Tensor, False, False)]
    assert type(y.grad_fn).__name__ == "TwiceBackward"


def test_the_old_builtin_flag_is_refused_with_a_pointer_to_array_function():
    with pytest.raises(TypeError, match="ArrayFunction"):
        type("Old", (Function,), {"_builtin": True})


@pytest.mark.parametrize("fn", [elementwise.Add, reduction.Sum, linalg.Mm, pool.AvgPool2D])
def test_built_in_ops_are_array_functions(fn):
    assert issubclass(fn, ArrayFunction) and fn._quiet


@pytest.mark.parametrize("fn", [shape.View, shape.Cat, indexing.Index, indexing.Gather])
def test_shape_and_indexing_ops_skip_the_errstate_guard(fn):
    assert issubclass(fn, MovementFunction) and not fn._quiet
