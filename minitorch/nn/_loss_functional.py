r"""The loss functions of ``minitorch.nn.functional`` (PyTorch's names, defaults and errors).

Each function checks its arguments the way PyTorch does, then calls one ``Function`` of
:mod:`minitorch.ops.loss`, or composes Tensor ops for the rarer variants.

``cross_entropy`` has two roads:

* the common case (class-index targets, no class weights, no label smoothing) is the
  single fused op :class:`~minitorch.ops.loss.CrossEntropy` — a stable log-softmax plus a
  gather forward, :math:`(\operatorname{softmax} - \text{onehot})\, g / N` backward;
* everything else composes ``log_softmax`` with :class:`~minitorch.ops.loss.NllLoss` and
  plain Tensor ops, following PyTorch's formulas term by term.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..ops import loss as L
from ..ops._util import promote
from ..ops.shape import broadcast_shapes
from ..tensor import Tensor

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "huber_loss",
    "l1_loss",
    "mse_loss",
    "nll_loss",
    "smooth_l1_loss",
]


# ----------------------------------------------------------------------- reductions
def _legacy_get_string(size_average, reduce, emit_warning: bool = True) -> str:
    """Translate the deprecated ``size_average``/``reduce`` flags into a ``reduction``."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    if emit_warning:
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use reduction='{ret}' "
            "instead.",
            stacklevel=3,
        )
    return ret


def _reduction(reduction: str, size_average=None, reduce=None) -> str:
    """Validate ``reduction`` (PyTorch's ValueError), honouring the legacy flags."""
    if size_average is not None or reduce is not None:
        return _legacy_get_string(size_average, reduce)
    if reduction == "elementwise_mean":
        warnings.warn(
            "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
            stacklevel=3,
        )
        return "mean"
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _apply_reduction(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


# ----------------------------------------------------------------- regression losses
def _pointwise_args(input: Tensor, target: Tensor, name: str):
    """Warn on mismatched sizes (like PyTorch), promote dtypes and broadcast."""
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )
        try:
            shape = broadcast_shapes(input.shape, target.shape)
        except RuntimeError:
            raise _size_mismatch(input.shape, target.shape) from None
        input, target = input.expand(shape), target.expand(shape)
    if not (input.dtype.is_floating_point or target.dtype.is_floating_point):
        raise RuntimeError(f"\"{name}\" not implemented for '{input._scalar_type_name()}'")
    return promote(input, target)


def _size_mismatch(a, b) -> RuntimeError:
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and 1 not in (x, y):
            return RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {max(len(a), len(b)) - i}"
            )
    return RuntimeError(f"shapes {list(a)} and {list(b)} cannot be broadcast together")


def _check_pointwise_weight(weight: Tensor, input: Tensor) -> None:
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")


def _weighted_reduction(loss: Tensor, weight: Tensor, input: Tensor, reduction: str) -> Tensor:
    """Weight each term; ``'mean'`` then divides by the sum of the weights (PyTorch's rule)."""
    _check_pointwise_weight(weight, input)
    loss = loss * weight
    return loss.sum() / weight.sum() if reduction == "mean" else _apply_reduction(loss, reduction)


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    r"""Mean squared error :math:`(x - y)^2`, reduced (see :class:`~minitorch.nn.MSELoss`).

    With ``weight`` (same shape as ``input``) each term is multiplied by its weight and
    ``'mean'`` divides by the sum of the weights.
    """
    reduction = _reduction(reduction, size_average, reduce)
    x, y = _pointwise_args(input, target, "mse_loss")
    if weight is None:
        return L.MseLoss.apply(x, y, reduction)
    return _weighted_reduction((x - y) ** 2, weight, input, reduction)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    r"""Mean absolute error :math:`|x - y|` (gradient :math:`\operatorname{sign}(x - y)`)."""
    reduction = _reduction(reduction, size_average, reduce)
    x, y = _pointwise_args(input, target, "l1_loss")
    loss = (x - y).abs()
    if weight is None:
        return _apply_reduction(loss, reduction)
    return _weighted_reduction(loss, weight, input, reduction)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    r"""Smooth L1: quadratic :math:`\tfrac12 d^2/\beta` for :math:`|d| < \beta`, else
    :math:`|d| - \tfrac12\beta`. ``beta=0`` is exactly :func:`l1_loss`."""
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    x, y = _pointwise_args(input, target, "smooth_l1_loss")
    if beta == 0:
        return _apply_reduction((x - y).abs(), reduction)
    return L.SmoothL1Loss.apply(x, y, reduction, float(beta))


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    r"""Huber loss: :math:`\tfrac12 d^2` for :math:`|d| \le \delta`, else
    :math:`\delta(|d| - \tfrac12\delta)`. With ``weight``, ``'mean'`` is the plain mean of
    the weighted terms (as in PyTorch)."""
    reduction = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    x, y = _pointwise_args(input, target, "huber_loss")
    if weight is None:
        return L.HuberLoss.apply(x, y, reduction, float(delta))
    _check_pointwise_weight(weight, input)
    return _apply_reduction(L.HuberLoss.apply(x, y, "none", float(delta)) * weight, reduction)


