"""The transforms on tensor images ``(..., C, H, W)``, torchvision's definitions.

Written in minitorch tensor operations, so the colour adjustments, crops, flips, pads,
resizes and blurs of float images are differentiable (as in torchvision); ``rotate``
samples on NumPy arrays and is not recorded by autograd.

Integer images follow torchvision's conventions: a colour blend is computed in floats,
clamped to ``[0, max]`` and cast back *truncating* (``_blend``); a resize or a blur is
computed in float32 and *rounded* back (``_cast_squeeze_out``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

import minitorch
import minitorch.nn.functional as NF
from minitorch import Tensor

_INT_MAX = {"uint8": 255, "int8": 127, "int16": 32767, "uint16": 65535,
            "int32": 2147483647, "int64": 9223372036854775807}


def _dtype_name(dtype: minitorch.dtype) -> str:
    return str(dtype).removeprefix("minitorch.").removeprefix("torch.")


def max_value(dtype: minitorch.dtype) -> int:
    """The value of full intensity: 1 for floats, the largest value for integers."""
    return _INT_MAX.get(_dtype_name(dtype), 1)


def _is_float(dtype: minitorch.dtype) -> bool:
    return minitorch.empty(0, dtype=dtype).is_floating_point()


def check_image(img: Tensor) -> None:
    if img.ndim < 2:
        raise TypeError(f"Tensor is not a torch image: it has {img.ndim} dimension(s), an image "
                        "tensor has (..., H, W)")


def get_dimensions(img: Tensor) -> list[int]:
    """``[channels, height, width]`` of ``(..., C, H, W)`` (1 channel for ``(H, W)``)."""
    check_image(img)
    channels = 1 if img.ndim == 2 else img.shape[-3]
    return [channels, img.shape[-2], img.shape[-1]]


def check_channels(img: Tensor, permitted: Sequence[int]) -> None:
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {list(permitted)}, "
                        f"but found {c}")


def convert_image_dtype(image: Tensor, dtype: minitorch.dtype = minitorch.float32) -> Tensor:
    r"""Convert between dtypes, rescaling intensities (torchvision's rules).

    float -> float: a cast. int -> float: :math:`x / \max_{in}`. float -> int:
    :math:`\lfloor x (\max_{out} + 1 - 10^{-3}) \rfloor` (so [0, 1] spreads evenly over the
    integers). int -> int: a shift by the ratio of the ranges.
    """
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if _is_float(dtype):
            return image.to(dtype)
        name, out = _dtype_name(image.dtype), _dtype_name(dtype)
        if (name == "float32" and out in ("int32", "int64")) or (name == "float64"
                                                                  and out == "int64"):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed "
                               "safely.")
        return (image * (float(max_value(dtype)) + 1.0 - 1e-3)).to(dtype)
    input_max = max_value(image.dtype)
    if _is_float(dtype):
        return image.to(dtype) / float(input_max)
    output_max = max_value(dtype)
    if input_max > output_max:
        factor = (input_max + 1) // (output_max + 1)
        return minitorch.div(image, factor, rounding_mode="floor").to(dtype)
    factor = (output_max + 1) // (input_max + 1)
    return image.to(dtype) * factor


def hflip(img: Tensor) -> Tensor:
    check_image(img)
    return img.flip(-1)


def vflip(img: Tensor) -> Tensor:
    check_image(img)
    return img.flip(-2)


def crop(img: Tensor, top: int, left: int, height: int, width: int) -> Tensor:
    """``img[..., top:top+height, left:left+width]``, zero-padded where the window leaves
    the image (as torchvision)."""
    check_image(img)
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], ltrb, fill=0)
    return img[..., top:bottom, left:right]


def _to_float(img: Tensor) -> Tensor:
    return img if img.is_floating_point() else img.to(minitorch.float32)


def rgb_to_grayscale(img: Tensor, num_output_channels: int = 1) -> Tensor:
    r"""Luma :math:`L = 0.2989 R + 0.587 G + 0.114 B` (cast back to the input dtype,
    truncating integers); a 1-channel image is copied. ``num_output_channels=3`` repeats L.
    """
    if img.ndim < 3:
        raise TypeError("Input image tensor should have at least 3 dimensions, but found "
                        f"{img.ndim}")
    check_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if img.shape[-3] == 3:
        r, g, b = _to_float(img).unbind(dim=-3)
        gray = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(-3)
    else:
        gray = img.clone()
    if num_output_channels == 3:
        return gray.expand(*img.shape)
    return gray


def _blend(img1: Tensor, img2: Tensor, ratio: float) -> Tensor:
    r""":math:`\mathrm{clamp}(r x_1 + (1 - r) x_2, 0, \max)` in the dtype of ``img1``."""
    ratio = float(ratio)
    bound = max_value(img1.dtype)
    out = ratio * _to_float(img1) + (1.0 - ratio) * _to_float(img2)
    return out.clamp(0, bound).to(img1.dtype)


def adjust_brightness(img: Tensor, brightness_factor: float) -> Tensor:
    """Blend with black: ``clamp(f * img, 0, max)``."""
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    check_image(img)
    check_channels(img, [1, 3])
    return _blend(img, minitorch.zeros_like(_to_float(img)), brightness_factor)


def adjust_contrast(img: Tensor, contrast_factor: float) -> Tensor:
    """Blend with the mean of the grayscale image (per image of a batch)."""
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    check_image(img)
    check_channels(img, [1, 3])
    gray = rgb_to_grayscale(img) if get_dimensions(img)[0] == 3 else img
    mean = _to_float(gray).mean(dim=(-3, -2, -1), keepdim=True)
    return _blend(img, mean, contrast_factor)


def adjust_saturation(img: Tensor, saturation_factor: float) -> Tensor:
    """Blend with the grayscale image; 1-channel images are returned unchanged."""
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    check_image(img)
    check_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    return _blend(img, rgb_to_grayscale(img), saturation_factor)


def _rgb2hsv(img: Tensor) -> Tensor:
    """RGB in [0, 1] to HSV in [0, 1] (Pillow's formulas, no division by zero)."""
    r, g, b = img.unbind(dim=-3)
    maxc = img.amax(dim=-3)
    minc = img.amin(dim=-3)
    eqc = maxc == minc
    cr = maxc - minc
    ones = minitorch.ones_like(maxc)
    s = cr / minitorch.where(eqc, ones, maxc)
    cr_divisor = minitorch.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / cr_divisor, (maxc - g) / cr_divisor, (maxc - b) / cr_divisor
    is_r = maxc == r
    is_g = (maxc == g) & ~is_r
    is_b = ~(maxc == g) & ~is_r
    h = (is_r.to(img.dtype) * (bc - gc) + is_g.to(img.dtype) * (2.0 + rc - bc)
         + is_b.to(img.dtype) * (4.0 + gc - rc))
    h = minitorch.fmod(h / 6.0 + 1.0, 1.0)
    return minitorch.stack((h, s, maxc), dim=-3)


def _hsv2rgb(img: Tensor) -> Tensor:
    """HSV in [0, 1] back to RGB: the six sectors of the hue circle."""
    h, s, v = img.unbind(dim=-3)
    i = minitorch.floor(h * 6.0)
    f = h * 6.0 - i
    sector = minitorch.remainder(i.to(minitorch.int32), 6)
    p = (v * (1.0 - s)).clamp(0.0, 1.0)
    q = (v * (1.0 - s * f)).clamp(0.0, 1.0)
    t = (v * (1.0 - s * (1.0 - f))).clamp(0.0, 1.0)
    table = ((v, q, p, p, t, v), (t, v, v, q, p, p), (p, p, t, v, v, q))
    channels = []
    for row in table:
        channel = minitorch.zeros_like(v)
        for k, value in enumerate(row):
            channel = channel + (sector == k).to(img.dtype) * value
        channels.append(channel)
    return minitorch.stack(channels, dim=-3)


def adjust_hue(img: Tensor, hue_factor: float) -> Tensor:
    """Shift the hue: RGB -> HSV, ``h = (h + hue_factor) mod 1``, HSV -> RGB, computed in
    float32 [0, 1] (integers converted by :func:`convert_image_dtype` both ways)."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    check_image(img)
    check_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    orig_dtype = img.dtype
    hsv = _rgb2hsv(convert_image_dtype(img, minitorch.float32))
    h, s, v = hsv.unbind(dim=-3)
    h = minitorch.remainder(h + hue_factor, 1.0)
    rgb = _hsv2rgb(minitorch.stack((h, s, v), dim=-3))
    return convert_image_dtype(rgb, orig_dtype)


def _symmetric_index(n: int, lo: int, hi: int) -> np.ndarray:
    """Source positions of symmetric padding: ``... 1 0 | 0 1 ... n-1 | n-1 n-2 ...``."""
    i = np.arange(-lo, n + hi)
    period = 2 * n
    i = np.mod(i, period)
    return np.where(i >= n, period - 1 - i, i)


def pad(img: Tensor, padding: Sequence[int], fill: float = 0,
        padding_mode: str = "constant") -> Tensor:
    """Pad H and W by ``(left, top, right, bottom)``.

    ``constant`` fills with ``fill``; ``edge`` repeats the border pixel; ``reflect``
    mirrors without repeating it (``2 1 | 0 1 2``); ``symmetric`` mirrors repeating it
    (``1 0 | 0 1 2``).
    """
    check_image(img)
    left, top, right, bottom = padding
    if padding_mode == "symmetric":
        rows = minitorch.from_numpy(_symmetric_index(img.shape[-2], top, bottom))
        cols = minitorch.from_numpy(_symmetric_index(img.shape[-1], left, right))
        return img[..., rows[:, None], cols[None, :]]
    squeeze = img.ndim < 4
    x = img.unsqueeze(0) if squeeze else img
    out_dtype = x.dtype
    if padding_mode != "constant" and not x.is_floating_point():
        x = x.to(minitorch.float32)
    p = (left, right, top, bottom)
    if padding_mode == "constant":
        x = NF.pad(x, p, mode="constant", value=float(fill))
    else:
        x = NF.pad(x, p, mode="replicate" if padding_mode == "edge" else "reflect")
    x = x.to(out_dtype)
    return x.squeeze(0) if squeeze else x


# ------------------------------------------------------------------------ resampling


def _cast_in(img: Tensor) -> tuple[Tensor, bool, minitorch.dtype]:
    """``img`` as float (float32 for integer dtypes) with a batch axis."""
    squeeze = img.ndim < 4
    x = img.unsqueeze(0) if squeeze else img
    return _to_float(x), squeeze, img.dtype


def _cast_out(x: Tensor, squeeze: bool, out_dtype: minitorch.dtype) -> Tensor:
    """Undo :func:`_cast_in`: integers are rounded (and clamped to their range) first."""
    if squeeze:
        x = x.squeeze(0)
    if not _is_float(out_dtype):
        x = minitorch.round(x)
        if _dtype_name(out_dtype) == "uint8":
            x = x.clamp(0, 255)
        x = x.to(out_dtype)
    return x


def _cubic(x: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel with parameter ``a``."""
    x = np.abs(x)
    return np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2, (((x - 5) * x + 8) * x - 4) * a, 0.0))


