"""The device API (issue: GPU backend). Everything here runs without a GPU; the tests
marked ``cuda`` compare against PyTorch on CUDA and skip cleanly where CuPy/CUDA is absent."""

import numpy as np
import pytest

import minitorch

cuda = pytest.mark.skipif(not minitorch.cuda.is_available(), reason="needs CUDA and CuPy")


def test_device_objects_like_torch():
    torch = pytest.importorskip("torch")
    for spec in ("cpu", "cuda", "cuda:0", "cuda:1"):
        assert repr(minitorch.device(spec)) == repr(torch.device(spec))
        assert str(minitorch.device(spec)) == str(torch.device(spec))
    assert minitorch.device("cuda", 1) == minitorch.device("cuda:1")
    assert minitorch.device("cpu") == "cpu"
    assert minitorch.tensor([1.0]).device == minitorch.device("cpu")
    assert {minitorch.device("cpu"): 1}[minitorch.device("cpu")] == 1


def test_bad_device_string():
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda device type"):
        minitorch.device("tpu")
    with pytest.raises(RuntimeError, match="Invalid device string"):
        minitorch.device("cuda:x")


def test_device_argument_on_creation_functions_cpu():
    for make in (
        lambda d: minitorch.zeros(2, device=d),
        lambda d: minitorch.ones(2, device=d),
        lambda d: minitorch.empty(2, device=d),
        lambda d: minitorch.full((2,), 3.0, device=d),
        lambda d: minitorch.arange(3, device=d),
        lambda d: minitorch.linspace(0, 1, 3, device=d),
        lambda d: minitorch.eye(2, device=d),
        lambda d: minitorch.rand(2, device=d),
        lambda d: minitorch.randn(2, device=d),
        lambda d: minitorch.randint(0, 5, (2,), device=d),
        lambda d: minitorch.randperm(3, device=d),
        lambda d: minitorch.tensor([1.0], device=d),
        lambda d: minitorch.zeros_like(minitorch.ones(2), device=d),
    ):
        assert make("cpu").device.type == "cpu"
        assert make(minitorch.device("cpu")).device.type == "cpu"


@pytest.mark.skipif(minitorch.cuda.is_available(), reason="checks the no-CUDA behaviour")
def test_cuda_absent_is_a_clear_runtime_error():
    assert minitorch.cuda.is_available() is False
    assert minitorch.cuda.device_count() == 0
    minitorch.cuda.synchronize()  # a no-op, like torch without CUDA
    msg = "CUDA is not available"
    with pytest.raises(RuntimeError, match=msg):
        minitorch.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match=msg):
        minitorch.tensor([1.0]).cuda()
    with pytest.raises(RuntimeError, match=msg):
        minitorch.tensor([1.0]).to("cuda:0")
    with pytest.raises(RuntimeError, match=msg):
        minitorch.ones(2, device=minitorch.device("cuda"))


@pytest.mark.skipif(minitorch.cuda.is_available(), reason="checks the no-CUDA behaviour")
def test_accelerator_absent_matches_torch_cpu_build():
    """torch.accelerator on a machine without one: the quickstart's device line picks cpu."""
    torch = pytest.importorskip("torch")
    acc = minitorch.accelerator
    assert acc.is_available() is False
    assert acc.current_accelerator() is None and acc.current_accelerator(True) is None
    assert acc.device_count() == 0
    device = acc.current_accelerator().type if acc.is_available() else "cpu"
    assert minitorch.ones(2, device=device).device == minitorch.device("cpu")
    for name in ("current_device_index", "synchronize"):
        with pytest.raises(RuntimeError) as ours:
            getattr(acc, name)()
        if not torch.accelerator.is_available():
            with pytest.raises(RuntimeError) as theirs:
                getattr(torch.accelerator, name)()
            assert str(ours.value) == str(theirs.value)
    with pytest.raises(RuntimeError, match="none is available"):
        acc.set_device_index(0)


@cuda
def test_accelerator_is_cuda_when_a_gpu_is_usable():
    acc = minitorch.accelerator
    assert acc.is_available() is True
    assert acc.current_accelerator() == minitorch.device("cuda")
    assert acc.device_count() == minitorch.cuda.device_count() >= 1
    acc.set_device_index("cuda:0")
    assert acc.current_device_index() == 0
    x = minitorch.ones(3, device=acc.current_accelerator().type)
    acc.synchronize()
    assert x.device == minitorch.device("cuda:0")


def test_backends_switches_scripts_touch():
    """The 2024 Quickstart's device line and the usual cuDNN settings run unchanged."""
    torch = pytest.importorskip("torch")
    backends = minitorch.backends
    assert backends.mps.is_available() is False and backends.mps.is_built() is False
    device = (
        "cuda" if minitorch.cuda.is_available()
        else "mps" if backends.mps.is_available()
        else "cpu"
    )
    assert device == ("cuda" if minitorch.cuda.is_available() else "cpu")
    assert backends.cudnn.is_available() is False and backends.cudnn.version() is None
    for flag in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(backends.cudnn, flag) == getattr(torch.backends.cudnn, flag)
    old = backends.cudnn.benchmark, backends.cudnn.deterministic
    try:
        backends.cudnn.benchmark, backends.cudnn.deterministic = True, True
        from minitorch.backends import cudnn
        assert cudnn.benchmark is True and cudnn.deterministic is True
    finally:
        backends.cudnn.benchmark, backends.cudnn.deterministic = old


def test_to_cpu_is_identity_on_cpu():
    t = minitorch.tensor([1.0, 2.0])
    assert t.cpu() is t
    assert t.to("cpu") is t
    assert t.to("cpu", minitorch.float64).dtype == minitorch.float64


@cuda
def test_cuda_roundtrip_and_grad():
    torch = pytest.importorskip("torch")
    x = minitorch.randn(3, 4, device="cuda", requires_grad=True)
    assert x.device == minitorch.device("cuda:0")
    y = (x * 2).relu().sum()
    y.backward()
    tx = torch.tensor(x.detach().cpu().numpy(), device="cuda", requires_grad=True)
    (tx * 2).relu().sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), tx.grad.cpu().numpy())
    with pytest.raises(TypeError, match=r"\.cpu\(\)"):
        x.detach().numpy()


@cuda
def test_mixing_devices_raises():
    a = minitorch.ones(2, device="cuda")
    b = minitorch.ones(2)
    with pytest.raises(RuntimeError, match="same device"):
        a + b
