"""minitorch.vision: the IDX parser, MNIST/FashionMNIST, downloads, and the transforms."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import os
import threading
from functools import partial
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
import torch

PIL_Image = pytest.importorskip("PIL.Image", reason="minitorch.vision's items are PIL images: needs Pillow")

import minitorch
from minitorch.utils.data import DataLoader, default_collate
from minitorch.vision import MNIST, FashionMNIST, transforms
from minitorch.vision.datasets import read_idx

# ----------------------------------------------------------------------------- IDX files


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """An IDX file of unsigned bytes holding ``array``."""
    magic = 0x0800 + array.ndim if magic is None else magic
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write(path: Path, data: bytes, gz: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("gz", [True, False])
def test_read_idx(tmp_path, rng, gz):
    images = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 5, dtype=np.uint8)
    np.testing.assert_array_equal(read_idx(write(tmp_path / "i", idx_bytes(images), gz), 3), images)
    np.testing.assert_array_equal(read_idx(write(tmp_path / "l", idx_bytes(labels), gz), 1), labels)


@pytest.mark.parametrize(("data", "ndim", "message"), [
    (idx_bytes(np.zeros((2, 3, 3)), magic=2049), 3,
     r"bad magic number 2049 \(0x00000801\); expected 2051 \(0x00000803\)"),
    (idx_bytes(np.zeros(4)), 3, "bad magic number 2049"),
    (b"\x00\x00", 1, "truncated: 2 bytes, too short for an IDX header"),
    (idx_bytes(np.zeros((2, 3, 3)))[:10], 3, "truncated: the header needs 16 bytes, the file holds 10"),
    (idx_bytes(np.zeros((2, 3, 3)))[:-1], 3, r"truncated: the header promises 2 x 3 x 3 = 18 bytes"),
    (idx_bytes(np.zeros(4)) + b"\x00", 1, "corrupt: 1 unexpected bytes after the 4 bytes"),
])
def test_read_idx_errors(tmp_path, data, ndim, message):
    path = write(tmp_path / "bad-idx.gz", data)
    with pytest.raises(RuntimeError, match=f"bad-idx.gz: {message}"):
        read_idx(path, ndim)


def test_read_idx_bad_gzip_and_missing_file(tmp_path):
    path = write(tmp_path / "cut.gz", idx_bytes(np.zeros((50, 28, 28))))
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(RuntimeError, match="cut.gz: truncated or corrupt gzip data"):
        read_idx(path, 3)
    with pytest.raises(RuntimeError, match="cannot read .*absent"):
        read_idx(tmp_path / "absent", 1)


# ----------------------------------------------------------------------------- small data sets


class Tiny(MNIST):
    """MNIST on generated files: tests set ``resources`` to their md5 sums."""

    resources: ClassVar[list[tuple[str, str]]] = []


def make_files(folder: Path, n: int = 6, seed: int = 0, labels=None, size=28):
    """Four small MNIST-format files in ``folder``; returns {name: md5} and the arrays."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n, size, size), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n) if labels is None else labels,
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (2, size, size), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": np.array([3, 9]),
    }
    sums = {name: md5(write(folder / name, idx_bytes(np.asarray(a)))) for name, a in arrays.items()}
    return sums, arrays


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    sums, arrays = make_files(tmp_path)
    monkeypatch.setattr(Tiny, "resources", list(sums.items()))
    return tmp_path, arrays


