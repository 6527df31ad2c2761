r"""``minitorch.nn.functional``: the stateless functions behind the layers (``F.relu``...).

Activations with their own gradient formula are single ops in
:mod:`minitorch.ops.activation`; normalisations are composed from Tensor operations
(mean, variance, rsqrt), so autograd differentiates them, to any order, without a
hand-written backward. Convolution and pooling live in :mod:`minitorch.ops.conv` and
:mod:`minitorch.ops.pool`; the losses in :mod:`minitorch.nn._loss_functional`.
"""

from __future__ import annotations

import warnings

from .. import _creation
from .._random import Generator
from ..autograd.grad_mode import no_grad
from ..ops import activation as A
from ..ops import indexing as _indexing
from ..ops import linalg as _linalg
from ..ops import normalization as _norm
from ..ops import shape as _shape
from ..ops.conv import conv2d
from ..ops.pool import adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d
from ..ops.reduction import log_softmax as _log_softmax
from ..ops.reduction import softmax as _softmax
from ..tensor import Tensor


def _maybe_inplace(input: Tensor, inplace: bool, compute) -> Tensor:
    """``compute(input)``, stored into ``input`` itself when ``inplace`` (like PyTorch)."""
    if inplace:
        return input._rebase_inplace(compute)
    return compute(input)


