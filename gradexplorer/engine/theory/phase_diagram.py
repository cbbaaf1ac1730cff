"""The (σ_w², σ_b²) phase diagram of one activation at one depth, for the phase-diagram view.

Each cell holds q* and χ1 = σ_w² E[φ'(√q* z)²] (Poole et al. 2016; Schoenholz et al. 2017, §2)
and the predicted growth of the gradient RMS over the depth,

    growth = (L − 1)/2 · log10 χ1   (decades; > 0 exploding toward the input, < 0 vanishing),

i.e. the layerwise prediction of :mod:`.layerwise` with every q_l at its fixed point q* (the
RMS ratio of ∂L/∂h_1 to ∂L/∂h_L). The trainable-depth guide uses the GRADIENT depth scale
ξ_∇ = −1/ln χ1: ``6 |ξ_∇| = L`` is where the growth reaches ±3/ln 10 ≈ 1.30 decades over L
layers. In the ordered phase ξ_∇ equals Schoenholz's correlation depth ξ_c (c* = 1 there); in
the chaotic phase ξ_c differs (its c* search costs ~15 ms per cell), so the guide is drawn from
ξ_∇ and labelled so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from gradexplorer.engine.compute.cancel import Cancelled as _Cancelled
from gradexplorer.engine.theory._activation import resolve
from gradexplorer.engine.theory.critical_line import critical_line
from gradexplorer.engine.theory.depth_scales import CRITICAL_TOL, TRAINABLE_DEPTH_FACTOR
from gradexplorer.engine.theory.fixed_points import chi1

#: Default number of grid points along each axis, and of critical-line points.
GRID_POINTS = 200
LINE_POINTS = 81
#: Default σ_b² range [0, B2_MAX].
B2_MAX = 2.0
#: Grid rows computed between two checks of ``cancel``.
_CHUNK = 20
_NICE = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


#: :func:`phase_diagram` stopped because ``cancel()`` returned True (the engine's one type).
Cancelled = _Cancelled


@dataclass(frozen=True)
class PhaseDiagram:
    """q*, χ1 and the gradient growth on a grid.

    Arrays are (n_w, n_b), index [i, j] is (``sigma_w2[i]``, ``sigma_b2[j]``).

    Attributes
    ----------
    activation, depth, negative_slope : what the grid is for.
    sigma_w2 : (n_w,) fan_in · Var(W), evenly spaced from 0.
    sigma_b2 : (n_b,) bias variances, evenly spaced from 0.
    q_star, chi1 : fixed point and its χ1 (linear scale; q* inf where the map diverges).
    growth : (L − 1)/2 · log10 χ1, decades of gradient RMS from layer L down to layer 1.
    critical_b2, critical_w2 : the χ1 = 1 line, σ_b² dense near 0 (critical_w2 NaN where none
        exists, e.g. ReLU at σ_b² > 0).
    """

    activation: str
    depth: int
    negative_slope: float
    sigma_w2: np.ndarray
    sigma_b2: np.ndarray
    q_star: np.ndarray
    chi1: np.ndarray
    growth: np.ndarray
    critical_b2: np.ndarray
    critical_w2: np.ndarray

    def trainable_depth(self) -> np.ndarray:
        """6 |ξ_∇| = 6/|ln χ1| per cell (layers; inf on the critical line), shape (n_w, n_b)."""
        return trainable_depth_grad(self.chi1)


def gradient_growth(chi1_value: ArrayLike, depth: int) -> np.ndarray:
    """(L − 1)/2 · log10 χ1: decades of gradient RMS gained from layer L to layer 1 at q*.

    ``-inf`` where χ1 = 0 (σ_w² = 0); 0 for L = 1.
    """
    x = np.asarray(chi1_value, dtype=float)
    with np.errstate(divide="ignore"):
        return 0.5 * (int(depth) - 1) * np.log10(x) if depth > 1 else np.zeros_like(x)


def trainable_depth_grad(chi1_value: ArrayLike) -> np.ndarray:
    """``6 |ξ_∇|`` with ξ_∇ = −1/ln χ1 (layers; inf where |χ1 − 1| < 1e-9, 0 where χ1 = 0)."""
    x = np.asarray(chi1_value, dtype=float)
    with np.errstate(divide="ignore"):
        out = TRAINABLE_DEPTH_FACTOR / np.abs(np.log(x))
    return np.where(np.abs(x - 1.0) < CRITICAL_TOL, np.inf, out)


def _nice_ceil(x: float) -> float:
    exponent = math.floor(math.log10(x))
    for m in _NICE:
        if m * 10.0 ** exponent >= x - 1e-12:
            return m * 10.0 ** exponent
    return 10.0 ** (exponent + 1)  # pragma: no cover - _NICE ends at 10


def default_w2_max(activation: str, negative_slope: float = 0.01, b2_max: float = B2_MAX
                   ) -> float:
    """A σ_w² range end that shows both phases.

    A round number ≥ 2 σ_w²_crit(0) and ≥ 1.25 × the largest critical σ_w² for σ_b² ≤ ``b2_max``
    (5 when there is no critical line).

    tanh 6, relu 4, linear 2, sigmoid 250 (its critical line lies near σ_w² ≈ 103..108).
    """
    w2, _ = critical_line(activation, np.linspace(0.0, b2_max, 21), negative_slope=negative_slope)
    finite = w2[np.isfinite(w2)]
    if not finite.size:
        return 5.0
    want = max(1.25 * float(finite.max()), 2.0 * float(w2[0]) if np.isfinite(w2[0]) else 0.0)
    return _nice_ceil(want)


def phase_diagram(activation: str, depth: int, *, w2_max: float | None = None,
                  b2_max: float = B2_MAX, n_w: int = GRID_POINTS, n_b: int = GRID_POINTS,
                  negative_slope: float = 0.01, n_nodes: int = 20,
                  cancel: Callable[[], bool] | None = None) -> PhaseDiagram:
    """q*, χ1 and gradient growth over L layers on an (n_w × n_b) grid, plus the critical line.

    Parameters
    ----------
    activation : str
        One of ``spec.ACTIVATION_NAMES``.
    depth : int
        L ≥ 1 (only scales the growth).
    w2_max : float, optional
        σ_w² range [0, w2_max]; default :func:`default_w2_max`.
    b2_max : float
        σ_b² range [0, b2_max].
    n_w, n_b : int
        Grid points per axis (≥ 2). 200 × 200 takes 0.05 s (relu) to ~2 s (gelu).
    negative_slope : float
        leaky_relu's slope.
    n_nodes : int
        Quadrature nodes per half-line (48: ~1e-11 relative for q* ≤ 1e4).
    cancel : callable, optional
        Polled every 20 grid rows; when it returns True, :class:`Cancelled` is raised.

    Returns
    -------
    PhaseDiagram

    Raises
    ------
    ValueError
        Unknown activation, depth < 1, ranges not positive, fewer than 2 points.
    Cancelled
        See ``cancel``.
    """
    act = resolve(activation, negative_slope)
    if int(depth) != depth or depth < 1:
        raise ValueError(f"depth must be a whole number ≥ 1, got {depth!r}")
    if w2_max is None:
        w2_max = default_w2_max(activation, negative_slope, b2_max)
    if not (w2_max > 0 and b2_max > 0 and math.isfinite(w2_max) and math.isfinite(b2_max)):
        raise ValueError("the σ_w² and σ_b² ranges must be finite and > 0")
    if n_w < 2 or n_b < 2:
        raise ValueError("the grid needs at least 2 points per axis")
    w2 = np.linspace(0.0, float(w2_max), int(n_w))
    b2 = np.linspace(0.0, float(b2_max), int(n_b))
    q = np.empty((w2.size, b2.size))
    x1 = np.empty_like(q)
    for i in range(0, w2.size, _CHUNK):
        if cancel is not None and cancel():
            raise Cancelled
        rows = slice(i, i + _CHUNK)
        q[rows], x1[rows] = chi1(act, w2[rows, None], b2[None, :], negative_slope=negative_slope,
                                 n_nodes=n_nodes)
    if cancel is not None and cancel():
        raise Cancelled
    # quadratic spacing: the line bends sharply near σ_b² = 0 (tanh: σ_w² 1 → 1.42 by 0.01)
    line_b2 = float(b2_max) * np.linspace(0.0, 1.0, LINE_POINTS) ** 2
    line_w2, _ = critical_line(act, line_b2, negative_slope=negative_slope)
    return PhaseDiagram(activation=act.name, depth=int(depth), negative_slope=negative_slope,
                        sigma_w2=w2, sigma_b2=b2, q_star=q, chi1=x1,
                        growth=gradient_growth(x1, depth), critical_b2=line_b2,
                        critical_w2=line_w2)


@dataclass(frozen=True)
class PhasePoint:
    """Mean-field numbers at one (σ_w², σ_b²).

    q*, χ1, growth over L layers (decades), 6 |ξ_∇| (layers) and the phase ('ordered',
    'critical' or 'chaotic').
    """

    sigma_w2: float
    sigma_b2: float
    q_star: float
    chi1: float
    growth: float
    trainable_depth: float
    phase: str


def phase_point(activation: str, sigma_w2: float, sigma_b2: float, depth: int, *,
                negative_slope: float = 0.01) -> PhasePoint:
    """The numbers the view shows for the current setting (about a millisecond).

    Raises
    ------
    ValueError
        Unknown activation; σ_w² or σ_b² negative or not finite.
    """
    q, x = (float(v) for v in chi1(activation, float(sigma_w2), float(sigma_b2),
                                   negative_slope=negative_slope))
    if abs(x - 1.0) < 1e-3:  # within 0.1 %: call it critical in words
        phase = "critical"
    else:
        phase = "ordered" if x < 1.0 else "chaotic"
    return PhasePoint(float(sigma_w2), float(sigma_b2), q, x, float(gradient_growth(x, depth)),
                      float(trainable_depth_grad(x)), phase)
