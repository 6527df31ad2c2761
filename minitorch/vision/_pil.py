"""Pillow, imported on first use: ``minitorch.vision`` needs it for PIL images (the
``[vision]`` extra), ``import minitorch`` never does."""

from __future__ import annotations

from types import ModuleType
from typing import Any

_INSTALL = "pip install 'minitorch[vision]' (or pip install pillow)"


def image_module() -> ModuleType:
    """``PIL.Image``; ImportError saying how to install Pillow when it is absent."""
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError(f"minitorch.vision needs Pillow for PIL images: {_INSTALL}") from e
    return Image


def is_pil_image(obj: Any) -> bool:
    """Whether ``obj`` is a PIL image (False, without importing Pillow, when it was never
    imported: then no PIL image can exist)."""
    import sys

    image = sys.modules.get("PIL.Image")
    return image is not None and isinstance(obj, image.Image)
