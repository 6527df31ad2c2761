"""The project's "done means" checks: beginner PyTorch tutorial code runs unchanged on
minitorch and prints the same things.

Each tutorial below is written once, as a function of the module ``torch`` and of the
``print`` it uses. It is run twice — with real PyTorch and with minitorch — and everything
it prints is compared: tensors by value, dtype, shape and ``requires_grad`` (and by their
repr when the values agree exactly), text with its numbers compared to a tolerance, after
``minitorch.`` is read as ``torch.`` and memory addresses are blanked.

Two things must be the same for the numbers to agree, and the harness provides them:

* random draws: ``torch`` is the real module, except that ``randn``/``rand``/``*_like``
  draw from one NumPy stream shared by both runs (:class:`_SharedRandom`);
* initial weights of ``nn`` layers: the tutorial calls ``sync(model)`` right after building
  a model; the PyTorch run records its weights and the minitorch run loads them
  (through :mod:`minitorch.utils.torch_interop`).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch as real_torch

import minitorch
from minitorch.utils.torch_interop import state_dict_from_torch


# =========================================================================== harness
class _SharedRandom:
    """``lib`` itself, but with the random factories drawing from a shared NumPy stream."""

    def __init__(self, lib, seed: int = 0) -> None:
        self._lib = lib
        self._rng = np.random.default_rng(seed)

    def __getattr__(self, name):
        return getattr(self._lib, name)

    def _make(self, arr, dtype, requires_grad, device=None):
        t = self._lib.tensor(arr.astype(np.float32), dtype=dtype or self._lib.float32,
                             device=device)
        return t.requires_grad_() if requires_grad else t

    @staticmethod
    def _shape(size):
        return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size

    def randn(self, *size, dtype=None, requires_grad=False, device=None):
        arr = self._rng.standard_normal(self._shape(size))
        return self._make(arr, dtype, requires_grad, device)

    def rand(self, *size, dtype=None, requires_grad=False, device=None):
        return self._make(self._rng.random(self._shape(size)), dtype, requires_grad, device)

    def randn_like(self, t, dtype=None, requires_grad=False):
        return self.randn(*t.shape, dtype=dtype, requires_grad=requires_grad)

    def rand_like(self, t, dtype=None, requires_grad=False):
        return self.rand(*t.shape, dtype=dtype, requires_grad=requires_grad)


class _WeightSync:
    """``sync(model)``: record the PyTorch model's initial weights / load them in minitorch."""

    def __init__(self) -> None:
        self.saved: list = []
        self.loaded = 0

    def __call__(self, model) -> None:
        if isinstance(model, real_torch.nn.Module):
            self.saved.append({k: v.detach().clone() for k, v in model.state_dict().items()})
        else:
            model.load_state_dict(state_dict_from_torch(self.saved[self.loaded]))
            self.loaded += 1


class _Printed:
    """Collects what a tutorial prints, normalised so the two libraries can be compared."""

    def __init__(self) -> None:
        self.items: list = []

    def __call__(self, *args, **_kw) -> None:
        self.items.append([_normalise(a) for a in args])


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_NUMBER = re.compile(r"-?\d+\.?\d*(?:e[+-]?\d+)?")


def _text(s: str) -> str:
    return _ADDRESS.sub(" at 0x?", s.replace("minitorch.", "torch."))


def _normalise(obj):
    if isinstance(obj, (real_torch.Tensor, minitorch.Tensor)):
        values = obj.detach().cpu().numpy().copy()
        return (
            "tensor",
            values,
            _text(str(obj.dtype)),
            tuple(obj.shape),
            obj.requires_grad,
            _text(repr(obj)),
        )
    if isinstance(obj, (real_torch.Size, minitorch.Size)):
        return ("size", tuple(obj))
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, (int, float, np.integer, np.floating)):
        return ("number", float(obj))
    if isinstance(obj, (tuple, list)):
        return ("seq", [_normalise(o) for o in obj])
    if isinstance(obj, np.ndarray):
        return ("ndarray", obj.copy())
    return ("text", _text(str(obj)))


