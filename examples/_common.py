"""What the examples share: the command line, data set-up, checkpoints, plots and the
comparison with PyTorch. The training loop is *not* here: each example shows its own
(``model.train()``, ``optimizer.zero_grad()``, forward, loss, ``loss.backward()``,
``optimizer.step()``, then an evaluation under ``no_grad``), as the PyTorch tutorials do.

The model, optimizer and loss are given as *recipes*, functions of the library
(``build_model(nn)``, ``make_optimizer(optim, params)``, ``make_loss(nn)``), so that
``--compare-torch`` builds the very same network with PyTorch from the very same code
(:func:`make_learners`), and the example's loop trains both: minitorch's promise is
PyTorch's names and semantics. The two libraries never train at the same time: minitorch's
whole run comes first, then PyTorch's, so the seconds printed for each are its own
(:func:`run_epochs`).

Reproducibility and ``--resume``
--------------------------------
The model is initialised after ``minitorch.manual_seed(seed)``; epoch ``e`` shuffles the
training set with its own generator seeded ``seed + e``. A checkpoint written after each
epoch holds the model, the optimizer, the epoch, minitorch's RNG state and the history, so
resuming from epoch ``e`` replays epochs ``e + 1, ...`` exactly as an uninterrupted run does.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent

try:  # run from a checkout without `pip install -e .`
    import minitorch
except ImportError:
    sys.path.insert(0, str(REPO_ROOT))
    import minitorch

import _tensorboard

from minitorch.utils.data import DataLoader, TensorDataset

EVAL_BATCH_SIZE = 1000
CHECKPOINT = "checkpoint.pt"
CURVES = "curves.png"
HISTORY_KEYS = ("train_loss", "test_loss", "test_acc", "step_seconds", "data_seconds",
                "eval_seconds")


def fail(message: str) -> None:
    """Print ``error: message`` to stderr and exit with status 2 (no traceback)."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


# ----------------------------------------------------------------------- command line


def default_data_dir() -> str:
    """``$MINITORCH_MNIST_DIR``, else ``../shared/data/mnist`` beside the repository, else ``data``."""
    if os.environ.get("MINITORCH_MNIST_DIR"):
        return os.environ["MINITORCH_MNIST_DIR"]
    shared = REPO_ROOT.parent / "shared" / "data" / "mnist"
    return str(shared) if shared.is_dir() else "data"


