"""Image transforms with torchvision's names, arguments, defaults, semantics and reprs.

Images come in two layouts, as in torchvision:

* a PIL image (Pillow, the ``[vision]`` extra), as the data sets return them;
* a *tensor image*: a minitorch tensor ``(..., C, H, W)``.

``ToTensor`` turns the first into the second, ``ToPILImage`` back. Every geometric and
colour transform takes either and returns the same kind (see ``functional``). Random
transforms draw from minitorch's default generator, so ``minitorch.manual_seed(s)`` makes
a pipeline reproducible (the draws are made as torchvision makes them, in the same order,
but from minitorch's generator, so the numbers differ from PyTorch's).

A typical CIFAR-10 pipeline::

    transform = Compose([RandomCrop(32, padding=4), RandomHorizontalFlip(), ToTensor(),
                         Normalize((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))])
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import minitorch
from minitorch.vision.transforms import functional as F
from minitorch.vision.transforms.functional import InterpolationMode, to_chw_array

__all__ = [
    "CenterCrop",
    "ColorJitter",
    "Compose",
    "ConvertImageDtype",
    "GaussianBlur",
    "Grayscale",
    "Lambda",
    "Normalize",
    "PILToTensor",
    "Pad",
    "RandomApply",
    "RandomChoice",
    "RandomCrop",
    "RandomGrayscale",
    "RandomHorizontalFlip",
    "RandomOrder",
    "RandomResizedCrop",
    "RandomRotation",
    "RandomVerticalFlip",
    "Resize",
    "ToPILImage",
    "ToTensor",
]

Image = Any  # a PIL image, or a minitorch tensor (..., C, H, W)


def _uniform(low: float, high: float) -> float:
    """One draw from U(low, high) off minitorch's generator (``empty(1).uniform_``)."""
    return float(minitorch.empty(1).uniform_(low, high).item())


def _coin(p: float) -> bool:
    """``torch.rand(1) < p``."""
    return bool(minitorch.rand(1).item() < p)


def _setup_size(size: Any, error_msg: str) -> tuple[int, int]:
    """An int or a 1/2-sequence as ``(h, w)``."""
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return int(size[0]), int(size[0])
    if not isinstance(size, Sequence) or len(size) != 2:
        raise ValueError(error_msg)
    return int(size[0]), int(size[1])


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
    r"""A PIL image or an ``(H, W[, C])`` NumPy array as a ``(C, H, W)`` tensor.

    8-bit images are scaled into [0, 1] as float32, :math:`x = p / 255`; Pillow's 32-bit
    and 16-bit modes and arrays of other dtypes keep their values and dtype (torchvision's
    rules, :func:`functional.to_tensor`).
    """

    def __call__(self, pic: Any) -> minitorch.Tensor:
        return F.to_tensor(pic)

    def _batch(self, images: np.ndarray) -> minitorch.Tensor:
        """``images`` ``(B, H, W)`` or ``(B, H, W, C)`` (uint8) to one ``(B, C, H, W)`` tensor.

        Equal, image by image, to ``stack([self(img) for img in images])``: the hook
        ``VisionDataset._gather_batch`` uses to build whole batches without a Python loop.
        """
        return minitorch.from_numpy(to_chw_array(images))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class PILToTensor:
    """A PIL image as a ``(C, H, W)`` tensor of its own dtype (uint8 for 8-bit modes),
    values unscaled."""

    def __call__(self, pic: Any) -> minitorch.Tensor:
        return F.pil_to_tensor(pic)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ToPILImage:
    """A tensor ``(C, H, W)`` or an array ``(H, W, C)`` as a PIL image of ``mode`` (inferred
    from channels and dtype when None); see :func:`functional.to_pil_image`."""

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode

    def __call__(self, pic: Any) -> Any:
        return F.to_pil_image(pic, self.mode)

    def __repr__(self) -> str:
        inner = f"mode={self.mode}" if self.mode is not None else ""
        return f"{type(self).__name__}({inner})"


