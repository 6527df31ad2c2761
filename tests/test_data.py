"""minitorch.utils.data against torch.utils.data: datasets, samplers, collate, DataLoader."""

from __future__ import annotations

import collections
import itertools
import os
import threading

import numpy as np
import pytest
import torch
import torch.utils.data as tdata
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch
import minitorch.utils.data as mdata

# ----------------------------------------------------------------- helpers


def _dtype_name(dtype) -> str:
    return str(dtype).rsplit(".", 1)[-1]


def _plain(x):
    """A nested structure of minitorch or torch objects as comparable plain Python.

    Tensors become ("tensor", dtype name, shape, values); containers keep their type
    name so that list-vs-tuple and namedtuple differences are caught.
    """
    if isinstance(x, torch.Tensor):
        return ("tensor", _dtype_name(x.dtype), tuple(x.shape), x.tolist())
    if isinstance(x, minitorch.Tensor):
        return ("tensor", _dtype_name(x.dtype), tuple(x.shape), x.tolist())
    if isinstance(x, dict):
        return ("dict", {k: _plain(v) for k, v in x.items()})
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, [_plain(v) for v in x])
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_plain(v) for v in x])
    return x


def _xy(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    y = rng.integers(0, 5, size=n)
    return x, y


def _tensor_datasets(n: int):
    x, y = _xy(n)
    mine = mdata.TensorDataset(minitorch.tensor(x), minitorch.tensor(y))
    ref = tdata.TensorDataset(torch.tensor(x), torch.tensor(y))
    return mine, ref


def _list_class(lib):
    """A plain map-style Dataset of ``lib`` serving samples from a list (no fast path)."""

    class ListDataset(lib.Dataset):
        def __init__(self, items):
            self.items = items

        def __getitem__(self, i):
            return self.items[i]

        def __len__(self):
            return len(self.items)

    return ListDataset


_ListDataset, _TorchListDataset = _list_class(mdata), _list_class(tdata)


def _index_of_batches(loader):
    """Sample ids per batch, read from the second (integer id) tensor."""
    return [batch[1].tolist() for batch in loader]


# ------------------------------------------------------ batching vs torch


@pytest.mark.parametrize("n", [1, 7, 10, 64])
@pytest.mark.parametrize("batch_size", [1, 3, 10, 64])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batches_match_torch(n, batch_size, drop_last):
    mine, ref = _tensor_datasets(n)
    ml = mdata.DataLoader(mine, batch_size=batch_size, drop_last=drop_last)
    tl = tdata.DataLoader(ref, batch_size=batch_size, drop_last=drop_last)
    assert len(ml) == len(tl)
    got, want = [_plain(b) for b in ml], [_plain(b) for b in tl]
    assert len(got) == len(tl)
    assert got == want


def test_plain_dataset_batches_match_torch():
    x, y = _xy(11)
    items = [(x[i], float(x[i, 0]), int(y[i])) for i in range(11)]
    ml = mdata.DataLoader(_ListDataset(items), batch_size=4)
    tl = tdata.DataLoader(_TorchListDataset(items), batch_size=4)
    assert [_plain(b) for b in ml] == [_plain(b) for b in tl]


def test_batch_size_none_disables_batching():
    x, y = _xy(5)
    items = [(x[i], int(y[i]), "s") for i in range(5)]
    ml = mdata.DataLoader(_ListDataset(items), batch_size=None)
    tl = tdata.DataLoader(_TorchListDataset(items), batch_size=None)
    assert len(ml) == len(tl) == 5
    assert [_plain(b) for b in ml] == [_plain(b) for b in tl]


def test_custom_batch_sampler_and_collate_fn():
    mine, ref = _tensor_datasets(10)
    batches = [[0, 5], [9], [1, 2, 3]]
    ml = mdata.DataLoader(mine, batch_sampler=batches)
    tl = tdata.DataLoader(ref, batch_sampler=batches)
    assert len(ml) == 3
    assert [_plain(b) for b in ml] == [_plain(b) for b in tl]
    ml = mdata.DataLoader(mine, batch_size=4, collate_fn=lambda b: len(b))
    assert list(ml) == [4, 4, 2]


def test_sampler_option_controls_order():
    mine, ref = _tensor_datasets(6)
    order = [5, 3, 1, 0, 2, 4]
    ml = mdata.DataLoader(mine, batch_size=4, sampler=order)
    tl = tdata.DataLoader(ref, batch_size=4, sampler=order)
    assert [_plain(b) for b in ml] == [_plain(b) for b in tl]


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(0, 60),
    batch_size=st.integers(1, 70),
    drop_last=st.booleans(),
)
def test_batch_count_and_sizes_property(n, batch_size, drop_last):
    ml = mdata.DataLoader(list(range(n)), batch_size=batch_size, drop_last=drop_last)
    tl = tdata.DataLoader(list(range(n)), batch_size=batch_size, drop_last=drop_last)
    got = [b.tolist() for b in ml]
    assert len(ml) == len(tl) == len(got)
    assert got == [b.tolist() for b in tl]


