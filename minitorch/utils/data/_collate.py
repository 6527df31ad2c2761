r"""Collation: turning a list of samples into one batch (PyTorch's ``default_collate``).

The rule is recursive on the structure of the *first* sample ``elem``:

==========================  ===============================================
``elem`` is                 the batch becomes
==========================  ===============================================
Tensor                      ``stack(batch, 0)``: shape ``(B, *elem.shape)``
NumPy array                 the arrays stacked into one Tensor (same dtype)
NumPy scalar                a 1-D Tensor of that dtype
``float``                   a float64 Tensor of shape ``(B,)``
``int`` (``bool``)          an int64 (bool) Tensor of shape ``(B,)``
``str`` / ``bytes``         the list unchanged
Mapping                     ``{key: collate([d[key] for d in batch])}``
namedtuple                  the same namedtuple of collated fields
tuple / list                transposed: ``[collate(column) for column in zip(*batch)]``
==========================  ===============================================

So a dataset yielding ``(image, label)`` pairs gives batches ``[images, labels]``
(a *list*, as in PyTorch), with ``images`` of shape ``(B, C, H, W)``.
"""

from __future__ import annotations

import collections.abc
import copy
from typing import Any

import numpy as np

import minitorch

__all__ = ["default_collate", "default_convert"]

_ERR_FORMAT = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _is_str_or_object(dtype: np.dtype) -> bool:
    """Arrays of strings, bytes or Python objects cannot become Tensors."""
    return dtype.kind in "SaUO"


def _from_numpy(array: np.ndarray) -> Any:
    """A Tensor with ``array``'s values and dtype."""
    from_numpy = getattr(minitorch, "from_numpy", None)
    if from_numpy is not None:
        return from_numpy(array if array.flags.c_contiguous else array.copy())
    return minitorch.tensor(array)


def _check_equal_shapes(shapes: list[tuple[int, ...]]) -> None:
    first = shapes[0]
    for i, shape in enumerate(shapes):
        if shape != first:
            raise RuntimeError(
                "stack expects each tensor to be equal size, but got "
                f"{list(first)} at entry 0 and {list(shape)} at entry {i}"
            )


def _collate_tensors(batch: list) -> Any:
    _check_equal_shapes([tuple(t.shape) for t in batch])
    return minitorch.stack(list(batch), 0)


def _collate_arrays(batch: list) -> Any:
    if _is_str_or_object(batch[0].dtype):
        raise TypeError(_ERR_FORMAT.format(batch[0].dtype))
    _check_equal_shapes([b.shape for b in batch])
    return _from_numpy(np.stack(batch, 0))


def _collate_numbers(batch: list) -> Any:
    if all(isinstance(b, bool) for b in batch):
        return _from_numpy(np.array(batch, dtype=np.bool_))
    return _from_numpy(np.array(batch, dtype=np.int64))


def _rebuild_mapping(elem: Any, values: dict) -> Any:
    """A mapping of ``elem``'s type holding ``values`` (a plain dict if that fails)."""
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(values)
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def _rebuild_sequence(elem: Any, values: list) -> Any:
    """A sequence of ``elem``'s type holding ``values`` (a plain list if that fails)."""
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, v in enumerate(values):
                clone[i] = v
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def default_collate(batch: list) -> Any:
    """Merge a list of samples into a batch, following the table in the module doc.

    Parameters
    ----------
    batch : list
        Samples, all with the structure of ``batch[0]``.

    Raises
    ------
    RuntimeError
        If tensors/arrays differ in shape, or sequences differ in length.
    TypeError
        If a leaf has an unsupported type (e.g. an object or string array).
    """
    elem = batch[0]
    if isinstance(elem, minitorch.Tensor):
        return _collate_tensors(batch)
    if isinstance(elem, np.ndarray):
        return _collate_arrays(batch)
    if isinstance(elem, (np.bool_, np.number)):
        return _from_numpy(np.array(batch))
    if isinstance(elem, float):
        # via NumPy: the floats go straight to float64, never through float32
        return _from_numpy(np.array(batch, dtype=np.float64))
    if isinstance(elem, int):
        return _collate_numbers(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(
            elem, {key: default_collate([d[key] for d in batch]) for key in elem}
        )
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(column) for column in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(column) for column in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # PyTorch returns a list for tuples too
        return _rebuild_sequence(elem, columns)
    raise TypeError(_ERR_FORMAT.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Convert NumPy arrays/scalars inside ``data`` to Tensors, keeping the structure.

    Used instead of :func:`default_collate` when batching is off
    (``DataLoader(batch_size=None)``): Python numbers and strings are left alone,
    tuples become lists (as in PyTorch).
    """
    if isinstance(data, np.ndarray):
        return data if _is_str_or_object(data.dtype) else _from_numpy(data)
    if isinstance(data, (np.bool_, np.number)):
        return _from_numpy(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(
        data, (str, bytes)
    ):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data