def _assert_same(a, b, tol: float, where: str) -> None:
    """``a`` from minitorch, ``b`` from PyTorch."""
    if not isinstance(a, tuple) or not isinstance(b, tuple):
        assert a == b, where
        return
    assert a[0] == b[0], f"{where}: {a[0]} printed where torch printed {b[0]}"
    kind = a[0]
    if kind == "tensor":
        _, va, da, sa, ga, ra = a
        _, vb, db, sb, gb, rb = b
        assert (da, sa, ga) == (db, sb, gb), f"{where}: {(da, sa, ga)} != {(db, sb, gb)}"
        np.testing.assert_allclose(va, vb, rtol=tol, atol=tol, err_msg=where)
        if np.array_equal(va, vb):
            assert ra == rb, f"{where}: repr\n{ra}\n!=\n{rb}"
    elif kind in ("number", "ndarray"):
        np.testing.assert_allclose(a[1], b[1], rtol=tol, atol=tol, err_msg=where)
    elif kind == "seq":
        assert len(a[1]) == len(b[1]), where
        for i, (x, y) in enumerate(zip(a[1], b[1])):
            _assert_same(x, y, tol, f"{where}[{i}]")
    elif kind == "text":
        assert _NUMBER.split(a[1]) == _NUMBER.split(b[1]), f"{where}:\n{a[1]}\n!=\n{b[1]}"
        na = [float(x) for x in _NUMBER.findall(a[1])]
        nb = [float(x) for x in _NUMBER.findall(b[1])]
        np.testing.assert_allclose(na, nb, rtol=max(tol, 1e-3), atol=max(tol, 1e-4), err_msg=where)
    else:
        assert a == b, where


def _run_both(tutorial, tol: float = 1e-5, skip=(), only=None, **data):
    """Run ``tutorial`` with PyTorch, then minitorch; compare everything printed (except
    the prints numbered in ``skip``; only those in ``only`` when given).

    Returns the two return values (minitorch's first)."""
    sync = _WeightSync()
    printed_t, printed_m = _Printed(), _Printed()
    ret_t = tutorial(_SharedRandom(real_torch), printed_t, sync, **data)
    ret_m = tutorial(_SharedRandom(minitorch), printed_m, sync, **data)
    assert len(printed_m.items) == len(printed_t.items)
    for i, (a, b) in enumerate(zip(printed_m.items, printed_t.items)):
        if i in skip or (only is not None and i not in only):
            continue
        assert len(a) == len(b), f"print #{i}"
        for j, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, tol, f"print #{i} arg {j}")
    return ret_m, ret_t


