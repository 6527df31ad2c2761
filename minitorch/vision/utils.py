"""``minitorch.vision.utils``: ``make_grid`` and ``save_image``, torchvision's layout and values.

The grid
--------
``B`` images ``(C, H, W)`` are laid out row by row, ``xmaps = min(nrow, B)`` per row and
``ymaps = ceil(B / xmaps)`` rows, on a canvas of ``pad_value`` of size
``(C, ymaps (H + p) + p, xmaps (W + p) + p)``, ``p = padding``: image ``k`` goes to row
``k // xmaps``, column ``k % xmaps``, its top-left pixel at ``(y (H + p) + p, x (W + p) + p)``.
Single-channel images become 3 identical channels first. With ``normalize=True`` the
images are first clamped to ``value_range = (lo, hi)`` (default: the minimum and maximum of
all images, or of each image with ``scale_each``) and mapped to
:math:`(x - lo) / \\max(hi - lo, 10^{-5})`. A single image is returned without the canvas.

Both functions read the data (they are for looking at images): the grid is a new tensor,
not recorded by autograd.
"""

from __future__ import annotations

import math
import os
import pathlib
from typing import IO, Any

import numpy as np

import minitorch
from minitorch import Tensor
from minitorch.serialization import atomic_write
from minitorch.vision import _pil

__all__ = ["make_grid", "save_image"]


def _as_array(tensor: Tensor | list[Tensor]) -> np.ndarray:
    if isinstance(tensor, Tensor):
        return tensor.detach().cpu().numpy()
    if isinstance(tensor, (list, tuple)):
        for t in tensor:
            if not isinstance(t, Tensor):
                raise TypeError("tensor or list of tensors expected, got a list containing "
                                f"{type(t)}")
        return minitorch.stack(list(tensor), dim=0).detach().cpu().numpy()
    raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")


def _normalize_range(images: np.ndarray, low: float, high: float) -> np.ndarray:
    """Clamp to ``[low, high]``, then ``(x - low) / max(high - low, 1e-5)``, in the images'
    dtype (torchvision's ``norm_ip``)."""
    dtype = images.dtype.type
    out = np.clip(images, dtype(low), dtype(high))
    return (out - dtype(low)) / dtype(max(high - low, 1e-5))


def make_grid(tensor: Tensor | list[Tensor], nrow: int = 8, padding: int = 2,
              normalize: bool = False, value_range: tuple[float, float] | None = None,
              scale_each: bool = False, pad_value: float = 0.0) -> Tensor:
    """Lay a batch ``(B, C, H, W)`` (or a list of ``(C, H, W)``) out as one image grid.

    Parameters
    ----------
    tensor
        ``(B, C, H, W)``, a list of ``(C, H, W)``, one ``(C, H, W)`` or one ``(H, W)``.
    nrow
        Images per row.
    padding
        Pixels of ``pad_value`` between the images and around the grid.
    normalize
        Map values into [0, 1] (see the module docstring).
    value_range
        ``(min, max)`` for ``normalize``; default the data's own.
    scale_each
        With ``normalize``, use each image's own minimum and maximum.
    pad_value
        The value of the padding pixels.

    Returns
    -------
    Tensor
        ``(C, H_grid, W_grid)``, of the input's dtype (3 channels for 1-channel input).
    """
    images = _as_array(tensor)
    if images.ndim == 2:
        images = images[None]
    if images.ndim == 3:
        if images.shape[0] == 1:
            images = np.concatenate([images] * 3, axis=0)
        images = images[None]
    if images.ndim != 4:
        raise ValueError(f"make_grid expects images (B, C, H, W), (C, H, W) or (H, W); got "
                         f"a tensor of shape {images.shape}")
    if images.shape[1] == 1:
        images = np.concatenate([images] * 3, axis=1)
    if normalize:
        images = images.copy()
        if value_range is not None and not isinstance(value_range, (tuple, list)):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max "
                            f"are numbers, got {value_range!r}")

        def scaled(x: np.ndarray) -> np.ndarray:
            if value_range is not None:
                return _normalize_range(x, float(value_range[0]), float(value_range[1]))
            return _normalize_range(x, float(x.min()), float(x.max()))

        images = (np.stack([scaled(x) for x in images]) if scale_each else scaled(images))
        images = images.astype(_as_array(tensor).dtype, copy=False)
    device = tensor.device if isinstance(tensor, Tensor) else tensor[0].device
    if images.shape[0] == 1:
        return minitorch.from_numpy(np.ascontiguousarray(images[0])).to(device)
    nmaps = images.shape[0]
    xmaps = min(nrow, nmaps)
    ymaps = math.ceil(float(nmaps) / xmaps)
    height, width = int(images.shape[2] + padding), int(images.shape[3] + padding)
    grid = np.full((images.shape[1], height * ymaps + padding, width * xmaps + padding),
                   pad_value, dtype=images.dtype)
    for k in range(nmaps):
        y, x = divmod(k, xmaps)
        top, left = y * height + padding, x * width + padding
        grid[:, top:top + height - padding, left:left + width - padding] = images[k]
    return minitorch.from_numpy(grid).to(device)


def save_image(tensor: Tensor | list[Tensor], fp: str | os.PathLike | IO[bytes],
               format: str | None = None, **kwargs: Any) -> None:
    """Save a tensor (or a batch, as :func:`make_grid` lays it out) as an image file.

    Values in [0, 1] become bytes :math:`\\lfloor \\mathrm{clamp}(255 x + 0.5, 0, 255)
    \\rfloor`. ``format`` defaults to the one the file name's extension names; the file is
    written atomically (complete or not at all). ``kwargs`` go to :func:`make_grid`.

    Raises
    ------
    ValueError
        If no format is given and the extension names none Pillow knows.
    """
    image_module = _pil.image_module()
    grid = make_grid(tensor, **kwargs).cpu().numpy()
    if not np.issubdtype(grid.dtype, np.floating):
        grid = grid.astype(np.float32)
    one = grid.dtype.type
    scaled = np.clip(grid * one(255) + one(0.5), 0, 255)
    ndarr = np.ascontiguousarray(scaled.transpose(1, 2, 0)).astype(np.uint8)
    image = image_module.fromarray(ndarr[:, :, 0] if ndarr.shape[2] == 1 else ndarr)
    if isinstance(fp, (str, os.PathLike)):
        path = pathlib.Path(fp)
        if format is None:
            ext = path.suffix.lower()
            format = image_module.registered_extensions().get(ext)
            if format is None:
                raise ValueError(f"unknown file extension: {ext!r} (pass format=, e.g. 'PNG')")
        atomic_write(path, lambda fh: image.save(fh, format=format))
    else:
        image.save(fp, format=format)
