"""Whole modules in checkpoints: ``minitorch.save(model, path)`` without pickle.

``torch.save(model)`` pickles the model, and ``torch.load`` of such a file (with
``weights_only=False``) may run any code the file's author chose. minitorch records the
module *tree* in the checkpoint's JSON header instead, and rebuilds it on load without
calling anything the file names:

``{"type": "module", "id": k, "class": "package.module:Qual.Name", "state": [[name, v]...]}``
    One module: its class by import path and qualified name, and every entry of its
    ``__dict__`` (PyTorch pickles exactly that), encoded like any saved value: plain
    attributes (numbers, strings, tuples, tensors, ...), the registries ``_parameters``,
    ``_buffers``, ``_modules`` and the hook dicts as ordered dicts, child modules as module
    nodes; sets, ``minitorch.device`` and ``dtype`` values as ``{"type": "set", "items":
    [...]}``, ``{"type": "device", "name": "cuda:0"}``, ``{"type": "dtype", "name":
    "float32"}``.
``{"type": "parameter", "id": k, "requires_grad": bool, "data": <tensor node>}``
    A Parameter anywhere inside a module.
``{"type": "module_ref", "id": k}``, ``{"type": "parameter_ref", "id": k}``
    A module or Parameter already written: shared submodules stay shared, and a
    Parameter held twice (weight tying, or a list of the parameters kept beside
    ``_parameters``) is one Parameter after loading.

Loading (``minitorch.load(path, weights_only=False)``)
    1. finds the class by reading dictionaries only: the module must already be imported
       (``sys.modules``; minitorch's own modules are imported on demand), and each part
       of the qualified name is looked up in ``vars()``, so no module ``__getattr__`` and
       no import of a module named by the file runs;
    2. refuses anything that is not a class deriving from :class:`minitorch.nn.Module`
       (a function, ``os.system``, ``builtins.eval``, a non-Module class) *before*
       creating any object;
    3. creates the instance with ``object.__new__`` (not the class's ``__new__`` or
       ``__init__``) and fills its ``__dict__`` directly (no ``__setattr__``/
       ``__setstate__``).

So a file can only ever produce instances of Module classes the program has already
defined, holding plain data. As with PyTorch, the class must be importable under the name
it was saved with: a model saved from a script's ``__main__`` loads in another script
only if that script defines the class too (else PyTorch's ``AttributeError: Can't get
attribute 'Net' on <module '__main__' ...>``).

What cannot be saved (``TypeError`` naming the attribute, nothing written): lambdas and
functions stored on a module (``self.act = lambda x: ...``; use an ``nn`` module or a
method), registered hooks, open files, generators, and any other object that is not a
tensor, module, number, string, bool, None, or a list/tuple/dict/set of those. Classes
defined inside a function cannot be found by name (``AttributeError: Can't pickle local
object``, as in PyTorch).
"""

from __future__ import annotations

import contextvars
import importlib
import pickle  # only for its exception class: nothing here ever unpickles
import sys
from collections.abc import Callable
from typing import Any

from . import _backend, _dtype

Encode = Callable[[Any, str], Any]

# The weights_only flag of the load in progress, and its memo of rebuilt objects.
_LOAD: contextvars.ContextVar[dict | None] = contextvars.ContextVar("_LOAD", default=None)
# How many module encodings are under way (Parameters are recorded as such inside them).
_ENCODING: contextvars.ContextVar[int] = contextvars.ContextVar("_ENCODING", default=0)

NODE_TYPES = ("module", "module_ref", "parameter", "parameter_ref")  # decoded here


def _module_base() -> type:
    from .nn.module import Module

    return Module


def handles(obj: Any) -> bool:
    """Whether :func:`encode` writes ``obj``: a module, or a Parameter inside a module
    (so a Parameter held twice, in ``_parameters`` and in a list attribute, loads as one
    Parameter). Checked without importing ``nn`` needlessly."""
    if "minitorch.nn.module" not in sys.modules:
        return False
    if isinstance(obj, _module_base()):
        return True
    from .nn.parameter import Parameter

    return _ENCODING.get() > 0 and isinstance(obj, Parameter)


# --------------------------------------------------------------------------- saving


def encode(obj: Any, recurse: Encode, memo: dict, where: str) -> dict:
    """The JSON node of a module or Parameter; ``recurse(value, where)`` encodes values."""
    from .nn.parameter import Parameter

    kind = "parameter" if isinstance(obj, Parameter) else "module"
    key = (kind, id(obj))
    if key in memo:
        return {"type": f"{kind}_ref", "id": memo[key]}
    memo[key] = index = memo.get(f"{kind}s written", 0)
    memo[f"{kind}s written"] = index + 1
    if kind == "parameter":  # its data written as a plain tensor (the hook switched off)
        token = _ENCODING.set(0)
        try:
            data = recurse(obj, where)
        finally:
            _ENCODING.reset(token)
        return {"type": "parameter", "id": index, "requires_grad": bool(obj.requires_grad),
                "data": data}
    cls = type(obj)
    if "<locals>" in cls.__qualname__:
        raise AttributeError(f"Can't pickle local object '{cls.__qualname__}'")
    token = _ENCODING.set(_ENCODING.get() + 1)
    try:
        state = [[name, _attribute(value, recurse, f"{where}.{name}")]
                 for name, value in vars(obj).items()]
    finally:
        _ENCODING.reset(token)
    return {"type": "module", "id": index, "class": f"{cls.__module__}:{cls.__qualname__}",
            "state": state}


