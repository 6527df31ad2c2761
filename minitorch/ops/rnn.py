r"""Recurrent layers as differentiable ops: one ``Function`` runs one layer in one
direction over a whole (possibly packed) sequence.

How a recurrent layer is split into ops
---------------------------------------
For input rows :math:`x_t` the layer computes :math:`s_t = \text{cell}(x_t W_{ih}^\top
+ b, s_{t-1})`. The input projection does not depend on the state, so the modules do it
for *all* time steps as one matrix product (``F.linear``) before the loop. What is left
is the recurrence, which is one Function here (:class:`RNNTanhLayer`,
:class:`RNNReluLayer`, :class:`LSTMLayer`, :class:`GRULayer`): its ``forward`` loops over the time steps on raw arrays, a handful of
NumPy calls per step (one product :math:`h_{t-1} W_{hh}^\top`, the gates); its
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
rows and B the batch size. For the LSTM a state row is :math:`[h \mid c]`.

Gradients and ``create_graph``
------------------------------
``backward`` is written once, with operators and :func:`cat` only, so the same lines run
on raw arrays (a first-order backward: no graph is recorded, so NumPy is called directly
and the gate values saved by ``forward`` are reused) and on Tensors (under
``create_graph=True``: the gates are recomputed from the inputs with Tensor ops, so the
gradient's own graph is recorded and second derivatives work). The LSTM without a
projection, the tutorials' model, has its first-order backward written a second time for
speed (:func:`_lstm_backprop_arrays`: the same formulas, fewer NumPy calls and no
joins); the shared lines remain its ``create_graph`` path, and the tests check both
against PyTorch.
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
        r"""Back-propagation through time: the steps in reverse order, each turning the
        gradient of its new states (from the output rows, plus what the next step sent
        back) into the gradients of its projected input rows and of the states it
        started from; the recurrent weights' gradients are summed over the steps."""
        xw, s0, *weights, act, out = ctx.saved_tensors
        graph = grad_mode.is_grad_enabled()  # create_graph: stay in Tensor ops
        if graph:
            join = _cat_tensors
        else:  # first order: plain arrays, and the gate values saved by forward
            join = _cat_arrays
            xw, s0, out, grad = xw._data, s0._data, out._data, grad._data
            weights = [None if w is None else w._data for w in weights]
            act = None if act is None else act._data
        weights = tuple(weights)
        steps, n_rows = ctx.steps, xw.shape[0]
        seq_grad, carry = grad[:n_rows], grad[n_rows:]
        needs = ctx.needs_input_grad[2 : 2 + ctx.n_weights]
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
        weight_grads = [None] * ctx.n_weights
        for key, (lefts, rights) in factors.items():
            same = all(a is b for a, b in zip(lefts, parts))
            left = d_xw if same else join(lefts, 0)
            weight_grads[key] = left.sum(0) if rights[0] is None else left.T @ join(rights, 0)
        grads = [d_xw, carry, *weight_grads]
        if not graph:
            grads = [None if g is None else Tensor._wrap(g) for g in grads]
        grads += [None, None]  # batch_sizes, reverse
        return tuple(g if need else None for g, need in zip(grads, ctx.needs_input_grad))


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


class LSTMLayer(_Recurrence):
    r"""LSTM recurrence on the state :math:`[h \mid c]`, gates in PyTorch's order
    (input, forget, cell, output):

    .. math::

        a &= p_t + h_{t-1} W_{hh}^\top = [a_i \; a_f \; a_g \; a_o], \qquad
        i = \sigma(a_i),\ f = \sigma(a_f),\ g = \tanh(a_g),\ o = \sigma(a_o), \\
        c_t &= f \odot c_{t-1} + i \odot g, \qquad
        m = o \odot \tanh(c_t), \qquad h_t = m \ (\text{or } m W_{hr}^\top
        \text{ with a projection}),

    with :math:`p_t = x_t W_{ih}^\top + b_{ih} + b_{hh}` projected beforehand.

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

    ``forward`` saves :math:`i, f, g, o, \tanh c_t` for every row (5 hidden_size
    columns).
    """

    _act_gates = 5

    @staticmethod
    def forward(ctx: Node, xw: Array, s0: Array, w_hh: Array, w_hr: Array, batch_sizes, reverse) -> Array:
        return ctx._fn._loop(ctx, xw, s0, (w_hh, w_hr), batch_sizes, reverse)

    @staticmethod
    def _hidden(weights) -> int:
        return weights[0].shape[0] // 4

    @staticmethod
    def _scale(xp, dtype, hidden: int, batch: int):
        return _sigmoid_tanh_scale(xp, dtype, hidden, "ssts", batch)

    @staticmethod
    def _step(xw, prev, weights, new, act, scale):
        xp = get_array_module(xw)
        w_t, w_hr = weights  # W_hh^T (see _loop)
        proj, hidden = w_t.shape[0], w_t.shape[1] // 4
        a = prev[:, :proj] @ w_t
        a += xw
        _gates_inplace(a, scale)
        act[:4] = a.reshape(a.shape[0], 4, hidden).transpose(1, 0, 2)
        i, f, g, o, tc = act
        c = new[:, proj:]
        xp.multiply(f, prev[:, proj:], out=c)
        c += i * g
        xp.tanh(c, out=tc)
        if w_hr is None:
            xp.multiply(o, tc, out=new[:, :proj])
        else:
            new[:, :proj] = (o * tc) @ w_hr.T

    @staticmethod
    def _gates(xw, prev, new, weights):
        w_hh = weights[0]
        proj, hidden = w_hh.shape[1], w_hh.shape[0] // 4
        a = xw + prev[:, :proj] @ w_hh.T
        i, f, g, o = (a[:, j * hidden : (j + 1) * hidden] for j in range(4))
        i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
        return i, f, g, o, (f * prev[:, proj:] + i * g).tanh()

    @classmethod
    def _backprop(cls, ctx, grad):
        if grad_mode.is_grad_enabled() or ctx.saved_tensors[3] is not None:
            return super()._backprop(ctx, grad)  # create_graph, or a projection
        return _lstm_backprop_arrays(ctx, grad)

    @staticmethod
    def _step_grad(grad, prev, gates, weights, needs, join):
        w_hh, w_hr = weights
        proj = w_hh.shape[1]
        i, f, g, o, tc = gates
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


