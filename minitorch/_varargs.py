"""``f(*size)`` that also accepts ``f(size=...)``, as PyTorch's factories and methods do."""

from __future__ import annotations

import functools
import inspect


def varargs_keyword(fn, name: str):
    """Wrap ``fn(..., *args, ...)`` so that ``name=value`` may be given instead of the
    ``*args`` (``torch.rand(size=(2, 3))``, ``x.view(size=(4, -1))``); the wrapper's
    signature shows the ``*args`` parameter as ``*name``."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if name in kwargs:
            if len(args) > first_var:
                raise TypeError(f"{fn.__name__}() got multiple values for argument '{name}'")
            args = (*args, kwargs.pop(name))
        return fn(*args, **kwargs)

    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    first_var = next(i for i, p in enumerate(params) if p.kind is p.VAR_POSITIONAL)
    params[first_var] = params[first_var].replace(name=name)
    wrapper.__signature__ = sig.replace(parameters=params)
    wrapper._var_keyword = name  # read by tests/test_signatures.py
    return wrapper
