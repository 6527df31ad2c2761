r"""Worker *processes* for ``DataLoader(..., multiprocessing_context=...)``.

Threads share one interpreter lock, so a transform pipeline written in Python (Pillow
calls, small NumPy ops) gains nothing from worker threads. Processes do, as in PyTorch:

* each worker is a ``multiprocessing`` process (``fork``, ``spawn`` or ``forkserver``)
  joined to the main process by one duplex pipe; it builds its own fetcher, sets its
  :class:`WorkerInfo`, seeds ``random``, NumPy and minitorch with ``base_seed + id``,
  runs ``worker_init_fn(id)``, then answers tasks ``(task id, batch indices)`` in the
  order it receives them;
* batch ``k`` goes to worker ``k mod W`` (the thread pool's rule), and the main process
  reads worker ``k mod W``'s pipe for batch ``k``, so batches arrive in sampler order,
  identical to ``num_workers=0``;
* batches cross the pipe **without pickle**: :func:`encode` writes a JSON description of
  the nested tuples/lists/dicts, numbers and strings, followed by the raw bytes of every
  tensor and array, and :func:`decode` rebuilds them with ``numpy.frombuffer``. Nothing
  the main process reads can run code. (The dataset itself reaches a ``spawn`` or
  ``forkserver`` worker the way ``multiprocessing`` sends process arguments: pickled by
  the parent, for the child; under ``fork`` the child simply inherits it.)
* an exception in a worker is sent back as its type name, message and traceback, and
  re-raised in the main process as the same built-in type (``RuntimeError`` for other
  types) with PyTorch's "Caught ... in DataLoader worker process N" message;
* a worker exits on a stop message, when its pipe closes, or when its parent process is
  gone; the main process joins every worker (terminating one that does not stop within a
  second), so no process outlives its ``DataLoader``.
"""

from __future__ import annotations

import builtins
import concurrent.futures
import contextlib
import json
import multiprocessing
import os
import random
import time
import traceback
from typing import Any

import numpy as np

_HEAD = 8  # bytes of the little-endian header length that starts every message


# ---- the wire format: JSON for structure, raw bytes for arrays ------------------------
def encode(obj: Any) -> bytes:
    """``obj`` (nested tuple/list/dict of Tensors, arrays, numbers, str, bytes, None) as
    one message: header length, JSON header, then each array's bytes in order."""
    from minitorch import Tensor

    chunks: list[bytes] = []

    def enc(o: Any) -> Any:
        if o is None or isinstance(o, (bool, int, float, str)):
            return o
        if isinstance(o, Tensor):
            arr = np.ascontiguousarray(o.detach().cpu().numpy())
            chunks.append(arr.tobytes())
            return {"T": [arr.dtype.str, list(arr.shape)]}
        if isinstance(o, np.ndarray):
            if o.dtype.hasobject:
                raise TypeError("a DataLoader worker cannot send an object array")
            arr = np.ascontiguousarray(o)
            chunks.append(arr.tobytes())
            return {"A": [arr.dtype.str, list(arr.shape)]}
        if isinstance(o, np.generic):
            chunks.append(np.asarray(o).tobytes())
            return {"S": o.dtype.str}
        if isinstance(o, bytes):
            chunks.append(o)
            return {"b": len(o)}
        if isinstance(o, tuple):
            return {"t": [enc(v) for v in o]}
        if isinstance(o, list):
            return {"l": [enc(v) for v in o]}
        if isinstance(o, dict):
            return {"d": [[enc(k), enc(v)] for k, v in o.items()]}
        raise TypeError(
            f"a DataLoader worker process cannot send a {type(o).__name__} to the main "
            "process (batches travel without pickle): return Tensors, NumPy arrays, "
            "numbers, strings, bytes, or tuples/lists/dicts of them"
        )

    header = json.dumps(enc(obj)).encode()
    return b"".join([len(header).to_bytes(_HEAD, "little"), header, *chunks])