def parse_args(name: str, description: str | None, *, epochs: int, batch_size: int, lr: float,
               argv: list[str] | None = None,
               add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
               ) -> argparse.Namespace:
    """The flags every example takes, with the example's own defaults.

    ``add_arguments(parser)`` adds an example's extra flags. Bad combinations (no GPU for
    ``--device cuda``, no PyTorch for ``--compare-torch``) exit with status 2 and a message.
    """
    p = argparse.ArgumentParser(prog=f"{name}.py", description=description,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=epochs, help=f"epochs to train (default {epochs})")
    p.add_argument("--batch-size", type=int, default=batch_size,
                   help=f"training mini-batch size (default {batch_size})")
    p.add_argument("--lr", type=float, default=lr, help=f"learning rate (default {lr})")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--data-dir", default=default_data_dir(),
                   help="folder holding the MNIST files (default: $MINITORCH_MNIST_DIR, else "
                        "../shared/data/mnist beside the repository, else ./data); "
                        "unused by the regression examples")
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                   help="where to train (cuda needs CuPy and a GPU)")
    p.add_argument("--max-batches", type=int, metavar="N",
                   help="stop each epoch after N batches (quick smoke runs)")
    p.add_argument("--limit-train", type=int, metavar="N", help="train on the first N samples only")
    p.add_argument("--limit-test", type=int, metavar="N", help="test on the first N samples only")
    p.add_argument("--out-dir", default=os.path.join("runs", name),
                   help=f"where plots and checkpoints go (default runs/{name})")
    p.add_argument("--resume", metavar="PATH", help=f"continue from a checkpoint ({CHECKPOINT})")
    p.add_argument("--compare-torch", action="store_true",
                   help="train the identical model with PyTorch side by side and compare")
    p.add_argument("--quiet", action="store_true", help="no progress bars or per-epoch lines")
    _tensorboard.add_argument(p)
    p.add_argument("--show-graph", action="store_true",
                   help="draw the graph of one batch (graph.svg) and write a page that steps "
                        "through its backward pass (backward.html) in --out-dir")
    if add_arguments is not None:
        add_arguments(p)
    args = p.parse_args(argv)
    args.name = name
    for flag in ("epochs", "batch_size", "max_batches", "limit_train", "limit_test"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            p.error(f"--{flag.replace('_', '-')} must be at least 1, got {value}")
    if args.device == "cuda" and not minitorch.cuda.is_available():
        p.error("--device cuda: no usable GPU (minitorch needs CuPy and a CUDA GPU)")
    if args.compare_torch:
        try:
            import torch  # noqa: F401
        except ImportError:
            p.error("--compare-torch needs PyTorch, which is not installed "
                    "(pip install torch, or run without --compare-torch)")
        if args.resume:
            p.error("--compare-torch cannot be combined with --resume (PyTorch's side is "
                    "not checkpointed); start a fresh run instead")
    return args


# ----------------------------------------------------------------------------- data


def load_mnist(args: argparse.Namespace) -> tuple[TensorDataset, TensorDataset]:
    """MNIST's training and test sets as TensorDatasets of normalised float32 images.

    The data set is opened the way the PyTorch tutorial opens it, with
    ``Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])``. Indexing it, ``ds[i]``, would
    run that transform once per image in Python; here it is applied once to all images
    (``as_arrays()`` is ``ToTensor`` on every image at once), so an epoch is spent training,
    not converting pixels. ``--limit-train`` / ``--limit-test`` keep the first N images.
    A missing file ends the program with the data set's message (exit status 2).
    """
    from minitorch.vision import datasets, transforms

    normalize = transforms.Normalize((0.1307,), (0.3081,))
    transform = transforms.Compose([transforms.ToTensor(), normalize])
    splits = []
    for train, limit in ((True, args.limit_train), (False, args.limit_test)):
        try:
            ds = datasets.MNIST(root=args.data_dir, train=train, transform=transform)
        except RuntimeError as e:
            fail(str(e))
        images, labels = ds.as_arrays()
        images, labels = images[:limit], labels[:limit]
        splits.append(TensorDataset(normalize(minitorch.from_numpy(images)),
                                    minitorch.from_numpy(labels)))
    return splits[0], splits[1]


def to_torch(t: minitorch.Tensor, device: Any) -> Any:
    """A minitorch tensor as a PyTorch tensor (same values, dtype and shape)."""
    import torch

    return torch.from_numpy(t.detach().cpu().numpy().copy()).to(device)


def progress(iterable: Any, total: int, desc: str, quiet: bool) -> Any:
    """A tqdm bar around ``iterable``; none with ``--quiet``, off a terminal, or without tqdm."""
    if quiet or not sys.stderr.isatty():
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, total=total, desc=desc, leave=False, dynamic_ncols=True)


# ------------------------------------------------------- the libraries side by side


@dataclass
class Learner:
    """One library's model, optimizer, loss function and scheduler, with the numbers of each
    epoch: minitorch's, or (``--compare-torch``) PyTorch's twin of it."""

    lib: Any  # the module: minitorch or torch
    model: Any
    optimizer: Any
    loss_fn: Any
    device: Any
    scheduler: Any = None  # stepped once per epoch
    history: dict[str, list] = field(default_factory=lambda: {k: [] for k in HISTORY_KEYS})

    @property
    def label(self) -> str:
        return "minitorch" if self.lib is minitorch else "PyTorch"

    def record(self, **values: float | None) -> None:
        """Append one epoch's numbers to the history."""
        for key in HISTORY_KEYS:
            self.history[key].append(values[key])

    def convert(self, t: minitorch.Tensor) -> Any:
        """A batch (minitorch tensors from the loader) in this library, on its device."""
        return t.to(self.device) if self.lib is minitorch else to_torch(t, self.device)


