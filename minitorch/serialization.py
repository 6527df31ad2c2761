"""Saving and loading tensors without pickle: ``minitorch.save`` and ``minitorch.load``.

``torch.save`` pickles, and unpickling a file can run any code its author chose. A
minitorch checkpoint therefore holds no pickle at all. It is a zip archive (stdlib
:mod:`zipfile`, stored uncompressed) with

``header.json``
    ``{"format": "minitorch-checkpoint", "version": 1, "tensors": [...], "root": ...}``.
    ``root`` is the saved object written as JSON: ``None``, bools, ints, strings and finite
    floats stand for themselves; everything else is a small tagged object::

        {"type": "dict", "items": [[key, value], ...], "ordered": false}
        {"type": "list", "items": [...]}     {"type": "tuple", "items": [...]}
        {"type": "tensor", "index": k}       {"type": "ndarray", "index": k}
        {"type": "float", "value": "nan"}    (also "inf" and "-inf")

    Dicts are stored as lists of pairs, so key order, int keys (an optimizer's state
    dict has them) and tuple keys survive. ``tensors[k]`` records the array's ``file``,
    ``kind`` (``"tensor"`` or ``"ndarray"``), NumPy ``dtype`` name, ``shape`` and the
    ``device`` it was saved from.
``tensors/<k>.npy``
    The k-th array in NumPy's ``.npy`` format, written with ``allow_pickle=False`` and
    read back the same way.

A tensor reached twice through the same Python object is stored once and loads as one
tensor; two different tensors sharing storage (views) are stored twice.

Differences from PyTorch
------------------------
* Only tensors, NumPy arrays, dicts, lists, tuples, str, int, float, bool, None and whole
  ``nn.Module`` objects can be saved (an optimizer is saved through its ``state_dict()``).
  A module is recorded as a tree of plain data and rebuilt without pickle
  (``minitorch/_module_serialization.py``); loading one needs ``weights_only=False``, as
  in PyTorch 2.6+, but even then runs no code from the file. Outside a module,
  ``nn.Parameter`` is saved as a plain tensor.
* Loaded tensors never require grad, the way the tensors of a ``state_dict()`` do not
  (the parameters of a loaded module do, as saved).
* A tensor saved on a CUDA device loads on the CPU when CUDA is absent (PyTorch raises).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import struct
import tempfile
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

import minitorch
from minitorch import _module_serialization

FORMAT_NAME = "minitorch-checkpoint"
FORMAT_VERSION = 1
_HEADER = "header.json"
_ENTRY_KEYS = {"file", "kind", "dtype", "shape", "device"}

FileLike = str | os.PathLike | IO[bytes]
MapLocation = Any  # None, str, minitorch.device, dict or callable: see load()


# --------------------------------------------------------------------------- writing


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> None:
    """Call ``write(fh)`` on a temporary file beside ``path``, then rename it to ``path``.

    The rename (:func:`os.replace`) is atomic, so ``path`` holds either its old contents
    or the complete new ones, never a half-written file; if ``write`` raises, the
    temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    directory = path.parent
    if not directory.is_dir():
        raise RuntimeError(f"Parent directory {directory} does not exist.")
    _remove_stale_temps(path)
    tmp = None
    try:  # the temporary file's name holds our pid, so a later save can tell it is stale
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=_temp_prefix(path) + f"{os.getpid()}.",
                                   suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)  # mkstemp creates files 0600; give the usual permissions
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:  # also KeyboardInterrupt and SystemExit: never leave the file
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def _remove_stale_temps(path: Path) -> None:
    """Remove the temporary files that earlier saves to ``path`` left when they were killed
    (``kill -9``, power loss): ``.NAME.<pid>.<random>.tmp`` whose process is gone."""
    prefix = _temp_prefix(path)
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            name = entry.name
            if not (name.startswith(prefix) and name.endswith(".tmp")):
                continue
            pid = name[len(prefix):].split(".", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (on this machine)."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but is not ours, or we cannot tell: keep its file
    return True


def save(obj: Any, f: FileLike) -> None:
    """Save ``obj`` (nested dicts/lists/tuples of tensors and plain values) to ``f``.

    Parameters
    ----------
    obj
        For example ``model.state_dict()`` or
        ``{"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 3}``.
    f
        A path (``str`` or ``os.PathLike``), written atomically, or a binary file
        object opened for writing.

    Raises
    ------
    TypeError
        If ``obj`` holds something other than the supported types; nothing is written.
    """
    arrays: list[np.ndarray] = []
    entries: list[dict] = []
    root = _encode(obj, arrays, entries, {}, "obj")
    header = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "tensors": entries, "root": root}

    def write(fh: IO[bytes]) -> None:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(_HEADER, json.dumps(header))
            for entry, array in zip(entries, arrays):
                with zf.open(entry["file"], "w", force_zip64=True) as out:
                    np.save(out, array, allow_pickle=False)

    if isinstance(f, (str, os.PathLike)):
        atomic_write(f, write)
    else:
        write(f)


