r"""L-BFGS: a quasi-Newton method that builds a curvature model from recent steps.

Every :meth:`LBFGS.step` takes a ``closure`` that recomputes the loss and its gradient,
and runs up to ``max_iter`` iterations. All parameters are treated as one flat vector
:math:`x` with gradient :math:`g`. Iteration :math:`k` keeps the last ``history_size``
pairs :math:`s_i = x_{i+1} - x_i`, :math:`y_i = g_{i+1} - g_i` (only those with
:math:`y_i^\top s_i > 10^{-10}`, which keeps the model positive definite) and turns
:math:`-g` into a direction :math:`d = -H g` with the *two-loop recursion*: with
:math:`\rho_i = 1 / y_i^\top s_i`,

.. math::

    q \leftarrow -g; \quad \text{for } i = k-1 \dots 0:\ \alpha_i = \rho_i s_i^\top q,\
        q \leftarrow q - \alpha_i y_i; \\
    r \leftarrow \frac{s^\top y}{y^\top y} q; \quad \text{for } i = 0 \dots k-1:\
        \beta_i = \rho_i y_i^\top r,\ r \leftarrow r + (\alpha_i - \beta_i) s_i; \quad d = r

which applies the BFGS inverse-Hessian estimate :math:`H` without ever forming it. The
step is :math:`x \leftarrow x + t d`: :math:`t = \gamma` (the first iteration scales it
down to :math:`\min(1, 1/\|g\|_1)\gamma`), or, with ``line_search_fn="strong_wolfe"``, a
:math:`t` satisfying the strong Wolfe conditions
:math:`f(x + td) \le f(x) + c_1 t g^\top d` and
:math:`|g(x + td)^\top d| \le c_2 |g^\top d|`, found by bracketing and cubic
interpolation (Nocedal & Wright, *Numerical Optimization*, algorithms 3.5 and 3.6).
Iterations stop early when the gradient, the step or the change in loss falls below
the tolerances, or after ``max_eval`` closure calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import minitorch
from minitorch._backend import get_array_module
from minitorch.optim._checks import check_hyperparameters
from minitorch.optim.optimizer import Optimizer, ParamsT
from minitorch.tensor import Tensor

__all__ = ["LBFGS"]


def _cubic_minimum(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimiser of the cubic through :math:`(x_1, f_1, f'_1)` and :math:`(x_2, f_2, f'_2)`,
    clipped to ``bounds`` (default: the interval between the points); the midpoint when
    the cubic has no minimum (Nocedal & Wright, eq. 3.59)."""
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square < 0:
        return (lo + hi) / 2.0
    d2 = d2_square**0.5
    if x1 <= x2:
        x = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        x = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(x, lo), hi)


def _strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """Find a step ``t`` along ``d`` meeting the strong Wolfe conditions.

    ``evaluate(t)`` returns the loss and flat gradient at :math:`x + t d`. Phase 1 grows
    ``t`` until an interval ``[lo, hi]`` brackets acceptable steps; phase 2 ("zoom")
    shrinks it by cubic interpolation, keeping each trial at least 10 % of the interval
    away from its ends. Returns ``(loss, grad, t, evaluations)``.
    """
    d_norm = abs(d).max()
    f_new, g_new = evaluate(t)
    evals, ls_iter = 1, 0
    gtd_new = g_new @ d
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g.copy(), gtd
    done = False
    while ls_iter < max_ls:  # phase 1: bracket
        sufficient_decrease = not (f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev))
        if sufficient_decrease and abs(gtd_new) <= -c2 * gtd:  # both Wolfe conditions
            bracket, b_f, b_g = [t], [f_new], [g_new]
            done = True
            break
        if not sufficient_decrease or gtd_new >= 0:  # a minimum lies in [t_prev, t]
            bracket = [t_prev, t]
            b_f, b_g, b_gtd = [f_prev, f_new], [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        t_prev, t = t, _cubic_minimum(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                      bounds=(t + 0.01 * (t - t_prev), t * 10))
        f_prev, g_prev, gtd_prev = f_new, g_new.copy(), gtd_new
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = g_new @ d
        ls_iter += 1
    if ls_iter == max_ls:  # no bracket found within the budget
        bracket, b_f, b_g = [0, t], [f, f_new], [g, g_new]
    low, high = (0, 1) if b_f[0] <= b_f[-1] else (1, 0)
    insufficient = False
    while not done and ls_iter < max_ls:  # phase 2: zoom
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_minimum(bracket[0], b_f[0], b_gtd[0], bracket[1], b_f[1], b_gtd[1])
        hi_t, lo_t = max(bracket), min(bracket)
        eps = 0.1 * (hi_t - lo_t)
        if min(hi_t - t, t - lo_t) < eps:  # too close to an end
            if insufficient or t >= hi_t or t <= lo_t:
                t = hi_t - eps if abs(t - hi_t) < abs(t - lo_t) else lo_t + eps
                insufficient = False
            else:
                insufficient = True
        else:
            insufficient = False
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = g_new @ d
        ls_iter += 1
        if f_new > f + c1 * t * gtd or f_new >= b_f[low]:
            bracket[high], b_f[high], b_g[high], b_gtd[high] = t, f_new, g_new.copy(), gtd_new
            low, high = (0, 1) if b_f[0] <= b_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], b_f[high] = bracket[low], b_f[low]
                b_g[high], b_gtd[high] = b_g[low], b_gtd[low]
            bracket[low], b_f[low], b_g[low], b_gtd[low] = t, f_new, g_new.copy(), gtd_new
    return b_f[low], b_g[low], bracket[low], evals