def make_learners(args: argparse.Namespace, *, build_model: Callable, make_optimizer: Callable,
                  make_loss: Callable, make_scheduler: Callable | None = None) -> list[Learner]:
    """minitorch's learner (and PyTorch's twin with ``--compare-torch``), built from recipes.

    ``build_model(nn)``, ``make_optimizer(optim, params)``, ``make_loss(nn)`` and
    ``make_scheduler(lr_scheduler, optimizer)`` are called with minitorch's modules, then
    with PyTorch's: minitorch's promise is PyTorch's names, so one recipe builds both. The
    model is initialised after ``minitorch.manual_seed(seed)``; the twin copies its weights.
    With ``--resume`` the minitorch learner continues from the checkpoint.
    """
    Path(args.out_dir).mkdir(parents=True, exist_ok=True)
    minitorch.manual_seed(args.seed)
    model = build_model(minitorch.nn).to(args.device)
    optimizer = make_optimizer(minitorch.optim, model.parameters())
    scheduler = (make_scheduler(minitorch.optim.lr_scheduler, optimizer)
                 if make_scheduler else None)
    learner = Learner(minitorch, model, optimizer, make_loss(minitorch.nn), args.device,
                      scheduler)
    args.start_epoch = load_checkpoint(args.resume, learner, args) if args.resume else 0
    learners = [learner]
    if args.compare_torch:
        learners.append(make_torch_twin(learner, build_model, make_optimizer, make_loss,
                                        make_scheduler, args))
    return learners


def make_torch_twin(learner: Learner, build_model: Callable, make_optimizer: Callable,
                    make_loss: Callable, make_scheduler: Callable | None,
                    args: argparse.Namespace) -> Learner:
    """PyTorch's copy of ``learner``: same architecture, same initial weights."""
    import torch

    torch.manual_seed(args.seed)
    device = torch.device("cuda" if args.device == "cuda" and torch.cuda.is_available() else "cpu")
    model = build_model(torch.nn).to(device)
    model.load_state_dict({k: to_torch(v, device) for k, v in learner.model.state_dict().items()})
    optimizer = make_optimizer(torch.optim, model.parameters())
    scheduler = make_scheduler(torch.optim.lr_scheduler, optimizer) if make_scheduler else None
    return Learner(torch, model, optimizer, make_loss(torch.nn), device, scheduler)


class Batches:
    """The batches of one epoch in ``learner``'s library and on its device, timing how long
    fetching them takes (``.data_seconds``): a ``DataLoader`` over ``dataset`` (a
    ``TensorDataset`` or any data set of tensors), at most ``--max-batches``.

    Training batches are shuffled by a generator seeded ``seed + epoch``, so every library,
    and a resumed run, sees the same batches in the same order.
    """

    def __init__(self, dataset: Any, args: argparse.Namespace, learner: Learner,
                 epoch: int | None = None) -> None:
        train = epoch is not None
        self.loader = DataLoader(
            dataset, batch_size=args.batch_size if train else EVAL_BATCH_SIZE, shuffle=train,
            generator=minitorch.Generator().manual_seed(args.seed + epoch) if train else None)
        self.n = min(len(self.loader), args.max_batches or len(self.loader)) if train \
            else len(self.loader)
        self.learner = learner
        self.desc = f"{learner.label} epoch {epoch}/{args.epochs}" if train else None
        self.quiet = args.quiet or not train
        self.data_seconds = 0.0

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        it = iter(self.loader)
        for _ in progress(range(self.n), self.n, self.desc, self.quiet):
            tic = time.perf_counter()
            x, y = next(it)
            x, y = self.learner.convert(x), self.learner.convert(y)
            self.data_seconds += time.perf_counter() - tic
            yield x, y


def prepare(dataset: TensorDataset, limit: int | None, device: str) -> TensorDataset:
    """The first ``limit`` samples of ``dataset`` (all with ``None``), on ``device``."""
    return TensorDataset(*(t[:limit].to(device) for t in dataset.tensors))


def first_batch(dataset: Any, args: argparse.Namespace) -> tuple[Any, Any]:
    """The first ``--batch-size`` samples of ``dataset``, in order, on ``--device``.

    Any data set works (a random transform, such as ``--augment``'s crops, runs as in
    training). Its draws come from a copy of minitorch's random state, restored afterwards,
    so asking for this batch (``--show-graph``, ``--tensorboard``) changes no training result.
    """
    state = minitorch.get_rng_state()
    x, y = next(iter(DataLoader(dataset, batch_size=args.batch_size)))
    minitorch.set_rng_state(state)
    return x.to(args.device), y.to(args.device)