def _attribute(value: Any, recurse: Encode, where: str) -> Any:
    """One ``__dict__`` entry: the few types JSON-with-tensors lacks, else ``recurse``."""
    if isinstance(value, (set, frozenset)):
        return {"type": "set", "items": [recurse(v, where) for v in sorted(value, key=repr)]}
    if isinstance(value, _backend.device):  # self.device = torch.device("cuda")
        return {"type": "device", "name": str(value)}
    if isinstance(value, _dtype.dtype):
        return {"type": "dtype", "name": value.name}
    return recurse(value, where)


# --------------------------------------------------------------------------- loading


def begin_load(weights_only: bool | None) -> None:
    """Start a load: module nodes are refused unless ``weights_only`` is False (None means
    True, as in PyTorch 2.6+)."""
    strict = weights_only is None or bool(weights_only)
    _LOAD.set({"weights_only": strict, "module": {}, "parameter": {}})


def _weights_only_error(class_name: str) -> pickle.UnpicklingError:
    module, _, qualname = class_name.partition(":")
    return pickle.UnpicklingError(
        "Weights only load failed. This file can still be loaded, to do so you have two "
        "options, do those steps only if you trust the source of the checkpoint. \n\t(1) "
        "In PyTorch 2.6, we changed the default value of the `weights_only` argument in "
        "`torch.load` from `False` to `True`. Re-running `minitorch.load` with "
        "`weights_only` set to `False` will likely succeed; minitorch then rebuilds the "
        "saved modules from plain data without pickle (it runs no code from the file), "
        "provided their classes are defined under the names they were saved with.\n\t(2) "
        "Alternatively, save and load the model's `state_dict()`, which loads with "
        "`weights_only=True`.\n\tWeightsUnpickler error: Unsupported global: GLOBAL "
        f"{module}.{qualname} was not an allowed global by default.")


def find_class(class_name: str) -> type:
    """The Module subclass named ``"module:Qual.Name"``, found without calling anything
    the name could choose (see the module docstring); raises otherwise."""
    module_name, _, qualname = class_name.partition(":")
    module = sys.modules.get(module_name)
    if module is None and (module_name == "minitorch" or module_name.startswith("minitorch.")):
        module = importlib.import_module(module_name)  # our own code only
    if module is None:
        raise ModuleNotFoundError(
            f"No module named '{module_name}' is imported: minitorch.load imports no module "
            f"named by a file; import the module that defines {qualname} before loading",
            name=module_name)
    obj: Any = module
    for part in qualname.split("."):
        namespace = vars(obj)
        if part not in namespace:  # pickle's message; repr(module) could run __getattr__
            where = vars(module).get("__file__")
            shown = f"<module '{module_name}'" + (f" from '{where}'>" if where else ">")
            raise AttributeError(f"Can't get attribute '{qualname}' on {shown}")
        obj = namespace[part]
    if not (isinstance(obj, type) and _module_base() in obj.__mro__):
        kind = "class" if isinstance(obj, type) else type(obj).__name__
        raise pickle.UnpicklingError(
            f"minitorch.load refuses {module_name}.{qualname}: it is a {kind}, not a "
            "subclass of minitorch.nn.Module. Checkpoints may only name Module classes; "
            "minitorch never calls a function or class named by a file")
    return obj


def decode(node: dict, decode_value: Callable[[Any], Any]) -> Any:
    """Rebuild a node of :data:`NODE_TYPES` (``decode_value`` decodes ordinary values)."""
    load = _LOAD.get() or {"weights_only": True, "module": {}, "parameter": {}}
    kind = node["type"]
    if kind.endswith("_ref"):
        return load[kind[:-4]][node["id"]]
    if kind == "parameter":
        from .nn.parameter import Parameter

        param = Parameter(decode_value(node["data"]), requires_grad=bool(node["requires_grad"]))
        load["parameter"][node["id"]] = param
        return param
    if load["weights_only"]:
        raise _weights_only_error(node["class"])
    cls = find_class(node["class"])
    module = object.__new__(cls)
    load["module"][node["id"]] = module
    vars(module).update({name: _decode_attribute(value, decode_value)
                         for name, value in node["state"]})
    return module


def _decode_attribute(value: Any, decode_value: Callable[[Any], Any]) -> Any:
    kind = value.get("type") if isinstance(value, dict) else None
    if kind == "set":
        return {decode_value(v) for v in value["items"]}
    if kind == "device":
        return _backend.device(value["name"])
    if kind == "dtype":
        return _dtype.from_name(value["name"])
    return decode_value(value)