def _lstm_backprop_arrays(ctx, grad):
    r"""First-order BPTT of :class:`LSTMLayer` without a projection, on raw arrays: the
    same gradient as ``_step_grad`` (see the class docstring), written step by step into
    preallocated buffers. :math:`\partial L/\partial p` of every row goes straight
    into its rows of one array (no joins), each step's gate terms are computed gate-major
    (each gate a contiguous block: i and f share their :math:`\sigma'` calls), and
    :math:`\partial L/\partial W_{hh} = \sum_t D_t^\top h_{t-1}` is one matrix
    product of the stacked factors (two when every step has the whole batch, reading the
    previous states in place)."""
    xw, s0, w_hh, _, act, out = ctx.saved_tensors
    xw, s0, w, act, out, grad = xw._data, s0._data, w_hh._data, act._data, out._data, grad._data
    xp = get_array_module(out)
    steps, n_rows, batch = ctx.steps, xw.shape[0], s0.shape[0]
    hidden = w.shape[1]
    dtype = out.dtype
    d = xp.empty((n_rows, 4 * hidden), dtype)
    carry = grad[n_rows:].copy()
    seq = grad[:n_rows]
    scratch = xp.empty((4, batch, hidden), dtype)
    gh_buf, gc_buf, t_buf = (xp.empty((batch, hidden), dtype) for _ in range(3))
    gi, gf, gg, go, gtc = act
    multiply, subtract, add, matmul = xp.multiply, xp.subtract, xp.add, xp.matmul
    wt_uniform = len({n for _, n in steps}) == 1
    prevs = []
    for k in range(len(steps) - 1, -1, -1):
        off, n = steps[k]
        r = slice(off, off + n)
        prev = _previous(out, s0, steps, k, _cat_arrays)
        if not wt_uniform:
            prevs.append(prev[:, :hidden])
        i, f, g, o, tc, h = gi[r], gf[r], gg[r], go[r], gtc[r], out[r, :hidden]
        gh = add(seq[r, :hidden], carry[:n, :hidden], out=gh_buf[:n])
        gc = add(seq[r, hidden:], carry[:n, hidden:], out=gc_buf[:n])
        t = multiply(h, tc, out=t_buf[:n])  # gc += gh * o * (1 - tanh(c)^2), o tanh(c) = h
        subtract(o, t, out=t)
        t *= gh
        gc += t
        x = scratch[:, :n]
        s2 = x[0:2]  # i(1-i), f(1-f) in one call each
        subtract(1, act[0:2, r], out=s2)
        s2 *= act[0:2, r]
        x[0] *= g
        x[1] *= prev[:, hidden:]
        s2 *= gc
        xg = x[2]
        multiply(g, g, out=xg)
        subtract(1, xg, out=xg)
        xg *= i
        xg *= gc
        xo = x[3]  # gh * tanh(c) * o * (1 - o) = gh * h * (1 - o)
        subtract(1, o, out=xo)
        xo *= h
        xo *= gh
        dr = d[r]
        dr.reshape(n, 4, hidden)[...] = x.transpose(1, 0, 2)
        matmul(dr, w, out=carry[:n, :hidden])
        multiply(gc, f, out=carry[:n, hidden:])
    needs = ctx.needs_input_grad
    d_w = None
    if needs[2]:
        if not wt_uniform:
            if not ctx.reverse:
                prevs.reverse()
            d_w = d.T @ xp.concatenate(prevs, 0)
        elif ctx.reverse:  # the state before rows t is out[rows t+1]; the last: s0
            d_w = d[: n_rows - batch].T @ out[batch:n_rows, :hidden]
            d_w += d[n_rows - batch :].T @ s0[:, :hidden]
        else:
            d_w = d[:batch].T @ s0[:, :hidden]
            d_w += d[batch:].T @ out[: n_rows - batch, :hidden]
    grads = [d, carry, d_w]
    grads = [None if a is None else Tensor._wrap(a) for a in grads] + [None, None, None]
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


__all__ = ["GRULayer", "LSTMLayer", "RNNReluLayer", "RNNTanhLayer"]
