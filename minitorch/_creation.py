"""Functions that create tensors: from data, filled with a value, ranges, random samples."""

from __future__ import annotations

import math

import numpy as np

from . import _backend, _dtype
from ._random import Generator, _gen
from ._varargs import varargs_keyword
from .tensor import Size, Tensor


def _finish(data: np.ndarray, device, requires_grad: bool) -> Tensor:
    dev = _backend.canonical_device(device)
    t = Tensor._wrap(_backend.to_device(data, dev))
    if requires_grad:
        t.requires_grad = True  # validates the dtype
    return t


def _size(size) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, (int, np.integer)):
            raise TypeError(
                f"expected a sequence of integers or a single integer, got '{type(s).__name__}'"
            )
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _size_keyword(fn):
    """Let ``fn(*size, ...)`` also be called as ``fn(size=(2, 3), ...)``, like PyTorch's
    factories (``torch.rand(size=(64, 1, 28, 28))``)."""
    return varargs_keyword(fn, "size")


def _finish_out(data: np.ndarray, out, device, requires_grad: bool, name: str) -> Tensor:
    """Wrap fresh data; with ``out=`` write it into ``out`` (resized like PyTorch)."""
    if out is None:
        return _finish(data, device, requires_grad)
    from .ops._util import write_out

    return write_out(Tensor._wrap(_backend.to_device(data, out.device)), out, name)


def _infer_np(data, dtype=None) -> np.ndarray:
    """Convert data to a new array: ``dtype`` if given, else PyTorch's dtype inference."""
    if isinstance(data, Tensor):
        arr = _backend.to_device(data._data, _backend.CPU)
        return arr.copy() if dtype is None else arr.astype(_dtype.to_np(dtype))
    if isinstance(data, (np.ndarray, np.generic)):  # NumPy data keeps its dtype
        _dtype.from_np(data.dtype)  # raises for unsupported dtypes
        return np.array(data) if dtype is None else np.array(data, dtype=_dtype.to_np(dtype))
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
        data = _untensor(data)
    arr = _python_array(data)
    if dtype is not None:
        target = _dtype.to_np(dtype)
        check_fits(arr, target)
        return arr.astype(target)
    if arr.dtype.kind == "f":
        return arr.astype(_dtype.get_default_dtype().np)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    return arr


def _python_array(data) -> np.ndarray:
    """``np.array(data)`` for Python data, with PyTorch's errors for what it cannot hold."""
    try:
        arr = np.array(data)
    except ValueError as e:  # ragged nesting
        shape = _ragged_where(data)
        if shape is None:
            raise
        raise ValueError(shape) from e
    if arr.dtype.kind in "uOf" and any(type(x) is int and not -2**63 <= x < 2**63
                                       for x in _flat_any(data)):
        # Python ints beyond int64 (NumPy makes uint64 or object arrays of them)
        raise ValueError("Overflow when unpacking long long")
    if arr.dtype == object or arr.dtype.kind in "USV":
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    return arr


def _flat_any(data):
    return _flat(data) if isinstance(data, (list, tuple)) else [data]


def _ragged_where(data, dim: int = 0) -> str | None:
    """PyTorch's message for the first sequence whose length differs from its siblings'."""
    if not isinstance(data, (list, tuple)) or not data:
        return None
    lens = [len(x) if isinstance(x, (list, tuple)) else None for x in data]
    if lens[0] is not None:
        for n in lens[1:]:
            if n != lens[0]:
                return f"expected sequence of length {lens[0]} at dim {dim + 1} (got {n})"
    for x in data:
        msg = _ragged_where(x, dim + 1)
        if msg:
            return msg
    return None


_INT_RANGE = {"int8": (-128, 127), "int16": (-2**15, 2**15 - 1), "int32": (-2**31, 2**31 - 1),
              "int64": (-2**63, 2**63 - 1), "uint8": (0, 255)}