def _filter_weights(n_in: int, n_out: int, mode: str, antialias: bool) -> np.ndarray:
    r"""The ``(n_out, n_in)`` matrix ``W`` of a 1-D resize: ``out = W @ in``.

    With ``scale = n_in / n_out``:

    * ``nearest``: ``out[i] = in[floor(i * scale)]``; ``nearest-exact``:
      ``in[floor((i + 0.5) * scale)]`` (PyTorch's two rules).
    * ``bilinear``/``bicubic`` without antialias: the source point
      ``(i + 0.5) scale - 0.5`` interpolated from its 2 (linear) or 4 (Keys cubic,
      ``a = -0.75``) neighbours, borders clamped (``align_corners=False``).
    * with antialias (Pillow's algorithm, used by PyTorch's ``antialias=True``): the
      triangle (or cubic, ``a = -0.5``) filter is stretched by ``max(scale, 1)`` so a
      downscale averages every source pixel it covers; weights are normalised to sum 1.
    """
    scale = n_in / n_out
    w = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    if mode in ("nearest", "nearest-exact"):
        offset = 0.5 if mode == "nearest-exact" else 0.0
        src = np.minimum(np.floor((rows + offset) * scale).astype(np.int64), n_in - 1)
        w[rows, src] = 1.0
        return w
    if antialias:
        support = (1.0 if mode == "bilinear" else 2.0) * max(scale, 1.0)
        inv = 1.0 / scale if scale >= 1.0 else 1.0
        for i in range(n_out):
            center = scale * (i + 0.5)
            lo = max(int(center - support + 0.5), 0)
            hi = min(int(center + support + 0.5), n_in)
            x = (np.arange(lo, hi) - center + 0.5) * inv
            k = np.maximum(1.0 - np.abs(x), 0.0) if mode == "bilinear" else _cubic(x, -0.5)
            total = k.sum()
            w[i, lo:hi] = k / total if total != 0 else k
        return w
    src = (rows + 0.5) * scale - 0.5
    if mode == "bilinear":
        src = np.maximum(src, 0.0)
        i0 = np.floor(src).astype(np.int64)
        lam = src - i0
        i0 = np.minimum(i0, n_in - 1)
        i1 = np.minimum(i0 + 1, n_in - 1)
        np.add.at(w, (rows, i0), 1.0 - lam)
        np.add.at(w, (rows, i1), lam)
        return w
    i0 = np.floor(src).astype(np.int64)
    t = src - i0
    for k in range(-1, 3):
        np.add.at(w, (rows, np.clip(i0 + k, 0, n_in - 1)), _cubic(t - k, -0.75))
    return w