def test_small_dataset_items(tiny):
    root, arrays = tiny
    ds = Tiny(root)
    images, labels = arrays["train-images-idx3-ubyte.gz"], arrays["train-labels-idx1-ubyte.gz"]
    assert len(ds) == 6 and len(Tiny(root, train=False)) == 2
    image, label = ds[1]  # a PIL image of mode "L", as torchvision's
    assert isinstance(image, PIL_Image.Image) and image.mode == "L" and image.size == (28, 28)
    assert type(label) is int
    np.testing.assert_array_equal(np.asarray(image), images[1])
    assert label == labels[1] and ds[-1][1] == labels[-1] and ds[np.int64(2)][1] == labels[2]
    assert ds[minitorch.tensor(3)][1] == labels[3]
    with pytest.raises(IndexError):
        ds[6]
    assert ds.targets.dtype == minitorch.int64
    np.testing.assert_array_equal(ds.targets.numpy(), labels)
    assert ds.data.dtype == minitorch.uint8 and tuple(ds.data.shape) == (6, 28, 28)
    np.testing.assert_array_equal(ds.data.numpy(), images)
    x, y = ds.as_arrays()
    assert x.dtype == np.float32 and x.shape == (6, 1, 28, 28) and y.dtype == np.int64
    np.testing.assert_array_equal(x, images[:, None].astype(np.float32) / np.float32(255))


def test_transforms_are_applied(tiny):
    root, arrays = tiny
    ds = Tiny(root, transform=transforms.ToTensor(), target_transform=lambda y: y + 100)
    image, label = ds[0]
    assert tuple(image.shape) == (1, 28, 28) and image.dtype == minitorch.float32
    assert label == arrays["train-labels-idx1-ubyte.gz"][0] + 100
    assert "Transform: ToTensor()" in repr(ds) and "Split: Train" in repr(ds)


def test_files_in_raw_folder_and_plain(tmp_path, monkeypatch):
    """root/<ClassName>/raw/ comes first; uncompressed files work too."""
    sums, arrays = make_files(tmp_path / "Tiny" / "raw")
    make_files(tmp_path, seed=1)  # a different copy directly in root: not used
    monkeypatch.setattr(Tiny, "resources", list(sums.items()))
    np.testing.assert_array_equal(Tiny(tmp_path).images, arrays["train-images-idx3-ubyte.gz"])
    plain = tmp_path / "plain"
    for name, array in arrays.items():
        write(plain / name.removesuffix(".gz"), idx_bytes(np.asarray(array)), gz=False)
    np.testing.assert_array_equal(Tiny(plain).labels, arrays["train-labels-idx1-ubyte.gz"])


def test_count_mismatch_size_and_label_range(tmp_path, monkeypatch):
    sums, _ = make_files(tmp_path / "a", labels=np.arange(5))
    monkeypatch.setattr(Tiny, "resources", list(sums.items()))
    with pytest.raises(RuntimeError, match="holds 6 images but .*train-labels-idx1-ubyte.gz holds 5"):
        Tiny(tmp_path / "a")
    sums, _ = make_files(tmp_path / "b", labels=np.array([0, 1, 2, 3, 4, 12]))
    monkeypatch.setattr(Tiny, "resources", list(sums.items()))
    with pytest.raises(RuntimeError, match="label 12 is out of range 0..9"):
        Tiny(tmp_path / "b")
    sums, _ = make_files(tmp_path / "c", size=7)
    monkeypatch.setattr(Tiny, "resources", list(sums.items()))
    with pytest.raises(RuntimeError, match="images are 7 x 7, expected 28 x 28"):
        Tiny(tmp_path / "c")


def test_md5_mismatch_of_published_file_names(tmp_path):
    make_files(tmp_path)  # MNIST's file names, other contents
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte.gz: md5 .* does not match "
                                           "f68b3c2dcbeaaa9fbdd348bbdeb94873"):
        MNIST(tmp_path)


def test_missing_files_say_where_to_put_them(tmp_path):
    with pytest.raises(RuntimeError) as info:
        MNIST(tmp_path, train=False)
    message = str(info.value)
    assert f"in {tmp_path / 'MNIST' / 'raw'} or in {tmp_path}" in message
    assert "t10k-images-idx3-ubyte.gz" in message and "t10k-labels-idx1-ubyte.gz" in message
    assert "download=True" in message and "MINITORCH_MNIST_DIR" in message


def test_default_root_from_environment(tiny, monkeypatch):
    root, _ = tiny
    monkeypatch.setattr(Tiny, "env_var", "TINY_DIR")
    monkeypatch.setenv("TINY_DIR", str(root))
    assert Tiny().root == str(root)


