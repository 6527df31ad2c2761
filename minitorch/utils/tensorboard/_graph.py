"""``add_graph``: minitorch's autograd graph of one forward pass as TensorBoard's ``GraphDef``.

PyTorch traces the model with the JIT; minitorch already *has* the graph: every op of
the forward pass records a ``grad_fn`` node. ``build_graph`` runs the model once (in
eval mode, inputs made to require grad so they appear as leaves), then

1. names each node's *scope* after the module whose ``forward`` created it, TensorBoard
   style: ``Net/Sequential[features]/Conv2d[0]``. A forward hook on every module claims
   the nodes between the module's inputs and its output that no submodule claimed (hooks
   of submodules run first, so each node goes to the innermost module that made it);
2. walks the graph with :func:`minitorch.autograd.graph.iter_graph` and writes one
   ``NodeDef`` per node, in forward order: ``grad_fn`` nodes (op = the node's class, e.g.
   ``AddmmBackward0``), parameters (op ``Parameter``, with their shapes), the inputs and
   outputs (op ``IO Node``); each node's inputs are the nodes it was computed from, and
   ``_output_shapes`` holds the shape of what it produced.
"""

from __future__ import annotations

from typing import Any

from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef

import minitorch
from minitorch.autograd.function import AccumulateGrad
from minitorch.autograd.graph import iter_graph


def _flatten(obj: Any) -> list:
    """The tensors in a (nested) tuple/list/dict of model inputs or outputs, in order."""
    out, stack = [], [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, minitorch.Tensor):
            out.append(item)
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
    return out


def _claim(outputs: list, boundary: set, scope: str, scopes: dict) -> None:
    """Give ``scope`` to every unclaimed node between ``outputs`` and ``boundary``."""
    stack = [t.grad_fn for t in outputs if t.grad_fn is not None]
    while stack:
        node = stack.pop()
        if node in scopes or node in boundary or isinstance(node, AccumulateGrad):
            continue
        scopes[node] = scope
        stack.extend(nxt for nxt, _ in node.next_functions if nxt is not None)


def _scope_names(model: Any) -> dict:
    """``{module: 'Net/Linear[fc1]'}`` for every submodule, as PyTorch's graph names them."""
    names = {model: type(model).__name__}
    for path, module in model.named_modules():
        if path and module not in names:
            parent, _, attr = path.rpartition(".")
            parent_scope = names[model.get_submodule(parent)] if parent else names[model]
            names[module] = f"{parent_scope}/{type(module).__name__}[{attr}]"
    return names


def _shape_attr(shape: tuple, dtype: Any) -> dict:
    proto = TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(d)) for d in shape])
    return {
        "_output_shapes": AttrValue(list=AttrValue.ListValue(shape=[proto])),
        "dtype": AttrValue(s=str(dtype).encode()),
    }


def build_graph(model: Any, input_to_model: Any = None) -> GraphDef:
    """Run ``model(*input_to_model)`` once and return its autograd graph as a ``GraphDef``."""
    if not isinstance(model, minitorch.nn.Module):
        raise TypeError(f"add_graph: model must be an nn.Module, got {type(model).__name__}")
    if input_to_model is None:
        args: tuple = ()
    elif isinstance(input_to_model, (list, tuple)):
        args = tuple(input_to_model)
    else:
        args = (input_to_model,)
    inputs = []
    for a in args:
        if isinstance(a, minitorch.Tensor) and a.is_floating_point():
            a = a.detach().requires_grad_(True)
        inputs.append(a)

    scope_of = _scope_names(model)
    scopes: dict = {}
    boundaries: dict = {}
    handles = []

    def pre_hook(module: Any, margs: tuple) -> None:
        boundaries.setdefault(module, []).append(
            {t.grad_fn for t in _flatten(margs) if t.grad_fn is not None}
        )

    def post_hook(module: Any, margs: tuple, output: Any) -> None:
        _claim(_flatten(output), boundaries[module].pop(), scope_of[module], scopes)

    for module in scope_of:
        handles.append(module.register_forward_pre_hook(pre_hook))
        handles.append(module.register_forward_hook(post_hook))
    was_training = model.training
    model.eval()
    try:
        with minitorch.enable_grad():
            outputs = _flatten(model(*inputs))
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()

    params = {id(p): (name, p) for name, p in model.named_parameters()}
    param_scope = {}
    for module, scope in scope_of.items():
        for pname, p in module.named_parameters(recurse=False):
            param_scope[id(p)] = f"{scope}/{pname}"
    input_ids = {id(t): i for i, t in enumerate(inputs) if isinstance(t, minitorch.Tensor)}

    order = list(iter_graph(outputs))[::-1]  # forward order: leaves first
    shapes: dict = {}
    for node in order:
        for meta in getattr(node, "_input_meta", ()) or ():
            if meta is not None and meta[0] is not None:
                shapes[meta[0]] = (meta[1], meta[2])
    for t in outputs:
        if t.grad_fn is not None:
            shapes[t.grad_fn] = (tuple(t.shape), t._data.dtype)

    names: dict = {}
    used: dict = {}

    def unique(base: str) -> str:
        k = used.get(base, 0)
        used[base] = k + 1
        return base if k == 0 else f"{base}.{k}"

    nodes = []
    for i, t in enumerate(inputs):
        if isinstance(t, minitorch.Tensor):
            nodes.append(NodeDef(name=f"input/input.{i}", op="IO Node",
                                 attr=_shape_attr(tuple(t.shape), t._data.dtype)))
    for node in order:
        if isinstance(node, AccumulateGrad):
            leaf = node.variable
            if id(leaf) in input_ids:
                names[node] = f"input/input.{input_ids[id(leaf)]}"
                continue
            if id(leaf) in params:
                name, op = param_scope.get(id(leaf), params[id(leaf)][0]), "Parameter"
            else:
                name, op = "leaf/tensor", "Leaf"
            names[node] = unique(name)
            nodes.append(NodeDef(name=names[node], op=op,
                                 attr=_shape_attr(tuple(leaf.shape), leaf._data.dtype)))
            continue
        scope = scopes.get(node, scope_of[model])
        names[node] = unique(f"{scope}/{node.name()}")
        shape, dtype = shapes.get(node, ((), None))
        nodes.append(NodeDef(
            name=names[node],
            op=node.name(),
            input=[names[nxt] for nxt, _ in node.next_functions if nxt is not None],
            attr=_shape_attr(shape, dtype),
        ))
    for i, t in enumerate(outputs):
        source = names.get(t.grad_fn) if t.grad_fn is not None else None
        nodes.append(NodeDef(name=f"output/output.{i}", op="IO Node",
                             input=[source] if source else [],
                             attr=_shape_attr(tuple(t.shape), t._data.dtype)))
    return GraphDef(node=nodes, versions=VersionDef(producer=22))
