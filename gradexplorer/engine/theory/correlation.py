"""The correlation map between two inputs, its fixed point c* and the slope χ_c there.

Two inputs whose pre-activations have variance q* and correlation c map to correlation

    C(c) = (σ_w² E[φ(u1) φ(u2)] + σ_b²) / q*,   (u1, u2) ~ N(0, q* [[1, c], [c, 1]])

(Poole et al. 2016, the correlation map; Schoenholz et al. 2017, §2). c = 1 is always a fixed
point; it is stable in the ordered phase (χ1 ≤ 1), where c* = 1. In the chaotic phase (χ1 > 1)
the stable fixed point is c* < 1. The slope of the map at c* is

    χ_c = σ_w² E[φ'(u1) φ'(u2)]   (Schoenholz et al. 2017, §3, the correlation depth scale),

which equals χ1 at c* = 1 and sets the correlation depth scale ξ_c = −1/ln χ_c.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from gradexplorer.engine.model.activations import Activation
from gradexplorer.engine.theory._activation import resolve
from gradexplorer.engine.theory.fixed_points import chi1 as _chi1
from gradexplorer.engine.theory.length_map import chi
from gradexplorer.engine.theory.quadrature import gaussian_expectation_2d

_BISECTIONS = 60
_CHI_ROUNDING = 1e-12


def correlation_map(activation: str | Activation, c: ArrayLike, q_star: ArrayLike,
                    sigma_w2: ArrayLike, sigma_b2: ArrayLike, *,
                    negative_slope: float = 0.01) -> np.ndarray:
    """``C(c) = (σ_w² E[φ(u1)φ(u2)] + σ_b²)/q*`` (Poole et al. 2016, correlation map), vectorized.

    Parameters
    ----------
    activation : str or Activation
    c : array_like
        Input correlation in [-1, 1].
    q_star : array_like
        Pre-activation variance of both inputs (> 0, finite; normally the fixed point q*).
    sigma_w2, sigma_b2 : array_like
        Broadcast against ``c`` and ``q_star``.
    negative_slope : float

    Returns
    -------
    ndarray, broadcast shape: the next layer's correlation.

    Raises
    ------
    ValueError
        Unknown activation, c outside [-1, 1], q_star not positive and finite.
    """
    act = resolve(activation, negative_slope)
    q = np.asarray(q_star, dtype=float)
    if not np.all(np.isfinite(q)) or np.any(q <= 0):
        raise ValueError("q_star must be finite and > 0")
    e = gaussian_expectation_2d(lambda a, b: act.forward(a) * act.forward(b), q, c)
    return np.asarray((np.asarray(sigma_w2, float) * e + np.asarray(sigma_b2, float)) / q)


def chi_c(activation: str | Activation, c: ArrayLike, q_star: ArrayLike, sigma_w2: ArrayLike, *,
          negative_slope: float = 0.01) -> np.ndarray:
    """``χ_c = σ_w² E[φ'(u1)φ'(u2)]`` at correlation c (Schoenholz et al. 2017, §3).

    Arguments and errors as :func:`correlation_map` (``q_star`` may be 0 here: the q → 0 limit).

    Returns
    -------
    ndarray, broadcast shape (linear scale; = χ1 at c = 1).
    """
    act = resolve(activation, negative_slope)
    e = gaussian_expectation_2d(lambda a, b: act.derivative(a) * act.derivative(b), q_star, c)
    return np.asarray(np.asarray(sigma_w2, float) * e)


def correlation_fixed_point(activation: str | Activation, sigma_w2: ArrayLike,
                            sigma_b2: ArrayLike, *, q_star: ArrayLike | None = None,
                            q_start: ArrayLike = 1.0, negative_slope: float = 0.01
                            ) -> tuple[np.ndarray, np.ndarray]:
    """The stable fixed point c* of the correlation map and the slope χ_c there, vectorized.

    Ordered or critical phase (χ1 ≤ 1): c* = 1 and χ_c = χ1. Chaotic phase (χ1 > 1): c* is the
    root of C(c) = c in [−1, 1) found by bisection (C(−1) ≥ −1 by Cauchy–Schwarz and
    C(c) < c just below 1), to ~1e-15; χ_c < 1 there.

    Parameters
    ----------
    activation : str or Activation
    sigma_w2, sigma_b2 : array_like, broadcast together
    q_star : array_like, optional
        The length fixed point; computed by :func:`~.fixed_points.fixed_point` from ``q_start``
        when omitted.
    q_start : array_like
        Passed to :func:`~.fixed_points.fixed_point`.
    negative_slope : float

    Returns
    -------
    c_star, chi_c : ndarray, broadcast shape
        NaN where q* is infinite (the map diverges and has no variance to normalize by).

    Raises
    ------
    ValueError
        Unknown activation, σ_w² or σ_b² negative or not finite.
    """
    act = resolve(activation, negative_slope)
    if q_star is None:
        q, x1 = _chi1(act, sigma_w2, sigma_b2, q_start=q_start)
    else:
        shape = np.broadcast_shapes(np.shape(q_star), np.shape(sigma_w2), np.shape(sigma_b2))
        q = np.broadcast_to(np.asarray(q_star, float), shape)
        x1 = chi(act, q, np.broadcast_to(np.asarray(sigma_w2, float), shape))
    w2 = np.broadcast_to(np.asarray(sigma_w2, float), q.shape).ravel()
    b2 = np.broadcast_to(np.asarray(sigma_b2, float), q.shape).ravel()
    qf, x1 = q.ravel().copy(), np.array(x1, dtype=float).ravel()
    c_star = np.where(np.isfinite(qf), 1.0, np.nan)
    xc = np.where(np.isfinite(qf), x1, np.nan)
    # χ1 within rounding of 1 (ReLU at σ_w² = 2: 1 + 4e-16) is critical: c* = 1
    idx = np.flatnonzero(np.isfinite(qf) & (qf > 0) & (x1 > 1.0 + _CHI_ROUNDING))
    if idx.size:
        lo, hi = np.full(idx.size, -1.0), np.ones(idx.size)
        for _ in range(_BISECTIONS):
            mid = 0.5 * (lo + hi)
            above = correlation_map(act, mid, qf[idx], w2[idx], b2[idx]) >= mid
            lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
        c_star[idx] = 0.5 * (lo + hi)
        xc[idx] = chi_c(act, c_star[idx], qf[idx], w2[idx])
    return c_star.reshape(q.shape), xc.reshape(q.shape)
