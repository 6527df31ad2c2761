"""The bad-input table (``bad_input_table.py``) run against PyTorch and minitorch.

For every case, PyTorch must raise (so the case really is invalid), minitorch must raise
an exception of the same built-in type, and minitorch's message must match the case's
pattern. Allow-listed cases raise the type the allow-list gives, for its stated reason.
"""

from __future__ import annotations

import re
import warnings

import pytest
import torch
from bad_input_table import ALLOWED, CASES

import minitorch


def builtin_type(exc: BaseException) -> type:
    """The first built-in class in ``exc``'s MRO (torch.linalg.LinAlgError -> RuntimeError)."""
    for cls in type(exc).__mro__:
        if cls.__module__ == "builtins":
            return cls
    return type(exc)  # pragma: no cover


def outcome(lib, call):
    """The built-in exception type and message ``call(lib)`` raises, or ``(None, '')``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call(lib)
        except Exception as e:  # noqa: BLE001 - every exception is the result here
            return builtin_type(e), str(e)
    return None, ""


def test_table_size_and_allow_list():
    assert len(CASES) >= 400
    assert set(ALLOWED) <= set(CASES)
    assert len(ALLOWED) <= 0.02 * len(CASES)  # a short list, each with a reason
    assert all(reason for _, reason in ALLOWED.values())


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name):
    call, pattern = CASES[name]
    t_type, t_msg = outcome(torch, call)
    assert t_type is not None, f"PyTorch accepts {name}: not a bad-input case"
    m_type, m_msg = outcome(minitorch, call)
    assert m_type is not None, f"minitorch returned a value where PyTorch raises {t_type}"
    if name in ALLOWED:
        assert m_type.__name__ == ALLOWED[name][0]
    else:
        assert m_type is t_type, f"minitorch raised {m_type.__name__}: {m_msg}; torch {t_msg}"
    assert re.search(pattern, m_msg), f"message {m_msg!r} does not match {pattern!r}"


def figures() -> dict[str, int]:
    """The table's figures (cases, same type as PyTorch, allow-listed), for the notes."""
    same = allowed = 0
    for name, (call, _) in CASES.items():
        t_type, _ = outcome(torch, call)
        m_type, _ = outcome(minitorch, call)
        same += m_type is not None and m_type is t_type
        allowed += name in ALLOWED
    return {"cases": len(CASES), "same_type": same, "allow_listed": allowed}


if __name__ == "__main__":  # PYTHONPATH=. python tests/test_bad_input.py: every mismatch
    for name, (call, pattern) in CASES.items():
        t_type, t_msg = outcome(torch, call)
        m_type, m_msg = outcome(minitorch, call)
        ok_type = m_type is t_type or (name in ALLOWED and m_type
                                       and m_type.__name__ == ALLOWED[name][0])
        ok_msg = m_type is not None and re.search(pattern, m_msg)
        if t_type is None or not ok_type or not ok_msg:
            print(f"{name}\n   torch: {t_type and t_type.__name__}: {t_msg[:150]!r}\n"
                  f"   mini : {m_type and m_type.__name__}: {m_msg[:150]!r}")
    print(figures())
