"""PyTorch idioms from older tutorials: typed tensor classes, ``Variable``, ``.type()``,
Python types as dtypes; and the random functions' documented overloads. Each against
torch."""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import minitorch
from minitorch.autograd import Variable

REPO_ROOT = Path(__file__).resolve().parents[1]
TYPED = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
         "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]


def same_dtype(a, b) -> bool:
    return str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]


@pytest.mark.parametrize("name", TYPED)
@pytest.mark.parametrize("args", [(2, 3), ((2, 3),), ([[1, 0, 2], [3, 1, 0]],), ([],), ()])
def test_typed_constructors_match_torch(name, args):
    if name == "BoolTensor" and args and isinstance(args[0], list) and args[0]:
        args = ([[True, False, True], [False, True, True]],)
    t = getattr(torch, name)(*args)
    m = getattr(minitorch, name)(*args)
    assert same_dtype(m, t) and tuple(m.shape) == tuple(t.shape)
    if args and isinstance(args[0], list):
        np.testing.assert_array_equal(m.numpy(), t.numpy())


@pytest.mark.parametrize("name", TYPED)
def test_typed_classes_as_isinstance_targets_and_type_arguments(name):
    base_t, base_m = torch.ones(2, 2), minitorch.ones(2, 2)
    conv_t = base_t.type(getattr(torch, name))
    conv_m = base_m.type(getattr(minitorch, name))
    assert same_dtype(conv_m, conv_t)
    assert conv_m.type() == conv_t.type().replace("torch.", "minitorch.")
    for other in TYPED:
        assert isinstance(conv_m, getattr(minitorch, other)) == isinstance(
            conv_t, getattr(torch, other))
    by_string = base_m.type(f"torch.{name}")
    assert same_dtype(by_string, base_t.type(f"torch.{name}"))
    assert base_m.type(f"minitorch.{name}").dtype is by_string.dtype


def test_type_returns_self_when_unchanged_and_rejects_bad_types():
    x = minitorch.ones(2)
    assert x.type(minitorch.FloatTensor) is x
    assert x.type(minitorch.float64).dtype is minitorch.float64
    for bad in (float, "torch.Tensorish", "numpy.float32"):
        with pytest.raises(ValueError, match="invalid type"):
            torch.ones(2).type(bad)
        with pytest.raises(ValueError, match="invalid type"):
            x.type(bad)


def test_typed_constructor_does_not_convert_tensors():
    with pytest.raises(TypeError):
        torch.FloatTensor(torch.ones(2, dtype=torch.int64))
    with pytest.raises(TypeError, match="float32"):
        minitorch.FloatTensor(minitorch.ones(2, dtype=minitorch.int64))
    x = minitorch.ones(2)
    assert minitorch.FloatTensor(x) is x
    with pytest.raises(TypeError, match="data must be a sequence"):
        minitorch.FloatTensor(2.5)


def test_variable_returns_a_leaf_tensor_sharing_memory():
    for lib in (torch, minitorch):
        data = lib.ones(3)
        v = lib.autograd.Variable(data, requires_grad=True)
        assert isinstance(v, lib.Tensor) and isinstance(data, lib.autograd.Variable)
        assert v is not data and v.requires_grad and v.is_leaf and not data.requires_grad
        v.data[0] = 5.0
        assert data[0].item() == 5.0
        (v * 2).sum().backward()
        assert v.grad.tolist() == [2.0, 2.0, 2.0]
    assert Variable(minitorch.ones(1)).requires_grad is False


def test_variable_volatile_warns_like_torch():
    for lib in (torch, minitorch):
        with pytest.warns(UserWarning, match="volatile was removed and now has no effect"):
            lib.autograd.Variable(lib.ones(1), volatile=True)


DTYPE_MAKERS = [
    lambda lib, d: lib.tensor([1, 0, 2], dtype=d),
    lambda lib, d: lib.zeros(2, dtype=d),
    lambda lib, d: lib.ones(2, 2, dtype=d),
    lambda lib, d: lib.full((2,), 1, dtype=d),
    lambda lib, d: lib.ones(2).to(d),
    lambda lib, d: lib.ones(2).to(dtype=d),
    lambda lib, d: lib.ones(2).new_ones(3, dtype=d),
    lambda lib, d: lib.zeros_like(lib.ones(2), dtype=d),
    lambda lib, d: lib.as_tensor([1, 2], dtype=d),
]


@pytest.mark.parametrize(("py", "expected"), [(float, "float64"), (int, "int64"),
                                              (bool, "bool")])
@pytest.mark.parametrize("make", DTYPE_MAKERS + [
    lambda lib, d: lib.arange(3, dtype=d) if d is not bool else lib.ones(1, dtype=d)])
def test_python_types_as_dtypes_like_torch(make, py, expected):
    t, m = make(torch, py), make(minitorch, py)
    assert str(t.dtype) == f"torch.{expected}"
    assert m.dtype.name == expected