def _check_tensor(input, name: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")


# ------------------------------------------------------------------------ activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    r""":math:`\max(x, 0)`."""
    _check_tensor(input, "relu")
    return _maybe_inplace(input, inplace, lambda x: x.relu())


def relu_(input: Tensor) -> Tensor:
    """In-place :func:`relu`."""
    return relu(input, inplace=True)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    r""":math:`x` for :math:`x > 0`, else ``negative_slope`` :math:`\cdot x`."""
    _check_tensor(input, "leaky_relu")
    return _maybe_inplace(input, inplace, lambda x: A.LeakyRelu.apply(x, negative_slope))


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    r""":math:`x` for :math:`x > 0`, else :math:`\alpha(e^x - 1)`."""
    _check_tensor(input, "elu")
    return _maybe_inplace(input, inplace, lambda x: A.Elu.apply(x, alpha))


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    r""":math:`x\,\Phi(x)` (``approximate='none'``) or its tanh approximation (``'tanh'``)."""
    _check_tensor(input, "gelu")
    if approximate == "none":
        return A.Gelu.apply(input)
    if approximate == "tanh":
        return A.GeluTanh.apply(input)
    raise RuntimeError(f"approximate argument must be either none or tanh, got '{approximate}'")


def sigmoid(input: Tensor) -> Tensor:
    r""":math:`1/(1 + e^{-x})`."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    r""":math:`\tanh x`."""
    return input.tanh()


def _silu(x: Tensor) -> Tensor:
    return x * x.sigmoid()


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    r""":math:`x\,\sigma(x)` (a product of two recorded ops, which save ``x``: in place,
    they work on a copy so that overwriting ``input`` cannot invalidate it)."""
    if inplace:
        return input._rebase_inplace(lambda x: _silu(x.clone()))
    return _silu(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    r""":math:`\frac1\beta\log(1 + e^{\beta x})` (linear above ``threshold``)."""
    _check_tensor(input, "softplus")
    return A.Softplus.apply(input, beta, threshold)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    r""":math:`\min(\max(x, \text{min\_val}), \text{max\_val})`."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(input, inplace, lambda x: A.Hardtanh.apply(x, min_val, max_val))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    r""":math:`\min(\max(x, 0), 6)`."""
    return hardtanh(input, 0.0, 6.0, inplace)


def _implicit_dim(name: str, ndim: int) -> int:
    """PyTorch's legacy choice of dim when none is given (with its deprecation warning)."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to "
        "include dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    r""":math:`e^{x_i}/\sum_j e^{x_j}` along ``dim``."""
    return _softmax(input, _implicit_dim("softmax", input.dim()) if dim is None else dim,
                    dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype=None) -> Tensor:
    r""":math:`x_i - \log\sum_j e^{x_j}` along ``dim``."""
    return _log_softmax(input, _implicit_dim("log_softmax", input.dim()) if dim is None else dim,
                        dtype=dtype)


# ----------------------------------------------------------------------------- linear
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    r""":math:`y = x W^\top + b` for ``input`` (..., in), ``weight`` (out, in)."""
    _check_tensor(input, "linear")
    # The checks read the arrays' shapes and dtypes (cheaper than the Tensor properties:
    # this runs for every layer call); identical NumPy dtypes are one object.
    x, w = input._data, weight._data
    if w.ndim != 2 or x.ndim == 0:
        return input.matmul(weight.t()) + (0 if bias is None else bias)
    if x.shape[-1] != w.shape[1]:
        rows = x.size // x.shape[-1] if x.shape[-1] else 0
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
            f"{w.shape[1]}x{w.shape[0]})"
        )
    if x.dtype is not w.dtype and input.dtype is not weight.dtype:
        raise RuntimeError(
            "mat1 and mat2 must have the same dtype, but got "
            f"{input._scalar_type_name()} and {weight._scalar_type_name()}"
        )
    if bias is not None:
        b = bias._data
        if b.dtype is not w.dtype and bias.dtype is not weight.dtype:
            raise RuntimeError(
                f"expected m1 and bias to have the same dtype, but got: {input.dtype} != "
                f"{bias.dtype}"
            )
        if b.shape != (w.shape[0],) and b.size != 1:
            out = list(x.shape[:-1]) + [w.shape[0]]
            raise RuntimeError(
                f"The expanded size of the tensor ({out[-1]}) must match the existing size "
                f"({b.shape[-1] if b.ndim else 1}) at non-singleton dimension {len(out) - 1}."
                f"  Target sizes: {out}.  Tensor sizes: {list(b.shape)}")
        if x.ndim == 2:
            return _linalg.Addmm.apply(bias, input, weight)  # named and wired like PyTorch's
    return _linalg.Linear.apply(input, weight, bias)


# ---------------------------------------------------------------------------- dropout
def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout(input: Tensor, p: float, inplace: bool, mask_shape: tuple,
             generator: Generator | None = None) -> Tensor:
    r"""Multiply ``input`` by a random mask of ``mask_shape`` (broadcast over the rest):
    each mask entry is 0 with probability ``p`` and :math:`1/(1-p)` otherwise."""
    with no_grad():
        if p == 1.0:
            mask = input.new_zeros(mask_shape)
        else:
            keep = _creation.rand(mask_shape, generator=generator, dtype=input.dtype,
                                  device=input.device) >= p
            mask = keep.to(input.dtype) / (1.0 - p)
    return _maybe_inplace(input, inplace, lambda x: x * mask)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
            generator: Generator | None = None) -> Tensor:
    r"""Zero each element with probability ``p`` and scale the survivors by
    :math:`1/(1-p)`, so the expected value is unchanged. Identity when not ``training``.

    The mask is drawn from minitorch's default generator (or ``generator``); the gradient
    is the upstream gradient times the same scaled mask.
    """
    _check_p(p)
    if not training or p == 0.0:
        return input
    return _dropout(input, p, inplace, tuple(input.shape), generator)


def _feature_dropout(input: Tensor, p: float, training: bool, inplace: bool,
                     batched: bool = True) -> Tensor:
    r"""Channel-wise dropout: one mask entry per (sample, channel) of an (N, C, ...) input,
    or per channel of an unbatched (C, ...) one, so a whole feature map is kept (scaled
    by :math:`1/(1-p)`) or zeroed together."""
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if not training or p == 0.0:
        return input
    lead = 2 if batched else 1
    mask_shape = tuple(input.shape[:lead]) + (1,) * (input.dim() - lead)
    return _dropout(input, p, inplace, mask_shape)


def _warn_feature_dims(name: str, got: int, spatial: int, dims: str) -> None:
    warnings.warn(
        f"{name}: Received a {got}-D input to {name}, which is deprecated and will result "
        "in an error in a future release. To retain the behavior and silence this warning, "
        f"please use dropout instead. Note that {name} exists to provide channel-wise "
        f"dropout on inputs with {spatial} spatial dimensions, a channel dimension, and an "
        f"optional batch dimension (i.e. {dims} inputs).",
        stacklevel=3,
    )


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    r"""Zero whole channels of an (N, C, L) or (C, L) input with probability ``p``
    (survivors scaled by :math:`1/(1-p)`): :class:`~minitorch.nn.Dropout1d`."""
    _check_p(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
            "spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs)."
        )
    return _feature_dropout(input, p, training, inplace, batched=input.dim() == 3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    r"""Zero whole feature maps of an (N, C, H, W) input with probability ``p`` (survivors
    scaled by :math:`1/(1-p)`); the gradient uses the same mask.

    As in PyTorch, a 3-D input is read as (N, C, L), with a warning (not as an unbatched
    (C, H, W) image), and other ranks warn and drop per (dim 0, dim 1) entry.
    """
    _check_p(p)
    if input.dim() not in (3, 4):
        _warn_feature_dims("dropout2d", input.dim(), 2, "3D or 4D")
    if input.dim() == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret "
            "the input as one without a batch dimension, i.e. shape (C, H, W). To maintain "
            "the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _feature_dropout(input, p, training, inplace)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    r"""Zero whole 3-D feature maps of an (N, C, D, H, W) or (C, D, H, W) input with
    probability ``p`` (survivors scaled by :math:`1/(1-p)`)."""
    _check_p(p)
    if input.dim() not in (4, 5):
        _warn_feature_dims("dropout3d", input.dim(), 3, "4D or 5D")
    return _feature_dropout(input, p, training, inplace, batched=input.dim() == 5)


# ---------------------------------------------------------------------- normalisation
def _normalize_over(input: Tensor, dims: tuple[int, ...], eps: float) -> tuple:
    r""":math:`\hat x = (x - \mu)/\sqrt{\sigma^2 + \epsilon}` over ``dims``, with the
    biased variance; returns :math:`(\hat x, \mu, \sigma^2)` (kept dims)."""
    mean = input.mean(dims, keepdim=True)
    centered = input - mean
    var = (centered * centered).mean(dims, keepdim=True)
    return centered * (var + eps).rsqrt(), mean, var


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    r"""Batch normalisation over every dimension but the channels (dim 1).

    Training: normalise with the batch mean and *biased* variance, and update the running
    statistics in place, :math:`r \leftarrow (1 - m) r + m s`, with the *unbiased*
    variance :math:`\sigma^2 \cdot n/(n-1)`. Evaluation: normalise with the running
    statistics. Then :math:`y = \gamma \hat x + \beta` per channel.
    """
    if input.dim() < 2:
        raise ValueError(f"expected 2D or more input (got {input.dim()}D input)")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(
                f"{name} should contain {c} elements not {t.numel()}"
            )
    shape = (1, c) + (1,) * (input.dim() - 2)
    if training:
        n = input.numel() // c
        if n <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size "
                f"{input.shape!r}"
            )
        # one Function (ops/normalization.py); the composition _normalize_over is its
        # readable twin
        stats = []
        out = _norm.BatchNorm.apply(input, weight, bias, eps, stats)
        if running_mean is not None:
            _norm.update_running(running_mean, stats[0], momentum, momentum)
        if running_var is not None:
            _norm.update_running(running_var, stats[1], momentum, momentum * n / (n - 1))
        return out
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    # y = x s + t with per-channel s = gamma / sqrt(var + eps), t = beta - mean s: two
    # full-size passes; the small per-channel ops carry the gradients to gamma and beta
    scale = (running_var + eps).rsqrt()
    if weight is not None:
        scale = scale * weight
    shift = -running_mean * scale
    if bias is not None:
        shift = shift + bias
    return input * scale.reshape(shape) + shift.reshape(shape)


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    r"""Normalise over the last ``len(normalized_shape)`` dims of each sample (biased
    variance), then :math:`y = \gamma \hat x + \beta` elementwise."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or tuple(input.shape[input.dim() - k:]) != shape or input.dim() < k:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in shape)}], but got input of size{list(input.shape)}"
        )
    out, _, _ = _normalize_over(input, tuple(range(input.dim() - k, input.dim())), eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    r""":math:`x / \max(\lVert x \rVert_p, \epsilon)` along ``dim``."""
    return input / input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)