class ConvertImageDtype:
    """Convert a tensor image to ``dtype``, rescaling intensities
    (:func:`functional.convert_image_dtype`)."""

    def __init__(self, dtype: minitorch.dtype) -> None:
        self.dtype = dtype

    def __call__(self, image: minitorch.Tensor) -> minitorch.Tensor:
        return F.convert_image_dtype(image, self.dtype)

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
        return F.normalize(tensor, self.mean, self.std, self.inplace)

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


# ------------------------------------------------------------------------ geometry


class Resize:
    """Resize to ``size``: an int matches the shorter side (aspect ratio kept), ``(h, w)``
    is the exact size. PIL images are resized by Pillow (antialiased), tensors as PyTorch's
    ``interpolate`` with ``antialias`` (see :func:`functional.resize`)."""

    def __init__(self, size: int | Sequence[int],
                 interpolation: InterpolationMode = InterpolationMode.BILINEAR,
                 max_size: int | None = None, antialias: bool | None = True) -> None:
        if not isinstance(size, (int, Sequence)):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        F._interpolation(interpolation)
        self.size = size
        self.max_size = max_size
        self.interpolation = interpolation
        self.antialias = antialias

    def __call__(self, img: Image) -> Image:
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self) -> str:
        mode = getattr(self.interpolation, "value", self.interpolation)
        return (f"{type(self).__name__}(size={self.size}, interpolation={mode}, "
                f"max_size={self.max_size}, antialias={self.antialias})")


class CenterCrop:
    """Crop the centre ``size`` window, zero-padding an image smaller than it."""

    def __init__(self, size: int | Sequence[int]) -> None:
        self.size = _setup_size(size, "Please provide only two dimensions (h, w) for size.")

    def __call__(self, img: Image) -> Image:
        return F.center_crop(img, self.size)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size})"


