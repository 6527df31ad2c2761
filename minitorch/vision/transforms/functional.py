"""``transforms.functional``: torchvision's functional transforms on PIL images and tensors.

Each function takes a PIL image (handled by Pillow's own operations, as torchvision does)
or a tensor image ``(..., C, H, W)`` (handled in minitorch tensor operations) and returns
the same kind. ``crop``, ``pad``, ``hflip`` and ``vflip`` also take NumPy arrays
``(H, W[, C])`` (minitorch's MNIST gave arrays before it gave PIL images).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from enum import Enum
from typing import Any

import numpy as np

import minitorch
from minitorch import Tensor
from minitorch.vision import _pil
from minitorch.vision.transforms import _functional_pil as F_pil
from minitorch.vision.transforms import _functional_tensor as F_t

__all__ = ["InterpolationMode", "adjust_brightness", "adjust_contrast", "adjust_hue",
           "adjust_saturation", "center_crop", "convert_image_dtype", "crop", "gaussian_blur",
           "get_dimensions", "get_image_num_channels", "get_image_size", "hflip", "normalize",
           "pad", "pil_to_tensor", "resize", "resized_crop", "rgb_to_grayscale", "rotate",
           "to_grayscale", "to_pil_image", "to_tensor", "vflip"]


class InterpolationMode(Enum):
    """Resampling filters, torchvision's names (the value is the filter's name)."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_FROM_PIL_INT = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
                 3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX,
                 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}


def _interpolation(mode: Any) -> str:
    """An ``InterpolationMode`` (or Pillow's integer constant) as its name."""
    if isinstance(mode, numbers.Integral) and int(mode) in _FROM_PIL_INT:
        return _FROM_PIL_INT[int(mode)].value
    if not isinstance(mode, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode or a "
                        f"corresponding Pillow integer constant, got {mode!r}")
    return mode.value


def _is_tensor(img: Any) -> bool:
    return isinstance(img, Tensor)


def _kind(img: Any, name: str) -> str:
    """``"tensor"``, ``"pil"`` or ``"array"``; TypeError for anything else."""
    if isinstance(img, Tensor):
        return "tensor"
    if _pil.is_pil_image(img):
        return "pil"
    if isinstance(img, np.ndarray) and name in ("crop", "pad", "hflip", "vflip", "dims"):
        return "array"
    raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


# ----------------------------------------------------------------------- conversions


def to_tensor(pic: Any) -> Tensor:
    r"""A PIL image or an ``(H, W[, C])`` array as a ``(C, H, W)`` tensor.

    8-bit images become float32 :math:`p / 255` in [0, 1]; Pillow's modes ``I``, ``I;16``
    and ``F`` keep their values (int32, int16, float32), as do arrays of other dtypes;
    mode ``1`` becomes 0 or 1.
    """
    if _pil.is_pil_image(pic):
        modes = {"I": np.int32, "I;16": np.int16, "F": np.float32}
        arr = np.array(pic, dtype=modes.get(pic.mode, np.uint8), copy=True)
        if pic.mode == "1":
            arr = arr * np.uint8(255)
        arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic if pic.ndim == 3 else pic[:, :, None]
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    return minitorch.from_numpy(to_chw_array(arr[None])[0])


