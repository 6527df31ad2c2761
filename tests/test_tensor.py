"""The Tensor class against PyTorch: creation, dtypes and promotion, attributes,
conversions, printing, hashing, in-place ops and the version counter, indexing/setitem."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch


def mt_dtype(td: torch.dtype) -> minitorch.dtype:
    return getattr(minitorch, str(td).split(".")[-1])


def same(mt, tt, tol=1e-12) -> None:
    """Same shape, dtype and values."""
    assert tuple(mt.shape) == tuple(tt.shape)
    assert str(mt.dtype).split(".")[-1] == str(tt.dtype).split(".")[-1]
    np.testing.assert_allclose(np.asarray(mt.detach().numpy(), dtype=np.float64),
                               tt.detach().double().numpy(), rtol=tol, atol=tol)


# ------------------------------------------------------------------------------ creation
@pytest.mark.parametrize("data", [
    [1.5, 2.0], [1, 2, 3], [True, False], 3.5, 7, True, [[1, 2], [3, 4]], [[1, 2.5]], [],
    [[1.0], [2.0]], [True, 2], [False, 1.5],
])
def test_tensor_dtype_inference(data):
    same(minitorch.tensor(data), torch.tensor(data))


@pytest.mark.parametrize("arr", [
    np.arange(6, dtype=np.float64).reshape(2, 3), np.arange(3, dtype=np.int32),
    np.array([True, False]), np.float32(2.5) * np.ones((2, 2), np.float32), np.uint8([1, 2]),
])
def test_tensor_from_numpy_keeps_dtype_and_copies(arr):
    t = minitorch.tensor(arr)
    same(t, torch.tensor(arr))
    before = arr.copy()
    arr.reshape(-1)[0] = 9
    np.testing.assert_array_equal(t.numpy(), before)


def test_from_numpy_and_as_tensor_share_memory():
    a = np.zeros(3)
    t = minitorch.from_numpy(a)
    a[1] = 5.0
    assert t[1].item() == 5.0
    t[2] = 7.0
    assert a[2] == 7.0
    u = minitorch.as_tensor(a)
    a[0] = -1.0
    assert u[0].item() == -1.0
    assert minitorch.as_tensor(t) is t
    c = minitorch.as_tensor(a, dtype=minitorch.float32)
    a[0] = 3.0
    assert c[0].item() == -1.0 and c.dtype is minitorch.float32


def test_from_numpy_rejects_other_objects():
    with pytest.raises(TypeError, match="ndarray"):
        minitorch.from_numpy([1, 2])


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
def test_filled_creation(name):
    for args, kw in [((2, 3), {}), (((2, 3),), {}), (([4],), {}), ((2,), {"dtype": "float64"}),
                     ((3,), {"dtype": "int64"}), ((0, 2), {}), (((),), {})]:
        kw_m = {k: getattr(minitorch, v) for k, v in kw.items()}
        kw_t = {k: getattr(torch, v) for k, v in kw.items()}
        m = getattr(minitorch, name)(*args, **kw_m)
        t = getattr(torch, name)(*args, **kw_t)
        assert tuple(m.shape) == tuple(t.shape) and str(m.dtype)[10:] == str(t.dtype)[6:]
        if name != "empty":
            same(m, t)


def test_full_and_requires_grad():
    same(minitorch.full((2, 3), 1.5), torch.full((2, 3), 1.5))
    same(minitorch.full((2,), 4), torch.full((2,), 4))
    same(minitorch.full((2,), True), torch.full((2,), True))
    same(minitorch.full((2,), 2, dtype=minitorch.float64), torch.full((2,), 2, dtype=torch.float64))
    z = minitorch.zeros(2, requires_grad=True)
    assert z.requires_grad and z.is_leaf


@pytest.mark.parametrize("args,kw", [
    ((5,), {}), ((1, 7, 2), {}), ((0.0, 1.0, 0.25), {}), ((2, -3, -1), {}), ((0, 1, 0.1), {}),
    ((3,), {"dtype": "float64"}), ((1.5, 4), {}), ((0,), {}),
])
def test_arange(args, kw):
    m = minitorch.arange(*args, **{k: getattr(minitorch, v) for k, v in kw.items()})
    t = torch.arange(*args, **{k: getattr(torch, v) for k, v in kw.items()})
    same(m, t, 1e-6)


def test_linspace_and_eye():
    same(minitorch.linspace(0, 1, 5), torch.linspace(0, 1, 5), 1e-7)
    same(minitorch.linspace(-2, 3, 1), torch.linspace(-2, 3, 1))
    same(minitorch.linspace(0, 1, 4, dtype=minitorch.float64),
         torch.linspace(0, 1, 4, dtype=torch.float64))
    same(minitorch.eye(3), torch.eye(3))
    same(minitorch.eye(2, 4), torch.eye(2, 4))
    same(minitorch.eye(3, dtype=minitorch.int64), torch.eye(3, dtype=torch.int64))


def test_random_creation_shapes_dtypes_ranges():
    r = minitorch.rand(2000)
    assert r.dtype is minitorch.float32 and r.shape == (2000,)
    assert 0 <= r.min().item() and r.max().item() < 1 and abs(r.mean().item() - 0.5) < 0.05
    n = minitorch.randn(3000, dtype=minitorch.float64)
    assert n.dtype is minitorch.float64
    assert abs(n.mean().item()) < 0.1 and abs(n.std().item() - 1) < 0.1
    i = minitorch.randint(3, 7, (500,))
    assert i.dtype is minitorch.int64 and i.min().item() == 3 and i.max().item() == 6
    i2 = minitorch.randint(5, (2, 3))
    assert i2.shape == (2, 3) and 0 <= i2.min().item() and i2.max().item() < 5
    p = minitorch.randperm(10)
    assert p.dtype is minitorch.int64 and sorted(p.tolist()) == list(range(10))
    assert minitorch.rand(2, 3, requires_grad=True).requires_grad


def test_like_and_new_functions():
    x = minitorch.ones(2, 3, dtype=minitorch.float64)
    for fn in ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"):
        y = getattr(minitorch, fn)(x)
        assert y.shape == x.shape and y.dtype is minitorch.float64, fn
    assert minitorch.zeros_like(x, dtype=minitorch.int64).dtype is minitorch.int64
    assert minitorch.full_like(x, 7).tolist() == [[7.0] * 3] * 2
    assert minitorch.ones_like(x).sum().item() == 6
    assert minitorch.randint_like(x, 3).max().item() < 3
    assert x.new_zeros(4).dtype is minitorch.float64 and x.new_zeros(4).shape == (4,)
    assert x.new_ones((2, 2)).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert x.new_full((2,), 3.5).tolist() == [3.5, 3.5]
    assert x.new_tensor([1, 2]).dtype is minitorch.float64
    assert x.new_empty(3, dtype=minitorch.int32).dtype is minitorch.int32


def test_manual_seed_reproducible_and_generators():
    """Same seed, same stream (minitorch's stream differs from torch's: NumPy's PCG64)."""
    minitorch.manual_seed(123)
    a = (minitorch.rand(5), minitorch.randn(3), minitorch.randint(0, 10, (4,)),
         minitorch.randperm(6))
    minitorch.manual_seed(123)
    b = (minitorch.rand(5), minitorch.randn(3), minitorch.randint(0, 10, (4,)),
         minitorch.randperm(6))
    for x, y in zip(a, b):
        assert x.tolist() == y.tolist()
    g1, g2 = minitorch.Generator().manual_seed(7), minitorch.Generator().manual_seed(7)
    assert minitorch.rand(4, generator=g1).tolist() == minitorch.rand(4, generator=g2).tolist()
    minitorch.manual_seed(1)
    c = minitorch.rand(3)
    assert c.tolist() != minitorch.rand(3).tolist()
    state = minitorch.get_rng_state()
    d = minitorch.rand(3)
    minitorch.set_rng_state(state)
    assert minitorch.rand(3).tolist() == d.tolist()


# --------------------------------------------------------------------- dtypes, promotion
def _pair(lib, spec):
    kind, value = spec
    if kind == "scalar":
        return value
    dt = getattr(lib, kind)
    return lib.tensor(value, dtype=dt)


PROMOTION_CASES = [
    (("int64", [1, 2]), ("float32", [1.5, 2.5])),
    (("float32", [1.0]), ("float64", [2.0])),
    (("int64", [1, 2]), ("scalar", 1.5)),
    (("float32", [1.0, 2.0]), ("float64", 3.0)),  # 0-d float64 tensor
    (("bool", [True, False]), ("int64", [1, 2])),
    (("bool", [True]), ("scalar", 2)),
    (("bool", [True]), ("scalar", 2.5)),
    (("int32", [1, 2]), ("int64", [3, 4])),
    (("int32", [1, 2]), ("scalar", 7)),
    (("int32", [1]), ("int64", 5)),  # 0-d int64 with int32 tensor
    (("float64", [1.0]), ("scalar", 2)),
    (("int64", 3), ("float32", 2.0)),  # two 0-d tensors
    (("uint8", [1]), ("int8", [2])),
    (("int64", [1]), ("float32", 2.0)),  # 0-d float beats int tensor
    (("float32", [1.0]), ("scalar", True)),
]


@pytest.mark.parametrize("a,b", PROMOTION_CASES)
@pytest.mark.parametrize("op", ["add", "mul", "sub"])
def test_type_promotion_matches_torch(a, b, op):
    if op == "sub" and ("bool" in (a[0], b[0]) or True in (a[1], b[1])):
        pytest.skip("torch forbids subtracting bools")
    for x, y in [(a, b), (b, a)]:
        if x[0] == "scalar":
            continue
        tt = getattr(torch, op)(_pair(torch, x), _pair(torch, y))
        mt = getattr(minitorch, op)(_pair(minitorch, x), _pair(minitorch, y))
        same(mt, tt, 1e-6)


def test_division_promotes_integers_to_float():
    same(minitorch.tensor([1, 2]) / minitorch.tensor([2, 4]), torch.tensor([1, 2]) / torch.tensor(
        [2, 4]))
    same(minitorch.tensor([3, 4]) / 2, torch.tensor([3, 4]) / 2)
    same(minitorch.tensor([7, -7]) // 2, torch.tensor([7, -7]) // 2)
    same(minitorch.tensor([7, -7]) % 3, torch.tensor([7, -7]) % 3)


def test_inplace_keeps_destination_dtype():
    x = minitorch.tensor([1.0, 2.0])
    x.add_(minitorch.tensor([1.0, 1.0], dtype=minitorch.float64))
    assert x.dtype is minitorch.float32
    y = minitorch.tensor([1.0, 2.0], dtype=minitorch.float64)
    y += 1
    assert y.dtype is minitorch.float64
    z = minitorch.tensor([1, 2])
    z += minitorch.tensor([True, False])
    assert z.dtype is minitorch.int64 and z.tolist() == [2, 2]


def test_int_tensor_inplace_float_raises():
    x = minitorch.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired "
                                           "output type Long"):
        x.add_(1.5)
    with pytest.raises(RuntimeError, match="Float.*Long"):
        x *= minitorch.tensor([0.5, 0.5])


def test_default_dtype():
    assert minitorch.get_default_dtype() is minitorch.float32
    minitorch.set_default_dtype(minitorch.float64)
    try:
        assert minitorch.tensor([1.5]).dtype is minitorch.float64
        assert minitorch.zeros(2).dtype is minitorch.float64
        assert (minitorch.tensor([1]) * 1.5).dtype is minitorch.float64
    finally:
        minitorch.set_default_dtype(minitorch.float32)
    with pytest.raises(TypeError, match="floating"):
        minitorch.set_default_dtype(minitorch.int64)


def test_dtype_objects():
    assert repr(minitorch.float32) == "minitorch.float32"
    assert minitorch.float is minitorch.float32 and minitorch.double is minitorch.float64
    assert minitorch.long is minitorch.int64 and minitorch.int is minitorch.int32
    assert minitorch.float32.is_floating_point and not minitorch.int64.is_floating_point
    assert minitorch.float64.itemsize == 8


# ---------------------------------------------------------------------------- attributes
def test_attributes():
    x = minitorch.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) and isinstance(x.shape, tuple)
    assert repr(x.shape) == "minitorch.Size([2, 3, 4])"
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4
    assert x.dim() == 3 and x.ndim == 3 and x.numel() == 24 and x.nelement() == 24
    assert x.dtype is minitorch.float32 and str(x.device) == "cpu"
    assert x.device == minitorch.device("cpu")
    assert minitorch.zeros(2, 3).T.shape == (3, 2)
    assert x.is_leaf and x.grad is None and x.grad_fn is None and not x.requires_grad
    assert x.is_floating_point() and x.is_contiguous()
    assert x.transpose(0, 2).is_contiguous() is False
    assert x.element_size() == 4 and x.stride() == (12, 4, 1)
    assert minitorch.is_tensor(x) and not minitorch.is_tensor(3)