def test_gather_batch_equals_collated_items(tiny):
    root, _ = tiny
    pipeline = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.25,))])
    ds = Tiny(root, transform=pipeline)
    indices = [4, 0, 5, 5]
    fast = ds._gather_batch(indices)
    slow = default_collate([ds[i] for i in indices])
    assert len(fast) == 2
    for f, s in zip(fast, slow):
        assert f.dtype == s.dtype and tuple(f.shape) == tuple(s.shape)
        np.testing.assert_array_equal(f.numpy(), s.numpy())
    images, labels = next(iter(DataLoader(ds, batch_size=4)))  # takes the fast path
    slow = default_collate([ds[i] for i in range(4)])
    np.testing.assert_array_equal(images.numpy(), slow[0].numpy())
    np.testing.assert_array_equal(labels.numpy(), slow[1].numpy())
    assert Tiny(root, transform=transforms.RandomHorizontalFlip())._gather_batch([0]) is None
    assert Tiny(root, transform=pipeline, target_transform=int)._gather_batch([0]) is None
    assert Tiny(root)._gather_batch([0]) is None


# ----------------------------------------------------------------------------- the real MNIST


@pytest.fixture(scope="module")
def mnist_train(mnist_dir):
    return MNIST(mnist_dir, train=True)


@pytest.fixture(scope="module")
def mnist_test(mnist_dir):
    return MNIST(mnist_dir, train=False)


def test_real_mnist(mnist_train, mnist_test):
    assert len(mnist_train) == 60000 and len(mnist_test) == 10000
    assert mnist_train.labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist_test.labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert mnist_train[0][1] == 5
    for ds in (mnist_train, mnist_test):
        assert ds.images.shape[1:] == (28, 28) and ds.images.dtype == np.uint8
        assert ds.images.min() == 0 and ds.images.max() == 255
        assert np.bincount(ds.labels).size == 10
    x, _ = mnist_train.as_arrays()
    assert abs(x.mean() - 0.1307) < 1e-4 and abs(x.std() - 0.3081) < 1e-4
    assert mnist_train.classes[5] == "5 - five" and mnist_train.class_to_idx["0 - zero"] == 0
    image, label = MNIST(transform=transforms.ToTensor())[0]  # root from MINITORCH_MNIST_DIR
    assert label == 5 and float(image.max().item()) == 1.0 and float(image.min().item()) == 0.0


def test_fashion_mnist_refuses_mnist_files(mnist_dir):
    with pytest.raises(RuntimeError, match="belongs to another data set"):
        FashionMNIST(mnist_dir)


