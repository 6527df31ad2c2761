"""minitorch.vision.models: torchvision's parameter counts, state_dict keys and shapes
(against hand-built torch references, torchvision not being installable), forward passes,
the course notes' edits, freezing, initialisation, and the pretrained-weights error."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.vision import models

torch.set_num_threads(1)

PUBLISHED = {  # torchvision's documented parameter counts (1000 classes)
    "alexnet": 61_100_840,
    "vgg11": 132_863_336,
    "vgg11_bn": 132_868_840,
    "vgg16": 138_357_544,
    "vgg16_bn": 138_365_992,
    "resnet18": 11_689_512,
    "resnet34": 21_797_672,
    "resnet50": 25_557_032,
    "squeezenet1_0": 1_248_424,
    "squeezenet1_1": 1_235_496,
    "densenet121": 7_978_856,
    "mobilenet_v2": 3_504_872,
}
BIG = ("alexnet", "vgg11", "vgg11_bn", "vgg16", "vgg16_bn")


@pytest.fixture
def cheap_init(monkeypatch):
    """Skip the random draws of the initialisers (a constant instead): building the
    100M-parameter VGGs and AlexNet then costs a memory fill, not seconds of sampling.
    Only for tests of architecture (counts, keys, shapes, edits), never of values."""
    def fill(self, *args, **kwargs):
        self._data.fill(0.01)
        return self

    monkeypatch.setattr(minitorch.Tensor, "uniform_", fill)
    monkeypatch.setattr(minitorch.Tensor, "normal_", fill)


@pytest.fixture
def no_init(monkeypatch):
    """Skip the initialisers' draws altogether (parameters keep their uninitialised
    memory, which is never touched): for counting parameters and reading shapes."""
    monkeypatch.setattr(minitorch.Tensor, "uniform_", lambda self, *a, **k: self)
    monkeypatch.setattr(minitorch.Tensor, "normal_", lambda self, *a, **k: self)


def _count(model) -> int:
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_parameter_counts_are_torchvisions(name, no_init) -> None:
    model = getattr(models, name)()
    assert _count(model) == PUBLISHED[name]


@pytest.mark.parametrize("name,size", [
    ("alexnet", 64), ("vgg11", 32), ("vgg11_bn", 32), ("vgg16_bn", 32),
    ("resnet34", 32), ("resnet50", 32), ("squeezenet1_0", 32), ("squeezenet1_1", 32),
    ("densenet121", 32), ("mobilenet_v2", 32),
])
def test_forward_on_a_small_image(name, size, request) -> None:
    """Real initialisation for the small models; the big ones (AlexNet, VGG) skip the
    sampling of their 100M parameters (see ``cheap_init``): this checks the shapes."""
    if name in BIG:
        request.getfixturevalue("cheap_init")
    model = getattr(models, name)(num_classes=10).eval()
    x = minitorch.tensor(np.random.default_rng(0).standard_normal((1, 3, size, size)),
                         dtype=minitorch.float32)
    with minitorch.no_grad():
        out = model(x)
    assert tuple(out.shape) == (1, 10)
    assert np.isfinite(out.numpy()).all()


# ----------------------------------------------------------- hand-built torch references
def _torch_resnet18(num_classes: int = 1000) -> torch.nn.Module:
    """torchvision's resnet18, written with torch.nn (same names, same order)."""
    tnn = torch.nn

    class Block(tnn.Module):
        def __init__(self, cin: int, cout: int, stride: int) -> None:
            super().__init__()
            self.conv1 = tnn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = tnn.BatchNorm2d(cout)
            self.relu = tnn.ReLU(inplace=True)
            self.conv2 = tnn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = tnn.BatchNorm2d(cout)
            self.downsample = None
            if stride != 1 or cin != cout:
                self.downsample = tnn.Sequential(tnn.Conv2d(cin, cout, 1, stride, bias=False),
                                                 tnn.BatchNorm2d(cout))

        def forward(self, x):
            idn = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            return self.relu(self.bn2(self.conv2(out)) + idn)

    class Net(tnn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = tnn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = tnn.BatchNorm2d(64)
            self.relu = tnn.ReLU(inplace=True)
            self.maxpool = tnn.MaxPool2d(3, 2, 1)
            chans = [(64, 64, 1), (64, 128, 2), (128, 256, 2), (256, 512, 2)]
            for i, (cin, cout, s) in enumerate(chans, start=1):
                setattr(self, f"layer{i}", tnn.Sequential(Block(cin, cout, s),
                                                          Block(cout, cout, 1)))
            self.avgpool = tnn.AdaptiveAvgPool2d((1, 1))
            self.fc = tnn.Linear(512, num_classes)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    return Net()


def _torch_vgg16_shapes() -> dict[str, tuple[int, ...]]:
    """torchvision's vgg16 state_dict keys and shapes, from a torch.nn build with the
    100M-parameter Linear layers on the meta device (no memory, no sampling)."""
    tnn = torch.nn
    layers, cin = [], 3
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M"]:
        if v == "M":
            layers.append(tnn.MaxPool2d(2, 2))
        else:
            layers += [tnn.Conv2d(cin, v, 3, padding=1), tnn.ReLU(True)]
            cin = v
    with torch.device("meta"):
        net = tnn.Module()
        net.features = tnn.Sequential(*layers)
        net.avgpool = tnn.AdaptiveAvgPool2d((7, 7))
        net.classifier = tnn.Sequential(
            tnn.Linear(512 * 7 * 7, 4096), tnn.ReLU(True), tnn.Dropout(),
            tnn.Linear(4096, 4096), tnn.ReLU(True), tnn.Dropout(), tnn.Linear(4096, 1000))
    return {k: tuple(v.shape) for k, v in net.state_dict().items()}


def _shapes(model) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def test_resnet18_state_dict_and_outputs_equal_a_torch_reference() -> None:
    ours, theirs = models.resnet18(), _torch_resnet18().double()
    assert list(ours.state_dict()) == list(theirs.state_dict())  # same keys, same order
    assert _shapes(ours) == _shapes(theirs)
    ours.double().load_state_dict({k: minitorch.tensor(v.numpy())
                                   for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((2, 3, 32, 32))
    for train in (True, False):  # batch statistics, then the running ones
        ours.train(train)
        theirs.train(train)
        xm = minitorch.tensor(x, requires_grad=True)
        xt = torch.tensor(x, requires_grad=True)
        out_m, out_t = ours(xm), theirs(xt)
        np.testing.assert_allclose(out_m.detach().numpy(), out_t.detach().numpy(), rtol=1e-9,
                                   atol=1e-9)
        up = np.random.default_rng(2).standard_normal((2, 1000))
        out_m.backward(minitorch.tensor(up))
        out_t.backward(torch.tensor(up))
        scale = np.abs(xt.grad.numpy()).max()  # gradients reach 1e3 through 18 layers
        np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-8,
                                   atol=1e-10 * scale)
        tw = theirs.conv1.weight.grad.numpy()
        np.testing.assert_allclose(ours.conv1.weight.grad.numpy(), tw, rtol=1e-8,
                                   atol=1e-10 * np.abs(tw).max())
        ours.zero_grad()
        theirs.zero_grad()
    for k, v in theirs.state_dict().items():  # the running statistics were updated alike
        np.testing.assert_allclose(ours.state_dict()[k].numpy(), v.numpy(), rtol=1e-9,
                                   atol=1e-12)


def test_vgg16_state_dict_equals_a_torch_reference(no_init) -> None:
    ours = models.vgg16()
    expected = _torch_vgg16_shapes()
    assert list(ours.state_dict()) == list(expected)
    assert _shapes(ours) == expected


# --------------------------------------------------------------------- the notes' edits
def test_course_notes_vgg16_classifier_edits(cheap_init) -> None:
    vgg16 = models.vgg16()
    vgg16.classifier.add_module("add_linear", nn.Linear(1000, 10))
    assert isinstance(vgg16.classifier.add_linear, nn.Linear) and len(vgg16.classifier) == 8
    assert "classifier.add_linear.weight" in vgg16.state_dict()
    vgg16 = models.vgg16()
    vgg16.classifier[6] = nn.Linear(4096, 10)
    assert tuple(vgg16.classifier[6].weight.shape) == (10, 4096)
    assert tuple(vgg16.state_dict()["classifier.6.weight"].shape) == (10, 4096)
    with minitorch.no_grad():
        out = vgg16.eval()(minitorch.zeros(1, 3, 32, 32))
    assert tuple(out.shape) == (1, 10)


def test_replace_fc_freeze_and_train_only_the_head() -> None:
    model = models.resnet18()
    assert model.fc.in_features == 512
    for p in model.parameters():
        p.requires_grad = False
    model.fc = nn.Linear(model.fc.in_features, 3)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert len(trainable) == 2
    opt = minitorch.optim.SGD(trainable, lr=0.1, momentum=0.9)
    model.eval()  # frozen batch norms keep their running statistics too
    x = minitorch.randn(2, 3, 32, 32)
    y = minitorch.tensor([0, 2])
    for _ in range(2):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    after = model.state_dict()
    changed = {k for k in before if not np.array_equal(before[k].numpy(), after[k].numpy())}
    assert changed == {"fc.weight", "fc.bias"}
    assert all(p.grad is None for n, p in model.named_parameters() if not n.startswith("fc."))


# ----------------------------------------------------------------------- initialisation
def test_torchvision_initialisation_schemes() -> None:
    r = models.resnet18()
    w = r.conv1.weight.detach().numpy()  # kaiming normal, fan_out = 64 * 7 * 7
    assert abs(w.std() / np.sqrt(2 / (64 * 49)) - 1) < 0.05 and abs(w.mean()) < 0.01
    assert np.all(r.bn1.weight.detach().numpy() == 1) and np.all(r.bn1.bias.detach().numpy() == 0)
    bound = 1 / np.sqrt(512)  # fc keeps nn.Linear's default
    assert np.abs(r.fc.weight.detach().numpy()).max() <= bound
    m = models.mobilenet_v2()
    lin = m.classifier[1].weight.detach().numpy()
    assert abs(lin.std() / 0.01 - 1) < 0.05 and np.all(m.classifier[1].bias.detach().numpy() == 0)
    s = models.squeezenet1_1()
    final = s.classifier[1].weight.detach().numpy()
    assert abs(final.std() / 0.01 - 1) < 0.05
    squeeze = s.features[3].squeeze.weight.detach().numpy()  # kaiming uniform, fan_in 64
    assert np.abs(squeeze).max() <= np.sqrt(6 / 64) and squeeze.std() > 0.8 * np.sqrt(2 / 64)
    d = models.densenet121()
    conv0 = d.features.conv0.weight.detach().numpy()  # kaiming normal, fan_in 3 * 7 * 7
    assert abs(conv0.std() / np.sqrt(2 / 147) - 1) < 0.05
    assert np.all(d.classifier.bias.detach().numpy() == 0)


def test_num_classes_and_module_names() -> None:
    m = models.densenet121(num_classes=7)
    assert m.classifier.out_features == 7
    keys = list(m.state_dict())
    assert keys[:3] == ["features.conv0.weight", "features.norm0.weight", "features.norm0.bias"]
    assert "features.denseblock4.denselayer16.conv2.weight" in keys
    assert "features.transition3.conv.weight" in keys and keys[-1] == "classifier.bias"
    mb = list(models.mobilenet_v2().state_dict())
    assert mb[:2] == ["features.0.0.weight", "features.0.1.weight"]
    assert "features.1.conv.0.0.weight" in mb and "features.2.conv.3.running_var" in mb
    assert "features.18.0.weight" in mb and mb[-1] == "classifier.1.bias"
    sq = list(models.squeezenet1_0(num_classes=5).state_dict())
    assert "features.3.expand3x3.weight" in sq and sq[-1] == "classifier.1.bias"


# ------------------------------------------------------------------ pretrained weights
ADVICE = r"(?s)no pretrained weights.*torch_interop.*state_dict_from_torch"


@pytest.mark.parametrize("weights", ["DEFAULT", "IMAGENET1K_V1"])
def test_pretrained_weights_raise_a_clear_error(weights) -> None:
    with pytest.raises(NotImplementedError, match=ADVICE) as info:
        models.resnet18(weights=weights)
    assert f"resnet18(weights='{weights}')" in str(info.value)


def test_pretrained_true_raises_after_torchvisions_deprecation_warning() -> None:
    with pytest.raises(NotImplementedError, match=ADVICE), \
            pytest.warns(UserWarning, match="'pretrained' is deprecated"):
        models.vgg16(pretrained=True)


def test_pretrained_false_builds_with_torchvisions_warning() -> None:
    with pytest.warns(UserWarning, match="'pretrained' is deprecated"):
        m = models.squeezenet1_1(pretrained=False, num_classes=4)
    assert m.num_classes == 4


def test_torchvision_weights_load_through_torch_interop() -> None:
    """The documented route: a torch state dict (here the reference resnet18's) converted
    with state_dict_from_torch loads strictly."""
    from minitorch.utils.torch_interop import state_dict_from_torch

    theirs = _torch_resnet18(num_classes=10)
    ours = models.resnet18(num_classes=10)
    ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))
    np.testing.assert_array_equal(ours.fc.weight.detach().numpy(), theirs.fc.weight.detach().numpy())