def test_autograd_attributes():
    w = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = w * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn.name() == "MulBackward0"
    assert w.is_leaf and w.grad_fn is None
    y.sum().backward()
    assert w.grad.tolist() == [2.0, 2.0]
    d = w.data
    assert not d.requires_grad and d.is_leaf
    d[0] = 5.0
    assert w[0].item() == 5.0  # .data shares memory
    det = y.detach()
    assert not det.requires_grad and det.grad_fn is None
    w.requires_grad_(False)
    assert not w.requires_grad


def test_data_setter():
    w = minitorch.tensor([1.0, 2.0], requires_grad=True)
    w.data = minitorch.tensor([3.0, 4.0])
    assert w.tolist() == [3.0, 4.0] and w.requires_grad


# ---------------------------------------------------------------------------- conversions
def test_item_tolist_numpy():
    assert minitorch.tensor(2.5).item() == 2.5 and isinstance(minitorch.tensor(3).item(), int)
    assert minitorch.tensor([[7]]).item() == 7
    assert minitorch.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert minitorch.tensor(1.5).tolist() == 1.5
    x = minitorch.tensor([1.0, 2.0])
    a = x.numpy()
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    a[0] = 9
    assert x[0].item() == 9  # shares memory like torch
    assert minitorch.tensor([1.0], requires_grad=True).detach().numpy().tolist() == [1.0]
    assert np.asarray(minitorch.tensor([1, 2])).tolist() == [1, 2]


