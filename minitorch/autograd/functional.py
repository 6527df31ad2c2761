r"""Derivatives of whole functions: ``jacobian``, ``hessian``, ``vjp``, ``jvp``, ``vhp``, ``hvp``
(``torch.autograd.functional``).

All are built from reverse mode (``autograd.grad``) alone:

* ``vjp``: :math:`v^\top J` is one backward pass with upstream gradient :math:`v`.
* ``jacobian``: row :math:`i` of :math:`J` is the vjp with the one-hot vector :math:`e_i`,
  so the Jacobian costs one backward pass per output element.
* ``jvp`` (the *double-backward trick*): :math:`u \mapsto J^\top u` is linear in
  :math:`u`, so differentiating :math:`g(u) = J^\top u` with respect to :math:`u` in the
  direction :math:`v` gives :math:`(J^\top)^\top v = J v`; two backward passes, no
  forward-mode AD needed.
* ``hessian``: the Jacobian of the gradient; ``vhp``: :math:`v^\top H`, the vjp of the
  gradient; ``hvp``: :math:`H v`, equal to :math:`(v^\top H)^\top` because a Hessian of a
  twice continuously differentiable function is symmetric.

Shapes follow PyTorch: ``jacobian(f, x)[i][j]`` has shape ``out_i.shape + in_j.shape``, and
a result is a bare Tensor where the input (or output) was a bare Tensor, a tuple where it
was a tuple. ``vectorize`` is accepted and changes nothing (rows are computed one by one);
``jacobian(..., strategy="forward-mode", vectorize=True)`` builds the Jacobian column by
column from jvps instead, which needs fewer passes when there are fewer inputs than outputs.
"""

from __future__ import annotations

from collections.abc import Callable

from . import grad_mode
from .engine_api import grad as _autograd_grad_api

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _tensor_cls():
    from ..tensor import Tensor

    return Tensor


def _as_tuple(inp, arg_name: str, fn_name: str) -> tuple[bool, tuple]:
    """``(was_tuple, inp as a tuple)``; a TypeError naming the culprit when not Tensors."""
    T = _tensor_cls()
    is_tuple = isinstance(inp, tuple)
    items = inp if is_tuple else (inp,)
    for i, el in enumerate(items):
        if not isinstance(el, T):
            where = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but the {where} has type {type(el)}."
            )
    return is_tuple, items


def _prepare_inputs(inputs: tuple, create_graph: bool) -> tuple:
    """Fresh leaves that require grad (or, with ``create_graph``, views that keep the
    caller's graph so the result can be differentiated again)."""
    out = []
    for x in inputs:
        if create_graph and x.requires_grad:
            out.append(x.view_as(x))
        else:
            out.append(x.detach().requires_grad_(True))
    return tuple(out)


def _post(items: tuple, create_graph: bool) -> tuple:
    return tuple(t if create_graph or t is None else t.detach() for t in items)


def _untuple(items: tuple, was_tuple: bool):
    return items if was_tuple else items[0]


