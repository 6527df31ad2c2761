r"""Recurrent layers as differentiable ops: one ``Function`` runs one layer in one
direction over a whole (possibly packed) sequence.

How a recurrent layer is split into ops
---------------------------------------
For input rows :math:`x_t` the layer computes :math:`s_t = \text{cell}(x_t W_{ih}^\top
+ b, s_{t-1})`. The input projection does not depend on the state, so it is done for
*all* time steps as one matrix product before the loop: by the modules (``F.linear``)
for the Elman and GRU layers, inside the op for the LSTM (:class:`LSTMLayer`, which
lays the product out gate by gate for its loop). The recurrence is one Function here
(:class:`RNNTanhLayer`, :class:`RNNReluLayer`, :class:`LSTMLayer`, :class:`GRULayer`):
its ``forward`` loops over the time steps on raw arrays, a handful of NumPy calls per
step (one product :math:`h_{t-1} W_{hh}^\top`, the gates); its
``backward`` is back-propagation through time, the same loop run backwards with each
step's gradient derived in the class docstring.

Why one Function per layer rather than one per step: a per-step Function would read its
slice of the projected input through an indexing node, and every such node's gradient
is a zero tensor the size of the *whole* sequence with one slice filled in, so a
sequence of T steps would cost :math:`T^2` in gradient memory traffic. Here the
per-step gradients are joined once, in row order, into the gradient of the projection.

The packed layout
-----------------
Rows are time-major: the rows of step :math:`t` are ``offset_t : offset_t + n_t`` with
``n_t = batch_sizes[t]`` non-increasing (``PackedSequence``'s layout; a padded batch of
T steps is the case ``batch_sizes = (B,) * T``). At step :math:`t` only the first
:math:`n_t` sequences are active; the others keep their state. A reverse direction
visits the steps last to first, so sequences *join* as the loop goes, starting from
their initial state. Both cases are one rule: before step :math:`t`, the state array's
first :math:`n_t` rows are the active sequences' previous states.

The output of each Function is the array of new states, one row block per step,
followed by the final state of every sequence: shape (N + B, S), with N the number of
rows and B the batch size. The LSTM has two states, h and c: its output is those two
blocks one after the other, flat (see :class:`LSTMLayer`).

Gradients and ``create_graph``
------------------------------
``backward`` is written once, with operators and :func:`cat` only, so the same lines run
on raw arrays (a first-order backward: no graph is recorded, so NumPy is called directly
and the gate values saved by ``forward`` are reused) and on Tensors (under
``create_graph=True``: the gates are recomputed from the inputs with Tensor ops, so the
gradient's own graph is recorded and second derivatives work). The LSTM without a
projection, the tutorials' model, has its first-order backward written a second time for
speed (:func:`_lstm_backprop_arrays`: the same formulas, fewer NumPy calls and no
joins); the shared lines remain its ``create_graph`` path (and its first-order one with
``_LSTM_FAST_BACKWARD = False``), and the tests check both against PyTorch and against
each other.
"""

from __future__ import annotations

from .._backend import get_array_module
from ..autograd import grad_mode
from ..autograd.function import Array, ArrayFunction, Grads, Node
from ..tensor import Tensor
from .shape import cat


def _steps(batch_sizes: tuple[int, ...], reverse: bool) -> list[tuple[int, int]]:
    """``(row offset, active rows)`` of every time step, in the order they are run."""
    steps, off = [], 0
    for n in batch_sizes:
        steps.append((off, n))
        off += n
    return steps[::-1] if reverse else steps


def _cat_arrays(parts: list, axis: int):
    return get_array_module(parts[0]).concatenate(parts, axis=axis)


def _cat_tensors(parts: list, axis: int):
    return cat(parts, axis)


def _previous(out, s0, steps, k: int, join):
    """The states that step ``k`` starts from: the previous step's new states (its first
    ``n`` rows), plus, where sequences join (reverse direction), their initial states."""
    n = steps[k][1]
    if k == 0:
        return s0[:n]
    poff, pn = steps[k - 1]
    if n <= pn:
        return out[poff : poff + n]
    return join([out[poff : poff + pn], s0[pn:n]], 0)


