"""minitorch.vision.datasets: CIFAR10/100 (real file format, restricted unpickling,
downloads), ImageFolder/DatasetFolder, FakeData, MINITORCH_SKIP_MD5, MNIST's old names."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest
from test_vision import Tiny, http_root, make_files  # noqa: F401  (http_root: a fixture)
from vision_fixtures import CIFAR10_CLASSES, write_cifar

import minitorch
from minitorch.vision import datasets, transforms
from minitorch.vision.datasets.cifar import load_pickle

Image = pytest.importorskip("PIL.Image", reason="minitorch.vision's items are PIL images: needs "
                                                "Pillow")

NOT_FOUND = "Dataset not found or corrupted. You can use download=True to download it"


@pytest.fixture
def skip_md5(monkeypatch):
    monkeypatch.setenv("MINITORCH_SKIP_MD5", "1")


# ----------------------------------------------------------------------------- CIFAR


def test_cifar10_reads_the_real_format(tmp_path, skip_md5):
    arrays = write_cifar(tmp_path, per_batch=3, n_test=4)
    train = datasets.CIFAR10(tmp_path, train=True)
    test = datasets.CIFAR10(str(tmp_path), train=False, transform=transforms.ToTensor(),
                            target_transform=lambda y: -y)
    assert len(train) == 15 and len(test) == 4
    assert train.data.shape == (15, 32, 32, 3) and train.data.dtype == np.uint8
    np.testing.assert_array_equal(train.data, arrays["train_images"])
    assert train.targets == arrays["train_labels"].tolist() and type(train.targets) is list
    assert train.classes == CIFAR10_CLASSES and train.class_to_idx["cat"] == 3
    image, label = train[7]
    assert isinstance(image, Image.Image) and image.mode == "RGB" and image.size == (32, 32)
    np.testing.assert_array_equal(np.asarray(image), arrays["train_images"][7])
    assert label == arrays["train_labels"][7]
    x, y = test[2]
    np.testing.assert_allclose(x.numpy(), arrays["test_images"][2].transpose(2, 0, 1) / 255,
                               rtol=1e-6)
    assert y == -arrays["test_labels"][2]
    assert repr(test).splitlines()[:4] == ["Dataset CIFAR10", "    Number of datapoints: 4",
                                           f"    Root location: {tmp_path}", "    Split: Test"]
    assert "    Transform: ToTensor()" in repr(test)


def test_cifar100_fine_labels(tmp_path, skip_md5):
    arrays = write_cifar(tmp_path, per_batch=2, n_test=3, cifar100=True)
    ds = datasets.CIFAR100(tmp_path)
    assert len(ds) == 10 and ds.targets == arrays["train_labels"].tolist()
    assert len(ds.classes) == 100 and ds.classes[7] == "class_7"
    np.testing.assert_array_equal(np.asarray(ds[9][0]), arrays["train_images"][9])


def test_cifar_md5_is_checked_by_default(tmp_path, monkeypatch):
    write_cifar(tmp_path)
    monkeypatch.delenv("MINITORCH_SKIP_MD5", raising=False)
    with pytest.raises(RuntimeError, match=NOT_FOUND):  # torchvision's text
        datasets.CIFAR10(tmp_path)
    monkeypatch.setenv("MINITORCH_SKIP_MD5", "0")  # only "1" turns the checks off
    with pytest.raises(RuntimeError, match=NOT_FOUND):
        datasets.CIFAR10(tmp_path)


def test_cifar_missing_files(tmp_path, skip_md5):
    with pytest.raises(RuntimeError, match=NOT_FOUND):
        datasets.CIFAR10(tmp_path)
    write_cifar(tmp_path)
    (tmp_path / "cifar-10-batches-py" / "data_batch_3").unlink()
    with pytest.raises(RuntimeError, match=NOT_FOUND):
        datasets.CIFAR10(tmp_path, train=False)  # torchvision checks every file
    write_cifar(tmp_path)
    (tmp_path / "cifar-10-batches-py" / "batches.meta").unlink()
    with pytest.raises(RuntimeError, match="Dataset metadata file not found or corrupted"):
        datasets.CIFAR10(tmp_path)


def test_cifar_truncated_and_malformed_batches(tmp_path, skip_md5):
    write_cifar(tmp_path)
    batch = tmp_path / "cifar-10-batches-py" / "test_batch"
    batch.write_bytes(batch.read_bytes()[:500])
    with pytest.raises(RuntimeError, match="test_batch: corrupt or truncated pickle"):
        datasets.CIFAR10(tmp_path, train=False)
    with open(batch, "wb") as fh:
        pickle.dump({"data": np.zeros((2, 100), np.uint8), "labels": [0, 1]}, fh, protocol=2)
    with pytest.raises(RuntimeError, match=r"test_batch: expected a \(N, 3072\) uint8 'data' "
                                           r"array and N labels, got data of shape \(2, 100\)"):
        datasets.CIFAR10(tmp_path, train=False)


class _RunsCode:
    """Unpickling this calls ``os.system`` (a classic pickle payload)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_cifar_batch_that_would_run_code_is_refused(tmp_path, skip_md5):
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"data": _RunsCode(marker), "labels": [0]}, protocol=2)
    pickle.loads(payload)  # the standard unpickler runs it: the file really is malicious
    assert marker.exists()
    marker.unlink()
    write_cifar(tmp_path)
    batch = tmp_path / "cifar-10-batches-py" / "data_batch_2"
    batch.write_bytes(payload)
    with pytest.raises(pickle.UnpicklingError, match=r"data_batch_2: refusing to load global "
                                                     r"(posix|os|nt)\.system"):
        datasets.CIFAR10(tmp_path)
    assert not marker.exists()