def test_python_float_dtype_in_float_functions():
    for lib in (torch, minitorch):
        assert str(lib.rand(2, dtype=float).dtype).endswith("float64")
        assert str(lib.ones(2).sum(dtype=float).dtype).endswith("float64")
        assert str(lib.softmax(lib.ones(2), 0, dtype=float).dtype).endswith("float64")


@pytest.mark.parametrize("make", [
    lambda lib: lib.tensor([1.0], dtype="float32"),
    lambda lib: lib.zeros(2, dtype="float64"),
    lambda lib: lib.ones(2, dtype="torch.float32"),
])
def test_string_dtype_raises_torchs_type_error(make):
    with pytest.raises(TypeError, match="must be torch.dtype, not str"):
        make(torch)
    with pytest.raises(TypeError, match="must be minitorch.dtype, not str"):
        make(minitorch)


# ------------------------------------------------------------------ random overloads
SHAPE_CALLS = [
    lambda lib: lib.rand(2, 3),
    lambda lib: lib.rand((2, 3)),
    lambda lib: lib.rand(size=(2, 3)),
    lambda lib: lib.rand([2, 3], dtype=lib.float64),
    lambda lib: lib.randn(size=(64, 1, 28, 28)),
    lambda lib: lib.randn(4, generator=lib.Generator().manual_seed(1)),
    lambda lib: lib.zeros(size=(2,)),
    lambda lib: lib.ones(size=[3, 1]),
    lambda lib: lib.empty(size=(0,)),
    lambda lib: lib.randint(10, (3,)),
    lambda lib: lib.randint(3, 10, (2, 2)),
    lambda lib: lib.randint(low=2, high=5, size=(4,)),
    lambda lib: lib.randint(high=5, size=(3,)),
    lambda lib: lib.randint(5, size=(2,)),
    lambda lib: lib.randint(2, 5, (2,), dtype=lib.float32),
    lambda lib: lib.randint(0, 2, (2,), generator=lib.Generator().manual_seed(0)),
    lambda lib: lib.randperm(5),
    lambda lib: lib.randperm(5, dtype=lib.float32),
    lambda lib: lib.normal(lib.zeros(3, dtype=lib.float64)),
    lambda lib: lib.normal(mean=lib.zeros(3)),
    lambda lib: lib.normal(lib.zeros(3), 2.0),
    lambda lib: lib.normal(0.5, lib.ones(2, 2)),
    lambda lib: lib.normal(lib.zeros(2, 3), lib.ones(3)),
    lambda lib: lib.normal(lib.zeros(2), lib.ones(2, dtype=lib.float64)),
    lambda lib: lib.normal(0.0, 1.0, (2, 4)),
    lambda lib: lib.normal(0.0, 1.0, size=(3,), dtype=lib.float64),
    lambda lib: lib.normal(2.0, 3.0, (2,), generator=lib.Generator().manual_seed(3)),
    lambda lib: lib.rand_like(lib.ones(2, dtype=lib.float64), generator=lib.Generator()),
    lambda lib: lib.randn_like(lib.ones(3)),
    lambda lib: lib.randint_like(lib.ones(3), 10),
    lambda lib: lib.randint_like(lib.ones(3), 5, 10),
]


@pytest.mark.parametrize("call", SHAPE_CALLS)
def test_random_overloads_give_torchs_shape_and_dtype(call):
    t, m = call(torch), call(minitorch)
    assert tuple(m.shape) == tuple(t.shape) and same_dtype(m, t)


def test_random_values_are_in_range_and_distributed():
    g = minitorch.Generator().manual_seed(0)
    x = minitorch.randint(3, 7, (2000,), generator=g)
    assert x.min().item() == 3 and x.max().item() == 6
    y = minitorch.normal(2.0, 3.0, (20000,), generator=g)
    assert abs(y.mean().item() - 2.0) < 0.1 and abs(y.std().item() - 3.0) < 0.1
    z = minitorch.normal(minitorch.tensor([0.0, 100.0]).expand(5000, 2), 0.5, generator=g)
    assert np.allclose(z.mean(0).numpy(), [0.0, 100.0], atol=0.05)


def test_out_argument_of_random_functions():
    for lib in (torch, minitorch):
        out = lib.empty(5)
        r = lib.rand(2, 3, out=out)
        assert r is out and tuple(out.shape) == (2, 3)
        out2 = lib.empty(2, dtype=lib.int64)
        assert lib.randint(4, (2,), out=out2) is out2


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda lib: lib.normal(0.0, 1.0), TypeError, "normal"),
    (lambda lib: lib.normal(lib.zeros(2), -1.0), RuntimeError, "normal expects std >= 0.0"),
    (lambda lib: lib.normal(lib.tensor([1, 2])), NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Long'"),
    (lambda lib: lib.randn(2, dtype=lib.int64), NotImplementedError,
     "not implemented for 'Long'"),
    (lambda lib: lib.rand((2, 3), size=(2,)), TypeError, "size"),
    (lambda lib: lib.randint(3, 5), TypeError, "argument 'size'"),
    (lambda lib: lib.randint(3.5, (2,)), TypeError, "argument 'high'"),
    (lambda lib: lib.randint(5, 2, (2,)), RuntimeError, "random_ expects 'from' to be less"),
])
def test_random_errors_match_torch(call, exc, match):
    with pytest.raises(exc, match=match):
        call(torch)
    with pytest.raises(exc, match=match):
        call(minitorch)


