r"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their one-step cells.

A layer reads a sequence :math:`x_1, \dots, x_T` and carries a state from step to step:

* ``RNN``: :math:`h_t = \tanh(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh})`
  (or ReLU);
* ``LSTM``: gates :math:`i, f, g, o` from the same kind of affine map, then
  :math:`c_t = f \odot c_{t-1} + i \odot g`, :math:`h_t = o \odot \tanh(c_t)`
  (times :math:`W_{hr}^\top` with ``proj_size``);
* ``GRU``: gates :math:`r, z` and :math:`n = \tanh(x W_{in}^\top + b_{in} +
  r \odot (h W_{hn}^\top + b_{hn}))`, :math:`h_t = (1 - z) \odot n + z \odot h_{t-1}`.

Stacked layers (``num_layers``) read the previous layer's outputs (with dropout in
between while training); a bidirectional layer also runs the sequence backwards and
concatenates the two outputs. Parameters are named, shaped, ordered and initialised as
in PyTorch (:math:`U(-1/\sqrt{\text{hidden}}, 1/\sqrt{\text{hidden}})`, gate blocks
stacked in the order above), so state dicts move between the two unchanged.

How it runs: per layer and direction, the input projection of every time step is one
``F.linear``; the recurrence is one op from :mod:`minitorch.ops.rnn`, which loops over
the steps. Padded and packed batches take the same path (a padded batch is a packed one
whose sequences all have full length).
"""

from __future__ import annotations

import math
import numbers
import warnings

from ... import _creation
from ...ops import rnn as R
from ...ops.shape import cat, stack
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}
_LAYER_OPS = {"RNN_TANH": R.RNNTanhLayer, "RNN_RELU": R.RNNReluLayer, "LSTM": R.LSTMLayer,
              "GRU": R.GRULayer}


def _uniform_init(module: Module, hidden_size: int) -> None:
    """PyTorch's initialisation of every recurrent weight and bias: :math:`U(-k, k)`,
    :math:`k = 1/\\sqrt{\\text{hidden\\_size}}`."""
    stdv = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0
    for weight in module.parameters():
        init.uniform_(weight, -stdv, stdv)


def _recurrence(mode: str, x: Tensor, state: list[Tensor], w_ih, w_hh, b_ih, b_hh, w_hr,
                batch_sizes: tuple[int, ...], reverse: bool) -> tuple[Tensor, list[Tensor]]:
    """One layer in one direction over packed rows ``x`` from the initial ``state``
    (``[h_0]``, or ``[h_0, c_0]`` for the LSTM): the input projection of every step (one
    ``F.linear``), then the recurrence op (the LSTM op makes its projection itself, to lay
    it out gate by gate). Returns the new h of every row and the final states (``[h_n]``,
    or ``[h_n, c_n]``) of every sequence."""
    rows, batch, s0 = x.shape[0], state[0].shape[0], state[0]
    if mode == "LSTM":  # the op's output: the h of every row and final h, then the c's
        out = R.LSTMLayer.apply(x, *state, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes, reverse)
        hs, cs = R.lstm_state_rows(out, rows + batch, w_hh.shape[1])
        return hs[:rows], [hs[rows:], cs[rows:]]
    if mode == "GRU":  # b_hh stays inside the recurrence (r multiplies its n part)
        out = R.GRULayer.apply(F.linear(x, w_ih, b_ih), s0, w_hh, b_hh, batch_sizes, reverse)
    else:
        bias = None if b_ih is None else b_ih + b_hh
        out = _LAYER_OPS[mode].apply(F.linear(x, w_ih, bias), s0, w_hh, batch_sizes, reverse)
    return out[:rows], [out[rows:]]


def _check_state_dtype(state: Tensor, input: Tensor) -> None:
    if state.dtype is not input.dtype:
        raise RuntimeError(
            f"the hidden state must have the input's dtype {input.dtype}, got {state.dtype}"
        )


class RNNBase(Module):
    r"""What ``RNN``, ``LSTM`` and ``GRU`` share: the parameters (PyTorch's names:
    ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``,
    ``weight_hr_l{k}`` for an LSTM projection, with ``_reverse`` for the backward
    direction), the argument checks and the forward pass over layers and directions.

    Parameters
    ----------
    mode : str
        ``'RNN_TANH'``, ``'RNN_RELU'``, ``'LSTM'`` or ``'GRU'``.
    input_size, hidden_size : int
        Features of each input step and of the hidden state.
    num_layers : int
        Stacked layers (default 1).
    bias : bool
        Whether to learn :math:`b_{ih}` and :math:`b_{hh}` (default True).
    batch_first : bool
        Inputs and outputs are (batch, time, features) instead of (time, batch, ...).
    dropout : float
        Dropout probability on the outputs of every layer but the last, while training.
    bidirectional : bool
        Also run each layer backwards in time and concatenate both outputs.
    proj_size : int
        LSTM only: project :math:`h` to this size with :math:`W_{hr}` (0: no projection).
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        self._check_arguments(mode, input_size, hidden_size, num_layers, bias, batch_first,
                              dropout, proj_size)
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else real_hidden * directions
                shapes = [("weight_ih_l{}{}", (gate_size, layer_input)),
                          ("weight_hh_l{}{}", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr_l{}{}", (proj_size, hidden_size))]
                suffix = "_reverse" if direction == 1 else ""
                names = []
                for pattern, shape in shapes:
                    name = pattern.format(layer, suffix)
                    setattr(self, name, Parameter(_creation.empty(*shape, dtype=dtype,
                                                                  device=device)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @staticmethod
    def _check_arguments(mode, input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, proj_size) -> None:
        """PyTorch's constructor checks, with its exception types and messages."""
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of "
                "an element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={num_layers}",
                stacklevel=4,
            )
        for name, value in (("bias", bias), ("batch_first", batch_first)):
            if not isinstance(value, bool):
                raise TypeError(f"{name} should be of type bool, got: {type(value).__name__}")
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int):
                raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
            if value <= 0:
                raise ValueError(f"{name} must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)

    def reset_parameters(self) -> None:
        r"""Every weight and bias from :math:`U(-1/\sqrt{\text{hidden}},
        1/\sqrt{\text{hidden}})`, as PyTorch does."""
        _uniform_init(self, self.hidden_size)

    def flatten_parameters(self) -> None:
        """Accepted for PyTorch compatibility: a no-op (as in PyTorch off cuDNN)."""

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters, one list per layer and direction (PyTorch's order)."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        for name, default in (("proj_size", 0), ("num_layers", 1), ("bias", True),
                              ("batch_first", False), ("dropout", 0), ("bidirectional", False)):
            value = getattr(self, name)
            if value != default:
                s += f", {name}={value}"
        return s

    # ------------------------------------------------------------------ forward
    def _name(self) -> str:
        return {"LSTM": "LSTM", "GRU": "GRU"}.get(self.mode, "RNN")

    def _check_input(self, input: Tensor, dims: int) -> None:
        weight = self.weight_ih_l0
        if input.dtype is not weight.dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype})"
                f". Convert input: input.to({weight.dtype}), or convert model: "
                f"model.to({input.dtype})"
            )
        if input.dim() != dims:
            raise RuntimeError(f"input must have {dims} dimensions, got {input.dim()}")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                "input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {input.shape[-1]}"
            )

    def _state_sizes(self, batch: int) -> list[tuple[int, int, int]]:
        """Expected shapes of h_0 (and, for the LSTM, c_0)."""
        layers = self.num_layers * (2 if self.bidirectional else 1)
        h = (layers, batch, self.proj_size if self.proj_size > 0 else self.hidden_size)
        return [h, (layers, batch, self.hidden_size)] if self.mode == "LSTM" else [h]

    def _check_states(self, states: list[Tensor], batch: int, input: Tensor) -> None:
        lstm = self.mode == "LSTM"
        for k, (state, expected) in enumerate(zip(states, self._state_sizes(batch))):
            if tuple(state.shape) != expected:
                label = f"hidden[{k}] size" if lstm else "hidden size"
                raise RuntimeError(f"Expected {label} {expected}, got {list(state.shape)}")
            _check_state_dtype(state, input)

    def _hidden_dims_error(self, batched: bool, states: list[Tensor]) -> RuntimeError:
        kind = "batched 3-D" if batched else "unbatched 2-D"
        want = "3-D" if batched else "2-D"
        if self.mode == "LSTM":
            got = ", ".join(f"{s.dim()}-D" for s in states)
            return RuntimeError(f"For {kind} input, hx and cx should also be {want} but got "
                                f"({got}) tensors")
        return RuntimeError(f"For {kind} input, hx should also be {want} but got "
                            f"{states[0].dim()}-D tensor")

    def _run(self, input, hx=None):
        """Run the layers over ``input`` (a tensor or a :class:`PackedSequence`): the
        ``forward`` of ``RNN``, ``LSTM`` and ``GRU`` (``RNNBase`` itself has none, as in
        PyTorch).

        Returns ``(output, h_n)``, or ``(output, (h_n, c_n))`` for the LSTM: the last
        layer's outputs at every step, and every layer's and direction's final state.
        """
        lstm = self.mode == "LSTM"
        states = None if hx is None else ([hx[0], hx[1]] if lstm else [hx])
        packed = isinstance(input, PackedSequence)
        unsorted = None
        if packed:
            data, sizes, sorted_indices, unsorted = input
            batch_sizes = tuple(int(b) for b in sizes.tolist())
            batch = batch_sizes[0]
            self._check_input(data, 2)
            if states is not None:
                self._check_states(states, batch, data)
                if sorted_indices is not None:
                    states = [s.index_select(1, sorted_indices) for s in states]
        else:
            if input.dim() not in (2, 3):
                tail = " tensor instead" if self._name() == "RNN" else " instead"
                raise ValueError(f"{self._name()}: Expected input to be 2D or 3D, got "
                                 f"{input.dim()}D{tail}")
            batched = input.dim() == 3
            if states is not None:
                if any(s.dim() != (3 if batched else 2) for s in states):
                    raise self._hidden_dims_error(batched, states)
                if not batched:
                    states = [s.unsqueeze(1) for s in states]
            if not batched:
                input = input.unsqueeze(0 if self.batch_first else 1)
            self._check_input(input, 3)
            if self.batch_first:
                input = input.transpose(0, 1)
            steps, batch = input.shape[0], input.shape[1]
            if states is not None:
                self._check_states(states, batch, input)
            if steps == 0:
                raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
            data = input.reshape(steps * batch, self.input_size)
            batch_sizes = (batch,) * steps
        out, finals = self._layers(data, batch_sizes, states)
        final = [stack([f[j] for f in finals]) for j in range(len(finals[0]))]  # h_n (, c_n)
        if packed:
            if unsorted is not None:
                final = [f.index_select(1, unsorted) for f in final]
            output = PackedSequence(out, sizes, input.sorted_indices, unsorted)
        else:
            output = out.reshape(steps, batch, out.shape[-1])
            if self.batch_first:
                output = output.transpose(0, 1)
            if not batched:
                output = output.squeeze(0 if self.batch_first else 1)
                final = [f.squeeze(1) for f in final]
        return output, (tuple(final) if lstm else final[0])

    def _layers(self, data: Tensor, batch_sizes: tuple[int, ...],
                states: list[Tensor] | None) -> tuple[Tensor, list[list[Tensor]]]:
        """Run every layer and direction over the packed rows ``data``. Returns the last
        layer's output rows and the final states of each layer and direction."""
        directions = 2 if self.bidirectional else 1
        batch = batch_sizes[0]
        h_dim = self.proj_size if self.proj_size > 0 else self.hidden_size
        lstm = self.mode == "LSTM"
        if states is None:
            sizes = (h_dim, self.hidden_size) if lstm else (h_dim,)
            zeros = [_creation.zeros(batch, n, dtype=data.dtype, device=data.device)
                     for n in sizes]
        finals = []
        layer_input = data
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                s0 = zeros if states is None else [s[k] for s in states]
                suffix = "_reverse" if direction else ""
                w = [getattr(self, f"{p}_l{layer}{suffix}", None) for p in
                     ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")]
                output, final = _recurrence(self.mode, layer_input, s0, *w, batch_sizes,
                                            bool(direction))
                outputs.append(output)
                finals.append(final)
            layer_input = outputs[0] if directions == 1 else cat(outputs, 1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return layer_input, finals


class RNN(RNNBase):
    r"""Multi-layer Elman RNN: :math:`h_t = \tanh(x_t W_{ih}^\top + b_{ih} + h_{t-1}
    W_{hh}^\top + b_{hh})`, or ReLU with ``nonlinearity='relu'``.

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)``; see :class:`RNNBase`.
    ``forward(input, h_0=None)`` returns ``(output, h_n)``.
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", *args,
                         **kwargs)

    def forward(self, input, hx=None):
        """``(output, h_n)`` for ``input`` (a tensor or a :class:`PackedSequence`) from
        the initial state ``hx`` (zeros when None); see :meth:`RNNBase._run`."""
        return self._run(input, hx)


class LSTM(RNNBase):
    r"""Multi-layer long short-term memory: gates
    :math:`i, f, g, o = \sigma, \sigma, \tanh, \sigma` of
    :math:`x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh}` (blocks in that
    order), :math:`c_t = f \odot c_{t-1} + i \odot g`, :math:`h_t = o \odot \tanh(c_t)`
    (then :math:`h_t W_{hr}^\top` with ``proj_size > 0``).

    ``LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False, proj_size=0)``; see :class:`RNNBase`.
    ``forward(input, (h_0, c_0)=None)`` returns ``(output, (h_n, c_n))``.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input, hx=None):
        """``(output, (h_n, c_n))`` for ``input`` (a tensor or a :class:`PackedSequence`)
        from the initial state ``hx = (h_0, c_0)`` (zeros when None); see
        :meth:`RNNBase._run`."""
        return self._run(input, hx)


