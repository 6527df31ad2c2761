"""The signature audit: every public minitorch callable against PyTorch's signature.

What is compared
----------------
Everything public that minitorch provides *and* PyTorch has under the same name, found
automatically (so functions and modules added later are audited too): the functions and
classes of every namespace in ``NAMESPACES`` that minitorch has (``torch``,
``autograd``, ``nn``, ``nn.functional``, ``nn.init``, ``nn.utils``, ``optim``,
``optim.lr_scheduler``, ``utils.data``, ``profiler``, ...): class constructors and the
public methods a class defines, and every ``Tensor`` method.

PyTorch's signature comes from :func:`inspect.signature` where it has one; for its C++
functions from its type stubs (``torch/_C/_VariableFunctions.pyi``, ``_C/__init__.pyi``
for Tensor methods, ``nn/functional.pyi``), which are generated from the same schemas as
its argument parser and list every overload; else from the signature lines of the
docstring (``rand(*size, *, generator=None, ...) -> Tensor``). minitorch passes when it
matches one overload exactly, or when its one Python signature serves all of them (see
:func:`mismatch`). Parameter names, positions, keyword-only markers and defaults count;
annotations do not, nor does positional-only versus positional-or-keyword, nor the name
of a ``*args`` (no call can use it), nor the order of keyword-only parameters.

Where minitorch differs on purpose, ``ALLOWED`` below says so, with the reason; the
README's "Differences from PyTorch" table repeats those reasons. An entry that no longer
matches a difference fails the test too, so the list cannot go stale. Run this file
(`PYTHONPATH=. python tests/test_signatures.py`) to print every difference found.
"""

from __future__ import annotations

import ast
import inspect
import re
import types

import pytest
import torch

import minitorch
from minitorch import _legacy

# --------------------------------------------------------------------------- allow-list
_OVERLOADS = "one Python signature serves PyTorch's overloads"
_SUPERSET = "a superset of PyTorch's signature: "
_STUB = "PyTorch's type stub is wrong, minitorch follows PyTorch's behaviour: "
_MISSING = "not provided (TypeError, unexpected keyword): "

