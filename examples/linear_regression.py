"""Linear regression: fit y = 2x + 1 (plus a little noise) with one ``nn.Linear(1, 1)``.

The smallest complete training run: a linear model, the mean squared error and plain
stochastic gradient descent on mini-batches. It prints the learned weight and bias (close
to 2 and 1) and saves ``fit.png`` (the data and the fitted line) and ``curves.png``.

    python examples/linear_regression.py              # 20 epochs, about a second
    python examples/linear_regression.py --compare-torch
"""

from __future__ import annotations

from pathlib import Path

import _common as common

import minitorch
from minitorch.utils.data import TensorDataset


def make_data(n: int, generator: minitorch.Generator) -> TensorDataset:
    """``n`` points with x uniform in [-2, 2) and y = 2x + 1 + noise (standard deviation 0.1)."""
    x = minitorch.rand(n, 1, generator=generator) * 4 - 2
    y = 2 * x + 1 + 0.1 * minitorch.randn(n, 1, generator=generator)
    return TensorDataset(x, y)


def train_one_epoch(model, loss_fn, optimizer, batches) -> float:
    """One pass over the training batches; returns the mean training loss."""
    model.train()
    total, n = 0.0, 0
    for x, y in batches:
        optimizer.zero_grad()      # gradients accumulate: clear the last step's
        output = model(x)          # forward: records the graph
        loss = loss_fn(output, y)
        loss.backward()            # backward: fills p.grad for every parameter p
        optimizer.step()           # update the parameters from their .grad
        total += loss.item() * len(y)
        n += len(y)
    return total / n


def evaluate(lib, model, loss_fn, batches) -> float:
    """Mean loss over the test batches, without recording a graph."""
    model.eval()
    total, n = 0.0, 0
    with lib.no_grad():
        for x, y in batches:
            total += loss_fn(model(x), y).item() * len(y)
            n += len(y)
    return total / n


def main(argv: list[str] | None = None) -> int:
    args = common.parse_args("linear_regression", __doc__, epochs=20, batch_size=16, lr=0.05,
                             argv=argv)
    data = minitorch.Generator().manual_seed(args.seed)
    train_set, test_set = make_data(200, data), make_data(100, data)

    train_set = common.prepare(train_set, args.limit_train, args.device)
    test_set = common.prepare(test_set, args.limit_test, args.device)
    learners = common.make_learners(  # minitorch's, and PyTorch's with --compare-torch
        args,
        build_model=lambda nn: nn.Linear(1, 1),
        make_optimizer=lambda optim, params: optim.SGD(params, lr=args.lr),
        make_loss=lambda nn: nn.MSELoss())
    if args.show_graph:  # the graph of one batch, and its backward pass as a web page
        common.show_graph(learners[0], train_set, args)
    # the loop above, for every epoch (and both libraries with --compare-torch), then
    # checkpoints, curves.png and the summary
    common.run_epochs(learners, args, train_set, test_set, train_one_epoch, evaluate)
    model = learners[0].model

    print(f"learned: y = {model.weight.item():.4f} x + {model.bias.item():.4f}"
          "   (true: y = 2x + 1)")
    common.plot_fit(Path(args.out_dir) / "fit.png", model, train_set, args.device,
                    f"learned y = {model.weight.item():.3f} x + {model.bias.item():.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
