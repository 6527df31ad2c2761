"""Image transforms with torchvision's names, arguments, semantics and reprs.

Images come in two layouts, as in torchvision:

* an *image* (torchvision: a PIL image; here, since PIL is no dependency, a NumPy
  array ``(H, W)`` or ``(H, W, C)``, usually ``uint8``, as ``MNIST`` returns them);
* a *tensor image*: a minitorch tensor ``(..., C, H, W)``.

``ToTensor`` turns the first into the second. ``RandomCrop`` and
``RandomHorizontalFlip`` accept either and return the same kind; ``Normalize`` needs a
float tensor. Random transforms draw from minitorch's default generator, so
``minitorch.manual_seed(s)`` makes them reproducible (the draws differ from PyTorch's).

A typical MNIST pipeline::

    transform = Compose([RandomCrop(28, padding=2), ToTensor(), Normalize((0.1307,), (0.3081,))])
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import minitorch
from minitorch import _backend

__all__ = ["Compose", "Lambda", "Normalize", "RandomCrop", "RandomHorizontalFlip", "ToTensor"]

Image = Any  # a NumPy array (H, W) / (H, W, C), or a minitorch tensor (..., C, H, W)


class Compose:
    """Apply ``transforms`` one after another: ``t_n(...t_2(t_1(img)))``."""

    def __init__(self, transforms: Sequence[Callable]) -> None:
        self.transforms = list(transforms)

    def __call__(self, img: Image) -> Any:
        for t in self.transforms:
            img = t(img)
        return img

    def _batch(self, images: np.ndarray) -> Any:
        """Apply to a whole stack of images at once; see :meth:`ToTensor._batch`."""
        for t in self.transforms:
            images = t._batch(images)
        return images

    def __repr__(self) -> str:
        body = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}({body}\n)"


class ToTensor:
    r"""Convert an image ``(H, W)`` or ``(H, W, C)`` NumPy array into a ``(C, H, W)`` tensor.

    A ``uint8`` image is scaled into [0, 1] as float32, :math:`x = p / 255`; any other
    dtype keeps its values and dtype (torchvision does the same for arrays). Objects with
    the NumPy array interface (a PIL image, when PIL is installed) are read through
    ``numpy.asarray``.
    """

    def __call__(self, pic: Any) -> minitorch.Tensor:
        if isinstance(pic, minitorch.Tensor) or not (
                isinstance(pic, np.ndarray) or hasattr(pic, "__array_interface__")):
            raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
        pic = np.asarray(pic)
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        return minitorch.from_numpy(to_chw_array(pic[None])[0])

    def _batch(self, images: np.ndarray) -> minitorch.Tensor:
        """``images`` ``(B, H, W)`` or ``(B, H, W, C)`` to one ``(B, C, H, W)`` tensor.

        Equal, image by image, to ``stack([self(img) for img in images])``: the hook
        ``MNIST._gather_batch`` uses to build whole batches without a Python loop.
        """
        return minitorch.from_numpy(to_chw_array(images))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Normalize:
    r"""Normalize each channel: :math:`y_c = (x_c - \mathrm{mean}_c) / \mathrm{std}_c`.

    Parameters
    ----------
    mean, std
        One value per channel (or one for all). For MNIST: ``(0.1307,)``, ``(0.3081,)``.
    inplace
        Overwrite the input tensor instead of making a new one.

    Works on float tensors ``(..., C, H, W)``, a batch included, and is differentiable.
    """

    def __init__(self, mean: Sequence[float] | float, std: Sequence[float] | float,
                 inplace: bool = False) -> None:
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor: minitorch.Tensor) -> minitorch.Tensor:
        if not isinstance(tensor, minitorch.Tensor):
            raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
        if not tensor.is_floating_point():
            raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
        if tensor.ndim < 3:
            raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). "
                             f"Got tensor.size() = {tuple(tensor.shape)}")
        np_dtype = tensor.dtype.np
        std = np.asarray(self.std, dtype=np_dtype)
        if (std == 0).any():
            raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, "
                             "leading to division by zero.")
        mean = np.asarray(self.mean, dtype=np_dtype)
        mean = minitorch.from_numpy(mean.reshape(-1, 1, 1) if mean.ndim == 1 else mean)
        std = minitorch.from_numpy(std.reshape(-1, 1, 1) if std.ndim == 1 else std)
        mean, std = mean.to(tensor.device), std.to(tensor.device)
        if self.inplace:
            return tensor.sub_(mean).div_(std)
        return (tensor - mean) / std

    _batch = __call__  # already works on (B, C, H, W)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


class Lambda:
    """Apply a user function as a transform: ``Lambda(lambda x: x.view(-1))``."""

    def __init__(self, lambd: Callable) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img: Any) -> Any:
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class RandomCrop:
    """Crop a random ``size`` window, after optional padding.

    Parameters
    ----------
    size
        ``(h, w)``, or one int for a square crop.
    padding
        Added to the borders first: an int (all sides), ``(left/right, top/bottom)`` or
        ``(left, top, right, bottom)``.
    pad_if_needed
        Pad an image smaller than ``size`` up to it (instead of raising ValueError).
    fill
        The value of padded pixels when ``padding_mode="constant"``.
    padding_mode
        ``"constant"``, ``"edge"``, ``"reflect"`` or ``"symmetric"`` (NumPy's ``pad``).

    The top-left corner is drawn uniformly: ``i`` from ``0..H-h``, ``j`` from ``0..W-w``.
    Padding a tensor is not recorded by autograd (a data-augmentation step).
    """

    def __init__(self, size: int | Sequence[int], padding: int | Sequence[int] | None = None,
                 pad_if_needed: bool = False, fill: float = 0,
                 padding_mode: str = "constant") -> None:
        self.size = _pair(size, "size")
        if padding is not None:
            _ltrb(padding)  # validate now
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("Padding mode should be either constant, edge, reflect or "
                             f"symmetric, got {padding_mode!r}")
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    @staticmethod
    def get_params(img: Image, output_size: tuple[int, int]) -> tuple[int, int, int, int]:
        """A random crop ``(i, j, h, w)`` of ``output_size`` within ``img``."""
        height, width = _hw(img)
        th, tw = output_size
        if height < th or width < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size "
                             f"{(height, width)}")
        if (height, width) == (th, tw):
            return 0, 0, height, width
        i = int(minitorch.randint(0, height - th + 1, size=(1,)).item())
        j = int(minitorch.randint(0, width - tw + 1, size=(1,)).item())
        return i, j, th, tw

    def __call__(self, img: Image) -> Image:
        if self.padding is not None:
            img = _pad(img, _ltrb(self.padding), self.fill, self.padding_mode)
        height, width = _hw(img)
        th, tw = self.size
        if self.pad_if_needed and (height < th or width < tw):
            extra_w, extra_h = max(tw - width, 0), max(th - height, 0)
            img = _pad(img, (extra_w, extra_h, extra_w, extra_h), self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        if isinstance(img, np.ndarray):
            return img[i:i + h, j:j + w]
        return img[..., i:i + h, j:j + w]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror the image left-right with probability ``p``."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, img: Image) -> Image:
        if minitorch.rand(1).item() < self.p:
            if isinstance(img, np.ndarray):
                return np.ascontiguousarray(img[:, ::-1])
            return img.flip(-1)
        return img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


# ------------------------------------------------------------------------- helpers


def to_chw_array(images: np.ndarray) -> np.ndarray:
    """``ToTensor`` on NumPy arrays: ``(B, H, W[, C])`` to ``(B, C, H, W)``, uint8 scaled.

    A ``uint8`` stack becomes float32 ``pixel / 255``; other dtypes keep their values.
    """
    if images.ndim == 3:
        images = images[..., None]
    chw = images.transpose(0, 3, 1, 2)
    if chw.dtype != np.uint8:
        return np.ascontiguousarray(chw)
    out = chw.astype(np.float32)
    out /= 255
    return out



def _can_batch(transform: Any) -> bool:
    """Whether ``transform`` has an exact whole-batch form (``_batch``).

    Only the exact classes qualify: a subclass may have changed ``__call__``.
    """
    if type(transform) is Compose:
        return all(_can_batch(t) for t in transform.transforms)
    return type(transform) in (ToTensor, Normalize)


def _pair(value: int | Sequence[int], name: str) -> tuple[int, int]:
    if isinstance(value, numbers.Integral):
        return int(value), int(value)
    if isinstance(value, Sequence) and len(value) == 1:
        return int(value[0]), int(value[0])
    if isinstance(value, Sequence) and len(value) == 2:
        return int(value[0]), int(value[1])
    raise ValueError(f"Please provide only two dimensions (h, w) for {name}, got {value!r}")


def _ltrb(padding: int | Sequence[int]) -> tuple[int, int, int, int]:
    """Padding as (left, top, right, bottom), torchvision's conventions."""
    if isinstance(padding, numbers.Integral):
        pads = (int(padding),) * 4
    elif isinstance(padding, Sequence) and len(padding) in (1, 2, 4):
        if len(padding) == 1:
            pads = (int(padding[0]),) * 4
        elif len(padding) == 2:
            pads = (int(padding[0]), int(padding[1])) * 2
        else:
            pads = tuple(int(p) for p in padding)
    else:
        raise ValueError("Padding must be an int or a 1, 2, or 4 element sequence, "
                         f"got {padding!r}")
    if min(pads) < 0:
        raise ValueError(f"Padding must be non-negative, got {padding!r}")
    return pads


def _hw(img: Image) -> tuple[int, int]:
    """(height, width) of an image (H, W[, C]) or a tensor image (..., H, W)."""
    if isinstance(img, np.ndarray):
        return img.shape[0], img.shape[1]
    return img.shape[-2], img.shape[-1]


def _pad(img: Image, ltrb: tuple[int, int, int, int], fill: float, mode: str) -> Image:
    """Pad the H and W axes of ``img`` by (left, top, right, bottom)."""
    left, top, right, bottom = ltrb
    hw_pad = [(top, bottom), (left, right)]
    kwargs = {"constant_values": fill} if mode == "constant" else {}
    if isinstance(img, np.ndarray):
        widths = hw_pad + [(0, 0)] * (img.ndim - 2)
        return np.pad(img, widths, mode=mode, **kwargs)
    arr = img._data
    xp = _backend.get_array_module(arr)
    widths = [(0, 0)] * (arr.ndim - 2) + hw_pad
    return minitorch.Tensor._wrap(xp.pad(arr, widths, mode=mode, **kwargs))
