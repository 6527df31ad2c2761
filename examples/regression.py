"""Nonlinear regression: fit y = sin(3x) + noise with a small MLP, Adam and mini-batches.

The data go into a ``TensorDataset`` read by a shuffling ``DataLoader``; the network is
1 -> 64 -> 64 -> 1 with the activation chosen by ``--activation`` (ReLU gives a piecewise
linear fit, sigmoid a smooth one). Saves ``fit.png`` (test targets and the model's
predictions) and ``curves.png``.

    python examples/regression.py                     # ReLU, 60 epochs, a few seconds
    python examples/regression.py --activation sigmoid --epochs 150
"""

from __future__ import annotations

from pathlib import Path

import _common as common
from linear_regression import evaluate, train_one_epoch  # the same loop, shown there

import minitorch
from minitorch.utils.data import TensorDataset


def make_data(n: int, generator: minitorch.Generator) -> TensorDataset:
    """``n`` points with x uniform in [-2, 2) and y = sin(3x) + noise (standard deviation 0.1)."""
    x = minitorch.rand(n, 1, generator=generator) * 4 - 2
    y = minitorch.sin(3 * x) + 0.1 * minitorch.randn(n, 1, generator=generator)
    return TensorDataset(x, y)


def main(argv: list[str] | None = None) -> int:
    args = common.parse_args(
        "regression", __doc__, epochs=60, batch_size=32, lr=5e-3, argv=argv,
        add_arguments=lambda p: p.add_argument("--activation", choices=("relu", "sigmoid"),
                                               default="relu", help="hidden activation"))
    data = minitorch.Generator().manual_seed(args.seed)
    train_set, test_set = make_data(1000, data), make_data(200, data)

    def build_model(nn):
        act = nn.ReLU if args.activation == "relu" else nn.Sigmoid
        return nn.Sequential(nn.Linear(1, 64), act(), nn.Linear(64, 64), act(), nn.Linear(64, 1))

    train_set = common.prepare(train_set, args.limit_train, args.device)
    test_set = common.prepare(test_set, args.limit_test, args.device)
    learners = common.make_learners(  # minitorch's, and PyTorch's with --compare-torch
        args,
        build_model=build_model,
        make_optimizer=lambda optim, params: optim.Adam(params, lr=args.lr),
        make_loss=lambda nn: nn.MSELoss())
    if args.show_graph:  # the graph of one batch, and its backward pass as a web page
        common.show_graph(learners[0], train_set, args)
    # the loop above, for every epoch (and both libraries with --compare-torch), then
    # checkpoints, curves.png and the summary
    common.run_epochs(learners, args, train_set, test_set, train_one_epoch, evaluate)
    model = learners[0].model

    common.plot_fit(Path(args.out_dir) / "fit.png", model, test_set, args.device,
                    f"y = sin(3x) + noise: MLP ({args.activation}), test set")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