#
# ONE table, three kinds of key:
# * "param:<name>": a PyTorch parameter minitorch leaves out wherever it appears (passing
#   it raises TypeError, unexpected keyword); it is then not reported per function;
# * "extra:<name>": a parameter minitorch's Tensor methods have where PyTorch's have none;
# * "<qualified name>" (as printed by the failing test): one function's difference.
ALLOWED: dict[str, str] = {
    "param:layout": "only strided (dense) tensors exist",
    "param:pin_memory": "no pinned memory: CPU arrays are NumPy's",
    "param:memory_format": "no channels_last: tensors are C-contiguous or NumPy views",
    "param:names": "named tensors are not provided",
    "param:out": "out= is provided by the arithmetic, comparison, matmul, reduction and "
                 "creation functions; elsewhere passing it raises TypeError",
    "extra:out": "Tensor methods are the functions bound as methods, so they also accept "
                 "out= where PyTorch's methods do not (a superset: no call breaks)",
    "param:sparse_grad": "sparse gradients are not provided (gather's sparse_grad)",
    # -- one Python signature serving several of PyTorch's overloads (every documented
    #    call works; the union has defaults that no single overload shows)
    "torch.max": _OVERLOADS + " max(input), max(input, dim, keepdim), max(input, other)"
                 " (other is keyword-only in minitorch: max(x, y) with a tensor y works "
                 "positionally too)",
    "torch.min": _OVERLOADS + " min(input), min(input, dim, keepdim), min(input, other)",
    "torch.Tensor.max": _OVERLOADS + " x.max(), x.max(dim, keepdim), x.max(other)",
    "torch.Tensor.min": _OVERLOADS + " x.min(), x.min(dim, keepdim), x.min(other)",
    "torch.std": _OVERLOADS + " std(input, dim, unbiased, keepdim) and std(input, dim, *, "
                 "correction, keepdim) (keepdim also by position)",
    "torch.var": _OVERLOADS + " var(input, dim, unbiased, keepdim) and var(input, dim, *, "
                 "correction, keepdim)",
    "torch.Tensor.std": _OVERLOADS + " x.std(dim, unbiased, keepdim), x.std(dim, *, "
                        "correction, keepdim)",
    "torch.Tensor.var": _OVERLOADS + " x.var(dim, unbiased, keepdim), x.var(dim, *, "
                        "correction, keepdim)",
    "torch.arange": _OVERLOADS + " arange(end) and arange(start, end, step)",
    "torch.randint": _OVERLOADS + " randint(high, size) and randint(low, high, size) "
                     "(positionally and by keyword)",
    "torch.randint_like": _OVERLOADS + " randint_like(input, high) and randint_like(input, "
                          "low, high)",
    "torch.where": _OVERLOADS + " where(condition) and where(condition, input, other); the "
                   "stubs' `self` overloads are Number-first variants of the same call",
    "torch.std_mean": _OVERLOADS + " std_mean(input, dim, unbiased, keepdim), "
                      "std_mean(input, dim, *, correction, keepdim) and std_mean(input, "
                      "unbiased) (keepdim also by position), as torch.std",
    "torch.var_mean": _OVERLOADS + " var_mean(input, dim, unbiased, keepdim), "
                      "var_mean(input, dim, *, correction, keepdim) and var_mean(input, "
                      "unbiased), as torch.var",
    "torch.sort": _OVERLOADS + " sort(input, dim=-1, descending=False) and sort(input, *, "
                  "stable, dim=-1, descending=False) (a superset: stable= also combines with "
                  "a positional dim/descending, which PyTorch rejects)",
    "torch.argsort": _OVERLOADS + " argsort(input, dim=-1, descending=False) and "
                     "argsort(input, *, stable, dim=-1, descending=False) (a superset, as "
                     "sort)",
    "torch.Tensor.sort": _OVERLOADS + " x.sort(dim=-1, descending=False) and x.sort(*, "
                         "stable, dim=-1, descending=False)",
    "torch.Tensor.argsort": _OVERLOADS + " x.argsort(dim=-1, descending=False) and "
                            "x.argsort(*, stable, dim=-1, descending=False)",
    "torch.repeat_interleave": _OVERLOADS + " repeat_interleave(input, repeats, dim=None) "
                               "and repeat_interleave(repeats) (the one-tensor form by "
                               "position: repeat_interleave(repeats=t) alone raises "
                               "TypeError)",
    # -- supersets: minitorch accepts more than PyTorch (no PyTorch call breaks)
    "torch.permute": _SUPERSET + "permute(x, 1, 0) works as well as permute(x, (1, 0))",
    "torch.reshape": _SUPERSET + "reshape(x, 2, 3) works as well as reshape(x, (2, 3))",
    "torch.true_divide": _SUPERSET + "an alias of div, so it also takes rounding_mode",
    "torch.Tensor.true_divide": _SUPERSET + "an alias of div, so it also takes rounding_mode",
    "torch.no_grad": _SUPERSET + "also usable as a bare decorator (@no_grad)",
    "torch.nn.Module.forward": _SUPERSET + "the base forward takes **kwargs too (it only "
                               "raises 'missing the required forward function')",
    "torch.nn.ModuleList.forward": _SUPERSET + "inherited from Module",
    "torch.nn.ModuleDict.forward": _SUPERSET + "inherited from Module",
    "torch.nn.functional.dropout": _SUPERSET + "an extra generator= (minitorch extension) "
                                   "for reproducible masks",
    "torch.Tensor.to": "parses every documented form at run time (to(dtype), to(device), "
                       "to(device, dtype), to(tensor), keywords non_blocking/copy)",
    "torch.autograd.gradcheck": "accepts PyTorch's further options as **kwargs and ignores "
                                "them (nondet_tol, check_undefined_grad, fast_mode, ...)",
    "torch.autograd.gradgradcheck": "accepts PyTorch's further options as **kwargs and "
                                    "ignores them",
    "torch.set_printoptions": "profile= and sci_mode= are accepted and ignored",
    "torch.utils.data.Sampler": "keeps the older data_source=None argument (ignored)",
    "torch.utils.data.random_split": "generator=None means the default generator (PyTorch "
                                     "writes the default generator object itself)",
    # -- PyTorch's stubs disagree with PyTorch itself (checked by calling torch 2.13)
    "torch.tensor": _STUB + "torch.tensor(data, torch.float64) raises 'takes 1 positional "
                    "argument': dtype, device, requires_grad are keyword-only, as here",
    "torch.Tensor.new_tensor": _STUB + "x.new_tensor(data, torch.float64) raises in torch: "
                               "keyword-only, as here",
    "torch.Tensor.requires_grad_": _STUB + "x.requires_grad_(mode=True) raises in torch; "
                                   "the keyword is requires_grad, as here",
    "torch.numel": _STUB + "torch.numel(input=x) works and numel(self=x) raises in torch",
    # -- not provided (passing them raises TypeError, unexpected keyword)
    "torch.Tensor.expand": _MISSING + "implicit= (a TorchScript internal)",
    "torch.Tensor.squeeze": _MISSING + "the varargs form x.squeeze(0, 1); x.squeeze((0, 1)) "
                            "works",
    "torch.autograd.backward": _MISSING + "grad_variables= (deprecated alias of "
                               "grad_tensors)",
    "torch.enable_grad": _MISSING + "orig_func= (use @enable_grad() or with enable_grad())",
    "torch.nn.Hardtanh": _MISSING + "min_value=/max_value= (deprecated aliases of "
                         "min_val/max_val)",
    "torch.nn.Embedding.from_pretrained": "max_norm, norm_type, scale_grad_by_freq, sparse "
                                          "go through **kwargs to Embedding, which raises "
                                          "NotImplementedError for the unsupported ones",
    "torch.nn.Module.load_state_dict": _MISSING + "assign= (parameters are always copied "
                                       "into)",
    "torch.nn.Module.modules": _MISSING + "remove_duplicate= (shared modules are listed "
                               "once)",
    "torch.nn.Module.register_forward_hook": _MISSING + "prepend=, with_kwargs=, "
                                             "always_call=",
    "torch.nn.Module.register_forward_pre_hook": _MISSING + "prepend=, with_kwargs=",
    "torch.nn.Module.state_dict": _MISSING + "the deprecated positional form "
                                  "state_dict(destination, prefix, keep_vars)",
    "torch.dtype": "PyTorch's dtypes cannot be constructed; minitorch's constructor is "
                   "internal",
    "torch.save": "never pickles: pickle_module=, pickle_protocol= and the zipfile/byteorder "
                  "switches are not provided (TypeError)",
    "torch.load": "never unpickles: pickle_module=, mmap= and pickle load arguments are not "
                  "provided (TypeError); weights_only defaults to True, which is what "
                  "PyTorch 2.6+'s None means",
    "torch.autograd.Function": "instances are made by Function.apply (PyTorch's constructor "
                               "arguments are deprecated and unused)",
}


