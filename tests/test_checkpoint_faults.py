"""Checkpoints under attack and under ``kill -9``.

* Hostile or corrupt files (a decompression bomb, a shape the file cannot hold, deep
  nesting, odd dtypes, flipped bytes) always give a ``RuntimeError`` naming the file,
  never ``MemoryError``, ``RecursionError`` or a zipfile/NumPy exception.
* A child process overwriting a checkpoint is killed at random moments: the path always
  holds the old or the new complete checkpoint, and the next save removes the temporary
  files the killed saves left.
"""

from __future__ import annotations

import io
import json
import os
import random
import signal
import struct
import time
import zipfile

import numpy as np
import pytest

import minitorch
from minitorch.serialization import MAX_DEPTH


def _archive(header: dict, members: dict[str, bytes], compression=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        zf.writestr("header.json", json.dumps(header))
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def _header(dtype="float32", shape=(3,), root=None, **entry) -> dict:
    e = {"file": "tensors/0.npy", "kind": "tensor", "dtype": dtype, "shape": list(shape),
         "device": "cpu"}
    e.update(entry)
    return {"format": "minitorch-checkpoint", "version": 1, "tensors": [e],
            "root": root if root is not None else {"type": "tensor", "index": 0}}


def _load_bytes(tmp_path, data: bytes, name: str = "evil.pt"):
    path = tmp_path / name
    path.write_bytes(data)
    return minitorch.load(path)


def _set_sizes(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size the zip directory records for ``member``."""
    out = bytearray(data)
    key = member.encode()
    for sig, offset, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        i = out.find(sig)
        while i >= 0:
            if out[i + name_at:i + name_at + len(key)] == key:
                out[i + offset:i + offset + 4] = struct.pack("<I", size)
            i = out.find(sig, i + 1)
    return bytes(out)


def test_decompression_bomb_is_refused(tmp_path):
    zeros = np.zeros(1 << 20, np.float32)  # 4 MiB of zeros deflate to about 4 KiB
    data = _archive(_header(shape=zeros.shape), {"tensors/0.npy": _npy(zeros)},
                    zipfile.ZIP_DEFLATED)
    assert np.array_equal(_load_bytes(tmp_path, data, "ok.pt").numpy(), zeros)
    bomb = _set_sizes(data, "tensors/0.npy", 3 << 30)  # the directory claims 3 GiB
    with pytest.raises(RuntimeError, match=r"evil.pt is corrupt: tensors/0.npy declares "
                                           r"3221225472 bytes, more than"):
        _load_bytes(tmp_path, bomb)


@pytest.mark.parametrize("shape", [(10**12,), (10**6, 10**6), (2**62, 4)])
def test_shape_larger_than_file_is_refused(tmp_path, shape):
    data = _archive(_header(shape=shape), {"tensors/0.npy": _npy(np.zeros(3, np.float32))})
    assert len(data) < 1000
    with pytest.raises(RuntimeError, match=r"evil.pt is corrupt or hostile: tensors/0.npy "
                                           r"declares shape .* but holds only"):
        _load_bytes(tmp_path, data)


def test_npy_header_disagreeing_with_table_is_refused(tmp_path):
    data = _archive(_header(shape=(3,)), {"tensors/0.npy": _npy(np.zeros(4, np.float32))})
    with pytest.raises(RuntimeError, match=r"evil.pt is corrupt: tensors/0.npy holds float32 "
                                           r"\[4\], the header says float32 \[3\]"):
        _load_bytes(tmp_path, data)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 5, 5000, 200_000])
def test_deep_nesting_is_refused(tmp_path, depth):
    root: object = 1
    text = '{"type": "list", "items": [' * depth + "1" + "]}" * depth
    header = _header(root=0)
    body = json.dumps(header).replace('"root": 0', '"root": ' + text)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("header.json", body)
        zf.writestr("tensors/0.npy", _npy(np.zeros(3, np.float32)))
    del root
    with pytest.raises(RuntimeError, match=r"evil.pt is (corrupt|corrupt or hostile): .*nested "
                                           r"deeper than"):
        _load_bytes(tmp_path, buf.getvalue())


@pytest.mark.parametrize("dtype", ["complex64", "object", "V8", "uint16", 7, "float128x"])
def test_unsupported_dtype_is_a_runtime_error(tmp_path, dtype):
    data = _archive(_header(dtype=dtype), {"tensors/0.npy": _npy(np.zeros(3, np.float32))})
    with pytest.raises(RuntimeError, match=r"evil.pt holds tensors/0.npy of unsupported dtype"):
        _load_bytes(tmp_path, data)


@pytest.mark.parametrize("shape", [[-1], [1.5], "3", [True], [1] * 65])
def test_bad_shape_is_a_runtime_error(tmp_path, shape):
    header = _header()
    header["tensors"][0]["shape"] = shape
    data = _archive(header, {"tensors/0.npy": _npy(np.zeros(3, np.float32))})
    with pytest.raises(RuntimeError, match="evil.pt is corrupt: tensors/0.npy has shape"):
        _load_bytes(tmp_path, data)


def test_random_damage_gives_only_runtime_errors(tmp_path):
    """Flip, drop or truncate bytes of a real checkpoint 300 times: each load either works
    or raises RuntimeError naming the file."""
    path = tmp_path / "good.pt"
    minitorch.save({"w": minitorch.arange(50.0).reshape(5, 10), "step": 3,
                    "nested": [{"a": minitorch.ones(4, dtype=minitorch.int64)}]}, path)
    good = path.read_bytes()
    rng = random.Random(0)
    errors = 0
    for i in range(300):
        data = bytearray(good)
        kind = i % 3
        if kind == 0:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 1:
            del data[rng.randrange(len(data)):]
        else:
            start = rng.randrange(len(data))
            del data[start:start + rng.randint(1, 64)]
        try:
            _load_bytes(tmp_path, bytes(data), "damaged.pt")
        except RuntimeError as e:
            assert "damaged.pt" in str(e)
            errors += 1
    assert errors > 200


# --------------------------------------------------------------------------- kill -9
def _payload(tag: float) -> dict:
    return {"w": minitorch.full((512, 1024), tag), "tag": tag}  # 2 MiB: a save takes ms


def _check_complete(path) -> float:
    got = minitorch.load(path)
    tag = got["tag"]
    assert tag in (1.0, 2.0)
    assert np.array_equal(got["w"].numpy(), np.full((512, 1024), tag, np.float32))
    return tag


def _temps(directory) -> list[str]:
    return [n for n in os.listdir(directory) if n.endswith(".tmp")]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork to kill a saving child")
def test_kill_during_save_leaves_old_or_new_and_next_save_cleans(tmp_path):
    path = tmp_path / "ckpt.pt"
    minitorch.save(_payload(1.0), path)
    rng = random.Random(1234)
    kills, left_temp, seen = 20, 0, set()
    for _ in range(kills):
        pid = os.fork()
        if pid == 0:  # the child: overwrite the checkpoint again and again until killed
            try:
                while True:
                    for tag in (2.0, 1.0):
                        minitorch.save(_payload(tag), path)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, 0.06))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        seen.add(_check_complete(path))
        left_temp += bool(_temps(tmp_path))
    minitorch.save(_payload(2.0), path)  # removes the temporary files of the killed saves
    assert _temps(tmp_path) == []
    assert _check_complete(path) == 2.0
    print(f"kill -9 during save: {kills} kills, {left_temp} left a temporary file, path "
          f"always complete (tags seen {sorted(seen)}); none left after the next save")


def test_interrupt_python_can_see_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "c.pt"
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        minitorch.save({"w": minitorch.ones(3)}, path)
    assert calls and not path.exists() and _temps(tmp_path) == []


def test_live_process_temp_is_kept(tmp_path):
    """A temporary file of a save still running (its pid alive) is not touched."""
    live = tmp_path / f".c.pt.{os.getppid()}.abc.tmp"
    dead_pid = 2**22 + 12345  # above Linux's default pid_max: no such process
    dead = tmp_path / f".c.pt.{dead_pid}.abc.tmp"
    other = tmp_path / f".d.pt.{dead_pid}.abc.tmp"
    for p in (live, dead, other):
        p.write_bytes(b"x")
    minitorch.save({"w": minitorch.ones(1)}, tmp_path / "c.pt")
    assert live.exists() and not dead.exists() and other.exists()


def test_bounded_reader_round_trips_every_layout(tmp_path):
    """The hand-checked .npy reader keeps what np.load read: Fortran order, empty and 0-d
    arrays, bool, and NumPy-only dtypes for plain arrays (strings, complex, uint16)."""
    objs = {"perm": minitorch.arange(24.0).reshape(2, 3, 4).permute(2, 1, 0),
            "t": minitorch.arange(6.0).reshape(2, 3).t(), "empty": minitorch.ones(0, 3),
            "scalar": minitorch.tensor(3.5), "bool": minitorch.tensor([True, False]),
            "fortran": np.asfortranarray(np.arange(6).reshape(2, 3)),
            "str": np.array(["ab", "c"]), "complex": np.array([1 + 2j]),
            "u16": np.arange(3, dtype=np.uint16)}
    minitorch.save(objs, tmp_path / "all.pt")
    back = minitorch.load(tmp_path / "all.pt")
    for key, value in objs.items():
        want = value if isinstance(value, np.ndarray) else value.numpy()
        got = back[key] if isinstance(back[key], np.ndarray) else back[key].numpy()
        assert got.dtype == want.dtype and np.array_equal(got, want), key
        assert got.flags.writeable