def check_fits(arr: np.ndarray, target: np.dtype, suffix: str = "") -> None:
    """Raise PyTorch's overflow error if Python values ``arr`` do not fit ``target``.

    Integers must lie in the dtype's range (``uint8`` also takes -255..-1, which wrap as
    in C, like PyTorch); floats must be finite and lie in the range before truncation.
    """
    if target.kind not in "iu" or arr.size == 0 or arr.dtype.kind == "b":
        return
    lo, hi = _INT_RANGE[target.name]
    if arr.dtype.kind in "iu":
        if target.kind == "u":
            lo = -hi
        bad = arr.min() < lo or arr.max() > hi
    else:
        with np.errstate(invalid="ignore"):
            bad = not np.isfinite(arr).all() or arr.min() < lo or arr.max() > hi
    if bad:
        raise RuntimeError(f"value cannot be converted to type {target.name}{suffix} without "
                           "overflow")


def _flat(data):
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


def _untensor(data):
    if isinstance(data, Tensor):
        return data.item()
    if isinstance(data, (list, tuple)):
        return [_untensor(x) for x in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a *copy* of ``data`` (nested lists, numbers, arrays).

    Python floats become ``float32`` (the default dtype), ints ``int64``, bools ``bool``.
    """
    return _finish(_infer_np(data, dtype), device, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like :func:`tensor`, but shares memory with a tensor or NumPy array when it can."""
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device)
    if isinstance(data, np.ndarray) and (dtype is None or _dtype.to_np(dtype) == data.dtype):
        _dtype.from_np(data.dtype)
        return _finish(data, device, False)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray`` (changes to one show in the other)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_np(ndarray.dtype)
    return Tensor._wrap(ndarray)


def _dt(dtype, default=None) -> np.dtype:
    if dtype is None:
        return (default or _dtype.get_default_dtype()).np
    return _dtype.to_np(dtype)


