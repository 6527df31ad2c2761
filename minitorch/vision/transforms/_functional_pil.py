"""The transforms on PIL images, through Pillow's own operations (torchvision's choices)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minitorch.vision import _pil

PIL_INTERPOLATION = {"nearest": 0, "nearest-exact": 0, "bilinear": 2, "bicubic": 3, "box": 4,
                     "hamming": 5, "lanczos": 1}


def check_pil(img: Any) -> None:
    if not _pil.is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


def get_dimensions(img: Any) -> list[int]:
    """``[channels, height, width]``."""
    check_pil(img)
    channels = len(img.getbands())
    width, height = img.size
    return [channels, height, width]


def hflip(img: Any) -> Any:
    check_pil(img)
    return img.transpose(_pil.image_module().Transpose.FLIP_LEFT_RIGHT)


def vflip(img: Any) -> Any:
    check_pil(img)
    return img.transpose(_pil.image_module().Transpose.FLIP_TOP_BOTTOM)


def crop(img: Any, top: int, left: int, height: int, width: int) -> Any:
    """Pillow's crop: the window ``(left, top, left + width, top + height)``, zeros outside."""
    check_pil(img)
    return img.crop((left, top, left + width, top + height))


def resize(img: Any, size: Sequence[int], interpolation: str = "bilinear") -> Any:
    """Pillow's ``resize`` to ``size = (h, w)`` (its filters are antialiased)."""
    check_pil(img)
    if interpolation not in PIL_INTERPOLATION:
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with PIL input")
    return img.resize((int(size[1]), int(size[0])), PIL_INTERPOLATION[interpolation])


def _fill_for(img: Any, fill: float | Sequence[float] | None) -> Any:
    """``fill`` in the form Pillow takes for ``img``'s mode (one value per band)."""
    if fill is None:
        fill = 0
    bands = len(img.getbands())
    if isinstance(fill, (int, float)) and bands > 1:
        fill = tuple([fill] * bands)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * bands
        if len(fill) != bands:
            raise ValueError("The number of elements in 'fill' does not match the number of "
                             f"bands of the image ({len(fill)} != {bands})")
        fill = tuple(int(f) if img.mode != "F" else float(f) for f in fill)
        return fill[0] if bands == 1 else fill
    return int(fill) if img.mode != "F" else float(fill)


def pad(img: Any, padding: Sequence[int], fill: float | Sequence[float] = 0,
        padding_mode: str = "constant") -> Any:
    """Pad by ``(left, top, right, bottom)``: Pillow's canvas for ``constant``, NumPy's
    ``pad`` (``edge``/``reflect``/``symmetric``) on the pixel array otherwise."""
    check_pil(img)
    image_module = _pil.image_module()
    left, top, right, bottom = padding
    if padding_mode == "constant":
        width, height = img.size
        out = image_module.new(img.mode, (width + left + right, height + top + bottom),
                               _fill_for(img, fill))
        if img.mode == "P":
            out.putpalette(img.getpalette())
        out.paste(img, (left, top))
        return out
    arr = np.asarray(img)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (arr.ndim - 2)
    out = image_module.fromarray(np.pad(arr, widths, mode=padding_mode))
    if img.mode == "P":
        out.putpalette(img.getpalette())
    return out


def rotate(img: Any, angle: float, interpolation: str = "nearest", expand: bool = False,
           center: Sequence[float] | None = None,
           fill: float | Sequence[float] | None = None) -> Any:
    """Pillow's ``rotate`` (counter-clockwise, about ``center``, ``fillcolor=fill``)."""
    check_pil(img)
    if interpolation not in ("nearest", "bilinear", "bicubic"):
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with PIL input")
    return img.rotate(angle, PIL_INTERPOLATION[interpolation], expand, center,
                      fillcolor=_fill_for(img, fill))


def to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    """Pillow's ``convert("L")`` (ITU-R 601-2 luma, ``L = (299 R + 587 G + 114 B) / 1000``),
    repeated into RGB for ``num_output_channels=3``."""
    check_pil(img)
    gray = img.convert("L")
    if num_output_channels == 1:
        return gray
    if num_output_channels == 3:
        return _pil.image_module().merge("RGB", [gray, gray, gray])
    raise ValueError("num_output_channels should be either 1 or 3")


def _enhance(img: Any, name: str, factor: float, what: str) -> Any:
    from PIL import ImageEnhance

    if factor < 0:
        raise ValueError(f"{what} ({factor}) is not non-negative.")
    check_pil(img)
    return getattr(ImageEnhance, name)(img).enhance(factor)


def adjust_brightness(img: Any, brightness_factor: float) -> Any:
    return _enhance(img, "Brightness", brightness_factor, "brightness_factor")


def adjust_contrast(img: Any, contrast_factor: float) -> Any:
    return _enhance(img, "Contrast", contrast_factor, "contrast_factor")


def adjust_saturation(img: Any, saturation_factor: float) -> Any:
    return _enhance(img, "Color", saturation_factor, "saturation_factor")


def adjust_hue(img: Any, hue_factor: float) -> Any:
    """Pillow's HSV: the H band (0..255 for a full turn) is shifted by
    ``int(hue_factor * 255)`` modulo 256; modes without colour are returned unchanged."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    check_pil(img)
    image_module = _pil.image_module()
    if img.mode in {"L", "1", "I", "F"}:
        return img
    h, s, v = img.convert("HSV").split()
    shift = int(hue_factor * 255) % 256  # as NumPy's float -> uint8 cast wraps
    np_h = (np.asarray(h, dtype=np.uint16) + shift) % 256
    h = image_module.fromarray(np_h.astype(np.uint8))
    return image_module.merge("HSV", (h, s, v)).convert(img.mode)