@pytest.mark.parametrize("method,dtype", [
    ("float", "float32"), ("double", "float64"), ("long", "int64"), ("int", "int32"),
    ("bool", "bool"),
])
def test_conversion_methods(method, dtype):
    data = [-1.7, 0.0, 2.5]
    m = getattr(minitorch.tensor(data), method)()
    t = getattr(torch.tensor(data), method)()
    assert m.dtype is getattr(minitorch, dtype)
    same(m, t)


def test_to_and_type_as():
    x = minitorch.tensor([1.5, -2.5])
    same(x.to(minitorch.int64), torch.tensor([1.5, -2.5]).to(torch.int64))
    assert x.to(minitorch.float32) is x
    assert x.to("cpu") is x
    assert x.to(dtype=minitorch.float64).dtype is minitorch.float64
    assert x.type_as(minitorch.tensor([1])).dtype is minitorch.int64
    assert x.to(minitorch.tensor([1.0], dtype=minitorch.float64)).dtype is minitorch.float64
    assert x.type() == "minitorch.FloatTensor"
    # differentiable dtype conversion
    w = minitorch.tensor([1.0, 2.0], requires_grad=True)
    (w.double() * 3).sum().backward()
    assert w.grad.dtype is minitorch.float32 and w.grad.tolist() == [3.0, 3.0]


