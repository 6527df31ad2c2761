r"""The :class:`Optimizer` base class: parameter groups, state, and checkpoints.

An optimizer owns a list of *parameter groups*. Each group is a dict holding the
parameters it updates (``group["params"]``) and the hyper-parameters that apply to
them (``lr``, ``momentum``, ...). Per-parameter memory (momentum buffers, running
averages, step counters) lives in ``optimizer.state[param]``.

Every concrete optimizer (:class:`~minitorch.optim.SGD`, :class:`~minitorch.optim.Adam`,
...) implements one method, ``_update(p, group)``: the base class's
:meth:`Optimizer.step` calls it, under ``no_grad``, for each parameter that has a
gradient. It reads ``p.grad`` and updates the raw array ``p._data`` *in place* with
array operators (``buf *= momentum; buf += g``), so that the same code runs on NumPy
and CuPy arrays, then calls ``p._bump_version()`` (autograd's in-place bookkeeping).

Differences from PyTorch
------------------------
* The keys ``foreach``, ``fused``, ``capturable`` and ``differentiable`` are kept in
  ``defaults`` and every group with PyTorch's default values, so that ``repr`` and
  ``state_dict()["param_groups"]`` read exactly like PyTorch's. ``foreach`` is a hint
  and is ignored (minitorch always runs one loop over the parameters); asking for
  ``fused=True``, ``capturable=True`` or ``differentiable=True`` raises
  ``NotImplementedError``.
* Learning rates and betas must be Python numbers, not Tensors.
* :meth:`Optimizer.load_state_dict` *copies* the loaded state tensors (PyTorch may
  share them with the dict it was given when dtype and device already match).
* Step hooks (``register_step_pre_hook`` ...) are not implemented.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

import minitorch
from minitorch._backend import get_array_module
from minitorch.tensor import Tensor

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Marker for a hyper-parameter that has no default (it must be given)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


def _typename(obj: Any) -> str:
    """Name of ``obj``'s type, as in ``torch.typename`` for non-tensors."""
    cls = type(obj)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


