"""minitorch.nn layers against torch.nn: the same parameters (copied from torch), the same
input, then outputs and the gradients of input and parameters; plus reprs, state dicts and
the Module API."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn

# Tiny inputs: torch's intra-op threads only add overhead (0.1 s per batch_norm call
# with 2 threads on a busy 2-core machine, against 1 ms with one).
torch.set_num_threads(1)

TOL = {np.float64: 1e-10, np.float32: 1e-5}
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same.")
TDTYPE = {np.float64: torch.float64, np.float32: torch.float32}


def to_mt(t: torch.Tensor, device: str = "cpu") -> minitorch.Tensor:
    return minitorch.tensor(t.detach().cpu().numpy(), device=device)


def copy_state(tmod: torch.nn.Module, mmod: nn.Module, device: str = "cpu") -> None:
    """Load torch's parameters and buffers into the minitorch module (strict)."""
    mmod.load_state_dict({k: to_mt(v, device) for k, v in tmod.state_dict().items()})


def close(m, t, tol: float) -> None:
    assert tuple(m.shape) == tuple(t.shape)
    assert str(m.device) == str(t.device), f"device {m.device} vs torch {t.device}"
    np.testing.assert_allclose(m.detach().cpu().numpy(), t.detach().cpu().numpy(), rtol=tol,
                               atol=tol)


def compare(tmod, mmod, shape, dtype=np.float64, rng=None, input_array=None, steps: int = 1,
            device: str = "cpu"):
    """Run both modules ``steps`` times on the same random input with a random upstream
    gradient on ``device``; compare outputs, input gradients and parameter gradients
    every step."""
    tol = TOL[dtype]
    rng = rng or np.random.default_rng(0)
    tmod.to(TDTYPE[dtype]).to(device)
    mmod.to(minitorch.float64 if dtype == np.float64 else minitorch.float32).to(device)
    copy_state(tmod, mmod, device)
    for _ in range(steps):
        x = input_array if input_array is not None else rng.standard_normal(shape).astype(dtype)
        xt = torch.tensor(x, requires_grad=x.dtype.kind == "f", device=device)
        xm = minitorch.tensor(x, requires_grad=x.dtype.kind == "f", device=device)
        out_t, out_m = tmod(xt), mmod(xm)
        close(out_m, out_t, tol)
        up = rng.standard_normal(tuple(out_t.shape)).astype(dtype)
        out_t.backward(torch.tensor(up, device=device))
        out_m.backward(minitorch.tensor(up, device=device))
        if xt.requires_grad:
            close(xm.grad, xt.grad, tol)
        mparams = dict(mmod.named_parameters())
        for name, p in tmod.named_parameters():
            if p.grad is None:
                assert mparams[name].grad is None
            else:
                close(mparams[name].grad, p.grad, tol)
        tmod.zero_grad()
        mmod.zero_grad()
    for name, b in tmod.named_buffers():
        close(dict(mmod.named_buffers())[name], b, tol)