def test_default_generator_is_seeded_from_the_os_like_torch():
    code = ("import {0}; print({0}.initial_seed(), {0}.rand(1).item(), "
            "{0}.Generator().initial_seed())")
    for lib in ("torch", "minitorch"):
        runs = [subprocess.run([sys.executable, "-c", code.format(lib)], capture_output=True,
                               text=True, check=True, cwd=".").stdout.split()
                for _ in range(2)]
        assert runs[0][0] != runs[1][0] and runs[0][1] != runs[1][1], lib
        assert runs[0][2] == runs[1][2] == "67280421310721", lib
    minitorch.manual_seed(7)
    assert minitorch.initial_seed() == 7
    a = minitorch.rand(3)
    minitorch.manual_seed(7)
    assert minitorch.rand(3).tolist() == a.tolist()


# ------------------------------------------------------------------ contiguity
@pytest.mark.parametrize("index", [
    lambda x, i: x[:, i],
    lambda x, i: x[..., i],
    lambda x, i: x[i],
    lambda x, i: x[:, i, 1:3],
    lambda x, i: x[x > 3],
    lambda x, i: x.index_select(2, i),
    lambda x, i: x.index_select(1, i),
    lambda x, i: x[:, 1:],  # basic indexing: a view (not contiguous in either library)
])
def test_advanced_indexing_results_are_contiguous_like_torch(index):
    data = np.arange(24.0).reshape(2, 3, 4)
    t, m = torch.tensor(data), minitorch.tensor(data)
    rt, rm = index(t, torch.tensor([1, 0])), index(m, minitorch.tensor([1, 0]))
    assert rm.is_contiguous() == rt.is_contiguous()
    assert rm.stride() == rt.stride()
    if rt.is_contiguous():
        np.testing.assert_array_equal(rm.view(-1).numpy(), rt.view(-1).numpy())


def test_advanced_indexing_gradient_still_flows():
    x = minitorch.arange(24.0).reshape(2, 3, 4).requires_grad_()
    g = np.random.default_rng(0).standard_normal((2, 2, 4))
    x[:, minitorch.tensor([2, 0])].view(-1).mul(minitorch.tensor(g.ravel())).sum().backward()
    xt = torch.arange(24.0, dtype=torch.float64).reshape(2, 3, 4).requires_grad_()
    xt[:, torch.tensor([2, 0])].reshape(-1).mul(torch.tensor(g.ravel())).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy())


def test_no_warnings_from_legacy_constructors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        minitorch.LongTensor([1, 2]).type(minitorch.FloatTensor)


def test_cuda_typed_classes():
    x = minitorch.ones(2)
    assert not isinstance(x, minitorch.cuda.FloatTensor) and isinstance(x, minitorch.FloatTensor)
    assert repr(minitorch.cuda.LongTensor) == "<class 'minitorch.cuda.LongTensor'>"
    if not minitorch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            minitorch.cuda.FloatTensor(2)
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            x.type("torch.cuda.FloatTensor")
        return
    g = minitorch.cuda.FloatTensor([1.0, 2.0])
    assert g.is_cuda and isinstance(g, minitorch.cuda.FloatTensor)
    assert g.type() == "minitorch.cuda.FloatTensor"
    assert x.type(minitorch.cuda.DoubleTensor).type() == "minitorch.cuda.DoubleTensor"
    assert g.type(minitorch.LongTensor).type() == "minitorch.LongTensor"


@pytest.mark.parametrize("call", [
    lambda x: x.new_zeros(size=(2, 3)),
    lambda x: x.new_ones(size=[4]),
    lambda x: x.new_empty(size=(1, 2)),
    lambda x: x.view(size=(3, 2)),
    lambda x: x.reshape(shape=(6,)),
    lambda x: x.expand(size=(2, 2, 3)),
    lambda x: x.repeat(repeats=(2, 1)),
    lambda x: x.permute(dims=(1, 0)),
])
def test_size_keyword_forms_of_tensor_methods(call):
    data = np.arange(6.0).reshape(2, 3)
    t, m = call(torch.tensor(data)), call(minitorch.tensor(data))
    assert tuple(m.shape) == tuple(t.shape) and same_dtype(m, t)
    if "new_" not in str(call.__code__.co_names):
        np.testing.assert_array_equal(m.numpy(), t.numpy())


def test_set_default_dtype_takes_only_dtypes_like_torch():
    for lib in (torch, minitorch):
        with pytest.raises(TypeError, match="only floating-point types are supported"):
            lib.set_default_dtype(float)