# ------------------------------------------------------------------------- embeddings
def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    r"""Rows of ``weight`` picked by the integer tensor ``input``: shape
    ``input.shape + (embedding_dim,)``. The ``padding_idx`` row receives no gradient."""
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError(
            "minitorch's embedding does not support max_norm, scale_grad_by_freq or sparse"
        )
    if input.dtype.name not in ("int64", "int32"):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input._type_name()} instead (while checking "
            "arguments for embedding)"
        )
    n = weight.shape[0]
    if input.numel() and (int(input.max()) >= n or int(input.min()) < 0):
        raise IndexError("index out of range in self")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    return _indexing.Embedding.apply(weight, input._data, padding_idx)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape ``tensor.shape + (num_classes,)`` with a 1 at each index."""
    if tensor.dtype.name != "int64":
        raise RuntimeError(
            "one_hot is only applicable to index tensor of type LongTensor."
        )
    if tensor.numel() and int(tensor.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if tensor.numel() == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(tensor.max()) + 1
    elif tensor.numel() and int(tensor.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    classes = _creation.arange(num_classes, device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).long()


# ---------------------------------------------------------------------------- padding
def _pad_index(n: int, lo: int, hi: int, mode: str, xp):
    """Source positions of a padded axis: ``out[i] = in[index[i]]`` for i in
    ``-lo .. n + hi - 1`` mapped into ``0 .. n - 1`` by the mode's rule."""
    i = xp.arange(-lo, n + hi)
    if mode == "reflect":  # ... 2 1 | 0 1 2 ... n-1 | n-2 n-3 ...
        period = 2 * (n - 1)
        i = xp.abs(i) % period if period else xp.zeros_like(i)
        return xp.where(i >= n, period - i, i)
    if mode == "replicate":
        return xp.clip(i, 0, n - 1)
    return i % n  # circular