# ------------------------------------------------------------------------------ layers
LAYERS = [
    ("Linear", lambda m: m.Linear(5, 3), (4, 5)),
    ("Linear_nobias_3d", lambda m: m.Linear(5, 3, bias=False), (2, 4, 5)),
    ("Linear_1d", lambda m: m.Linear(5, 2), (5,)),
    ("Conv2d", lambda m: m.Conv2d(3, 4, 3), (2, 3, 7, 6)),
    ("Conv2d_strided", lambda m: m.Conv2d(2, 4, (3, 2), stride=2, padding=1, bias=False),
     (2, 2, 7, 8)),
    ("Conv2d_groups", lambda m: m.Conv2d(4, 6, 3, padding=2, dilation=2, groups=2), (2, 4, 6, 6)),
    ("Conv2d_same", lambda m: m.Conv2d(3, 2, 4, padding="same"), (1, 3, 6, 5)),
    ("Conv2d_reflect", lambda m: m.Conv2d(3, 2, 3, padding=1, padding_mode="reflect"),
     (2, 3, 5, 5)),
    ("Conv2d_circular", lambda m: m.Conv2d(3, 2, 3, padding=(2, 1), padding_mode="circular"),
     (2, 3, 5, 5)),
    ("Conv2d_replicate", lambda m: m.Conv2d(3, 2, 3, padding=1, padding_mode="replicate"),
     (2, 3, 5, 5)),
    ("MaxPool2d", lambda m: m.MaxPool2d(2), (2, 3, 6, 6)),
    ("MaxPool2d_pad", lambda m: m.MaxPool2d(3, 2, 1, ceil_mode=True), (2, 3, 7, 6)),
    ("AvgPool2d", lambda m: m.AvgPool2d(2), (2, 3, 6, 6)),
    ("AvgPool2d_pad", lambda m: m.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 3, 7, 6)),
    ("AdaptiveAvgPool2d", lambda m: m.AdaptiveAvgPool2d((3, 2)), (2, 3, 7, 5)),
    ("ReLU", lambda m: m.ReLU(), (3, 4)),
    ("LeakyReLU", lambda m: m.LeakyReLU(0.1), (3, 4)),
    ("ELU", lambda m: m.ELU(), (3, 4)),
    ("GELU", lambda m: m.GELU(), (3, 4)),
    ("GELU_tanh", lambda m: m.GELU(approximate="tanh"), (3, 4)),
    ("Sigmoid", lambda m: m.Sigmoid(), (3, 4)),
    ("Tanh", lambda m: m.Tanh(), (3, 4)),
    ("SiLU", lambda m: m.SiLU(), (3, 4)),
    ("Softplus", lambda m: m.Softplus(beta=2.0), (3, 4)),
    ("Hardtanh", lambda m: m.Hardtanh(-0.5, 0.5), (3, 4)),
    ("ReLU6", lambda m: m.ReLU6(), (3, 4)),
    ("Softmax", lambda m: m.Softmax(dim=1), (3, 4)),
    ("LogSoftmax", lambda m: m.LogSoftmax(dim=-1), (3, 4)),
    ("Flatten", lambda m: m.Flatten(), (2, 3, 4)),
    ("Flatten_range", lambda m: m.Flatten(0, 1), (2, 3, 4)),
    ("Unflatten", lambda m: m.Unflatten(1, (2, 2)), (3, 4)),
    ("Identity", lambda m: m.Identity(7, foo=1), (3, 4)),
    ("LayerNorm", lambda m: m.LayerNorm(4), (3, 4)),
    ("LayerNorm_2d", lambda m: m.LayerNorm((3, 4), eps=1e-3), (2, 3, 4)),
    ("LayerNorm_noaffine", lambda m: m.LayerNorm(4, elementwise_affine=False), (3, 4)),
    ("LayerNorm_nobias", lambda m: m.LayerNorm(4, bias=False), (2, 3, 4)),
    ("Dropout_eval_p0", lambda m: m.Dropout(0.0), (3, 4)),
    ("Dropout2d_p0", lambda m: m.Dropout2d(0.0), (2, 3, 4, 4)),
    ("Dropout1d_p0", lambda m: m.Dropout1d(0.0), (2, 3, 4)),
    ("Dropout3d_p0_unbatched", lambda m: m.Dropout3d(0.0), (3, 2, 2, 2)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,make,shape", LAYERS, ids=[x[0] for x in LAYERS])
def test_layer_matches_torch(name, make, shape, dtype, rng, device) -> None:
    tmod, mmod = make(torch.nn), make(nn)
    compare(tmod, mmod, shape, dtype, rng, device=device)


def _perturb(tmod: torch.nn.Module) -> None:
    """Give BatchNorm's affine parameters non-trivial values."""
    with torch.no_grad():
        for p in tmod.parameters():
            p.normal_()


BATCHNORMS = [
    ("1d", lambda m, **kw: m.BatchNorm1d(3, **kw), (6, 3)),
    ("1d_seq", lambda m, **kw: m.BatchNorm1d(3, **kw), (4, 3, 5)),
    ("2d", lambda m, **kw: m.BatchNorm2d(3, **kw), (4, 3, 3, 2)),
]
BN_OPTIONS = [
    {},
    {"momentum": None},
    {"momentum": 0.5, "eps": 1e-3},
    {"affine": False},
    {"bias": False},
    {"track_running_stats": False},
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("options", BN_OPTIONS, ids=lambda o: ",".join(o) or "default")
@pytest.mark.parametrize("name,make,shape", BATCHNORMS, ids=[x[0] for x in BATCHNORMS])
def test_batchnorm_train_then_eval(name, make, shape, options, dtype, rng) -> None:
    tmod, mmod = make(torch.nn, **options), make(nn, **options)
    _perturb(tmod)
    compare(tmod, mmod, shape, dtype, rng, steps=3)  # training: batch stats, running update
    if options.get("track_running_stats", True):
        assert int(mmod.num_batches_tracked) == 3
    tmod.eval()
    mmod.eval()
    compare(tmod, mmod, shape, dtype, rng, steps=2)  # eval: running statistics (unchanged)


def test_batchnorm_input_dims() -> None:
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        nn.BatchNorm2d(3)(minitorch.randn(2, 3, 4))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.BatchNorm1d(3)(minitorch.randn(2, 3, 4, 4))


@pytest.mark.parametrize("padding_idx", [None, 0, -2])
def test_embedding_matches_torch(padding_idx, rng) -> None:
    idx = np.array([[0, 4, 2], [4, 4, 1]])
    tmod, mmod = torch.nn.Embedding(5, 3, padding_idx), nn.Embedding(5, 3, padding_idx)
    compare(tmod.double(), mmod, None, np.float64, rng, input_array=idx)
    if padding_idx is not None:
        row = mmod.padding_idx
        assert mmod.padding_idx == tmod.padding_idx
        fresh = nn.Embedding(5, 3, padding_idx).weight.detach().numpy()
        np.testing.assert_array_equal(fresh[row], 0.0)


def test_embedding_from_pretrained() -> None:
    w = minitorch.randn(4, 2)
    emb = nn.Embedding.from_pretrained(w)
    assert not emb.weight.requires_grad
    np.testing.assert_array_equal(emb(minitorch.tensor([3])).numpy()[0], w.numpy()[3])


def test_dropout_module_train_eval() -> None:
    drop = nn.Dropout(0.5)
    x = minitorch.ones(100, 100)
    y = drop(x).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0} and abs((y != 0).mean() - 0.5) < 0.03
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).numpy(), 0.0)
    drop.eval()
    assert drop(x) is x
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(-0.1)


