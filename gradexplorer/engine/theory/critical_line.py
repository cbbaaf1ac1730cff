"""The order-to-chaos critical line: σ_w²(σ_b²) where χ1 = 1 (edge of chaos).

Poole et al. 2016 and Schoenholz et al. 2017 (their phase diagrams): χ1 = σ_w² E[φ'(√q* z)²]
equals 1 on a curve in the (σ_b², σ_w²) plane. Eliminating σ_w² with the fixed-point equation
``q* = σ_w² V(q*) + σ_b²`` (V(q) = E[φ(√q z)²], D(q) = E[φ'(√q z)²]) leaves one equation in q*:

    h(q) = (q − σ_b²) D(q) − V(q) = 0,   σ_w² = (q − σ_b²)/V(q) = 1/D(q).

The smallest root q > σ_b² whose fixed point is stable (length-map slope < 1) is taken. At
σ_b² = 0 with φ(0) = 0 the root is q* = 0 with σ_w² = 1/D(0) (tanh 1, ReLU 2, leaky ReLU
2/(1 + a²)), provided the map just above q = 0 does not push q up.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from gradexplorer.engine.model.activations import Activation
from gradexplorer.engine.theory._activation import resolve
from gradexplorer.engine.theory.length_map import _moments

#: Roots are searched for q* in [σ_b², Q_SEARCH_MAX].
Q_SEARCH_MAX = 1e6
_SCAN = np.geomspace(1e-9, Q_SEARCH_MAX, 500)


def _h(act: Activation, q: ArrayLike, b2: float) -> np.ndarray:
    qa = np.asarray(q, float)
    v, d = _moments(act, qa, 96)
    return np.asarray((qa - b2) * d - v)


def critical_line(activation: str | Activation, sigma_b2: ArrayLike, *, negative_slope: float = 0.01
                  ) -> tuple[np.ndarray, np.ndarray]:
    """σ_w² and q* on the critical line χ1 = 1, for each σ_b².

    Parameters
    ----------
    activation : str or Activation
    sigma_b2 : array_like, shape (n,) or scalar
        Bias variances (≥ 0, finite).
    negative_slope : float
        leaky_relu's slope.

    Returns
    -------
    sigma_w2, q_star : ndarray, shape of ``sigma_b2``
        Critical weight variance (fan_in · Var(W)) and the fixed point there, to ~1e-12. NaN
        where no critical point with q* ≤ 1e6 exists: ReLU and leaky ReLU for every σ_b² > 0
        (their χ = σ_w²(1 + a²)/2 does not depend on q, and σ_w² = 2/(1 + a²) makes q grow
        without bound once σ_b² > 0), linear for σ_b² > 0. For ReLU, leaky ReLU and linear at
        σ_b² = 0 every q is a fixed point and q* = 0 is reported. Sigmoid has no critical
        point with σ_w² ≤ 4 (χ1 ≤ σ_w²/16 ≤ 1/4 there); its line lies at large σ_w².

    Raises
    ------
    ValueError
        Unknown activation, σ_b² negative or not finite.
    """
    act = resolve(activation, negative_slope)
    b2_all = np.asarray(sigma_b2, dtype=float)
    if not np.all(np.isfinite(b2_all)) or np.any(b2_all < 0):
        raise ValueError("sigma_b2 must be finite and ≥ 0")
    w2_out = np.full(b2_all.shape, np.nan)
    q_out = np.full(b2_all.shape, np.nan)
    phi0 = float(act.forward(np.zeros(1))[0])
    for i, b2 in np.ndenumerate(b2_all):
        b2 = float(b2)
        if act.positively_homogeneous:
            if b2 == 0.0:
                w2_out[i], q_out[i] = 1.0 / float(_moments(act, np.ones(1), 96)[1][0]), 0.0
            continue
        if b2 == 0.0 and phi0 == 0.0:
            d0 = float(_moments(act, np.zeros(1), 96)[1][0])
            w0 = 1.0 / d0
            qs = np.geomspace(1e-8, 1e-2, 7)
            v = _moments(act, qs, 96)[0]
            if np.all(w0 * v - qs <= 1e-12 * qs):  # q = 0 attracts from above
                w2_out[i], q_out[i] = w0, 0.0
                continue
        grid = b2 + _SCAN * max(b2, 1.0)
        hv = _h(act, grid, b2)
        for k in np.flatnonzero(np.sign(hv[:-1]) * np.sign(hv[1:]) < 0):
            q = brentq(lambda x, b2=b2: float(_h(act, x, b2)), grid[k], grid[k + 1],
                       xtol=1e-15, rtol=1e-15, maxiter=200)
            _, d, s = (float(a[0]) for a in _moments(act, np.array([q]), 96, slope=True))
            w2_c = 1.0 / d
            if w2_c * s < 1.0:  # a stable fixed point of the length map
                w2_out[i], q_out[i] = w2_c, q
                break
    return w2_out, q_out