def _sigmoid_tanh_scale(xp, dtype, hidden: int, gates: str, batch: int):
    r"""Per-column scale :math:`k` (0.5 for a sigmoid gate, 1 for a tanh gate) so that
    :math:`k \tanh(k a) + (1 - k)` is :math:`\sigma(a) = \tfrac12 + \tfrac12\tanh(a/2)` or
    :math:`\tanh(a)`: every gate of a step in one ``tanh`` call, and no overflow.

    Returns :math:`k` and :math:`1 - k` repeated for ``batch`` rows: NumPy multiplies
    two arrays of one shape faster than it broadcasts a row over many."""
    k = xp.empty((batch, len(gates) * hidden), dtype=dtype)
    for j, kind in enumerate(gates):
        k[:, j * hidden : (j + 1) * hidden] = 0.5 if kind == "s" else 1.0
    return k, 1 - k


def _gates_inplace(a, scale):
    """Apply the gate nonlinearities to pre-activations ``a`` in place (see above)."""
    k, one_minus_k = scale
    n = a.shape[0]
    a *= k[:n]
    get_array_module(a).tanh(a, out=a)
    a *= k[:n]
    a += one_minus_k[:n]
    return a


class _Recurrence(ArrayFunction):
    r"""The time loop shared by the layer kinds (see the module docstring).

    A subclass gives ``_step`` (one step forward on raw arrays, writing the new states
    and the gate values into the rows it is handed), ``_gates`` (the same gate values
    recomputed with Tensor ops, for ``create_graph``, in the order ``forward`` saves them)
    and ``_step_grad`` (one step's gradient, written with operators only, so it runs on
    arrays and on Tensors alike).

    ``_step_grad`` returns the gradients of the step's projected input rows and of its
    previous states, and, for each recurrent weight, the two factors of that step's term
    of the weight's gradient :math:`\sum_t L_t^\top R_t` (a bias: :math:`\sum_t
    \mathbf 1^\top L_t`, marked by ``R = None``). The sums over steps are taken at the
    end as *one* matrix product of the stacked factors, which is faster than a small
    product per step.
    """

    _act_gates = 0  # gate values saved per row, in units of hidden_size
    # They are saved gate-major, an array (gates, rows, hidden): each gate of some rows is
    # then a contiguous block, which NumPy's loops run through about twice as fast as the
    # same values interleaved with the other gates.

    @staticmethod
    def backward(ctx: Node, grad: Tensor) -> Grads:
        return ctx._fn._backprop(ctx, grad)

    @classmethod
    def _loop(cls, ctx, xw, s0, weights: tuple, batch_sizes, reverse: bool):
        xp = get_array_module(xw)
        steps = _steps(batch_sizes, reverse)
        n_rows, batch = xw.shape[0], s0.shape[0]
        hidden = cls._hidden(weights)
        out = xp.empty((n_rows + batch, s0.shape[1]), dtype=xw.dtype)
        act = (xp.empty((cls._act_gates, n_rows, hidden), xw.dtype)
               if cls._act_gates else None)
        scale = cls._scale(xp, xw.dtype, hidden, batch)
        # the steps read W_hh^T: made contiguous once, so each product is BLAS's fastest
        run_weights = (xp.ascontiguousarray(weights[0].T),) + tuple(weights[1:])
        state = s0.copy()
        for off, n in steps:
            rows = slice(off, off + n)
            cls._step(xw[rows], state[:n], run_weights, out[rows],
                      None if act is None else act[:, rows], scale)
            state[:n] = out[rows]
        out[n_rows:] = state
        ctx.steps, ctx.reverse, ctx.n_weights = steps, reverse, len(weights)
        ctx.save_for_backward(xw, s0, *weights, act, out)
        return out

    @staticmethod
    def _scale(xp, dtype, hidden: int, batch: int):
        return None

    @classmethod
    def _backprop(cls, ctx, grad):
        r"""Back-propagation through time (see :meth:`_bptt`) of the saved inputs."""
        xw, s0, *weights, act, out = ctx.saved_tensors
        graph = grad_mode.is_grad_enabled()  # create_graph: stay in Tensor ops
        if not graph:  # first order: plain arrays, and the gate values saved by forward
            xw, s0, out, grad = xw._data, s0._data, out._data, grad._data
            weights = [None if w is None else w._data for w in weights]
            act = None if act is None else act._data
        needs = ctx.needs_input_grad[2 : 2 + ctx.n_weights]
        grads = cls._bptt(ctx, xw, s0, tuple(weights), act, out, grad, needs, graph)
        if not graph:
            grads = [None if g is None else Tensor._wrap(g) for g in grads]
        grads += [None, None]  # batch_sizes, reverse
        return tuple(g if need else None for g, need in zip(grads, ctx.needs_input_grad))

    @classmethod
    def _bptt(cls, ctx, xw, s0, weights: tuple, act, out, grad, needs, graph: bool) -> list:
        r"""Back-propagation through time: the steps in reverse order, each turning the
        gradient of its new states (from the output rows, plus what the next step sent
        back) into the gradients of its projected input rows and of the states it
        started from; the recurrent weights' gradients are summed over the steps.

        Works on Tensors (``graph``: the gates are recomputed, so the gradient's own
        graph is recorded) or on arrays. Returns ``[d_xw, d_s0, *weight grads]``, a
        weight's entry ``None`` where ``needs`` says it needs none."""
        join = _cat_tensors if graph else _cat_arrays
        steps, n_rows = ctx.steps, out.shape[0] - s0.shape[0]
        seq_grad, carry = grad[:n_rows], grad[n_rows:]
        parts, factors = [], {}  # factors: weight index -> (left factors, right factors)
        for k in range(len(steps) - 1, -1, -1):
            off, n = steps[k]
            rows = slice(off, off + n)
            full = n == carry.shape[0]
            g = seq_grad[rows] + (carry if full else carry[:n])
            prev = _previous(out, s0, steps, k, join)
            if graph:
                gates = cls._gates(xw[rows], prev, out[rows], weights)
            else:  # (an Elman layer saves no gates: its derivative comes from its output)
                gates = out[rows] if act is None else tuple(act[:, rows])
            d_xw, d_prev, products = cls._step_grad(g, prev, gates, weights, needs, join)
            parts.append(d_xw)
            for key, (left, right) in products.items():
                lefts, rights = factors.setdefault(key, ([], []))
                lefts.append(left)
                rights.append(right)
            carry = d_prev if full else join([d_prev, carry[n:]], 0)
        if not ctx.reverse:  # collected last step first: put the rows back in order
            for rows_list in [parts] + [lst for pair in factors.values() for lst in pair]:
                rows_list.reverse()
        d_xw = join(parts, 0)
        weight_grads = [None] * len(weights)
        for key, (lefts, rights) in factors.items():
            same = all(a is b for a, b in zip(lefts, parts))
            left = d_xw if same else join(lefts, 0)
            weight_grads[key] = left.sum(0) if rights[0] is None else left.T @ join(rights, 0)
        return [d_xw, carry, *weight_grads]


