"""Recurrent layers and ``nn.utils.rnn`` against PyTorch.

Every layer test builds the torch module, copies its weights into minitorch's through
``torch_interop``, runs both on the same input (padded, unbatched or packed) and initial
states, back-propagates the same random upstream gradients from the output and the
final states, and compares the outputs, the final states and the gradients of the
input, the initial states and every parameter.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.autograd import gradcheck, gradgradcheck
from minitorch.nn.utils import rnn as mrnn
from minitorch.ops import rnn as R
from minitorch.utils.torch_interop import state_dict_from_torch, state_dict_to_torch

torch.set_num_threads(1)  # tiny inputs: threads only add overhead
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported")

TOL = {np.float64: 1e-10, np.float32: 2e-5}
TDT = {np.float64: torch.float64, np.float32: torch.float32}
MDT = {np.float64: minitorch.float64, np.float32: minitorch.float32}
INPUT, HIDDEN, PROJ, STEPS, BATCH = 3, 4, 2, 4, 3
LENGTHS = [2, 4, 1]  # the packed cases: unsorted, so the batch gets sorted and unsorted


def _pair(kind: str, dtype, **options):
    """A torch module and a minitorch one with the same (torch-drawn) weights."""
    name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN", "LSTM_PROJ": "LSTM"}.get(kind, kind)
    if kind == "RNN_RELU":
        options["nonlinearity"] = "relu"
    if kind == "LSTM_PROJ":
        options["proj_size"] = PROJ
    t = getattr(torch.nn, name)(INPUT, HIDDEN, **options).to(TDT[dtype])
    m = getattr(nn, name)(INPUT, HIDDEN, **options).to(MDT[dtype])
    m.load_state_dict(state_dict_from_torch(t.state_dict()))
    return t, m


def _leaf(lib, array):
    return lib.tensor(array, requires_grad=True)


def close(m, t, tol) -> None:
    assert tuple(m.shape) == tuple(t.shape)
    np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


def _run(lib, module, x, states, layout: str, batch_first: bool):
    """Forward ``x`` through ``module``; returns (padded output, list of final states)."""
    utils = torch.nn.utils.rnn if lib is torch else mrnn
    hx = None if states is None else (tuple(states) if len(states) == 2 else states[0])
    if layout == "packed":
        packed = utils.pack_padded_sequence(x, LENGTHS, batch_first=batch_first,
                                            enforce_sorted=False)
        out, final = module(packed, hx)
        assert isinstance(out, utils.PackedSequence)
        out, lengths = utils.pad_packed_sequence(out, batch_first=batch_first)
        assert lengths.tolist() == LENGTHS
    else:
        out, final = module(x, hx)
    return out, list(final) if isinstance(final, tuple) else [final]


OPTIONS = list(itertools.product(
    ["RNN_TANH", "RNN_RELU", "LSTM", "LSTM_PROJ", "GRU"],
    [1, 2],  # num_layers (2 layers: dropout 0.25, in eval mode)
    [True, False],  # bias
    [False, True],  # batch_first
    [False, True],  # bidirectional
    [False, True],  # initial states given
    ["batched", "unbatched", "packed"],
))
CONFIGS = [(*o, np.float64) for o in OPTIONS] + [  # float32: the cases with every option on
    (*o, np.float32) for o in OPTIONS if (o[1], o[2], o[5]) == (2, True, True)]


@pytest.mark.parametrize("kind,layers,bias,batch_first,bidirectional,with_hx,layout,dtype",
                         CONFIGS)
def test_layer_matches_torch(kind, layers, bias, batch_first, bidirectional, with_hx, layout,
                             dtype) -> None:
    rng = np.random.default_rng(hash((kind, layers, bias, batch_first, bidirectional)) % 2**32)
    options = {"num_layers": layers, "bias": bias, "batch_first": batch_first,
                   "bidirectional": bidirectional, "dropout": 0.25 if layers > 1 else 0.0}
    t, m = _pair(kind, dtype, **options)
    if layers > 1:  # dropout between layers is off in evaluation mode
        t.eval()
        m.eval()
    shape = (STEPS, BATCH, INPUT) if not batch_first else (BATCH, STEPS, INPUT)
    if layout == "unbatched":
        shape = (STEPS, INPUT)
    x = rng.standard_normal(shape).astype(dtype)
    directions = 2 if bidirectional else 1
    h_size = PROJ if kind == "LSTM_PROJ" else HIDDEN
    state_shapes = [(layers * directions, BATCH, h_size)]
    if kind.startswith("LSTM"):
        state_shapes.append((layers * directions, BATCH, HIDDEN))
    if layout == "unbatched":
        state_shapes = [(s[0], s[2]) for s in state_shapes]
    states = [rng.standard_normal(s).astype(dtype) for s in state_shapes] if with_hx else None

    results = {}
    for lib, module in ((torch, t), (minitorch, m)):
        xs = _leaf(lib, x)
        hs = None if states is None else [_leaf(lib, s) for s in states]
        out, finals = _run(lib, module, xs, hs, layout, batch_first)
        results[lib.__name__] = (xs, hs, out, finals, module)
    (xt, ht, out_t, fin_t, _), (xm, hm, out_m, fin_m, _) = results.values()
    tol = TOL[dtype]
    close(out_m, out_t, tol)
    for a, b in zip(fin_m, fin_t):
        close(a, b, tol)
    ups = [rng.standard_normal(tuple(o.shape)).astype(dtype) for o in [out_t, *fin_t]]
    for lib, (_, _, out, finals, _) in results.items():
        lib = torch if lib == "torch" else minitorch
        loss = sum((o * lib.tensor(u)).sum() for o, u in zip([out, *finals], ups))
        loss.backward()
    close(xm.grad, xt.grad, tol)
    for a, b in zip(hm or [], ht or []):
        close(a.grad, b.grad, tol)
    mparams = dict(m.named_parameters())
    assert list(mparams) == [n for n, _ in t.named_parameters()]
    for name, p in t.named_parameters():
        close(mparams[name].grad, p.grad, tol * 10)


@pytest.mark.parametrize("kind", ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("with_hx", [False, True])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cell_matches_torch(kind, bias, with_hx, batched, dtype, rng) -> None:
    name = {"RNN_TANH": "RNNCell", "RNN_RELU": "RNNCell"}.get(kind, kind + "Cell")
    options = {"nonlinearity": "relu"} if kind == "RNN_RELU" else {}
    t = getattr(torch.nn, name)(INPUT, HIDDEN, bias=bias, **options).to(TDT[dtype])
    m = getattr(nn, name)(INPUT, HIDDEN, bias=bias, **options).to(MDT[dtype])
    m.load_state_dict(state_dict_from_torch(t.state_dict()))
    lead = (BATCH,) if batched else ()
    x = rng.standard_normal(lead + (INPUT,)).astype(dtype)
    states = [rng.standard_normal(lead + (HIDDEN,)).astype(dtype)
              for _ in range(2 if kind == "LSTM" else 1)] if with_hx else None
    got = {}
    for lib, module in ((torch, t), (minitorch, m)):
        xs = _leaf(lib, x)
        hs = None if states is None else [_leaf(lib, s) for s in states]
        out = module(xs, None if hs is None else (tuple(hs) if kind == "LSTM" else hs[0]))
        outs = list(out) if isinstance(out, tuple) else [out]
        loss = sum((o * lib.tensor(np.full(tuple(o.shape), k + 0.5, dtype))
                    * lib.tensor(x.sum() if k else 1.0)).sum() for k, o in enumerate(outs))
        loss.backward()
        got[lib.__name__] = (xs, hs, outs, module)
    (xt, ht, ot, _), (xm, hm, om, _) = got.values()
    tol = TOL[dtype]
    for a, b in zip(om, ot):
        close(a, b, tol)
    close(xm.grad, xt.grad, tol)
    for a, b in zip(hm or [], ht or []):
        close(a.grad, b.grad, tol)
    mparams = dict(m.named_parameters())
    for n, p in t.named_parameters():
        close(mparams[n].grad, p.grad, tol * 10)


# ------------------------------------------------------------------- second derivatives
@pytest.mark.parametrize("kind", ["RNN_TANH", "RNN_RELU", "LSTM", "LSTM_PROJ", "GRU"])
def test_second_derivatives_match_torch(kind, rng) -> None:
    """d/dW of (d loss/d x . v): the backward pass differentiated again, against torch."""
    t, m = _pair(kind, np.float64, bidirectional=True)
    x = rng.standard_normal((STEPS, BATCH, INPUT))
    u, v = rng.standard_normal((2, STEPS, BATCH, INPUT))
    second = {}
    for lib, module in ((torch, t), (minitorch, m)):
        xs = _leaf(lib, x)
        out = module(xs)[0]
        loss = (out * out).sum() + (out.sum(-1) * lib.tensor(u[..., 0])).sum()
        (gx,) = lib.autograd.grad(loss, [xs], create_graph=True)
        (gx * lib.tensor(v)).sum().backward()
        second[lib.__name__] = (gx, xs.grad, dict(module.named_parameters()))
    (gx_t, gxx_t, pt), (gx_m, gxx_m, pm) = second.values()
    close(gx_m, gx_t, 1e-10)
    close(gxx_m, gxx_t, 1e-9)
    for name, p in pt.items():
        close(pm[name].grad, p.grad, 1e-9)


@pytest.mark.parametrize("op,width,extra", [
    (R.RNNTanhLayer, 1, None), (R.RNNReluLayer, 1, None), (R.GRULayer, 3, "b_hh"),
    (R.GRULayer, 3, None),
])
@pytest.mark.parametrize("batch_sizes,reverse", [((2, 1), False), ((2, 1), True)])
def test_layer_ops_gradcheck_and_gradgradcheck(op, width, extra, batch_sizes, reverse) -> None:
    """Tiny packed sequences (a sequence ends, or joins in reverse) through the raw ops."""
    rng = np.random.default_rng(1)
    hidden = 2
    rows, batch = sum(batch_sizes), batch_sizes[0]

    def leaf(*shape):
        return minitorch.tensor(0.6 * rng.standard_normal(shape), requires_grad=True)

    inputs = [leaf(rows, width * hidden), leaf(batch, hidden), leaf(width * hidden, hidden)]
    if extra == "b_hh":
        inputs.append(leaf(width * hidden))

    def f(*args):
        weights = list(args[2:])
        if op is R.GRULayer and len(weights) == 1:
            weights.append(None)  # no recurrent bias
        return op.apply(args[0], args[1], *weights, batch_sizes, reverse)

    assert gradcheck(f, tuple(inputs))
    assert gradgradcheck(f, tuple(inputs))


@pytest.mark.parametrize("proj,bias", [(None, True), (None, False), (1, True)])
@pytest.mark.parametrize("batch_sizes,reverse", [((2, 1), False), ((2, 1), True),
                                                 ((2, 2), False), ((2, 2), True)])
def test_lstm_op_gradcheck_and_gradgradcheck(proj, bias, batch_sizes, reverse) -> None:
    """The LSTM op (input projection included) on tiny packed sequences: first order
    through the fast backward (no projection) or the shared lines, second order through
    the shared lines."""
    rng = np.random.default_rng(1)
    hidden, n_in = 2, 3
    rows, batch = sum(batch_sizes), batch_sizes[0]
    h_dim = proj or hidden

    def leaf(*shape):
        return minitorch.tensor(0.6 * rng.standard_normal(shape), requires_grad=True)

    inputs = [leaf(rows, n_in), leaf(batch, h_dim), leaf(batch, hidden), leaf(4 * hidden, n_in),
              leaf(4 * hidden, h_dim)]
    if bias:
        inputs += [leaf(4 * hidden), leaf(4 * hidden)]
    if proj:
        inputs.append(leaf(proj, hidden))

    def f(*args):
        x, h0, c0, w_ih, w_hh, *rest = args
        b_ih, b_hh = (rest[0], rest[1]) if bias else (None, None)
        w_hr = rest[-1] if proj else None
        return R.LSTMLayer.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes,
                                 reverse)

    assert gradcheck(f, tuple(inputs))
    assert gradgradcheck(f, tuple(inputs))


def _lstm_plain(x, h0, c0, w_ih, w_hh, b, w_hr, batch_sizes, reverse):
    """The LSTM op's output written the plain way (NumPy, PyTorch's gate order, one
    sequence state per row kept in a dict): the h of every row, then every sequence's
    final h, then the c's likewise, flat."""
    sig = lambda a: 1 / (1 + np.exp(-a))
    offsets = np.concatenate([[0], np.cumsum(batch_sizes)])
    order = range(len(batch_sizes) - 1, -1, -1) if reverse else range(len(batch_sizes))
    h = {j: h0[j] for j in range(len(h0))}
    c = {j: c0[j] for j in range(len(c0))}
    hs, cs = np.zeros((len(x), h0.shape[1])), np.zeros((len(x), c0.shape[1]))
    for t in order:
        for j in range(batch_sizes[t]):
            row = offsets[t] + j
            a = x[row] @ w_ih.T + b + h[j] @ w_hh.T
            i, f, g, o = np.split(a, 4)
            c[j] = sig(f) * c[j] + sig(i) * np.tanh(g)
            h[j] = sig(o) * np.tanh(c[j])
            if w_hr is not None:
                h[j] = h[j] @ w_hr.T
            hs[row], cs[row] = h[j], c[j]
    final_h, final_c = np.stack(list(h.values())), np.stack(list(c.values()))
    return np.concatenate([hs.ravel(), final_h.ravel(), cs.ravel(), final_c.ravel()])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("proj", [None, 2])