# --------------------------------------------------------------- shuffling


def test_shuffle_is_a_permutation_and_reproducible_with_manual_seed():
    n = 23
    mine, _ = _tensor_datasets(n)
    mine = mdata.TensorDataset(minitorch.tensor(np.zeros((n, 2))), minitorch.arange(n))
    loader = mdata.DataLoader(mine, batch_size=5, shuffle=True)
    minitorch.manual_seed(0)
    first = _index_of_batches(loader)
    second = _index_of_batches(loader)
    minitorch.manual_seed(0)
    again = _index_of_batches(loader)
    assert first == again
    assert first != second  # a fresh order every epoch
    assert [len(b) for b in first] == [5, 5, 5, 5, 3]
    assert sorted(itertools.chain(*first)) == list(range(n))


def test_shuffle_reproducible_with_generator():
    n = 30
    ds = mdata.TensorDataset(minitorch.arange(n), minitorch.arange(n))

    def run(seed):
        gen = minitorch.Generator().manual_seed(seed)
        return _index_of_batches(
            mdata.DataLoader(ds, batch_size=4, shuffle=True, generator=gen)
        )

    assert run(7) == run(7)
    assert run(7) != run(8)
    assert sorted(itertools.chain(*run(7))) == list(range(n))


# ----------------------------------------------------------------- samplers


def test_sequential_sampler():
    assert list(mdata.SequentialSampler(range(7))) == list(
        tdata.SequentialSampler(range(7))
    )
    assert len(mdata.SequentialSampler(range(7))) == 7


def test_random_sampler():
    s = mdata.RandomSampler(range(10))
    assert len(s) == 10 and sorted(s) == list(range(10))
    # more samples than data without replacement: whole permutations chained
    s = mdata.RandomSampler(range(4), num_samples=10)
    drawn = list(s)
    assert len(s) == len(drawn) == len(tdata.RandomSampler(range(4), num_samples=10))
    counts = collections.Counter(drawn)
    assert sorted(counts.values()) == [2, 2, 3, 3]
    assert sorted(drawn[:4]) == sorted(drawn[4:8]) == [0, 1, 2, 3]
    s = mdata.RandomSampler(range(3), replacement=True, num_samples=50)
    drawn = list(s)
    assert len(drawn) == 50 and set(drawn) <= {0, 1, 2}
    g1, g2 = minitorch.Generator().manual_seed(3), minitorch.Generator().manual_seed(3)
    assert list(mdata.RandomSampler(range(9), generator=g1)) == list(
        mdata.RandomSampler(range(9), generator=g2)
    )


def test_subset_random_sampler():
    idx = [3, 8, 11, 20]
    s = mdata.SubsetRandomSampler(idx)
    assert len(s) == len(tdata.SubsetRandomSampler(idx)) == 4
    assert sorted(s) == idx


def test_weighted_random_sampler_distribution():
    gen = minitorch.Generator().manual_seed(0)
    s = mdata.WeightedRandomSampler([0.0, 1.0, 3.0], num_samples=4000, generator=gen)
    drawn = list(s)
    assert len(s) == len(drawn) == 4000
    counts = collections.Counter(drawn)
    assert counts[0] == 0
    assert 2.6 < counts[2] / counts[1] < 3.4
    # without replacement: distinct indices, never a zero-weight one
    s = mdata.WeightedRandomSampler(
        [1.0, 0.0, 2.0, 5.0], num_samples=3, replacement=False
    )
    drawn = list(s)
    assert sorted(drawn) == [0, 2, 3]
    s = mdata.WeightedRandomSampler(minitorch.tensor([1.0, 2.0]), num_samples=5)
    assert _dtype_name(s.weights.dtype) == _dtype_name(
        tdata.WeightedRandomSampler([1.0, 2.0], 5).weights.dtype
    )


