"""Kernels split over threads (``split_work``) against their single-call twins, bit for bit.

Every split kernel computes each element with the same operations in the same order as
its twin, so a split run must give the same bits. The fixture forces the split: three
threads (uneven parts), no size threshold, and however busy the machine is.
"""

from __future__ import annotations

import threading
import time
import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.kernels import relu as krelu
from minitorch.kernels import threads
from minitorch.ops.normalization import batch_stats


@pytest.fixture
def split_in_three(monkeypatch):
    monkeypatch.setattr(threads, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(threads, "free_cores", lambda: 3)
    before = minitorch.get_num_threads()
    minitorch.set_num_threads(3)
    yield
    minitorch.set_num_threads(before)


def _one_thread(fn):
    """``fn()`` with splitting off (``set_num_threads(1)``), then the count restored."""
    before = minitorch.get_num_threads()
    minitorch.set_num_threads(1)
    try:
        return fn()
    finally:
        minitorch.set_num_threads(before)


def _same_bits(a, b) -> None:
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_array_equal(a.reshape(-1).view(np.uint8), b.reshape(-1).view(np.uint8))


def _specials(rng, shape, dtype):
    x = rng.standard_normal(shape).astype(dtype)
    flat = x.reshape(-1)
    flat[rng.integers(0, flat.size, 6)] = [np.nan, np.inf, -np.inf, -0.0, 0.0, -np.nan]
    return x


# ---------------------------------------------------------------------------------------
# split_work itself
# ---------------------------------------------------------------------------------------
def test_split_work_covers_the_range_once_with_the_workers_taking_part(split_in_three):
    seen, names = np.zeros(100, dtype=int), set()

    def fn(part: slice) -> None:
        seen[part] += 1
        names.add(threading.current_thread().name)
        time.sleep(0.001)  # long enough for the workers to wake and take chunks

    for _ in range(20):  # the same workers, handed one job after another
        threads.split_work(fn, 100, 1 << 30)
    np.testing.assert_array_equal(seen, 20)
    assert sum(n.startswith("minitorch-") for n in names) == 2


def test_an_error_in_a_worker_reaches_the_caller_and_the_workers_go_on(split_in_three):
    def fn(part: slice) -> None:
        if part.start:
            raise ValueError(f"bad part {part}")

    for _ in range(5):
        with pytest.raises(ValueError, match="bad part"):
            threads.split_work(fn, 9, 1 << 30)
    parts = []
    threads.split_work(parts.append, 9, 1 << 30)
    assert sorted(p.start for p in parts) == list(range(9))  # 9 chunks of one


def test_calls_from_two_user_threads_at_once_both_finish(split_in_three):
    counts = np.zeros((2, 1000), dtype=int)

    def user(row: int) -> None:
        def fn(part: slice) -> None:
            counts[row, part] += 1

        for _ in range(200):
            threads.split_work(fn, 1000, 1 << 30)

    users = [threading.Thread(target=user, args=(k,)) for k in range(2)]
    for t in users:
        t.start()
    for t in users:
        t.join(30)
    assert not any(t.is_alive() for t in users), "split_work deadlocked"
    np.testing.assert_array_equal(counts, 200)  # every element once per call, no more


# ---------------------------------------------------------------------------------------
# ReLU forward and backward
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 4096 * 4, 4096 * 7 + 13, 100_003])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_split_matches_its_twins(split_in_three, size, dtype):
    rng = np.random.default_rng(size)
    x, g = _specials(rng, (size,), dtype), _specials(rng, (size,), dtype)
    out = krelu.relu(x)
    _same_bits(out, np.maximum(x, 0))
    _same_bits(krelu.relu_backward(out, g), krelu.relu_backward_plain(out, g))
    _same_bits(krelu.relu_backward(out, g), np.where(out != 0, g, 0).astype(dtype))


def test_relu_layer_split_matches_torch(split_in_three):
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal((4, 3, 40, 50)), rng.standard_normal((4, 3, 40, 50))
    mx = minitorch.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    ym, yt = minitorch.relu(mx), torch.relu(tx)
    ym.backward(minitorch.tensor(g))
    yt.backward(torch.tensor(g))
    _same_bits(ym.detach().numpy(), yt.detach().numpy())
    _same_bits(mx.grad.numpy(), tx.grad.numpy())


# ---------------------------------------------------------------------------------------
# BatchNorm forward and backward
# ---------------------------------------------------------------------------------------
def _batch_norm_run(x, g, offset):
    """Output and the three gradients of training-mode batch norm (weight and bias)."""
    c = x.shape[1]
    mx = minitorch.tensor(x + offset, requires_grad=True)
    w = minitorch.tensor(np.linspace(0.5, 1.5, c, dtype=x.dtype), requires_grad=True)
    b = minitorch.tensor(np.linspace(-1, 1, c, dtype=x.dtype), requires_grad=True)
    y = minitorch.nn.functional.batch_norm(mx, None, None, w, b, training=True)
    y.backward(minitorch.tensor(g))
    return [t.numpy() for t in (y.detach(), mx.grad, w.grad, b.grad)]