def test_python_number_conversions():
    assert int(minitorch.tensor([3.7])) == 3
    assert float(minitorch.tensor(2)) == 2.0
    assert bool(minitorch.tensor([0.0])) is False
    assert [10, 20, 30][minitorch.tensor(1)] == 20
    assert range(10)[minitorch.tensor([2])] == 2


@pytest.mark.parametrize("conv", [int, float, bool, lambda t: [0, 1][t]])
def test_python_conversions_of_many_elements_raise(conv):
    t = minitorch.tensor([1, 2])
    tt = torch.tensor([1, 2])
    with pytest.raises(Exception) as want:
        conv(tt)
    with pytest.raises(want.type, match="(ambiguous|can(not)? be converted|only integer tensors)"):
        conv(t)


def test_index_of_float_tensor_raises():
    with pytest.raises(TypeError, match="only integer tensors"):
        [0, 1][minitorch.tensor(1.0)]


def test_len_and_iteration():
    x = minitorch.arange(6).reshape(3, 2)
    assert len(x) == 3
    rows = list(x)
    assert len(rows) == 3 and rows[1].tolist() == [2, 3]
    with pytest.raises(TypeError, match="0-d"):
        len(minitorch.tensor(1.0))
    with pytest.raises(TypeError, match="0-d"):
        iter(minitorch.tensor(1.0))
    w = minitorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    sum(r.sum() * (i + 1) for i, r in enumerate(w)).backward()
    assert w.grad.tolist() == [[1.0, 1.0], [2.0, 2.0]]