@pytest.mark.parametrize("n", [0, 1, 9, 10, 11])
@pytest.mark.parametrize("batch_size", [1, 3, 10])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_sampler_matches_torch(n, batch_size, drop_last):
    mine = mdata.BatchSampler(mdata.SequentialSampler(range(n)), batch_size, drop_last)
    ref = tdata.BatchSampler(tdata.SequentialSampler(range(n)), batch_size, drop_last)
    assert list(mine) == list(ref)
    assert len(mine) == len(ref)


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (lambda m: m.RandomSampler(range(3), replacement=1), TypeError, "replacement"),
        (lambda m: m.RandomSampler(range(3), num_samples=0), ValueError, "num_samples"),
        (lambda m: m.RandomSampler([]), ValueError, "num_samples=0"),
        (
            lambda m: m.WeightedRandomSampler([[1.0, 2.0]], 3),
            ValueError,
            r"shape \(1, 2\)",
        ),
        (lambda m: m.WeightedRandomSampler([1.0], 0), ValueError, "num_samples"),
        (
            lambda m: m.WeightedRandomSampler([1.0], 2, replacement=1),
            ValueError,
            "replacement",
        ),
        (lambda m: m.BatchSampler(range(3), 0, False), ValueError, "batch_size"),
        (lambda m: m.BatchSampler(range(3), True, False), ValueError, "batch_size"),
        (lambda m: m.BatchSampler(range(3), 2, 1), ValueError, "drop_last"),
    ],
)
def test_sampler_errors_like_torch(make, exc, match):
    with pytest.raises(exc, match=match) as mine:
        make(mdata)
    with pytest.raises(exc) as ref:
        make(tdata)
    assert str(mine.value) == str(ref.value)


def test_weighted_without_replacement_too_many():
    s = mdata.WeightedRandomSampler([1.0, 1.0], num_samples=3, replacement=False)
    with pytest.raises(RuntimeError, match="without replacement"):
        list(s)


# ----------------------------------------------------------------- datasets


def test_subset_and_concat_match_torch():
    a, b = list(range(5)), list(range(10, 13))
    mc, tc = mdata.ConcatDataset([a, b]), tdata.ConcatDataset([a, b])
    assert len(mc) == len(tc) == 8
    assert [mc[i] for i in range(-8, 8)] == [tc[i] for i in range(-8, 8)]
    assert mc.cumulative_sizes == tc.cumulative_sizes
    with pytest.raises(ValueError, match="should not exceed dataset length"):
        mc[-9]
    with pytest.raises(AssertionError, match="empty iterable"):
        mdata.ConcatDataset([])
    sub = mdata.Subset(a, [4, 0, 2])
    assert len(sub) == 3 and [sub[i] for i in range(3)] == [4, 0, 2]
    added = _ListDataset([1, 2]) + _ListDataset([3])
    assert isinstance(added, mdata.ConcatDataset) and [added[i] for i in range(3)] == [
        1,
        2,
        3,
    ]


def test_tensor_dataset():
    mine, ref = _tensor_datasets(6)
    assert len(mine) == len(ref) == 6
    assert _plain(mine[2]) == _plain(ref[2])
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        mdata.TensorDataset(minitorch.zeros(3), minitorch.zeros(4))


def test_base_classes_raise_not_implemented():
    with pytest.raises(NotImplementedError, match="__getitem__"):
        mdata.Dataset()[0]
    with pytest.raises(NotImplementedError):
        iter(mdata.IterableDataset())


@pytest.mark.parametrize(
    "n, lengths",
    [
        (10, [3, 7]),
        (10, [0.3, 0.7]),
        (10, [0.33, 0.33, 0.34]),
        (11, [0.3, 0.3, 0.4]),
        (7, [0.5, 0.5]),
        (5, [0.25, 0.25, 0.25, 0.25]),
        (100, [0.8, 0.1, 0.1]),
    ],
)
def test_random_split_lengths_match_torch(n, lengths):
    mine = mdata.random_split(range(n), lengths)
    ref = tdata.random_split(
        range(n), lengths, generator=torch.Generator().manual_seed(0)
    )
    assert [len(s) for s in mine] == [len(s) for s in ref]
    got = [mine_s[i] for mine_s in mine for i in range(len(mine_s))]
    assert sorted(got) == list(range(n))  # disjoint and covering