# ================================================================ (a) tensors & autograd
def tensors_and_autograd(torch, print, sync):
    # --- Tensors: initialising
    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)
    print(x_data)
    np_array = np.array(data)
    x_np = torch.from_numpy(np_array)
    print(x_np)
    x_ones = torch.ones_like(x_data)
    print(f"Ones Tensor: \n {x_ones} \n")
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    print(f"Random Tensor: \n {x_rand} \n")
    shape = (
        2,
        3,
    )
    rand_tensor = torch.rand(shape)
    ones_tensor = torch.ones(shape)
    zeros_tensor = torch.zeros(shape)
    print(rand_tensor, ones_tensor, zeros_tensor)
    # --- attributes
    tensor = torch.rand(3, 4)
    print(f"Shape of tensor: {tensor.shape}")
    print(f"Datatype of tensor: {tensor.dtype}")
    print(f"Device tensor is stored on: {tensor.device}")
    # --- operations
    tensor = torch.ones(4, 4)
    print(f"First row: {tensor[0]}")
    print(f"First column: {tensor[:, 0]}")
    print(f"Last column: {tensor[..., -1]}")
    tensor[:, 1] = 0
    print(tensor)
    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    print(t1)
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = torch.rand_like(y1)
    torch.matmul(tensor, tensor.T, out=y3)
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    print(y1, y2, y3, z1, z2, z3)
    agg = tensor.sum()
    agg_item = agg.item()
    print(agg_item, type(agg_item).__name__)
    print(f"{tensor} \n")
    tensor.add_(5)
    print(tensor)
    # --- views and shapes
    x = torch.arange(12)
    print(x.view(3, 4), x.view(-1, 6).shape, x.reshape(2, 2, 3).permute(2, 0, 1).shape)
    m = x.view(3, 4)
    print(m.t().contiguous().view(-1), m.unsqueeze(0).shape, m.unsqueeze(0).squeeze().shape)
    print(m[1:, ::2], m[:, 1], m.transpose(0, 1).is_contiguous(), m.flatten())
    # --- bridge with NumPy
    t = torch.ones(5)
    print(f"t: {t}")
    n = t.numpy()
    print(f"n: {n}")
    t.add_(1)
    print(f"t: {t}")
    print(f"n: {n}")
    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    print(f"t: {t}")
    print(f"n: {n}")
    # --- autograd basics
    x = torch.ones(2, 2, requires_grad=True)
    print(x)
    y = x + 2
    print(y)
    print(y.grad_fn)
    z = y * y * 3
    out = z.mean()
    print(z, out)
    a = torch.randn(2, 2)
    a = (a * 3) / (a - 1)
    print(a.requires_grad)
    a.requires_grad_(True)
    print(a.requires_grad)
    b = (a * a).sum()
    print(b.grad_fn)
    out.backward()
    print(x.grad)
    # --- vector-Jacobian product
    x = torch.randn(3, requires_grad=True)
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2
    print(y)
    v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
    y.backward(v)
    print(x.grad)
    print(x.requires_grad)
    print((x**2).requires_grad)
    with torch.no_grad():
        print((x**2).requires_grad)
    print(x.requires_grad)
    y = x.detach()
    print(y.requires_grad)
    print(x.eq(y).all())
    # --- computational graph (autograd quickstart)
    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    print(f"Gradient function for z = {z.grad_fn}")
    print(f"Gradient function for loss = {loss.grad_fn}")
    loss.backward()
    print(w.grad)
    print(b.grad)
    z = torch.matmul(x, w) + b
    print(z.requires_grad)
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    print(z.requires_grad)
    z = torch.matmul(x, w) + b
    z_det = z.detach()
    print(z_det.requires_grad)
    # --- gradient accumulation
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"First call\n{inp.grad}")
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nSecond call\n{inp.grad}")
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nCall after zeroing gradients\n{inp.grad}")


def test_tensor_and_autograd_tutorial():
    _run_both(tensors_and_autograd)


# ================================================================ (b) linear regression
def linear_regression(torch, print, sync):
    nn = torch.nn
    x_train = np.arange(20, dtype=np.float32).reshape(-1, 1) / 10
    y_train = 2 * x_train + 1

    model = nn.Linear(1, 1)
    sync(model)
    criterion = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)

    for epoch in range(300):
        inputs = torch.from_numpy(x_train)
        labels = torch.from_numpy(y_train)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        if (epoch + 1) % 100 == 0:
            print(f"epoch {epoch + 1}, loss {loss.item()}")

    with torch.no_grad():
        predicted = model(torch.from_numpy(x_train)).data.numpy()
    print(predicted)
    print(model.weight, model.bias)
    return model.weight.item(), model.bias.item()


def test_linear_regression_tutorial():
    (w_m, b_m), (w_t, b_t) = _run_both(linear_regression)
    assert w_m == pytest.approx(w_t, rel=1e-5) and b_m == pytest.approx(b_t, rel=1e-5)
    assert w_m == pytest.approx(2.0, abs=0.05) and b_m == pytest.approx(1.0, abs=0.05)