def to_chw_array(images: np.ndarray) -> np.ndarray:
    """``to_tensor`` on a NumPy stack: ``(B, H, W[, C])`` to ``(B, C, H, W)``.

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


def pil_to_tensor(pic: Any) -> Tensor:
    """A PIL image as a ``(C, H, W)`` tensor of its own dtype, values unscaled."""
    if not _pil.is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    arr = np.array(pic, copy=True)
    arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    return minitorch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def _float_to_byte(arr: np.ndarray) -> np.ndarray:
    """``tensor.mul(255).byte()``: truncate toward zero, wrap modulo 256 (PyTorch's cast)."""
    with np.errstate(invalid="ignore"):
        scaled = np.trunc(arr * arr.dtype.type(255))
    scaled = np.nan_to_num(scaled, nan=0.0, posinf=0.0, neginf=0.0)
    return np.mod(scaled, 256).astype(np.uint8)


def to_pil_image(pic: Any, mode: str | None = None) -> Any:
    """A ``(C, H, W)`` tensor or ``(H, W, C)`` array as a PIL image.

    Float tensors are scaled by 255 and truncated to uint8 (``pic.mul(255).byte()``)
    unless ``mode="F"``. The mode follows from channels and dtype when not given: 1
    channel ``L`` (uint8), ``I;16`` (uint16), ``I`` (int32) or ``F`` (float32); 2 ``LA``;
    3 ``RGB``; 4 ``RGBA``.
    """
    image_module = _pil.image_module()
    if isinstance(pic, Tensor):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        if pic.ndim == 2:
            pic = pic.unsqueeze(0)
        if pic.shape[-3] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-3]} channels.")
        arr = pic.detach().cpu().numpy()
        if pic.is_floating_point() and mode != "F":
            arr = _float_to_byte(arr)
        npimg = np.transpose(arr, (1, 2, 0))
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        npimg = pic[:, :, None] if pic.ndim == 2 else pic
        if npimg.shape[-1] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {npimg.shape[-1]} channels.")
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    channels = npimg.shape[2]
    if channels == 1:
        npimg = npimg[:, :, 0]
        expected = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16",
                    np.dtype(np.uint16): "I;16", np.dtype(np.int32): "I",
                    np.dtype(np.float32): "F"}.get(npimg.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {npimg.dtype}. "
                             f"Should be {expected}")
        mode = expected
    else:
        permitted = {2: ["LA"], 3: ["RGB", "YCbCr", "HSV"], 4: ["RGBA", "CMYK", "RGBX"]}[channels]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for {channels}D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = permitted[0]
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    npimg = np.ascontiguousarray(npimg)
    height, width = npimg.shape[:2]
    if mode == "I;16":
        return image_module.frombytes(mode, (width, height), npimg.astype("<u2").tobytes())
    if mode in ("I", "F"):
        return image_module.fromarray(npimg.astype("=i4" if mode == "I" else "=f4"))
    return image_module.frombytes(mode, (width, height), npimg.astype(np.uint8).tobytes())


def convert_image_dtype(image: Tensor, dtype: minitorch.dtype = minitorch.float32) -> Tensor:
    """See :func:`_functional_tensor.convert_image_dtype`."""
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    return F_t.convert_image_dtype(image, dtype)


def normalize(tensor: Tensor, mean: Sequence[float], std: Sequence[float],
              inplace: bool = False) -> Tensor:
    r"""Per channel :math:`(x_c - \mathrm{mean}_c) / \mathrm{std}_c` of a float tensor
    ``(..., C, H, W)``; differentiable."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). "
                         f"Got tensor.size() = {tuple(tensor.shape)}")
    np_dtype = tensor.dtype.np
    std_a = np.asarray(std, dtype=np_dtype)
    if (std_a == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, "
                         "leading to division by zero.")
    mean_a = np.asarray(mean, dtype=np_dtype)
    mean_t = minitorch.from_numpy(mean_a.reshape(-1, 1, 1) if mean_a.ndim == 1 else mean_a)
    std_t = minitorch.from_numpy(std_a.reshape(-1, 1, 1) if std_a.ndim == 1 else std_a)
    mean_t, std_t = mean_t.to(tensor.device), std_t.to(tensor.device)
    if inplace:
        return tensor.sub_(mean_t).div_(std_t)
    return (tensor - mean_t) / std_t


# ------------------------------------------------------------------------ geometry


def get_dimensions(img: Any) -> list[int]:
    """``[channels, height, width]`` of a PIL image or a tensor image."""
    kind = _kind(img, "dims")
    if kind == "tensor":
        return F_t.get_dimensions(img)
    if kind == "pil":
        return F_pil.get_dimensions(img)
    return [1 if img.ndim == 2 else img.shape[2], img.shape[0], img.shape[1]]


def get_image_size(img: Any) -> list[int]:
    """``[width, height]``."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img: Any) -> int:
    return get_dimensions(img)[0]


def hflip(img: Any) -> Any:
    """Mirror left-right."""
    kind = _kind(img, "hflip")
    if kind == "array":
        return np.ascontiguousarray(img[:, ::-1])
    return F_t.hflip(img) if kind == "tensor" else F_pil.hflip(img)


def vflip(img: Any) -> Any:
    """Mirror top-bottom."""
    kind = _kind(img, "vflip")
    if kind == "array":
        return np.ascontiguousarray(img[::-1])
    return F_t.vflip(img) if kind == "tensor" else F_pil.vflip(img)


def crop(img: Any, top: int, left: int, height: int, width: int) -> Any:
    """The ``height x width`` window whose top-left pixel is ``(top, left)``; parts outside
    the image are zeros."""
    kind = _kind(img, "crop")
    if kind == "tensor":
        return F_t.crop(img, top, left, height, width)
    if kind == "pil":
        return F_pil.crop(img, top, left, height, width)
    h, w = img.shape[:2]
    if top < 0 or left < 0 or top + height > h or left + width > w:
        ltrb = (max(-left, 0), max(-top, 0), max(left + width - w, 0), max(top + height - h, 0))
        img = pad(img, list(ltrb))
        top, left = top + ltrb[1], left + ltrb[0]
    return img[top:top + height, left:left + width]