class _RNNLayer(_Recurrence):
    r"""Elman recurrence :math:`h_t = \phi(a_t)`, :math:`a_t = p_t + h_{t-1} W_{hh}^\top`,
    with :math:`p_t = x_t W_{ih}^\top + b_{ih} + b_{hh}` projected beforehand and
    :math:`\phi` = tanh or ReLU.

    Gradient of one step, with :math:`G` = the gradient reaching :math:`h_t`:
    :math:`D = \partial L/\partial a_t = G \odot \phi'(a_t)`, where
    :math:`\tanh' = 1 - h_t^2` and :math:`\text{ReLU}' = [h_t > 0]` are read off the saved
    output; then :math:`\partial L/\partial p_t = D`,
    :math:`\partial L/\partial h_{t-1} = D W_{hh}` and
    :math:`\partial L/\partial W_{hh} \mathrel{+}= D^\top h_{t-1}`.
    """

    _relu = False

    @staticmethod
    def forward(ctx: Node, xw: Array, s0: Array, w_hh: Array, batch_sizes, reverse) -> Array:
        return ctx._fn._loop(ctx, xw, s0, (w_hh,), batch_sizes, reverse)

    @staticmethod
    def _hidden(weights) -> int:
        return weights[0].shape[0]

    @classmethod
    def _step(cls, xw, prev, weights, new, act, scale):
        xp = get_array_module(xw)
        xp.matmul(prev, weights[0], out=new)  # weights[0] is W_hh^T (see _loop)
        new += xw
        if cls._relu:
            xp.maximum(new, 0, out=new)
        else:
            xp.tanh(new, out=new)

    @classmethod
    def _gates(cls, xw, prev, new, weights):
        return new  # the derivative is read off the new state itself

    @classmethod
    def _step_grad(cls, g, prev, new, weights, needs, join):
        d = g * (new > 0) if cls._relu else g * (1 - new * new)
        return d, d @ weights[0], {0: (d, prev)} if needs[0] else {}