def test_random_split_reproducible_and_errors():
    def split(seed):
        parts = mdata.random_split(
            range(20), [5, 15], generator=minitorch.Generator().manual_seed(seed)
        )
        return [list(p.indices) for p in parts]

    assert split(1) == split(1) and split(1) != split(2)
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        mdata.random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        mdata.random_split(range(10), [1.5, -0.5])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        mdata.random_split(range(2), [0.9, 0.1])


# ------------------------------------------------------------------ collate

Point = collections.namedtuple("Point", ["x", "y"])


def _nested_samples(lib, tensor):
    """The same nested samples built for torch or minitorch (``tensor`` converts)."""
    rng = np.random.default_rng(1)
    out = []
    for i in range(3):
        arr = rng.standard_normal((2, 2))
        out.append(
            {
                "img": tensor(arr.astype(np.float32)),
                "np": arr,
                "np32": arr.astype(np.float32),
                "npint": np.arange(3, dtype=np.int64) + i,
                "npscalar": np.float32(i),
                "label": i,
                "flag": i % 2 == 0,
                "score": 0.5 * i,
                "name": f"s{i}",
                "pair": (i, [float(i), tensor(arr[0])]),
                "point": Point(i, arr[1]),
            }
        )
    return out


def test_default_collate_nested_matches_torch():
    got = mdata.default_collate(_nested_samples(minitorch, minitorch.tensor))
    want = tdata.default_collate(_nested_samples(torch, torch.tensor))
    assert _plain(got) == _plain(want)
    assert isinstance(got["point"], Point)
    assert isinstance(got["pair"], list)


def test_default_collate_simple_cases_match_torch():
    cases = [
        [1, 2, 3],
        [True, False],
        [1.5, 2.5],
        ["a", "b"],
        [(1, "a"), (2, "b")],
        [[1, 2], [3, 4]],
        [np.int32(1), np.int32(2)],
        [np.bool_(True), np.bool_(False)],
        [np.arange(3, dtype=np.uint8), np.ones(3, dtype=np.uint8)],
        [np.zeros((2, 2), dtype=np.int32), np.ones((2, 2), dtype=np.int32)],
    ]
    for batch in cases:
        assert _plain(mdata.default_collate(batch)) == _plain(
            tdata.default_collate(batch)
        )


def test_default_convert_matches_torch():
    from torch.utils.data._utils.collate import default_convert as torch_convert

    sample = {"a": np.ones((2,)), "b": (1, np.float32(2.0)), "c": "s", "d": 3.5}
    assert _plain(mdata.default_convert(sample)) == _plain(torch_convert(sample))


@pytest.mark.parametrize(
    "batch_fn, exc, match",
    [
        (
            lambda lib: [lib.zeros(2), lib.zeros(3)],
            RuntimeError,
            r"equal size, but got \[2\]",
        ),
        (lambda lib: [np.zeros(2), np.zeros(3)], RuntimeError, r"at entry 1"),
        (lambda lib: [object(), object()], TypeError, "found <class 'object'>"),
        (lambda lib: [np.array(["a"]), np.array(["b"])], TypeError, "found <U1"),
        (
            lambda lib: [[1, 2], [3]],
            RuntimeError,
            "each element in list of batch should be of equal size",
        ),
    ],
)
def test_default_collate_errors_like_torch(batch_fn, exc, match):
    with pytest.raises(exc, match=match) as mine:
        mdata.default_collate(batch_fn(minitorch))
    with pytest.raises(exc) as ref:
        tdata.default_collate(batch_fn(torch))
    assert str(mine.value) == str(ref.value)


# -------------------------------------------------------- fast path, protocol


