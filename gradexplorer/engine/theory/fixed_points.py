"""The fixed point q* of the length map and χ1 = χ(q*), vectorized for phase diagrams.

q* is where the iterated length map ``q_l = σ_w² E[φ(√q_{l−1} z)²] + σ_b²`` settles when started
from ``q_start`` (Poole et al. 2016; Schoenholz et al. 2017, §2); χ1 = σ_w² E[φ'(√q* z)²]
separates the ordered phase (χ1 < 1: gradients vanish) from the chaotic one (χ1 > 1: gradients
explode).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from gradexplorer.engine.model.activations import Activation
from gradexplorer.engine.theory._activation import resolve
from gradexplorer.engine.theory.length_map import _moments, chi
from gradexplorer.engine.theory.quadrature import DEFAULT_NODES

#: A fixed point above this variance is reported as ``inf`` (the length map diverges). Far above
#: any q* of a bounded activation (q* ≤ σ_w² max φ² + σ_b², σ_w² ≤ 1e12 here: tanh at
#: σ_w² = 1e12 has q* ≈ 1e12).
Q_MAX = 1e40
_RTOL = 1e-13
_ATOL = 1e-14
_MAX_ITER = 200


def _check_params(sigma_w2: ArrayLike, sigma_b2: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    w2 = np.asarray(sigma_w2, dtype=float)
    b2 = np.asarray(sigma_b2, dtype=float)
    for name, v in (("sigma_w2", w2), ("sigma_b2", b2)):
        if not np.all(np.isfinite(v)) or np.any(v < 0):
            raise ValueError(f"{name} must be finite and ≥ 0")
    return w2, b2


def fixed_point(activation: str | Activation, sigma_w2: ArrayLike, sigma_b2: ArrayLike, *,
                q_start: ArrayLike = 1.0,
                negative_slope: float = 0.01, n_nodes: int = DEFAULT_NODES) -> np.ndarray:
    """The fixed point q* the length map reaches from ``q_start``, vectorized.

    Finds the root of ``g(q) = σ_w² E[φ(√q z)²] + σ_b² − q`` that the iteration from
    ``q_start`` approaches: above ``q_start`` if ``g(q_start) > 0``, else below it (the largest
    root in ``[0, q_start]``; g(0) ≥ 0 always). Bracketing plus safeguarded Newton steps (the
    slope comes from :func:`~.length_map.length_map_slope`'s Stein form), relative accuracy
    ~1e-13.

    Parameters
    ----------
    activation : str or Activation
    sigma_w2, sigma_b2 : array_like, broadcast together (and with ``q_start``)
        σ_w² = fan_in · Var(W) and σ_b² = Var(b); finite, ≥ 0.
    q_start : array_like, default 1
        Where the iteration starts (normally q_1 = σ_w² E[x²] + σ_b²); > 0.
    negative_slope : float
        leaky_relu's slope.
    n_nodes : int
        Quadrature nodes per half-line (default 64, ~1e-13); 48 is ~1e-11 and faster for grids.

    Returns
    -------
    ndarray, broadcast shape
        q* (a variance, linear scale). ``inf`` where the map diverges (no fixed point below
        ``Q_MAX`` = 1e40; e.g. ReLU with σ_w² > 2, or σ_w² = 2 with σ_b² > 0). Where every q is a
        fixed point (linear σ_w² = 1 or ReLU σ_w² = 2, with σ_b² = 0) it is ``q_start``; where
        q* = 0 is approached (e.g. tanh, σ_w² ≤ 1, σ_b² = 0) it is 0 or below ~1e-14 (at
        exact criticality the approach is algebraic and stops at the tolerance).

    Raises
    ------
    ValueError
        Unknown activation; σ_w² or σ_b² negative, NaN or infinite; q_start not positive.
    """
    act = resolve(activation, negative_slope)
    w2, b2 = _check_params(sigma_w2, sigma_b2)
    q0 = np.asarray(q_start, dtype=float)
    if not np.all(np.isfinite(q0)) or np.any(q0 <= 0):
        raise ValueError("q_start must be finite and > 0")
    w2, b2, q0 = (np.array(a, dtype=float).ravel() for a in np.broadcast_arrays(w2, b2, q0))
    shape = np.broadcast_shapes(np.shape(sigma_w2), np.shape(sigma_b2), np.shape(q_start))

    def g_and_dg(q: np.ndarray, idx: np.ndarray | slice) -> tuple[np.ndarray, np.ndarray]:
        v, _, k = _moments(act, q, n_nodes, slope=True)
        return w2[idx] * v + b2[idx] - q, w2[idx] * k - 1.0

    if act.positively_homogeneous:  # E[φ(√q z)²] = q E[φ(z)²]: the map is affine in q
        return _affine_fixed_point(act, w2, b2, q0, n_nodes).reshape(shape)
    out = np.full(q0.shape, np.nan)
    g0 = g_and_dg(q0, slice(None))[0]
    done = np.abs(g0) <= _RTOL * q0
    out[done] = q0[done]
    # bracket [lo, hi] with g(lo) >= 0 > g(hi)
    up = ~done & (g0 > 0)
    lo = np.where(up, q0, 0.0)
    hi = np.where(up, np.inf, q0)
    probe = np.flatnonzero(up)
    b = q0[probe]
    step = 0
    while probe.size:
        b = b * (16.0 if step < 2 else 10.0 ** (4 * 2 ** min(step - 2, 3)))  # 16,16,1e4,1e8,1e16..
        step += 1
        gb = g_and_dg(b, probe)[0]
        found = gb < 0
        hi[probe[found]] = b[found]
        grow = ~found
        lo[probe[grow]] = b[grow]
        over = grow & (b > Q_MAX)
        out[probe[over]] = np.inf
        keep = grow & ~over
        probe, b = probe[keep], b[keep]
    active = np.flatnonzero(np.isnan(out))
    x = np.where(up, lo, hi)[active]  # start on the side the iteration comes from
    # q = 0 is a fixed point where σ_w² φ(0)² + σ_b² = 0; it attracts if the slope there is
    # < 1. Newton toward it overshoots below 0 (g is convex there): then step to 0 itself.
    phi0 = float(act.forward(np.zeros(1))[0])
    zero_ok = (w2 * phi0 * phi0 + b2 == 0) & (w2 * _moments(act, np.zeros(1), n_nodes,
                                                               slope=True)[2][0] < 1.0)
    for _ in range(_MAX_ITER):
        if not active.size:
            break
        g, dg = g_and_dg(x, active)
        pos = g >= 0
        lo[active[pos]] = x[pos]
        hi[active[~pos]] = x[~pos]
        a_lo, a_hi = lo[active], hi[active]
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = x - g / dg
        ok = np.isfinite(newton) & (newton >= a_lo) & (newton <= a_hi)
        geometric = (a_lo > 0) & (a_hi > 4.0 * a_lo)
        mid = np.where(geometric, np.sqrt(a_lo * a_hi), 0.5 * (a_lo + a_hi))
        x_new = np.where(ok, newton, mid)
        x_new = np.where(~ok & (newton < a_lo) & (a_lo == 0) & zero_ok[active], 0.0, x_new)
        conv = ((np.abs(g) <= 1e-14 * (x + b2[active]))  # g at rounding level: ill-conditioned
                | (np.abs(x_new - x) <= _RTOL * x_new + _ATOL)
                | (a_hi - a_lo <= _RTOL * a_hi + _ATOL))
        out[active[conv]] = x_new[conv]
        active, x = active[~conv], x_new[~conv]
    out[active] = x
    return out.reshape(shape)


def _affine_fixed_point(act: Activation, w2: np.ndarray, b2: np.ndarray, q0: np.ndarray,
                        n_nodes: int) -> np.ndarray:
    """q* of ``q ↦ m q + σ_b²`` with ``m = σ_w² E[φ(z)²]`` (linear, relu, leaky_relu)."""
    m = w2 * _moments(act, np.ones(1), n_nodes)[0]
    critical = np.abs(m - 1.0) <= 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(m < 1.0, b2 / (1.0 - m), np.inf)
    return np.where(critical, np.where(b2 == 0, q0, np.inf), q)


def chi1(activation: str | Activation, sigma_w2: ArrayLike, sigma_b2: ArrayLike, *,
         q_start: ArrayLike = 1.0,
         negative_slope: float = 0.01, n_nodes: int = DEFAULT_NODES
         ) -> tuple[np.ndarray, np.ndarray]:
    """(q*, χ1) on a grid of (σ_w², σ_b²): the order-to-chaos phase diagram.

    χ1 = σ_w² E[φ'(√q* z)²] (Poole et al. 2016; Schoenholz et al. 2017, §2); where
    q* = inf, χ1 is the q → ∞ limit σ_w² (φ'(+∞)² + φ'(−∞)²)/2 (ReLU: σ_w²/2).

    Parameters
    ----------
    activation, sigma_w2, sigma_b2, q_start, negative_slope, n_nodes
        As in :func:`fixed_point` (broadcast; e.g. ``w2[:, None]`` and ``b2[None, :]``).

    Returns
    -------
    q_star, chi1 : ndarray, broadcast shape
        χ1 < 1 ordered (vanishing gradients), > 1 chaotic (exploding); linear scale.

    Raises
    ------
    ValueError
        As :func:`fixed_point`.
    """
    q_star = fixed_point(activation, sigma_w2, sigma_b2, q_start=q_start,
                         negative_slope=negative_slope, n_nodes=n_nodes)
    w2 = np.broadcast_to(np.asarray(sigma_w2, float), q_star.shape)
    return q_star, chi(activation, q_star, w2, negative_slope=negative_slope, n_nodes=n_nodes)