class Optimizer:
    r"""Base class for all optimizers.

    Parameters
    ----------
    params : iterable
        An iterable of Tensors, of ``(name, Tensor)`` pairs (as returned by
        ``model.named_parameters()``), or of dicts, each dict being one parameter
        group: ``{"params": [...], "lr": 0.1, ...}``. Options missing from a group
        are taken from ``defaults``. The order must be deterministic (no sets).
    defaults : dict
        Default values of the optimization options.

    Attributes
    ----------
    param_groups : list of dict
        The parameter groups, each with its ``"params"`` list and its options.
    state : dict
        Per-parameter state, keyed by the parameter Tensor itself.
    defaults : dict
        The default options given at construction.
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        for flag in ("fused", "capturable", "differentiable"):
            if defaults.get(flag):
                raise NotImplementedError(
                    f"{type(self).__name__}: {flag}=True is not supported by minitorch"
                )
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of "
                "Tensors or dicts, but got minitorch.Tensor"
            )
        self.state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._opt_called = False  # set by step()

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group (e.g. unfreezing layers while fine-tuning).

        Parameters
        ----------
        param_group : dict
            ``{"params": ..., **options}``; options missing here come from
            ``self.defaults``.

        Raises
        ------
        TypeError
            If a parameter is not a Tensor, or params is a set.
        ValueError
            If a parameter is a non-leaf, already belongs to another group, or a
            required option (such as an ``lr`` without default) is missing.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but "
                "the ordering of tensors in sets will change between runs. "
                "Please use a list instead."
            )
        else:
            params = list(params)

        names = [p[0] for p in params if isinstance(p, tuple)]
        tensors = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError(
                    "all optimizer params should be with/without names. "
                    "Some param names are missing"
                )
            param_group["param_names"] = names

        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + _typename(param)
                )
            if not (param.is_leaf or getattr(param, "retains_grad", False)):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required "
                    f"optimization parameter {name}"
                )
            param_group.setdefault(name, default)

        if len(tensors) != len({id(p) for p in tensors}):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; "
                "in future, this will cause an error",
                stacklevel=3,
            )

        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                txt = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {txt} to the optimizer"
                )
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # --------------------------------------------------------------- stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized parameters.

        Parameters
        ----------
        set_to_none : bool, default True
            Set ``p.grad = None`` (cheaper, and optimizers then skip ``p``
            entirely) instead of filling the gradient with zeros.
        """
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if grad.grad_fn is not None:
                        grad.detach_()
                    else:
                        grad.requires_grad_(False)
                    grad._data[...] = 0
                    grad._bump_version()

    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Perform one optimization step.

        Evaluates ``closure`` (if given) with gradients enabled, then, with
        gradients disabled, calls :meth:`_update` for every parameter that has a
        gradient; parameters whose ``grad`` is None are skipped.

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model and returns the loss.

        Returns
        -------
        The closure's loss, or None.
        """
        self._opt_called = True  # read by lr_scheduler to warn about a wrong call order
        loss = None
        if closure is not None:
            with minitorch.enable_grad():
                loss = closure()
        with minitorch.no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        _check_grad_fits(p)
                        self._update(p, group)
        return loss

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        """Update one parameter in place from ``p.grad`` (each optimizer's rule)."""
        raise NotImplementedError

    # ------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """Return the optimizer state as a dict, with parameters replaced by ints.

        The structure is PyTorch's::

            {"state": {0: {"momentum_buffer": tensor(...)}, ...},
             "param_groups": [{"lr": 0.01, ..., "params": [0, 1]}, ...]}

        Parameters are numbered in the order they appear across the groups. The
        state tensors are *references* to the live buffers (as in PyTorch); save
        or copy the dict if you need a snapshot.
        """
        index: dict[int, int] = {}
        packed_groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            packed_groups.append(packed)
        packed_state = {
            (index[id(k)] if isinstance(k, Tensor) else k): v
            for k, v in self.state.items()
        }
        return {"state": packed_state, "param_groups": packed_groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state produced by :meth:`state_dict`.

        Parameters are matched by position: the i-th parameter of the saved groups
        takes the state of the i-th parameter of this optimizer's groups. Floating
        state tensors are copied and cast to their parameter's dtype and device,
        except ``"step"``, which keeps its own dtype.

        Raises
        ------
        ValueError
            If the number of groups or the size of a group differs.
        """
        groups = self.param_groups
        saved_groups = [dict(g) for g in state_dict["param_groups"]]
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group "
                "that doesn't match the size of optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )
        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                state[param] = {k: _cast_state(param, k, v) for k, v in value.items()}
            else:
                state[key] = value
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.state = state
        self.param_groups = saved_groups

    # ------------------------------------------------------------------ repr
    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {k}: {group[k]}\n" for k in sorted(group) if k != "params")
        return text + ")"

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_opt_called", False)


# ---------------------------------------------------------------------------
# helpers shared by the concrete optimizers
# ---------------------------------------------------------------------------
def _cast_state(param: Tensor, key: str, value: Any) -> Any:
    """A copy of one loaded state value, placed like ``param``."""
    if isinstance(value, Tensor):
        if key == "step":
            return value.detach().clone()
        if value.is_floating_point() and param.is_floating_point():
            value = value.to(dtype=param.dtype)
        return value.to(device=param.device).detach().clone()
    if isinstance(value, dict):
        return {k: _cast_state(param, k, v) for k, v in value.items()}
    return value


def _new_step() -> Tensor:
    """The step counter: a 0-d float32 tensor on the CPU, as in PyTorch."""
    return minitorch.tensor(0.0, dtype=minitorch.float32)


def _increment(step: Tensor) -> float:
    """Add one to a step counter in place and return the new count."""
    step._data += 1
    return float(step._data)


def _check_grad_fits(p: Tensor) -> None:
    """Never broadcast a gradient into a parameter (its storage may have been replaced
    through ``p.grad.data = ...``, which skips the checks of ``p.grad = ...``)."""
    if p.grad._data.shape != p._data.shape:
        raise RuntimeError(
            f"the gradient of a parameter of size {list(p.shape)} has size "
            f"{list(p.grad.shape)}; an optimizer never broadcasts a gradient into a parameter")


def _zeros_like(p: Tensor) -> Tensor:
    """A fresh zero buffer with ``p``'s shape, dtype and device (no grad)."""
    return Tensor._wrap(get_array_module(p._data).zeros_like(p._data))


def _effective_grad(p: Tensor, group: dict[str, Any], *, l2: bool = True) -> Any:
    r"""The raw gradient an update uses: :math:`\pm \nabla + \lambda \theta`.

    ``maximize`` negates the gradient (ascend instead of descend); a non-zero
    ``weight_decay`` adds the L2 penalty's gradient :math:`\lambda\theta` (unless
    ``l2=False``, for decoupled decay). A new array is returned whenever it
    differs from ``p.grad``'s, which is never modified.
    """
    g = p.grad._data
    if group["maximize"]:
        g = -g
    wd = group["weight_decay"]
    if l2 and wd != 0:
        g = g + wd * p._data
    return g