@pytest.mark.parametrize("batch_sizes,reverse", [((3, 3, 2, 1), False), ((3, 3, 2, 1), True),
                                                 ((3, 3, 3), True)])
def test_lstm_op_forward_matches_plain_loop(batch_sizes, reverse, proj, dtype) -> None:
    """The LSTM op's forward (gate-major, halved sigmoid weights, one tanh per step)
    against the plain per-sequence loop, including where sequences end or join."""
    rng = np.random.default_rng(6)
    hidden, n_in, batch = 4, 3, batch_sizes[0]
    h_dim = proj or hidden
    arrays = [rng.standard_normal(shape).astype(dtype) for shape in [
        (sum(batch_sizes), n_in), (batch, h_dim), (batch, hidden), (4 * hidden, n_in),
        (4 * hidden, h_dim), (4 * hidden,), (4 * hidden,), (proj or 1, hidden)]]
    x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr = arrays
    w_hr = w_hr if proj else None
    out = R.LSTMLayer.apply(*(minitorch.tensor(a) for a in (x, h0, c0, w_ih, w_hh, b_ih,
                                                            b_hh)),
                            None if w_hr is None else minitorch.tensor(w_hr), batch_sizes,
                            reverse)
    want = _lstm_plain(*(a.astype(np.float64) for a in (x, h0, c0, w_ih, w_hh, b_ih + b_hh)),
                       None if w_hr is None else w_hr.astype(np.float64), batch_sizes,
                       reverse)
    np.testing.assert_allclose(out.numpy(), want, rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("dtype,constant", [(np.float64, None), (np.float32, None),
                                            (np.float64, 1), (np.float64, 2)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batch_sizes,reverse", [((3, 3, 2, 1), False), ((3, 3, 2, 1), True),
                                                 ((3, 3, 3), False), ((3, 3, 3), True)])
def test_lstm_fast_backward_matches_shared_lines(batch_sizes, reverse, bias, dtype, constant,
                                                 monkeypatch) -> None:
    """The LSTM op's fast first-order backward against its plain twin (the shared lines
    that ``create_graph`` runs), on the same forward, with a random upstream gradient;
    ``constant``: h0 (1) or c0 (2) needs no gradient."""
    rng = np.random.default_rng(5)
    hidden, n_in, batch = 5, 3, batch_sizes[0]
    shapes = [(sum(batch_sizes), n_in), (batch, hidden), (batch, hidden), (4 * hidden, n_in),
              (4 * hidden, hidden)] + [(4 * hidden,)] * (2 if bias else 0)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    up = rng.standard_normal((sum(batch_sizes) + batch) * 2 * hidden).astype(dtype)
    grads = []
    for fast in (True, False):
        monkeypatch.setattr(R, "_LSTM_FAST_BACKWARD", fast)
        leaves = [minitorch.tensor(a, requires_grad=k != constant) for k, a in enumerate(arrays)]
        b_ih, b_hh = leaves[5:] if bias else (None, None)
        out = R.LSTMLayer.apply(*leaves[:5], b_ih, b_hh, None, batch_sizes, reverse)
        (out * minitorch.tensor(up)).sum().backward()
        grads.append([None if t.grad is None else t.grad.numpy() for t in leaves])
        assert (grads[-1][1] is None, grads[-1][2] is None) == (constant == 1, constant == 2)
    for a, b in zip(*grads):
        if a is not None or b is not None:
            np.testing.assert_allclose(a, b, rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_gradgradcheck(name) -> None:
    cell = getattr(nn, name)(2, 2).double()
    rng = np.random.default_rng(2)
    x = minitorch.tensor(rng.standard_normal((2, 2)), requires_grad=True)
    h = minitorch.tensor(rng.standard_normal((2, 2)), requires_grad=True)
    weights = [p.detach().requires_grad_() for p in cell.parameters()]

    def f(x, h, *weights):
        hx = (h, h * 0.5) if name == "LSTMCell" else h
        out = _functional_cell(cell, x, hx, weights)
        return out[0] + out[1] if name == "LSTMCell" else out

    assert gradcheck(f, (x, h, *weights))
    assert gradgradcheck(f, (x, h, *weights))


def _functional_cell(cell, x, hx, weights):
    """Call ``cell`` with its parameters replaced by the tensors ``weights`` (so that the
    check differentiates with respect to them)."""
    saved = dict(cell._parameters)
    try:
        for (name, _), w in zip(saved.items(), weights):
            cell._parameters[name] = w
        return cell(x, hx)
    finally:
        cell._parameters.update(saved)


# --------------------------------------------------------------------------- dropout
def test_dropout_one_in_training_matches_torch(rng) -> None:
    """p = 1 zeroes every layer output but the last: deterministic, so comparable."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t, m = _pair("LSTM", np.float64, num_layers=3, dropout=1.0)
    x = rng.standard_normal((STEPS, BATCH, INPUT))
    out_t, (h_t, _) = t(torch.tensor(x))
    out_m, (h_m, _) = m(minitorch.tensor(x))
    close(out_m, out_t, 1e-12)
    close(h_m, h_t, 1e-12)


def test_dropout_in_training_zeroes_and_scales_between_layers() -> None:
    """Layer 2 set to pass its input through (identity W_ih, zero W_hh and biases, ReLU of
    non-negative inputs) shows the dropout mask: each output is 0 or the evaluation-mode
    value / (1 - p), zeros at rate p, a new mask each call, reproducible by seed."""
    p, hidden = 0.3, 40
    rnn = nn.RNN(hidden, hidden, num_layers=2, nonlinearity="relu", dropout=p).double()
    with minitorch.no_grad():
        rnn.weight_ih_l1.copy_(minitorch.eye(hidden, dtype=minitorch.float64))
        for name in ("weight_hh_l1", "bias_ih_l1", "bias_hh_l1"):
            getattr(rnn, name).zero_()
    x = minitorch.randn(25, 8, hidden, dtype=minitorch.float64)
    rnn.eval()
    reference = rnn(x)[0].detach().numpy()
    rnn.train()
    minitorch.manual_seed(3)
    first = rnn(x)[0].detach().numpy()
    second = rnn(x)[0].detach().numpy()
    minitorch.manual_seed(3)
    again = rnn(x)[0].detach().numpy()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, second)
    active = reference > 0
    kept = first[active] != 0
    np.testing.assert_allclose(first[active][kept], reference[active][kept] / (1 - p),
                               rtol=1e-12)
    assert np.all(first[~active] == 0)
    rate = 1 - kept.mean()
    assert abs(rate - p) < 5 * math.sqrt(p * (1 - p) / kept.size), rate


# ----------------------------------------------------------------- parameters, state dicts
@pytest.mark.parametrize("kind,options", [
    ("LSTM", {"num_layers": 2, "bidirectional": True, "proj_size": 2}),
    ("GRU", {"num_layers": 2, "bias": False}),
    ("RNN_RELU", {"bidirectional": True, "batch_first": True, "dropout": 0.5, "num_layers": 2}),
])
def test_state_dicts_load_both_ways_and_repr(kind, options, rng) -> None:
    t, m = _pair(kind, np.float32, **options)
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in t.state_dict().items()]
    assert repr(m) == repr(t)
    fresh_m = type(m)(INPUT, HIDDEN, **_options_of(kind, options))
    fresh_m.load_state_dict(state_dict_from_torch(t.state_dict()))
    fresh_t = type(t)(INPUT, HIDDEN, **_options_of(kind, options))
    fresh_t.load_state_dict(state_dict_to_torch(m.state_dict()))
    x = rng.standard_normal((STEPS, BATCH, INPUT)).astype(np.float32)
    for a, b in ((fresh_m, fresh_t), (m, t)):
        a.eval()
        b.eval()
        close(a(minitorch.tensor(x))[0], b(torch.tensor(x))[0], 1e-5)
    assert [[tuple(p.shape) for p in ps] for ps in m.all_weights] == \
        [[tuple(p.shape) for p in ps] for ps in t.all_weights]


def _options_of(kind, options):
    extra = {"nonlinearity": "relu"} if kind == "RNN_RELU" else {}
    return {**options, **extra}


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.LSTM(5, 16, num_layers=2, proj_size=3),
    lambda lib: lib.nn.GRU(5, 16, bidirectional=True),
    lambda lib: lib.nn.LSTMCell(5, 16),
])
def test_initialisation_is_uniform_in_one_over_sqrt_hidden(make) -> None:
    module = make(minitorch)
    names = [n for n, _ in make(torch).named_parameters()]
    assert [n for n, _ in module.named_parameters()] == names
    values = np.concatenate([p.detach().numpy().ravel() for p in module.parameters()])
    bound = 1 / math.sqrt(16)
    assert np.all(np.abs(values) <= bound)
    assert values.max() > 0.95 * bound and values.min() < -0.95 * bound
    assert abs(values.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert all(p.requires_grad and p.dtype == minitorch.float32 for p in module.parameters())


def test_module_api_odds_and_ends() -> None:
    lstm = nn.LSTM(3, 4, 2)
    lstm.flatten_parameters()  # a no-op, as on the CPU in PyTorch
    assert lstm._flat_weights_names[:4] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0",
                                            "bias_hh_l0"]
    assert nn.RNN(3, 4, 1, "relu").nonlinearity == "relu"  # positional nonlinearity
    cell = nn.RNNCell(3, 4, nonlinearity="relu")
    assert repr(cell) == repr(torch.nn.RNNCell(3, 4, nonlinearity="relu"))
    assert repr(nn.GRUCell(3, 4, bias=False)) == repr(torch.nn.GRUCell(3, 4, bias=False))


# ------------------------------------------------------------------ nn.utils.rnn
def _seqs(rng, lengths, trailing=(2,)):
    return [rng.standard_normal((n, *trailing)) for n in lengths]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("trailing", [(), (2, 3)])
def test_pad_sequence_matches_torch(batch_first, padding_side, trailing, rng) -> None:
    arrays = _seqs(rng, [2, 4, 1], trailing)
    results = []
    for lib, utils in ((torch, torch.nn.utils.rnn), (minitorch, mrnn)):
        seqs = [_leaf(lib, a) for a in arrays]
        out = utils.pad_sequence(seqs, batch_first=batch_first, padding_value=-1.5,
                                 padding_side=padding_side)
        up = np.arange(out.numel(), dtype=np.float64).reshape(tuple(out.shape))
        (out * lib.tensor(up)).sum().backward()
        results.append((out, [s.grad for s in seqs]))
    (out_t, g_t), (out_m, g_m) = results
    close(out_m, out_t, 0)
    for a, b in zip(g_m, g_t):
        close(a, b, 0)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted,lengths", [(True, [4, 2, 2, 1]), (False, [2, 4, 1, 4])])
@pytest.mark.parametrize("total_length", [None, 6])
def test_pack_and_pad_packed_match_torch(batch_first, enforce_sorted, lengths, total_length,
                                         rng) -> None:
    steps, batch = max(lengths), len(lengths)
    x = rng.standard_normal((batch, steps, 3) if batch_first else (steps, batch, 3))
    results = []
    for lib, utils in ((torch, torch.nn.utils.rnn), (minitorch, mrnn)):
        xs = _leaf(lib, x)
        packed = utils.pack_padded_sequence(xs, lib.tensor(lengths), batch_first=batch_first,
                                            enforce_sorted=enforce_sorted)
        padded, out_lengths = utils.pad_packed_sequence(packed, batch_first=batch_first,
                                                        padding_value=7.0,
                                                        total_length=total_length)
        up = np.cos(np.arange(padded.numel())).reshape(tuple(padded.shape))
        ((padded * lib.tensor(up)).sum() + packed.data.sum()).backward()
        results.append((packed, padded, out_lengths, xs.grad))
    (pt, padt, lt, gt), (pm, padm, lm, gm) = results
    close(pm.data, pt.data, 0)
    assert pm.batch_sizes.tolist() == pt.batch_sizes.tolist()
    assert pm.batch_sizes.dtype == minitorch.int64
    for a, b in ((pm.sorted_indices, pt.sorted_indices), (pm.unsorted_indices,
                                                         pt.unsorted_indices)):
        assert (a is None and b is None) or a.tolist() == b.tolist()
    close(padm, padt, 0)
    assert lm.tolist() == lt.tolist() and lm.dtype == minitorch.int64
    close(gm, gt, 0)


def test_pack_sequence_unpack_and_packed_sequence_tuple(rng) -> None:
    arrays = _seqs(rng, [2, 3, 1])
    pt = torch.nn.utils.rnn.pack_sequence([torch.tensor(a) for a in arrays],
                                          enforce_sorted=False)
    pm = mrnn.pack_sequence([minitorch.tensor(a) for a in arrays], enforce_sorted=False)
    close(pm.data, pt.data, 0)
    assert pm.sorted_indices.tolist() == pt.sorted_indices.tolist()
    _data, batch_sizes, _sorted_indices, _unsorted_indices = pm  # a named tuple, as in torch
    assert pm._fields == pt._fields and batch_sizes is pm.batch_sizes
    for a, b in zip(mrnn.unpack_sequence(pm), arrays):
        np.testing.assert_array_equal(a.numpy(), b)
    as32 = pm.float()
    assert as32.data.dtype == minitorch.float32 and as32.batch_sizes is pm.batch_sizes
    assert pm.to(minitorch.float64) is pm
    padded = mrnn.pad_sequence([minitorch.tensor(a) for a in arrays])
    for a, b in zip(mrnn.unpad_sequence(padded, minitorch.tensor([2, 3, 1])), arrays):
        np.testing.assert_array_equal(a.numpy(), b)


# ----------------------------------------------------------------------- bad input
def _same_error(call_torch, call_mt) -> None:
    """minitorch raises PyTorch's exception type with PyTorch's message (dtypes and
    sizes printed the minitorch way)."""
    with pytest.raises(Exception) as expected:
        call_torch()
    with pytest.raises(Exception) as got:
        call_mt()
    assert got.type is expected.type, (got.value, expected.value)
    assert str(got.value).replace("minitorch.", "torch.") == str(expected.value)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.LSTM(4, 5, dropout=1.5),
    lambda lib: lib.nn.LSTM(4, 5, dropout=True),
    lambda lib: lib.nn.LSTM(4, 5, proj_size=5),
    lambda lib: lib.nn.LSTM(4, 5, proj_size=-1),
    lambda lib: lib.nn.GRU(4, 5, proj_size=2),
    lambda lib: lib.nn.RNN(4, 5, proj_size=2),
    lambda lib: lib.nn.RNN(4, 5, nonlinearity="sigmoid"),
    lambda lib: lib.nn.GRU(4, 0),
    lambda lib: lib.nn.GRU(0, 4),
    lambda lib: lib.nn.GRU(4, 4, num_layers=0),
    lambda lib: lib.nn.GRU(4, 4.0),
    lambda lib: lib.nn.GRU(4, 4, bias=1),
])
def test_constructor_errors_match_torch(call) -> None:
    _same_error(lambda: call(torch), lambda: call(minitorch))


def test_dropout_with_one_layer_warns_as_torch() -> None:
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.GRU(4, 5, dropout=0.5)


@pytest.mark.parametrize("make,x_shape,hx", [
    (lambda lib: lib.nn.LSTM(4, 5, 2), (2, 3, 6), None),  # input size
    (lambda lib: lib.nn.LSTM(4, 5, 2), (2, 3, 4, 1), None),  # 4-D input
    (lambda lib: lib.nn.RNN(4, 5), (3,), None),  # 1-D input
    (lambda lib: lib.nn.GRU(4, 5), (2, 3, 4, 1), None),
    (lambda lib: lib.nn.LSTM(4, 5, 2), (2, 3, 4), [(2, 3, 5), (2, 2, 5)]),  # c_0 shape
    (lambda lib: lib.nn.LSTM(4, 5, 2), (2, 3, 4), [(2, 3, 5), (2, 3, 4)]),
    (lambda lib: lib.nn.LSTM(4, 5, 2, proj_size=2), (2, 3, 4), [(2, 3, 5), (2, 3, 5)]),
    (lambda lib: lib.nn.LSTM(4, 5), (2, 3, 4), [(3, 5), (3, 5)]),  # 2-D states, batched
    (lambda lib: lib.nn.LSTM(4, 5), (2, 4), [(1, 1, 5), (1, 1, 5)]),  # 3-D, unbatched
    (lambda lib: lib.nn.GRU(4, 5), (2, 3, 4), [(1, 2, 5)]),  # batch of h_0
    (lambda lib: lib.nn.GRU(4, 5, bidirectional=True), (2, 3, 4), [(1, 3, 5)]),
    (lambda lib: lib.nn.RNN(4, 5), (2, 3, 4), [(3, 5)]),
    (lambda lib: lib.nn.RNN(4, 5), (2, 4), [(1, 1, 5)]),
    (lambda lib: lib.nn.RNN(4, 5, batch_first=True), (3, 0, 4), None),
    (lambda lib: lib.nn.LSTM(4, 5), (0, 3, 4), None),  # no time steps
    (lambda lib: lib.nn.RNNCell(4, 5), (3, 6), None),
    (lambda lib: lib.nn.RNNCell(4, 5), (3, 4), [(3, 6)]),
    (lambda lib: lib.nn.RNNCell(4, 5), (3, 4), [(2, 5)]),
    (lambda lib: lib.nn.RNNCell(4, 5), (3, 4, 1), None),
    (lambda lib: lib.nn.GRUCell(4, 5), (3, 4), [(1, 3, 5)]),
    (lambda lib: lib.nn.GRUCell(4, 5), (4,), [(3, 5)]),
    (lambda lib: lib.nn.LSTMCell(4, 5), (3, 4), [(3, 5), (3, 6)]),
    (lambda lib: lib.nn.LSTMCell(4, 5), (3, 4), [(2, 5), (3, 5)]),
    (lambda lib: lib.nn.LSTMCell(4, 5), (3, 4), [(3, 5), (3, 1, 5)]),
])
def test_forward_errors_match_torch(make, x_shape, hx) -> None:
    def call(lib):
        module = make(lib)
        x = lib.zeros(x_shape)
        states = None if hx is None else [lib.zeros(s) for s in hx]
        if states is not None and not isinstance(module, lib.nn.LSTM | lib.nn.LSTMCell):
            states = states[0]
        return module(x, states if not isinstance(states, list) else tuple(states))

    _same_error(lambda: call(torch), lambda: call(minitorch))


def test_dtype_mismatches() -> None:
    _same_error(lambda: torch.nn.GRU(4, 5)(torch.zeros(2, 3, 4, dtype=torch.float64)),
                lambda: nn.GRU(4, 5)(minitorch.zeros(2, 3, 4, dtype=minitorch.float64)))
    _same_error(lambda: torch.nn.GRUCell(4, 5)(torch.zeros(3, 4, dtype=torch.float64)),
                lambda: nn.GRUCell(4, 5)(minitorch.zeros(3, 4, dtype=minitorch.float64)))
    with pytest.raises(RuntimeError, match="hidden state must have the input's dtype"):
        nn.LSTM(4, 5)(minitorch.zeros(2, 3, 4), (minitorch.zeros(1, 3, 5, dtype=minitorch.float64),
                                                minitorch.zeros(1, 3, 5)))


@pytest.mark.parametrize("call", [
    lambda u, lib: u.pack_padded_sequence(lib.zeros(3, 2), [2, 3]),
    lambda u, lib: u.pack_padded_sequence(lib.zeros(3, 2), [3, 0]),
    lambda u, lib: u.pack_padded_sequence(lib.zeros(3, 2), [3, 2, 1]),
    lambda u, lib: u.pack_padded_sequence(lib.zeros(3), [3]),
    lambda u, lib: u.pad_sequence([lib.zeros(2, 3)], padding_side="up"),
    lambda u, lib: u.pad_sequence([]),
    lambda u, lib: u.pad_sequence([lib.zeros(2, 3), lib.zeros(3, 4)]),
    lambda u, lib: u.pad_sequence(5),
    lambda u, lib: u.pad_packed_sequence(u.pack_sequence([lib.zeros(3), lib.zeros(2)]),
                                         total_length=2),
])
def test_utility_errors_match_torch(call) -> None:
    _same_error(lambda: call(torch.nn.utils.rnn, torch), lambda: call(mrnn, minitorch))


def test_lengths_longer_than_the_padded_input_raise() -> None:
    """PyTorch reads past the input here (a silent wrong answer); minitorch refuses."""
    with pytest.raises(RuntimeError, match=r"sequence length \(4\) exceeds .* 3 time steps"):
        mrnn.pack_padded_sequence(minitorch.zeros(3, 2), [4, 3])


# ------------------------------------------------------------------------ benchmark
def test_lstm_benchmark_case_runs_and_agrees_with_torch() -> None:
    from benchmarks.cases import all_cases, select, train_step

    (case,) = select(all_cases(), "train_lstm")
    assert case.name == "train_lstm_b100" and case.kind == "train" and case.target == 1.5
    # per step and sequence: 2 layers of 512 gate outputs over fan-ins 28 and 128
    rows = 28 * 100
    lstm = rows * 512 * ((28 * 2 + 128 * 3) + (128 * 3 + 128 * 3))
    assert case.flops == 2.0 * (lstm + 3 * 100 * 10 * 128)
    small = train_step("lstm", 4)  # the same step on a small batch: two steps agree
    steps = [small.build(lib) for lib in (minitorch, torch)]
    for _ in range(2):
        losses = [float(step().detach()) for step in steps]
        assert losses[0] == pytest.approx(losses[1], abs=1e-5)