def test_hash_by_identity():
    a, b = minitorch.tensor([1.0]), minitorch.tensor([1.0])
    d = {a: "a", b: "b"}
    assert d[a] == "a" and d[b] == "b"
    assert len({a, b, a}) == 2
    assert hash(a) != hash(b)


# ------------------------------------------------------------------------------ printing
REPR_CASES = [
    "[1.5, -2.25, 3.0]", "[1, 2, 3]", "[True, False]", "[1.0, 2.0, -3.0]", "[1e-5, 1.0]",
    "[1e10, 1.0]", "[[1.5, 2.0], [3.25, -4.0]]", "[[[1., 2.], [3., 4.]], [[5., 6.], [7., 8.]]]",
    "[]", "3.5", "7", "True", "-2.0", "[123456.789, 0.001]", "[float('inf'), 1.5, float('nan')]",
    "[[]]", "[-0.0, 1.5]", "[1e-9, 0.0]", "[-1e20, 3.0]", "[0.1, 0.25]", "[[-1, 20], [300, 4]]",
]


def _norm(text: str, torch_repr: bool = False) -> str:
    """Rename torch -> minitorch; the longer dtype name may move the ``dtype=`` suffix to its
    own line at a different place (a documented difference), so join it back."""
    if torch_repr:
        text = text.replace("torch.", "minitorch.")
    return text.replace(",\n" + " " * 7 + "dtype=", ", dtype=")


@pytest.mark.parametrize("data", REPR_CASES)
@pytest.mark.parametrize("kw", ["", "dtype=LIB.float64", "dtype=LIB.int32",
                                "requires_grad=True"])
def test_repr_matches_torch(data, kw):
    try:
        t = eval(f"torch.tensor({data}, {kw.replace('LIB', 'torch')})")
    except (TypeError, RuntimeError):
        pytest.skip("torch rejects this combination")
    m = eval(f"minitorch.tensor({data}, {kw.replace('LIB', 'minitorch')})")
    assert _norm(repr(m)) == _norm(repr(t), True)


@pytest.mark.parametrize("make", [
    lambda: np.random.default_rng(0).standard_normal((3, 40)),
    lambda: np.random.default_rng(0).standard_normal((3, 40)).astype(np.float32) * 1000,
    lambda: np.arange(2000.0).reshape(40, 50),
    lambda: np.arange(30),
    lambda: np.random.default_rng(1).standard_normal((2, 3, 4)).astype(np.float32),
    lambda: np.zeros((0, 3), np.float32),
    lambda: np.zeros((2, 0, 1), np.int64),
    lambda: np.arange(1200).reshape(2, 600),
    lambda: np.arange(1001.0, dtype=np.float32),
    lambda: np.ones((3, 3, 400), np.float32),
    lambda: np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7,
    lambda: np.array([1e-3, 5e2], np.float32),
])
def test_repr_arrays_match_torch(make):
    arr = make()
    assert _norm(repr(minitorch.tensor(arr))) == _norm(repr(torch.tensor(arr)), True)


def test_repr_grad_fn_and_printoptions():
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    m = minitorch.tensor([1.0, 2.0], requires_grad=True)
    for f in (lambda x: x + 1, lambda x: x * 2, lambda x: x.sum(), lambda x: x.exp(),
              lambda x: x @ x):
        assert _norm(repr(f(m))) == _norm(repr(f(t)), True)
    assert str(m) == repr(m)