# Seconds to wait before each library's run with --compare-torch: after a parallel call,
# OpenBLAS's and OpenMP's worker threads spin for a moment before they sleep, and spinning
# workers of the library that just ran would take the cores the other one is timed on.
SETTLE_SECONDS = 0.5


def run_epochs(learners: list[Learner], args: argparse.Namespace, train_set: Any,
               test_set: TensorDataset, train_one_epoch: Callable, evaluate: Callable) -> None:
    """The bookkeeping around an example's own loop: for each library, for each epoch,

    ``train_one_epoch(model, loss_fn, optimizer, batches)`` -> mean training loss, then the
    scheduler's step, then ``evaluate(lib, model, loss_fn, batches)`` -> test loss (or
    ``(loss, accuracy)``); the numbers and times go into the history, minitorch's learner is
    checkpointed, a line is printed; at the end, ``curves.png`` and the summary. With
    ``--tensorboard``, minitorch's curves, graph and first images go to TensorBoard too.

    With ``--compare-torch`` the libraries never train at the same time: minitorch's whole
    run comes first, then PyTorch's twin's, each after a pause of ``SETTLE_SECONDS`` in
    which the other library's idle worker threads stop spinning, so each library's seconds
    are its own. The twin starts from minitorch's initial weights and from minitorch's
    random state at the start (which draws the batches' order and any augmentation: the
    examples' models draw nothing while training), so it sees the same batches in the same
    order, and is evaluated the same way; the summary prints both side by side per epoch.
    """
    board = _tensorboard.from_args(args)
    if board.enabled:
        board.log_first_batch(learners[0].model, first_batch(train_set, args)[0])
    start_state = minitorch.get_rng_state()
    for lrn in learners:
        if len(learners) > 1:
            minitorch.set_rng_state(start_state)
            time.sleep(SETTLE_SECONDS)
        for epoch in range(args.start_epoch + 1, args.epochs + 1):
            _train_and_evaluate(lrn, epoch, args, train_set, test_set, train_one_epoch, evaluate)
            if lrn is learners[0]:
                board.log_epoch(epoch, *(lrn.history[k][-1] for k in HISTORY_KEYS[:3]))
                save_checkpoint(Path(args.out_dir) / CHECKPOINT, lrn, epoch, args)
            if not args.quiet:
                print(_epoch_line(lrn, epoch, args.epochs, len(learners) > 1), flush=True)
    board.close()
    plot_curves(learners, Path(args.out_dir) / CURVES)
    print_summary(learners, args, Path(args.out_dir))


def _train_and_evaluate(lrn: Learner, epoch: int, args: argparse.Namespace, train_set: Any,
                        test_set: TensorDataset, train_one_epoch: Callable,
                        evaluate: Callable) -> None:
    """One epoch of ``lrn``: train, step the scheduler, evaluate, record numbers and times."""
    batches = Batches(train_set, args, lrn, epoch)
    tic = time.perf_counter()
    train_loss = train_one_epoch(lrn.model, lrn.loss_fn, lrn.optimizer, batches)
    train_seconds = time.perf_counter() - tic
    if lrn.scheduler is not None:
        lrn.scheduler.step()
    tic = time.perf_counter()
    result = evaluate(lrn.lib, lrn.model, lrn.loss_fn, Batches(test_set, args, lrn))
    test_loss, test_acc = result if isinstance(result, tuple) else (result, None)
    lrn.record(train_loss=train_loss, test_loss=test_loss, test_acc=test_acc,
               step_seconds=train_seconds - batches.data_seconds,
               data_seconds=batches.data_seconds, eval_seconds=time.perf_counter() - tic)