def resize(img: Tensor, size: Sequence[int], interpolation: str = "bilinear",
           antialias: bool | None = True) -> Tensor:
    r"""Resize to ``size = (h, w)``: ``out = W_h \, img \, W_w^T``, one matrix per axis
    (:func:`_filter_weights`), computed in floats; integer images are rounded back (and
    uint8 clamped after bicubic), as torchvision."""
    check_image(img)
    if interpolation not in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")
    antialias = bool(antialias) and interpolation in ("bilinear", "bicubic")
    x, squeeze, out_dtype = _cast_in(img)
    h, w = x.shape[-2:]
    oh, ow = int(size[0]), int(size[1])
    np_dtype = np.float64 if _dtype_name(x.dtype) == "float64" else np.float32
    wh = minitorch.from_numpy(_filter_weights(h, oh, interpolation, antialias).astype(np_dtype))
    ww = minitorch.from_numpy(_filter_weights(w, ow, interpolation, antialias).astype(np_dtype))
    out = minitorch.matmul(minitorch.matmul(wh.to(x.device), x), ww.to(x.device).t())
    return _cast_out(out, squeeze, out_dtype)


def _inverse_rotation(angle: float, center: Sequence[float]) -> np.ndarray:
    """torchvision's inverse affine matrix of a rotation by ``angle`` degrees
    (counter-clockwise on screen) about ``center`` (relative to the image centre)."""
    rot = math.radians(-angle)
    cx, cy = center
    m = np.array([[math.cos(rot), math.sin(rot), 0.0], [-math.sin(rot), math.cos(rot), 0.0]])
    m[0, 2] = m[0, 0] * -cx + m[0, 1] * -cy + cx
    m[1, 2] = m[1, 0] * -cx + m[1, 1] * -cy + cy
    return m