def test_tensor_dataset_fast_path_equals_slow_path(monkeypatch):
    mine, _ = _tensor_datasets(13)
    slow = _ListDataset([mine[i] for i in range(13)])
    fast_batches = [_plain(b) for b in mdata.DataLoader(mine, batch_size=5)]
    slow_batches = [_plain(b) for b in mdata.DataLoader(slow, batch_size=5)]
    assert fast_batches == slow_batches
    # random_split pieces (Subsets) of a TensorDataset keep the fast path
    part, _ = mdata.random_split(mine, [8, 5])
    want = [
        _plain(b)
        for b in mdata.DataLoader(
            _ListDataset([part[i] for i in range(8)]), batch_size=3
        )
    ]
    # the fast path never reads single samples
    monkeypatch.setattr(mdata.TensorDataset, "__getitem__", lambda self, i: 1 / 0)
    assert [_plain(b) for b in mdata.DataLoader(mine, batch_size=5)] == slow_batches
    assert [_plain(b) for b in mdata.DataLoader(part, batch_size=3)] == want


def test_getitems_protocol_is_used():
    class Batched(_ListDataset):
        def __init__(self, items):
            super().__init__(items)
            self.calls = []

        def __getitems__(self, indices):
            self.calls.append(list(indices))
            return [self.items[i] for i in indices]

    ds = Batched([(i, float(i)) for i in range(7)])
    got = [_plain(b) for b in mdata.DataLoader(ds, batch_size=3)]
    assert ds.calls == [[0, 1, 2], [3, 4, 5], [6]]
    ref = _TorchListDataset([(i, float(i)) for i in range(7)])
    assert got == [_plain(b) for b in tdata.DataLoader(ref, batch_size=3)]


# ---------------------------------------------------------- iterable datasets