def parse_padding(padding: Any) -> list[int]:
    """``padding`` (int, or 1, 2 or 4 ints) as ``[left, top, right, bottom]``."""
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if isinstance(padding, numbers.Number):
        return [int(padding)] * 4
    if len(padding) not in (1, 2, 4):
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if len(padding) == 1:
        return [int(padding[0])] * 4
    if len(padding) == 2:
        return [int(padding[0]), int(padding[1])] * 2
    return [int(p) for p in padding]


def check_padding_mode(padding_mode: str) -> None:
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric, "
                         f"got {padding_mode!r}")


def pad(img: Any, padding: int | Sequence[int], fill: float | Sequence[float] = 0,
        padding_mode: str = "constant") -> Any:
    """Pad the borders by ``padding``: an int (all sides), ``(left/right, top/bottom)`` or
    ``(left, top, right, bottom)``; negative amounts crop.

    ``padding_mode``: ``constant`` (``fill``), ``edge`` (repeat the border pixel),
    ``reflect`` (``2 1 | 0 1 2``) or ``symmetric`` (``1 0 | 0 1 2``).
    """
    kind = _kind(img, "pad")
    ltrb = parse_padding(padding)
    check_padding_mode(padding_mode)
    if fill is None:
        fill = 0
    if min(ltrb) < 0:
        _, h, w = get_dimensions(img)
        cut = [max(-p, 0) for p in ltrb]
        img = crop(img, cut[1], cut[0], h - cut[1] - cut[3], w - cut[0] - cut[2])
        ltrb = [max(p, 0) for p in ltrb]
    if kind == "tensor":
        if not isinstance(fill, (int, float)):
            raise TypeError("Got inappropriate fill arg: a tensor image is padded with one "
                            f"number, got {fill!r}")
        return F_t.pad(img, ltrb, fill, padding_mode)
    if kind == "pil":
        return F_pil.pad(img, ltrb, fill, padding_mode)
    left, top, right, bottom = ltrb
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (img.ndim - 2)
    kwargs = {"constant_values": fill} if padding_mode == "constant" else {}
    return np.pad(img, widths, mode=padding_mode, **kwargs)


def _size_list(size: Any) -> list[int]:
    if isinstance(size, numbers.Integral):
        return [int(size)]
    if not isinstance(size, (list, tuple)):
        raise TypeError(f"Size should be int or sequence. Got {type(size)}")
    if len(size) not in (1, 2):
        raise ValueError("Size must be an int or a 1 or 2 element tuple/list, not a "
                         f"{len(size)} element tuple/list")
    return [int(s) for s in size]


def compute_resized_output_size(image_size: tuple[int, int], size: list[int],
                                max_size: int | None = None) -> list[int]:
    """``[new_h, new_w]``: one number matches the *shorter* side, the longer one keeps the
    aspect ratio (``int(size * long / short)``, then capped at ``max_size``); two numbers
    are ``(h, w)``."""
    h, w = image_size
    if len(size) == 2:
        if max_size is not None:
            raise ValueError("max_size should only be passed if size specifies the length of "
                             "the smaller edge, i.e. size should be an int or a sequence of "
                             "length 1 in torchscript mode.")
        return [size[0], size[1]]
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size[0], int(size[0] * long / short)
    if max_size is not None:
        if max_size <= size[0]:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the "
                             f"requested size for the smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    return [new_h, new_w]


def resize(img: Any, size: int | Sequence[int],
           interpolation: InterpolationMode = InterpolationMode.BILINEAR,
           max_size: int | None = None, antialias: bool | None = True) -> Any:
    """Resize to ``size`` (see :func:`compute_resized_output_size`).

    PIL images go through Pillow's ``resize`` (always antialiased); tensors through
    separable filter matrices (``antialias`` for bilinear/bicubic, as PyTorch's
    ``interpolate``). An image already of the output size is returned as it is.
    """
    mode = _interpolation(interpolation)
    kind = _kind(img, "resize")
    _, h, w = get_dimensions(img)
    output_size = compute_resized_output_size((h, w), _size_list(size), max_size)
    if [h, w] == output_size:
        return img
    if kind == "pil":
        return F_pil.resize(img, output_size, mode)
    return F_t.resize(img, output_size, mode, antialias)


