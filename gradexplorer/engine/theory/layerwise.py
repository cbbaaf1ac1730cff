"""Layer-by-layer mean-field predictions for one network, to draw beside the measurement.

Network (as ``spec.NetworkSpec``): ``h_l = W_l a_{l−1} + b_l``, ``a_l = φ(h_l)``, ``a_0 = x``,
``W_l`` of shape ``(n_l, n_{l−1})`` with i.i.d. entries of variance ``σ_{w,l}²/n_{l−1}`` (so
``σ_{w,l}² = fan_in · Var(W_l)``), biases of variance ``σ_{b,l}²``.

Forward (Poole et al. 2016, §2): ``q_1 = σ_{w,1}² E[x²] + σ_{b,1}²`` and
``q_l = σ_{w,l}² E[φ(√q_{l−1} z)²] + σ_{b,l}²``; the ACTUAL sequence is used, not q*.

Backward (Schoenholz et al. 2017, §5): ``∂L/∂h_k = φ'(h_k) ⊙ W_{k+1}ᵀ ∂L/∂h_{k+1}``. With W_{k+1}
independent of the forward pass (the mean-field "gradient independence" assumption),

    E[(∂L/∂a_k)_i²] = Σ_j Var(W_{k+1,ji}) E[(∂L/∂h_{k+1})_j²]
                    = (n_{k+1}/n_k) σ_{w,k+1}² E[(∂L/∂h_{k+1})²]

so ``E[(∂L/∂h_k)²] = χ_k E[(∂L/∂h_{k+1})²]`` with
``χ_k = σ_{w,k+1}² (n_{k+1}/n_k) E[φ'(√q_k z)²]`` (the width ratio is 1 for square layers).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from gradexplorer.engine.model.activations import Activation
from gradexplorer.engine.theory._activation import resolve
from gradexplorer.engine.theory.length_map import _dot, _moments
from gradexplorer.engine.theory.quadrature import DEFAULT_NODES, variance_rule_one


@dataclass(frozen=True)
class LayerwisePrediction:
    """Per-layer predictions; every array has shape (L,), index ``l − 1`` is layer ``l``.

    Attributes
    ----------
    q : pre-activation variance q_l = E[h_l²] (linear scale).
    post_second_moment : E[a_l²] = E[φ(√q_l z)²].
    derivative_second_moment : E[φ'(h_l)²] = E[φ'(√q_l z)²].
    chi : χ_l = σ_{w,l+1}² (n_{l+1}/n_l) E[φ'(√q_l z)²], the factor from layer l+1's mean squared
        gradient to layer l's; the last entry (no layer above) is NaN.
    log10_grad_ms_rel : log10 E[(∂L/∂h_l)²] − log10 E[(∂L/∂h_L)²] = Σ_{k=l}^{L−1} log10 χ_k
        (0 at l = L).
    log10_grad_rms_rel : half of it: log10 of the RMS ratio.
    log10_grad_rms_random_loss : log10 RMS of ∂L/∂h_l in absolute units for the ``random`` loss
        (∂L/∂a_L = G with unit variance, so E[(∂L/∂h_L)²] = E[φ'(h_L)²]).
    post_mean : E[a_l] = E[φ(√q_l z)] (the q → ∞ limit where q overflows).
    """

    q: np.ndarray
    post_second_moment: np.ndarray
    derivative_second_moment: np.ndarray
    chi: np.ndarray
    log10_grad_ms_rel: np.ndarray
    log10_grad_rms_rel: np.ndarray
    log10_grad_rms_random_loss: np.ndarray
    post_mean: np.ndarray

    @property
    def preact_var(self) -> np.ndarray:
        """Alias of :attr:`q` (the pre-activation variance per layer), shape (L,)."""
        return self.q


def _per_layer(name: str, value: ArrayLike, depth: int) -> np.ndarray:
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        a = np.full(depth, float(a))
    if a.shape != (depth,):
        raise ValueError(f"{name} must be a number or a sequence of {depth} numbers, "
                         f"got shape {a.shape}")
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError(f"{name} must be finite and ≥ 0")
    return a


def layerwise_prediction(activation: str | Activation, sigma_w2: ArrayLike, sigma_b2: ArrayLike,
                         *, depth: int | None = None,
                         input_second_moment: float = 1.0, widths: Sequence[int] | None = None,
                         negative_slope: float = 0.01, n_nodes: int = DEFAULT_NODES
                         ) -> LayerwisePrediction:
    """Predicted q_l and gradient RMS (relative to the top layer) for layers l = 1..L.

    Parameters
    ----------
    activation : str or Activation
    sigma_w2 : float or array_like, shape (L,)
        σ_{w,l}² = fan_in · Var(W_l) per layer (a variance scale, not a std); a float means the
        same for every layer.
    sigma_b2 : float or array_like, shape (L,)
        Bias variance per layer.
    depth : int, optional
        L; needed when both σ_w² and σ_b² are scalars, else checked against their length.
    input_second_moment : float
        E[x²], the mean of the squared input entries (≥ 0).
    widths : array_like of int, shape (L + 1,), optional
        (n_0, n_1, ..., n_L) as ``NetworkSpec.layer_widths()``; None for square layers. Only the
        ratios n_{k+1}/n_k for k ≥ 1 enter (they scale χ_k); n_0 does not.
    negative_slope : float
        leaky_relu's slope.
    n_nodes : int
        Quadrature nodes per half-line.

    Returns
    -------
    LayerwisePrediction
        Arrays of shape (L,). log10 values are −inf where a factor is exactly 0. If q overflows
        float64 (σ_w² huge for an unbounded φ over many layers) q and E[a²] are +inf from there
        on and E[φ'²] is its q → ∞ limit (φ'(+∞)² + φ'(−∞)²)/2, so the gradient predictions
        stay finite in log10.

    Raises
    ------
    ValueError
        Unknown activation; depth missing, < 1 or inconsistent; σ_w², σ_b², E[x²] negative or
        not finite; widths of the wrong length or not positive.
    """
    act = resolve(activation, negative_slope)
    if depth is None:
        sizes = [np.size(v) for v in (sigma_w2, sigma_b2) if np.ndim(v) > 0]
        if not sizes:
            raise ValueError("depth is required when sigma_w2 and sigma_b2 are both numbers")
        depth = sizes[0]
    if isinstance(depth, bool) or int(depth) != depth or depth < 1:
        raise ValueError(f"depth must be a whole number ≥ 1, got {depth!r}")
    depth = int(depth)
    w2 = _per_layer("sigma_w2", sigma_w2, depth)
    b2 = _per_layer("sigma_b2", sigma_b2, depth)
    m2 = float(input_second_moment)
    if not np.isfinite(m2) or m2 < 0:
        raise ValueError(f"input second moment must be finite and ≥ 0, got {input_second_moment}")
    ratio = np.ones(depth - 1)
    if widths is not None:
        n = np.asarray(widths, dtype=float)
        if n.shape != (depth + 1,) or np.any(n <= 0) or not np.all(np.isfinite(n)):
            raise ValueError(f"widths must list {depth + 1} positive sizes (n_0, ..., n_L)")
        ratio = n[2:] / n[1:-1]  # n_{k+1}/n_k for k = 1..L-1

    q, v = _length_recursion(act, w2, b2, m2, n_nodes)
    with np.errstate(over="ignore", invalid="ignore"):  # all layers at once, q known
        d, mean = _moments(act, q, n_nodes, mean=True)[1:]
    chi = np.full(depth, np.nan)
    chi[:-1] = w2[1:] * ratio * d[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(chi[:-1])
        ms_rel = np.zeros(depth)
        ms_rel[:-1] = np.cumsum(logs[::-1])[::-1]  # Σ_{k=l}^{L-1} log10 χ_k
        top = 0.5 * np.log10(d[-1])
    rms_rel = 0.5 * ms_rel
    return LayerwisePrediction(q=q, post_second_moment=v, derivative_second_moment=d, chi=chi,
                               log10_grad_ms_rel=ms_rel, log10_grad_rms_rel=rms_rel,
                               log10_grad_rms_random_loss=rms_rel + top, post_mean=mean)


def _length_recursion(act: Activation, w2: np.ndarray, b2: np.ndarray, m2: float,
                      n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """q_l = σ_{w,l}² E[φ(√q_{l−1} z)²] + σ_{b,l}² from E[a_0²] = m2, and E[a_l²]; shapes (L,).

    Sequential (each layer's quadrature needs the previous q), so each step is lean: one
    :func:`variance_rule_one` and φ only (no φ'), the operations of ``_moments`` on one q, bit
    for bit. Past a q that overflows float64: q = E[a²] = +inf.
    """
    depth = w2.size
    q = np.empty(depth)
    v = np.empty(depth)
    phi0_sq = float(act.forward(np.zeros(1))[0]) ** 2
    m = 3 * int(n_nodes)  # nodes of one rule (three pieces)
    pm = np.empty(2 * m)  # ±u
    q_prev_moment = m2  # E[a_0²] = E[x²]
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in range(depth):
            ql = float(w2[layer] * q_prev_moment + b2[layer])
            q[layer] = ql
            if not math.isfinite(ql):  # overflow: the q -> ∞ limits from here on
                q[layer:] = v[layer:] = np.inf
                break
            if ql == 0:  # exactly φ(0)² (the floor would leave ~1e-300 where φ(0) = 0)
                q_prev_moment = phi0_sq
            else:
                u, w = variance_rule_one(ql, n_nodes)
                np.negative(u, out=pm[m:])  # φ(u) and φ(−u) in one call (elementwise: the
                pm[:m] = u                  # same values as two)
                f = act.forward(pm)
                f *= f
                q_prev_moment = float(_dot(f[:m] + f[m:], w))
            v[layer] = q_prev_moment
    return q, v


def predict_layers(activation: str | Activation, sigma_w2: ArrayLike, sigma_b2: ArrayLike,
                   input_second_moment: float = 1.0, *, negative_slope: float = 0.01,
                   widths: Sequence[int] | None = None,
                   depth: int | None = None) -> LayerwisePrediction:
    """:func:`layerwise_prediction` with E[x²] positional; ``depth`` defaults from ``widths``.

    Parameters and errors as :func:`layerwise_prediction`; with ``widths = (n_0, ..., n_L)``
    (``RunStart.widths``) the depth is ``len(widths) − 1``.
    """
    if depth is None and widths is not None:
        depth = len(widths) - 1
    return layerwise_prediction(activation, sigma_w2, sigma_b2, depth=depth,
                                input_second_moment=input_second_moment, widths=widths,
                                negative_slope=negative_slope)