def _rotated_size(m: np.ndarray, w: int, h: int) -> tuple[int, int]:
    """Width and height holding the whole rotated image (``expand=True``), Pillow's rule."""
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], dtype=np.float32)
    new = pts @ m.astype(np.float32).T
    lo = new.min(axis=0) + np.array([w * 0.5, h * 0.5], dtype=np.float32)
    hi = new.max(axis=0) + np.array([w * 0.5, h * 0.5], dtype=np.float32)
    tol = np.float32(1e-4)
    cmax = np.ceil(np.trunc(hi / tol) * tol)
    cmin = np.floor(np.trunc(lo / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def rotate(img: Tensor, angle: float, interpolation: str = "nearest", expand: bool = False,
           center: Sequence[float] | None = None,
           fill: float | Sequence[float] | None = None) -> Tensor:
    r"""Rotate by ``angle`` degrees counter-clockwise about ``center`` (default: the image
    centre), sampling like ``grid_sample(align_corners=False)``.

    Output pixel :math:`(x, y)`, measured from the output's centre, reads the input at
    :math:`M (x, y, 1)^T` measured from the input's centre, :math:`M` the inverse
    rotation; ``nearest`` rounds half to even, ``bilinear`` weighs the 4 neighbours
    (points outside count 0). Pixels whose source lies outside get ``fill`` (nearest: where
    the source's in-image weight is below 0.5; bilinear: mixed by that weight). Not
    recorded by autograd.
    """
    check_image(img)
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")
    channels, h, w = get_dimensions(img)
    if fill is not None and isinstance(fill, (tuple, list)) and len(fill) > 1 \
            and len(fill) != channels:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the number "
                         f"of channels of the image ({len(fill)} != {channels})")
    center_f = [0.0, 0.0] if center is None else [c - s * 0.5 for c, s in zip(center, (w, h))]
    m = _inverse_rotation(angle, center_f)
    ow, oh = _rotated_size(m, w, h) if expand else (w, h)
    x, squeeze, out_dtype = _cast_in(img.detach())
    arr = x.numpy()
    np_dtype = arr.dtype
    xs = np.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, ow)
    ys = np.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, oh)
    gx, gy = np.meshgrid(xs, ys)
    m = m.astype(np_dtype)
    # source position in input pixel indices
    sx = (m[0, 0] * gx + m[0, 1] * gy + m[0, 2]) + (w - 1) * 0.5
    sy = (m[1, 0] * gx + m[1, 1] * gy + m[1, 2]) + (h - 1) * 0.5
    values, mask = _sample(arr, sx.astype(np_dtype), sy.astype(np_dtype), interpolation)
    if fill is not None:
        fills = [float(fill)] if isinstance(fill, (int, float)) else [float(f) for f in fill]
        fill_img = np.asarray(fills, dtype=np_dtype).reshape(1, -1, 1, 1)
        if interpolation == "nearest":
            values = np.where(mask < 0.5, fill_img, values)
        else:
            values = values * mask + (1.0 - mask) * fill_img
    out = minitorch.from_numpy(np.ascontiguousarray(values.astype(np_dtype))).to(img.device)
    return _cast_out(out, squeeze, out_dtype)