def center_crop(img: Any, output_size: int | Sequence[int]) -> Any:
    """The central ``output_size`` window (top-left at ``round((H - h) / 2)``,
    ``round((W - w) / 2)``); an image smaller than the window is zero-padded first
    (``(d // 2, (d + 1) // 2)`` per side)."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = output_size
    if crop_width > image_width or crop_height > image_height:
        dw, dh = max(crop_width - image_width, 0), max(crop_height - image_height, 0)
        img = pad(img, [dw // 2, dh // 2, (dw + 1) // 2, (dh + 1) // 2], fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = round((image_height - crop_height) / 2.0)
    crop_left = round((image_width - crop_width) / 2.0)
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def resized_crop(img: Any, top: int, left: int, height: int, width: int,
                 size: int | Sequence[int],
                 interpolation: InterpolationMode = InterpolationMode.BILINEAR,
                 antialias: bool | None = True) -> Any:
    """:func:`crop`, then :func:`resize` to ``size``."""
    return resize(crop(img, top, left, height, width), size, interpolation,
                  antialias=antialias)


def rotate(img: Any, angle: float, interpolation: InterpolationMode = InterpolationMode.NEAREST,
           expand: bool = False, center: Sequence[int] | None = None,
           fill: float | Sequence[float] | None = None) -> Any:
    """Rotate by ``angle`` degrees counter-clockwise about ``center`` (default: the image
    centre); ``expand`` enlarges the output to hold the whole rotated image; pixels from
    outside get ``fill``."""
    mode = _interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    if _kind(img, "rotate") == "pil":
        return F_pil.rotate(img, angle, mode, expand, center, fill)
    return F_t.rotate(img, float(angle), mode, expand, center, fill)


# -------------------------------------------------------------------------- colour


def _dispatch(name: str, img: Any, *args: Any) -> Any:
    module = F_t if _kind(img, name) == "tensor" else F_pil
    return getattr(module, name)(img, *args)


def adjust_brightness(img: Any, brightness_factor: float) -> Any:
    """Blend with black by ``brightness_factor`` (0: black, 1: the original)."""
    return _dispatch("adjust_brightness", img, brightness_factor)


def adjust_contrast(img: Any, contrast_factor: float) -> Any:
    """Blend with the image's mean grey level (0: flat grey, 1: the original)."""
    return _dispatch("adjust_contrast", img, contrast_factor)


def adjust_saturation(img: Any, saturation_factor: float) -> Any:
    """Blend with the grayscale image (0: grey, 1: the original, 2: doubly saturated)."""
    return _dispatch("adjust_saturation", img, saturation_factor)


def adjust_hue(img: Any, hue_factor: float) -> Any:
    """Rotate the hue by ``hue_factor`` turns, in [-0.5, 0.5]."""
    return _dispatch("adjust_hue", img, hue_factor)


def rgb_to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    """Grayscale, 1 or 3 (repeated) channels: Pillow's ``convert("L")`` for PIL images,
    ``0.2989 R + 0.587 G + 0.114 B`` for tensors."""
    if _kind(img, "rgb_to_grayscale") == "pil":
        return F_pil.to_grayscale(img, num_output_channels)
    return F_t.rgb_to_grayscale(img, num_output_channels)


def to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    """:func:`rgb_to_grayscale` for PIL images only (torchvision's older name)."""
    if not _pil.is_pil_image(img):
        raise TypeError(f"Input should be PIL Image. Got {type(img)}")
    return F_pil.to_grayscale(img, num_output_channels)


def gaussian_blur(img: Any, kernel_size: int | Sequence[int],
                  sigma: float | Sequence[float] | None = None) -> Any:
    """Blur with a Gaussian kernel ``kernel_size = (kx, ky)`` (odd, positive), standard
    deviation ``sigma = (sx, sy)`` (default ``0.3 ((k - 1) / 2 - 1) + 0.8``), borders
    reflected. A PIL image is blurred as its uint8 tensor and converted back."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(f"kernel_size should be int or a sequence of integers. "
                        f"Got {type(kernel_size)}")
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError("If kernel_size is a sequence its length should be 2. "
                         f"Got {len(kernel_size)}")
    for k in kernel_size:
        if k % 2 == 0 or k < 0:
            raise ValueError(f"kernel_size should have odd and positive integers. Got "
                             f"{kernel_size}")
    if sigma is None:
        sigma = [k * 0.15 + 0.35 for k in kernel_size]
    if not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    if len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    for s in sigma:
        if s <= 0.0:
            raise ValueError(f"sigma should have positive values. Got {sigma}")
    kind = _kind(img, "gaussian_blur")
    t_img = img if kind == "tensor" else pil_to_tensor(img)
    out = F_t.gaussian_blur(t_img, list(kernel_size), [float(s) for s in sigma])
    return out if kind == "tensor" else to_pil_image(out, mode=img.mode)