# --------------------------------------------------------------------------- signatures
class Param:
    """One parameter: name, kind ('pos', 'kw', 'var', 'varkw') and default text."""

    __slots__ = ("default", "keyword_too", "kind", "name")

    def __init__(self, name: str, kind: str, default: object) -> None:
        self.name, self.kind, self.default = name, kind, default
        self.keyword_too = False  # a *size that also accepts size=... (see _size_keyword)

    def __eq__(self, other) -> bool:
        return (self.name, self.kind) == (other.name, other.kind) and _same_default(
            self.default, other.default)

    def __repr__(self) -> str:
        prefix = {"var": "*", "varkw": "**"}.get(self.kind, "")
        text = prefix + self.name + ("" if self.default is NO_DEFAULT else f"={self.default}")
        return ("<kw>" if self.kind == "kw" else "") + text


RULES_USED: set[str] = set()  # the "param:"/"extra:" keys of ALLOWED that applied
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
    stubs: dict[str, dict[str, list]] = {"torch": {}, "torch.nn.functional": {},
                                         "torch.Tensor": {}}
    for namespace, rel in (("torch", "_C/_VariableFunctions.pyi"),
                           ("torch.nn.functional", "_C/_nn.pyi"),
                           ("torch.nn.functional", "nn/functional.pyi")):
        path = root / rel
        if path.exists():
            for node in ast.parse(path.read_text()).body:
                if isinstance(node, ast.FunctionDef):
                    stubs[namespace].setdefault(node.name, []).append(
                        _from_ast(node.args, False))
    tree = ast.parse((root / "_C/__init__.pyi").read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "TensorBase":
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    stubs["torch.Tensor"].setdefault(item.name, []).append(
                        _from_ast(item.args, True))
    return stubs


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


def torch_signatures(obj, name: str, method: bool,
                     namespace: str | None) -> list[list[Param]]:
    """PyTorch's signature(s): ``inspect``'s, else the stubs', else the docstring's. A
    Python wrapper showing only ``(*args, **kwargs)`` (``F.max_pool2d``'s dispatcher)
    counts as having none."""
    global _STUBS
    try:
        sig = from_inspect(inspect.signature(obj), drop_first=method and not isinstance(
            obj, (staticmethod, classmethod)))
        if [p.kind for p in sig] != ["var", "varkw"]:
            return [sig]
    except (ValueError, TypeError):
        pass
    if _STUBS is None:
        _STUBS = _stub_overloads()
    stubs = _STUBS.get(namespace, {})
    return stubs.get(name) or doc_signatures(obj, name)


def ours_signature(obj, method: bool) -> list[Param] | None:
    try:
        params = from_inspect(inspect.signature(obj), drop_first=method)
    except (ValueError, TypeError):
        return None
    for p in params:
        if p.kind == "var" and getattr(obj, "_var_keyword", None) == p.name:
            p.keyword_too = True
    return params


def _drop_ignored(params: list[Param], ours: list[Param]) -> list[Param]:
    """Drop the parameters PyTorch has that minitorch leaves out everywhere (``param:``
    entries of ALLOWED)."""
    have = {p.name for p in ours}
    kept = []
    for p in params:
        if p.name not in have and f"param:{p.name}" in ALLOWED:
            RULES_USED.add(f"param:{p.name}")
        else:
            kept.append(p)
    return kept


def mismatch(ours: list[Param], overloads: list[list[Param]],
             method: bool = False) -> str | None:
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
            if mine is None and ours_var is not None and ours_var.keyword_too and (
                    ours_var.name == p.name and p.kind == "pos"):
                continue  # rand(size=(2, 3)): *size also takes the keyword
            if p.kind == "var":  # the name of *args cannot be used in a call
                if ours_var is None:
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
        if method and f"extra:{mine.name}" in ALLOWED and not any(
                p.name == mine.name for sig in overloads for p in sig):
            RULES_USED.add(f"extra:{mine.name}")
            continue
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


def compare(ours: list[Param] | None, theirs: list[list[Param]],
            method: bool = False) -> str | None:
    """None when ``ours`` serves PyTorch's signature(s), else what differs."""
    if not theirs:
        return None  # PyTorch documents no signature: nothing to compare with
    if ours is None:
        return "minitorch has no inspectable signature"
    overloads = [_drop_ignored(sig, ours) for sig in theirs]
    for sig in overloads:  # one overload matched exactly
        if mismatch(ours, [sig], method) is None:
            return None
    diff = mismatch(ours, overloads, method)
    if diff is None:
        return None
    return f"{diff}  [minitorch {ours} | torch " + " | ".join(map(str, overloads)) + "]"


# --------------------------------------------------------------------------- enumeration
def _public(namespace, theirs) -> list[str]:
    """Public names of ``namespace``, including the ones a module ``__getattr__`` provides
    lazily (``minitorch.save``): every name of PyTorch's namespace that ours resolves."""
    names = set(getattr(namespace, "__all__", None) or dir(namespace))
    for n in dir(theirs):
        if not n.startswith("_"):
            try:
                getattr(namespace, n)
            except (AttributeError, ImportError):  # ImportError: a lazy name not there yet
                continue
            names.add(n)
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


# The namespaces audited: PyTorch's module path (minitorch's is the same with
# "minitorch"). Those minitorch does not have (yet) are skipped, so a package added later
# is audited from the day it exists.
NAMESPACES = ["torch", "torch.autograd", "torch.autograd.functional", "torch.nn",
              "torch.nn.functional", "torch.nn.init", "torch.nn.utils", "torch.nn.utils.rnn",
              "torch.optim", "torch.optim.lr_scheduler", "torch.utils.data",
              "torch.utils.tensorboard", "torch.profiler", "torch.linalg", "torch.fft",
              "torch.special", "torch.distributions"]


def _namespaces():
    import importlib

    for name in NAMESPACES:
        try:
            ours = importlib.import_module("minitorch" + name[len("torch"):])
        except ImportError:
            continue
        try:
            theirs = importlib.import_module(name)
        except ImportError:  # e.g. torch.utils.tensorboard without tensorboard installed
            continue
        yield name, ours, theirs


def audit_targets():
    """(qualified name, minitorch object, torch object, is_method, short name)."""
    namespaces = list(_namespaces())
    seen = set()
    for prefix, ours_ns, torch_ns in namespaces:
        for name in _public(ours_ns, torch_ns):
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
                if (ours, "init") not in seen and not isinstance(ours, _legacy.tensortype):
                    seen.add((ours, "init"))  # the constructor, wherever it is defined
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
            namespace = qual.rsplit(".", 1)[0]
            stub_space = namespace if namespace in ("torch", "torch.Tensor",
                                                    "torch.nn.functional") else None
            t = torch_signatures(theirs, name, method, stub_space)
        diff = compare(o, t, qual.startswith("torch.Tensor."))
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
    stale = sorted(set(ALLOWED) - set(differences) - RULES_USED)
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
