r"""``Function``: one differentiable operation, and ``Node``: its record in the graph.

A ``Function`` subclass says how to compute an op (``forward``) and how to differentiate
it (``backward``, in Tensor ops).  minitorch's own ops subclass :class:`ArrayFunction`,
whose ``forward`` works on raw NumPy/CuPy arrays; a user's ``Function`` works on Tensors.
``Function.apply`` runs the forward pass and, when some input requires grad and grad mode
is on, records a *node*: an instance of ``<Name>Backward0`` that doubles as the ``ctx``
handed to forward and backward (its fields are described at :class:`Node`).

What ``forward`` and ``backward`` compute
-----------------------------------------
``forward`` computes the op's output :math:`z = f(x, y, \dots)` from its inputs.
``backward`` never sees the Jacobian.  It receives the *upstream gradient*
:math:`g = \partial L/\partial z` (shaped like :math:`z`) of whatever scalar :math:`L` the
user called ``.backward()`` on, and returns, for every input, the *vector-Jacobian
product*

.. math::

    \frac{\partial L}{\partial x_j} = \sum_k \frac{\partial L}{\partial z_k}
    \frac{\partial z_k}{\partial x_j}, \qquad\text{i.e.}\qquad
    \frac{\partial L}{\partial x} = J_x^\top g, \quad J_x = \frac{\partial z}{\partial x},

shaped like :math:`x` (the chain rule, one op at a time).  Two patterns cover most ops:

* **elementwise** :math:`z_k = f(x_k)`: :math:`J_x` is diagonal, so
  :math:`\partial L/\partial x = g \odot f'(x)`;
* **linear in** :math:`x` (matmul, conv, pooling, sums, indexing, shape ops),
  :math:`z = A x`: then :math:`\partial L/\partial x = A^\top g`, the *adjoint* map,
  found from :math:`\langle g, A x\rangle = \langle A^\top g, x\rangle`.  The gradient of
  a gather is a scatter-add, of a reshape a reshape back, of a sum a broadcast.

Notation used in every op's docstring
-------------------------------------
* :math:`x, y, w`: the inputs (capitals :math:`X, Y, W` for matrices and tensors);
* :math:`z`: the output (an op with the single input :math:`x` may write
  :math:`y = f(x)`; a loss's per-element value is :math:`\ell`; capitals likewise);
  each docstring's first formula names it;
* :math:`L`: the scalar being differentiated (only its gradients ever appear);
* :math:`g = \partial L/\partial z`: the upstream gradient, shaped like the output
  (:math:`G` when the output is a matrix or tensor);
* :math:`\partial L/\partial x`: what ``backward`` returns for input :math:`x`;
* :math:`u` (:math:`U`): the upstream gradient of a Function that itself computes a
  gradient (``...Grad``, ``...Scatter``), where :math:`g` is one of the *inputs*;
* :math:`[P]`: 1 where the condition :math:`P` holds, else 0;
* :math:`\odot` elementwise product, :math:`A^\top` transpose,
  :math:`\langle A, B\rangle = \sum_i A_i B_i`.

Broadcasting is never undone in ``backward``: an op returns its gradient in the broadcast
shape and the engine sums it down to the input's shape (``engine._sum_to_shape``).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from .. import _backend
from .._backend import is_array
from . import grad_mode
from ._quiet import ignore_errors, restore_errors
from ._quiet import state as _numpy_quiet
from .hooks import NodeHooks, _RemovableHandle  # noqa: F401

# Set by minitorch.tensor to avoid an import cycle.
Tensor: Any = None

# Type names used in the Functions' signatures.
Array = np.ndarray  # what ArrayFunction.forward receives and returns (or CuPy's ndarray)
Grads = Any  # what backward returns: one Tensor (or None) per forward argument, as a tuple


class Node(NodeHooks):
    """A node of the backward graph (``y.grad_fn``), which is also the ``ctx`` of one call.

    ``Function.apply`` makes one instance of ``<Name>Backward0`` (a subclass made once per
    Function by ``Function._node_class``) for every call, passes it to ``forward`` as
    ``ctx``, and, when the output needs a gradient, keeps it as the output's ``grad_fn``.
    The engine later hands the same object to ``backward``.  Its fields:

    ``needs_input_grad``
        one bool per forward argument: does that argument need a gradient?
    ``_input_meta``
        per forward argument ``(next node, shape, dtype)`` or ``None`` for a non-Tensor.
        The next node is the one that produced the argument, the leaf's
        ``AccumulateGrad``, or ``None`` for a constant: these are the graph's edges
        (``next_functions`` lists them as PyTorch does, ``(node, 0)`` per Tensor
        argument). The engine sums each returned gradient back to the shape
        (undoing broadcasting).
    ``_to_save`` / ``_saved``
        ``save_for_backward`` stores raw arrays in ``_to_save``; when the node is linked
        into the graph each becomes an entry ``(kind, value, version counter, version)``
        in ``_saved`` (kind: an input Tensor, the output, a constant or a raw array), so
        ``saved_tensors`` can give Tensors back and detect an in-place change made in
        between.  ``_release`` drops them after backward unless ``retain_graph``.
    """

    _fn: type[Function]
    __slots__ = ("__dict__", "__weakref__", "_input_meta", "needs_input_grad")
    # Defaults shared by all nodes (class attributes cost nothing per call); set on an
    # instance only when they change.
    _to_save: tuple = ()
    _saved = None
    _pre_hooks = None
    _post_hooks = None  # Node.register_hook (run by autograd/_instrument.py)
    _non_differentiable = False

    # ---- ctx API used inside forward/backward -------------------------------------
    def save_for_backward(self, *arrays) -> None:
        """Remember arrays (inputs, the output, or intermediates) for ``backward``."""
        self._to_save = arrays

    def mark_non_differentiable(self, *args) -> None:
        """Declare the output not differentiable (comparisons, argmax, ...)."""
        self._non_differentiable = True

    @property
    def saved_tensors(self) -> tuple:
        """The saved arrays as Tensors, wired into the graph (so backward is differentiable).

        Raises
        ------
        RuntimeError
            After the graph was freed by a backward pass, or when a saved tensor was
            modified in place after it was saved.
        """
        if self._saved is None:
            if not self._to_save:
                return ()
            from .graph import freed_error

            raise freed_error()
        out = []
        for entry in self._saved:
            if entry is None:
                out.append(None)
                continue
            kind, obj, counter, version = entry
            if kind == "packed":  # saved_tensors_hooks: version is the unpack hook
                out.append(version(obj))
                continue
            if counter is not None and counter[0] != version:
                from .graph import modified_error

                raise modified_error(self, kind, obj, counter[0], version)
            if kind == "in" or kind == "const":
                out.append(obj)
            elif kind == "out":
                t = Tensor._wrap(obj)
                if grad_mode.is_grad_enabled():  # create_graph: the output depends on us
                    t._requires_grad = True
                    t.grad_fn = self
                    t._vc = counter
                out.append(t)
            else:
                out.append(Tensor._wrap(obj))
        return tuple(out)

    def free_saved(self, index: int) -> None:
        """Forget saved value ``index`` before backward ends, to lower peak memory.

        Only for values backward can do without on a second pass (``retain_graph``):
        the entry then comes back as ``None``.
        """
        if self._saved is not None:
            self._saved[index] = None

    # ---- graph API (name, hooks, metadata: NodeHooks, in hooks.py) -------------------
    @property
    def next_functions(self) -> tuple:
        """The graph's edges: ``(node, 0)`` per Tensor argument (read from ``_input_meta``,
        which the engine walks directly; made only when asked for)."""
        return tuple((m[0], 0) for m in self._input_meta if m is not None)

    def _release(self) -> None:
        self._saved = None


class AccumulateGrad(Node):
    """The node at a leaf: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable) -> None:
        self.variable = variable
        self._input_meta = ()  # a leaf: no edges (next_functions is empty)
        self.needs_input_grad = ()