SHAPES = [(7, 5, 6, 9), (1, 4, 37), (3, 7, 1, 1), (5, 3, 11, 13)]  # parts of one channel too


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("offset", [0.0, 100.0])  # the s x + t and the centred forward
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_norm_split_is_bit_identical_to_one_thread(split_in_three, shape, offset, dtype):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)
    split = _batch_norm_run(x, g, offset)
    for a, b in zip(split, _one_thread(lambda: _batch_norm_run(x, g, offset))):
        _same_bits(a, b)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("offset", [7.0, 1000.0])  # |mu| > 8 sigma: the refining pass
def test_batch_stats_split_by_image_sums_like_one_call(split_in_three, shape, dtype, offset):
    """The statistics, split by image, against the same formulas on the whole array: per
    image and channel sums by einsum, totals over the images in float64."""
    x = (np.random.default_rng(4).standard_normal(shape) * 3 + offset).astype(dtype)
    v = x.reshape(shape[0], shape[1], -1)
    count = v.shape[0] * v.shape[2]
    mean = np.einsum("ncl->nc", v).sum(axis=0, dtype=np.float64) / count
    m = mean.astype(dtype)
    centred = v - m[:, None]
    square = np.vecdot(centred, centred).sum(axis=0, dtype=np.float64) / count
    shift = mean - m
    if not (np.abs(mean) <= 8 * np.sqrt(square)).all():  # the implementation's rule
        shift = np.einsum("ncl->nc", centred).sum(axis=0, dtype=np.float64) / count
    got_mean, got_var = batch_stats(x)
    _same_bits(got_mean, (m + shift).astype(dtype))
    _same_bits(got_var, np.maximum(square - shift * shift, 0).astype(dtype))


def test_batch_norm_split_matches_torch_float64(split_in_three):
    rng = np.random.default_rng(2)
    x, g = rng.standard_normal((5, 4, 7, 3)), rng.standard_normal((5, 4, 7, 3))
    got = _batch_norm_run(x, g, 0.0)
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(np.linspace(0.5, 1.5, 4), requires_grad=True)
    tb = torch.tensor(np.linspace(-1, 1, 4), requires_grad=True)
    y = torch.nn.functional.batch_norm(tx, None, None, tw, tb, training=True)
    y.backward(torch.tensor(g))
    for a, b in zip(got, (y.detach(), tx.grad, tw.grad, tb.grad)):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------------------
# Optimizers: Adam (all options) and SGD with momentum
# ---------------------------------------------------------------------------------------
OPTIMIZERS = [
    ("Adam", {}),
    ("Adam", {"amsgrad": True, "weight_decay": 0.1}),
    ("Adam", {"decoupled_weight_decay": True, "weight_decay": 0.1, "maximize": True}),
    ("AdamW", {"amsgrad": True}),
    ("SGD", {"momentum": 0.9}),
    ("SGD", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"momentum": 0.5, "dampening": 0.3}),
    ("SGD", {}),
]


def _optimize(lib, name, kw, dtype, steps=3):
    """Parameters (a matrix, a 4-d tensor, a vector, a scalar) after ``steps`` steps."""
    rng = np.random.default_rng(3)
    shapes = [(13, 7), (5, 2, 3, 3), (11,), ()]
    params = [lib.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in shapes]
    opt = getattr(lib.optim, name)(params, lr=0.1, **kw)
    for _ in range(steps):
        for p in params:
            p.grad = lib.tensor(rng.standard_normal(p.shape).astype(dtype))
        opt.step()
    return [p.detach().numpy() for p in params]


@pytest.mark.parametrize("name,kw", OPTIMIZERS)
def test_optimizer_split_is_bit_identical_to_one_thread(split_in_three, name, kw):
    split = _optimize(minitorch, name, kw, np.float32)
    plain = _one_thread(lambda: _optimize(minitorch, name, kw, np.float32))
    for a, b in zip(split, plain):
        _same_bits(a, b)


@pytest.mark.parametrize("name,kw", OPTIMIZERS)
def test_optimizer_split_matches_torch_float64(split_in_three, name, kw):
    for a, b in zip(_optimize(minitorch, name, kw, np.float64),
                    _optimize(torch, name, kw, np.float64)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.skipif(not hasattr(threads.os, "fork"), reason="no fork on this platform")
def test_a_forked_child_makes_its_own_workers(split_in_three):
    import os

    threads.split_work(lambda part: None, 10, 1 << 30)  # the parent's workers exist
    with warnings.catch_warnings():  # Python 3.12+ warns about forking with threads
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: split work must finish, on workers of its own
        seen = np.zeros(10, dtype=int)

        def fn(part: slice) -> None:
            seen[part] += 1
            time.sleep(0.001)

        threads.split_work(fn, 10, 1 << 30)
        os._exit(0 if (seen == 1).all() and len(threads._workers) == 2 else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_threads_ab_script_switches_settings_and_restores_the_default(monkeypatch, capsys):
    from benchmarks import threads_ab

    monkeypatch.setattr(threads_ab, "_wait_for_quiet", lambda limit=3.0: None)
    monkeypatch.setattr(threads_ab, "_quiet", lambda: True)
    before = threads._RELU_BYTES, threads._PARALLEL_BYTES, krelu.split_kernel
    threads_ab.main(["-n", "1", "--settings", "old,new@2+1", "mlp:8"])
    line = capsys.readouterr().out
    assert line.startswith("mlp:8") and "old" in line and "new@2+1" in line
    assert (threads._RELU_BYTES, threads._PARALLEL_BYTES, krelu.split_kernel) == before
