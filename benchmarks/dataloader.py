r"""Images per second through ``DataLoader`` for a CIFAR-style image pipeline.

``python -m benchmarks.dataloader`` writes ``--images`` random 32x32 RGB PNGs into a
temporary ``root/<class>/<n>.png`` tree (an ``ImageFolder`` layout), then reads them
with batch size 64 through

    Pillow open + RGB  ->  RandomCrop(32, padding=4)  ->  RandomHorizontalFlip
    ->  ColorJitter(0.4, 0.4, 0.4)  ->  ToTensor  ->  Normalize(CIFAR mean, std)

with ``num_workers`` 0 and 2 (worker processes) in minitorch and in PyTorch. The pipeline is
``minitorch.vision.datasets.ImageFolder`` with ``minitorch.vision.transforms`` where
those accept PIL images; otherwise (and always for torch, which has no torchvision
here) the same steps written with Pillow and NumPy (:class:`PilPipeline`), so both
libraries' loaders do identical per-image work.

Each configuration runs in its own fresh process (``--run``), configurations alternate,
and the best of ``--repeat`` runs is kept. One run times a second epoch over the data
(``persistent_workers=True``, so worker start-up is not counted; the first epoch is the
warm-up). Speed-ups are relative to the same library's ``num_workers=0``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2470, 0.2435, 0.2616)
CONFIGS = [  # (library, num_workers, multiprocessing_context)
    ("minitorch", 0, None),
    ("minitorch", 2, None),
    ("torch", 0, None),
    ("torch", 2, None),
]


def write_images(root: Path, n: int, classes: int = 10) -> None:
    """``n`` random 32x32 RGB PNGs in ``root/class_k/i.png`` (an ImageFolder tree)."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for k in range(classes):
        (root / f"class_{k}").mkdir(parents=True, exist_ok=True)
    for i in range(n):
        pixels = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(root / f"class_{i % classes}" / f"{i:05d}.png")


class PilPipeline:
    """RandomCrop(32, padding=4), flip, ColorJitter(0.4, 0.4, 0.4), ToTensor, Normalize,
    with Pillow and NumPy (torchvision's definitions; Python's ``random`` for draws)."""

    def __call__(self, img: Any) -> np.ndarray:
        from PIL import ImageEnhance, ImageOps

        img = ImageOps.expand(img, border=4, fill=0)
        top, left = random.randint(0, 8), random.randint(0, 8)
        img = img.crop((left, top, left + 32, top + 32))
        if random.random() < 0.5:
            img = ImageOps.mirror(img)
        enhancers = [ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color]
        random.shuffle(enhancers)
        for enhance in enhancers:
            img = enhance(img).enhance(random.uniform(0.6, 1.4))
        x = np.asarray(img, dtype=np.float32).transpose(2, 0, 1) / 255.0
        mean = np.asarray(MEAN, np.float32)[:, None, None]
        std = np.asarray(STD, np.float32)[:, None, None]
        return (x - mean) / std


class FolderDataset:
    """``root/<class>/<file>.png`` -> (transform(RGB PIL image), class index)."""

    def __init__(self, root: str, transform: Any) -> None:
        classes = sorted(os.listdir(root))
        self.samples = [
            (os.path.join(root, c, f), k)
            for k, c in enumerate(classes)
            for f in sorted(os.listdir(os.path.join(root, c)))
        ]
        self.transform = transform

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int) -> tuple:
        from PIL import Image

        path, label = self.samples[i]
        with Image.open(path) as f:
            img = f.convert("RGB")
        return self.transform(img), label


def minitorch_dataset(root: str) -> tuple[Any, str]:
    """minitorch.vision's ImageFolder and transforms if they take PIL images, else ours."""
    try:
        from minitorch.vision import datasets
        from minitorch.vision import transforms as T

        pipeline = T.Compose([
            T.RandomCrop(32, padding=4),
            T.RandomHorizontalFlip(),
            T.ColorJitter(0.4, 0.4, 0.4),
            T.ToTensor(),
            T.Normalize(MEAN, STD),
        ])
        ds = datasets.ImageFolder(root, transform=pipeline)
        ds[0]
        return ds, "minitorch.vision"
    except Exception:  # noqa: BLE001 - vision not there yet: the equivalent Pillow code
        return FolderDataset(root, PilPipeline()), "pillow+numpy"


def run_one(library: str, root: str, workers: int, context: str | None, batch: int) -> dict:
    """Time the second epoch of one configuration; return images per second."""
    if library == "torch":
        import torch
        from torch.utils.data import DataLoader

        torch.set_num_threads(1)
        dataset, pipeline = FolderDataset(root, PilPipeline()), "pillow+numpy"
    else:
        from minitorch.utils.data import DataLoader

        dataset, pipeline = minitorch_dataset(root)
    kwargs: dict = {"batch_size": batch, "shuffle": True, "num_workers": workers}
    if workers:
        kwargs.update(persistent_workers=True, multiprocessing_context=context)
    loader = DataLoader(dataset, **kwargs)
    n = 0
    for _ in loader:  # epoch 1: warm-up (workers start, files enter the page cache)
        pass
    t0 = time.perf_counter()
    for x, _ in loader:
        n += len(x)
    seconds = time.perf_counter() - t0
    del loader
    return {"library": library, "num_workers": workers, "context": context,
            "pipeline": pipeline, "images": n, "seconds": seconds, "images_per_s": n / seconds}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.dataloader", description=__doc__)
    p.add_argument("--images", type=int, default=2048)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--repeat", type=int, default=3, help="fresh-process runs per config")
    p.add_argument("--torch", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--run", nargs=4, metavar=("LIB", "ROOT", "WORKERS", "CONTEXT"),
                   help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.run:
        lib, root, workers, context = args.run
        result = run_one(lib, root, int(workers), None if context == "-" else context,
                         args.batch_size)
        print(json.dumps(result))
        return
    configs = [c for c in CONFIGS if args.torch or c[0] != "torch"]
    best: dict = {}
    with tempfile.TemporaryDirectory() as root:
        write_images(Path(root), args.images)
        for r in range(args.repeat):
            for lib, workers, context in configs if r % 2 == 0 else configs[::-1]:
                cmd = [sys.executable, "-m", "benchmarks.dataloader", "--batch-size",
                       str(args.batch_size), "--run", lib, root, str(workers), context or "-"]
                out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=600)
                res = json.loads(out.stdout.strip().splitlines()[-1])
                key = (lib, workers, context)
                if key not in best or res["images_per_s"] > best[key]["images_per_s"]:
                    best[key] = res
    print(f"{args.images} 32x32 PNGs, batch {args.batch_size}, best of {args.repeat} "
          f"fresh processes, {os.cpu_count()} CPUs\n")
    print("| library | workers | kind | pipeline | images/s | vs num_workers=0 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (lib, workers, context), res in best.items():
        base = best[(lib, 0, None)]["images_per_s"]
        kind = "-" if workers == 0 else "processes"
        print(f"| {lib} | {workers} | {kind} | {res['pipeline']} | {res['images_per_s']:.0f} "
              f"| {res['images_per_s'] / base:.2f}x |")


if __name__ == "__main__":
    main()