# ================================================================== (c) the blitz LeNet
def blitz_lenet(torch, print, sync):
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()  # noqa: UP008 (the tutorial's own words)
            # 1 input image channel, 6 output channels, 5x5 square convolution kernel
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            # an affine operation: y = Wx + b
            self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            # Max pooling over a (2, 2) window
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            # If the size is a square, you can specify with a single number
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = torch.flatten(x, 1)  # flatten all dimensions except the batch dimension
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

    net = Net()
    sync(net)
    print(net)

    params = list(net.parameters())
    print(len(params))
    print(params[0].size())  # conv1's .weight

    input = torch.randn(1, 1, 32, 32)
    out = net(input)
    print(out)

    net.zero_grad()
    out.backward(torch.randn(1, 10))
    print(net.conv1.weight.grad, net.fc3.bias.grad)

    output = net(input)
    target = torch.randn(10)  # a dummy target, for example
    target = target.view(1, -1)  # make it the same shape as output
    criterion = nn.MSELoss()

    loss = criterion(output, target)
    print(loss)

    print(loss.grad_fn)  # MSELoss
    print(loss.grad_fn.next_functions[0][0])  # Linear
    print(loss.grad_fn.next_functions[0][0].next_functions[0][0])  # ReLU

    net.zero_grad()  # zeroes the gradient buffers of all parameters
    print("conv1.bias.grad before backward")
    print(net.conv1.bias.grad)
    loss.backward()
    print("conv1.bias.grad after backward")
    print(net.conv1.bias.grad)

    learning_rate = 0.01
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)
    print(net(input))

    # create your optimizer
    optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    for _ in range(3):
        # in your training loop:
        optimizer.zero_grad()  # zero the gradient buffers
        output = net(input)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()  # Does the update
        print(loss)
    print(net.conv2.weight.grad.sum(), net.fc1.weight.data[:2, :5])
    return {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}


# print(loss.grad_fn.next_functions[0][0]) and the node after it: checked on their own
_BLITZ_GRAPH_PRINTS = {7, 8}


def test_blitz_lenet_tutorial():
    final_m, final_t = _run_both(blitz_lenet, tol=2e-5, skip=_BLITZ_GRAPH_PRINTS)
    assert final_m.keys() == final_t.keys()
    for k in final_m:
        np.testing.assert_allclose(final_m[k], final_t[k], rtol=2e-5, atol=2e-6, err_msg=k)


def test_blitz_lenet_graph_walk():
    _run_both(blitz_lenet, tol=2e-5, only=_BLITZ_GRAPH_PRINTS)


# ======================================================== (d) CIFAR-shaped Sequential
def cifar_sequential(torch, print, sync, images, labels):
    nn = torch.nn
    optim = torch.optim
    net = nn.Sequential(
        nn.Conv2d(3, 6, 5),
        nn.ReLU(),
        nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )
    sync(net)
    print(net)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

    inputs, labels = torch.tensor(images), torch.tensor(labels)
    running_loss = 0.0
    for i in range(3):
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        if i == 0:
            print(outputs)
            for name, p in net.named_parameters():
                print(name, p.grad)
        optimizer.step()
        running_loss += loss.item()
    print(f"loss: {running_loss / 3:.6f}")

    correct = 0
    total = 0
    with torch.no_grad():
        outputs = net(inputs)
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
    print(outputs, predicted, correct, total)


def test_cifar_sequential_tutorial():
    rng = np.random.default_rng(0)
    images = rng.standard_normal((4, 3, 32, 32)).astype(np.float32)
    labels = np.array([3, 8, 0, 5])
    _run_both(cifar_sequential, tol=2e-5, images=images, labels=labels)