@_size_keyword
def zeros(*size, out=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros with the given shape."""
    return _finish_out(np.zeros(_size(size), _dt(dtype)), out, device, requires_grad, "zeros")


@_size_keyword
def ones(*size, out=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones with the given shape."""
    return _finish_out(np.ones(_size(size), _dt(dtype)), out, device, requires_grad, "ones")


@_size_keyword
def empty(*size, out=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor (minitorch fills it with zeros)."""
    return _finish_out(np.zeros(_size(size), _dt(dtype)), out, device, requires_grad, "empty")


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value``; its dtype is inferred from the value."""
    if dtype is None:
        dtype = _dtype._scalar_dtype(fill_value)
    if isinstance(fill_value, (int, float)):
        check_fits(np.asarray(fill_value), _dt(dtype), "_t")
    return _finish(np.full(_size((size,)), fill_value, _dt(dtype)), device, requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values ``start, start+step, ...`` below ``end`` (int64 for int arguments)."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            "upper bound and lower bound inconsistent with step sign"
        )
    is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    n = max(math.ceil((end - start) / step), 0)
    values = start + np.arange(n, dtype=np.int64 if is_int else np.float64) * step
    return _finish(values.astype(_dt(dtype, None if not is_int else _dtype.int64)), device,
                   requires_grad)


def linspace(start, end, steps: int, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(np.linspace(start, end, steps).astype(_dt(dtype)), device, requires_grad)


def eye(n: int, m: int | None = None, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """The ``n x m`` identity matrix."""
    for v in (n, m):
        if v is not None and v < 0:
            raise RuntimeError(f"n must be greater or equal to 0, got {v}")
    return _finish(np.eye(n, m, dtype=_dt(dtype)), device, requires_grad)


def _float_dt(dtype, name: str) -> np.dtype:
    dt = _dt(dtype)
    if dt.kind != "f":
        t = Tensor._wrap(np.zeros(0, dt))
        raise NotImplementedError(f'"{name}" not implemented for \'{t._scalar_type_name()}\'')
    return dt


@_size_keyword
def rand(*size, generator: Generator | None = None, out: Tensor | None = None, dtype=None,
         device=None, requires_grad: bool = False) -> Tensor:
    """Samples from the uniform distribution on [0, 1).

    ``rand(2, 3)``, ``rand((2, 3))`` and ``rand(size=(2, 3))`` are the same call.
    """
    dt = _float_dt(dtype, "check_uniform_bounds")
    data = _gen(generator).random(_size(size), dtype=np.float64).astype(dt)
    return _finish_out(data, out, device, requires_grad, "rand")


@_size_keyword
def randn(*size, generator: Generator | None = None, out: Tensor | None = None, dtype=None,
          device=None, requires_grad: bool = False) -> Tensor:
    """Samples from the standard normal distribution (``size`` as for :func:`rand`)."""
    dt = _float_dt(dtype, "normal_kernel_cpu")
    data = _gen(generator).standard_normal(_size(size)).astype(dt)
    return _finish_out(data, out, device, requires_grad, "randn")


def _int_arg(name: str, position: int, value) -> int:
    if isinstance(value, Tensor) and value.numel() == 1 and not value.is_floating_point():
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"randint(): argument '{name}' (position {position}) must be int, "
                        f"not {type(value).__name__}")
    return int(value)


def randint(low=0, high=None, size=None, *, generator: Generator | None = None,
            out: Tensor | None = None, dtype=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """Random integers in ``[low, high)``, int64 unless ``dtype`` says otherwise.

    PyTorch's two overloads in one signature: ``randint(high, size)`` and
    ``randint(low, high, size)`` (positionally or by keyword).
    """
    if size is None:  # randint(high, size): the arguments moved one place left
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if size is None or high is None:
        raise TypeError("randint() missing required arguments: 'high' and 'size'")
    if not isinstance(size, (tuple, list, Size)):
        raise TypeError(f"randint(): argument 'size' (position 3) must be tuple of ints, "
                        f"not {type(size).__name__}")
    low, high = _int_arg("low", 1, low), _int_arg("high", 2, high)
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    data = _gen(generator).integers(low, high, _size((size,)), dtype=np.int64)
    return _finish_out(data.astype(_dt(dtype, _dtype.int64)), out, device, requires_grad,
                       "randint")


def randperm(n: int, *, generator: Generator | None = None, out: Tensor | None = None,
             dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A random permutation of ``0..n-1`` (int64 unless ``dtype`` says otherwise)."""
    _size((n,))
    if dtype is None:
        dtype = _dtype.int64
    data = _gen(generator).permutation(n).astype(_dt(dtype, _dtype.int64))
    return _finish_out(data, out, device, requires_grad, "randperm")


def normal(mean, std=1.0, size=None, *, generator: Generator | None = None,
           out: Tensor | None = None, dtype=None, device=None,
           requires_grad: bool = False) -> Tensor:
    r"""Samples from :math:`\mathcal N(\text{mean}, \text{std}^2)`, PyTorch's overloads:

    * ``normal(mean: Tensor, std: Tensor)``: one sample per element (broadcast shapes),
      with ``mean``'s dtype;
    * ``normal(mean: Tensor, std=1.0)`` and ``normal(mean: float, std: Tensor)``: the
      tensor gives the shape and dtype;
    * ``normal(mean: float, std: float, size, *, dtype=None, ...)``: ``size`` is required.
    """
    m_t, s_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not m_t and not s_t and size is None:
        raise TypeError(
            "normal() received an invalid combination of arguments - got (float, float): "
            "with float mean and std, give a size: normal(mean, std, size)")
    if size is not None and (m_t or s_t):
        raise TypeError("normal(): size is only accepted with float mean and std")
    if m_t or s_t:
        ref = mean if m_t else std
        dt = _float_dt(ref.dtype, "normal_kernel_cpu")
        m = mean._data if m_t else mean
        s = std._data if s_t else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        device = ref.device if device is None else device
    else:
        dt = _float_dt(dtype, "normal_kernel_cpu")
        m, s, shape = mean, std, _size((size,))
    m = _backend.to_device(m, _backend.CPU) if not np.isscalar(m) else m
    s = _backend.to_device(s, _backend.CPU) if not np.isscalar(s) else s
    if np.any(np.asarray(s) < 0):
        bad = np.asarray(s).min()
        raise RuntimeError(f"normal expects std >= 0.0, but found std {bad:g}")
    data = _gen(generator).normal(m, s, shape).astype(dt)
    return _finish_out(data, out, device, requires_grad, "normal")


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Generator | None = None, out: Tensor | None = None) -> Tensor:
    """Draw category indices with probabilities proportional to the rows of ``input``."""
    probs = np.asarray(input._data, dtype=np.float64)
    rows = probs.reshape(-1, probs.shape[-1])
    if (rows < 0).any() or not np.isfinite(rows).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if (rows.sum(axis=1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    g = _gen(generator)
    out_rows = np.stack([
        g.choice(rows.shape[1], size=num_samples, replace=replacement, p=r / r.sum())
        for r in rows
    ])
    draws = out_rows.reshape(probs.shape[:-1] + (num_samples,)).astype(np.int64)
    return _finish_out(draws, out, input.device, False, "multinomial")


def bernoulli(input: Tensor, p: float | None = None, *, generator: Generator | None = None,
              out: Tensor | None = None) -> Tensor:
    """1 with probability ``input`` (elementwise), else 0; with ``p``, 1 with probability
    ``p`` everywhere (``input`` gives only the shape and dtype)."""
    prob = _backend.to_device(input._data, _backend.CPU) if p is None else p
    arr = np.asarray(prob)
    if arr.size and not (arr.min() >= 0 and arr.max() <= 1):  # NaN fails too
        if p is not None:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        raise RuntimeError(f"Expected p_in >= 0 && p_in <= 1 to be true, but got false "
                           f"(bernoulli probabilities lie in [{arr.min()}, {arr.max()}])")
    draw = _gen(generator).random(input.shape)
    return _finish_out((draw < prob).astype(input.dtype.np), out, input.device, False,
                       "bernoulli")


def _like(name, fill):
    def like(input: Tensor, *, dtype=None, device=None, requires_grad=False) -> Tensor:
        dt = input.dtype if dtype is None else dtype
        dev = input.device if device is None else device
        return fill(input.shape, dt, dev, requires_grad)

    like.__name__ = name
    like.__doc__ = f"Like ``{name[:-5]}`` with ``input``'s shape, dtype and device."
    return like


def _random_like(name, fill):
    def like(input: Tensor, *, generator: Generator | None = None, dtype=None, device=None,
             requires_grad=False) -> Tensor:
        dt = input.dtype if dtype is None else dtype
        dev = input.device if device is None else device
        return fill(input.shape, generator=generator, dtype=dt, device=dev,
                    requires_grad=requires_grad)

    like.__name__ = name
    like.__doc__ = f"Like ``{name[:-5]}`` with ``input``'s shape, dtype and device."
    return like


zeros_like = _like("zeros_like", lambda s, d, v, r: zeros(s, dtype=d, device=v, requires_grad=r))
ones_like = _like("ones_like", lambda s, d, v, r: ones(s, dtype=d, device=v, requires_grad=r))
empty_like = _like("empty_like", lambda s, d, v, r: empty(s, dtype=d, device=v, requires_grad=r))
rand_like = _random_like("rand_like", rand)
randn_like = _random_like("randn_like", randn)


def full_like(input: Tensor, fill_value, *, dtype=None, device=None, requires_grad=False):
    """A tensor like ``input`` filled with ``fill_value``."""
    return full(input.shape, fill_value, dtype=dtype or input.dtype,
                device=device or input.device, requires_grad=requires_grad)


def randint_like(input: Tensor, low=0, high=None, *, generator: Generator | None = None,
                 dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Random integers in ``[low, high)`` (or ``[0, low)``) with ``input``'s shape, dtype
    and device."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, generator=generator, dtype=dtype or input.dtype,
                   device=device or input.device, requires_grad=requires_grad)


# ---- Tensor.new_* methods: same dtype/device as self unless given -----------------
def _new(fill):
    def method(self: Tensor, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        return fill(_size(size), dtype or self.dtype, device or self.device, requires_grad)

    return _size_keyword(method)  # x.new_zeros(size=(2, 3)) too


Tensor.new_zeros = _new(lambda s, d, v, r: zeros(s, dtype=d, device=v, requires_grad=r))
Tensor.new_ones = _new(lambda s, d, v, r: ones(s, dtype=d, device=v, requires_grad=r))
Tensor.new_empty = _new(lambda s, d, v, r: empty(s, dtype=d, device=v, requires_grad=r))


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                requires_grad=requires_grad)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)


Tensor.new_full = _new_full
Tensor.new_tensor = _new_tensor