def _control(word: str) -> bytes:
    """A control message ("stop", "reset") in :func:`encode`'s format, built without
    imports, so that a loader freed while Python shuts down can still stop its workers."""
    header = json.dumps(word).encode()
    return len(header).to_bytes(_HEAD, "little") + header


_STOP, _RESET = _control("stop"), _control("reset")


def decode(message: bytes) -> Any:
    """Rebuild what :func:`encode` wrote (copies the array bytes; never unpickles)."""
    from minitorch import Tensor

    size = int.from_bytes(message[:_HEAD], "little")
    tree = json.loads(message[_HEAD : _HEAD + size])
    view = memoryview(message)
    pos = _HEAD + size

    def take(dtype: str, shape: list) -> np.ndarray:
        nonlocal pos
        dt = np.dtype(dtype)
        if dt.hasobject:
            raise RuntimeError("DataLoader: a worker message declared an object array")
        count = int(np.prod(shape, dtype=np.int64))
        arr = np.frombuffer(view, dtype=dt, count=count, offset=pos).reshape(shape).copy()
        pos += count * dt.itemsize
        return arr

    def dec(node: Any) -> Any:
        nonlocal pos
        if not isinstance(node, dict):
            return node
        ((kind, val),) = node.items()
        if kind == "T":
            return Tensor._wrap(take(*val))
        if kind == "A":
            return take(*val)
        if kind == "S":
            return take(val, [])[()]
        if kind == "b":
            pos += val
            return bytes(view[pos - val : pos])
        if kind == "t":
            return tuple(dec(v) for v in val)
        if kind == "l":
            return [dec(v) for v in val]
        return {dec(k): dec(v) for k, v in val}

    return dec(tree)


def _error_message(exc: BaseException) -> dict:
    return {"error": [type(exc).__name__, type(exc).__module__, str(exc),
                      "".join(traceback.format_exception(exc))]}


class _KeyErrorMessage(str):
    """A message whose repr is itself, so ``str(KeyError(msg))`` shows the traceback."""

    def __repr__(self) -> str:
        return str(self)


def reraise(error: list, worker_id: int) -> None:
    """Raise a worker's exception in the main process, as PyTorch's ``ExceptionWrapper``."""
    name, module, _, trace = error
    cls = getattr(builtins, name, None) if module == "builtins" else None
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = RuntimeError
    msg = f"Caught {name} in DataLoader worker process {worker_id}.\nOriginal {trace}"
    if cls is KeyError:  # KeyError's str() is the repr of its argument: keep it readable
        msg = _KeyErrorMessage(msg)
    try:
        exc = cls(msg)
    except Exception:  # noqa: BLE001 - a built-in type that wants other arguments
        exc = RuntimeError(msg)
    raise exc


# ---- the worker process --------------------------------------------------------------
def _worker_loop(conn: Any, parent_end: Any, config: Any, info: Any, init_fn: Any) -> None:
    """Body of one worker process (see the module docstring)."""
    import minitorch

    from ...kernels.threads import single_threaded
    from . import dataloader

    single_threaded()  # the workers are the parallelism: one thread each, as PyTorch's

    if parent_end is not None:
        parent_end.close()  # so that the main process's exit closes our pipe
    parent = os.getppid()
    dataloader._local.info = info
    random.seed(info.seed)
    np.random.seed(info.seed % 2**32)
    minitorch.manual_seed(info.seed)
    try:
        if init_fn is not None:
            init_fn(info.id)
    except Exception as exc:  # noqa: BLE001 - reported to the main process
        conn.send_bytes(encode(_error_message(exc)))
        return
    fetcher = None
    while True:
        try:
            while not conn.poll(1.0):
                if os.getppid() != parent:  # the main process died
                    return
            msg = decode(conn.recv_bytes())
        except (EOFError, OSError):
            return
        if msg == "stop":
            return
        if msg == "reset":
            fetcher = None
            continue
        _, task, index = msg
        try:
            if fetcher is None:
                fetcher = config.make_fetcher()
            try:
                reply = {"task": task, "data": fetcher.fetch(index)}
            except StopIteration:
                reply = {"task": task, "exhausted": True}
            payload = encode(reply)
        except Exception as exc:  # noqa: BLE001 - re-raised in the main process
            payload = encode(_error_message(exc))
        try:
            conn.send_bytes(payload)
        except (BrokenPipeError, OSError):
            return