# ======================================================== (e) the "what is nn" MNIST
def _synthetic_mnist(n_train=200, n_valid=100, seed=0):
    """MNIST-shaped data (784 sparse "pixels" in [0, 1], 10 classes) a linear model can learn."""
    rng = np.random.default_rng(seed)
    strokes = (rng.random((10, 784)) < 0.13).astype(np.float32)  # ~13% lit, like MNIST
    y = rng.integers(0, 10, n_train + n_valid)
    x = strokes[y] * rng.uniform(0.5, 1.0, (len(y), 784))
    x = np.clip(x + 0.05 * rng.standard_normal(x.shape), 0, 1).astype(np.float32)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def mnist_from_scratch(torch, print, sync, x_train, y_train, x_valid, y_valid):
    x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
    n, c = x_train.shape  # noqa: RUF059
    print(x_train, y_train)
    print(x_train.shape)
    print(y_train.min(), y_train.max())

    weights = torch.randn(784, 10) / math.sqrt(784)
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    bs = 64  # batch size
    xb = x_train[0:bs]  # a mini-batch from x
    preds = model(xb)  # predictions
    print(preds[0], preds.shape)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    loss_func = nll
    yb = y_train[0:bs]
    print(loss_func(preds, yb))

    def accuracy(out, yb):
        preds = torch.argmax(out, dim=1)
        return (preds == yb).float().mean()

    print(accuracy(preds, yb))

    lr = 0.5  # learning rate
    epochs = 2  # how many epochs to train for
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()
    print(loss_func(model(xb), yb), accuracy(model(xb), yb))

    # --- refactor with torch.nn.functional
    F = torch.nn.functional
    loss_func = F.cross_entropy

    def model(xb):
        return xb @ weights + bias

    print(loss_func(model(xb), yb), accuracy(model(xb), yb))

    # --- refactor with nn.Module
    nn = torch.nn

    class Mnist_Logistic(nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = nn.Parameter(torch.randn(784, 10) / math.sqrt(784))
            self.bias = nn.Parameter(torch.zeros(10))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    model = Mnist_Logistic()
    print(loss_func(model(xb), yb))

    def fit():
        for epoch in range(epochs):
            for i in range((n - 1) // bs + 1):
                start_i = i * bs
                end_i = start_i + bs
                xb = x_train[start_i:end_i]
                yb = y_train[start_i:end_i]
                pred = model(xb)
                loss = loss_func(pred, yb)

                loss.backward()
                with torch.no_grad():
                    for p in model.parameters():
                        p -= p.grad * lr
                    model.zero_grad()

    fit()
    print(loss_func(model(xb), yb))


def mnist_with_dataloader(torch, print, sync, x_train, y_train, x_valid, y_valid):
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim
    TensorDataset = torch.utils.data.TensorDataset
    DataLoader = torch.utils.data.DataLoader

    x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
    bs, lr, epochs = 64, 0.1, 2
    loss_func = F.cross_entropy

    class Mnist_NN(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(784, 128)
            self.out = nn.Linear(128, 10)

        def forward(self, xb):
            return self.out(F.relu(self.hidden(xb)))

    def get_data(train_ds, valid_ds, bs):
        return (
            DataLoader(train_ds, batch_size=bs, shuffle=False),
            DataLoader(valid_ds, batch_size=bs * 2),
        )

    def get_model():
        model = Mnist_NN()
        sync(model)
        return model, optim.SGD(model.parameters(), lr=lr, momentum=0.9)

    def loss_batch(model, loss_func, xb, yb, opt=None):
        loss = loss_func(model(xb), yb)

        if opt is not None:
            loss.backward()
            opt.step()
            opt.zero_grad()

        return loss.item(), len(xb)

    def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
        for epoch in range(epochs):
            model.train()
            for xb, yb in train_dl:
                loss_batch(model, loss_func, xb, yb, opt)

            model.eval()
            with torch.no_grad():
                losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
            val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)

            print(epoch, val_loss)

    train_ds = TensorDataset(x_train, y_train)
    valid_ds = TensorDataset(x_valid, y_valid)
    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    model, opt = get_model()
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)

    # the accuracy idiom of the MNIST examples
    correct = 0
    with torch.no_grad():
        for images, labels in valid_dl:
            out = model(images)
            pred = torch.max(out.data, 1)[1]
            correct += pred.eq(labels.view_as(pred)).sum().item()
    print(f"Accuracy: {correct}/{len(valid_dl.dataset)}")
    print(model.hidden.weight.grad is None, model.out.bias)
    return correct


def test_mnist_from_scratch_tutorial():
    _run_both(
        mnist_from_scratch,
        tol=1e-4,
        **dict(zip(("x_train", "y_train", "x_valid", "y_valid"), _synthetic_mnist())),
    )


def test_mnist_dataloader_tutorial():
    data = dict(zip(("x_train", "y_train", "x_valid", "y_valid"), _synthetic_mnist()))
    correct_m, correct_t = _run_both(mnist_with_dataloader, tol=1e-4, **data)
    assert correct_m == correct_t and correct_m > 50  # it learned something


# ===================================== (f) "Learn the Basics": quickstart, build, save/load
def learn_the_basics(torch, print, sync, x_train, y_train, x_valid, y_valid, path):
    """The Quickstart's device line, model, train/test loops and save/load, plus the
    "Build the Neural Network" and "Autograd" pages (a TensorDataset stands in for
    FashionMNIST, which would be downloaded)."""
    nn = torch.nn
    DataLoader = torch.utils.data.DataLoader
    TensorDataset = torch.utils.data.TensorDataset

    training_data = TensorDataset(torch.tensor(x_train).view(-1, 1, 28, 28), torch.tensor(y_train))
    test_data = TensorDataset(torch.tensor(x_valid).view(-1, 1, 28, 28), torch.tensor(y_valid))
    batch_size = 64
    train_dataloader = DataLoader(training_data, batch_size=batch_size)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)
    for X, y in test_dataloader:
        print(f"Shape of X [N, C, H, W]: {X.shape}")
        print(f"Shape of y: {y.shape} {y.dtype}")
        break

    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    print(f"Using {device} device")

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 512),
                nn.ReLU(),
                nn.Linear(512, 512),
                nn.ReLU(),
                nn.Linear(512, 10),
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    model = NeuralNetwork().to(device)
    sync(model)
    print(model)

    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)

    def train(dataloader, model, loss_fn, optimizer):
        size = len(dataloader.dataset)
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            X, y = X.to(device), y.to(device)
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            if batch % 4 == 0:
                loss, current = loss.item(), (batch + 1) * len(X)
                print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")

    def test(dataloader, model, loss_fn):
        size = len(dataloader.dataset)
        num_batches = len(dataloader)
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                X, y = X.to(device), y.to(device)
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        test_loss /= num_batches
        correct /= size
        print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
        return correct

    epochs = 2
    for t in range(epochs):
        print(f"Epoch {t+1}\n-------------------------------")
        train(train_dataloader, model, loss_fn, optimizer)
        accuracy = test(test_dataloader, model, loss_fn)
    print("Done!")

    torch.save(model.state_dict(), path)
    print("Saved PyTorch Model State to model.pth")
    model = NeuralNetwork().to(device)
    print(model.load_state_dict(torch.load(path, weights_only=True)))
    model.eval()
    x, y = test_data[0][0], test_data[0][1]
    with torch.no_grad():
        x = x.to(device)
        pred = model(x)
        print(pred[0].argmax(0) == y, pred[0].argmax(0))

    # --- "Build the Neural Network"
    X = torch.rand(1, 28, 28, device=device)
    logits = model(X)
    pred_probab = nn.Softmax(dim=1)(logits)
    y_pred = pred_probab.argmax(1)
    print(f"Predicted class: {y_pred}")
    input_image = torch.rand(3, 28, 28)
    print(input_image.size())
    flat_image = nn.Flatten()(input_image)
    print(flat_image.size())
    layer1 = nn.Linear(in_features=28 * 28, out_features=20)
    sync(layer1)
    hidden1 = layer1(flat_image)
    print(hidden1.size())
    print(f"Before ReLU: {hidden1}\n\n")
    hidden1 = nn.ReLU()(hidden1)
    print(f"After ReLU: {hidden1}")
    for name, param in model.named_parameters():
        print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")

    # --- "Automatic Differentiation with torch.autograd"
    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    print(f"Gradient function for z = {z.grad_fn}")
    print(f"Gradient function for loss = {loss.grad_fn}")
    loss.backward()
    print(w.grad)
    print(b.grad)
    z = torch.matmul(x, w) + b
    print(z.requires_grad)
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    print(z.requires_grad)
    z_det = z.detach()
    print(z_det.requires_grad)
    return accuracy


