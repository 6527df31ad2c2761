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
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import _common as common

import minitorch
from minitorch.utils.data import DataLoader, TensorDataset
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
    """Training and test sets. Without ``--augment`` both are TensorDatasets, converted once
    (``ToTensor`` + ``Normalize`` on all images at once: the same values as per image);
    with it the training set is the CIFAR10 data set with the augmenting transform."""
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
        splits.append(TensorDataset(normalize(minitorch.from_numpy(images)), labels))
    return splits[0], splits[1]


# ------------------------------------------------------------------------ training


def train_step(lrn, x, y):
    """One optimisation step, the tutorial's four lines."""
    lrn.optimizer.zero_grad()
    outputs = lrn.model(x)
    loss = lrn.loss_fn(outputs, y)
    loss.backward()
    lrn.optimizer.step()
    return loss.item()


def evaluate(lrn, loader):
    """Mean loss and accuracy over ``loader``, in eval mode and without gradients."""
    lrn.model.eval()
    total_loss, correct, n = 0.0, 0, 0
    with lrn.lib.no_grad():
        for x, y in loader:
            x, y = lrn.convert(x), lrn.convert(y)
            outputs = lrn.model(x)
            total_loss += lrn.loss_fn(outputs, y).item() * y.shape[0]
            correct += (outputs.argmax(1) == y).sum().item()
            n += y.shape[0]
    return total_loss / n, correct / n


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
    build_model = blitz_net if args.model == "blitz" else notes_net
    train_set, test_set = load_cifar10(args)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    minitorch.manual_seed(args.seed)
    model = build_model(minitorch.nn).to(args.device)
    optimizer = make_optimizer(args.model, minitorch.optim, model.parameters(), args.lr)
    learner = common.Learner(minitorch, model, optimizer, minitorch.nn.CrossEntropyLoss(),
                             args.device)
    start = common.load_checkpoint(args.resume, learner, args) if args.resume else 0
    learners = [learner]
    if args.compare_torch:  # PyTorch's twin: same architecture, same initial weights
        learners.append(common.make_torch_twin(
            learner, build_model,
            lambda optim, params: make_optimizer(args.model, optim, params, args.lr),
            lambda nn: nn.CrossEntropyLoss(), None, args))

    test_set = TensorDataset(*(t.to(args.device) for t in test_set.tensors))
    test_loader = DataLoader(test_set, batch_size=common.EVAL_BATCH_SIZE)
    for epoch in range(start + 1, args.epochs + 1):
        order = minitorch.Generator().manual_seed(args.seed + epoch)
        loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, generator=order)
        n_batches = min(len(loader), args.max_batches or len(loader))
        bar = common.progress(loader, n_batches, f"epoch {epoch}/{args.epochs}", args.quiet)
        batches = iter(bar)
        losses = [0.0] * len(learners)
        step_seconds = [0.0] * len(learners)
        data_seconds, seen = 0.0, 0
        for lrn in learners:
            lrn.model.train()
        for _ in range(n_batches):
            tic = time.perf_counter()
            x, y = next(batches)
            x, y = x.to(args.device), y.to(args.device)
            data_seconds += time.perf_counter() - tic
            for k, lrn in enumerate(learners):  # every library steps on the same batch
                tic = time.perf_counter()
                losses[k] += train_step(lrn, lrn.convert(x), lrn.convert(y)) * y.shape[0]
                step_seconds[k] += time.perf_counter() - tic
            seen += y.shape[0]
        if hasattr(bar, "close"):
            bar.close()
        for k, lrn in enumerate(learners):
            tic = time.perf_counter()
            test_loss, test_acc = evaluate(lrn, test_loader)
            lrn.record(train_loss=losses[k] / seen, test_loss=test_loss, test_acc=test_acc,
                       step_seconds=step_seconds[k],
                       data_seconds=data_seconds if lrn is learner else 0.0,
                       eval_seconds=time.perf_counter() - tic)
        common.save_checkpoint(out_dir / common.CHECKPOINT, learner, epoch, args)
        if not args.quiet:
            print(" | ".join(common._epoch_line(lrn, epoch, args.epochs, len(learners) > 1)
                             for lrn in learners), flush=True)

    common.plot_curves(learners, out_dir / common.CURVES)
    common.print_summary(learners, args, out_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