class RNNTanhLayer(_RNNLayer):
    __doc__ = _RNNLayer.__doc__


class RNNReluLayer(_RNNLayer):
    __doc__ = _RNNLayer.__doc__
    _relu = True


# Gate order inside the LSTM op: o, i, f, g (PyTorch's blocks are i, f, g, o). The three
# sigmoid gates (o, i, f) are then one block, and so are the three gates that the cell's
# gradient multiplies (i, f, g): one NumPy call for each group instead of two.
_LSTM_ORDER = [3, 0, 1, 2]  # the op's gate j is PyTorch's block _LSTM_ORDER[j]
_LSTM_TO_TORCH = [1, 2, 3, 0]  # PyTorch's block p is the op's gate _LSTM_TO_TORCH[p]


def _lstm_gate_major(w, hidden: int):
    r"""``W`` (4 hidden, k), blocks in PyTorch's gate order, as an array (4, k, hidden) in
    the op's order with the sigmoid gates halved: block :math:`j` is :math:`s_j
    W_j^\top`, :math:`s = (\tfrac12, \tfrac12, \tfrac12, 1)` for (o, i, f, g). So
    ``x @ result`` is every gate's scaled pre-activation, each gate one contiguous block.
    (Halving is exact in floating point, so the products are those of the unscaled
    weights, halved.)"""
    blocks = w.reshape(4, hidden, w.shape[-1])[_LSTM_ORDER].transpose(0, 2, 1)
    out = get_array_module(w).ascontiguousarray(blocks)
    out[:3] *= 0.5
    return out


def _lstm_rows_to_torch(a, hidden: int):
    """Rows (4 hidden, ...) of a gradient in the op's gate order, in PyTorch's order."""
    return a.reshape(4, hidden, -1)[_LSTM_TO_TORCH].reshape(a.shape)


def lstm_state_rows(out, rows: int, proj: int):
    """The two blocks of an :class:`LSTMLayer` output (arrays or Tensors): the h rows
    (rows, proj) and the c rows (rows, hidden), where rows = N + B."""
    return out[: rows * proj].reshape(rows, proj), out[rows * proj :].reshape(rows, -1)