class GRU(RNNBase):
    r"""Multi-layer gated recurrent unit: :math:`r, z = \sigma(\cdot)`,
    :math:`n = \tanh(x_t W_{in}^\top + b_{in} + r \odot (h_{t-1} W_{hn}^\top + b_{hn}))`,
    :math:`h_t = (1 - z) \odot n + z \odot h_{t-1}` (gate blocks in the order r, z, n).

    ``GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False)``; see :class:`RNNBase`.
    ``forward(input, h_0=None)`` returns ``(output, h_n)``.
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        """``(output, h_n)`` for ``input`` (a tensor or a :class:`PackedSequence`) from
        the initial state ``hx`` (zeros when None); see :meth:`RNNBase._run`."""
        return self._run(input, hx)


# ------------------------------------------------------------------------------ cells
class RNNCellBase(Module):
    r"""One step of a recurrent layer: parameters ``weight_ih`` (chunks x hidden, input),
    ``weight_hh`` (chunks x hidden, hidden), ``bias_ih``, ``bias_hh``, all from
    :math:`U(-1/\sqrt{\text{hidden}}, 1/\sqrt{\text{hidden}})`."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        rows = num_chunks * hidden_size
        self.weight_ih = Parameter(_creation.empty(rows, input_size, dtype=dtype, device=device))
        self.weight_hh = Parameter(_creation.empty(rows, hidden_size, dtype=dtype,
                                                   device=device))
        if bias:
            self.bias_ih = Parameter(_creation.empty(rows, dtype=dtype, device=device))
            self.bias_hh = Parameter(_creation.empty(rows, dtype=dtype, device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        r"""Every weight and bias from :math:`U(-1/\sqrt{\text{hidden}},
        1/\sqrt{\text{hidden}})`."""
        _uniform_init(self, self.hidden_size)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input: Tensor, states: list[Tensor] | None, name: str,
                 labels: list[str]) -> tuple[Tensor, list[Tensor], bool]:
        """PyTorch's checks; returns the batched input and states and whether the input
        was batched."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        for label, s in zip(labels, states or []):
            if s.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {s.dim()}D "
                                 "instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if states is None:
            zeros = _creation.zeros(input.shape[0], self.hidden_size, dtype=input.dtype,
                                    device=input.device)
            states = [zeros] * len(labels)
        elif not batched:
            states = [s.unsqueeze(0) for s in states]
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                               f"expected {self.input_size}")
        for k, s in enumerate(states):
            if s.shape[0] != input.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{k} "
                                   f"batch size {s.shape[0]}")
            if s.dim() != 2 or s.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got "
                                   f"{s.shape[1]}, expected {self.hidden_size}")
            _check_state_dtype(s, input)
        return input, states, batched

    def _step(self, input: Tensor, s0: list[Tensor], mode: str) -> list[Tensor]:
        """The new states (``[h]``, or ``[h, c]`` for the LSTM) after one step from ``s0``
        (the same list)."""
        return _recurrence(mode, input, s0, self.weight_ih, self.weight_hh, self.bias_ih,
                           self.bias_hh, None, (input.shape[0],), False)[1]


class RNNCell(RNNCellBase):
    r"""One Elman step :math:`h' = \tanh(x W_{ih}^\top + b_{ih} + h W_{hh}^\top + b_{hh})`
    (or ReLU). ``forward(input, hx=None)`` returns :math:`h'`."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        input, (h,), batched = self._prepare(input, None if hx is None else [hx], "RNNCell",
                                             ["hidden"])
        (out,) = self._step(input, [h], "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU")
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    r"""One LSTM step: gates :math:`i, f, g, o`, :math:`c' = f \odot c + i \odot g`,
    :math:`h' = o \odot \tanh(c')`. ``forward(input, (h, c)=None)`` returns
    :math:`(h', c')`."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor, hx=None) -> tuple[Tensor, Tensor]:
        states = None if hx is None else list(hx)
        input, (h, c), batched = self._prepare(input, states, "LSTMCell", ["hx[0]", "hx[1]"])
        h1, c1 = self._step(input, [h, c], "LSTM")
        return (h1, c1) if batched else (h1.squeeze(0), c1.squeeze(0))


class GRUCell(RNNCellBase):
    r"""One GRU step: :math:`r, z` gates, :math:`n = \tanh(x W_{in}^\top + b_{in} +
    r \odot (h W_{hn}^\top + b_{hn}))`, :math:`h' = (1 - z) \odot n + z \odot h`.
    ``forward(input, hx=None)`` returns :math:`h'`."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, (h,), batched = self._prepare(input, None if hx is None else [hx], "GRUCell",
                                             ["hidden"])
        (out,) = self._step(input, [h], "GRU")
        return out if batched else out.squeeze(0)


__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNBase", "RNNCell", "RNNCellBase"]