def test_inplace_relu_module_changes_input() -> None:
    x = minitorch.tensor([-1.0, 2.0])
    y = nn.ReLU(inplace=True)(x)
    assert y is x
    assert x.tolist() == [0.0, 2.0]


# --------------------------------------------------------------------------------- repr
def _models(m):
    """A nested model built from either library's ``nn``."""

    class Net(m.Module):
        def __init__(self):
            super().__init__()
            self.features = m.Sequential(
                m.Conv2d(1, 8, 3, padding=1), m.BatchNorm2d(8), m.ReLU(inplace=True),
                m.MaxPool2d(2), m.Dropout(0.25),
            )
            self.blocks = m.ModuleList([m.Linear(4, 4) for _ in range(3)] + [m.GELU()])
            self.heads = m.ModuleDict({"cls": m.Linear(8, 10), "aux": m.Identity()})
            self.emb = m.Embedding(10, 4, padding_idx=0)
            self.norm = m.LayerNorm(4)

        def forward(self, x):
            return self.heads["cls"](self.features(x).mean((2, 3)))

    return Net()


REPRS = [
    lambda m: m.Linear(3, 2, bias=False),
    lambda m: m.Conv2d(1, 16, 5),
    lambda m: m.Conv2d(3, 8, (3, 5), stride=2, padding=(1, 2), dilation=2, groups=1,
                       bias=False, padding_mode="reflect"),
    lambda m: m.Conv2d(4, 4, 3, padding="same", groups=4),
    lambda m: m.MaxPool2d(2),
    lambda m: m.MaxPool2d(3, 1, 1, ceil_mode=True),
    lambda m: m.AvgPool2d(2, 1),
    lambda m: m.AdaptiveAvgPool2d((1, 1)),
    lambda m: m.ReLU(),
    lambda m: m.ReLU(inplace=True),
    lambda m: m.LeakyReLU(0.2, inplace=True),
    lambda m: m.ELU(),
    lambda m: m.GELU(approximate="tanh"),
    lambda m: m.Sigmoid(),
    lambda m: m.Softmax(dim=1),
    lambda m: m.LogSoftmax(1),
    lambda m: m.Softplus(),
    lambda m: m.Hardtanh(),
    lambda m: m.ReLU6(),
    lambda m: m.SiLU(),
    lambda m: m.Flatten(),
    lambda m: m.Unflatten(1, (2, 3)),
    lambda m: m.Identity(),
    lambda m: m.Dropout(),
    lambda m: m.BatchNorm1d(4, momentum=None, affine=False),
    lambda m: m.BatchNorm2d(16),
    lambda m: m.LayerNorm((2, 3), elementwise_affine=False),
    lambda m: m.Embedding(10, 3),
    lambda m: m.Embedding(10, 3, padding_idx=1),
    lambda m: m.Sequential(),
    lambda m: m.ModuleList(),
    lambda m: m.Sequential(OrderedDict([("fc", m.Linear(2, 2)), ("act", m.Tanh())])),
    _models,
]


