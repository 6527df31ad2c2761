"""``--tensorboard``: log an example's training to TensorBoard (the examples' tiny API).

    python examples/mnist_cnn.py --tensorboard            # logs to <out-dir>/tensorboard
    tensorboard --logdir runs                             # then open http://localhost:6006

What is logged, with :class:`minitorch.utils.tensorboard.SummaryWriter`:

* per epoch: ``loss/train``, ``loss/test`` and (classifiers) ``accuracy/test``;
* once, from the first training batch: the model's autograd graph (Graphs tab) and, for
  image inputs ``(N, C, H, W)``, a grid of the first 64 images (Images tab).

The examples call four things: :func:`add_argument` on their parser,
:func:`from_args`, then ``logger.log_first_batch(model, x)``,
``logger.log_epoch(epoch, ...)`` and ``logger.close()``; without ``--tensorboard`` the
logger does nothing (and tensorboard need not be installed), and ``logger.enabled`` is
false, so no batch need be fetched for ``log_first_batch``.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

DEFAULT = "<out-dir>/tensorboard"


def add_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--tensorboard [DIR]`` to an example's command line."""
    parser.add_argument(
        "--tensorboard", nargs="?", const=DEFAULT, default=None, metavar="DIR",
        help=f"log loss/accuracy curves, the graph and input images to TensorBoard in DIR "
             f"(default {DEFAULT}); view with: tensorboard --logdir DIR",
    )


class Logger:
    """What an example logs; every method does nothing when ``log_dir`` is ``None``."""

    def __init__(self, log_dir: str | None) -> None:
        self.writer = None
        if log_dir is not None:
            from minitorch.utils.tensorboard import SummaryWriter

            self.writer = SummaryWriter(log_dir)

    @property
    def enabled(self) -> bool:
        """Whether ``--tensorboard`` was given (whether anything is logged)."""
        return self.writer is not None

    def log_first_batch(self, model: Any, x: Any) -> None:
        """The model's graph on one input, and a grid of the first images of an image batch."""
        if self.writer is None:
            return
        if x.dim() == 4:
            images = x[:64].detach()
            low, high = images.min(), images.max()  # inputs are normalised: back to [0, 1]
            self.writer.add_images("inputs/first_batch", (images - low) / (high - low + 1e-12), 0)
        self.writer.add_graph(model, x[:1])

    def log_epoch(self, epoch: int, train_loss: float, test_loss: float,
                  test_acc: float | None = None) -> None:
        """One epoch's curves."""
        if self.writer is None:
            return
        self.writer.add_scalar("loss/train", train_loss, epoch)
        self.writer.add_scalar("loss/test", test_loss, epoch)
        if test_acc is not None:
            self.writer.add_scalar("accuracy/test", test_acc, epoch)
        self.writer.flush()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def from_args(args: argparse.Namespace) -> Logger:
    """The logger that ``--tensorboard`` asks for (``<out-dir>/tensorboard`` by default)."""
    log_dir = getattr(args, "tensorboard", None)
    if log_dir == DEFAULT:
        log_dir = os.path.join(args.out_dir, "tensorboard")
    return Logger(log_dir)