def pad(input: Tensor, pad: tuple[int, ...], mode: str = "constant",
        value: float | None = None) -> Tensor:
    r"""Pad the last ``len(pad) // 2`` dims: ``pad = (left, right, top, bottom, ...)``
    starting from the *last* dimension.

    ``'constant'`` fills with ``value`` (negative amounts crop); ``'reflect'``,
    ``'replicate'`` and ``'circular'`` gather input positions (a differentiable indexing,
    whose gradient adds back into the source positions).
    """
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError(
            f"Padding length should be less than or equal to two times the input dimension "
            f"but got padding length {len(pad)} and input of dimension {input.dim()}"
        )
    pairs = [(0, 0)] * input.dim()
    for k in range(len(pad) // 2):
        pairs[input.dim() - 1 - k] = (int(pad[2 * k]), int(pad[2 * k + 1]))
    if mode == "constant":
        grow = tuple((max(lo, 0), max(hi, 0)) for lo, hi in pairs)
        out = _shape.Pad.apply(input, grow, 0.0 if value is None else value)
        if any(lo < 0 or hi < 0 for lo, hi in pairs):
            out = out[tuple(slice(-min(lo, 0), out.shape[d] + min(hi, 0))
                            for d, (lo, hi) in enumerate(pairs))]
        return out
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    from .._backend import get_array_module

    xp = get_array_module(input._data)
    out = input
    for d, (lo, hi) in enumerate(pairs):
        if lo or hi:
            n = input.shape[d]
            if mode == "reflect" and (lo >= n or hi >= n):
                raise RuntimeError(
                    f"Argument #4: Padding size should be less than the corresponding input "
                    f"dimension, but got: padding ({lo}, {hi}) at dimension {d} of input "
                    f"{list(input.shape)}"
                )
            idx = _pad_index(n, lo, hi, mode, xp)
            out = out[(slice(None),) * d + (Tensor._wrap(idx),)]
    return out


__all__ = [
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "avg_pool2d",
    "batch_norm",
    "conv2d",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "elu",
    "embedding",
    "gelu",
    "hardtanh",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool2d",
    "normalize",
    "one_hot",
    "pad",
    "relu",
    "relu6",
    "relu_",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "tanh",
]

try:  # the losses (cross_entropy, mse_loss, ...) are written in their own file
    from . import _loss_functional
except ModuleNotFoundError as e:  # pragma: no cover - only while that file is absent
    if e.name != f"{__package__}._loss_functional":
        raise
else:
    from ._loss_functional import *

    __all__ += list(getattr(_loss_functional, "__all__", ()))

# 1-D conv/pooling, transposed conv, group/instance norm, fold/unfold, prelu, softmax2d,
# distances: in their own file
from ._layers_functional import *
from ._layers_functional import __all__ as _layers_all

__all__ += _layers_all  # noqa: PLE0605 - the names listed in _layers_functional.py

# interpolate (and the deprecated upsample*): in its own file
from ._interpolation import *
from ._interpolation import __all__ as _interpolation_all

__all__ += _interpolation_all  # noqa: PLE0605 - the names listed in _interpolation.py
