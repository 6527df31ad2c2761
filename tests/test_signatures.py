"""The signature audit: every public minitorch callable against PyTorch's signature.

What is compared
----------------
Everything public that minitorch provides *and* PyTorch has under the same name, found
automatically (so functions and modules added later are audited too):

* top-level functions and classes (``minitorch.rand`` vs ``torch.rand``), ``autograd``;
* ``Tensor`` methods (``minitorch.Tensor.add`` vs ``torch.Tensor.add``);
* the classes of ``nn``, ``optim``, ``optim.lr_scheduler``, ``utils.data`` (their
  constructors and their public methods), ``nn.functional``, ``nn.init``, ``nn.utils``.

For each pair, PyTorch's signature comes from :func:`inspect.signature` where it has one,
else from the signature lines of its docstring (``rand(*size, *, generator=None, ...)
-> Tensor``; a function documented with several overloads, like ``normal``, has several
lines, and minitorch must match one of them or list why not). Parameter names, their
order, the keyword-only marker and the defaults must agree; annotations do not count,
nor does positional-only versus positional-or-keyword (PyTorch's C++ functions accept
keywords for every parameter their docs name).

Where minitorch differs on purpose, ``ALLOWED`` below says so, with the reason; the
README's "Differences from PyTorch" table repeats those reasons. An entry that no longer
matches a difference fails the test too, so the list cannot go stale.
"""

from __future__ import annotations

import ast
import inspect
import re
import types

import pytest
import torch

import minitorch

# --------------------------------------------------------------------------- allow-list
# Parameters of PyTorch that minitorch leaves out everywhere, each for one reason. A
# missing one of these is not reported; passing it raises TypeError (unexpected keyword).
#
# ONE table, two kinds of key:
# * "param:<name>": a PyTorch parameter minitorch leaves out wherever it appears (passing
#   it raises TypeError, unexpected keyword); it is then not reported per function;
# * "<qualified name>" (as printed by the failing test): one function's difference.
ALLOWED: dict[str, str] = {
    "param:layout": "only strided (dense) tensors exist",
    "param:pin_memory": "no pinned memory: CPU arrays are NumPy's",
    "param:memory_format": "no channels_last: tensors are C-contiguous or NumPy views",
    "param:names": "named tensors are not provided",
}


# --------------------------------------------------------------------------- signatures
class Param:
    """One parameter: name, kind ('pos', 'kw', 'var', 'varkw') and default text."""

    __slots__ = ("default", "kind", "name")

    def __init__(self, name: str, kind: str, default: object) -> None:
        self.name, self.kind, self.default = name, kind, default

    def __eq__(self, other) -> bool:
        return (self.name, self.kind) == (other.name, other.kind) and _same_default(
            self.default, other.default)

    def __repr__(self) -> str:
        prefix = {"var": "*", "varkw": "**"}.get(self.kind, "")
        text = prefix + self.name + ("" if self.default is NO_DEFAULT else f"={self.default}")
        return ("<kw>" if self.kind == "kw" else "") + text


NO_DEFAULT = "<required>"
ANY_DEFAULT = "..."  # a stub's ``= ...``: optional, value not stated
_KIND = {
    inspect.Parameter.POSITIONAL_ONLY: "pos",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "pos",
    inspect.Parameter.VAR_POSITIONAL: "var",
    inspect.Parameter.KEYWORD_ONLY: "kw",
    inspect.Parameter.VAR_KEYWORD: "varkw",
}


def _default_text(value: object) -> str:
    """A default as comparable text: literals by value, objects by a torch-style repr."""
    if value is inspect.Parameter.empty:
        return NO_DEFAULT
    text = repr(value)
    text = text.replace("minitorch.", "torch.")
    if isinstance(value, type):
        text = value.__name__
    return text


def _same_default(a: str, b: str) -> bool:
    if a == b or ANY_DEFAULT in (a, b) and NO_DEFAULT not in (a, b):
        return True
    try:
        va, vb = ast.literal_eval(a), ast.literal_eval(b)
    except (ValueError, SyntaxError):
        return False
    if isinstance(va, (list, tuple)) and isinstance(vb, (list, tuple)):
        return list(va) == list(vb)
    return type(va) is not bool and type(vb) is not bool and va == vb or va is vb