def _grad(outputs: tuple, inputs: tuple, grad_outputs: tuple | None, create_graph: bool,
          retain_graph: bool | None = None) -> tuple:
    """``autograd.grad`` over the outputs that require grad; ``None`` for unused inputs."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, gouts = zip(*pairs)
    return _autograd_grad_api(list(outs), list(inputs), list(gouts),
                              retain_graph=create_graph if retain_graph is None else retain_graph,
                              create_graph=create_graph, allow_unused=True)


def _fill_in_zeros(grads: tuple, refs: tuple, strict: bool, what: str) -> tuple:
    """Replace ``None`` (no path from the input) by zeros, or raise in strict mode."""
    out = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"The {what} of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode."
                )
            g = refs[i].new_zeros(refs[i].shape)
        out.append(g)
    return tuple(out)


def _check_outputs(outputs: tuple, strict: bool) -> None:
    if strict:
        for i, o in enumerate(outputs):
            if not o.requires_grad:
                raise RuntimeError(
                    f"Output {i} of the user-provided function does not require gradients. The "
                    "outputs must be computed in a differentiable manner from the input when "
                    "running in strict mode."
                )


def _validate_v(v: tuple, refs: tuple, fn_name: str) -> None:
    if len(v) != len(refs):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(refs)} but got "
                           f"{len(v)}.")
    for i, (a, b) in enumerate(zip(v, refs)):
        if tuple(a.shape) != tuple(b.shape):
            prefix = f"Entry {i} in " if len(v) > 1 else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {_size(b)} but got "
                               f"{_size(a)}.")


def _size(t) -> str:
    return f"torch.Size({list(t.shape)})"


def _call(func: Callable, inputs: tuple, fn_name: str) -> tuple[bool, tuple]:
    with grad_mode.enable_grad():
        return _as_tuple(func(*inputs), "outputs of the user-provided function", fn_name)


def _v_or_default(v, refs: tuple, fn_name: str, what: str) -> tuple:
    if v is None:
        if len(refs) != 1 or refs[0].numel() != 1:
            raise RuntimeError(f"The vector v can only be None if the {what} a single Tensor "
                               "with a single element.")
        return (refs[0].new_ones(refs[0].shape),)
    _, v = _as_tuple(v, "v", fn_name)
    _validate_v(v, refs, fn_name)
    return tuple(t.detach() for t in v)


# ------------------------------------------------------------------------------ public API
def vjp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    r"""``(func(inputs), v^T J)``: the vector-Jacobian product.

    ``v`` has the outputs' shapes; it may be ``None`` when ``func`` returns one element.
    """
    in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
    inputs = _prepare_inputs(inputs, create_graph)
    out_tuple, outputs = _call(func, inputs, "vjp")
    _check_outputs(outputs, strict)
    v = _v_or_default(v, outputs, "vjp", "user-provided function returns")
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        grads = _fill_in_zeros(_grad(outputs, inputs, v, create_graph), inputs, strict, "output")
    return (_untuple(_post(outputs, create_graph), out_tuple),
            _untuple(_post(grads, create_graph), in_tuple))


def jvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    r"""``(func(inputs), J v)``: the Jacobian-vector product, by the double-backward trick.

    ``v`` has the inputs' shapes; it may be ``None`` when the input is one element.
    """
    _, inputs = _as_tuple(inputs, "inputs", "jvp")
    inputs = _prepare_inputs(inputs, create_graph)
    v = _v_or_default(v, inputs, "jvp", "input to the user-provided function is")
    out_tuple, outputs = _call(func, inputs, "jvp")
    _check_outputs(outputs, strict)
    with grad_mode.enable_grad():
        # g(u) = J^T u, linear in the dummy u; its derivative along v is J v
        dummies = tuple(o.new_zeros(o.shape).requires_grad_(True) for o in outputs)
        g = _fill_in_zeros(_grad(outputs, inputs, dummies, create_graph=True), inputs, strict,
                           "output")
        jv = _grad(g, dummies, v, create_graph)
    jv = _fill_in_zeros(jv, outputs, strict, "output")
    return (_untuple(_post(outputs, create_graph), out_tuple),
            _untuple(_post(jv, create_graph), out_tuple))


def jacobian(func: Callable, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    r"""The Jacobian :math:`J_{ij} = \partial\,\mathrm{out}_i / \partial\,\mathrm{in}_j`.

    One backward pass per output element; ``jacobian(f, x)`` has shape
    ``f(x).shape + x.shape``; with tuples of inputs/outputs, nested tuples ``[i][j]``.
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".'
        )
    if vectorize and strict:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                           "`vectorized=True` are not supported together. Please either set "
                           "`strict=False` or `vectorize=False`.")
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either '
                'set `create_graph=False` or `strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-"
                                      "reverse Hessian is only implemented for `vectorize=True`.")
        return _jacobian_by_columns(func, inputs)
    in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    inputs = _prepare_inputs(inputs, create_graph)
    out_tuple, outputs = _call(func, inputs, "jacobian")
    _check_outputs(outputs, strict)
    from .. import stack

    result = []
    for i, out in enumerate(outputs):
        rows: list[list] = [[] for _ in inputs]
        n = out.numel()
        for k in range(n):
            onehot = out.new_zeros(n)
            onehot[k] = 1
            with grad_mode.set_grad_enabled(create_graph):
                grads = _grad((out,), inputs, (onehot.view(out.shape),), create_graph,
                              retain_graph=True)
            for j, g in enumerate(grads):
                if g is None:
                    if strict:
                        raise RuntimeError(
                            f"Output {i} of the user-provided function is independent of input "
                            f"{j}. This is not allowed in strict mode."
                        )
                    g = inputs[j].new_zeros(inputs[j].shape)
                rows[j].append(g)
        per_input = []
        for j, x in enumerate(inputs):
            shape = tuple(out.shape) + tuple(x.shape)
            if n == 0:
                jac = x.new_zeros(shape)
            else:
                jac = stack(rows[j]).reshape(shape)
            per_input.append(jac)
        result.append(_untuple(_post(tuple(per_input), create_graph), in_tuple))
    return _untuple(tuple(result), out_tuple)


