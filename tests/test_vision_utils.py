"""minitorch.vision.utils.make_grid / save_image against torchvision's algorithm, written out
by hand in PyTorch (torchvision itself cannot be installed here), and files read back with
Pillow."""

from __future__ import annotations

import io
import math
import os

import numpy as np
import pytest
import torch

import minitorch
from minitorch.vision.utils import make_grid, save_image

Image = pytest.importorskip("PIL.Image", reason="save_image writes images with Pillow")


def reference_make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None,
                        scale_each=False, pad_value=0.0):
    """torchvision's make_grid, step by step, in torch."""
    if isinstance(tensor, list):
        tensor = torch.stack(tensor, dim=0)
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:
        if tensor.size(0) == 1:
            tensor = torch.cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = torch.cat((tensor, tensor, tensor), 1)
    if normalize:
        tensor = tensor.clone()

        def norm_ip(img, low, high):
            img.clamp_(min=low, max=high)
            img.sub_(low).div_(max(high - low, 1e-5))

        def norm_range(t):
            if value_range is not None:
                norm_ip(t, value_range[0], value_range[1])
            else:
                norm_ip(t, float(t.min()), float(t.max()))

        if scale_each:
            for t in tensor:
                norm_range(t)
        else:
            norm_range(tensor)
    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    nmaps = tensor.size(0)
    xmaps = min(nrow, nmaps)
    ymaps = math.ceil(float(nmaps) / xmaps)
    height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
    grid = tensor.new_full((tensor.size(1), height * ymaps + padding, width * xmaps + padding),
                           pad_value)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            grid.narrow(1, y * height + padding, height - padding).narrow(
                2, x * width + padding, width - padding).copy_(tensor[k])
            k += 1
    return grid


@pytest.mark.parametrize("shape", [(10, 3, 4, 5), (3, 1, 6, 6), (1, 3, 4, 4), (2, 4, 3, 3),
                                   (3, 5, 5), (1, 5, 5), (6, 7)])
@pytest.mark.parametrize("kwargs", [
    {},
    {"nrow": 3, "padding": 1, "pad_value": 0.5},
    {"nrow": 4, "padding": 0, "normalize": True},
    {"normalize": True, "value_range": (-1.0, 0.5)},
    {"normalize": True, "scale_each": True, "padding": 3},
    {"normalize": True, "scale_each": True, "value_range": (0.0, 2.0), "nrow": 2},
])
def test_make_grid_matches_torchvision_algorithm(rng, shape, kwargs):
    x = rng.standard_normal(shape).astype(np.float32)
    got = make_grid(minitorch.tensor(x), **kwargs)
    want = reference_make_grid(torch.tensor(x), **kwargs)
    assert tuple(got.shape) == tuple(want.shape) and got.dtype == minitorch.float32
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-7)


def test_make_grid_list_and_layout(rng):
    images = [minitorch.full((3, 2, 2), float(k)) for k in range(5)]
    grid = make_grid(images, nrow=2, padding=1, pad_value=-1.0)
    assert tuple(grid.shape) == (3, 3 * 3 + 1, 2 * 3 + 1)  # 3 rows of 2, 1-pixel borders
    g = grid.numpy()[0]
    assert g[1, 1] == 0 and g[1, 4] == 1 and g[4, 1] == 2 and g[7, 4] == -1  # 6th slot empty
    assert (g[0] == -1).all() and (g[:, 0] == -1).all()
    original = minitorch.tensor(rng.random((2, 3, 2, 2)))
    before = original.numpy().copy()
    make_grid(original, normalize=True)
    np.testing.assert_array_equal(original.numpy(), before)  # the input is not changed
    with pytest.raises(TypeError, match="tensor or list of tensors expected, got a list "
                                        "containing <class 'int'>"):
        make_grid([minitorch.zeros(3, 2, 2), 1])
    with pytest.raises(TypeError, match="tensor or list of tensors expected, got .*ndarray"):
        make_grid(np.zeros((3, 2, 2)))
    with pytest.raises(ValueError, match=r"make_grid expects images \(B, C, H, W\)"):
        make_grid(minitorch.zeros(1, 1, 3, 2, 2))


def test_save_image_reads_back(rng, tmp_path):
    x = rng.uniform(-0.1, 1.1, (5, 3, 4, 6)).astype(np.float32)
    path = tmp_path / "grid.png"
    save_image(minitorch.tensor(x), path, nrow=3)
    grid = reference_make_grid(torch.tensor(x), nrow=3)
    want = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8).numpy()
    with Image.open(path) as img:
        assert img.mode == "RGB" and img.format == "PNG"
        np.testing.assert_array_equal(np.asarray(img), want)
    assert os.listdir(tmp_path) == ["grid.png"]  # written atomically: no temporary left
    buffer = io.BytesIO()
    save_image(minitorch.tensor(x[0, :1]), buffer, format="BMP")  # one gray image: 3 channels
    buffer.seek(0)
    with Image.open(buffer) as img:
        assert img.format == "BMP" and img.size == (6, 4)
        gray = np.clip(np.floor(x[0, 0] * np.float32(255) + np.float32(0.5)), 0, 255)
        np.testing.assert_array_equal(np.asarray(img)[..., 0], gray.astype(np.uint8))
    save_image(minitorch.tensor(x[:2]), tmp_path / "n.jpg", normalize=True, padding=0)
    with Image.open(tmp_path / "n.jpg") as img:
        assert img.format == "JPEG" and img.size == (12, 4)
    with pytest.raises(ValueError, match="unknown file extension: '.xyz'"):
        save_image(minitorch.tensor(x), tmp_path / "out.xyz")
    assert sorted(os.listdir(tmp_path)) == ["grid.png", "n.jpg"]
