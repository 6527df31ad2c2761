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


def main(argv: list[str] | None = None) -> int:
    args = common.parse_args("linear_regression", __doc__, epochs=20, batch_size=16, lr=0.05,
                             argv=argv)
    data = minitorch.Generator().manual_seed(args.seed)
    train_set, test_set = make_data(200, data), make_data(100, data)

    result = common.fit(
        args,
        build_model=lambda nn: nn.Linear(1, 1),
        make_optimizer=lambda optim, params: optim.SGD(params, lr=args.lr),
        make_loss=lambda nn: nn.MSELoss(),
        train_set=train_set, test_set=test_set)

    model = result.model
    print(f"learned: y = {model.weight.item():.4f} x + {model.bias.item():.4f}"
          "   (true: y = 2x + 1)")
    common.plot_fit(Path(args.out_dir) / "fit.png", model, train_set, args.device,
                    f"learned y = {model.weight.item():.3f} x + {model.bias.item():.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