def _wrap(value):
    """The state as PyTorch keeps it: arrays (also 0-d results) as Tensors, in lists too."""
    if isinstance(value, dict):
        return {k: _wrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    if value is None or isinstance(value, (int, float)):
        return value
    return Tensor._wrap(get_array_module(value).asarray(value))


def _raw(value):
    """Inverse of :func:`_wrap` (the loop works on raw arrays)."""
    if isinstance(value, list):
        return [_raw(v) for v in value]
    return value._data if isinstance(value, Tensor) else value


class LBFGS(Optimizer):
    r"""L-BFGS (see the module docstring).

    Parameters
    ----------
    params : iterable
        Parameters to optimize (one group only).
    lr : float, default 1
        Step length :math:`\gamma` (the line search's first trial).
    max_iter : int, default 20
        Iterations per :meth:`step`.
    max_eval : int, optional
        Closure calls per :meth:`step` (default ``max_iter * 5 // 4``).
    tolerance_grad : float, default 1e-7
        Stop when :math:`\max_i |g_i|` is below it.
    tolerance_change : float, default 1e-9
        Stop when the step or the change in loss is below it.
    history_size : int, default 100
        Number of :math:`(s, y)` pairs kept.
    line_search_fn : {None, "strong_wolfe"}, default None
        The line search.
    """

    def __init__(self, params: ParamsT, lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        check_hyperparameters(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                    "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
                    "history_size": history_size, "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ----------------------------------------------------------- flat vector views
    def _flat_grad(self):
        xp = get_array_module(self._params[0]._data)
        return xp.concatenate([
            xp.zeros(p._data.size, p._data.dtype) if p.grad is None else p.grad._data.ravel()
            for p in self._params])

    def _add_step(self, t, d) -> None:
        r""":math:`x \leftarrow x + t d`, in place, parameter by parameter."""
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += t * d[offset:offset + n].reshape(p._data.shape)
            p._bump_version()
            offset += n

    def _set_params(self, values) -> None:
        for p, v in zip(self._params, values):
            p._data[...] = v
            p._bump_version()

    # ---------------------------------------------------------------------- step
    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` L-BFGS iterations; returns the closure's first loss.

        Parameters
        ----------
        closure : callable
            Clears the gradients, computes the loss, calls ``backward()`` and returns
            the loss. It is called once or more per iteration.
        """
        self._opt_called = True
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        line_search, history = group["line_search_fn"], group["history_size"]
        if line_search not in (None, "strong_wolfe"):
            raise RuntimeError("only 'strong_wolfe' is supported")

        def evaluate():
            with minitorch.enable_grad():
                return closure()

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = evaluate()
        loss = float(orig_loss)
        evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if abs(flat_grad).max() <= tol_grad:
            return orig_loss

        d, t = _raw(state.get("d")), _raw(state.get("t"))
        old_dirs, old_stps = _raw(state.get("old_dirs")), _raw(state.get("old_stps"))
        ro, h_diag = _raw(state.get("ro")), _raw(state.get("H_diag"))
        prev_flat_grad, prev_loss = _raw(state.get("prev_flat_grad")), state.get("prev_loss")
        n_iter = 0
        with minitorch.no_grad():
            while n_iter < max_iter:
                n_iter += 1
                state["n_iter"] += 1
                if state["n_iter"] == 1:  # steepest descent to start
                    d = -flat_grad
                    old_dirs, old_stps, ro, h_diag = [], [], [], 1
                else:
                    y = flat_grad - prev_flat_grad
                    s = d * t
                    ys = y @ s
                    if ys > 1e-10:  # curvature condition: keep the pair
                        if len(old_dirs) == history:
                            old_dirs.pop(0)
                            old_stps.pop(0)
                            ro.pop(0)
                        old_dirs.append(y)
                        old_stps.append(s)
                        ro.append(1.0 / ys)
                        h_diag = ys / (y @ y)
                    al = state["al"] = _raw(state.get("al", [None] * history))
                    q = -flat_grad
                    for i in range(len(old_dirs) - 1, -1, -1):
                        al[i] = (old_stps[i] @ q) * ro[i]
                        q += -al[i] * old_dirs[i]
                    d = r = q * h_diag
                    for i in range(len(old_dirs)):
                        be_i = (old_dirs[i] @ r) * ro[i]
                        r += (al[i] - be_i) * old_stps[i]
                prev_flat_grad = flat_grad.copy()
                prev_loss = loss
                t = min(1.0, 1.0 / abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
                gtd = flat_grad @ d
                if gtd > -tol_change:  # not a descent direction
                    break
                used = 0
                if line_search is not None:
                    x0 = [p._data.copy() for p in self._params]

                    def at(step, x0=x0, d=d):
                        self._add_step(step, d)
                        value = float(evaluate())
                        grad = self._flat_grad()
                        self._set_params(x0)
                        return value, grad

                    loss, flat_grad, t, used = _strong_wolfe(at, t, d, loss, flat_grad, gtd,
                                                             max_ls=max_eval - evals)
                    self._add_step(t, d)
                    converged = abs(flat_grad).max() <= tol_grad
                else:
                    self._add_step(t, d)
                    converged = False
                    if n_iter != max_iter:
                        loss = float(evaluate())
                        flat_grad = self._flat_grad()
                        converged = abs(flat_grad).max() <= tol_grad
                        used = 1
                evals += used
                state["func_evals"] += used
                if (n_iter == max_iter or evals >= max_eval or converged
                        or abs(d * t).max() <= tol_change
                        or abs(loss - prev_loss) < tol_change):
                    break
        if "al" in state:
            state["al"] = _wrap(state["al"])
        state.update(_wrap({"d": d, "t": t, "old_dirs": old_dirs, "old_stps": old_stps,
                            "ro": ro, "H_diag": h_diag, "prev_flat_grad": prev_flat_grad}))
        state["prev_loss"] = prev_loss
        return orig_loss