def _sample(arr: np.ndarray, sx: np.ndarray, sy: np.ndarray,
            mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Sample ``arr`` (N, C, H, W) at fractional indices; zeros outside. Also returns the
    in-image weight of each output pixel (the sampled all-ones mask)."""
    n, c, h, w = arr.shape
    out = np.zeros((n, c) + sx.shape, dtype=arr.dtype)
    mask = np.zeros(sx.shape, dtype=arr.dtype)
    if mode == "nearest":
        ix, iy = np.rint(sx).astype(np.int64), np.rint(sy).astype(np.int64)
        inside = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
        out[..., inside] = arr[..., iy[inside], ix[inside]]
        mask[inside] = 1
        return out, mask[None, None]
    x0, y0 = np.floor(sx).astype(np.int64), np.floor(sy).astype(np.int64)
    fx, fy = sx - x0, sy - y0
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            xi, yi = x0 + dx, y0 + dy
            inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
            weight = (wx * wy * inside).astype(arr.dtype)
            gathered = arr[..., np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)]
            out += gathered * weight
            mask += weight
    return out, mask[None, None]


def gaussian_kernel1d(kernel_size: int, sigma: float, np_dtype: type) -> np.ndarray:
    r"""Normalised samples of :math:`e^{-x^2 / 2\sigma^2}` at
    :math:`x = -(k-1)/2, \dots, (k-1)/2`."""
    half = (kernel_size - 1) * 0.5
    x = np.linspace(-half, half, kernel_size).astype(np_dtype)
    pdf = np.exp(-0.5 * (x / np_dtype(sigma)) ** 2)
    return pdf / pdf.sum()


def gaussian_blur(img: Tensor, kernel_size: Sequence[int], sigma: Sequence[float]) -> Tensor:
    """Blur each channel with the separable Gaussian kernel ``k_y k_x^T`` after reflect
    padding by half the kernel (a depthwise ``conv2d``, as torchvision)."""
    check_image(img)
    x, squeeze, out_dtype = _cast_in(img)
    np_dtype = np.float64 if _dtype_name(x.dtype) == "float64" else np.float32
    kx = gaussian_kernel1d(kernel_size[0], sigma[0], np_dtype)
    ky = gaussian_kernel1d(kernel_size[1], sigma[1], np_dtype)
    channels = x.shape[-3]
    kernel = np.broadcast_to(np.outer(ky, kx), (channels, 1, len(ky), len(kx)))
    weight = minitorch.from_numpy(np.ascontiguousarray(kernel)).to(x.device)
    p = (kernel_size[0] // 2, kernel_size[0] // 2, kernel_size[1] // 2, kernel_size[1] // 2)
    x = NF.conv2d(NF.pad(x, p, mode="reflect"), weight, groups=channels)
    return _cast_out(x, squeeze, out_dtype)