# ----------------------------------------------------------------------------- downloads


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_root(tmp_path, monkeypatch):
    """A local HTTP server on 127.0.0.1 serving ``tmp_path/site``; yields (folder, url)."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    site = tmp_path / "site"
    site.mkdir()
    handler = partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield site, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_download(http_root, tmp_path, monkeypatch):
    site, url = http_root
    sums, arrays = make_files(site / "mirror2")
    monkeypatch.setattr(Tiny, "resources", list(sums.items()))
    monkeypatch.setattr(Tiny, "mirrors", [url + "mirror1/", url + "mirror2/"])  # 1st: 404
    root = tmp_path / "root"
    ds = Tiny(root, download=True)
    raw = root / "Tiny" / "raw"
    assert sorted(os.listdir(raw)) == sorted(sums)
    np.testing.assert_array_equal(ds.images, arrays["train-images-idx3-ubyte.gz"])
    for name in sums:  # present files are not fetched again
        (site / "mirror2" / name).unlink()
    assert len(Tiny(root, train=False, download=True)) == 2


def test_download_md5_mismatch_leaves_nothing(http_root, tmp_path, monkeypatch):
    site, url = http_root
    sums, _ = make_files(site)
    bad = [(name, "0" * 32) for name in sums]
    monkeypatch.setattr(Tiny, "resources", bad)
    monkeypatch.setattr(Tiny, "mirrors", [url])
    with pytest.raises(RuntimeError, match=r"could not download train-images-idx3-ubyte.gz:\n.*"
                                           "md5 mismatch: got [0-9a-f]{32}, expected 0{32}"):
        Tiny(tmp_path / "root", download=True)
    assert os.listdir(tmp_path / "root" / "Tiny" / "raw") == []


def test_download_unreachable(http_root, tmp_path, monkeypatch):
    _, url = http_root
    monkeypatch.setattr(Tiny, "resources", [("train-images-idx3-ubyte.gz", "0" * 32)])
    monkeypatch.setattr(Tiny, "mirrors", [url + "a/", url + "b/"])
    with pytest.raises(RuntimeError, match="(?s)a/train-images-idx3-ubyte.gz: HTTP Error 404.*"
                                           "b/train-images.*put it in"):
        Tiny(tmp_path, download=True)
    assert os.listdir(tmp_path / "Tiny" / "raw") == []


# ----------------------------------------------------------------------------- transforms


def test_to_tensor(rng):
    gray = rng.integers(0, 256, (4, 5), dtype=np.uint8)
    t = transforms.ToTensor()(gray)
    assert t.dtype == minitorch.float32 and tuple(t.shape) == (1, 4, 5)
    want = torch.from_numpy(gray).float().div(255)[None]  # torchvision's formula
    np.testing.assert_array_equal(t.numpy(), want.numpy())
    rgb = rng.integers(0, 256, (4, 5, 3), dtype=np.uint8)
    np.testing.assert_array_equal(transforms.ToTensor()(rgb).numpy(),
                                  torch.from_numpy(rgb).permute(2, 0, 1).float().div(255).numpy())
    floats = rng.random((4, 5, 2))
    t = transforms.ToTensor()(floats)  # not uint8: values and dtype kept
    assert t.dtype == minitorch.float64
    np.testing.assert_array_equal(t.numpy(), floats.transpose(2, 0, 1))
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        transforms.ToTensor()(minitorch.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4 dimensions"):
        transforms.ToTensor()(np.zeros((1, 2, 2, 2), np.uint8))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(3, 4, 5), (2, 3, 4, 5)])
def test_normalize_against_torch(rng, dtype, shape):
    mean, std = (0.1, -0.2, 0.3), (0.5, 2.0, 0.25)
    x = rng.standard_normal(shape).astype(dtype)
    upstream = rng.standard_normal(shape).astype(dtype)
    xm = minitorch.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    ym = transforms.Normalize(mean, std)(xm)
    yt = (xt - torch.tensor(mean, dtype=xt.dtype).view(-1, 1, 1)) / torch.tensor(
        std, dtype=xt.dtype).view(-1, 1, 1)
    ym.backward(minitorch.tensor(upstream))
    yt.backward(torch.tensor(upstream))
    tol = {"rtol": 1e-6, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-12}
    assert ym.dtype == xm.dtype
    np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), **tol)
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), **tol)


def test_normalize_inplace_and_errors():
    x = minitorch.ones(1, 2, 2)
    out = transforms.Normalize((0.5,), (0.5,), inplace=True)(x)
    assert out is x
    np.testing.assert_array_equal(x.numpy(), np.ones((1, 2, 2)))
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got .*int64"):
        transforms.Normalize((0,), (1,))(minitorch.zeros(1, 2, 2, dtype=minitorch.int64))
    with pytest.raises(ValueError, match=r"size \(\.\.\., C, H, W\). Got tensor.size\(\) = \(2, 2\)"):
        transforms.Normalize((0,), (1,))(minitorch.zeros(2, 2))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        transforms.Normalize((0, 0), (1, 0))(minitorch.zeros(2, 2, 2))
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        transforms.Normalize((0,), (1,))(np.zeros((1, 2, 2)))


def test_compose_lambda_and_reprs():
    pipeline = transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda t: t * 2),
                                   transforms.Normalize((0.1307,), (0.3081,))])
    out = pipeline(np.full((2, 2), 255, np.uint8))
    np.testing.assert_allclose(out.numpy(), (2 - 0.1307) / 0.3081, rtol=1e-6)
    assert repr(pipeline) == ("Compose(\n    ToTensor()\n    Lambda()\n"
                              "    Normalize(mean=(0.1307,), std=(0.3081,))\n)")
    assert repr(transforms.RandomCrop(28, padding=4)) == "RandomCrop(size=(28, 28), padding=4)"
    assert repr(transforms.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        transforms.Lambda(3)


def test_random_crop_tensor_windows_and_reproducibility():
    img = minitorch.arange(2 * 5 * 6, dtype=minitorch.float32).reshape(2, 5, 6)
    crop = transforms.RandomCrop((3, 4), padding=1)
    padded = np.pad(img.numpy(), [(0, 0), (1, 1), (1, 1)])
    seen = set()
    minitorch.manual_seed(7)
    first = [crop(img).numpy() for _ in range(300)]
    minitorch.manual_seed(7)
    again = [crop(img).numpy() for _ in range(3)]
    for out in first:
        assert out.shape == (2, 3, 4)
        matches = [(i, j) for i in range(5) for j in range(5)
                   if np.array_equal(out, padded[:, i:i + 3, j:j + 4])]
        assert len(matches) == 1
        seen.add(matches[0])
    assert seen == {(i, j) for i in range(5) for j in range(5)}  # every offset reachable
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_random_crop_padding_modes_on_arrays(rng, mode):
    img = rng.integers(0, 256, (4, 4, 3), dtype=np.uint8)
    crop = transforms.RandomCrop(8, padding=2, fill=7, padding_mode=mode)
    out = crop(img)  # the padded image is exactly the crop size: no randomness
    kwargs = {"constant_values": 7} if mode == "constant" else {}
    np.testing.assert_array_equal(out, np.pad(img, [(2, 2), (2, 2), (0, 0)], mode=mode, **kwargs))
    t = crop(minitorch.from_numpy(img.transpose(2, 0, 1).astype(np.float32)))
    np.testing.assert_array_equal(t.numpy(), out.transpose(2, 0, 1))


def test_random_crop_padding_forms_and_errors():
    img = np.arange(1, 7, dtype=np.uint8).reshape(2, 3)
    out = transforms.RandomCrop((4, 7), padding=(2, 1))(img)  # (left/right, top/bottom)
    np.testing.assert_array_equal(out, np.pad(img, [(1, 1), (2, 2)]))
    out = transforms.RandomCrop((8, 7), padding=(1, 2, 3, 4))(img)  # (left, top, right, bottom)
    np.testing.assert_array_equal(out, np.pad(img, [(2, 4), (1, 3)]))
    assert transforms.RandomCrop(5, pad_if_needed=True)(img).shape == (5, 5)
    with pytest.raises(ValueError, match=r"Required crop size \(4, 4\) is larger than input "
                                         r"image size \(2, 3\)"):
        transforms.RandomCrop(4)(img)
    with pytest.raises(ValueError, match="Padding must be an int or a 1, 2, or 4 element"):
        transforms.RandomCrop(2, padding=(1, 2, 3))
    with pytest.raises(ValueError, match="Padding mode should be either constant"):
        transforms.RandomCrop(2, padding_mode="wrap")


def test_random_horizontal_flip(rng):
    img = rng.integers(0, 256, (3, 4, 2), dtype=np.uint8)
    np.testing.assert_array_equal(transforms.RandomHorizontalFlip(p=1.0)(img), img[:, ::-1])
    np.testing.assert_array_equal(transforms.RandomHorizontalFlip(p=0.0)(img), img)
    t = minitorch.from_numpy(img.transpose(2, 0, 1).astype(np.float64))
    flipped = transforms.RandomHorizontalFlip(p=1.0)(t)
    np.testing.assert_array_equal(flipped.numpy(), torch.from_numpy(t.numpy()).flip(-1).numpy())
    flip = transforms.RandomHorizontalFlip()
    minitorch.manual_seed(3)
    flips = [bool(np.array_equal(flip(img), img[:, ::-1])) for _ in range(200)]
    minitorch.manual_seed(3)
    assert flips == [bool(np.array_equal(flip(img), img[:, ::-1])) for _ in range(200)]
    assert 60 < sum(flips) < 140