def _encode(obj: Any, arrays: list, entries: list, memo: dict, where: str) -> Any:
    """Turn ``obj`` into JSON-ready data, appending its arrays to ``arrays``/``entries``."""
    if obj is None or isinstance(obj, (bool, str, int)):
        return obj
    if _module_serialization.handles(obj):  # a whole model: its module tree
        return _module_serialization.encode(
            obj, lambda v, w: _encode(v, arrays, entries, memo, w), memo, where)
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else {"type": "float", "value": repr(obj)}
    if isinstance(obj, np.generic) and not isinstance(obj, np.void):
        return _encode(obj.item(), arrays, entries, memo, where)
    if isinstance(obj, (minitorch.Tensor, np.ndarray)):
        kind = "ndarray" if isinstance(obj, np.ndarray) else "tensor"
        if id(obj) not in memo:
            if kind == "tensor":
                array, device = obj.detach().cpu().numpy(), str(obj.device)
            else:
                array, device = obj, "cpu"
            if array.dtype.hasobject:
                raise TypeError(f"minitorch.save cannot store an object array at {where}")
            memo[id(obj)] = len(arrays)
            entries.append({"file": f"tensors/{len(arrays)}.npy", "kind": kind,
                            "dtype": array.dtype.name, "shape": list(array.shape),
                            "device": device})
            arrays.append(array)
        return {"type": kind, "index": memo[id(obj)]}
    if isinstance(obj, dict):
        items = [[_encode(k, arrays, entries, memo, f"{where} (key {k!r})"),
                  _encode(v, arrays, entries, memo, f"{where}[{k!r}]")] for k, v in obj.items()]
        return {"type": "dict", "items": items, "ordered": isinstance(obj, OrderedDict)}
    if isinstance(obj, (list, tuple)):
        items = [_encode(v, arrays, entries, memo, f"{where}[{i}]") for i, v in enumerate(obj)]
        return {"type": "list" if isinstance(obj, list) else "tuple", "items": items}
    raise TypeError(
        f"minitorch.save cannot store an object of type {type(obj).__name__} at {where}; "
        "it stores tensors, NumPy arrays, dicts, lists, tuples, str, int, float, bool and "
        "None (save a module or optimizer through its state_dict())")


# --------------------------------------------------------------------------- reading


def load(f: FileLike, map_location: MapLocation = None, *, weights_only: bool = True) -> Any:
    """Load an object saved by :func:`save`.

    Parameters
    ----------
    f
        A path or a binary file object opened for reading.
    map_location
        Where tensors go. ``None``: the device they were saved from, or the CPU when that
        device is not available. A string or :class:`minitorch.device` (``"cpu"``,
        ``"cuda:0"``): that device. A dict ``{"cuda:0": "cpu"}``: remaps saved device
        names (others are placed as for ``None``). A callable
        ``fn(tensor, saved_device_name)``: returns the tensor to use, or ``None`` for the
        placement of ``None``.
    weights_only
        As in ``torch.load`` (default True): a file holding a whole module (saved with
        ``minitorch.save(model, f)``) is refused with PyTorch's "Weights only load
        failed" ``pickle.UnpicklingError`` unless it is False. Nothing is ever
        unpickled either way; see :mod:`minitorch._module_serialization`.

    Raises
    ------
    RuntimeError
        If ``f`` is not a minitorch checkpoint (a text file, a pickle, a ``torch.save``
        file, ...) or is truncated or corrupt. Pickles are recognised and never run.
    pickle.UnpicklingError
        If the file holds a module and ``weights_only`` is True, or names something
        other than an ``nn.Module`` subclass.
    AttributeError, ModuleNotFoundError
        If a saved module's class is not defined (imported) in this program.
    """
    _module_serialization.begin_load(weights_only)  # whole modules need weights_only=False
    if isinstance(f, (str, os.PathLike)):
        name = os.fspath(f)
        with open(f, "rb") as fh:
            return _load(fh, name, map_location)
    return _load(f, getattr(f, "name", "<file object>"), map_location)