def test_learn_the_basics_tutorial(tmp_path):
    data = dict(zip(("x_train", "y_train", "x_valid", "y_valid"), _synthetic_mnist()))
    acc_m, acc_t = _run_both(learn_the_basics, tol=1e-4, path=str(tmp_path / "model.pth"),
                             **data)
    assert acc_m == acc_t and acc_m > 0.5  # it learned something, exactly as torch did


# ============================================ (g) "Learning PyTorch with Examples"
def pytorch_with_examples(torch, print, sync, steps):
    """The polynomial fit of "Learning PyTorch with Examples": tensors and autograd, a
    custom ``autograd.Function``, ``nn`` with ``Flatten(0, 1)``, RMSprop, a custom Module
    (with ``steps`` iterations instead of 2000, to stay quick)."""
    dtype = torch.float
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)

    a = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    b = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    c = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    d = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    learning_rate = 1e-6
    for t in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            print(t, loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")

    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    for t in range(steps):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            print(t, loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    print(f"Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)")

    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    sync(model)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for t in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if t % 100 == 99:
            print(t, loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    linear_layer = model[0]
    print(f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
          f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3")

    class Polynomial3(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

        def string(self):
            return (f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + "
                    f"{self.d.item()} x^3")

    model = Polynomial3()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6, momentum=0.9)
    for t in range(steps):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        if t % 100 == 99:
            print(t, loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"Result: {model.string()}")
    print(model)
    return loss.item()


def test_pytorch_with_examples_tutorial():
    loss_m, loss_t = _run_both(pytorch_with_examples, tol=2e-3, steps=300)
    assert loss_m == pytest.approx(loss_t, rel=2e-3) and loss_m < 200  # the fit improved


# ================================== (h) recipe "Defining a Neural Network in PyTorch"
def defining_a_network(torch, print, sync):
    """The recipe's ``Net`` (two convolutions, channel-wise ``Dropout2d``, ``flatten``,
    ``log_softmax``), run in training mode (random masks: only the shape is compared)
    and in evaluation mode (compared by value)."""
    import warnings

    nn = torch.nn
    F = torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()  # noqa: UP008 - the recipe's own spelling
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout2d(0.25)
            self.dropout2 = nn.Dropout2d(0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.dropout2(x)
            x = self.fc2(x)
            output = F.log_softmax(x, dim=1)
            return output

    random_data = torch.rand((1, 1, 28, 28))
    my_nn = Net()
    sync(my_nn)
    print(my_nn)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = my_nn(random_data)  # dropout2 sees a 2-D input: PyTorch warns
    print(result.shape, result.grad_fn.name(), [str(w.message)[:40] for w in caught])
    my_nn.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the same warning again
        print(my_nn(random_data))


def test_defining_a_network_recipe():
    _run_both(defining_a_network, tol=1e-5)


# ============================================== the same code on the real module, once
def test_tutorials_run_with_plain_minitorch():
    """No shared RNG, no weight syncing: the tutorial code runs on ``minitorch`` as is."""
    printed = _Printed()
    tensors_and_autograd(minitorch, printed, lambda model: None)
    blitz_lenet(minitorch, printed, lambda model: None)
    assert printed.items