def _accumulator(t) -> AccumulateGrad:
    """The (shared) AccumulateGrad node of leaf ``t``, made on first use, held weakly."""
    ref = t._accumulator
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(t)
        t._accumulator = weakref.ref(node)
    return node


class Function:
    """Base class of a user-defined differentiable op (``torch.autograd.Function``).

    Subclasses implement two static methods::

        @staticmethod
        def forward(ctx, *args):   # computes the op; returns ONE output
        @staticmethod
        def backward(ctx, grad):   # grad is a Tensor; returns one grad per forward arg

    and are called with ``MyFunction.apply(*args)``, which returns a Tensor.  ``forward``
    receives Tensors (detached, run without recording a graph) and returns a Tensor, exactly
    like ``torch.autograd.Function``; its graph node is named ``<Name>Backward``.
    (minitorch's own ops subclass :class:`ArrayFunction`, below.)
    """

    _node_cls: type[Node] | None = None
    _node_suffix = "Backward"  # PyTorch names a custom Function's node <Name>Backward
    _receives_arrays = False  # True only through ArrayFunction (see there)
    _is_view = False  # the output shares memory (and the version counter) with args[0]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "_builtin" in cls.__dict__:  # the flag ArrayFunction replaced: say so at once
            raise TypeError(
                f"{cls.__name__}: the _builtin flag is gone; subclass "
                "minitorch.autograd.function.ArrayFunction for a forward on raw arrays"
            )

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @classmethod
    def _node_class(cls) -> type[Node]:
        node_cls = cls.__dict__.get("_node_cls")
        if node_cls is None:
            node_cls = type(cls.__name__ + cls._node_suffix, (Node,), {"_fn": cls, "__slots__": ()})
            cls._node_cls = node_cls
        return node_cls

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` on the inputs' arrays and record a graph node if needed."""
        ctx = (cls.__dict__.get("_node_cls") or cls._node_class())()
        raw, needs, record = [], [], False
        if grad_mode._state.enabled:
            for a in args:  # one pass: raw arrays, and which inputs need a gradient
                if isinstance(a, Tensor):
                    raw.append(a._data)
                    needs.append(a._requires_grad)
                    record = record or a._requires_grad
                else:
                    raw.append(a)
                    needs.append(False)
        else:  # no_grad, or a backward pass without create_graph: nothing needs a gradient
            raw = [a._data if isinstance(a, Tensor) else a for a in args]
            needs = [False] * len(args)
        ctx.needs_input_grad = tuple(needs)
        if _backend._cupy is not None:
            Tensor._check_same_device(args)
        if cls._receives_arrays:  # an ArrayFunction: the hot path of every built-in op
            if cls._quiet and not _numpy_quiet.on:  # NumPy's warnings off (see _quiet.py)
                token = ignore_errors()
                try:
                    out = cls.forward(ctx, *raw, **kwargs)
                finally:
                    restore_errors(token)
            else:
                out = cls.forward(ctx, *raw, **kwargs)
        else:  # a user's Function: Tensors in and out, exactly like torch.autograd.Function
            with grad_mode.no_grad():
                out = cls.forward(ctx, *[a.detach() if isinstance(a, Tensor) else a
                                         for a in args], **kwargs)
        if type(out) is not np.ndarray:
            if isinstance(out, Tensor):  # a user forward written with Tensor ops
                out = out._data
            elif not is_array(out):  # NumPy reductions return scalars: keep 0-d arrays
                scalar, out = out, np.asarray(out)
                if ctx._to_save:  # a saved scalar output must stay "the output" (create_graph)
                    ctx._to_save = tuple(out if s is scalar else s for s in ctx._to_save)
        result = Tensor._wrap(out)
        if cls._is_view:
            mark_view(result, args[0])
        if record and not ctx._non_differentiable:
            _link(ctx, args, result)
        return result


class ArrayFunction(Function):
    """Base class of minitorch's built-in ops: ``forward`` receives and returns raw arrays.

    ``apply`` hands ``forward`` each Tensor argument's NumPy (or CuPy) array and wraps the
    array it returns in a new Tensor; other arguments (ints, tuples, dtypes) arrive as they
    are.  Working on arrays is faster than going through Tensors and shows the maths with
    no Tensor machinery in between.  ``backward`` is still written in Tensor ops, so the
    gradient of a gradient (``create_graph=True``) is recorded like any other graph.  The
    graph node is named as PyTorch names its built-in nodes: ``Add`` -> ``AddBackward0``.
    """

    _node_suffix = "Backward0"
    _receives_arrays = True
    # Arithmetic on inf/NaN makes NumPy warn where PyTorch is silent (inf - inf is NaN):
    # built-in forwards run under ``np.errstate(all="ignore")`` unless, like shape and
    # indexing ops, they do no arithmetic (``_quiet = False`` spares them its cost), or
    # the whole pass already does (the engine's backward: autograd/_quiet.py).
    _quiet = True


class MovementFunction(ArrayFunction):
    """An ArrayFunction whose forward only moves or selects elements (shape and indexing
    ops): it does no arithmetic, so it skips the ``np.errstate`` guard and its cost."""

    _quiet = False


def mark_view(view, base) -> None:
    """``view`` shares ``base``'s memory: share its version counter and remember the base."""
    view._vc = base._vc
    view._base = base._base if base._base is not None else base


def _link(ctx: Node, args, result) -> None:
    """Wire ``ctx`` into the graph as ``result.grad_fn``."""
    metas = []  # per forward argument: (next node or None, shape, dtype) or None
    tensors = []  # the Tensor arguments
    for a in args:
        if isinstance(a, Tensor):
            node = a.grad_fn
            if node is None and a._requires_grad:
                node = _accumulator(a)
            data = a._data
            metas.append((node, data.shape, data.dtype))
            tensors.append(a)
        else:
            metas.append(None)
    ctx._input_meta = metas
    if ctx._to_save:
        ctx._saved = [_save_entry(s, tensors, result) for s in ctx._to_save]
        ctx._to_save = (True,)  # remembers "something was saved" once _saved is released
    result._requires_grad = True
    result.grad_fn = ctx


def _save_entry(s, tensors, result):
    """How to give back a saved value: as an input Tensor (one of ``tensors``, the
    Tensor arguments), as the output, or as a constant."""
    if s is None:
        return None
    saved_tensor = s if isinstance(s, Tensor) else None
    if saved_tensor is not None:
        s = s._data
    for a in tensors:  # an input (as an array, or a user's detached Tensor of it)
        if a._data is s:
            return ("in", a, a._vc, a._vc[0])
    if saved_tensor is not None and s is not result._data:
        return ("in", saved_tensor, saved_tensor._vc, saved_tensor._vc[0])
    if s is result._data:
        return ("out", s, result._vc, result._vc[0])
    if not is_array(s):  # a Python or NumPy scalar: kept as it is
        return ("const", s, None, 0)
    return ("raw", s, None, 0)


def once_differentiable(fn):
    """Decorator kept for PyTorch compatibility; minitorch backward is always in Tensor ops."""
    return fn
