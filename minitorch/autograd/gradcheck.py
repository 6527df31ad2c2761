r"""Check analytical gradients against finite differences (PyTorch's ``gradcheck``).

For :math:`f: \mathbb{R}^n \to \mathbb{R}^m`, column :math:`k` of the numerical Jacobian is
:math:`(f(x + \epsilon e_k) - f(x - \epsilon e_k)) / 2\epsilon`; row :math:`j` of the analytical
one is the gradient of output element :math:`j`, from the engine. They must agree within
``atol + rtol * |numerical|``. Use float64 inputs: float32 rounding swamps the differences.
"""

from __future__ import annotations

import numpy as np

from . import engine_api, grad_mode


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when the gradients disagree."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _outputs(func, inputs):
    with grad_mode.enable_grad():
        return [o for o in _as_tuple(func(*inputs)) if o.requires_grad or o.dtype.is_floating_point]


def _numerical(func, inputs, targets, eps):
    outs = _outputs(func, inputs)
    sizes = [o.numel() for o in outs]
    jac = []
    for t in targets:
        data = t._data
        cols = np.zeros((data.size, sum(sizes)))
        flat = data.reshape(-1)
        for k in range(data.size):
            orig = flat[k].copy()
            flat[k] = orig + eps
            with grad_mode.no_grad():
                plus = [np.asarray(o._data, dtype=np.float64).reshape(-1).copy()
                        for o in _as_tuple(func(*inputs))]
            flat[k] = orig - eps
            with grad_mode.no_grad():
                minus = [np.asarray(o._data, dtype=np.float64).reshape(-1).copy()
                         for o in _as_tuple(func(*inputs))]
            flat[k] = orig
            cols[k] = np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
        jac.append(cols)
    return jac


def _analytical(func, inputs, targets):
    outs = _outputs(func, inputs)
    total = sum(o.numel() for o in outs)
    jac = [np.zeros((t.numel(), total)) for t in targets]
    col = 0
    for o in outs:
        for j in range(o.numel()):
            seed = o.new_zeros(o.shape)
            seed._data.reshape(-1)[j] = 1
            grads = engine_api.grad(o, targets, seed, retain_graph=True, allow_unused=True)
            for i, g in enumerate(grads):
                if g is not None:
                    jac[i][:, col] = np.asarray(g._data, dtype=np.float64).reshape(-1)
            col += 1
    return jac


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, **_) -> bool:
    """True when ``func``'s gradients match finite differences for every input requiring grad.

    Parameters
    ----------
    func : callable taking ``*inputs`` and returning a Tensor or a tuple of Tensors.
    inputs : a Tensor or a tuple of Tensors (use float64 ones).
    """
    inputs = _as_tuple(inputs)
    targets = [t for t in inputs if hasattr(t, "requires_grad") and t.requires_grad]
    num = _numerical(func, inputs, targets, eps)
    ana = _analytical(func, inputs, targets)
    for i, (n, a) in enumerate(zip(num, ana)):
        if not np.allclose(a, n, rtol=rtol, atol=atol):
            if raise_exception:
                raise GradcheckError(
                    f"Jacobian mismatch for output 0 with respect to input {i},\n"
                    f"numerical:{n}\nanalytical:{a}\n"
                )
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, **_) -> bool:
    """Check second derivatives: :func:`gradcheck` applied to the vector-Jacobian product."""
    from .._creation import randn

    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outs = _outputs(func, inputs)
        grad_outputs = tuple(
            randn(o.shape, dtype=o.dtype).requires_grad_() for o in outs
        )
    grad_outputs = _as_tuple(grad_outputs)

    def vjp(*args):
        xs, gs = args[: len(inputs)], args[len(inputs):]
        with grad_mode.enable_grad():  # gradcheck's finite differences run under no_grad
            outs = _as_tuple(func(*xs))
            tgt = [x for x in xs if hasattr(x, "requires_grad") and x.requires_grad]
            grads = engine_api.grad(outs, tgt, gs, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(vjp, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