class LSTMLayer(_Recurrence):
    r"""LSTM layer, input projection included. Gates in PyTorch's order (input, forget,
    cell, output):

    .. math::

        a &= p_t + h_{t-1} W_{hh}^\top = [a_i \; a_f \; a_g \; a_o], \qquad
        p_t = x_t W_{ih}^\top + b_{ih} + b_{hh}, \\
        i &= \sigma(a_i),\ f = \sigma(a_f),\ g = \tanh(a_g),\ o = \sigma(a_o), \\
        c_t &= f \odot c_{t-1} + i \odot g, \qquad
        m = o \odot \tanh(c_t), \qquad h_t = m \ (\text{or } m W_{hr}^\top
        \text{ with a projection}).

    ``apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes, reverse)``: ``x``
    (N, in) in the packed layout, ``h0`` (B, P) and ``c0`` (B, H) the initial states
    (P = proj_size, or H without a projection), the biases and ``w_hr`` may be None. The
    output is flat, two blocks: the h of every row followed by the final h of every
    sequence, (N + B) x P, then the c's likewise, (N + B) x H
    (:func:`lstm_state_rows` splits it). Each block is contiguous, so the next layer
    reads its input in place and NumPy runs through h and c without strides.

    Gradient of one step, from :math:`G_h, G_c` (what reaches :math:`h_t` and
    :math:`c_t`), with :math:`\sigma' = \sigma(1-\sigma)` and :math:`\tanh' = 1-\tanh^2`:

    * projection: :math:`\partial L/\partial W_{hr} \mathrel{+}= G_h^\top m`, and
      :math:`G_m = G_h W_{hr}` (:math:`G_m = G_h` without one);
    * :math:`c_t` reaches the loss directly and through :math:`m`:
      :math:`\bar G_c = G_c + G_m \odot o \odot (1 - \tanh^2 c_t)`;
    * the gates: :math:`D_i = \bar G_c \odot g \odot i(1-i)`,
      :math:`D_f = \bar G_c \odot c_{t-1} \odot f(1-f)`,
      :math:`D_g = \bar G_c \odot i \odot (1-g^2)`,
      :math:`D_o = G_m \odot \tanh c_t \odot o(1-o)`; :math:`D = [D_i\,D_f\,D_g\,D_o]`
      is :math:`\partial L/\partial a = \partial L/\partial p_t`;
    * :math:`\partial L/\partial h_{t-1} = D W_{hh}`,
      :math:`\partial L/\partial c_{t-1} = \bar G_c \odot f`,
      :math:`\partial L/\partial W_{hh} \mathrel{+}= D^\top h_{t-1}`.

    The projection is linear, so with :math:`D` stacked over all rows:
    :math:`\partial L/\partial x = D W_{ih}`, :math:`\partial L/\partial W_{ih} = D^\top x`,
    :math:`\partial L/\partial b_{ih} = \partial L/\partial b_{hh} = \sum_{\text{rows}} D`.

    How ``forward`` runs: the projection of every row is one product written gate-major,
    an array (4, N, H) with the gates in the order o, i, f, g (each gate a contiguous
    block, which NumPy runs through about twice as fast as columns of a wider array).
    A sigmoid is computed as :math:`\sigma(a) = \tfrac12 \tanh(a/2) + \tfrac12` (no
    overflow), with the halving folded into the weights (:func:`_lstm_gate_major`), so
    one ``tanh`` call makes all four gates of a step. ``forward`` keeps
    :math:`o, i, f, g, \tanh c_t` of every row for ``backward``.
    """

    _act_gates = 5

    @staticmethod
    def forward(ctx: Node, x: Array, h0: Array, c0: Array, w_ih: Array, w_hh: Array, b_ih,
                b_hh, w_hr, batch_sizes, reverse) -> Array:
        xp = get_array_module(x)
        steps = _steps(batch_sizes, reverse)
        n_rows, batch = x.shape[0], h0.shape[0]
        hidden, proj = w_hh.shape[0] // 4, w_hh.shape[1]
        out = xp.empty((n_rows + batch) * (proj + hidden), x.dtype)
        hs, cs = lstm_state_rows(out, n_rows + batch, proj)
        act = xp.empty((5, n_rows, hidden), x.dtype)
        gates = act[:4]
        xp.matmul(x, _lstm_gate_major(w_ih, hidden), out=gates)  # x_t W_ih^T of every step
        bias = None
        if b_ih is not None:  # added to each step's product: one contiguous addition
            bias = xp.empty((4, batch, hidden), x.dtype)
            bias[...] = _lstm_gate_major((b_ih + b_hh)[:, None], hidden)
        w_t = _lstm_gate_major(w_hh, hidden)
        w_hr_t = None if w_hr is None else xp.ascontiguousarray(w_hr.T)
        step_buf, m_buf = xp.empty((4, batch, hidden), x.dtype), xp.empty((batch, hidden), x.dtype)
        matmul, multiply, tanh = xp.matmul, xp.multiply, xp.tanh
        rows_of = 0  # the scratch views below are for steps of this many rows
        for k, (off, n) in enumerate(steps):
            if n != rows_of:
                rows_of, hw, m = n, step_buf[:, :n], m_buf[:n]
                b = None if bias is None else bias[:, :n]
            r = slice(off, off + n)
            c_prev = _previous(cs, c0, steps, k, _cat_arrays)
            matmul(_previous(hs, h0, steps, k, _cat_arrays), w_t, out=hw)
            if b is not None:
                hw += b
            a = gates[:, r]
            a += hw
            tanh(a, out=a)
            s = a[:3]  # o, i, f: sigmoid = (tanh(a/2) + 1) / 2, the halving done above
            s *= 0.5
            s += 0.5
            o, i, f, g = a
            c, tc, h = cs[r], act[4, r], hs[r]
            multiply(f, c_prev, out=c)
            c += multiply(i, g, out=m)
            tanh(c, out=tc)
            if w_hr_t is None:
                multiply(o, tc, out=h)
            else:
                matmul(multiply(o, tc, out=m), w_hr_t, out=h)
            ends = steps[k + 1][1] if k + 1 < len(steps) else 0
            if ends < n:  # sequences ends..n take no further step: their final states
                hs[n_rows + ends : n_rows + n] = hs[off + ends : off + n]
                cs[n_rows + ends : n_rows + n] = cs[off + ends : off + n]
        ctx.steps, ctx.reverse = steps, reverse
        ctx.save_for_backward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, act, out)
        return out

    @staticmethod
    def _gates(xw, prev, new, weights):
        w_hh = weights[0]
        proj, hidden = w_hh.shape[1], w_hh.shape[0] // 4
        a = xw + prev[:, :proj] @ w_hh.T
        i, f, g, o = (a[:, j * hidden : (j + 1) * hidden] for j in range(4))
        i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
        return o, i, f, g, (f * prev[:, proj:] + i * g).tanh()  # forward's order

    @classmethod
    def _backprop(cls, ctx, grad):
        graph = grad_mode.is_grad_enabled()  # create_graph: stay in Tensor ops
        saved = ctx.saved_tensors
        if not graph and saved[7] is None and _LSTM_FAST_BACKWARD:
            return _lstm_backprop_arrays(ctx, saved, grad)
        x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, act, out = saved
        join = _cat_tensors if graph else _cat_arrays
        if not graph:  # first order: plain arrays, and the gate values saved by forward
            x, h0, c0, w_ih, w_hh, act, out, grad = (t._data for t in (x, h0, c0, w_ih, w_hh,
                                                                       act, out, grad))
            w_hr = None if w_hr is None else w_hr._data
        rows, proj = x.shape[0] + h0.shape[0], w_hh.shape[1]
        s0 = join([h0, c0], 1)  # the shared lines' state rows [h | c]
        out, grad = (join(list(lstm_state_rows(a, rows, proj)), 1) for a in (out, grad))
        xw = None
        if graph:  # the projection again, recorded: forward's gates are recomputed from it
            xw = x @ w_ih.T if b_ih is None else x @ w_ih.T + (b_ih + b_hh)
        needs = ctx.needs_input_grad
        d_xw, d_s0, d_w_hh, d_w_hr = cls._bptt(ctx, xw, s0, (w_hh, w_hr), act, out, grad,
                                               (needs[4], needs[7]), graph)
        d_b = d_xw.sum(0) if needs[5] or needs[6] else None
        grads = [d_xw @ w_ih if needs[0] else None, d_s0[:, :proj], d_s0[:, proj:],
                 d_xw.T @ x if needs[3] else None, d_w_hh, d_b, d_b, d_w_hr]
        if not graph:
            grads = [None if g is None else Tensor._wrap(g) for g in grads]
        grads += [None, None]  # batch_sizes, reverse
        return tuple(g if need else None for g, need in zip(grads, needs))

    @staticmethod
    def _step_grad(grad, prev, gates, weights, needs, join):
        w_hh, w_hr = weights
        proj = w_hh.shape[1]
        o, i, f, g, tc = gates
        gh, gc = grad[:, :proj], grad[:, proj:]
        products = {}
        if w_hr is not None:
            if needs[1]:
                products[1] = (gh, o * tc)
            gh = gh @ w_hr
        gc = gc + gh * o * (1 - tc * tc)
        d = join([gc * g * i * (1 - i), gc * prev[:, proj:] * f * (1 - f),
                  gc * i * (1 - g * g), gh * tc * o * (1 - o)], 1)
        if needs[0]:
            products[0] = (d, prev[:, :proj])
        return d, join([d @ w_hh, gc * f], 1), products