def _jacobian_by_columns(func: Callable, inputs):
    """``strategy="forward-mode"``: column ``k`` of the Jacobian with respect to input ``j``
    is the jvp along the one-hot direction ``e_k`` of that input (one jvp per input element,
    each by the double-backward trick: minitorch has no forward-mode AD of its own)."""
    from .. import stack

    in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    inputs = tuple(x.detach() for x in inputs)
    out_tuple, outputs = _call(func, inputs, "jacobian")
    columns: list[list[list]] = [[[] for _ in inputs] for _ in outputs]
    for j, x in enumerate(inputs):
        for k in range(x.numel()):
            onehot = x.new_zeros(x.numel())
            onehot[k] = 1
            v = tuple(onehot.view(x.shape) if i == j else t.new_zeros(t.shape)
                      for i, t in enumerate(inputs))
            _, jv = jvp(func, inputs, v)
            for i, col in enumerate(jv if out_tuple else (jv,)):
                columns[i][j].append(col)
    # PyTorch's forward-mode jacobian answers with lists where the inputs were a tuple
    seq = list if in_tuple else tuple
    result = []
    for i, out in enumerate(outputs):
        per_input = seq(
            stack(columns[i][j], dim=-1).reshape(tuple(out.shape) + tuple(x.shape))
            if x.numel() else x.new_zeros(tuple(out.shape) + tuple(x.shape))
            for j, x in enumerate(inputs))
        result.append(per_input if in_tuple else per_input[0])
    return seq(result) if out_tuple else result[0]


def _single_scalar_output(func: Callable, fn_name: str, strict: bool) -> Callable:
    """``func``, checked to return one Tensor of one element (hessian, vhp, hvp)."""

    def wrapped(*inp):
        out = func(*inp)
        is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", fn_name)
        _check_outputs(outs, strict)
        if is_tuple:
            raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                               "contain a single element")
        return out.reshape(())

    return wrapped


def hessian(func: Callable, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    r"""The Hessian :math:`H_{jk} = \partial^2 f / \partial\,\mathrm{in}_j \partial\,\mathrm{in}_k`
    of a function returning one element: the Jacobian of its gradient.

    ``hessian(f, x)`` has shape ``x.shape + x.shape``; with a tuple of inputs, a tuple of
    tuples ``[j][k]``.
    """
    in_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    scalar_func = _single_scalar_output(func, "hessian", strict)

    def gradient(*inp):
        out = scalar_func(*inp)
        grads = _grad((out,), inp, None, create_graph=True)
        return _untuple(_fill_in_zeros(grads, inp, strict, "jacobian"), in_tuple)

    return jacobian(gradient, _untuple(inputs, in_tuple), create_graph=create_graph,
                    strict=strict, vectorize=vectorize, strategy=outer_jacobian_strategy)


def vhp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    r"""``(func(inputs), v^T H)``: the vector-Hessian product, the vjp of the gradient."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    r"""``(func(inputs), H v)``; equal to ``vhp`` since a Hessian is symmetric."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph: bool, strict: bool, fn_name: str):
    in_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    inputs = _prepare_inputs(inputs, create_graph)
    v = _v_or_default(v, inputs, fn_name, "input to the user-provided function is")
    with grad_mode.enable_grad():
        out = _single_scalar_output(func, fn_name, strict)(*inputs)
        jac = _fill_in_zeros(_grad((out,), inputs, None, create_graph=True), inputs, strict,
                             "jacobian")
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        prod = _fill_in_zeros(_grad(jac, inputs, v, create_graph), inputs, strict, "hessian")
    return _post((out,), create_graph)[0], _untuple(_post(prod, create_graph), in_tuple)