# -------------------------------------------------------------- in-place ops and versions
def test_inplace_ops_match_torch():
    base = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    other = np.random.default_rng(1).standard_normal((4,)).astype(np.float32)
    for name, args in [("add_", (other,)), ("sub_", (other,)), ("mul_", (other,)),
                       ("div_", (other,)), ("clamp_", (-0.5, 0.5)), ("zero_", ()),
                       ("fill_", (2.5,)), ("add_", (1.5,)), ("mul_", (2,))]:
        t, m = torch.tensor(base), minitorch.tensor(base)
        ta = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
        ma = [minitorch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
        rt, rm = getattr(t, name)(*ta), getattr(m, name)(*ma)
        assert rm is m and rt is t
        same(m, t, 1e-6)


def test_copy_and_random_fills():
    x = minitorch.zeros(2, 3)
    x.copy_(minitorch.tensor([1, 2, 3]))
    assert x.tolist() == [[1.0, 2.0, 3.0]] * 2 and x.dtype is minitorch.float32
    u = minitorch.empty(1000).uniform_(-2, 3)
    assert -2 <= u.min().item() and u.max().item() < 3
    n = minitorch.empty(2000, dtype=minitorch.float64).normal_(1.0, 0.5)
    assert abs(n.mean().item() - 1.0) < 0.05 and abs(n.std().item() - 0.5) < 0.05
    minitorch.manual_seed(3)
    a = minitorch.empty(4).uniform_()
    minitorch.manual_seed(3)
    assert minitorch.empty(4).uniform_().tolist() == a.tolist()


def test_version_counter():
    x = minitorch.zeros(3)
    v0 = x._version
    x.add_(1)
    x.mul_(2)
    x[0] = 5
    x.zero_()
    assert x._version == v0 + 4
    view = x[1:]
    view.fill_(1.0)
    assert x._version == view._version == v0 + 5  # views share the counter
    assert x.tolist() == [0.0, 1.0, 1.0]
    d = x.detach()
    d.add_(1)
    assert x._version == v0 + 6 and x.tolist() == [1.0, 2.0, 2.0]


def test_inplace_on_saved_tensor_raises_at_backward():
    for lib in (torch, minitorch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = a * 1
        c = b.exp()  # saves its output
        c.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            c.sum().backward()


def test_inplace_on_leaf_requiring_grad_raises():
    for lib in (torch, minitorch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            w.add_(1)
        with lib.no_grad():
            w.add_(1)  # fine without recording
        assert w.tolist() == [2.0, 3.0]


def test_inplace_on_nonleaf_is_differentiated():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(4), rng.standard_normal(4)
    res = []
    for lib in (torch, minitorch):
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        z = x * 2
        z.mul_(y)
        z.add_(x)
        z.clamp_(-1, 1)
        (z * z).sum().backward()
        res.append((z.detach().numpy().copy(), x.grad.numpy().copy(), y.grad.numpy().copy()))
    for r, t in zip(res[1], res[0]):
        np.testing.assert_allclose(r, t, rtol=1e-12)


# ---------------------------------------------------------------------- indexing/setitem
KEYS = [
    1, -1, slice(1, 3), (slice(None), 2), (slice(None, None, 2), slice(1, None, 2)),
    (None, Ellipsis, 1), (Ellipsis, None), (1, slice(None), None), ([0, 2, 0],),
    (slice(None), [3, 1]), ([0, 1], [2, 3]), (Ellipsis,), (),
]


@pytest.mark.parametrize("key", KEYS, ids=repr)
def test_getitem_matches_torch(key):
    a = np.arange(24.0).reshape(3, 4, 2)
    same(minitorch.tensor(a)[key], torch.tensor(a)[key])


def test_getitem_tensor_indices():
    a = np.arange(12.0).reshape(3, 4)
    for mk in (lambda lib: lib.tensor([2, 0, 2]), lambda lib: lib.tensor([[0, 1], [1, 2]]),
               lambda lib: lib.tensor([True, False, True]), lambda lib: lib.tensor(a) > 4,
               lambda lib: (lib.tensor([1]), lib.tensor([3]))):
        same(minitorch.tensor(a)[mk(minitorch)], torch.tensor(a)[mk(torch)])


def test_basic_indexing_returns_views():
    x = minitorch.zeros(3, 4)
    x[1][2] = 5.0
    x[:, 0] += 1
    assert x[1, 2].item() == 5.0 and x[:, 0].tolist() == [1.0, 1.0, 1.0]
    y = x[[0, 1]]  # advanced indexing copies
    y[0, 0] = 100.0
    assert x[0, 0].item() == 1.0


@pytest.mark.parametrize("key,value", [
    ((0,), 7.0), ((slice(None), 1), [1.0, 2.0, 3.0]), ((Ellipsis, 0), 2), ((1, slice(1, 3)), -1.0),
    (([0, 2],), 9.0), ((slice(None), [0, 3]), [[1.0, 2.0]]),
], ids=repr)
def test_setitem_matches_torch(key, value):
    a = np.arange(12.0).reshape(3, 4)
    t, m = torch.tensor(a), minitorch.tensor(a)
    t[key] = torch.tensor(value, dtype=torch.float64) if isinstance(value, list) else value
    m[key] = minitorch.tensor(value, dtype=minitorch.float64) if isinstance(value, list) else value
    same(m, t)


def test_setitem_mask_and_tensor_value_gradient():
    rng = np.random.default_rng(0)
    a, v = rng.standard_normal((3, 4)), rng.standard_normal(4)
    up = rng.standard_normal((3, 4))
    out = []
    for lib in (torch, minitorch):
        x, val = lib.tensor(a, requires_grad=True), lib.tensor(v, requires_grad=True)
        y = x * 2
        y[1] = val
        y[y > 1] = 0.0
        (y * lib.tensor(up)).sum().backward()
        out.append((y.detach().numpy().copy(), x.grad.numpy(), val.grad.numpy()))
    for r, t in zip(out[1], out[0]):
        np.testing.assert_allclose(r, t, rtol=1e-12)


def test_repeated_integer_index_accumulates_gradient():
    for lib in (torch, minitorch):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x[lib.tensor([0, 0, 2, 0])].sum().backward()
        assert x.grad.tolist() == [3.0, 0.0, 1.0]


# ------------------------------------------------------------ copy.copy and NumPy views
def test_shallow_copy_shares_memory_like_torch() -> None:
    import copy

    torch = pytest.importorskip("torch")
    for lib in (minitorch, torch):
        t = lib.arange(3.0)
        c = copy.copy(t)
        c[0] = 9.0
        assert type(c) is lib.Tensor and t.tolist() == [9.0, 1.0, 2.0]  # shared memory
        x = lib.ones(3, requires_grad=True)
        (x * 2).sum().backward()
        y = copy.copy(x * 2)  # a non-leaf copies too: requires grad, no history
        cx = copy.copy(x)
        assert cx is not x and cx.requires_grad and cx.grad is None and cx.grad_fn is None
        assert y.requires_grad and y.grad_fn is None
        p = lib.nn.Parameter(lib.ones(2))
        p.note = "kept"
        cp = copy.copy(p)
        assert type(cp) is lib.nn.Parameter and cp.requires_grad and cp.note == "kept"
        with lib.no_grad():
            cp.add_(1.0)
        assert p.tolist() == [2.0, 2.0]


def test_numpy_conversion_follows_torch_rules() -> None:
    torch = pytest.importorskip("torch")
    for lib in (minitorch, torch):
        assert np.asarray(lib.tensor([1.0, 2.0])).tolist() == [1.0, 2.0]
        assert np.asarray(lib.tensor([1, 2]), dtype=np.float64).dtype == np.float64
        with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
            np.asarray(lib.ones(2, requires_grad=True))
        assert np.asarray(lib.ones(2, requires_grad=True).detach()).tolist() == [1.0, 1.0]


def test_matplotlib_plots_tensors(tmp_path) -> None:
    """Students plot tensors directly; matplotlib copies them with copy.copy."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = minitorch.linspace(-3, 3, 50)
    fig, ax = plt.subplots()
    (line,) = ax.plot(x, minitorch.sin(x), "r-")
    ax.scatter(x, x ** 2)
    ax.imshow(minitorch.rand(1, 28, 28).squeeze(), cmap="gray")
    ax.hist(minitorch.randn(100))
    np.testing.assert_allclose(line.get_ydata(), np.sin(np.linspace(-3, 3, 50)), atol=1e-6)
    fig.savefig(tmp_path / "plot.png")
    plt.close(fig)
    with pytest.raises(RuntimeError, match="requires grad"):  # as with torch
        plt.plot(x, minitorch.ones(50, requires_grad=True))
    plt.close("all")
