"""Gaussian expectations by quadrature split at the kink.

Every activation of gradexplorer is analytic on each half-line ``h < 0`` and ``h > 0`` (ReLU,
leaky ReLU, ELU and SELU have a kink or a jump of φ' at 0 only). Gauss–Hermite quadrature over the
whole line converges slowly across such a kink (with 300 nodes the error is ~1e-2 for SELU), so the
expectations here integrate each half-line separately with Gauss–Legendre nodes on ``[0, 11]``
(the Gaussian tail beyond 11 is below 1e-26), in a variable stretched exponentially toward 0 so
that large variances (an activation that saturates within a tiny fraction of a standard deviation)
are resolved as well as small ones. For two correlated Gaussians the plane is
cut into angular sectors at the kink lines ``u1 = 0`` and ``u2 = 0`` and each sector is integrated
in polar coordinates.

A variance of exactly 0 is replaced by ``Q_FLOOR`` (1e-300): f is then evaluated at ±1e-150·t, so
a function with a jump at 0 (φ' of ReLU) gives the mean of its one-sided limits, which is the
q → 0 limit of the expectation.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

Q_FLOOR = 1e-300
CUTOFF = 11.0
DEFAULT_NODES = 32
STRETCH = 6.0
DEFAULT_NODES_2D = (24, 24)
#: Where the activations' structure ends (in units of the pre-activation itself, not of its std).
U_SPLIT = 40.0

_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


@lru_cache(maxsize=16)
def _stretched_legendre(n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre on [0, CUTOFF] after ``t = CUTOFF·expm1(S x)/expm1(S)``, ``x ∈ [0, 1]``.

    The exponential stretch puts nodes at every scale from ~CUTOFF·e^{-S} to CUTOFF (used by
    the 2-D rule's radius and by :func:`half_line_rule`).
    """
    x, wx = np.polynomial.legendre.leggauss(int(n_nodes))
    x = 0.5 * (x + 1.0)
    scale = CUTOFF / np.expm1(STRETCH)
    return scale * np.expm1(STRETCH * x), 0.5 * wx * scale * STRETCH * np.exp(STRETCH * x)