class _Pending:
    """A task sent to a worker process; ``result()`` reads its answer (a Future look-alike)."""

    def __init__(self, pool: ProcessPool, wid: int, task: int) -> None:
        self.pool, self.wid, self.task = pool, wid, task
        self.done = False

    def cancel(self) -> bool:
        return False  # a sent task cannot be recalled; drain() reads its answer

    def result(self, timeout: float | None = None) -> Any:
        self.done = True
        return self.pool.receive(self.wid, self.task, timeout)


class ProcessPool:
    """``num_workers`` worker processes with the thread pool's interface."""

    def __init__(self, config: Any, infos: list, init_fn: Any, context: Any) -> None:
        if isinstance(context, str) or context is None:
            context = multiprocessing.get_context(context)
        self.conns, self.procs = [], []
        self.next_task = 0
        try:
            for info in infos:
                mine, theirs = context.Pipe(duplex=True)
                inherit = context.get_start_method() == "fork"
                proc = context.Process(
                    target=_worker_loop,
                    args=(theirs, mine if inherit else None, config, info, init_fn),
                    name=f"minitorch-dataloader-worker-{info.id}",
                    daemon=True,
                )
                proc.start()
                theirs.close()
                self.conns.append(mine)
                self.procs.append(proc)
        except BaseException:
            self.shutdown()
            raise

    def reset(self) -> None:
        """A new epoch: workers drop their fetchers (new dataset iterators)."""
        for conn in self.conns:
            conn.send_bytes(_RESET)

    def submit(self, wid: int, index: Any) -> _Pending:
        task = self.next_task
        self.next_task += 1
        self.conns[wid].send_bytes(encode(("task", task, index)))
        return _Pending(self, wid, task)

    def receive(self, wid: int, task: int, timeout: float | None) -> Any:
        from .dataloader import _EXHAUSTED

        conn, proc = self.conns[wid], self.procs[wid]
        deadline = None if timeout is None else time.monotonic() + timeout
        while not conn.poll(0.5 if deadline is None else max(0, min(0.5, deadline - time.monotonic()))):
            if not proc.is_alive() and not conn.poll(0):
                raise RuntimeError(
                    f"DataLoader worker (pid {proc.pid}) exited unexpectedly with exit code "
                    f"{proc.exitcode}"
                )
            if deadline is not None and time.monotonic() >= deadline:
                raise concurrent.futures.TimeoutError
        try:
            reply = decode(conn.recv_bytes())
        except (EOFError, OSError) as err:
            raise RuntimeError(
                f"DataLoader worker (pid {proc.pid}) exited unexpectedly"
                + (f" with exit code {proc.exitcode}" if proc.exitcode is not None else "")
            ) from err
        if "error" in reply:
            reraise(reply["error"], wid)
        if reply.get("task") != task:
            raise RuntimeError(f"DataLoader: worker {wid} answered task {reply.get('task')}, "
                               f"expected {task}")
        return _EXHAUSTED if reply.get("exhausted") else reply["data"]

    def drain(self, pending: list) -> None:
        """Read and drop the answers to tasks still in flight (persistent workers)."""
        for p in pending:
            if not p.done:
                with contextlib.suppress(Exception):  # the pass is over: nobody to tell
                    p.result(timeout=60)

    def shutdown(self) -> None:
        """Stop every worker and wait for it (terminate one that lingers)."""
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.send_bytes(_STOP)
        for proc in self.procs:
            proc.join(timeout=1.0)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5.0)
        for conn in self.conns:
            conn.close()
        self.conns, self.procs = [], []

