"""Depth scales of signal propagation at one (σ_w², σ_b²): ξ_q, ξ_c, ξ_∇ and trainable depth.

Schoenholz et al. 2017: the length map approaches q* like e^{−l/ξ_q} with
ξ_q^{-1} = −ln[χ1 + σ_w² ∫Dz φ''(√q* z) φ(√q* z)] (§3), correlations approach c* like
e^{−l/ξ_c} with ξ_c^{-1} = −ln χ_c (§3), and the mean squared gradient changes like
e^{−(L−l)/ξ_∇} with ξ_∇^{-1} = −ln χ1 (§5, backpropagation). Networks train when L ≲ 6 ξ_c
(their trainability experiments).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from gradexplorer.engine.model.activations import Activation
from gradexplorer.engine.theory._activation import resolve
from gradexplorer.engine.theory.correlation import correlation_fixed_point
from gradexplorer.engine.theory.fixed_points import chi1
from gradexplorer.engine.theory.length_map import length_map_slope

#: Networks deeper than TRAINABLE_DEPTH_FACTOR · ξ_c do not train (Schoenholz et al. 2017).
TRAINABLE_DEPTH_FACTOR = 6.0
#: |χ − 1| below this counts as critical (the depth scale is reported as inf).
CRITICAL_TOL = 1e-9


def depth_scale(rate: ArrayLike) -> np.ndarray:
    """``ξ = −1/ln(rate)`` for a per-layer multiplicative rate, vectorized.

    Parameters
    ----------
    rate : array_like
        χ1, χ_c or the length-map slope (linear scale, ≥ 0).

    Returns
    -------
    ndarray
        In layers. Positive when rate < 1 (decay), negative when rate > 1 (growth over |ξ|
        layers), ``inf`` when |rate − 1| < ``CRITICAL_TOL``, 0 when rate = 0, NaN for NaN.
    """
    r = np.asarray(rate, dtype=float)
    with np.errstate(divide="ignore"):
        xi = -1.0 / np.log(r)
    return np.where(np.abs(r - 1.0) < CRITICAL_TOL, np.inf, xi)


@dataclass(frozen=True)
class MeanFieldPoint:
    """Mean-field summary of one (activation, σ_w², σ_b²). All floats; see :func:`mean_field_point`.

    Attributes
    ----------
    q_star : fixed point of the length map (variance; inf if it diverges).
    chi1 : χ(q*) = σ_w² E[φ'(√q* z)²]; < 1 ordered (vanishing), > 1 chaotic (exploding).
    length_slope : ∂q_l/∂q_{l−1} at q*.
    c_star : stable fixed point of the correlation map (1 in the ordered phase).
    chi_c : slope of the correlation map at c*.
    xi_q : −1/ln(length_slope), layers.
    xi_c : −1/ln χ_c, layers (inf at criticality).
    xi_grad : −1/ln χ1, layers; negative in the chaotic phase (gradients grow e-fold every |ξ_∇|).
    trainable_depth : 6 ξ_c.
    phase : 'ordered', 'critical' or 'chaotic' (|χ1 − 1| < 1e-9 is critical).
    """

    q_star: float
    chi1: float
    length_slope: float
    c_star: float
    chi_c: float
    xi_q: float
    xi_c: float
    xi_grad: float
    trainable_depth: float
    phase: str

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the fields (floats may be inf/NaN)."""
        return asdict(self)


def mean_field_point(activation: str | Activation, sigma_w2: float, sigma_b2: float, *,
                     q_start: float = 1.0, negative_slope: float = 0.01) -> MeanFieldPoint:
    """Fixed points, slopes and depth scales at one (σ_w², σ_b²).

    Parameters
    ----------
    activation : str or Activation
    sigma_w2 : float
        fan_in · Var(W) (a variance scale, not a std).
    sigma_b2 : float
        Var(b).
    q_start : float
        Start of the length-map iteration (normally q_1 = σ_w² E[x²] + σ_b²).
    negative_slope : float
        leaky_relu's slope.

    Returns
    -------
    MeanFieldPoint
        Where q* = inf the length slope, c*, χ_c, ξ_q, ξ_c and the trainable depth are NaN.

    Raises
    ------
    ValueError
        Unknown activation; σ_w², σ_b² negative or not finite; q_start not positive.
    """
    act = resolve(activation, negative_slope)
    q, x1 = (float(v) for v in chi1(act, float(sigma_w2), float(sigma_b2), q_start=q_start))
    if math.isfinite(q):
        slope = float(length_map_slope(act, q, float(sigma_w2)))
        c_star, x_c = (float(v) for v in correlation_fixed_point(
            act, float(sigma_w2), float(sigma_b2), q_star=q))
    else:
        slope = c_star = x_c = math.nan
    xi_c = float(depth_scale(x_c))
    if abs(x1 - 1.0) < CRITICAL_TOL:
        phase = "critical"
    else:
        phase = "ordered" if x1 < 1.0 else "chaotic"
    return MeanFieldPoint(q_star=q, chi1=x1, length_slope=slope, c_star=c_star, chi_c=x_c,
                          xi_q=float(depth_scale(slope)), xi_c=xi_c,
                          xi_grad=float(depth_scale(x1)),
                          trainable_depth=TRAINABLE_DEPTH_FACTOR * xi_c, phase=phase)
