"""Named tuples returned by ops that give values and indices (``torch.return_types``).

``values, indices = minitorch.sort(x)`` unpacks like a tuple; ``r.values`` and
``r.indices`` name the parts, and the repr matches PyTorch's.
"""

from __future__ import annotations

from collections import namedtuple


def _values_indices(name: str) -> type:
    cls = namedtuple(name, ["values", "indices"])
    cls.__module__ = "minitorch.return_types"
    cls.__repr__ = lambda self: (
        f"minitorch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"
    )
    return cls


max = _values_indices("max")
min = _values_indices("min")
sort = _values_indices("sort")
topk = _values_indices("topk")
kthvalue = _values_indices("kthvalue")
median = _values_indices("median")
nanmedian = _values_indices("nanmedian")
mode = _values_indices("mode")