# ------------------------------------------------------------- classification losses
def _check_class_weight(weight: Tensor | None, n_classes: int, dtype):
    """The raw weight array (in ``dtype``), after PyTorch's shape check."""
    if weight is None:
        return None
    if weight.ndim != 1 or weight.shape[0] != n_classes:
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no "
            f"classes but got weight tensor of shape: {list(weight.shape)}"
        )
    return weight._data.astype(dtype.np, copy=False)


def _check_index_target(input: Tensor, target: Tensor, ignore_index: int):
    """PyTorch's checks for class-index targets; returns ``(input, target)`` batched.

    An unbatched ``(C,)`` input becomes ``(1, C)`` with target ``(1,)``.
    """
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if target.dtype.name not in ("int64", "uint8"):
        shapes = ("" if target.shape == input.shape else
                  f" (a target of class probabilities has the input's shape {list(input.shape)}, "
                  f"this one has shape {list(target.shape)})")
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {target._scalar_type_name()}"
            + shapes)
    if input.ndim == 1:
        if target.ndim > 1 or target.numel() != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        input, target = input.unsqueeze(0), target.reshape(1)
    tshape, xshape = target._data.shape, input._data.shape  # (tuples: cheaper than .shape)
    if not tshape or tshape[0] != xshape[0]:
        if not tshape:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
            f"({tshape[0]})."
        )
    if input.ndim == 2 and target.ndim != 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.ndim == 4 and target.ndim != 3:
        raise RuntimeError(
            "only batches of spatial targets supported (3D tensors) but got targets of "
            f"dimension: {target.ndim}"
        )
    if input.ndim > 2 and tshape[1:] != xshape[2:]:
        want = [input.shape[0], *input.shape[2:]]
        raise RuntimeError(f"Expected target size {want}, got {list(tshape)}")
    t = target._data.astype(np.int64, copy=False)
    n_classes = xshape[1]
    # cheap test first, then the exact one; as unsigned numbers the negative targets are
    # huge, so one max() tests both ends
    if t.size and t.view(np.uint64).max() >= n_classes:
        bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
        if bad.any():
            raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")
    return input, Tensor._wrap(t)


def _unbatch(loss: Tensor, batched: bool, reduction: str, shape) -> Tensor:
    return loss if batched or reduction != "none" else loss.reshape(shape)


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    r"""Negative log-likelihood :math:`-w_{t_i} x_{i, t_i}` of log-probabilities ``input``
    (shape ``(N, C, d1, ...)`` or ``(C,)``) at class indices ``target``.

    ``'mean'`` divides by the summed weights of the targets that are not ``ignore_index``.
    """
    reduction = _reduction(reduction, size_average, reduce)
    x, t = _check_index_target(input, target, ignore_index)
    w = _check_class_weight(weight, x.shape[1], x.dtype)
    loss = L.NllLoss.apply(x, t, w, ignore_index, reduction)
    return _unbatch(loss, input.ndim > 1, reduction, target.shape)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    r"""Cross-entropy between the logits ``input`` and ``target``.

    ``input`` has shape ``(N, C, d1, ...)`` or ``(C,)`` (class dimension 1, or 0 when
    unbatched). ``target`` holds class indices (int64, shape ``(N, d1, ...)``) or, when it
    has ``input``'s shape, class probabilities (floating point).

    With label smoothing :math:`\varepsilon` the loss mixes the NLL with the mean over
    classes of :math:`-w_c \log p_c`: :math:`(1 - \varepsilon)\,\text{NLL} +
    \varepsilon\, \text{smooth} / C`, where the ``'mean'`` of the smooth term divides by
    the summed weights of the kept targets, exactly like PyTorch.
    """
    reduction = _reduction(reduction, size_average, reduce)
    if input._data.shape == target._data.shape:
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction, label_smoothing)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    x, t = _check_index_target(input, target, ignore_index)
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"\"log_softmax\" not implemented for '{x._scalar_type_name()}'")
    w = _check_class_weight(weight, x.shape[1], x.dtype)
    if w is None and label_smoothing <= 0:
        loss = L.CrossEntropy.apply(x, t, ignore_index, reduction)  # the fused fast path
    else:
        loss = _cross_entropy_general(x, t, w, ignore_index, reduction, label_smoothing)
    return _unbatch(loss, input.ndim > 1, reduction, target.shape)