@lru_cache(maxsize=16)
def _legendre01(n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes and weights on [0, 1]."""
    x, wx = np.polynomial.legendre.leggauss(int(n_nodes))
    return 0.5 * (x + 1.0), 0.5 * wx


def variance_rule(q: ArrayLike, n_nodes: int = DEFAULT_NODES
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes and weights for ``∫_0^∞ g(u) ϕ(u/√q)/√q du``, i.e. ``E[g(√q z); z > 0]``, per q.

    The change of variables ``u = √q t`` keeps the activation's own scale: every activation here
    has its structure (kink at 0, saturation of φ', the bend of softplus/GELU/SiLU/ELU) within
    ``|u| ≲ U_SPLIT`` = 40 and is a constant or a linear function beyond (tails ~e^{-40}).
    So the half-line is cut at ``u = min(4, 11√q)``, ``u = min(U_SPLIT, 11√q)`` and ``u = 11√q``
    (Gaussian mass beyond 11 std: 2e-28), and each piece gets Gauss–Legendre nodes in ``u``:
    the first two pieces resolve the activation (4 and 40 units of u: its poles lie ≥ π/2 off
    the real axis), the last one resolves the Gaussian (an interval of 11 std at most). At
    σ_w² = 1e12 (q ~ 1e12) this keeps E[tanh'²] ~ 0.5319/√q to ~1e-12, where a rule in
    ``t = u/√q`` puts no node inside the O(1/√q) region that carries all of φ'.

    Parameters
    ----------
    q : array_like, any shape
        Variance (≥ 0; exactly 0 is treated as ``Q_FLOOR``; +inf puts every weight on u = +inf,
        the q → ∞ limit of g for g with a limit there).
    n_nodes : int
        Nodes per piece (three pieces).

    Returns
    -------
    u, t, w : ndarray, shape ``q.shape + (3 n_nodes,)``
        Nodes in u, the same in units of std (``t = u/√q``, std units; inf at q = inf), and
        weights including the normal density, summing to 1/2 (to ~1e-15) for finite q.
    """
    q = np.asarray(q, dtype=float)
    sq = np.sqrt(np.maximum(q, Q_FLOOR))[..., None, None]
    x, wx = _legendre01(int(n_nodes))
    finite = np.isfinite(sq)
    sq_f = np.where(finite, sq, 1.0) if not finite.all() else sq
    top = CUTOFF * sq_f
    b1 = np.minimum(4.0, top)
    b2 = np.minimum(U_SPLIT, top)
    lo = np.concatenate([np.zeros_like(b1), b1, b2], axis=-2)  # (..., 3, 1) piece ends in u
    hi = np.concatenate([b1, b2, top], axis=-2)
    u = lo + (hi - lo) * x  # (..., 3, n)
    t = u / sq_f
    w = (hi - lo) * wx * np.exp(-0.5 * t * t)
    shape = (*q.shape, 3 * len(x))
    u, t, w = u.reshape(shape), t.reshape(shape), w.reshape(shape)
    w *= 0.5 / w.sum(axis=-1, keepdims=True)  # exact mass 1/2 (the tail beyond 11 std: 1e-28)
    if not finite.all():  # q = inf: every weight at u = +inf (the limit); inner pieces empty
        inf = ~finite[..., 0]
        t0, w0 = _legendre01(int(n_nodes))  # outer piece in std units over [0, 11]
        w_inf = np.concatenate([np.zeros(2 * len(x)), wx * np.exp(-0.5 * (CUTOFF * t0) ** 2)])
        w_inf *= 0.5 / w_inf.sum()
        u = np.where(inf, np.inf, u)
        t = np.where(inf, np.inf, t)
        w = np.where(inf, w_inf, w)
    return u, t, w


def variance_rule_one(q: float, n_nodes: int = DEFAULT_NODES) -> tuple[np.ndarray, np.ndarray]:
    """:func:`variance_rule`'s nodes ``u`` and weights ``w`` for one finite q ≥ 0, bit for bit.

    The same operations on the same numbers with a third of the NumPy calls: the mean-field
    recursion (``layerwise``) needs one rule per layer, each from the previous layer's q.

    Parameters
    ----------
    q : float
        Variance (≥ 0, finite; 0 is treated as ``Q_FLOOR``).
    n_nodes : int
        Nodes per piece (three pieces).

    Returns
    -------
    u, w : ndarray, shape (3 n_nodes,)
        Nodes in u = √q t and weights including the normal density, summing to 1/2.
    """
    sq = math.sqrt(max(q, Q_FLOOR))
    x, wx = _legendre01(int(n_nodes))
    top = CUTOFF * sq
    b1 = min(4.0, top)
    b2 = min(U_SPLIT, top)
    d = np.array(((b1 - 0.0,), (b2 - b1,), (top - b2,)))  # hi − lo of each piece, (3, 1)
    u = d * x
    u[1] += b1  # lo + (hi − lo)·x, lo = (0, b1, b2); 0 + y is y
    u[2] += b2
    t = u / sq
    t *= -0.5 * t  # = −0.5·t·t: (−0.5·t)·t, the same two roundings
    w = d * wx
    w *= np.exp(t, out=t)
    u, w = u.reshape(-1), w.reshape(-1)
    w *= 0.5 / w.sum()
    return u, w


@lru_cache(maxsize=16)
def half_line_rule(n_nodes: int = DEFAULT_NODES) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights for ``∫_0^∞ g(t) ϕ(t) dt`` with ϕ the standard normal density.

    A rule in std units, good for g that varies on the scale of t (q of order 1); for
    ``E[g(√q z)]`` at any q use :func:`variance_rule`. Gauss–Legendre in a stretched variable on
    ``[0, CUTOFF]``; the mass beyond CUTOFF = 11 is Φ(−11) ≈ 2e-28.

    Parameters
    ----------
    n_nodes : int
        Number of nodes on the half-line.

    Returns
    -------
    t, w : ndarray, shape (n_nodes,)
        Nodes in ``(0, 11)`` and weights that include ϕ(t), scaled so that ``w.sum()`` is 1/2
        to rounding. Read-only.
    """
    t, dt = _stretched_legendre(n_nodes)
    w = dt * _INV_SQRT_2PI * np.exp(-0.5 * t * t)
    w *= 0.5 / w.sum()  # exact mass 1/2 (the truncated tail is 1e-28): constants come out exact
    t = t.copy()
    t.setflags(write=False)
    w.setflags(write=False)
    return t, w


def gaussian_expectation(f: Callable[[np.ndarray], np.ndarray], q: ArrayLike,
                         n_nodes: int = DEFAULT_NODES) -> np.ndarray:
    """``E_z[f(√q z)]`` for ``z ~ N(0, 1)``, vectorized over ``q``.

    Parameters
    ----------
    f : callable
        Vectorized function of one array; must be smooth on each half-line (a kink or jump at 0
        is allowed) and grow at most polynomially.
    q : array_like, any shape
        Variance of the Gaussian argument (not the std); must be ≥ 0. ``q = +inf`` evaluates f
        at ±inf, i.e. gives the q → ∞ limit ``(f(+∞) + f(−∞))/2`` for f with limits there.
    n_nodes : int
        Nodes per half-line. The default 64 agrees with ``scipy.integrate.quad`` to ~1e-13
        (relative) for φ, φ², φ'² of every activation for 0 < q ≤ 1e4; at q = 1e6 the error grows
        to ~1e-6 for φ'² of tanh (96 nodes: 1e-8). 48 nodes still give ~1e-11 for q ≤ 1e4.

    Returns
    -------
    ndarray, shape of ``q``
        The expectation (float64).

    Raises
    ------
    ValueError
        If any ``q`` is negative or NaN.
    """
    q = _check_variance(q)
    u, _, w = variance_rule(q, n_nodes)
    return np.asarray(np.einsum("...i,...i->...", f(u) + f(-u), w))


def gaussian_expectation_2d(f: Callable[[np.ndarray, np.ndarray], np.ndarray], q: ArrayLike,
                            c: ArrayLike,
                            n_nodes: tuple[int, int] = DEFAULT_NODES_2D) -> np.ndarray:
    """``E[f(u1, u2)]`` for ``(u1, u2) ~ N(0, q [[1, c], [c, 1]])``, vectorized over ``q, c``.

    Nested one-dimensional rules in the activation's own variable: ``u1 = √q z1`` cut at 0, ±4,
    ±40, ±11√q and at ``|u1| = s/|c|, 6 s/|c|`` (where the kink u2 = 0 enters the conditional
    Gaussian; matters for c near ±1), and given u1, ``u2 ~ N(c u1, q(1 − c²))``
    integrated with Gauss–Legendre between the sorted cuts ``{0, ±4, ±40, c u1, c u1 ± 11 s}``
    (s = √(q(1 − c²)), cuts outside ``c u1 ± 11 s`` dropped). Every kink (u1 = 0, u2 = 0) and
    the region where a saturating φ' carries its mass (|u| ≲ 40, however large q) are piece
    boundaries, so the rule stays accurate from q = 1e-6 to 1e24 (polar sectors cannot: at
    large q the mass of φ'(u1)φ'(u2) lies in thin strips |u1| ≲ 1 that no angular rule
    resolves). At |c| = 1, u2 = c u1.

    Parameters
    ----------
    f : callable
        ``f(u1, u2)`` vectorized, smooth where ``u1 ≠ 0`` and ``u2 ≠ 0``.
    q : array_like
        Common variance of u1 and u2 (≥ 0, finite).
    c : array_like
        Correlation in [-1, 1]; broadcast against ``q``.
    n_nodes : (int, int)
        Gauss–Legendre nodes per piece for u1 (five pieces per half-line) and for u2 (seven
        pieces). Memory: ``8 · 10 n1 · 7 n2`` bytes per (q, c) pair for each array f builds.

    Returns
    -------
    ndarray, broadcast shape of ``q`` and ``c``

    Raises
    ------
    ValueError
        If ``q`` is negative, NaN or infinite, or ``c`` lies outside [-1, 1] or is NaN.
    """
    q = _check_variance(q)
    if not np.all(np.isfinite(q)):
        raise ValueError("variance q must be finite for a two-point expectation")
    c = np.asarray(c, dtype=float)
    if not np.all((c >= -1.0) & (c <= 1.0)):
        raise ValueError("correlation c must lie in [-1, 1]")
    q, c = np.broadcast_arrays(q, c)
    n1, n2 = (int(n) for n in n_nodes)
    sq = np.sqrt(np.maximum(q, Q_FLOOR))[..., None]
    s = sq * np.sqrt(np.maximum(1.0 - c * c, 0.0))[..., None]  # std of u2 given u1
    # E[· | u1] turns where the kink u2 = 0 enters the conditional Gaussian: |u1| ~ s/|c|
    with np.errstate(divide="ignore"):
        e = s / np.abs(c)[..., None]
    top = CUTOFF * sq
    cuts = np.sort(np.clip(np.concatenate(
        [np.zeros_like(sq), np.full_like(sq, 4.0), np.full_like(sq, U_SPLIT), e, 6.0 * e, top],
        axis=-1), 0.0, top), axis=-1)
    x, wx = _legendre01(n1)
    a, b = cuts[..., :-1, None], cuts[..., 1:, None]
    u = (a + (b - a) * x).reshape(*q.shape, -1)  # (..., 5 n1)
    w = ((b - a) * wx).reshape(u.shape) * np.exp(-0.5 * np.square(u / sq))
    w *= 0.5 / w.sum(axis=-1, keepdims=True)
    u1 = np.concatenate([u, -u], axis=-1)  # (..., 10 n1)
    w1 = np.concatenate([w, w], axis=-1)
    m = c[..., None] * u1  # conditional mean of u2
    lo, hi = m - CUTOFF * s, m + CUTOFF * s
    fixed = np.array([-U_SPLIT, -4.0, 0.0, 4.0, U_SPLIT])
    cuts = np.concatenate([lo[..., None], np.clip(fixed, lo[..., None], hi[..., None]),
                           m[..., None], hi[..., None]], axis=-1)
    cuts.sort(axis=-1)  # (..., 10 n1, 8): seven pieces, some of zero length
    x, wx = _legendre01(n2)
    a, b = cuts[..., :-1, None], cuts[..., 1:, None]  # (..., 10 n1, 7, 1)
    v = (a + (b - a) * x).reshape(*m.shape, -1)  # (..., 6 n1, 7 n2)
    degenerate = s == 0.0  # |c| = 1: u2 = c u1 exactly
    s_safe = np.where(degenerate, 1.0, s)
    wv = ((b - a) * wx).reshape(v.shape) * (
        _INV_SQRT_2PI * np.exp(-0.5 * np.square((v - m[..., None]) / s_safe[..., None]))
        / s_safe[..., None])
    wv = np.where(degenerate[..., None], 1.0, wv)
    wv /= wv.sum(axis=-1, keepdims=True)  # mass 1 per u1 (tails beyond 11 std: 1e-28)
    v = np.where(degenerate[..., None], m[..., None], v)
    inner = np.einsum("...ij,...ij->...i", f(u1[..., None], v), wv)
    return np.asarray(np.einsum("...i,...i->...", inner, w1))


def _check_variance(q: ArrayLike) -> np.ndarray:
    q = np.asarray(q, dtype=float)
    if np.any(np.isnan(q)) or np.any(q < 0):
        raise ValueError("variance q must be ≥ 0 (NaN given or negative)")
    return np.asarray(q)
