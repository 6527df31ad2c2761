r"""2-D convolution by the convolution theorem, with the DFTs done as matrix products.

Why. im2col (``conv.py``) turns a convolution into one big matrix product, but it copies
every input pixel ``kh * kw`` times (25x for a 5x5 kernel) and streams that column matrix
through memory four times per training step. For convolutions with many channels and a
small image (the tutorial CNN's 16->32 5x5 layer on 14x14 maps) it is cheaper to go to
the frequency domain, where a convolution becomes a *pointwise* product.

The theorem, for the cross-correlation deep learning calls convolution. Place every
input map in a zero map of size :math:`P_h \times P_w` (the padded size, or less: the
top and bottom padding can share their zeros, see :func:`_period`) and take 2-D DFTs

.. math::

    \hat a_{k,l} = \sum_{p,q} a_{p,q}\, e^{-2\pi i\,(kp/P_h + lq/P_w)} .

A *circular* correlation :math:`y_{p,q} = \sum_{i,j} w_{i,j}\, x_{(p+i) \bmod P_h,
(q+j) \bmod P_w}` has :math:`\hat y = \hat x \cdot \overline{\hat w}` at every frequency,
and for the output pixels a convolution keeps (:math:`p + i < P_h`, :math:`q + j < P_w`)
nothing wraps around, so the circular result *is* the convolution there. Summing over
input channels, the whole layer is one small matrix product per frequency :math:`f`:

.. math::

    \hat Y_f = \hat X_f\, \overline{\hat W_f}^{\top}, \qquad
    \hat X_f: N \times C,\quad \hat W_f: O \times C,\quad \hat Y_f: N \times O .

The gradients are the adjoint maps, again pointwise in frequency:

* input: :math:`\widehat{\partial X}_f = \hat G_f\, \hat W_f` (a convolution, no
  conjugate), then keep the pixels inside the padding;
* weight: :math:`\widehat{\partial W}_f = \overline{\hat G_f}^{\top} \hat X_f`, then
  keep the first :math:`k_h \times k_w` lags.

The DFTs. A map has only ``h * w`` pixels and we need every one of its ``P_h * (P_w/2+1)``
frequencies (real input: the other half are complex conjugates), so each DFT is two
matrix products with small precomputed matrices of sines and cosines, one along each
axis: a real product along W that yields the half spectrum, then a complex one along H.
For maps this small that beats an FFT library call per map by a wide margin, runs on
BLAS's threads, and puts the frequency axis first, as the per-frequency products want.
The inverse DFT is the same two steps in reverse, computing only the pixels we keep.
From 16 rows on, the product along H is half a *real* product plus a pass of additions,
pairing the frequencies k and P - k (:func:`_paired_spectrum`, :func:`_paired_inverse`).

Numerics: every output mixes all pixels of its image, so float32 rounding is relative to
the map's overall size, not to each pixel's; measured against float64, the result is as
accurate as PyTorch's float32 convolution. A NaN or infinity would spread to the whole
image, so the caller (``conv.py``) takes the im2col path whenever an input is not finite.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .copies import permuted_copy
from .threads import split_work

_COMPLEX = {np.dtype(np.float32): np.dtype(np.complex64), np.dtype(np.float64): np.dtype(np.complex128)}
_REAL = {c: r for r, c in _COMPLEX.items()}


def supported_dtype(dtype) -> bool:
    """The Fourier path handles float32 (via complex64) and float64 (via complex128)."""
    return np.dtype(dtype) in _COMPLEX


def _half(period: int) -> int:
    """Frequencies kept along W for a real signal: 0 .. P/2 (the rest are conjugates)."""
    return period // 2 + 1


@lru_cache(maxsize=256)
def _w_forward(n: int, period: int, offset: int, dtype, conj: bool = False) -> np.ndarray:
    r"""(n, 2K) real matrix: row ``q`` maps pixel ``q + offset`` to interleaved (Re, Im)
    of :math:`e^{-2\pi i l (q + offset)/P}` for the K kept frequencies ``l`` (of its
    conjugate if ``conj``)."""
    angle = 2 * np.pi * np.outer(np.arange(n) + offset, np.arange(_half(period))) / period
    m = np.empty((n, 2 * _half(period)))
    m[:, 0::2], m[:, 1::2] = np.cos(angle), (1 if conj else -1) * np.sin(angle)
    return _frozen(m.astype(dtype))


@lru_cache(maxsize=256)
def _w_inverse(n: int, period: int, offset: int, scale: float, dtype, conj: bool = False) -> np.ndarray:
    r"""(2K, n) real matrix: the real inverse DFT along W, for pixels ``offset .. offset+n``.

    A real signal's spectrum is conjugate-symmetric, so the full inverse sum is
    :math:`\sum_l c_l\,\mathrm{Re}(\hat a_l e^{2\pi i l q/P})` over the kept half, with
    :math:`c_l = 2` for the frequencies that stand for a conjugate pair and 1 for
    :math:`l = 0` (and :math:`l = P/2` when P is even). ``scale`` is the 1/(P_h P_w).
    With ``conj`` it takes the conjugate spectrum :math:`\overline{\hat a}` instead
    (:math:`\mathrm{Re}(\hat a e^{i\theta}) = \mathrm{Re}(\overline{\hat a} e^{-i\theta})`:
    the sines change sign).
    """
    k = _half(period)
    c = np.full(k, 2.0)
    c[0] = 1.0
    if period % 2 == 0:
        c[-1] = 1.0
    angle = 2 * np.pi * np.outer(np.arange(k), np.arange(n) + offset) / period
    m = np.empty((2 * k, n))
    m[0::2], m[1::2] = c[:, None] * np.cos(angle), (1 if conj else -1) * c[:, None] * np.sin(angle)
    return _frozen((m * scale).astype(dtype))


@lru_cache(maxsize=256)
def _h_matrix(n: int, period: int, offset: int, inverse: bool, dtype, conj: bool = False) -> np.ndarray:
    r"""Complex DFT along H: forward (P, n) with :math:`e^{-2\pi i k (p + offset)/P}`,
    inverse (n, P) with :math:`e^{+2\pi i k (p + offset)/P}`; their conjugates if ``conj``."""
    pixels, freqs = np.arange(n) + offset, np.arange(period)
    sign = (1 if inverse else -1) * (-1 if conj else 1)
    pairs = np.outer(pixels, freqs) if inverse else np.outer(freqs, pixels)
    return _frozen(np.exp(sign * 2j * np.pi * pairs / period).astype(dtype))


def _frozen(m: np.ndarray) -> np.ndarray:
    m.setflags(write=False)  # cached and shared: nobody may change it
    return m


@lru_cache(maxsize=256)
def _h_paired(n: int, period: int, offset: int, inverse: bool, dtype) -> np.ndarray:
    r"""Real cosines and sines of the DFT along H for the frequencies :math:`k = 0 ..
    P/2` only: forward (2m, n) :math:`[\cos\theta; \sin\theta]`, inverse (n, 2m)
    :math:`[\cos\theta^\top, \sin\theta^\top]`, with :math:`\theta_{kp} = 2\pi k (p +
    \mathrm{offset}) / P` and m = P // 2 + 1 (see :func:`_paired_spectrum`). The sines
    of k = 0 and k = P/2 are exactly 0."""
    m = _half(period)
    angle = 2 * np.pi * np.outer(np.arange(m), np.arange(n) + offset) / period
    sines = np.sin(angle)
    sines[0] = 0.0
    if period % 2 == 0:
        sines[-1] = 0.0
    both = np.concatenate([np.cos(angle), sines])
    return _frozen(np.ascontiguousarray(both.T if inverse else both).astype(dtype))


# A map with at least this many rows takes the paired H products (_paired_spectrum,
# _paired_inverse): they halve the H product's FLOPs and add a pass of additions over
# the spectrum, which pays from about 16 rows on (measured, see docs/PERFORMANCE.md)
_PAIRED_MIN_ROWS = 16


def spectrum(a, period: tuple[int, int], offset: tuple[int, int], conj: bool = False):
    """2-D DFTs of maps ``a`` (B, h, w) placed at ``offset`` in zero maps of size ``period``.

    Returns (F, B) complex with F = P_h * (P_w // 2 + 1), the frequency axis first; with
    ``conj``, their complex conjugates (at no cost: the DFT matrices are conjugated).
    """
    (ph, pw), (top, left) = period, offset
    b, h, w = a.shape
    k = _half(pw)
    cdt = _COMPLEX[a.dtype]
    # along W: a real product gives interleaved (Re, Im) pairs = complex numbers
    rows = a.reshape(b * h, w) @ _w_forward(w, pw, left, a.dtype, conj)
    by_row = permuted_copy(rows.view(cdt).reshape(b, h, k), (1, 2, 0))  # (h, K, B)
    # along H: one complex product over all maps and W-frequencies
    if h >= _PAIRED_MIN_ROWS:
        return _paired_spectrum(by_row.reshape(h, k * b), ph, top, conj).reshape(ph * k, b)
    return (_h_matrix(h, ph, top, False, cdt, conj) @ by_row.reshape(h, k * b)).reshape(ph * k, b)


def _paired_spectrum(z, period: int, offset: int, conj: bool):
    r"""The DFT along H of the complex rows ``z`` (h, J): (P, J), by half a real product.

    Frequencies k and P - k share their cosines and have opposite sines, so with
    :math:`A = \cos\theta\, z` and :math:`S = \sin\theta\, z` for k = 0 .. P/2 only
    (one *real* product of the (2m, h) matrix :func:`_h_paired` with z's real view, half
    the FLOPs of the complex product)

    .. math::

        \hat z_k = A_k - i S_k, \qquad \hat z_{P-k} = A_k + i S_k

    (signs of :math:`S` flipped with ``conj``): one pass that turns :math:`S` into
    :math:`-iS` (an exact swap of its parts) and one addition per entry, complex NumPy
    ufuncs on contiguous rows, shared out over threads.
    """
    h, j = z.shape
    m = _half(period)
    rdt = _REAL[z.dtype]
    r = (_h_paired(h, period, offset, False, rdt) @ z.view(rdt)).view(z.dtype).reshape(2, m, j)
    a, s = r[0], r[1]
    out = np.empty((period, j), dtype=z.dtype)
    up = slice(period - m, 0, -1)  # k = P - m .. 1: the partners of rows m .. P - 1
    turn = z.dtype.type(1j if conj else -1j)

    def combine(cols: slice) -> None:
        # complex ufuncs on contiguous rows: 1.7x faster than the same on Re/Im views
        turned = np.multiply(s[:, cols], turn, out=s[:, cols])  # -i S (exact: a swap)
        np.add(a[:, cols], turned, out=out[:m, cols])
        np.subtract(a[up, cols], turned[up], out=out[m:, cols])

    split_work(combine, j, out.nbytes)
    return out


def from_spectrum(s, period: tuple[int, int], offset: tuple[int, int], size: tuple[int, int],
                  conj: bool = False):
    """Inverse of :func:`spectrum`: pixels ``offset .. offset + size`` of each map, (B, h, w).
    With ``conj``, ``s`` holds the spectra's conjugates (the maps are real: the same maps)."""
    (ph, pw), (top, left), (h, w) = period, offset, size
    k = _half(pw)
    b = s.shape[1]
    rdt = _REAL[s.dtype]
    if h >= _PAIRED_MIN_ROWS:
        by_row = _paired_inverse(s.reshape(ph, k * b), h, top, conj)
    else:
        by_row = _h_matrix(h, ph, top, True, s.dtype, conj) @ s.reshape(ph, k * b)  # (h, K*B)
    per_map = _maps_first(by_row.reshape(h, k, b))  # (B, h, K)
    m = _w_inverse(w, pw, left, 1.0 / (ph * pw), rdt, conj)
    return (per_map.view(rdt).reshape(b * h, 2 * k) @ m).reshape(b, h, w)


def _paired_inverse(s, h: int, offset: int, conj: bool):
    r"""The inverse DFT along H of the spectra ``s`` (P, J), rows ``offset .. offset + h``:
    (h, J) complex, by half a real product.

    With :math:`\theta_{kp} = 2\pi k (p + \mathrm{offset})/P`, the terms of k and P - k
    add up to :math:`\cos\theta\,(s_k + s_{P-k}) + i \sin\theta\,(s_k - s_{P-k})`, so

    .. math::

        z_p = \sum_{k=0}^{P/2} \cos\theta_{kp}\, U_k + \sin\theta_{kp}\, V_k,
        \qquad U_k = s_k + s_{P-k}, \quad V_k = i\,(s_k - s_{P-k})

    for the paired k = 1 .. (P-1)/2 (:math:`U = s_k`, :math:`V = 0` for k = 0 and k = P/2,
    whose sines vanish); :math:`-i` instead of :math:`i` with ``conj``. One pass of
    additions builds :math:`[U; V]` (2m, J) and one real product with :func:`_h_paired`
    does the rest.
    """
    period, j = s.shape
    m = _half(period)
    rdt = _REAL[s.dtype]
    pairs = period - m  # k = 1 .. pairs have a partner P - k
    uv = np.empty((2, m, j), dtype=s.dtype)
    u, v = uv[0], uv[1]
    low, high = s[1 : pairs + 1], s[period - 1 : m - 1 : -1]  # s_k and s_{P-k}
    turn = s.dtype.type(-1j if conj else 1j)

    def combine(cols: slice) -> None:
        u[0, cols] = s[0, cols]
        v[0, cols] = 0
        if pairs + 1 < m:  # even P: k = P/2 stands alone
            u[m - 1, cols] = s[m - 1, cols]
            v[m - 1, cols] = 0
        np.add(low[:, cols], high[:, cols], out=u[1 : pairs + 1, cols])
        diff = np.subtract(low[:, cols], high[:, cols], out=v[1 : pairs + 1, cols])
        np.multiply(diff, turn, out=diff)

    split_work(combine, j, uv.nbytes)
    z = _h_paired(h, period, offset, True, rdt) @ uv.view(rdt).reshape(2 * m, 2 * j)
    return z.view(s.dtype)


_LOOP_BYTES = 1 << 17  # below 128 KiB, _maps_first's Python loop costs more than it saves


def _maps_first(z):
    """(h, K, B) -> a new (B, h, K) array, one (K, B) -> (B, K) transpose per row.

    Measured (1 thread, complex64) 2-3x faster than :func:`permuted_copy`'s slabs for
    this shape, whose runs of K (5 to 18) values are too short for slabs: 0.13 against
    0.22 ms for (14, 9, 2048), 0.36 against 0.72 ms for (32, 17, 1024). The rows are
    independent, so they are shared out over threads (:func:`split_work`).
    """
    h, k, b = z.shape
    if z.nbytes < _LOOP_BYTES:  # small: one NumPy copy beats h of them
        return permuted_copy(z, (2, 0, 1))
    out = np.empty((b, h, k), dtype=z.dtype)

    def copy(rows: slice) -> None:
        for i in range(h)[rows]:
            out[:, i, :] = z[i].T

    split_work(copy, h, z.nbytes)
    return out


def _out_size(x_shape, padding, kernel) -> tuple[int, int]:
    """(OH, OW) of a stride-1 ``kernel`` (kh, kw) over the (N, C, H, W) input padded by
    ``padding`` (top, bottom, left, right). Symmetric in the kernel and the output size:
    given (OH, OW) it returns the kernel size."""
    (h, w), (pt, pb, pl, pr) = x_shape[2:], padding
    return h + pt + pb - kernel[0] + 1, w + pl + pr - kernel[1] + 1


def _period(x_shape, padding, kernel) -> tuple[int, int]:
    r"""The DFT sizes :math:`(P_h, P_w)`: per axis :math:`\max(H + \max(p_t, p_b), OH, k_h)`.

    Not the padded size :math:`H + p_t + p_b`: the circle only has to keep the
    correlation's reads of real pixels apart from each other. With the map at
    ``p_t .. p_t + H`` in a circle of :math:`P \ge H + p_b`, a read past the end, at
    :math:`j \in [P, H + p_t + p_b)`, wraps to :math:`j - P < p_t`: a zero of the top
    padding, as the real read (of the bottom padding) is. So the top and bottom padding
    share their zeros, and the output pixels (:math:`P \ge OH`) and the kernel's lags
    (:math:`P \ge k_h`) stay distinct. The result is the same exact convolution (and so
    its adjoints, the gradients, are exact too) with fewer frequencies: the tutorial's
    14x14 maps with padding 2 take 16x16 DFTs instead of 18x18 (9 x 16 = 144
    frequencies instead of 180); 32x32 with padding 1, 33x33 instead of 34x34.
    """
    sides = zip(x_shape[2:], (padding[:2], padding[2:]), _out_size(x_shape, padding, kernel), kernel)
    ph, pw = (max(size + max(pads), out, k) for size, pads, out, k in sides)
    return ph, pw


def input_spectrum(x, padding, kernel):
    """:math:`\\overline{\\hat X}` as (F, N, C): the *conjugate* of the zero-padded input's
    DFT, one (N, C) matrix per f, for a ``kernel`` (kh, kw) convolution (which sets the
    period, :func:`_period`). Conjugated because both products that use it want it so
    (:func:`forward`, :func:`weight_grad`), and conjugating here costs nothing."""
    n, c, h, w = x.shape
    s = spectrum(x.reshape(n * c, h, w), _period(x.shape, padding, kernel), padding[0::2], True)
    return s.reshape(-1, n, c)


def weight_spectrum(w, period):
    """:math:`\\hat W` as (F, O, C)."""
    o, c, kh, kw = w.shape
    return spectrum(w.reshape(o * c, kh, kw), period, (0, 0)).reshape(-1, o, c)


def grad_spectrum(g, x_shape, padding):
    """:math:`\\hat G` as (F, N, O): the output (or its gradient) sits at the top left."""
    n, o, oh, ow = g.shape
    period = _period(x_shape, padding, _out_size(x_shape, padding, (oh, ow)))  # (its kernel)
    return spectrum(g.reshape(n * o, oh, ow), period, (0, 0)).reshape(-1, n, o)


def forward(x, w, padding, xhat=None):
    r"""Stride-1 convolution (N, C, H, W) * (O, C, kh, kw) -> (N, O, OH, OW), and
    :math:`\overline{\hat X}` (``xhat``, see :func:`input_spectrum`).

    :math:`\hat Y_f = \hat X_f \overline{\hat W_f}^{\top}`, computed as its conjugate
    :math:`\overline{\hat X_f}\, \hat W_f^{\top}` (no conjugated copy of anything), then
    the inverse DFT of the output pixels only. :math:`\overline{\hat X}` is returned so the
    weight gradient can reuse it.
    """
    n = x.shape[0]
    o, _, kh, kw = w.shape
    period = _period(x.shape, padding, (kh, kw))
    if xhat is None:
        xhat = input_spectrum(x, padding, (kh, kw))
    what = weight_spectrum(w, period)
    yhat = xhat @ what.transpose(0, 2, 1)  # (F, N, O), conjugated
    oh, ow = _out_size(x.shape, padding, (kh, kw))
    out = from_spectrum(yhat.reshape(-1, n * o), period, (0, 0), (oh, ow), conj=True)
    return out.reshape(n, o, oh, ow), xhat


def input_grad(g, w, x_shape, padding, ghat=None):
    r""":math:`\partial L/\partial X` from :math:`\widehat{\partial X}_f = \hat G_f \hat W_f`."""
    n, c, h, wd = x_shape
    period = _period(x_shape, padding, w.shape[2:])
    if ghat is None:
        ghat = grad_spectrum(g, x_shape, padding)
    dxhat = ghat @ weight_spectrum(w, period)  # (F, N, C)
    dx = from_spectrum(dxhat.reshape(-1, n * c), period, padding[0::2], (h, wd))
    return dx.reshape(x_shape)


def weight_grad(x, g, w_shape, padding, xhat=None, ghat=None):
    r""":math:`\partial L/\partial W` from :math:`\widehat{\partial W}_f =
    \overline{\hat G_f}^{\top} \hat X_f`, computed as its conjugate
    :math:`\hat G_f^{\top} \overline{\hat X_f}` from the conjugated input spectrum, and
    transformed back as such: no conjugated copy of anything."""
    o, c, kh, kw = w_shape
    period = _period(x.shape, padding, (kh, kw))
    if xhat is None:
        xhat = input_spectrum(x, padding, (kh, kw))
    if ghat is None:
        ghat = grad_spectrum(g, x.shape, padding)
    dwhat = ghat.transpose(0, 2, 1) @ xhat  # (F, O, C), conjugated
    return from_spectrum(dwhat.reshape(-1, o * c), period, (0, 0), (kh, kw), conj=True).reshape(w_shape)


def cost(n: int, c: int, o: int, h: int, w: int, kh: int, kw: int, padding) -> tuple[int, int]:
    """(FLOPs, spectrum entries) of this path's forward pass: the cost model's inputs.

    A DFT of an ``a x b`` map into a ``P_h x K`` half spectrum costs ``4 a b K`` (real
    product along W) plus ``8 P_h a K`` (complex product along H); the per-frequency
    products cost ``8 C O`` per frequency and image; the kernels' DFTs, done once per
    step whatever the batch, count 1.6 times (see below). The spectra of the input and the
    output (``N (C + O) P_h K`` complex numbers) are what it moves through memory.
    """
    ph, pw = _period((n, c, h, w), padding, (kh, kw))
    oh, ow = _out_size((n, c, h, w), padding, (kh, kw))
    k = _half(pw)

    def dft(a: int, b: int) -> int:
        # 8 P_h a K even from 16 rows on, where the paired real product does half of that
        # (_paired_spectrum) plus a pass of additions: counted as half, the model moved
        # 12 of 184 geometries off shifted and im2col, among them batch 4-8 layers that
        # measured slower on this path (docs/PERFORMANCE.md); kept until a refit
        return 4 * a * b * k + 8 * ph * a * k

    # the O*C kernel maps' DFTs count 1.6 times: a training step transforms the weight
    # twice (forward, input gradient) and the weight gradient back once, and with the
    # period cut to H + max(p_t, p_b) a count of one made the model pick this path for a
    # single 16->32 image (measured 0.40 ms against im2col's 0.29)
    flops = n * (c * dft(h, w) + o * dft(oh, ow) + 8 * c * o * ph * k) + 8 * o * c * dft(kh, kw) // 5
    return flops, n * (c + o) * ph * k