def show_graph(learner: Learner, train_set: Any, args: argparse.Namespace) -> None:
    """``--show-graph``: draw the backward graph of the loss of the first training batch
    (``graph.svg``, leaves named after the model's parameters) and write the backward player
    (``backward.html``). The player runs ``loss.backward()``; the training loop's first
    ``optimizer.zero_grad()`` clears those gradients again."""
    from minitorch.viz import backward_html, make_dot

    model, (x, y) = learner.model, first_batch(train_set, args)
    loss = learner.loss_fn(model(x), y)
    params = dict(model.named_parameters())
    out_dir = Path(args.out_dir)
    try:
        make_dot(loss, params=params).save(out_dir / "graph.svg")
    except RuntimeError as e:  # no Graphviz: keep the DOT text, say how to get the SVG
        make_dot(loss, params=params).save(out_dir / "graph.dot")
        print(f"note: {e}", file=sys.stderr)
        return
    backward_html(loss, out_dir / "backward.html", params=params)
    print(f"graph of one batch: {out_dir / 'graph.svg'}; step through its backward pass: "
          f"open {out_dir / 'backward.html'} in a browser")


# ---------------------------------------------------------------------- checkpoints


def save_checkpoint(path: Path, learner: Learner, epoch: int, args: argparse.Namespace) -> None:
    """Model, optimizer (and scheduler), epoch, RNG state and history, with ``minitorch.save``."""
    minitorch.save({"model": learner.model.state_dict(),
                    "optimizer": learner.optimizer.state_dict(),
                    "scheduler": learner.scheduler and learner.scheduler.state_dict(),
                    "epoch": epoch,
                    "seed": args.seed,
                    "rng_state": minitorch.get_rng_state(),
                    "history": learner.history}, path)


def load_checkpoint(path: str, learner: Learner, args: argparse.Namespace) -> int:
    """Restore ``learner`` from ``path``; returns the number of epochs already done."""
    try:
        state = minitorch.load(path, map_location=args.device)
        learner.model.load_state_dict(state["model"])
        learner.optimizer.load_state_dict(state["optimizer"])
        if learner.scheduler is not None:
            learner.scheduler.load_state_dict(state["scheduler"])
        minitorch.set_rng_state(state["rng_state"])
        learner.history = {k: list(state["history"][k]) for k in HISTORY_KEYS}
    except (OSError, RuntimeError, KeyError, TypeError, ValueError) as e:
        fail(f"cannot resume from {path}: {type(e).__name__}: {e} (a checkpoint of "
             f"{args.name}.py with the same model options is needed)")
    if state["seed"] != args.seed:
        print(f"warning: the checkpoint was trained with --seed {state['seed']}, this run uses "
              f"--seed {args.seed}: the data order differs from an uninterrupted run",
              file=sys.stderr)
    if not args.quiet:
        print(f"resumed from {path} after epoch {state['epoch']}")
    return int(state["epoch"])


# --------------------------------------------------------------------------- reports


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def _train_seconds(h: dict[str, list]) -> list[float]:
    """Seconds per epoch spent training: optimisation steps plus fetching batches."""
    return [s + d for s, d in zip(h["step_seconds"], h["data_seconds"])]


def _epoch_line(lrn: Learner, epoch: int, epochs: int, labelled: bool) -> str:
    h = lrn.history
    acc = f", test acc {100 * h['test_acc'][-1]:.2f}%" if h["test_acc"][-1] is not None else ""
    head = f"{lrn.label + ' ' if labelled else ''}epoch {epoch}/{epochs}: "
    return (f"{head}train loss {h['train_loss'][-1]:.4f}, "
            f"test loss {h['test_loss'][-1]:.4f}{acc}, {_train_seconds(h)[-1]:.2f} s")


def print_summary(learners: list[Learner], args: argparse.Namespace, out_dir: Path) -> None:
    """The final numbers: losses, accuracy, seconds per epoch, the data-loading share."""
    h = learners[0].history
    if not h["test_loss"]:
        print("nothing was trained")
        return
    rows = [("epochs", f"{len(h['test_loss'])}"),
            ("final train loss", f"{h['train_loss'][-1]:.6f}"),
            ("final test loss", f"{h['test_loss'][-1]:.6f}")]
    if h["test_acc"][-1] is not None:
        rows.append(("final test accuracy", f"{100 * h['test_acc'][-1]:.2f}%"))
    train_s = sum(_train_seconds(h))
    share = 100 * sum(h["data_seconds"]) / train_s if train_s > 0 else 0.0
    per_epoch = (f"{_mean(_train_seconds(h)):.2f} (training), "
                 f"{_mean(h['eval_seconds']):.2f} (testing)")
    rows += [("seconds per epoch", per_epoch),
             ("data loading", f"{share:.1f}% of training time"),
             ("outputs", f"{out_dir / CURVES}, {out_dir / CHECKPOINT}")]
    print(f"== summary: {args.name} ==")
    for key, value in rows:
        print(f"{key:<20}: {value}")
    if len(learners) > 1:
        _print_comparison(learners)