def _class_view(weight_arr, ndim: int) -> Tensor:
    """Class weights shaped to broadcast along dim 1 of an ``ndim``-dim tensor."""
    shape = [1] * ndim
    shape[1] = -1
    return Tensor._wrap(weight_arr.reshape(shape))


def _cross_entropy_general(x: Tensor, t: Tensor, w, ignore_index, reduction, eps) -> Tensor:
    """Weighted and/or label-smoothed cross-entropy of batched ``x`` (PyTorch's formula)."""
    logp = x.log_softmax(1)
    nll = L.NllLoss.apply(logp, t, w, ignore_index, reduction)
    if eps <= 0:
        return nll
    n_classes = x.shape[1]
    ignored = t == ignore_index
    per_class = logp if w is None else logp * _class_view(w, x.ndim)
    smooth = (-per_class.sum(1)).masked_fill(ignored, 0.0)
    if reduction == "none":
        ret = smooth
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        kept = ~ignored._data
        denom = kept.sum() if w is None else w[t._data[kept]].sum()
        ret = smooth.sum() / float(denom)
    return (1 - eps) * nll + ret * (eps / n_classes)


def _cross_entropy_probs(input, target, weight, ignore_index, reduction, eps) -> Tensor:
    r"""Cross-entropy with class-probability targets: :math:`-\sum_c w_c\, y_c \log p_c`."""
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{target._scalar_type_name()}"
        )
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if eps > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {eps}")
    input, target = promote(input, target)
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    logp = input.log_softmax(class_dim)
    if eps > 0:
        target = target * (1 - eps) + eps / n_classes
    terms = logp * target
    if weight is not None:
        w = _check_class_weight(weight, n_classes, input.dtype)
        terms = terms * (Tensor._wrap(w) if input.ndim == 1 else _class_view(w, input.ndim))
    if reduction == "none":
        return -terms.sum(class_dim)
    if reduction == "sum":
        return -terms.sum()
    n = input.numel() // n_classes if n_classes else 0
    return -terms.sum() / n if n else -terms.sum() * float("nan")


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    r"""Binary cross-entropy of probabilities: :math:`-w[y\log x + (1 - y)\log(1 - x)]`,
    each log clamped at -100."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    if weight is not None:
        input, target, weight = promote(input, target, weight)
        broadcast_shapes(weight.shape, input.shape)
    else:
        input, target = promote(input, target)
    xd = input._data
    if ((xd < 0) | (xd > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    w = None if weight is None else weight._data
    return L.BinaryCrossEntropy.apply(input, target, w, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    r"""Binary cross-entropy on logits, computed stably:
    :math:`w[(1 - y)x + (1 + (p - 1)y)\log(1 + e^{-x})]`. ``pos_weight`` :math:`p`
    broadcasts along the last (class) dimension."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    extra = [a for a in (weight, pos_weight) if a is not None]
    input, target, *extra = promote(input, target, *extra)
    for a in extra:
        try:
            broadcast_shapes(a.shape, input.shape)
        except RuntimeError:
            raise _size_mismatch(a.shape, input.shape) from None
    it = iter(extra)
    w = next(it)._data if weight is not None else None
    p = next(it)._data if pos_weight is not None else None
    return L.BinaryCrossEntropyWithLogits.apply(input, target, w, p, reduction)
