"""CIFAR-10 with a convolutional network: the 60-minute blitz's classifier, or a 3-conv net.

``--model blitz`` (default): the PyTorch blitz's ``Net``: conv(3 -> 6, 5x5) - ReLU -
max-pool 2 - conv(6 -> 16, 5x5) - ReLU - max-pool 2 - linear(400 -> 120) - ReLU -
linear(120 -> 84) - ReLU - linear(84 -> 10), trained as the blitz trains it: SGD, learning
rate 0.001, momentum 0.9, batches of 4, 2 epochs.

``--model notes``: three 3x3 conv blocks (3 -> 32 -> 64 -> 128 channels, each conv -
ReLU - max-pool 2, 32 -> 16 -> 8 -> 4 pixels) and a classifier linear(2048 -> 256) - ReLU -
linear(256 -> 10), the shape of the course notes' CIFAR-10 network; Adam, learning rate
0.001, batches of 64, 10 epochs.

Images are normalised as the blitz does, ``Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))``
after ``ToTensor``. ``--augment`` adds the usual ``RandomCrop(32, padding=4)`` and
``RandomHorizontalFlip()`` on the PIL images (then each batch is built image by image).

The data are the published Python-pickle batches in ``<data-dir>/cifar-10-batches-py``
(``--download`` fetches them; default ``--data-dir``: ``$MINITORCH_CIFAR10_DIR``, else
``../shared/data`` beside the repository, else ``data``). No accuracy is claimed here: it was
not measured on the real data set on these machines.

    python examples/cifar10_cnn.py --download
    python examples/cifar10_cnn.py --model notes --compare-torch --epochs 1
    python examples/cifar10_cnn.py --show-graph --tensorboard --epochs 1
"""

from __future__ import annotations

import argparse
import os
import sys

import _common as common

import minitorch
from minitorch.utils.data import TensorDataset
from minitorch.vision import datasets, transforms

MODELS = {
    # name: (default epochs, batch size, learning rate)
    "blitz": (2, 4, 1e-3),
    "notes": (10, 64, 1e-3),
}
MEAN, STD = (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)


def blitz_net(nn):
    """The blitz's ``Net``, from ``nn`` = ``minitorch.nn`` (or ``torch.nn``)."""
    return nn.Sequential(
        nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2, 2),    # 6 x 14 x 14
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),   # 16 x 5 x 5
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def notes_net(nn):
    """Three conv blocks and a two-layer classifier."""
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # 32 x 16 x 16
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 64 x 8 x 8
        nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 128 x 4 x 4
        nn.Flatten(),
        nn.Linear(128 * 4 * 4, 256), nn.ReLU(),
        nn.Linear(256, 10),
    )


def make_optimizer(model_name, optim, params, lr):
    if model_name == "blitz":
        return optim.SGD(params, lr=lr, momentum=0.9)
    return optim.Adam(params, lr=lr)


# ----------------------------------------------------------------------------- data


def default_cifar_dir() -> str:
    """``$MINITORCH_CIFAR10_DIR``, else ``../shared/data`` beside the repository, else ``data``."""
    if os.environ.get("MINITORCH_CIFAR10_DIR"):
        return os.environ["MINITORCH_CIFAR10_DIR"]
    shared = common.REPO_ROOT.parent / "shared" / "data"
    return str(shared) if shared.is_dir() else "data"


def load_cifar10(args):
    """Training and test sets. Without ``--augment`` both are TensorDatasets on ``--device``,
    converted once (``ToTensor`` + ``Normalize`` on all images at once: the same values as
    per image); with it the training set is the CIFAR10 data set with the augmenting
    transform, whose batches go to the device as they are made."""
    normalize = transforms.Normalize(MEAN, STD)
    splits = []
    for train, limit in ((True, args.limit_train), (False, args.limit_test)):
        try:
            ds = datasets.CIFAR10(args.data_dir, train=train, download=args.download)
        except RuntimeError as e:
            common.fail(f"{e} (looked in {os.path.abspath(args.data_dir)}/"
                        f"{datasets.CIFAR10.base_folder}; pass --data-dir or --download)")
        if train and args.augment:
            ds.transform = transforms.Compose([
                transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip(),
                transforms.ToTensor(), normalize])
            if limit is not None:
                ds.data, ds.targets = ds.data[:limit], ds.targets[:limit]
            splits.append(ds)
            continue
        images = transforms.to_chw_array(ds.data[:limit])  # (N, 3, 32, 32) in [0, 1]
        labels = minitorch.tensor(ds.targets[:limit], dtype=minitorch.int64)
        dataset = TensorDataset(normalize(minitorch.from_numpy(images)), labels)
        splits.append(common.prepare(dataset, None, args.device))
    return splits[0], splits[1]


# ------------------------------------------------------------------------ training


def train_one_epoch(net, criterion, optimizer, batches) -> float:
    """One pass over the training batches, the blitz's loop; returns the mean training loss."""
    net.train()
    running_loss, seen = 0.0, 0
    for inputs, labels in batches:
        optimizer.zero_grad()               # zero the parameter gradients
        outputs = net(inputs)               # forward
        loss = criterion(outputs, labels)
        loss.backward()                     # backward: d loss / d parameter into .grad
        optimizer.step()                    # optimize
        running_loss += loss.item() * len(labels)
        seen += len(labels)
    return running_loss / seen


def evaluate(lib, net, criterion, batches) -> tuple[float, float]:
    """Mean loss and accuracy on the test images, in eval mode and without gradients."""
    net.eval()
    total_loss, correct, total = 0.0, 0, 0
    with lib.no_grad():                     # no graph: we only look at the outputs
        for images, labels in batches:
            outputs = net(images)
            total_loss += criterion(outputs, labels).item() * len(labels)
            _, predicted = lib.max(outputs, 1)  # the class with the highest energy
            correct += (predicted == labels).sum().item()
            total += len(labels)
    return total_loss / total, correct / total


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", choices=sorted(MODELS), default="blitz",
                        help="blitz: the 60-minute blitz's Net (default); notes: a 3-conv net")
    parser.add_argument("--augment", action="store_true",
                        help="RandomCrop(32, padding=4) and RandomHorizontalFlip on the training "
                             "images")
    parser.add_argument("--download", action="store_true",
                        help="download CIFAR-10 into --data-dir if it is not there")
    parser.set_defaults(data_dir=default_cifar_dir())


def main(argv: list[str] | None = None) -> int:
    probe = argparse.ArgumentParser(add_help=False)
    probe.add_argument("--model", choices=sorted(MODELS), default="blitz")
    model_name = probe.parse_known_args(argv if argv is not None else sys.argv[1:])[0].model
    epochs, batch_size, lr = MODELS[model_name]
    args = common.parse_args("cifar10_cnn", __doc__, epochs=epochs, batch_size=batch_size, lr=lr,
                             argv=argv, add_arguments=add_arguments)
    train_set, test_set = load_cifar10(args)
    learners = common.make_learners(    # minitorch's, and PyTorch's with --compare-torch
        args, build_model=blitz_net if args.model == "blitz" else notes_net,
        make_optimizer=lambda optim, params: make_optimizer(args.model, optim, params, args.lr),
        make_loss=lambda nn: nn.CrossEntropyLoss())
    if args.show_graph:  # the graph of one batch, and its backward pass as a web page
        common.show_graph(learners[0], train_set, args)

    # the loop above, for every epoch (and both libraries with --compare-torch), then
    # checkpoints, curves.png and the summary
    common.run_epochs(learners, args, train_set, test_set, train_one_epoch, evaluate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