def _range_class(lib):
    """``range(n)`` as an IterableDataset of ``lib`` (torch or minitorch's data module).

    In a worker it yields only that worker's share: ``id, id + num_workers, ...``.
    """

    class Range(lib.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            info = lib.get_worker_info()
            if info is None:
                return iter(range(self.n))
            return iter(range(info.id, self.n, info.num_workers))

        def __len__(self):
            return self.n

    return Range


_Range, _TorchRange = _range_class(mdata), _range_class(tdata)


@pytest.mark.parametrize("batch_size", [None, 1, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_iterable_dataset_matches_torch(batch_size, drop_last):
    if batch_size is None and drop_last:
        return
    ml = mdata.DataLoader(_Range(10), batch_size=batch_size, drop_last=drop_last)
    tl = tdata.DataLoader(_TorchRange(10), batch_size=batch_size, drop_last=drop_last)
    assert len(ml) == len(tl)
    assert [_plain(b) for b in ml] == [_plain(b) for b in tl]


def test_iterable_dataset_with_workers_matches_torch_order():
    ml = mdata.DataLoader(_Range(11), batch_size=2, num_workers=2)
    tl = tdata.DataLoader(_TorchRange(11), batch_size=2, num_workers=2)
    assert [b.tolist() for b in ml] == [b.tolist() for b in tl]


# ------------------------------------------------------------------ workers


def test_workers_give_same_batches_in_same_order():
    mine, _ = _tensor_datasets(37)
    plain = _ListDataset([mine[i] for i in range(37)])
    for ds in (mine, plain):
        want = [_plain(b) for b in mdata.DataLoader(ds, batch_size=4)]
        got = [_plain(b) for b in mdata.DataLoader(ds, batch_size=4, num_workers=2)]
        assert got == want
        for kwargs in ({}, {"num_workers": 2, "prefetch_factor": 1}):
            minitorch.manual_seed(5)
            loader = mdata.DataLoader(ds, batch_size=4, shuffle=True, **kwargs)
            if not kwargs:
                shuffled = [_plain(b) for b in loader]
            else:
                assert [_plain(b) for b in loader] == shuffled


_INIT: list = []  # per worker process: what its worker_init_fn saw


def _record_init(worker_id):
    info = mdata.get_worker_info()
    _INIT.append((worker_id, info.id, info.num_workers))


def test_worker_init_fn_and_worker_info():
    """Workers are processes (as PyTorch's): the init function runs in each worker, and
    what it recorded there comes back inside the batches."""

    class Where(_ListDataset):
        def __getitem__(self, i):
            return [mdata.get_worker_info().id, len(_INIT), *_INIT[-1]]

    loader = mdata.DataLoader(
        Where(list(range(8))), batch_size=2, num_workers=2, worker_init_fn=_record_init
    )
    rows = [[c.tolist() for c in b] for b in loader]
    ids = [r[0] for r in rows]
    assert ids == [[0, 0], [1, 1], [0, 0], [1, 1]]  # batch k goes to worker k mod 2
    for r in rows:  # each worker ran its init once, with its own id and the count
        wid = r[0][0]
        assert r[1] == [1, 1] and r[2:] == [[wid, wid], [wid, wid], [2, 2]]
    assert _INIT == [] and mdata.get_worker_info() is None  # not run in this process


def test_persistent_workers_init_once():
    """Persistent workers are the same processes every epoch: init ran once in each."""

    class Seen(_ListDataset):
        def __getitem__(self, i):
            return [i, len(_INIT), os.getpid()]

    loader = mdata.DataLoader(
        Seen(list(range(6))),
        batch_size=2,
        num_workers=2,
        persistent_workers=True,
        worker_init_fn=_record_init,
    )
    pids = set()
    for _ in range(3):
        batches = [[c.tolist() for c in b] for b in loader]
        assert [b[0] for b in batches] == [[0, 1], [2, 3], [4, 5]]
        assert all(b[1] == [1, 1] for b in batches)
        pids |= {p for b in batches for p in b[2]}
    assert len(pids) == 2 and os.getpid() not in pids


def test_worker_error_propagates():
    class Bad(_ListDataset):
        def __getitem__(self, i):
            if i == 5:
                raise KeyError("bad sample 5")
            return i

    loader = mdata.DataLoader(Bad(list(range(8))), batch_size=2, num_workers=2)
    with pytest.raises(KeyError, match="bad sample 5"):
        list(loader)


def test_timeout_raises():
    release = threading.Event()

    class Slow(_ListDataset):
        def __getitem__(self, i):
            release.wait(5)
            return i

    loader = mdata.DataLoader(Slow([0, 1]), batch_size=1, num_workers=1, timeout=0.05)
    try:
        with pytest.raises(
            RuntimeError, match="DataLoader timed out after 0.05 seconds"
        ):
            next(iter(loader))
    finally:
        release.set()


# --------------------------------------------------------- option errors


_BAD_OPTIONS = [
    {"sampler": [0, 1], "shuffle": True},
    {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "shuffle": True},
    {"batch_sampler": [[0]], "sampler": [0]},
    {"batch_sampler": [[0]], "drop_last": True},
    {"batch_size": None, "drop_last": True},
    {"num_workers": -1},
    {"timeout": -1},
    {"num_workers": 1, "prefetch_factor": -1},
    {"persistent_workers": True},
    {"multiprocessing_context": "fork"},
    {"num_workers": 1, "multiprocessing_context": "nope"},
]


@pytest.mark.parametrize("kwargs", _BAD_OPTIONS)
def test_dataloader_option_errors_like_torch(kwargs):
    with pytest.raises(ValueError) as mine:
        mdata.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(ValueError) as ref:
        tdata.DataLoader(list(range(4)), **kwargs)
    assert str(mine.value) == str(ref.value)


@pytest.mark.parametrize(
    "kwargs", [{"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}]
)
def test_iterable_dataset_option_errors(kwargs):
    with pytest.raises(
        ValueError, match="DataLoader with IterableDataset: expected unspecified"
    ):
        mdata.DataLoader(_Range(3), **kwargs)


def test_prefetch_factor_needs_workers_and_frozen_attributes():
    with pytest.raises(
        ValueError, match="prefetch_factor option could only be specified"
    ):
        mdata.DataLoader(list(range(4)), prefetch_factor=2)
    loader = mdata.DataLoader(list(range(4)))
    with pytest.raises(
        ValueError, match="batch_size attribute should not be set after DataLoader"
    ):
        loader.batch_size = 3


def test_worker_iterator_exhaustion_and_early_break():
    loader = mdata.DataLoader(list(range(6)), batch_size=2, num_workers=2)
    it = iter(loader)
    assert len(it) == 3
    assert [b.tolist() for b in it] == [[0, 1], [2, 3], [4, 5]]
    with pytest.raises(StopIteration):
        next(it)
    persistent = mdata.DataLoader(
        list(range(6)), batch_size=2, num_workers=2, persistent_workers=True
    )
    first = iter(persistent)
    assert next(first).tolist() == [0, 1]  # leave the pass unfinished
    assert [b.tolist() for b in persistent] == [[0, 1], [2, 3], [4, 5]]
    with pytest.raises(StopIteration):  # a new pass ended the old one
        next(first)
