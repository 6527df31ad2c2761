"""DataLoader worker processes (``multiprocessing_context``) and freeing loaders.

Worker processes must give the same batches in the same order as ``num_workers=0``,
re-raise a worker's exception in the main process, send batches without pickle, and
leave no process behind; a loader with persistent workers (default or fork start) must be
freed, with its workers, when the user drops it, also after ``break`` or an exception.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
import weakref

import numpy as np
import pytest

import minitorch
from minitorch.utils import data as mdata
from minitorch.utils.data._worker import decode, encode

tdata = pytest.importorskip("torch.utils.data", reason="compares with torch's DataLoader")
from test_data import _Range, _TorchRange

FORK = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


class Squares(mdata.Dataset):
    """Item i: (float tensor [i, i^2], i, the pid and worker id that read it, a dict)."""

    def __init__(self, n: int, fail_at: int | None = None, error: type = ValueError) -> None:
        self.n, self.fail_at, self.error = n, fail_at, error
        self.payload = np.zeros(1000)

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int):
        if i == self.fail_at:
            raise self.error(f"cannot read sample {i}")
        info = mdata.get_worker_info()
        return (
            minitorch.tensor([float(i), float(i * i)]),
            i,
            {"pid": os.getpid(), "worker": -1 if info is None else info.id,
             "seed": _SEEN_SEED.get("seed", -1)},
        )


_SEEN_SEED: dict = {}


def _remember_seed(worker_id: int) -> None:
    _SEEN_SEED["seed"] = mdata.get_worker_info().seed


class _Custom(Exception):
    pass


class _Exits(mdata.Dataset):
    def __len__(self) -> int:
        return 4

    def __getitem__(self, i: int):
        if i == 2:
            os._exit(3)
        return i


class _Sleepy(mdata.Dataset):
    def __len__(self) -> int:
        return 2

    def __getitem__(self, i: int):
        time.sleep(30)
        return i


class _Opaque(mdata.Dataset):
    def __len__(self) -> int:
        return 2

    def __getitem__(self, i: int):
        return object()


def _no_children_left(timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while multiprocessing.active_children() and time.monotonic() < end:
        time.sleep(0.05)
    return not multiprocessing.active_children()


def test_processes_same_batches_same_order():
    ds = Squares(23)
    want = [(b[0].tolist(), b[1].tolist()) for b in mdata.DataLoader(ds, batch_size=4)]
    loader = mdata.DataLoader(ds, batch_size=4, num_workers=2, multiprocessing_context=FORK)
    batches = list(loader)
    assert [(b[0].tolist(), b[1].tolist()) for b in batches] == want
    assert batches[0][0].dtype == minitorch.float32 and batches[0][1].dtype == minitorch.int64
    pids = {p for b in batches for p in b[2]["pid"].tolist()}
    assert len(pids) == 2 and os.getpid() not in pids  # read in two other processes
    assert [b[2]["worker"].tolist()[0] for b in batches] == [0, 1, 0, 1, 0, 1]
    minitorch.manual_seed(3)
    shuffled = [b[1].tolist() for b in mdata.DataLoader(ds, batch_size=5, shuffle=True)]
    minitorch.manual_seed(3)
    got = mdata.DataLoader(ds, batch_size=5, shuffle=True, num_workers=2,
                           multiprocessing_context=FORK, prefetch_factor=1)
    assert [b[1].tolist() for b in got] == shuffled
    assert _no_children_left()


def test_iterable_dataset_in_processes_matches_torch():
    mine = mdata.DataLoader(_Range(11), batch_size=2, num_workers=2, multiprocessing_context=FORK)
    ref = tdata.DataLoader(_TorchRange(11), batch_size=2, num_workers=2,
                           multiprocessing_context=FORK)
    assert [b.tolist() for b in mine] == [b.tolist() for b in ref]
    assert _no_children_left()


def test_worker_init_fn_seed_and_persistent_processes():
    loader = mdata.DataLoader(Squares(8), batch_size=2, num_workers=2,
                              multiprocessing_context=FORK, persistent_workers=True,
                              worker_init_fn=_remember_seed)
    epochs = [list(loader) for _ in range(2)]
    pids = [{p for b in e for p in b[2]["pid"].tolist()} for e in epochs]
    assert pids[0] == pids[1]  # the same two processes served both epochs
    seeds = sorted({s for b in epochs[0] for s in b[2]["seed"].tolist()})
    assert len(seeds) == 2 and seeds[1] == seeds[0] + 1  # base_seed + worker id
    assert "seed" not in _SEEN_SEED  # worker_init_fn ran in the workers, not here
    del loader, epochs
    gc.collect()
    assert _no_children_left()


@pytest.mark.parametrize(
    ("error", "raised"),
    [(ValueError, ValueError), (KeyError, KeyError), (_Custom, RuntimeError)],
)
def test_worker_exception_reraised_in_main_process(error, raised):
    loader = mdata.DataLoader(Squares(10, fail_at=5, error=error), batch_size=2,
                              num_workers=2, multiprocessing_context=FORK)
    with pytest.raises(raised) as info:
        list(loader)
    text = str(info.value)
    assert f"Caught {error.__name__} in DataLoader worker process 0" in text
    assert "cannot read sample 5" in text and "Traceback" in text
    assert _no_children_left()


def test_dead_worker_and_unsendable_batch_and_timeout():
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid \d+\) exited unexpectedly"):
        list(mdata.DataLoader(_Exits(), batch_size=1, num_workers=2,
                              multiprocessing_context=FORK))
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        list(mdata.DataLoader(_Sleepy(), batch_size=1, num_workers=1, timeout=0.2,
                              multiprocessing_context=FORK))
    assert not multiprocessing.active_children()  # the sleeping worker was stopped at once
    with pytest.raises(TypeError, match="cannot send a object to the main process"):
        list(mdata.DataLoader(_Opaque(), batch_size=None, num_workers=1,
                              multiprocessing_context=FORK))
    assert _no_children_left()


def test_spawn_context_object():
    ctx = multiprocessing.get_context("spawn")
    loader = mdata.DataLoader(list(range(7)), batch_size=3, num_workers=2,
                              multiprocessing_context=ctx)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    assert _no_children_left()


def test_wire_format_round_trip_without_pickle():
    batch = (
        minitorch.tensor([[1.5, 2.0]], dtype=minitorch.float64),
        np.arange(6, dtype=np.int16).reshape(2, 3)[:, ::2],  # not contiguous
        {"name": ["a", "b"], 3: (None, True, 2.5, np.float32(4.0)), "raw": b"\x00\x01"},
    )
    out = decode(encode(batch))
    assert out[0].dtype == minitorch.float64 and out[0].tolist() == [[1.5, 2.0]]
    assert out[1].dtype == np.int16 and out[1].tolist() == [[0, 2], [3, 5]]
    assert out[2] == {"name": ["a", "b"], 3: (None, True, 2.5, np.float32(4.0)), "raw": b"\x00\x01"}
    assert type(out[2][3][3]) is np.float32
    hostile = b'{"A": ["|O", [1]]}'  # an object array would need unpickling
    with pytest.raises(RuntimeError, match="object array"):
        decode(len(hostile).to_bytes(8, "little") + hostile + b"\x00" * 8)


# ---- freeing loaders ------------------------------------------------------------------
def _settled(count, baseline: int, timeout: float = 10.0) -> int:
    end = time.monotonic() + timeout
    while count() > baseline and time.monotonic() < end:
        time.sleep(0.05)
    return count()


def _use(loader, how: str) -> None:
    """Iterate ``loader`` fully, stop after one batch, or raise inside the loop."""
    for epoch in range(2):
        for i, _ in enumerate(loader):
            if how == "break" and i == 1:
                break
            if how == "raise" and epoch == 1 and i == 1:
                raise ZeroDivisionError("user error in the loop")


@pytest.mark.parametrize("context", [None, FORK], ids=["default", "fork"])
@pytest.mark.parametrize("how", ["full", "break", "raise"])
def test_persistent_loader_is_freed_when_dropped(context, how):
    threads = threading.active_count()
    ds = Squares(40)
    loader = mdata.DataLoader(ds, batch_size=4, num_workers=2, persistent_workers=True,
                              multiprocessing_context=context)
    try:
        _use(loader, how)
    except ZeroDivisionError:
        assert how == "raise"
    gone, data_gone = weakref.ref(loader), weakref.ref(ds)
    del loader, ds
    gc.collect()
    assert gone() is None  # freed at once
    assert _settled(threading.active_count, threads) == threads
    assert _no_children_left()
    # A worker thread drops its last task (which refers to the dataset) as it exits.
    assert _settled(lambda: data_gone() is not None, 0) == 0  # the dataset's memory too


def test_benchmark_pipeline_runs(tmp_path):
    pytest.importorskip("PIL", reason="the benchmark's images need Pillow")
    from benchmarks import dataloader as bench

    bench.write_images(tmp_path, 40)
    x = bench.PilPipeline()(bench.FolderDataset(str(tmp_path), lambda im: im)[0][0])
    assert x.shape == (3, 32, 32) and x.dtype == np.float32
    runs = [bench.run_one("minitorch", str(tmp_path), w, c, 16) for w, c in ((0, None), (2, FORK))]
    assert [r["images"] for r in runs] == [40, 40]
    assert _no_children_left()
