"""Normalisation layers: ``BatchNorm1d``, ``BatchNorm2d``, ``LayerNorm``, ``GroupNorm`` and
the instance norms."""

from __future__ import annotations

import warnings

from ... import _creation, _dtype
from ...autograd.grad_mode import no_grad
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter


class _BatchNorm(Module):
    r"""Shared code of the batch norms: :math:`y = \gamma\,(x - \mu)/\sqrt{\sigma^2 +
    \epsilon} + \beta` per channel (dim 1).

    In training mode :math:`\mu, \sigma^2` are the batch's statistics over every dim
    but the channels, and the running estimates are updated as
    :math:`r \leftarrow (1 - m)\,r + m\,s` (with the *unbiased* batch variance). With
    ``momentum=None`` the factor is :math:`m = 1/t` at the :math:`t`-th batch, giving a
    plain cumulative average. In evaluation mode the running estimates are used.
    """

    _expected_dims: tuple[int, ...] = ()
    _dims_message = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        factory = {"dtype": dtype, "device": device}
        if affine:
            self.weight = Parameter(_creation.empty(num_features, **factory))
            if bias:
                self.bias = Parameter(_creation.empty(num_features, **factory))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", _creation.zeros(num_features, **factory))
            self.register_buffer("running_var", _creation.ones(num_features, **factory))
            self.register_buffer("num_batches_tracked",
                                 _creation.tensor(0, dtype=_dtype.int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() not in self._expected_dims:
            raise ValueError(self._dims_message.format(input.dim()))

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        tracked = self.num_batches_tracked
        if self.training and self.track_running_stats and tracked is not None:
            tracked._write(tracked._data + 1)  # add_(1) without the Tensor op (a version bump)
            if self.momentum is None:
                factor = 1.0 / float(tracked)
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight, self.bias, use_batch, factor, self.eps,
        )

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) inputs (per feature / channel)."""

    _expected_dims = (2, 3)
    _dims_message = "expected 2D or 3D input (got {}D input)"


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) inputs, one mean/variance per channel."""

    _expected_dims = (4,)
    _dims_message = "expected 4D input (got {}D input)"


def _affine_parameters(m: Module, shape: tuple[int, ...], affine: bool, bias: bool,
                       factory: dict) -> None:
    """Register ``weight`` (and ``bias`` if asked) of ``shape``, or None for both, then
    initialise them (ones and zeros): LayerNorm's and GroupNorm's elementwise affine."""
    if affine:
        m.weight = Parameter(_creation.empty(shape, **factory))
        if bias:
            m.bias = Parameter(_creation.empty(shape, **factory))
        else:
            m.register_parameter("bias", None)
    else:
        m.register_parameter("weight", None)
        m.register_parameter("bias", None)
    m.reset_parameters()


def _reset_affine(m: Module) -> None:
    """Weight ones and bias zeros, where they exist."""
    if m.weight is not None:
        init.ones_(m.weight)
    if m.bias is not None:
        init.zeros_(m.bias)


class LayerNorm(Module):
    r"""Normalise each sample over its last dims (``normalized_shape``):
    :math:`y = (x - \mu)/\sqrt{\sigma^2 + \epsilon} \cdot \gamma + \beta`, with
    :math:`\gamma, \beta` of shape ``normalized_shape`` (ones and zeros initially)."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias,
                           {"dtype": dtype, "device": device})

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    r"""Group normalisation (:func:`F.group_norm <minitorch.nn.functional.group_norm>`):
    the channels of each sample split into ``num_groups`` groups, each normalised over
    its channels and positions, then :math:`\gamma_c \hat x + \beta_c` per channel
    (ones and zeros initially). Independent of the batch size, the same in training
    and evaluation."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(
                f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})"
            )
        self.num_groups, self.num_channels = num_groups, num_channels
        self.eps, self.affine = eps, affine
        _affine_parameters(self, (num_channels,), affine, bias,
                           {"dtype": dtype, "device": device})

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class _InstanceNorm(_BatchNorm):
    r"""Shared code of the instance norms: each (sample, channel) plane normalised over its
    own positions (:func:`F.instance_norm <minitorch.nn.functional.instance_norm>`).
    PyTorch's defaults differ from batch norm's: ``affine=False`` and
    ``track_running_stats=False``; with running statistics, evaluation mode uses them."""

    _spatial = 2

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False,
                 device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats,
                         device, dtype, bias=bias)

    def forward(self, input: Tensor) -> Tensor:
        n = self._spatial
        if input.dim() not in (n + 1, n + 2):
            raise ValueError(f"expected {n + 1}D or {n + 2}D input (got {input.dim()}D input)")
        channels = input.shape[-n - 1]
        if channels != self.num_features:
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={input.dim() - n - 1} to match "
                    f"num_features ({self.num_features}), but got: {channels}."
                )
            warnings.warn(
                f"input's size at dim={input.dim() - n - 1} does not match num_features. "
                "You can silence this warning by not passing in num_features, which is not "
                "used because affine=False",
                stacklevel=2,
            )
        if input.dim() == n + 1:  # unbatched: a batch of one
            return self.forward(input.unsqueeze(0)).squeeze(0)
        use_input_stats = self.training or not self.track_running_stats
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight,
                               self.bias, use_input_stats,
                               0.0 if self.momentum is None else self.momentum, self.eps)


class InstanceNorm1d(_InstanceNorm):
    """Instance norm over (N, C, L) or (C, L) inputs."""

    _spatial = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance norm over (N, C, H, W) or (C, H, W) inputs (style transfer, GANs)."""

    _spatial = 2
