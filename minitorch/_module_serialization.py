"""Whole modules in checkpoints: ``minitorch.save(model, path)`` without pickle.

``torch.save(model)`` pickles the model, and ``torch.load`` of such a file (with
``weights_only=False``) may run any code the file's author chose. minitorch records the
module *tree* in the checkpoint's JSON header instead, and rebuilds it on load without
calling anything the file names:

``{"type": "module", "id": k, "class": "package.module:Qual.Name", "state": [[name, v]...]}``
    One module: its class by import path and qualified name, and every entry of its
    ``__dict__`` (PyTorch pickles exactly that): plain attributes (numbers, strings,
    tuples, tensors, ...), ``_parameters`` as ``{"type": "parameters", "items": [[name,
    {"data": <tensor>, "requires_grad": bool} or None], ...]}``, ``_buffers`` and the hook
    dicts as ordinary dicts, ``_modules`` holding child module nodes, sets as
    ``{"type": "set", "items": [...]}``, and ``minitorch.device``/``dtype`` attributes as
    ``{"type": "device", "name": "cuda:0"}``/``{"type": "dtype", "name": "float32"}``.
``{"type": "module_ref", "id": k}``
    A module already written (shared submodules stay shared); a parameter reached twice
    (weight tying) is one tensor in the file and one Parameter after loading.

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
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from . import _backend, _dtype

Encode = Callable[[Any, str], Any]

# The weights_only flag of the load in progress, and its memo of rebuilt objects.
_LOAD: contextvars.ContextVar[dict | None] = contextvars.ContextVar("_LOAD", default=None)


def _module_base() -> type:
    from .nn.module import Module

    return Module


def is_module(obj: Any) -> bool:
    """Whether :func:`encode` handles ``obj`` (without importing ``nn`` needlessly)."""
    return "minitorch.nn.module" in sys.modules and isinstance(obj, _module_base())


# --------------------------------------------------------------------------- saving


def encode(module: Any, recurse: Encode, memo: dict, where: str) -> dict:
    """The JSON node of ``module``; ``recurse(value, where)`` encodes attribute values."""
    key = ("module", id(module))
    if key in memo:
        return {"type": "module_ref", "id": memo[key]}
    cls = type(module)
    if "<locals>" in cls.__qualname__:
        raise AttributeError(f"Can't pickle local object '{cls.__qualname__}'")
    memo[key] = index = memo.get("modules written", 0)
    memo["modules written"] = index + 1
    state = []
    for name, value in vars(module).items():
        path = f"{where}.{name}"
        if name == "_parameters":
            node = {"type": "parameters", "items": [
                [k, None if p is None else {"data": recurse(p, f"{where}.{k}"),
                                            "requires_grad": bool(p.requires_grad)}]
                for k, p in value.items()]}
        elif isinstance(value, (set, frozenset)):
            node = {"type": "set", "items": [recurse(v, path) for v in sorted(value, key=repr)]}
        elif isinstance(value, _backend.device):  # self.device = torch.device("cuda")
            node = {"type": "device", "name": str(value)}
        elif isinstance(value, _dtype.dtype):
            node = {"type": "dtype", "name": value.name}
        else:
            node = recurse(value, path)
        state.append([name, node])
    return {"type": "module", "id": index, "class": f"{cls.__module__}:{cls.__qualname__}",
            "state": state}


# --------------------------------------------------------------------------- loading


def begin_load(weights_only: bool) -> None:
    """Start a load: module nodes are refused unless ``weights_only`` is False."""
    _LOAD.set({"weights_only": bool(weights_only), "modules": {}, "parameters": {}})


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
    """Rebuild a module node (``decode_value`` decodes ordinary values)."""
    load = _LOAD.get() or {"weights_only": True, "modules": {}, "parameters": {}}
    if node["type"] == "module_ref":
        return load["modules"][node["id"]]
    if load["weights_only"]:
        raise _weights_only_error(node["class"])
    cls = find_class(node["class"])
    module = object.__new__(cls)
    load["modules"][node["id"]] = module
    state = {}
    for name, value in node["state"]:
        if isinstance(value, dict) and value.get("type") == "parameters":
            value = OrderedDict((k, None if p is None else _parameter(p, decode_value, load))
                                for k, p in value["items"])
        elif isinstance(value, dict) and value.get("type") == "set":
            value = {decode_value(v) for v in value["items"]}
        elif isinstance(value, dict) and value.get("type") == "device":
            value = _backend.device(value["name"])
        elif isinstance(value, dict) and value.get("type") == "dtype":
            value = _dtype.from_name(value["name"])
        else:
            value = decode_value(value)
        state[name] = value
    vars(module).update(state)
    return module


def _parameter(node: dict, decode_value: Callable[[Any], Any], load: dict) -> Any:
    from .nn.parameter import Parameter

    data = node["data"]
    key = data.get("index") if isinstance(data, dict) else None
    if key in load["parameters"]:
        return load["parameters"][key]
    param = Parameter(decode_value(data), requires_grad=bool(node["requires_grad"]))
    if key is not None:
        load["parameters"][key] = param
    return param