_LSTM_FAST_BACKWARD = True  # False: every first-order backward takes the shared lines (tests)


def _lstm_backprop_arrays(ctx, saved, grad):
    r"""First-order BPTT of :class:`LSTMLayer` without a projection, on raw arrays: the
    same gradient as ``_step_grad`` (see the class docstring), written step by step into
    preallocated buffers, with the gates in forward's order (o, i, f, g).

    Each step: :math:`[G_h; G_c]` in one addition (h and c are the output's two blocks);
    :math:`\bar G_c = G_c + G_h \odot (o - h \odot \tanh c_t)` (as
    :math:`o \tanh^2 c_t = h \tanh c_t`); :math:`s(1-s)` of the three sigmoid gates in two
    calls; the gate terms gate-major in a scratch array (i, f, g multiplied by
    :math:`\bar G_c` in one call); then one copy puts them into the step's rows of
    :math:`D` (N, 4H), kept in forward's gate order, whose product with :math:`W_{hh}`
    (its rows in the same order) sends :math:`\partial L/\partial h_{t-1}` back.
    After the loop: :math:`\partial L/\partial W_{hh} = D^\top H_{\text{prev}}` (two
    products reading the states in place when every step has the whole batch),
    :math:`D W_{ih}`, :math:`D^\top x`, :math:`\sum D`, the weight rows put back in
    PyTorch's gate order."""
    x, h0, c0, w_ih, w_hh, *_, act, out = (None if t is None else t._data for t in saved)
    grad = grad._data
    xp = get_array_module(out)
    steps, n_rows, batch = ctx.steps, x.shape[0], h0.shape[0]
    hidden = w_hh.shape[1]
    dtype = out.dtype
    hs, cs = lstm_state_rows(out, n_rows + batch, hidden)
    grads2 = grad.reshape(2, n_rows + batch, hidden)  # [G_h rows; G_c rows]
    w = w_hh.reshape(4, hidden, hidden)[_LSTM_ORDER].reshape(4 * hidden, hidden)
    d = xp.empty((n_rows, 4 * hidden), dtype)
    carry = grads2[:, n_rows:].copy()  # what reaches each sequence's current state
    g_buf, e_buf = xp.empty((2, batch, hidden), dtype), xp.empty((4, batch, hidden), dtype)
    t_buf = xp.empty((batch, hidden), dtype)
    multiply, subtract, add, matmul = xp.multiply, xp.subtract, xp.add, xp.matmul
    uniform = len({n for _, n in steps}) == 1
    needs = ctx.needs_input_grad
    prevs, rows_of = [], 0
    for k in range(len(steps) - 1, -1, -1):
        off, n = steps[k]
        if n != rows_of:  # views of the scratch arrays for steps of n rows
            rows_of, g2, t, to_h, to_c = n, g_buf[:, :n], t_buf[:n], carry[0, :n], carry[1, :n]
            e = e_buf[:, :n]  # the gate terms, gate-major
            gh, gc = g2
            e_sig, e_o, e_i, e_f, e_g, e_ifg, e_rows = e[:3], *e, e[1:], e.transpose(1, 0, 2)
            carry_n = carry[:, :n]
        r = slice(off, off + n)
        if not uniform:
            prevs.append(_previous(hs, h0, steps, k, _cat_arrays))
        add(grads2[:, r], carry_n, out=g2)
        sig = act[:3, r]
        o, i, f, g, tc = act[:, r]
        multiply(hs[r], tc, out=t)  # gc += gh * o * (1 - tanh(c)^2)
        subtract(o, t, out=t)
        t *= gh
        gc += t
        subtract(1, sig, out=e_sig)  # o(1-o), i(1-i), f(1-f)
        e_sig *= sig
        e_o *= tc
        e_o *= gh
        e_i *= g
        e_f *= _previous(cs, c0, steps, k, _cat_arrays)
        multiply(g, g, out=e_g)
        subtract(1, e_g, out=e_g)
        e_g *= i
        e_ifg *= gc
        dr = d[r]
        dr.reshape(n, 4, hidden)[...] = e_rows
        if k or needs[1]:  # (the first step sends its gradient to h0 and c0 only)
            matmul(dr, w, out=to_h)
        if k or needs[2]:
            multiply(gc, f, out=to_c)
    d_w_hh = None
    if needs[4]:
        if not uniform:
            if not ctx.reverse:
                prevs.reverse()
            d_w_hh = d.T @ xp.concatenate(prevs, 0)
        elif ctx.reverse:  # the state before rows t is hs[rows t+1]; the last: h0
            d_w_hh = d[: n_rows - batch].T @ hs[batch:n_rows]
            d_w_hh += d[n_rows - batch :].T @ h0
        else:
            d_w_hh = d[:batch].T @ h0
            d_w_hh += d[batch:].T @ hs[: n_rows - batch]
        d_w_hh = _lstm_rows_to_torch(d_w_hh, hidden)
    d_x = None
    if needs[0]:
        d_x = d @ w_ih.reshape(4, hidden, -1)[_LSTM_ORDER].reshape(w_ih.shape)
    d_w_ih = _lstm_rows_to_torch(d.T @ x, hidden) if needs[3] else None
    d_b = _lstm_rows_to_torch(d.sum(0), hidden) if needs[5] or needs[6] else None
    grads = [d_x, carry[0], carry[1], d_w_ih, d_w_hh, d_b, d_b, None]
    grads = [None if a is None else Tensor._wrap(a) for a in grads] + [None, None]
    return tuple(a if need else None for a, need in zip(grads, needs))