def _load(fh: IO[bytes], name: Any, map_location: MapLocation) -> Any:
    if not (hasattr(fh, "seekable") and fh.seekable()):
        fh = io.BytesIO(fh.read())
    start = fh.tell()
    magic = fh.read(4)
    size = fh.seek(0, io.SEEK_END) - start  # what the file can hold bounds every read
    fh.seek(start)
    _check_magic(magic, name)
    try:
        with zipfile.ZipFile(fh) as zf:
            header = _read_header(zf, name, size)
            arrays = [_read_array(zf, entry, name, size) for entry in header["tensors"]]
    except _CORRUPT as e:
        raise RuntimeError(f"{name} is truncated or corrupt ({type(e).__name__}: {e})") from e
    values = [_to_tensor(a, e, map_location) if e["kind"] == "tensor" else a
              for a, e in zip(arrays, header["tensors"])]
    try:
        return _decode(header["root"], values)
    except (KeyError, IndexError, TypeError, ValueError) as e:
        raise RuntimeError(f"{name} is corrupt: its {_HEADER} does not describe a saved "
                           f"object ({type(e).__name__}: {e})") from e


# What a damaged archive can raise from zipfile, zlib, struct or the .npy reader.
_CORRUPT = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError,
            ValueError, KeyError, TypeError, OverflowError, struct.error, zlib.error)
MAX_DEPTH = 100  # nesting of dicts/lists/tuples in a checkpoint (a state dict needs ~3)
_MAX_HEADER = 256 * 2**20
_DEFLATE_RATIO = 1032  # deflate never expands data by more than this factor
_DTYPES = {"float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"}


def _member(zf: zipfile.ZipFile, file: Any, name: Any, size: int) -> zipfile.ZipInfo:
    """The archive member ``file``, after checking that its sizes are believable."""
    if not isinstance(file, str):  # a corrupt file is a RuntimeError, as documented
        raise RuntimeError(f"{name} is corrupt: a member name is {file!r}, not a string")  # noqa: TRY004
    try:
        info = zf.getinfo(file)
    except KeyError:
        raise RuntimeError(f"{name} is truncated or corrupt: cannot read {file} (the archive "
                           "lacks it)") from None
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise RuntimeError(f"{name} is corrupt: {file} uses compression method "
                           f"{info.compress_type} (minitorch writes stored members)")
    limit = info.compress_size * (1 if info.compress_type == zipfile.ZIP_STORED
                                  else _DEFLATE_RATIO) + 64
    if info.compress_size > size or info.file_size > limit:
        raise RuntimeError(f"{name} is corrupt: {file} declares {info.file_size} bytes, more "
                           f"than its {info.compress_size} stored bytes of a {size}-byte file "
                           "can hold")
    return info


def _check_magic(magic: bytes, name: Any) -> None:
    """Tell a zip archive from an empty file, a pickle or some other file."""
    if magic in (b"PK\x03\x04", b"PK\x05\x06"):
        return
    if not magic:
        raise RuntimeError(f"{name} is empty: not a minitorch checkpoint (truncated?)")
    if magic[0] == 0x80 and len(magic) > 1 and 2 <= magic[1] <= 5:
        raise RuntimeError(
            f"{name} is a pickle file, not a minitorch checkpoint. minitorch never unpickles "
            "(unpickling can run arbitrary code); save tensors with minitorch.save instead")
    raise RuntimeError(f"{name} is not a minitorch checkpoint (not a zip archive; "
                       f"it starts with {magic!r})")


def _read_header(zf: zipfile.ZipFile, name: Any, size: int) -> dict:
    names = zf.namelist()
    if _HEADER not in names:
        if any(n.endswith("data.pkl") for n in names):
            raise RuntimeError(
                f"{name} is a PyTorch checkpoint written by torch.save, not a minitorch "
                "checkpoint; its contents are pickled and minitorch never unpickles. In "
                "PyTorch, load it and convert its tensors with .numpy() to save them with "
                "minitorch.save")
        raise RuntimeError(f"{name} is not a minitorch checkpoint (a zip archive without "
                           f"{_HEADER})")
    info = _member(zf, _HEADER, name, size)
    if info.file_size > _MAX_HEADER:
        raise RuntimeError(f"{name} is corrupt: its {_HEADER} declares {info.file_size} bytes")
    try:
        with zf.open(info) as fp:
            text = fp.read(info.file_size + 1)
        header = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RuntimeError(f"{name} is corrupt: unreadable {_HEADER} ({e})") from e
    except RecursionError:
        raise RuntimeError(f"{name} is corrupt or hostile: its {_HEADER} is nested deeper than "
                           f"{MAX_DEPTH} levels") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise RuntimeError(f"{name} is not a minitorch checkpoint (its {_HEADER} does not "
                           f"name the format {FORMAT_NAME!r})")
    version = header.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise RuntimeError(f"{name} has checkpoint format version {version!r}; this "
                           f"minitorch reads versions up to {FORMAT_VERSION}")
    entries = header.get("tensors")
    if not (isinstance(entries, list) and "root" in header
            and all(isinstance(e, dict) and _ENTRY_KEYS <= e.keys() for e in entries)):
        raise RuntimeError(f"{name} is corrupt: its {_HEADER} lacks the tensor table")
    return header


