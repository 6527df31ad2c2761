"""minitorch: a small, readable reverse-mode autograd library with PyTorch's API.

``import minitorch as torch`` and write PyTorch code: tensors, autograd, ``nn``, ``optim``,
``utils.data`` and ``vision`` (torchvision's MNIST and transforms).
"""

from __future__ import annotations

import importlib

from . import (  # _process_tweaks first, before NumPy loads: see that module
    _process_tweaks,
    _tensor_methods,
    accelerator,
    autograd,
    cuda,
)
from ._backend import device
from ._creation import (
    arange,
    as_tensor,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from ._dtype import (
    bool_ as bool,
)
from ._dtype import (
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from ._legacy import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from ._random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from ._tensor_methods import addcdiv, addcmul
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .kernels.threads import get_num_threads, set_num_threads
from .ops.counting import bincount, count_nonzero, histc
from .ops.einsum import einsum
from .ops.elementwise import (
    abs,
    absolute,
    add,
    allclose,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    ceil,
    clamp,
    clip,
    cos,
    div,
    divide,
    eq,
    exp,
    floor,
    floor_divide,
    fmod,
    ge,
    greater,
    greater_equal,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    le,
    lerp,
    less,
    less_equal,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    lt,
    maximum,
    minimum,
    mul,
    multiply,
    nan_to_num,
    ne,
    neg,
    negative,
    not_equal,
    pow,
    reciprocal,
    relu,
    remainder,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    sub,
    subtract,
    tanh,
    true_divide,
    trunc,
    where,
)
from .ops.indexing import (
    gather,
    index_put,
    index_put_,
    index_select,
    masked_fill,
    masked_select,
    nonzero,
    scatter_add,
    take,
    tril,
    triu,
)
from .ops.linalg import bmm, cdist, cross, diag, diagonal, dot, matmul, mm, outer, trace
from .ops.reduction import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    norm,
    prod,
    softmax,
    std,
    std_mean,
    sum,
    var,
    var_mean,
)
from .ops.scan import cumprod, cumsum, diff
from .ops.shape import (
    broadcast_shapes,
    broadcast_tensors,
    broadcast_to,
    cat,
    chunk,
    clone,
    concat,
    concatenate,
    flatten,
    flip,
    meshgrid,
    movedim,
    narrow,
    permute,
    repeat_interleave,
    reshape,
    roll,
    rot90,
    split,
    squeeze,
    stack,
    swapaxes,
    swapdims,
    t,
    transpose,
    unbind,
    unflatten,
    unsqueeze,
)
from .ops.sorting import (
    argsort,
    bucketize,
    kthvalue,
    median,
    mode,
    msort,
    nanmedian,
    quantile,
    searchsorted,
    sort,
    topk,
    unique,
)
from .tensor import Size, Tensor

double = float64
float = float32
long = int64
int = int32
half = float16

__version__ = "0.1.0"

_LAZY = {"nn", "optim", "utils", "vision", "serialization", "return_types", "backends"}
_LAZY |= {"profiler", "viz"}


def __getattr__(name: str):
    """Import the larger subpackages on first use (``minitorch.nn`` etc.)."""
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    if name in ("save", "load"):
        return getattr(importlib.import_module(".serialization", __name__), name)
    raise AttributeError(f"module 'minitorch' has no attribute '{name}'")


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


def detach(input: Tensor) -> Tensor:
    return input.detach()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, **_) -> None:
    from . import _tensor_str as s

    if precision is not None:
        s.PRECISION = precision
    if threshold is not None:
        s.THRESHOLD = threshold
    if edgeitems is not None:
        s.EDGEITEMS = edgeitems
    if linewidth is not None:
        s.LINEWIDTH = linewidth


def nan_to_num_(input: Tensor, nan: float | None = None, posinf=None,
                neginf=None) -> Tensor:
    """In-place :func:`nan_to_num`."""
    return input.nan_to_num_(nan, posinf, neginf)
