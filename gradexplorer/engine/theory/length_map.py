"""The length map of mean-field signal propagation and the gradient factor χ(q).

A layer ``h_l = W_l φ(h_{l-1}) + b_l`` with ``W_l`` entries of variance ``σ_w²/fan_in`` and biases
of variance ``σ_b²`` maps the per-unit pre-activation variance ``q_{l-1}`` (wide-network limit) to

    q_l = σ_w² E_z[φ(√q_{l-1} z)²] + σ_b²,   z ~ N(0, 1)

(Poole et al. 2016, the length map; Schoenholz et al. 2017, §2), and the mean squared gradient is
multiplied, per layer going down, by

    χ(q) = σ_w² E_z[φ'(√q z)²]

(Schoenholz et al. 2017, §5; at the fixed point it is χ1 of Poole et al. 2016).
Every variance here is a variance (not a std) on a linear scale.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from gradexplorer.engine.model.activations import Activation
from gradexplorer.engine.theory._activation import resolve
from gradexplorer.engine.theory.quadrature import DEFAULT_NODES, _check_variance, variance_rule

#: Variance below which :func:`length_map_slope` evaluates at this value instead (the slope's
#: Stein form divides by √q; the slope changes by O(q) between 0 and this floor).
SLOPE_Q_FLOOR = 1e-12


def _moments(act: Activation, q: np.ndarray, n_nodes: int, *,
             slope: bool = False, mean: bool = False) -> tuple[np.ndarray, ...]:
    """(E[φ²], E[φ'²]) and E[z φ φ']/√q (``slope``) or E[φ] (``mean``) at variance q.

    One activation pass; E[φ] is bit for bit ``gaussian_expectation(act.forward, q)``.
    """
    s, t, w = variance_rule(q, n_nodes)
    fp, dp = act.forward_and_derivative(s)
    fm, dm = act.forward_and_derivative(-s)
    v = _dot(fp * fp + fm * fm, w)
    d = _dot(dp * dp + dm * dm, w)
    if np.any(q == 0):  # exactly φ(0)² (the floor would leave ~1e-300 where φ(0) = 0)
        v = np.where(q == 0, float(act.forward(np.zeros(1))[0]) ** 2, v)
    if mean:
        return v, d, _dot(fp + fm, w)
    if not slope:
        return v, d
    small = q < SLOPE_Q_FLOOR
    with np.errstate(invalid="ignore", divide="ignore"):
        k = _dot(fp * dp - fm * dm, w * t) / np.sqrt(q)
    if np.any(small):
        sf, tf, wf = variance_rule(SLOPE_Q_FLOOR, n_nodes)
        (fp, dp), (fm, dm) = act.forward_and_derivative(sf), act.forward_and_derivative(-sf)
        k = np.where(small, ((fp * dp - fm * dm) @ (wf * tf)) / np.sqrt(SLOPE_Q_FLOOR), k)
    return v, d, k


def _dot(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Sum over the last (node) axis of ``a * w``."""
    return np.asarray(np.einsum("...i,...i->...", a, w))


def second_moment(activation: str | Activation, q: ArrayLike, *, negative_slope: float = 0.01,
                  n_nodes: int = DEFAULT_NODES) -> np.ndarray:
    """``E_z[φ(√q z)²]``: the mean square of the post-activation at pre-activation variance q.

    Parameters
    ----------
    activation : str or Activation
        A name from ``spec.ACTIVATION_NAMES`` or an :class:`Activation`.
    q : array_like, any shape
        Pre-activation variance (≥ 0; +inf gives the limit).
    negative_slope : float
        leaky_relu's slope (ignored by the other activations).
    n_nodes : int
        Quadrature nodes per half-line (see :func:`~.quadrature.gaussian_expectation`).

    Returns
    -------
    ndarray, shape of ``q``

    Raises
    ------
    ValueError
        Unknown activation, or q negative or NaN.
    """
    q = _check_variance(q)
    return np.asarray(_moments(resolve(activation, negative_slope), q, n_nodes)[0])


def derivative_second_moment(activation: str | Activation, q: ArrayLike, *,
                             negative_slope: float = 0.01,
                             n_nodes: int = DEFAULT_NODES) -> np.ndarray:
    """``E_z[φ'(√q z)²]``, shape of ``q``; arguments and errors as :func:`second_moment`.

    At q = 0 this is the mean of the one-sided limits (ReLU: 1/2), the q → 0 limit.
    """
    q = _check_variance(q)
    return np.asarray(_moments(resolve(activation, negative_slope), q, n_nodes)[1])


def length_map(activation: str | Activation, q: ArrayLike, sigma_w2: ArrayLike,
               sigma_b2: ArrayLike, *,
               negative_slope: float = 0.01, n_nodes: int = DEFAULT_NODES) -> np.ndarray:
    """One step of the length map, ``σ_w² E[φ(√q z)²] + σ_b²`` (Poole et al. 2016, length map).

    Parameters
    ----------
    activation : str or Activation
    q : array_like
        Variance of the previous layer's pre-activations.
    sigma_w2, sigma_b2 : array_like
        Weight variance times fan_in, and bias variance; broadcast against ``q``.
    negative_slope, n_nodes
        As in :func:`second_moment`.

    Returns
    -------
    ndarray, broadcast shape: the next layer's pre-activation variance.
    """
    m = second_moment(activation, q, negative_slope=negative_slope, n_nodes=n_nodes)
    return np.asarray(np.asarray(sigma_w2, float) * m + np.asarray(sigma_b2, float))


def chi(activation: str | Activation, q: ArrayLike, sigma_w2: ArrayLike, *,
        negative_slope: float = 0.01,
        n_nodes: int = DEFAULT_NODES) -> np.ndarray:
    """``χ(q) = σ_w² E[φ'(√q z)²]``, the per-layer factor of the mean squared gradient.

    Schoenholz et al. 2017, §2 (χ1 at q = q*) and §5 (backward recursion). For ReLU it
    is σ_w²/2 for every q, for linear σ_w².

    Parameters
    ----------
    activation : str or Activation
    q : array_like
        Pre-activation variance (≥ 0; +inf gives the q → ∞ limit).
    sigma_w2 : array_like
        Weight variance times fan_in (broadcast against ``q``).
    negative_slope, n_nodes
        As in :func:`second_moment`.

    Returns
    -------
    ndarray, broadcast shape; a ratio of mean squares (linear scale, not log).
    """
    return np.asarray(np.asarray(sigma_w2, float) * derivative_second_moment(
        activation, q, negative_slope=negative_slope, n_nodes=n_nodes))


def length_map_slope(activation: str | Activation, q: ArrayLike, sigma_w2: ArrayLike, *,
                     negative_slope: float = 0.01,
                     n_nodes: int = DEFAULT_NODES) -> np.ndarray:
    """``∂q_l/∂q_{l−1} = χ(q) + σ_w² E[φ(√q z) φ''(√q z)]``, the slope of the length map.

    Its value at q* sets the depth scale of the length map, ``ξ_q = −1/ln(slope)``
    (Schoenholz et al. 2017, §3). Computed without φ'' by Gaussian integration by parts
    (Stein's lemma, valid because φφ' is continuous for every activation here):
    ``E[φ'² + φφ''] = E[z φ(√q z) φ'(√q z)]/√q``. Variances below ``SLOPE_Q_FLOOR`` = 1e-12 are
    evaluated at the floor (the slope is smooth in q, so the error is O(1e-12)).

    Parameters
    ----------
    activation : str or Activation
    q : array_like
        Pre-activation variance (≥ 0, finite).
    sigma_w2 : array_like
        Broadcast against ``q``.
    negative_slope, n_nodes
        As in :func:`second_moment`.

    Returns
    -------
    ndarray, broadcast shape (dimensionless; 1 means marginal stability).
    """
    q = _check_variance(q)
    k = _moments(resolve(activation, negative_slope), q, n_nodes, slope=True)[2]
    return np.asarray(np.asarray(sigma_w2, float) * k)


def input_length(sigma_w2: ArrayLike, sigma_b2: ArrayLike,
                 input_second_moment: ArrayLike) -> np.ndarray:
    """``q_1 = σ_w² E[x²] + σ_b²``: the first layer's pre-activation variance.

    ``E[x²]`` is the mean of the squared input entries (not their variance: a mean shifts it).
    Poole et al. 2016, the length map with the input in place of φ(h_0).
    """
    return np.asarray(np.asarray(sigma_w2, float) * np.asarray(input_second_moment, float)
                      + np.asarray(sigma_b2, float))