@pytest.mark.parametrize("make", REPRS)
def test_repr_matches_torch(make) -> None:
    assert repr(make(nn)) == repr(make(torch.nn))


def test_parameter_repr_and_type() -> None:
    p = nn.Parameter(minitorch.tensor([1.0, 2.0]))
    tp = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(p) == repr(tp)
    assert isinstance(p, minitorch.Tensor) and p.requires_grad and p.is_leaf
    assert type(p * 2) is minitorch.Tensor
    frozen = nn.Parameter(minitorch.ones(2), requires_grad=False)
    assert not frozen.requires_grad
    assert nn.Parameter().shape == (0,)
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(minitorch.tensor([1, 2]))


def test_parameter_list_and_dict_repr() -> None:
    for make in (
        lambda m, t: m.ParameterList([m.Parameter(t.ones(2, 3)), m.Parameter(t.zeros(4))]),
        lambda m, t: m.ParameterDict({"a": m.Parameter(t.ones(2))}),
    ):
        text = repr(make(torch.nn, torch)).replace("torch.", "minitorch.")
        assert repr(make(nn, minitorch)) == text


# --------------------------------------------------------------------------- state dict
def test_state_dict_keys_and_shapes_match_torch() -> None:
    mmodel, tmodel = _models(nn), _models(torch.nn)
    msd, tsd = mmodel.state_dict(), tmodel.state_dict()
    assert list(msd) == list(tsd)
    for k in tsd:
        assert tuple(msd[k].shape) == tuple(tsd[k].shape), k
        assert not msd[k].requires_grad
    assert msd["features.1.num_batches_tracked"].dtype == minitorch.int64
    # values are detached views: they share memory with the parameters
    w = mmodel.features[0].weight
    assert np.shares_memory(msd["features.0.weight"].numpy(), w.detach().numpy())
    assert mmodel.state_dict(keep_vars=True)["features.0.weight"] is w


def test_load_state_dict_roundtrip_and_forward_equal(rng) -> None:
    tmodel, mmodel = _models(torch.nn).eval(), _models(nn).eval()
    result = mmodel.load_state_dict({k: to_mt(v) for k, v in tmodel.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    x = rng.standard_normal((2, 1, 6, 6)).astype(np.float32)
    close(mmodel(minitorch.tensor(x)), tmodel(torch.tensor(x)), 1e-5)


def test_load_state_dict_strict_errors() -> None:
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 2)

    net = Net()
    sd = net.state_dict()
    del sd["fc.bias"]
    sd["extra"] = minitorch.zeros(1)
    with pytest.raises(RuntimeError) as err:
        net.load_state_dict(sd)
    assert str(err.value) == (
        'Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "fc.bias". '
        '\n\tUnexpected key(s) in state_dict: "extra". '
    )
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["fc.bias"] and result.unexpected_keys == ["extra"]
    with pytest.raises(RuntimeError, match=(
        r"size mismatch for fc.weight: copying a param with shape minitorch.Size\(\[3, 3\]\) "
        r"from checkpoint, the shape in current model is minitorch.Size\(\[2, 3\]\)\."
    )):
        net.load_state_dict({"fc.weight": minitorch.zeros(3, 3), "fc.bias": minitorch.zeros(2)})


def test_load_state_dict_copies_in_place() -> None:
    lin = nn.Linear(2, 2)
    weight = lin.weight
    lin.load_state_dict({"weight": minitorch.ones(2, 2), "bias": minitorch.zeros(2)})
    assert lin.weight is weight and weight.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert weight.requires_grad and weight.is_leaf


def test_non_persistent_buffer_not_in_state_dict() -> None:
    m = nn.Module()
    m.register_buffer("kept", minitorch.zeros(2))
    m.register_buffer("temp", minitorch.ones(2), persistent=False)
    assert list(m.state_dict()) == ["kept"]
    assert [n for n, _ in m.named_buffers()] == ["kept", "temp"]


# ---------------------------------------------------------------------------- containers
def test_sequential_indexing_and_editing() -> None:
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c]
    assert list(sub._modules) == ["1", "2"]  # slices keep the names, like PyTorch
    with pytest.raises(IndexError, match="index 3 is out of range"):
        seq[3]
    d = nn.Tanh()
    seq[1] = d
    assert seq[1] is d
    del seq[0]
    assert list(seq._modules) == ["0", "1"] and seq[0] is d
    seq.append(b).insert(0, a)
    assert list(seq) == [a, d, c, b]
    seq.extend([nn.Identity()])
    assert len(seq) == 5 and [n for n, _ in seq.named_children()] == ["0", "1", "2", "3", "4"]
    named = nn.Sequential(OrderedDict([("fc", a), ("act", b)]))
    assert named.fc is a and [n for n, _ in named.named_parameters()] == ["fc.weight", "fc.bias"]
    out = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))(minitorch.randn(4, 2))
    assert out.shape == (4, 1)


