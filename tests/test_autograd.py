"""The autograd engine: graphs, Function subclassing, hooks, retain_grad, grad(),
higher-order gradients, gradcheck, grad modes, deep graphs and memory behaviour."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
import torch

import minitorch
from minitorch.autograd import Function
from minitorch.autograd.function import Node

LIBS = [torch, minitorch]


def arr(t) -> np.ndarray:
    return np.array(t.detach().numpy())


def both(build):
    """Run ``build(lib)`` with torch and minitorch; return the two results."""
    return build(torch), build(minitorch)


def assert_close(a, b, tol=1e-12) -> None:
    np.testing.assert_allclose(arr(a), arr(b), rtol=tol, atol=tol)


# ------------------------------------------------------------------------------- engine
def test_diamond_graph_accumulates_gradients():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4))

    def build(lib):
        x = lib.tensor(a, requires_grad=True)
        y = x.exp()
        z = y * x + y.sin() - (y * 2).tanh() * x  # y and x each feed several consumers
        z.sum().backward()
        return x.grad

    t, m = both(build)
    assert_close(m, t)


def test_grad_accumulates_across_backward_calls_and_resets():
    def build(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        (x * 3).sum().backward()
        first = x.grad.clone()
        x.grad = None
        (x * 5).sum().backward()
        return first, x.grad

    (t1, t2), (m1, m2) = both(build)
    assert_close(m1, t1)
    assert_close(m2, t2)


def test_backward_with_gradient_argument_and_retain_graph():
    rng = np.random.default_rng(1)
    a, g = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))

    def build(lib):
        x = lib.tensor(a, requires_grad=True)
        y = x.tanh() * x
        y.backward(lib.tensor(g), retain_graph=True)
        y.backward(lib.tensor(g))
        return x.grad

    t, m = both(build)
    assert_close(m, t)


def test_backward_inputs_argument():
    def build(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        (x * w).sum().backward(inputs=[x])
        return x.grad, w.grad

    (tx, tw), (mx, mw) = both(build)
    assert_close(mx, tx)
    assert tw is None and mw is None


def test_non_leaf_grad_is_none_and_retain_grad():
    rng = np.random.default_rng(2)
    a = rng.standard_normal(4)

    def build(lib):
        x = lib.tensor(a, requires_grad=True)
        h = x * 2
        k = h.exp()
        k.retain_grad()
        (k * h).sum().backward()
        assert h.grad is None if lib is minitorch else True
        return k.grad, x.grad, k.retains_grad

    (tk, tx, tr), (mk, mx, mr) = both(build)
    assert_close(mk, tk)
    assert_close(mx, tx)
    assert mr and tr


def test_retain_grad_on_leaf_is_a_no_op():
    x = minitorch.tensor([1.0], requires_grad=True)
    x.retain_grad()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0]


def test_requires_grad_propagation_and_detach():
    x = minitorch.tensor([1.0], requires_grad=True)
    c = minitorch.tensor([2.0])
    assert (x * c).requires_grad and not (c * 2).requires_grad
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None
    y = (x * 2).detach() * x
    y.sum().backward()
    assert x.grad.tolist() == [2.0]


def test_unused_branches_get_no_gradient():
    x = minitorch.tensor([1.0], requires_grad=True)
    w = minitorch.tensor([1.0], requires_grad=True)
    _ = w * 3  # a graph branch that is never used in the loss
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0] and w.grad is None


# ---------------------------------------------------------------------------- grad modes
def test_no_grad_enable_grad_set_grad_enabled():
    x = minitorch.tensor([1.0], requires_grad=True)
    with minitorch.no_grad():
        assert not minitorch.is_grad_enabled()
        y = x * 2
        with minitorch.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None and z.requires_grad
    assert minitorch.is_grad_enabled()
    with minitorch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert minitorch.is_grad_enabled()
    minitorch.set_grad_enabled(False)
    assert not minitorch.is_grad_enabled()
    minitorch.set_grad_enabled(True)

    @minitorch.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad and minitorch.is_grad_enabled()


# -------------------------------------------------------------------- Function subclass
def _make_cube(base):
    """The same user-defined Function (``scale * x**3``) for torch and for minitorch."""

    class Cube(base):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return scale * x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * ctx.scale * x * x, None

    return Cube


Cube = _make_cube(Function)
TorchCube = _make_cube(torch.autograd.Function)


def test_custom_function_matches_torch_including_double_backward():
    rng = np.random.default_rng(3)
    a, v = rng.standard_normal(5), rng.standard_normal(5)
    res = []
    for lib, fn in ((torch, TorchCube), (minitorch, Cube)):
        x = lib.tensor(a, requires_grad=True)
        y = fn.apply(x, 2.0)
        assert type(y.grad_fn).__name__ == "CubeBackward"
        (g,) = lib.autograd.grad(y, x, lib.tensor(v), create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        res.append((y, g, gg))
    for m, t in zip(res[1], res[0]):
        assert_close(m, t)
    assert Cube.apply(minitorch.tensor([1.0], requires_grad=True), 1.0).grad_fn.name() == (
        "CubeBackward")


def test_custom_function_needs_input_grad_and_non_differentiable():
    seen = {}

    class Mul2(Function):
        @staticmethod
        def forward(ctx, x, y):
            seen["needs"] = ctx.needs_input_grad
            return x * y

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    class ArgMax(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_non_differentiable()
            return np.asarray(x.argmax())

        @staticmethod
        def backward(ctx, grad):
            raise AssertionError("never called")

    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    Mul2.apply(x, minitorch.tensor([3.0, 4.0]))
    assert seen["needs"] == (True, False)
    idx = ArgMax.apply(x)
    assert not idx.requires_grad and idx.item() == 1


def test_custom_function_passes_gradcheck_and_wrong_one_fails():
    class Wrong(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x  # should be 2 * x

    x = minitorch.tensor([0.5, -1.5, 2.0], dtype=minitorch.float64, requires_grad=True)
    assert minitorch.autograd.gradcheck(lambda t: Cube.apply(t, 1.5), (x,))
    assert minitorch.autograd.gradgradcheck(lambda t: Cube.apply(t, 1.5), (x,))
    with pytest.raises(minitorch.autograd.GradcheckError, match="Jacobian mismatch"):
        minitorch.autograd.gradcheck(Wrong.apply, (x,))
    assert minitorch.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False


# --------------------------------------------------------------------------------- hooks
def test_tensor_hooks_match_torch():
    rng = np.random.default_rng(4)
    a = rng.standard_normal(3)

    def build(lib):
        seen = []
        x = lib.tensor(a, requires_grad=True)
        x.register_hook(lambda g: g * 10)  # replaces the leaf's gradient
        h = x.sin()
        handle = h.register_hook(lambda g: seen.append(arr(g)))
        h2 = h * 3
        h2.register_hook(lambda g: g + 1)  # modifies what flows further back
        h2.sum().backward(retain_graph=True)
        handle.remove()
        h2.sum().backward()
        return x.grad, seen

    (tg, tseen), (mg, mseen) = both(build)
    assert_close(mg, tg)
    assert len(mseen) == len(tseen) == 1
    np.testing.assert_allclose(mseen[0], tseen[0], rtol=1e-12)


def test_hook_on_tensor_not_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        minitorch.tensor([1.0]).register_hook(lambda g: g)


# ---------------------------------------------------------------- grad() and create_graph
def test_autograd_grad_does_not_touch_dot_grad():
    def build(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        y = (x * w).sum()
        gx, gw = lib.autograd.grad(y, [x, w])
        assert x.grad is None and w.grad is None
        return gx, gw

    (tx, tw), (mx, mw) = both(build)
    assert_close(mx, tx)
    assert_close(mw, tw)


def test_autograd_grad_unused_inputs():
    x = minitorch.tensor([1.0], requires_grad=True)
    u = minitorch.tensor([1.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="not have been used in the graph"):
        minitorch.autograd.grad(y, [x, u], retain_graph=True)
    gx, gu = minitorch.autograd.grad(y, [x, u], allow_unused=True)
    assert gx.tolist() == [2.0] and gu is None


def test_higher_order_derivatives_match_torch():
    rng = np.random.default_rng(5)
    a = rng.uniform(0.5, 1.5, 4)

    def build(lib):
        x = lib.tensor(a, requires_grad=True)
        y = (x**4 * x.sin() + x.exp() / x).sum()
        out = []
        g = y
        for _ in range(3):  # first, second and third derivative (diagonal)
            (g,) = lib.autograd.grad(g.sum(), x, create_graph=True)
            out.append(g)
        return out

    for m, t in zip(*reversed(both(build))):
        assert_close(m, t, 1e-10)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_create_graph_makes_grad_differentiable():
    def build(lib):
        x = lib.tensor([0.3, -0.7], requires_grad=True)
        (x**3).sum().backward(create_graph=True)
        g = x.grad
        assert g.requires_grad
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g, gg

    (tg, tgg), (mg, mgg) = both(build)
    assert_close(mg, tg)
    assert_close(mgg, tgg)


def test_hessian_vector_product_of_small_mlp():
    rng = np.random.default_rng(6)
    xs, w1, w2, v = (rng.standard_normal(s) for s in [(5, 3), (3, 4), (4, 1), (3, 4)])

    def build(lib):
        W1, W2 = lib.tensor(w1, requires_grad=True), lib.tensor(w2, requires_grad=True)
        loss = ((lib.tensor(xs) @ W1).tanh() @ W2).pow(2).mean()
        (g1,) = lib.autograd.grad(loss, W1, create_graph=True)
        return lib.autograd.grad((g1 * lib.tensor(v)).sum(), [W1, W2])

    t, m = both(build)
    for a, b in zip(m, t):
        assert_close(a, b, 1e-10)


# ----------------------------------------------------------------- deep graphs, memory
def test_ten_thousand_op_chain_has_no_recursion_error():
    x = minitorch.tensor([1.0], dtype=minitorch.float64, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.item(), 1.0001**10_000, rtol=1e-9)
    del y
    gc.collect()  # freeing the deep graph must not recurse either


def test_saved_tensors_are_freed_after_backward():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    y = a * a  # Mul saves `a`
    node = y.grad_fn
    ref = weakref.ref(a)
    del a
    gc.collect()
    assert ref() is not None  # the graph holds it
    y.sum().backward()
    gc.collect()
    assert ref() is None
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        _ = node.saved_tensors


def test_saved_tensors_kept_with_retain_graph():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def _live_counts() -> tuple[int, int]:
    gc.collect()
    tensors = nodes = 0
    for o in gc.get_objects():
        kind = type(o)  # not isinstance: that reads o.__class__, which some objects warn on
        if issubclass(kind, minitorch.Tensor):
            tensors += 1
        elif issubclass(kind, Node):
            nodes += 1
    return tensors, nodes


def test_no_leak_over_many_training_steps():
    """1,000 forward/backward passes of a small model leave the live Tensor/Node counts flat."""
    rng = np.random.default_rng(7)
    X = minitorch.tensor(rng.standard_normal((8, 4)))
    Y = minitorch.tensor(rng.standard_normal((8, 1)))
    params = [minitorch.tensor(rng.standard_normal(s) * 0.3, requires_grad=True)
              for s in [(4, 16), (16,), (16, 1)]]

    def step():
        w1, b1, w2 = params
        h = (X @ w1 + b1).relu()
        loss = ((h @ w2 - Y) ** 2).mean() + h.softmax(-1).logsumexp(0).sum() * 1e-3
        loss.backward()
        with minitorch.no_grad():
            for p in params:
                p -= 0.01 * p.grad
                p.grad = None
        return loss.item()

    for _ in range(5):  # warm up caches
        step()
    before = _live_counts()
    first = step()
    for _ in range(1000):
        last = step()
    after = _live_counts()
    assert last < first
    assert after[0] - before[0] <= 2 and after[1] - before[1] <= 2, (before, after)
