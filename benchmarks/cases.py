"""The benchmark cases: one builder per case, written once against the PyTorch API.

A case's ``build(lib)`` takes the library module (``torch`` or ``minitorch``) and returns
a no-argument *step* that does the measured work once and returns a tensor (an output or
a loss). Inputs and initial weights are drawn from seeded NumPy generators, so both
libraries see identical numbers; the first call of each step doubles as a correctness
check (the two results are compared before any timing).

Op cases use fixed shapes (the tutorial CNN's); training cases (forward, loss,
backward, Adam step, zero_grad) exist for each batch size, and for the tutorials' LSTM
classifier at their batch size of 100. ``epoch_cnn`` (one MNIST
epoch per library, in subprocesses) is long and runs only when asked for by name.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from benchmarks.models import MODELS, dcgan_generator, init_parameters

Step = Callable[[], Any]


@dataclass(frozen=True)
class Case:
    """One benchmark: a name, a step builder, its cost in FLOPs and its target ratio."""

    name: str
    build: Callable[[ModuleType], Step]
    count_flops: Callable[[], float] | None = None  # computed only for the cases that run
    target: float | None = None  # the project's goal for minitorch time / torch time
    kind: str = "op"  # "op", "train" or "epoch"
    long: bool = False  # only run when selected by name
    contention: bool = False  # timed while one other CPU-bound process runs (isolated mode)

    @property
    def flops(self) -> float | None:
        """Floating-point operations in one step (2 per multiply-add), if counted."""
        return None if self.count_flops is None else self.count_flops()


def _arrays(seed: int, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s, dtype=np.float32) for s in shapes]


def _leaf(lib: ModuleType, array: np.ndarray, requires_grad: bool) -> Any:
    return lib.from_numpy(array.copy()).requires_grad_(requires_grad)


# ------------------------------------------------------------------------ op cases


def matmul(m: int = 256, k: int = 784, n: int = 256) -> Case:
    """(m x k) @ (k x n) float32, no autograd."""
    a, b = _arrays(1, (m, k), (k, n))

    def build(lib):
        ta, tb = lib.from_numpy(a), lib.from_numpy(b)
        return lambda: ta @ tb

    return Case(f"matmul_{m}x{k}x{n}", build, lambda: 2.0 * m * k * n)


def conv2d(cin: int, cout: int, hw: int, backward: bool, batch: int = 64) -> Case:
    """``F.conv2d`` 5x5 pad 2 on (batch, cin, hw, hw); with ``backward``, also the
    gradients for a random upstream gradient. The input needs a gradient except for a
    1-channel input (the network's first layer, where PyTorch skips that product)."""
    x, w, b, g = _arrays(2, (batch, cin, hw, hw), (cout, cin, 5, 5), (cout,), (batch, cout, hw, hw))
    w *= 0.1
    x_grad = backward and cin > 1
    macs = batch * cout * hw * hw * cin * 25
    products = 1 + (1 + x_grad if backward else 0)  # forward, weight grad, input grad

    def build(lib):
        F = lib.nn.functional
        tx = _leaf(lib, x, x_grad)
        tw, tb = _leaf(lib, w, backward), _leaf(lib, b, backward)
        tg = lib.from_numpy(g)
        if not backward:
            return lambda: F.conv2d(tx, tw, tb, padding=2)

        def step():
            tx.grad = tw.grad = tb.grad = None
            out = F.conv2d(tx, tw, tb, padding=2)
            out.backward(tg)
            return tw.grad

        return step

    name = f"conv2d_{'fwdbwd' if backward else 'fwd'}_{cin}to{cout}_{hw}x{hw}"
    return Case(name, build, lambda: 2.0 * macs * products)


def max_pool2d(backward: bool, shape: tuple[int, ...] = (64, 16, 28, 28)) -> Case:
    """``F.max_pool2d(x, 2)``; with ``backward``, also the input gradient."""
    x, g = _arrays(3, shape, shape[:2] + (shape[2] // 2, shape[3] // 2))

    def build(lib):
        F = lib.nn.functional
        tx, tg = _leaf(lib, x, backward), lib.from_numpy(g)
        if not backward:
            return lambda: F.max_pool2d(tx, 2)

        def step():
            tx.grad = None
            F.max_pool2d(tx, 2).backward(tg)
            return tx.grad

        return step

    return Case(f"max_pool2d_{'fwdbwd' if backward else 'fwd'}", build)


def cross_entropy(batch: int, classes: int = 10) -> Case:
    """``F.cross_entropy`` on (batch, classes) logits, forward and backward."""
    (logits,) = _arrays(4, (batch, classes))
    target = np.random.default_rng(5).integers(0, classes, batch)

    def build(lib):
        F = lib.nn.functional
        tx, tt = _leaf(lib, logits, True), lib.from_numpy(target)

        def step():
            tx.grad = None
            F.cross_entropy(tx, tt).backward()
            return tx.grad

        return step

    return Case(f"cross_entropy_fwdbwd_b{batch}", build)


def _chain(x: Any) -> Any:
    """Eleven elementwise ops: a stand-in for the glue code between layers."""
    y = x * 1.5 + 0.5
    y = y.tanh() * x
    y = y - x.sigmoid()
    y = y.relu() / (1 + x * x)
    return y.exp()


def elementwise_chain(backward: bool, shape: tuple[int, int] = (64, 256)) -> Case:
    """:func:`_chain` on a (64, 256) tensor; with ``backward``, through autograd."""
    x, g = _arrays(6, shape, shape)

    def build(lib):
        tx, tg = _leaf(lib, x, backward), lib.from_numpy(g)
        if not backward:
            return lambda: _chain(tx)

        def step():
            tx.grad = None
            _chain(tx).backward(tg)
            return tx.grad

        return step

    return Case(f"elementwise_chain_{'fwdbwd' if backward else 'fwd'}", build)


# ------------------------------------------------------------------ training cases


@functools.cache
def count_train_flops(model_name: str, batch: int) -> float:
    r"""FLOPs of one training step's conv and linear layers (2 per multiply-add).

    Forward: ``out.numel() * fan_in`` multiply-adds per layer. Backward: as many again
    for the weight gradient, and again for the input gradient unless the layer's input
    needs none (the first layer). Elementwise work, pooling and the optimizer are left
    out: they are memory-bound, not FLOP-bound. Shapes come from a torch forward pass.

    An LSTM layer counts the same way: per step and sequence, :math:`4H` outputs of fan-in
    ``input_size`` (the input projection) and of fan-in :math:`H` (the recurrent product),
    whose input (the previous state) always needs a gradient.
    """
    import torch

    builder, image = MODELS[model_name]
    return 2.0 * _layer_macs(torch, builder(torch), (batch,) + image)


def _layer_macs(torch: ModuleType, model: Any, input_shape: tuple[int, ...]) -> int:
    """Multiply-adds of the linear and (transposed) conv layers of a torch ``model`` in one
    training step on zeros of ``input_shape``: forward, weight gradient, and the input
    gradient where the layer's input requires one."""
    macs = 0

    def hook(module, inputs, out):
        nonlocal macs
        # fan_in = weight[0].numel(): in_features, or in_channels/groups * kh * kw; a
        # transposed conv instead sends each *input* value to C_out/groups * kh * kw outputs
        moved = inputs[0] if isinstance(module, torch.nn.ConvTranspose2d) else out
        forward = moved.numel() * module.weight[0].numel()
        macs += forward * (2 + inputs[0].requires_grad)

    def lstm_hook(module, inputs, out):
        # per layer, step and sequence: the input and the recurrent projections into the
        # 4 gates (forward, weight gradient, input gradient where needed; the recurrent
        # one always needs the gradient of h)
        nonlocal macs
        x = inputs[0]
        rows = x.shape[0] * x.shape[1]  # steps x sequences
        gates, hidden = 4 * module.hidden_size, module.hidden_size
        for layer in range(module.num_layers):
            fan_in = module.input_size if layer == 0 else hidden
            needs_input_grad = layer > 0 or x.requires_grad
            macs += rows * gates * (fan_in * (2 + needs_input_grad) + hidden * 3)

    layers = (torch.nn.Linear, torch.nn.Conv2d, torch.nn.ConvTranspose2d)
    for m in model.modules():
        if isinstance(m, layers):
            m.register_forward_hook(hook)
        elif isinstance(m, torch.nn.LSTM) and not m.bidirectional and not m.proj_size:
            m.register_forward_hook(lstm_hook)
    model(torch.zeros(input_shape))  # requires_grad of each layer input: see above
    return macs


def _optimizer_step(loss_of: Callable[[], Any], opt: Any) -> Step:
    """A training step: ``loss_of()`` (forward and loss), backward, ``opt.step()``,
    ``opt.zero_grad()``; returns the loss."""

    def step():
        loss = loss_of()
        loss.backward()
        opt.step()
        opt.zero_grad()
        return loss

    return step


def train_step(model_name: str, batch: int, target: float | None = None,
               contention: bool = False) -> Case:
    """One training step: forward, cross-entropy, backward, Adam step, zero_grad.

    With ``contention``, the same step is timed while another CPU-bound process runs."""
    builder, image = MODELS[model_name]
    (x,) = _arrays(7, (batch,) + image)
    y = np.random.default_rng(8).integers(0, 10, batch)

    def build(lib):
        model = builder(lib)
        init_parameters(lib, model)
        opt = lib.optim.Adam(model.parameters(), lr=1e-3)
        F = lib.nn.functional
        tx, ty = lib.from_numpy(x), lib.from_numpy(y)
        return _optimizer_step(lambda: F.cross_entropy(model(tx), ty), opt)

    return Case(f"{'contention_' if contention else ''}train_{model_name}_b{batch}", build,
                functools.partial(count_train_flops, model_name, batch), target, kind="train",
                contention=contention)


@functools.cache
def count_dcgan_flops(batch: int, nz: int = 100) -> float:
    r"""FLOPs of the generator step's transposed convolutions (2 per multiply-add).

    Forward: every input pixel meets ``C_out/g * kh * kw`` weights; backward as many
    again for the weight gradient, and again for the input gradient except for the first
    layer (z needs none). See :func:`_layer_macs`.
    """
    import torch

    return 2.0 * _layer_macs(torch, dcgan_generator(torch, nz), (batch, nz, 1, 1))


def train_dcgan_generator(batch: int = 64, nz: int = 100) -> Case:
    """One generator step of the DCGAN tutorial: z -> 64x64 RGB images (ConvTranspose2d
    stack), a mean-squared loss against fixed target images (standing in for the
    discriminator's verdict: the generator's own work is the same), backward, Adam step.
    """
    z, target = _arrays(9, (batch, nz, 1, 1), (batch, 3, 64, 64))
    target = np.tanh(target)

    def build(lib):
        model = dcgan_generator(lib, nz)
        init_parameters(lib, model)
        opt = lib.optim.Adam(model.parameters(), lr=2e-4, betas=(0.5, 0.999))
        tz, tt = lib.from_numpy(z), lib.from_numpy(target)
        return _optimizer_step(lambda: lib.nn.functional.mse_loss(model(tz), tt), opt)

    return Case(f"train_dcgan_generator_b{batch}", build,
                functools.partial(count_dcgan_flops, batch, nz), kind="train")


# ------------------------------------------------------------------------ registry

TRAIN_TARGETS = {("cnn", 64): 1.5, ("cnn", 256): 1.5, ("mlp", 64): 1.3, ("lstm", 100): 1.5}
"""The project's goals for minitorch / torch time of a training step."""

ZOO = (("blitz", 4), ("blitz", 64), ("vgg", 32), ("resnet", 32), ("wide_mlp", 256),
       ("small_mlp", 1))
"""The model zoo at the batch sizes users run them with (the blitz trains at batch 4)."""

EPOCH_TARGETS = {"wall": 1.5, "peak_memory": 2.0}
"""The project's goals for one MNIST epoch of the tutorial CNN."""


def all_cases(batch_sizes: tuple[int, ...] = (64, 256)) -> list[Case]:
    """Every case, in the order they run (cheap ops first, the long epoch last)."""
    cases = [
        matmul(),
        conv2d(1, 16, 28, backward=False),
        conv2d(1, 16, 28, backward=True),
        conv2d(16, 32, 14, backward=False),
        conv2d(16, 32, 14, backward=True),
        max_pool2d(backward=False),
        max_pool2d(backward=True),
        *(cross_entropy(b) for b in batch_sizes),
        elementwise_chain(backward=False),
        elementwise_chain(backward=True),
    ]
    for model_name in ("mlp", "cnn", "lenet"):
        for b in batch_sizes:
            cases.append(train_step(model_name, b, TRAIN_TARGETS.get((model_name, b))))
    cases += [train_step(name, b) for name, b in ZOO]
    cases.append(train_step("cnn", 64, contention=True))
    cases.append(train_dcgan_generator(64))
    cases.append(train_step("lstm", 100, TRAIN_TARGETS[("lstm", 100)]))
    cases.append(Case("epoch_cnn", build=lambda lib: None, target=EPOCH_TARGETS["wall"],
                      kind="epoch", long=True))
    return cases


def select(cases: list[Case], patterns: str | None, include_long: bool = False) -> list[Case]:
    """The cases whose name starts with one of the comma-separated ``patterns``.

    With no patterns, every case that is not long (plus the long ones if
    ``include_long``). A long case runs only when a pattern names it or ``include_long``.
    """
    if not patterns:
        return [c for c in cases if include_long or not c.long]
    wanted = [p.strip() for p in patterns.split(",") if p.strip()]
    chosen = [c for c in cases if any(c.name.startswith(p) for p in wanted)
              or (include_long and c.long)]
    unknown = [p for p in wanted if not any(c.name.startswith(p) for c in cases)]
    if unknown:
        names = ", ".join(c.name for c in cases)
        raise ValueError(f"no benchmark case matches {unknown}; the cases are: {names}")
    return chosen