def test_module_list_and_dict() -> None:
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    layers.append(nn.ReLU())
    layers.insert(0, nn.Tanh())
    assert isinstance(layers[0], nn.Tanh) and isinstance(layers[-1], nn.ReLU)
    del layers[0]
    assert len(layers) == 4 and list(layers._modules) == ["0", "1", "2", "3"]
    layers += [nn.Identity()]
    assert len(layers) == 5
    d = nn.ModuleDict({"a": nn.Linear(1, 1)})
    d["b"] = nn.ReLU()
    assert list(d) == ["a", "b"] and "a" in d and len(d) == 2
    assert [k for k, _ in d.named_parameters()] == ["a.weight", "a.bias"]
    assert isinstance(d.pop("b"), nn.ReLU) and list(d.keys()) == ["a"]


def test_parameter_list_registers() -> None:
    pl = nn.ParameterList([minitorch.ones(2), nn.Parameter(minitorch.zeros(3))])
    assert len(pl) == 2 and isinstance(pl[0], nn.Parameter)
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    pd = nn.ParameterDict({"w": minitorch.ones(2)})
    assert [n for n, _ in pd.named_parameters()] == ["w"]


# ---------------------------------------------------------------------------- Module API
class Block(nn.Module):
    def __init__(self, shared: nn.Linear) -> None:
        super().__init__()
        self.shared = shared
        self.own = nn.Linear(2, 2)
        self.register_buffer("count", minitorch.zeros(1))

    def forward(self, x):
        return self.own(self.shared(x))