class Pad:
    """Pad the borders (see :func:`functional.pad` for ``padding`` and ``padding_mode``)."""

    def __init__(self, padding: int | Sequence[int], fill: float | Sequence[float] = 0,
                 padding_mode: str = "constant") -> None:
        F.parse_padding(padding)
        if not isinstance(fill, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate fill arg")
        F.check_padding_mode(padding_mode)
        self.padding = padding
        self.fill = fill
        self.padding_mode = padding_mode

    def __call__(self, img: Image) -> Image:
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(padding={self.padding}, fill={self.fill}, "
                f"padding_mode={self.padding_mode})")


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
        Pad an image narrower (shorter) than ``size`` by the difference on *both* sides,
        as torchvision does (instead of raising ValueError).
    fill
        The value of padded pixels when ``padding_mode="constant"``.
    padding_mode
        ``"constant"``, ``"edge"``, ``"reflect"`` or ``"symmetric"``.

    The top-left corner is drawn uniformly: ``i`` from ``0..H-h``, ``j`` from ``0..W-w``.
    """

    def __init__(self, size: int | Sequence[int], padding: int | Sequence[int] | None = None,
                 pad_if_needed: bool = False, fill: float | Sequence[float] = 0,
                 padding_mode: str = "constant") -> None:
        self.size = _setup_size(size, "Please provide only two dimensions (h, w) for size.")
        if padding is not None:
            F.parse_padding(padding)
        F.check_padding_mode(padding_mode)
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    @staticmethod
    def get_params(img: Image, output_size: tuple[int, int]) -> tuple[int, int, int, int]:
        """A random crop ``(i, j, h, w)`` of ``output_size`` within ``img``."""
        _, height, width = F.get_dimensions(img)
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
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        return F.crop(img, i, j, h, w)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class RandomResizedCrop:
    r"""Crop a random area and aspect ratio, then resize it to ``size``.

    Up to 10 tries: area fraction :math:`s \sim U(\mathrm{scale})`, aspect ratio
    :math:`r = e^{u}`, :math:`u \sim U(\log \mathrm{ratio})`; the window
    :math:`w = \mathrm{round}(\sqrt{s A r})`, :math:`h = \mathrm{round}(\sqrt{s A / r})`
    is taken, at a uniform position, if it fits. Otherwise a central crop of the whole
    image with the ratio clamped into ``ratio``.
    """

    def __init__(self, size: int | Sequence[int], scale: tuple[float, float] = (0.08, 1.0),
                 ratio: tuple[float, float] = (3.0 / 4.0, 4.0 / 3.0),
                 interpolation: InterpolationMode = InterpolationMode.BILINEAR,
                 antialias: bool | None = True) -> None:
        self.size = _setup_size(size, "Please provide only two dimensions (h, w) for size.")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        F._interpolation(interpolation)
        self.interpolation = interpolation
        self.antialias = antialias
        self.scale = scale
        self.ratio = ratio

    @staticmethod
    def get_params(img: Image, scale: Sequence[float],
                   ratio: Sequence[float]) -> tuple[int, int, int, int]:
        """``(i, j, h, w)`` of a random crop (see the class docstring)."""
        _, height, width = F.get_dimensions(img)
        area = height * width
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            target_area = area * _uniform(scale[0], scale[1])
            aspect_ratio = math.exp(_uniform(log_ratio[0], log_ratio[1]))
            w = round(math.sqrt(target_area * aspect_ratio))
            h = round(math.sqrt(target_area / aspect_ratio))
            if 0 < w <= width and 0 < h <= height:
                i = int(minitorch.randint(0, height - h + 1, size=(1,)).item())
                j = int(minitorch.randint(0, width - w + 1, size=(1,)).item())
                return i, j, h, w
        in_ratio = width / height
        if in_ratio < min(ratio):
            w = width
            h = round(w / min(ratio))
        elif in_ratio > max(ratio):
            h = height
            w = round(h * max(ratio))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def __call__(self, img: Image) -> Image:
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation,
                              antialias=self.antialias)

    def __repr__(self) -> str:
        mode = getattr(self.interpolation, "value", self.interpolation)
        return (f"{type(self).__name__}(size={self.size}, "
                f"scale={tuple(round(s, 4) for s in self.scale)}, "
                f"ratio={tuple(round(r, 4) for r in self.ratio)}, interpolation={mode}, "
                f"antialias={self.antialias})")


class RandomHorizontalFlip:
    """Mirror the image left-right with probability ``p``."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, img: Image) -> Image:
        return F.hflip(img) if _coin(self.p) else img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror the image top-bottom with probability ``p``."""

    def __call__(self, img: Image) -> Image:
        return F.vflip(img) if _coin(self.p) else img


def _setup_angle(degrees: Any, name: str) -> list[float]:
    if isinstance(degrees, numbers.Number):
        if degrees < 0:
            raise ValueError(f"If {name} is a single number, it must be positive.")
        return [-float(degrees), float(degrees)]
    if not isinstance(degrees, Sequence) or len(degrees) != 2:
        raise ValueError(f"If {name} is a sequence, it must be of len 2.")
    return [float(d) for d in degrees]


class RandomRotation:
    """Rotate by an angle drawn from ``U(degrees)`` (``U(-d, d)`` for one number ``d``),
    counter-clockwise about ``center``; see :func:`functional.rotate`."""

    def __init__(self, degrees: float | Sequence[float],
                 interpolation: InterpolationMode = InterpolationMode.NEAREST,
                 expand: bool = False, center: Sequence[int] | None = None,
                 fill: float | Sequence[float] = 0) -> None:
        F._interpolation(interpolation)
        self.degrees = _setup_angle(degrees, "degrees")
        if center is not None and (not isinstance(center, Sequence) or len(center) != 2):
            raise ValueError("If center is a sequence, it must be of len 2.")
        if fill is None:
            fill = 0
        elif not isinstance(fill, (numbers.Number, Sequence)):
            raise TypeError("Fill should be either a sequence or a number.")
        self.center = center
        self.interpolation = interpolation
        self.expand = expand
        self.fill = fill

    @staticmethod
    def get_params(degrees: Sequence[float]) -> float:
        """The random angle, from ``U(degrees[0], degrees[1])``."""
        return _uniform(float(degrees[0]), float(degrees[1]))

    def __call__(self, img: Image) -> Image:
        fill = self.fill
        channels, _, _ = F.get_dimensions(img)
        if isinstance(img, minitorch.Tensor):
            fill = ([float(fill)] * channels if isinstance(fill, numbers.Number)
                    else [float(f) for f in fill])
        angle = self.get_params(self.degrees)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, fill)

    def __repr__(self) -> str:
        mode = getattr(self.interpolation, "value", self.interpolation)
        text = f"{type(self).__name__}(degrees={self.degrees}, interpolation={mode}, " \
               f"expand={self.expand}"
        if self.center is not None:
            text += f", center={self.center}"
        if self.fill is not None:
            text += f", fill={self.fill}"
        return text + ")"


# -------------------------------------------------------------------------- colour


def _check_jitter(value: Any, name: str, center: float = 1.0,
                  bound: tuple[float, float] = (0.0, float("inf")),
                  clip_first_on_zero: bool = True) -> tuple[float, float] | None:
    """A jitter amount as its range: ``v`` means ``[center - v, center + v]`` (clipped at
    0), a pair is the range itself; None when the range is only ``center``."""
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"If {name} is a single number, it must be non negative.")
        value = [center - float(value), center + float(value)]
        if clip_first_on_zero:
            value[0] = max(value[0], 0.0)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        value = [float(value[0]), float(value[1])]
    else:
        raise TypeError(f"{name} should be a single number or a list/tuple with length 2.")
    if not bound[0] <= value[0] <= value[1] <= bound[1]:
        raise ValueError(f"{name} values should be between {bound}, but got {value}.")
    if value[0] == value[1] == center:
        return None
    return tuple(value)


class ColorJitter:
    """Randomly change brightness, contrast, saturation and hue, in a random order.

    Each amount ``v`` gives a factor drawn from ``U(max(0, 1 - v), 1 + v)`` (``hue``: a
    shift from ``U(-v, v)``, ``v <= 0.5``), or a ``(min, max)`` pair gives the range. Per
    call: a random permutation of the four adjustments (``randperm(4)``), then one factor
    per enabled adjustment in the order brightness, contrast, saturation, hue; the
    adjustments are applied in the permuted order.
    """

    def __init__(self, brightness: float | Sequence[float] = 0,
                 contrast: float | Sequence[float] = 0,
                 saturation: float | Sequence[float] = 0,
                 hue: float | Sequence[float] = 0) -> None:
        self.brightness = _check_jitter(brightness, "brightness")
        self.contrast = _check_jitter(contrast, "contrast")
        self.saturation = _check_jitter(saturation, "saturation")
        self.hue = _check_jitter(hue, "hue", center=0, bound=(-0.5, 0.5),
                                 clip_first_on_zero=False)

    @staticmethod
    def get_params(brightness: tuple[float, float] | None, contrast: tuple[float, float] | None,
                   saturation: tuple[float, float] | None, hue: tuple[float, float] | None,
                   ) -> tuple[minitorch.Tensor, float | None, float | None, float | None,
                              float | None]:
        """The order and the four factors (None where disabled)."""
        fn_idx = minitorch.randperm(4)
        b = None if brightness is None else _uniform(brightness[0], brightness[1])
        c = None if contrast is None else _uniform(contrast[0], contrast[1])
        s = None if saturation is None else _uniform(saturation[0], saturation[1])
        h = None if hue is None else _uniform(hue[0], hue[1])
        return fn_idx, b, c, s, h

    def __call__(self, img: Image) -> Image:
        fn_idx, b, c, s, h = self.get_params(self.brightness, self.contrast, self.saturation,
                                             self.hue)
        for fn_id in fn_idx.tolist():
            if fn_id == 0 and b is not None:
                img = F.adjust_brightness(img, b)
            elif fn_id == 1 and c is not None:
                img = F.adjust_contrast(img, c)
            elif fn_id == 2 and s is not None:
                img = F.adjust_saturation(img, s)
            elif fn_id == 3 and h is not None:
                img = F.adjust_hue(img, h)
        return img

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(brightness={self.brightness}, contrast={self.contrast}, "
                f"saturation={self.saturation}, hue={self.hue})")


class Grayscale:
    """Convert to grayscale with 1 or 3 (repeated) channels
    (:func:`functional.rgb_to_grayscale`)."""

    def __init__(self, num_output_channels: int = 1) -> None:
        self.num_output_channels = num_output_channels

    def __call__(self, img: Image) -> Image:
        return F.rgb_to_grayscale(img, self.num_output_channels)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(num_output_channels={self.num_output_channels})"


class RandomGrayscale:
    """Convert to grayscale, keeping the number of channels, with probability ``p``."""

    def __init__(self, p: float = 0.1) -> None:
        self.p = p

    def __call__(self, img: Image) -> Image:
        channels, _, _ = F.get_dimensions(img)
        if _coin(self.p):
            return F.rgb_to_grayscale(img, num_output_channels=channels)
        return img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class GaussianBlur:
    """Blur with a Gaussian of ``kernel_size`` and a standard deviation drawn from
    ``U(sigma)`` per call (a number: that sigma); see :func:`functional.gaussian_blur`."""

    def __init__(self, kernel_size: int | Sequence[int],
                 sigma: float | Sequence[float] = (0.1, 2.0)) -> None:
        self.kernel_size = _setup_size(kernel_size, "Kernel size should be a tuple/list of two "
                                                    "integers")
        for ks in self.kernel_size:
            if ks <= 0 or ks % 2 == 0:
                raise ValueError("Kernel size value should be an odd and positive number.")
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise ValueError("If sigma is a single number, it must be positive.")
            sigma = (sigma, sigma)
        elif isinstance(sigma, Sequence) and len(sigma) == 2:
            if not 0.0 < sigma[0] <= sigma[1]:
                raise ValueError("sigma values should be positive and of the form (min, max).")
        else:
            raise TypeError("sigma should be a single number or a list/tuple with length 2.")
        self.sigma = sigma

    @staticmethod
    def get_params(sigma_min: float, sigma_max: float) -> float:
        return _uniform(sigma_min, sigma_max)

    def __call__(self, img: Image) -> Image:
        sigma = self.get_params(self.sigma[0], self.sigma[1])
        return F.gaussian_blur(img, list(self.kernel_size), [sigma, sigma])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kernel_size={self.kernel_size}, sigma={self.sigma})"


# ------------------------------------------------------------------ random composition


class RandomApply:
    """Apply all of ``transforms`` with probability ``p``, else none."""

    def __init__(self, transforms: Sequence[Callable], p: float = 0.5) -> None:
        self.transforms = transforms
        self.p = p

    def __call__(self, img: Image) -> Image:
        if self.p < minitorch.rand(1).item():
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        body = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}(\n    p={self.p}{body}\n)"


class RandomTransforms:
    """Base class of the transforms that pick among ``transforms``."""

    def __init__(self, transforms: Sequence[Callable]) -> None:
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence")
        self.transforms = transforms

    def __repr__(self) -> str:
        body = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}({body}\n)"


class RandomChoice(RandomTransforms):
    """Apply one of ``transforms``, chosen with probabilities ``p`` (default: equal)."""

    def __init__(self, transforms: Sequence[Callable], p: Sequence[float] | None = None) -> None:
        super().__init__(transforms)
        if p is not None and not isinstance(p, Sequence):
            raise TypeError("Argument p should be a sequence")
        if p is not None and len(p) != len(transforms):
            raise ValueError(f"Length of p doesn't match the number of transforms: {len(p)} != "
                             f"{len(transforms)}")
        self.p = p

    def __call__(self, *args: Any) -> Any:
        weights = np.ones(len(self.transforms)) if self.p is None else np.asarray(self.p, float)
        cumulative = np.cumsum(weights)
        u = minitorch.rand(1, dtype=minitorch.float64).item() * cumulative[-1]
        k = min(int(np.searchsorted(cumulative, u, side="right")), len(self.transforms) - 1)
        return self.transforms[k](*args)

    def __repr__(self) -> str:
        return f"{super().__repr__()}(p={self.p})"


class RandomOrder(RandomTransforms):
    """Apply ``transforms`` in a random order (``randperm``)."""

    def __call__(self, img: Image) -> Image:
        for k in minitorch.randperm(len(self.transforms)).tolist():
            img = self.transforms[k](img)
        return img


def _can_batch(transform: Any) -> bool:
    """Whether ``transform`` has an exact whole-batch form (``_batch``).

    Only the exact classes qualify: a subclass may have changed ``__call__``.
    """
    if type(transform) is Compose:
        return all(_can_batch(t) for t in transform.transforms)
    return type(transform) in (ToTensor, Normalize)