def _print_comparison(learners: list[Learner]) -> None:
    """Per-epoch table of both libraries' test results and seconds spent in training steps
    (forward, backward, optimizer; fetching batches is left out of both). Each library's
    seconds were measured in its own run, while the other library was idle."""
    mt, pt = learners
    classify = mt.history["test_acc"][-1] is not None
    metric = "test acc" if classify else "test loss"
    print("== minitorch vs PyTorch (same initial weights, same batches; minitorch's run, "
          "then PyTorch's; seconds in steps) ==")
    print(f"{'epoch':>5} | {'minitorch ' + metric:>19} | {'PyTorch ' + metric:>17} | "
          f"{'minitorch s':>11} | {'PyTorch s':>9} | ratio")
    rows = zip(mt.history["test_loss"], mt.history["test_acc"], mt.history["step_seconds"],
               pt.history["test_loss"], pt.history["test_acc"], pt.history["step_seconds"])
    for epoch, (mt_loss, mt_acc, mt_s, pt_loss, pt_acc, pt_s) in enumerate(rows, 1):
        a, b = ((f"{100 * mt_acc:.2f}%", f"{100 * pt_acc:.2f}%") if classify
                else (f"{mt_loss:.6f}", f"{pt_loss:.6f}"))
        ratio = mt_s / pt_s if pt_s > 0 else math.nan
        print(f"{epoch:>5} | {a:>19} | {b:>17} | {mt_s:>11.2f} | {pt_s:>9.2f} | {ratio:.1f}x")


def _pyplot() -> Any:
    """matplotlib's pyplot on the file-only Agg backend, or None without matplotlib."""
    try:
        import matplotlib
    except ImportError:
        print("note: matplotlib is not installed; no plots written", file=sys.stderr)
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_curves(learners: list[Learner], path: Path) -> None:
    """Loss curves (and test accuracy when classifying) per epoch, as a PNG."""
    plt = _pyplot()
    if plt is None:
        return
    if not learners[0].history["test_loss"]:
        return
    classify = learners[0].history["test_acc"][-1] is not None
    fig, axes = plt.subplots(1, 2 if classify else 1, figsize=(10 if classify else 5, 4),
                             squeeze=False)
    for lrn, style in zip(learners, ("-o", "--s")):
        h = lrn.history
        epochs = range(1, len(h["test_loss"]) + 1)
        axes[0, 0].plot(epochs, h["train_loss"], style, label=f"{lrn.label} train")
        axes[0, 0].plot(epochs, h["test_loss"], style, label=f"{lrn.label} test")
        if classify:
            axes[0, 1].plot(epochs, [100 * a for a in h["test_acc"]], style, label=lrn.label)
    from matplotlib.ticker import MaxNLocator

    for ax in axes.flat:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0, 0].set(xlabel="epoch", ylabel="loss", title="loss")
    axes[0, 0].legend()
    if classify:
        axes[0, 1].set(xlabel="epoch", ylabel="test accuracy (%)", title="test accuracy")
        axes[0, 1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_fit(path: Path, model: Any, dataset: TensorDataset, device: str, title: str) -> None:
    """The points ``(x, y)`` of ``dataset`` and the model's curve ``model(x)``, as a PNG."""
    plt = _pyplot()
    if plt is None:
        return
    x, y = dataset.tensors
    model.eval()
    with minitorch.no_grad():
        predicted = model(x.to(device)).cpu()
    x, y, predicted = (t.numpy().ravel() for t in (x, y, predicted))
    order = x.argsort()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(x, y, s=8, alpha=0.5, label="data")
    ax.plot(x[order], predicted[order], "r-", linewidth=2, label="model")
    ax.set(xlabel="x", ylabel="y", title=title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