class Tree(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        shared = nn.Linear(2, 2)
        self.left = Block(shared)
        self.right = Block(shared)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        return self.drop(self.left(x) + self.right(x))


def test_named_modules_and_parameters_dedup() -> None:
    tree = Tree()
    names = [n for n, _ in tree.named_modules()]
    assert names == ["", "left", "left.shared", "left.own", "right", "right.own", "drop"]
    assert len([n for n, _ in tree.named_modules(remove_duplicate=False)]) == 8
    pnames = [n for n, _ in tree.named_parameters()]
    assert pnames == ["left.shared.weight", "left.shared.bias", "left.own.weight",
                      "left.own.bias", "right.own.weight", "right.own.bias"]
    assert len(list(tree.named_parameters(remove_duplicate=False))) == 8
    assert len(list(tree.parameters(recurse=False))) == 0
    assert [n for n, _ in tree.named_buffers()] == ["left.count", "right.count"]
    assert [n for n, _ in tree.named_children()] == ["left", "right", "drop"]
    assert list(tree.left.children()) == [tree.left.shared, tree.left.own]
    assert tree.get_submodule("left.own") is tree.left.own
    assert tree.get_parameter("right.own.bias") is tree.right.own.bias
    # the same traversal as torch's, for the same structure
    t_names = [n for n, _ in torch.nn.Sequential(torch.nn.Linear(1, 1)).named_modules()]
    assert t_names == [n for n, _ in nn.Sequential(nn.Linear(1, 1)).named_modules()]


def test_attribute_registration_rules() -> None:
    m = nn.Module()
    m.w = nn.Parameter(minitorch.ones(2))
    m.sub = nn.Linear(1, 1)
    m.plain = minitorch.ones(2)  # a plain tensor attribute is neither parameter nor buffer
    assert list(m._parameters) == ["w"] and list(m._modules) == ["sub"]
    assert "plain" not in m._buffers and len(list(m.parameters())) == 3
    with pytest.raises(TypeError, match="cannot assign 'minitorch.FloatTensor' as parameter 'w'"):
        m.w = minitorch.ones(2)
    m.w = None
    assert m.w is None and len(list(m.parameters())) == 2
    del m.sub
    assert not hasattr(m, "sub") and len(list(m.parameters())) == 0
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'missing'"):
        m.missing  # noqa: B018
    with pytest.raises(KeyError, match="attribute 'plain' already exists"):
        m.register_buffer("plain", minitorch.zeros(1))

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(minitorch.ones(1))
            super().__init__()

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Early()


def test_train_eval_propagate() -> None:
    tree = Tree()
    assert all(m.training for m in tree.modules())
    assert tree.eval() is tree
    assert not any(m.training for m in tree.modules())
    tree.train()
    assert all(m.training for m in tree.modules())
    tree.left.train(False)
    assert not tree.left.own.training and tree.right.own.training


def test_zero_grad_and_requires_grad() -> None:
    lin = nn.Linear(3, 2)
    lin(minitorch.randn(4, 3)).sum().backward()
    assert lin.weight.grad is not None
    lin.zero_grad(set_to_none=False)
    assert lin.weight.grad.tolist() == [[0.0] * 3] * 2
    lin.zero_grad()
    assert lin.weight.grad is None and lin.bias.grad is None
    lin.requires_grad_(False)
    assert not any(p.requires_grad for p in lin.parameters())


def test_to_dtype_keeps_parameter_identity() -> None:
    bn = nn.BatchNorm1d(3)
    params = list(bn.parameters())
    assert bn.to(minitorch.float64) is bn
    assert [p is q for p, q in zip(params, bn.parameters())] == [True, True]
    assert all(p.dtype == minitorch.float64 and isinstance(p, nn.Parameter)
               for p in bn.parameters())
    assert bn.running_mean.dtype == minitorch.float64
    assert bn.num_batches_tracked.dtype == minitorch.int64  # integer buffers stay integer
    bn.float()
    assert bn.weight.dtype == minitorch.float32 and bn.running_var.dtype == minitorch.float32
    bn.double().cpu()
    assert bn(minitorch.randn(4, 3, dtype=minitorch.float64)).dtype == minitorch.float64
    with pytest.raises(TypeError, match="only accepts floating point dtypes"):
        bn.to(minitorch.int64)


def test_hooks_run_and_can_replace() -> None:
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda mod, args: calls.append(("pre", mod)) or None)
    h2 = lin.register_forward_hook(lambda mod, args, out: out * 0)
    out = lin(minitorch.ones(1, 2))
    assert calls == [("pre", lin)] and out.tolist() == [[0.0, 0.0]]
    h2.remove()
    h1.remove()
    h3 = lin.register_forward_pre_hook(lambda mod, args: args[0] * 0)
    np.testing.assert_allclose(lin(minitorch.ones(1, 2)).detach().numpy()[0],
                               lin.bias.detach().numpy())
    h3.remove()
    assert len(calls) == 1


def test_apply_and_module_without_forward() -> None:
    seen = []
    Tree().apply(lambda m: seen.append(type(m).__name__))
    # children() is per module, so the shared Linear is visited from both blocks
    assert seen == ["Linear", "Linear", "Block", "Linear", "Linear", "Block", "Dropout", "Tree"]
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        nn.Module()(1)


def test_training_step_matches_torch(rng) -> None:
    """A small CNN, same weights, one SGD step by hand: losses and new weights agree."""

    def make(m):
        return m.Sequential(m.Conv2d(1, 4, 3), m.BatchNorm2d(4), m.ReLU(), m.MaxPool2d(2),
                            m.Flatten(), m.Linear(4 * 3 * 3, 5), m.LogSoftmax(dim=1))

    tmodel, mmodel = make(torch.nn).double(), make(nn).double()
    copy_state(tmodel, mmodel)
    x = rng.standard_normal((8, 1, 8, 8))
    for _ in range(2):
        lt = tmodel(torch.tensor(x)).square().mean()
        lm = mmodel(minitorch.tensor(x)).square().mean()
        assert abs(lt.item() - lm.item()) < 1e-10
        lt.backward()
        lm.backward()
        with torch.no_grad():
            for p in tmodel.parameters():
                p -= 0.1 * p.grad
        with minitorch.no_grad():
            for p in mmodel.parameters():
                p -= 0.1 * p.grad
        tmodel.zero_grad()
        mmodel.zero_grad()
    for k, v in tmodel.state_dict().items():
        close(mmodel.state_dict()[k], v, 1e-9)