def from_inspect(sig: inspect.Signature, drop_first: bool) -> list[Param]:
    params = list(sig.parameters.values())
    if drop_first and params and params[0].kind in (
            inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
        params = params[1:]
    return [Param(p.name, _KIND[p.kind], _default_text(p.default)) for p in params]


def _split_top_level(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def from_doc_line(args: str) -> list[Param]:
    """Parameters of one documented signature line, e.g. ``*size, *, dtype=None``."""
    out, kw = [], False
    for part in _split_top_level(args.replace("\\", "")):
        if part == "*":
            kw = True
            continue
        if part == "/":
            continue
        if part.startswith("**"):
            out.append(Param(part[2:], "varkw", NO_DEFAULT))
            continue
        if part.startswith("*"):
            out.append(Param(part[1:], "var", NO_DEFAULT))
            kw = True
            continue
        name, eq, default = part.partition("=")
        name = name.split(":")[0].strip()
        out.append(Param(name, "kw" if kw else "pos",
                         default.strip() if eq else NO_DEFAULT))
    return out


def doc_signatures(obj, name: str) -> list[list[Param]]:
    """Every ``name(...) -> ...`` line of ``obj``'s docstring (its documented overloads)."""
    doc = inspect.getdoc(obj) or ""
    found = []
    for line in doc.splitlines():
        m = re.match(rf"\s*{re.escape(name)}\((.*)$", line)
        if not m:
            continue
        depth, end = 1, None
        for i, ch in enumerate(m.group(1)):
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if depth == 0:
                end = i
                break
        rest = m.group(1)[end + 1:].strip() if end is not None else ""
        if end is not None and (rest.startswith("->") or not found and not rest):
            found.append(from_doc_line(m.group(1)[:end]))
    return found


def _stub_overloads() -> tuple[dict, dict]:
    """PyTorch's type stubs for its C++ functions: name -> list of overload signatures,
    for the top-level/``nn.functional`` functions and for the Tensor methods. The stubs
    are generated from the same schemas as the Python argument parser, so their names
    are the ones keyword calls accept (the docstrings are sometimes older: they say
    ``mul(value)`` where ``x.mul(other=2)`` is the working call)."""
    import pathlib

    root = pathlib.Path(torch.__file__).parent
    functions: dict[str, list] = {}
    methods: dict[str, list] = {}
    for rel in ("_C/_VariableFunctions.pyi", "_C/_nn.pyi", "nn/functional.pyi"):
        path = root / rel
        if path.exists():
            for node in ast.parse(path.read_text()).body:
                if isinstance(node, ast.FunctionDef):
                    functions.setdefault(node.name, []).append(_from_ast(node.args, False))
    tree = ast.parse((root / "_C/__init__.pyi").read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "TensorBase":
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    methods.setdefault(item.name, []).append(_from_ast(item.args, True))
    return functions, methods


def _from_ast(args: ast.arguments, method: bool) -> list[Param]:
    positional = args.posonlyargs + args.args
    if method and positional:
        positional = positional[1:]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out = [Param(a.arg, "pos", NO_DEFAULT if d is None else _stub_default(d))
           for a, d in zip(positional, defaults)]
    if args.vararg:
        out.append(Param(args.vararg.arg, "var", NO_DEFAULT))
    for a, d in zip(args.kwonlyargs, args.kw_defaults):
        out.append(Param(a.arg, "kw", NO_DEFAULT if d is None else _stub_default(d)))
    if args.kwarg:
        out.append(Param(args.kwarg.arg, "varkw", NO_DEFAULT))
    return out


def _stub_default(node: ast.expr) -> str:
    text = ast.unparse(node)
    return ANY_DEFAULT if text == "..." else text


_STUBS = None


def torch_signatures(obj, name: str, method: bool) -> list[list[Param]]:
    global _STUBS
    try:
        return [from_inspect(inspect.signature(obj), drop_first=method and not isinstance(
            obj, (staticmethod, classmethod)))]
    except (ValueError, TypeError):
        pass
    if _STUBS is None:
        _STUBS = _stub_overloads()
    stubs = _STUBS[1] if method else _STUBS[0]
    return stubs.get(name) or doc_signatures(obj, name)


def ours_signature(obj, method: bool) -> list[Param] | None:
    try:
        return from_inspect(inspect.signature(obj), drop_first=method)
    except (ValueError, TypeError):
        return None


def _drop_ignored(params: list[Param], ours: list[Param]) -> list[Param]:
    """Drop the parameters PyTorch has that minitorch leaves out everywhere (``param:``
    entries of ALLOWED)."""
    have = {p.name for p in ours}
    return [p for p in params if p.name in have or f"param:{p.name}" not in ALLOWED]


def mismatch(ours: list[Param], overloads: list[list[Param]]) -> str | None:
    """None when the one Python signature ``ours`` serves every documented overload.

    For each overload, its positional parameters must be ours at the same positions (or
    fall into ours' ``*args``), its keyword-only ones must be keyword-only in ours, and
    every default it states must be ours. Each parameter of ours must come from some
    overload, and may have a default where an overload requires it only when another
    overload leaves it out (``sum(input)`` / ``sum(input, dim, keepdim=False)``).
    The order of keyword-only parameters does not matter (no call can tell).
    """
    problems = []
    by_name = {p.name: p for p in ours}
    ours_pos = [p for p in ours if p.kind == "pos"]
    ours_var = next((p for p in ours if p.kind == "var"), None)
    has_varkw = any(p.kind == "varkw" for p in ours)
    for sig in overloads:
        pos = [p for p in sig if p.kind == "pos"]
        for i, p in enumerate(pos):
            if i < len(ours_pos):
                if ours_pos[i].name != p.name:
                    problems.append(f"positional {i} is {ours_pos[i].name!r}, torch {p.name!r}")
            elif ours_var is None:
                problems.append(f"no positional parameter {p.name!r}")
        for p in sig:
            mine = by_name.get(p.name)
            if p.kind == "var":
                if ours_var is None or ours_var.name != p.name:
                    problems.append(f"no *{p.name}")
                continue
            if p.kind == "varkw":
                if not has_varkw:
                    problems.append(f"no **{p.name}")
                continue
            if mine is None:
                if not (has_varkw and p.kind == "kw"):
                    problems.append(f"no parameter {p.name!r}")
                continue
            if p.kind == "kw" and mine.kind != "kw":
                problems.append(f"{p.name!r} is not keyword-only")
            if p.kind == "pos" and mine.kind == "kw":
                problems.append(f"{p.name!r} is keyword-only")
            if p.default != NO_DEFAULT and not _same_default(p.default, mine.default):
                problems.append(f"{p.name}={mine.default}, torch {p.name}={p.default}")
    for mine in ours:
        if mine.kind in ("var", "varkw"):
            if not any(p.kind == mine.kind for sig in overloads for p in sig):
                problems.append(f"extra {'*' if mine.kind == 'var' else '**'}{mine.name}")
            continue
        having = [next((p for p in sig if p.name == mine.name), None) for sig in overloads]
        if all(p is None for p in having):
            problems.append(f"extra parameter {mine.name!r}")
        elif (mine.default != NO_DEFAULT and all(p is not None for p in having)
              and all(p.default == NO_DEFAULT for p in having)):
            problems.append(f"{mine.name!r} has a default, torch requires it")
        elif mine.default == NO_DEFAULT and any(
                p is None or p.default != NO_DEFAULT for p in having):
            problems.append(f"{mine.name!r} is required, torch has it optional")
    if not problems:
        return None
    return "; ".join(dict.fromkeys(problems))


def compare(ours: list[Param] | None, theirs: list[list[Param]]) -> str | None:
    """None when ``ours`` serves PyTorch's signature(s), else what differs."""
    if not theirs:
        return None  # PyTorch documents no signature: nothing to compare with
    if ours is None:
        return "minitorch has no inspectable signature"
    overloads = [_drop_ignored(sig, ours) for sig in theirs]
    for sig in overloads:  # one overload matched exactly
        if mismatch(ours, [sig]) is None:
            return None
    diff = mismatch(ours, overloads)
    if diff is None:
        return None
    return f"{diff}  [minitorch {ours} | torch " + " | ".join(map(str, overloads)) + "]"


# --------------------------------------------------------------------------- enumeration
def _public(namespace) -> list[str]:
    names = getattr(namespace, "__all__", None) or dir(namespace)
    return sorted(n for n in names if not n.startswith("_"))


def _is_ours(obj) -> bool:
    return getattr(obj, "__module__", "") and obj.__module__.startswith("minitorch")


def _class_methods(prefix: str, ours_cls, torch_cls):
    """Public methods that ``ours_cls`` defines itself (not inherited from ``object``)."""
    for name in sorted(vars(ours_cls)):
        if name.startswith("_") and name != "__init__":
            continue
        if name == "__init__":
            continue
        attr = inspect.getattr_static(ours_cls, name)
        theirs = getattr(torch_cls, name, None)
        if theirs is None or isinstance(attr, property) or not callable(getattr(ours_cls, name)):
            continue
        if isinstance(inspect.getattr_static(torch_cls, name, None), property):
            continue
        static = isinstance(attr, (staticmethod, classmethod))
        yield f"{prefix}.{name}", getattr(ours_cls, name), theirs, not static, name


def audit_targets():
    """(qualified name, minitorch object, torch object, is_method, short name)."""
    import minitorch.nn.functional
    import minitorch.nn.init
    import minitorch.nn.utils
    import minitorch.optim
    import minitorch.optim.lr_scheduler
    import minitorch.utils.data
    import torch.nn.functional
    import torch.nn.init
    import torch.nn.utils
    import torch.optim.lr_scheduler
    import torch.utils.data

    namespaces = [
        ("torch", minitorch, torch),
        ("torch.autograd", minitorch.autograd, torch.autograd),
        ("torch.nn", minitorch.nn, torch.nn),
        ("torch.nn.functional", minitorch.nn.functional, torch.nn.functional),
        ("torch.nn.init", minitorch.nn.init, torch.nn.init),
        ("torch.nn.utils", minitorch.nn.utils, torch.nn.utils),
        ("torch.optim", minitorch.optim, torch.optim),
        ("torch.optim.lr_scheduler", minitorch.optim.lr_scheduler, torch.optim.lr_scheduler),
        ("torch.utils.data", minitorch.utils.data, torch.utils.data),
    ]
    seen = set()
    for prefix, ours_ns, torch_ns in namespaces:
        for name in _public(ours_ns):
            ours = getattr(ours_ns, name, None)
            theirs = getattr(torch_ns, name, None)
            if theirs is None or isinstance(ours, types.ModuleType) or not callable(ours):
                continue
            if not _is_ours(ours) and not isinstance(ours, types.BuiltinFunctionType):
                continue
            qual = f"{prefix}.{name}"
            if inspect.isclass(ours):
                if not inspect.isclass(theirs):
                    continue
                if type(ours) is not type and not issubclass(type(ours), type):
                    continue
                if (ours, "init") not in seen and "__init__" in vars(ours) or (
                        "__new__" in vars(ours)):
                    seen.add((ours, "init"))
                    yield qual, ours, theirs, False, name
                if ours is minitorch.Tensor:
                    continue  # its methods are audited below with the Tensor prefix
                if ours not in seen:
                    seen.add(ours)
                    yield from _class_methods(qual, ours, theirs)
            else:
                yield qual, ours, theirs, False, name
    for name in sorted(dir(minitorch.Tensor)):
        if name.startswith("_"):
            continue
        attr = inspect.getattr_static(minitorch.Tensor, name)
        theirs = getattr(torch.Tensor, name, None)
        if theirs is None or isinstance(attr, property) or not callable(attr):
            continue
        if isinstance(inspect.getattr_static(torch.Tensor, name, None), property):
            continue
        yield f"torch.Tensor.{name}", getattr(minitorch.Tensor, name), theirs, True, name


def audit() -> dict[str, str]:
    """Every difference found: qualified name -> description."""
    found = {}
    for qual, ours, theirs, method, name in audit_targets():
        if inspect.isclass(ours):
            o = ours_signature(ours, False)
            t_name = theirs.__name__
            try:
                t = [from_inspect(inspect.signature(theirs), False)]
            except (ValueError, TypeError):
                t = doc_signatures(theirs, t_name)
        else:
            o = ours_signature(ours, method)
            t = torch_signatures(theirs, name, method)
        diff = compare(o, t)
        if diff is not None:
            found[qual] = diff
    return found


@pytest.fixture(scope="module")
def differences():
    return audit()


def test_audit_finds_the_public_api():
    """The enumeration really reaches every namespace (so the audit cannot pass empty)."""
    names = {q for q, *_ in audit_targets()}
    for expected in ["torch.rand", "torch.Tensor.add", "torch.nn.Linear",
                     "torch.nn.Module.state_dict", "torch.nn.functional.conv2d",
                     "torch.optim.SGD", "torch.optim.lr_scheduler.StepLR",
                     "torch.utils.data.DataLoader", "torch.autograd.grad"]:
        assert expected in names


def test_every_signature_matches_torch_or_is_allowed(differences):
    unexplained = {q: d for q, d in differences.items() if q not in ALLOWED}
    assert not unexplained, "signatures differing from PyTorch:\n" + "\n".join(
        f"{q}: {d}" for q, d in sorted(unexplained.items()))


def test_allow_list_has_no_stale_entries(differences):
    stale = sorted(set(ALLOWED) - set(differences))
    assert not stale, f"these allowed differences are gone; remove them from ALLOWED: {stale}"


def test_comparison_catches_differences():
    """The comparer itself: a renamed, reordered or re-defaulted parameter is caught."""
    theirs = [from_doc_line("input, dim=None, *, keepdim=False")]

    def sig(f):
        return ours_signature(f, False)

    def same(input, dim=None, *, keepdim=False): ...
    def renamed(x, dim=None, *, keepdim=False): ...
    def positional(input, dim=None, keepdim=False): ...
    def default(input, dim=0, *, keepdim=False): ...

    assert compare(sig(same), theirs) is None
    for f in (renamed, positional, default):
        assert compare(sig(f), theirs) is not None


if __name__ == "__main__":
    for q, d in sorted(audit().items()):
        print(f"{q}: {d}")
