"""Mean-field predictions for one run, in the fields and scales of its measured records.

From a :class:`~gradexplorer.engine.runs.records.RunStart` (activation, per-layer σ_w², σ_b², E[x²],
widths) and the measured top-layer gradient, :func:`run_prediction` returns a
:class:`~gradexplorer.engine.runs.records.TheoryLayers` whose series sit beside the measured curves:

- ``preact_second_moment`` q_l from the length map, the ACTUAL sequence from
  q_1 = σ_{w,1}² E[x²] + σ_{b,1}² (Poole et al. 2016, eq. 3; see :mod:`.layerwise`).
- ``act_mean`` = E[φ(√q_l z)], ``act_std`` = √(E[φ(√q_l z)²] − E[φ(√q_l z)]²), z ~ N(0, 1):
  the population statistics of a_l over batch and units if h_l is N(0, q_l).
- ``log10_grad_preact_rms`` = m_L + ½ Σ_{k=l}^{L−1} log10 χ_k (Schoenholz et al. 2017, §5),
  where m_L is the MEASURED log10 RMS of ∂L/∂h_L. The anchor is the measurement, not the
  theory's own top level, because only the ``random`` loss has a loss-independent one
  (E[(∂L/∂h_L)²] = E[φ'(h_L)²]); that level is reported too
  (``log10_grad_top_random_loss``), and used as the anchor only if the measurement is not finite.

For positively homogeneous φ (linear, relu, leaky_relu) q_l is carried in log10, so predictions
stay finite where the network overflows float64 (the engine's measurements do too).

Normalized or residual blocks: :mod:`.block_prediction` (validated cases only, else NaN with the
reason in ``assumptions``).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from gradexplorer.engine.model.activations import Activation
from gradexplorer.engine.runs.records import RunStart, TheoryLayers
from gradexplorer.engine.theory._activation import resolve
from gradexplorer.engine.theory.layerwise import layerwise_prediction
from gradexplorer.engine.theory.length_map import _moments
from gradexplorer.engine.theory.quadrature import DEFAULT_NODES, gaussian_expectation

#: Legend text of the dashed curves.
THEORY_LABEL = "mean-field theory (dashed)"
#: What the prediction assumes, for tooltips and legends.
ASSUMPTIONS = ("Mean-field theory assumes: large width; i.i.d. zero-mean Gaussian weights "
               "(orthogonal and LSUV weights only approximately); Gaussian pre-activations "
               "h ~ N(0, q_l); weights independent of the backward pass (gradient independence). "
               "The gradient curve is anchored at the measured top layer L.")


@functools.lru_cache(maxsize=32)
def _unit_moments(act: Activation, n_nodes: int) -> tuple[float, float]:
    """(E[φ(z)], E[φ(z)²]) for z ~ N(0, 1), computed once per activation and rule.

    Constants of the activation: a homogeneous φ's whole length map.
    """
    return (float(gaussian_expectation(act.forward, 1.0, n_nodes)),
            float(_moments(act, np.ones(1), n_nodes)[0][0]))


def _log10_q_homogeneous(act: Activation, w2: np.ndarray, b2: np.ndarray, m2: float, n_nodes: int
                         ) -> np.ndarray:
    """log10 q_l for φ(c h) = c φ(h): q_l = σ_{w,l}² V1 q_{l−1} + σ_{b,l}², V1 = E[φ(z)²].

    Summed in log space (logaddexp), so it never overflows. Shape (L,).
    """
    v1 = _unit_moments(act, n_nodes)[1]
    ln10 = math.log(10.0)
    out = np.empty(w2.size)
    with np.errstate(divide="ignore"):
        ln_b2 = np.log(b2)
        ln_q = math.log(w2[0] * m2 + b2[0]) if w2[0] * m2 + b2[0] > 0 else -math.inf
        out[0] = ln_q
        for layer in range(1, w2.size):
            gain = w2[layer] * v1
            ln_signal = math.log(gain) + ln_q if gain > 0 else -math.inf
            ln_q = float(np.logaddexp(ln_signal, ln_b2[layer]))
            out[layer] = ln_q
    return out / ln10


def run_prediction(start: RunStart, log10_top_grad_rms: float, *,
                   n_nodes: int = DEFAULT_NODES) -> TheoryLayers:
    """Per-layer mean-field predictions for the run that ``start`` describes.

    Parameters
    ----------
    start : RunStart
        Uses ``config['activation']``, ``config['negative_slope']``, ``config['loss']``,
        ``sigma_w2`` (shape (L,), fan_in · Var(W_l)), ``sigma_b2`` (Var(b), every layer),
        ``input_second_moment`` (E[x²]) and ``widths`` (n_0..n_L).
    log10_top_grad_rms : float
        The measured log10 RMS of ∂L/∂h_L (``BackwardLayer.log10_grad_preact_rms`` of layer L).
    n_nodes : int
        Quadrature nodes per half-line.

    Returns
    -------
    TheoryLayers
        Arrays of shape (L,). The gradient prediction equals ``log10_top_grad_rms`` at layer L;
        if that is not finite, the ``random`` loss's own level is used, else the gradient series
        is NaN. Every series is NaN when E[x²] is not finite (NaN or inf in the input), or when
        σ_w² or σ_b² is not finite (a gain or bias std near 1e308 overflows the variance): the
        theory has nothing to start from.

    Raises
    ------
    ValueError
        Unknown activation, or σ_w², σ_b², E[x²] negative.
    """
    cfg = start.config
    if cfg.get("norm", "none") != "none" or cfg.get("residual"):
        from gradexplorer.engine.theory.block_prediction import block_prediction

        return block_prediction(start, log10_top_grad_rms, n_nodes)
    act = resolve(cfg["activation"], float(cfg.get("negative_slope", 0.01)))
    depth = len(start.widths) - 1
    w2 = np.asarray(start.sigma_w2, dtype=float)
    b2 = np.full(depth, float(start.sigma_b2))
    m2 = float(start.input_second_moment)
    if not (math.isfinite(m2) and np.all(np.isfinite(w2)) and np.all(np.isfinite(b2))):
        nan = np.full(depth, np.nan)
        return TheoryLayers(nan, nan, nan, nan, nan, nan, nan, math.nan, depth, THEORY_LABEL,
                            ASSUMPTIONS)
    pred = layerwise_prediction(act, w2, b2, depth=depth, input_second_moment=m2,
                                widths=start.widths, n_nodes=n_nodes)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if act.positively_homogeneous:
            log10_q = _log10_q_homogeneous(act, w2, b2, m2, n_nodes)
            q = 10.0 ** log10_q
            m1, v1 = _unit_moments(act, n_nodes)
            std1 = math.sqrt(max(v1 - m1 * m1, 0.0))
            log10_std = 0.5 * log10_q + (math.log10(std1) if std1 > 0 else -math.inf)
            mean = m1 * np.sqrt(q)
            std = 10.0 ** log10_std
        else:
            q = pred.q
            log10_q = np.log10(q)
            mean = pred.post_mean  # = gaussian_expectation(act.forward, q), bit for bit
            std = np.sqrt(np.maximum(pred.post_second_moment - mean * mean, 0.0))
            log10_std = np.log10(std)
    top = float(log10_top_grad_rms)
    random_top = float(pred.log10_grad_rms_random_loss[-1])
    if not math.isfinite(top):
        top = random_top if cfg.get("loss") == "random" else math.nan
    return TheoryLayers(
        preact_second_moment=np.array(q, dtype=float), log10_preact_std=0.5 * log10_q,
        act_mean=np.asarray(mean, dtype=float), act_std=np.asarray(std, dtype=float),
        log10_act_std=np.asarray(log10_std, dtype=float),
        log10_grad_preact_rms=pred.log10_grad_rms_rel + top, chi=pred.chi.copy(),
        log10_grad_top_random_loss=random_top, anchor_layer=depth, label=THEORY_LABEL,
        assumptions=ASSUMPTIONS)