def test_restricted_unpickler_admits_arrays_but_not_object_arrays(tmp_path):
    good = {"data": np.arange(12, dtype=np.uint8).reshape(3, 4), "labels": [1, 2],
            "name": "x", "blob": b"\x00\x01", "f": 1.5, "n": None}
    path = tmp_path / "ok"
    path.write_bytes(pickle.dumps(good, protocol=2))
    loaded = load_pickle(path)
    np.testing.assert_array_equal(loaded["data"], good["data"])
    assert {k: v for k, v in loaded.items() if k != "data"} == {
        k: v for k, v in good.items() if k != "data"}
    path.write_bytes(pickle.dumps({"data": np.array([1, "a"], dtype=object)}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="refusing a NumPy array of dtype object"):
        load_pickle(path)
    path.write_bytes(pickle.dumps({"d": io.BytesIO()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load global _io.BytesIO"):
        load_pickle(path)


class TinyCIFAR(datasets.CIFAR10):
    """CIFAR10 whose published files are a synthetic set: tests fill in url and md5 sums."""


@pytest.fixture
def cifar_site(http_root, tmp_path, monkeypatch):  # noqa: F811
    """A synthetic CIFAR-10 archive served over HTTP, with its md5 sums set on TinyCIFAR."""
    monkeypatch.delenv("MINITORCH_SKIP_MD5", raising=False)
    site, url = http_root
    arrays = write_cifar(tmp_path / "make", per_batch=2, n_test=3)
    folder = tmp_path / "make" / "cifar-10-batches-py"

    def md5(name):
        return hashlib.md5((folder / name).read_bytes()).hexdigest()

    with tarfile.open(site / "cifar-10-python.tar.gz", "w:gz") as archive:
        archive.add(folder, arcname="cifar-10-batches-py")
    monkeypatch.setattr(TinyCIFAR, "url", url + "cifar-10-python.tar.gz")
    monkeypatch.setattr(TinyCIFAR, "tgz_md5",
                        hashlib.md5((site / "cifar-10-python.tar.gz").read_bytes()).hexdigest())
    monkeypatch.setattr(TinyCIFAR, "train_list",
                        [[f"data_batch_{k}", md5(f"data_batch_{k}")] for k in range(1, 6)])
    monkeypatch.setattr(TinyCIFAR, "test_list", [["test_batch", md5("test_batch")]])
    monkeypatch.setattr(TinyCIFAR, "meta", {"filename": "batches.meta", "key": "label_names",
                                            "md5": md5("batches.meta")})
    return site, arrays


def test_cifar_download_and_extract(cifar_site, tmp_path):
    site, arrays = cifar_site
    root = tmp_path / "root"
    ds = TinyCIFAR(root, download=True)
    np.testing.assert_array_equal(ds.data, arrays["train_images"])
    assert sorted(os.listdir(root)) == ["cifar-10-batches-py", "cifar-10-python.tar.gz"]
    (site / "cifar-10-python.tar.gz").unlink()  # intact files are not fetched again
    assert len(TinyCIFAR(root, train=False, download=True)) == 3


def test_cifar_download_md5_mismatch_leaves_nothing(cifar_site, tmp_path, monkeypatch):
    monkeypatch.setattr(TinyCIFAR, "tgz_md5", "0" * 32)
    root = tmp_path / "root"
    with pytest.raises(RuntimeError, match="could not download cifar-10-python.tar.gz:\n.*md5 "
                                           "mismatch: got [0-9a-f]{32}, expected 0{32}"):
        TinyCIFAR(root, download=True)
    assert os.listdir(root) == []


def test_extract_archive_failure_leaves_nothing(tmp_path):
    from minitorch.vision.datasets.utils import extract_archive

    bad = tmp_path / "a.tar.gz"
    bad.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(RuntimeError, match="a.tar.gz: cannot extract the archive"):
        extract_archive(bad, tmp_path / "out")
    assert os.listdir(tmp_path / "out") == []


# ----------------------------------------------------------------------------- MNIST


def test_skip_md5_applies_to_mnist(tmp_path, monkeypatch):
    make_files(tmp_path)  # MNIST's published file names, other contents
    with pytest.raises(RuntimeError, match="md5 .* does not match"):
        datasets.MNIST(tmp_path)
    monkeypatch.setenv("MINITORCH_SKIP_MD5", "1")
    assert len(datasets.MNIST(tmp_path)) == 6


def test_mnist_old_attribute_names_warn(tmp_path, monkeypatch):
    monkeypatch.setenv("MINITORCH_SKIP_MD5", "1")
    make_files(tmp_path)
    ds = datasets.MNIST(tmp_path)
    for old, new in (("train_labels", "targets"), ("test_labels", "targets"),
                     ("train_data", "data"), ("test_data", "data")):
        with pytest.warns(UserWarning, match=f"{old} has been renamed {new}"):
            value = getattr(ds, old)
        assert value is getattr(ds, new)


# ----------------------------------------------------------------------------- folders


def _save(path: Path, array: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)
    return path


@pytest.fixture
def image_tree(tmp_path, rng):
    pixels = {}
    for name in ("dog/b.png", "dog/a.PNG", "dog/sub/c.bmp", "cat/x.png", "cat/notes.txt"):
        if name.endswith(".txt"):
            (tmp_path / name).write_text("not an image")
            continue
        shape = (5, 4) if name == "cat/x.png" else (5, 4, 3)  # one grayscale image
        pixels[name] = rng.integers(0, 256, shape, dtype=np.uint8)
        _save(tmp_path / name, pixels[name])
    return tmp_path, pixels


def test_image_folder(image_tree):
    root, pixels = image_tree
    ds = datasets.ImageFolder(root)
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    names = [os.path.relpath(p, root) for p, _ in ds.samples]
    assert names == ["cat/x.png", "dog/a.PNG", "dog/b.png", "dog/sub/c.bmp"]  # sorted walk
    assert ds.targets == [0, 1, 1, 1] and ds.imgs is ds.samples and len(ds) == 4
    image, target = ds[0]  # grayscale file, converted to RGB as torchvision's loader does
    assert image.mode == "RGB" and target == 0
    np.testing.assert_array_equal(np.asarray(image), np.repeat(pixels["cat/x.png"][..., None],
                                                               3, axis=2))
    np.testing.assert_array_equal(np.asarray(ds[3][0]), pixels["dog/sub/c.bmp"])
    ds = datasets.ImageFolder(root, transform=transforms.ToTensor(), target_transform=str,
                              is_valid_file=lambda p: p.endswith("b.png"), allow_empty=True)
    assert len(ds) == 1 and ds[0][1] == "1" and tuple(ds[0][0].shape) == (3, 5, 4)


def test_dataset_folder_with_a_loader(tmp_path):
    for k, name in enumerate(("a/1.npy", "a/2.npy", "b/3.npy", "b/skip.txt")):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        np.save(tmp_path / name, np.full(3, k)) if name.endswith(".npy") else \
            (tmp_path / name).write_text("")
    ds = datasets.DatasetFolder(tmp_path, loader=np.load, extensions=(".npy",))
    assert ds.classes == ["a", "b"] and ds.targets == [0, 0, 1] and ds.extensions == (".npy",)
    np.testing.assert_array_equal(ds[2][0], [2, 2, 2])


def test_folder_errors(image_tree, tmp_path):
    root, _ = image_tree
    (root / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"Found no valid file for the classes empty\. "
                                                r"Supported extensions are: \.jpg, \.jpeg"):
        datasets.ImageFolder(root)
    assert len(datasets.ImageFolder(root, allow_empty=True).classes) == 3
    flat = tmp_path / "flat"
    flat.mkdir()
    _save(flat / "only.png", np.zeros((2, 2), np.uint8))
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder in .*flat"):
        datasets.ImageFolder(flat)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None or "
                                         "not None at the same time"):
        datasets.DatasetFolder(root, loader=np.load, extensions=(".png",),
                               is_valid_file=lambda p: True)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        datasets.DatasetFolder(root, loader=np.load)


def test_unreadable_and_truncated_images_name_the_file(image_tree):
    root, _ = image_tree
    (root / "cat" / "x.png").write_bytes(b"this is no png")
    ds = datasets.ImageFolder(root)
    with pytest.raises(OSError, match="x.png"):
        ds[0]
    png = (root / "dog" / "b.png")
    big = np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    _save(png, big)
    png.write_bytes(png.read_bytes()[:-200])
    with pytest.raises(OSError, match=r"b\.png"):
        ds[2]


# ----------------------------------------------------------------------------- FakeData


def test_fake_data():
    ds = datasets.FakeData(size=5, image_size=(3, 6, 4), num_classes=3,
                           transform=transforms.PILToTensor())
    minitorch.manual_seed(123)
    before = minitorch.rand(3)
    minitorch.manual_seed(123)
    image, target = ds[2]
    np.testing.assert_array_equal(minitorch.rand(3).numpy(), before.numpy())  # state restored
    assert tuple(image.shape) == (3, 6, 4) and image.dtype == minitorch.uint8
    assert type(target) is int and 0 <= target < 3
    again, _ = ds[2]
    np.testing.assert_array_equal(image.numpy(), again.numpy())
    minitorch.manual_seed(2)  # the construction: randn(*image_size) through ToPILImage
    expected = transforms.PILToTensor()(transforms.ToPILImage()(minitorch.randn(3, 6, 4)))
    np.testing.assert_array_equal(image.numpy(), expected.numpy())
    assert not np.array_equal(ds[1][0].numpy(), image.numpy())
    assert isinstance(datasets.FakeData(2, (1, 3, 3))[0][0], Image.Image)
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[5]


def test_restricted_unpickler_reads_python2_style_batches(tmp_path):
    """The published files were pickled by Python 2 (protocol 2): byte strings are
    ``SHORT_BINSTRING`` opcodes (``U``) and NumPy is named ``numpy.core.multiarray``. This
    stream is assembled opcode by opcode in that form."""
    raw = bytes([1, 2, 255])
    stream = (b"\x80\x02}q\x00(U\x04dataq\x01cnumpy.core.multiarray\n_reconstruct\nq\x02"
              b"cnumpy\nndarray\nq\x03K\x00\x85U\x01b\x87Rq\x04(K\x01K\x01K\x03\x86"
              b"cnumpy\ndtype\nq\x05U\x02u1K\x00K\x01\x87Rq\x06(K\x03U\x01|NNN"
              b"J\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tbI00\nU\x03" + raw +
              b"tbU\x06labelsq\x07]q\x08K\x07au.")
    path = tmp_path / "py2_batch"
    path.write_bytes(stream)
    loaded = load_pickle(path)
    assert loaded["labels"] == [7]
    assert loaded["data"].dtype == np.uint8
    np.testing.assert_array_equal(loaded["data"], [[1, 2, 255]])


def test_cifar_batches_built_at_once_equal_collated_items(tmp_path, skip_md5):
    from minitorch.utils.data import DataLoader, default_collate

    write_cifar(tmp_path, per_batch=3)
    pipeline = transforms.Compose([transforms.ToTensor(),
                                   transforms.Normalize((0.5, 0.4, 0.3), (0.2, 0.3, 0.4))])
    ds = datasets.CIFAR10(tmp_path, transform=pipeline)
    indices = [14, 0, 3, 3]
    fast = ds._gather_batch(indices)
    slow = default_collate([ds[i] for i in indices])
    for f, s in zip(fast, slow):
        assert f.dtype == s.dtype and tuple(f.shape) == tuple(s.shape)
        np.testing.assert_array_equal(f.numpy(), s.numpy())
    images, labels = next(iter(DataLoader(ds, batch_size=5)))
    assert tuple(images.shape) == (5, 3, 32, 32) and labels.tolist() == ds.targets[:5]
    ds.transform = transforms.Compose([transforms.RandomHorizontalFlip(), pipeline])
    assert ds._gather_batch([0]) is None  # random: item by item