class GRULayer(_Recurrence):
    r"""GRU recurrence, gates in PyTorch's order (reset, update, new):

    .. math::

        q &= h_{t-1} W_{hh}^\top + b_{hh} = [q_r \; q_z \; q_n], \qquad
        r = \sigma(p_r + q_r), \quad z = \sigma(p_z + q_z), \\
        n &= \tanh(p_n + r \odot q_n), \qquad h_t = (1 - z) \odot n + z \odot h_{t-1},

    with :math:`p_t = x_t W_{ih}^\top + b_{ih}` projected beforehand (:math:`b_{hh}`
    stays inside: its :math:`n` part is multiplied by :math:`r`).

    Gradient of one step, from :math:`G` (what reaches :math:`h_t`):
    :math:`D_n = G \odot (1-z) \odot (1-n^2)`,
    :math:`D_z = G \odot (h_{t-1} - n) \odot z(1-z)`,
    :math:`D_r = D_n \odot q_n \odot r(1-r)`; then
    :math:`\partial L/\partial p_t = [D_r\, D_z\, D_n]`,
    :math:`\partial L/\partial q = E = [D_r\, D_z\, D_n \odot r]`,
    :math:`\partial L/\partial h_{t-1} = G \odot z + E W_{hh}`,
    :math:`\partial L/\partial W_{hh} \mathrel{+}= E^\top h_{t-1}`,
    :math:`\partial L/\partial b_{hh} \mathrel{+}= \sum_{\text{rows}} E`.

    ``forward`` saves :math:`r, z, n, q_n` for every row (4 hidden_size columns).
    """

    _act_gates = 4

    @staticmethod
    def forward(ctx: Node, xw: Array, s0: Array, w_hh: Array, b_hh: Array, batch_sizes, reverse) -> Array:
        return ctx._fn._loop(ctx, xw, s0, (w_hh, b_hh), batch_sizes, reverse)

    @staticmethod
    def _hidden(weights) -> int:
        return weights[0].shape[1]

    @staticmethod
    def _scale(xp, dtype, hidden: int, batch: int):
        return _sigmoid_tanh_scale(xp, dtype, hidden, "ss", batch)

    @staticmethod
    def _step(xw, prev, weights, new, act, scale):
        xp = get_array_module(xw)
        w_t, b_hh = weights  # W_hh^T (see _loop)
        hidden = w_t.shape[0]
        q = prev @ w_t
        if b_hh is not None:
            q += b_hh
        rz = xw[:, : 2 * hidden] + q[:, : 2 * hidden]
        _gates_inplace(rz, scale)
        act[:2] = rz.reshape(rz.shape[0], 2, hidden).transpose(1, 0, 2)
        r, z, n, qn = act
        qn[...] = q[:, 2 * hidden :]
        xp.multiply(r, qn, out=n)
        n += xw[:, 2 * hidden :]
        xp.tanh(n, out=n)
        xp.subtract(prev, n, out=new)
        new *= z
        new += n


    @staticmethod
    def _gates(xw, prev, new, weights):
        w_hh, b_hh = weights
        hidden = w_hh.shape[1]
        q = prev @ w_hh.T
        if b_hh is not None:
            q = q + b_hh
        r = (xw[:, :hidden] + q[:, :hidden]).sigmoid()
        z = (xw[:, hidden : 2 * hidden] + q[:, hidden : 2 * hidden]).sigmoid()
        qn = q[:, 2 * hidden :]
        return r, z, (xw[:, 2 * hidden :] + r * qn).tanh(), qn

    @staticmethod
    def _step_grad(grad, prev, gates, weights, needs, join):
        w_hh, b_hh = weights
        r, z, n, qn = gates
        dn = grad * (1 - z) * (1 - n * n)
        dz = grad * (prev - n) * z * (1 - z)
        dr = dn * qn * r * (1 - r)
        e = join([dr, dz, dn * r], 1)
        products = {0: (e, prev)} if needs[0] else {}
        if b_hh is not None and needs[1]:
            products[1] = (e, None)
        return join([dr, dz, dn], 1), grad * z + e @ w_hh, products


__all__ = ["GRULayer", "LSTMLayer", "RNNReluLayer", "RNNTanhLayer", "lstm_state_rows"]