def _declared_shape(entry: dict, name: Any) -> tuple[int, ...]:
    """The shape an entry of the tensor table declares, after checking its dtype name."""
    dt, shape = entry["dtype"], entry["shape"]
    if entry["kind"] == "tensor" and dt not in _DTYPES or not isinstance(dt, str):
        raise RuntimeError(f"{name} holds {entry['file']} of unsupported dtype {dt!r}: minitorch "
                           f"tensors are {', '.join(sorted(_DTYPES))}")
    if not (isinstance(shape, list) and len(shape) <= 64
            and all(type(n) is int and n >= 0 for n in shape)):
        raise RuntimeError(f"{name} is corrupt: {entry['file']} has shape {shape!r}")
    return tuple(shape)


def _check_fits(entry: dict, dtype: np.dtype, shape: tuple, info: zipfile.ZipInfo,
                name: Any) -> int:
    """The array's size in bytes, which the member must be able to hold."""
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > info.file_size:
        raise RuntimeError(f"{name} is corrupt or hostile: {entry['file']} declares shape "
                           f"{list(shape)} of {dtype.name} ({nbytes} bytes), but holds only "
                           f"{info.file_size} bytes")
    return nbytes


def _read_array(zf: zipfile.ZipFile, entry: dict, name: Any, size: int) -> np.ndarray:
    """Read one ``.npy`` member, allocating only what the member can really hold."""
    shape = _declared_shape(entry, name)
    info = _member(zf, entry["file"], name, size)
    if entry["dtype"] in _DTYPES:  # refuse an impossible shape before reading anything
        _check_fits(entry, np.dtype(entry["dtype"]), shape, info, name)
    with zf.open(info) as fp:
        version = np.lib.format.read_magic(fp)
        read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                else np.lib.format.read_array_header_2_0)
        npy_shape, fortran, dtype = read(fp)
        if dtype.hasobject or dtype.kind not in "biufcUS":
            raise RuntimeError(f"{name} holds {entry['file']} of unsupported dtype {dtype}")
        if dtype.name != entry["dtype"] or tuple(npy_shape) != shape:
            raise RuntimeError(
                f"{name} is corrupt: {entry['file']} holds {dtype.name} {list(npy_shape)}"
                f", the header says {entry['dtype']} {entry['shape']}")
        nbytes = _check_fits(entry, dtype, shape, info, name)
        array = np.empty(shape[::-1] if fortran else shape, dtype)
        view = memoryview(array.reshape(-1).view(np.uint8)) if nbytes else None
        done = 0
        while done < nbytes:
            n = fp.readinto(view[done:])
            if not n:
                raise RuntimeError(f"{name} is truncated: {entry['file']} ends after {done} of "
                                   f"{nbytes} bytes")
            done += n
        fp.read(1)  # reach the end, so zipfile checks the CRC
    return array.T if fortran else array


def _to_tensor(array: np.ndarray, entry: dict, map_location: MapLocation) -> minitorch.Tensor:
    """Wrap a loaded array as a tensor (requires_grad off) on the device map_location picks."""
    tensor = minitorch.from_numpy(array)
    saved = entry["device"]
    if callable(map_location):
        moved = map_location(tensor, saved)
        if moved is not None:
            return moved
        target = None
    elif isinstance(map_location, dict):
        target = map_location.get(saved)
    else:
        target = map_location
    if target is None:  # the saved device; the CPU for a GPU one where CUDA is absent
        target = saved if saved == "cpu" or minitorch.cuda.is_available() else "cpu"
    target = minitorch.device(target)
    return tensor if target.type == "cpu" else tensor.to(target)


def _decode(node: Any, values: list, depth: int = 0) -> Any:
    """Inverse of :func:`_encode` (at most :data:`MAX_DEPTH` levels deep)."""
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if depth > MAX_DEPTH:
        raise ValueError(f"the saved object is nested deeper than {MAX_DEPTH} levels")
    kind = node["type"]
    if kind == "float":
        return float(node["value"])
    if kind in ("tensor", "ndarray"):
        index = node["index"]
        if type(index) is not int or index < 0:
            raise IndexError(f"tensor index {index!r}")
        return values[index]
    if kind in _module_serialization.NODE_TYPES:
        return _module_serialization.decode(node, lambda n: _decode(n, values))
    if kind == "list":
        return [_decode(v, values, depth + 1) for v in node["items"]]
    if kind == "tuple":
        return tuple(_decode(v, values, depth + 1) for v in node["items"])
    if kind == "dict":
        pairs = ((_decode(k, values, depth + 1), _decode(v, values, depth + 1))
                 for k, v in node["items"])
        return OrderedDict(pairs) if node.get("ordered") else dict(pairs)
    raise ValueError(f"unknown node type {kind!r}")
