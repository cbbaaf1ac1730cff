"""Mean-field predictions for normalized and residual blocks (``model.blocks``), where validated.

Under a norm, z_l is N(0, 1) at large width and batch, so the forward statistics are those of
φ(z): act_mean = E[φ(z)], act_std = std φ(z), and q_l = E[h_l²] = σ_{w,l}² E[a_{l−1}²] + σ_b²
(E[a_0²] = E[x²]; E[a_l²] = E[φ(z)²] after it).

Gradient, with χ_l = E[(∂L/∂h_l)²] / E[(∂L/∂h_{l+1})²] (gradient independence, Schoenholz et al.
2017) and the norm's backward r·P(g) (P projects out two directions: the mean and z, see
``model.norms``; E|Pg|² = (1 − 2/N)E|g|² for N entries per statistic):

    χ_l = σ_{w,l+1}² (n_{l+1}/n_l) E[φ'(z)²] (1 − 2/N) / V_l,

V_l the variance that normalizes h_l: batch norm, per unit over the batch,
V_l = σ_{w,l}² Var(a_{l−1}) (Var(φ(z)) for l ≥ 2, the input's variance for l = 1), N = B;
layer norm, per example over the units, V_l = q_l, N = n_l. For ReLU batch norm with equal
σ_w² this is π/(π−1)·(1 − 2/B) per layer: Yang, Pennington, Rao, Sohl-Dickstein & Schoenholz,
"A mean field theory of batch normalization", ICLR 2019 (the large-batch gradient explosion).
For ReLU layer norm (σ_b = 0) it is 1 − 2/n: flat.

Validated against width-1000 simulation over seeds (see tests/engine/theory/test_block_theory.py
and the tolerances there) only for :data:`VALIDATED`; elsewhere every series is NaN and
``assumptions`` says why. Residual blocks: no prediction (the naive recursion
χ = 1 + α² σ_w² E[φ'(h)²] is exact for linear residual nets but misses ReLU's measured growth:
the batch mean of a_l accumulates through the skips and is not captured by it).
"""

from __future__ import annotations

import math

import numpy as np

from gradexplorer.engine.runs.records import RunStart, TheoryLayers
from gradexplorer.engine.theory._activation import resolve
from gradexplorer.engine.theory.quadrature import DEFAULT_NODES, gaussian_expectation

#: (norm, activation) pairs whose gradient prediction is validated against simulation.
#: Width 1000, depth 20, batch 256, 3 seeds (|mean error| + 2 std of log10 RMS ∂L/∂h_1, anchored
#: at layer 20): layer norm ≤ 0.08 decades for all these; batch norm ≤ 0.07 decades for these
#: (elu 0.057 ± 0.005, softplus 0.075, silu 0.11: left out; linear/sigmoid not validated).
VALIDATED = {
    "batch": ("relu", "leaky_relu", "tanh", "gelu", "selu"),
    "layer": ("relu", "leaky_relu", "tanh", "gelu", "selu", "elu", "silu", "softplus", "linear"),
}
LABEL = "mean-field theory with norm (dashed)"
NO_LABEL = "no mean-field prediction"


def _none(depth: int, reason: str) -> TheoryLayers:
    nan = np.full(depth, np.nan)
    return TheoryLayers(nan, nan, nan, nan, nan, nan, nan, math.nan, depth, NO_LABEL, reason)


def block_prediction(start: RunStart, log10_top_grad_rms: float,
                     n_nodes: int = DEFAULT_NODES) -> TheoryLayers:
    """Per-layer predictions for a run whose spec has a norm or residual blocks.

    Same fields and scales as :func:`run_prediction.run_prediction` (anchored at the measured
    top layer L). Returns all-NaN series with the reason in ``assumptions`` where there is no
    validated prediction (residual blocks; batch norm with ``linear``/``sigmoid``; ...).
    """
    cfg = start.config
    depth = len(start.widths) - 1
    norm = cfg.get("norm", "none")
    if cfg.get("residual"):
        return _none(depth, "No mean-field prediction for residual blocks: the simple recursion "
                            "E[g²_{l−1}] = (1 + α²σ_w²E[φ'²]) E[g²_l] holds for linear nets but "
                            "underestimates ReLU's measured growth (the batch mean of a_l "
                            "accumulates through the skips).")
    if cfg["activation"] not in VALIDATED.get(norm, ()):
        return _none(depth, f"No mean-field prediction for {norm} norm with {cfg['activation']}: "
                            "not validated against simulation.")
    act = resolve(cfg["activation"], float(cfg.get("negative_slope", 0.01)))
    w2 = np.asarray(start.sigma_w2, dtype=float)
    b2 = float(start.sigma_b2)
    m2 = float(start.input_second_moment)
    if not (math.isfinite(m2) and np.all(np.isfinite(w2)) and math.isfinite(b2)):
        return _none(depth, "No prediction: σ_w², σ_b² or E[x²] is not finite.")
    e1 = float(gaussian_expectation(act.forward, 1.0, n_nodes))
    e2 = float(gaussian_expectation(lambda z: np.square(act.forward(z)), 1.0, n_nodes))
    d2 = float(gaussian_expectation(lambda z: np.square(act.derivative(z)), 1.0, n_nodes))
    var_phi = max(e2 - e1 * e1, 0.0)
    widths = np.asarray(start.widths, dtype=float)
    prev_sq = np.concatenate([[m2], np.full(depth - 1, e2)])  # E[a_{l−1}²], l = 1..L
    q = w2 * prev_sq + b2
    if norm == "batch":
        x_var = float(cfg.get("input_std", 1.0)) ** 2 if cfg.get("input") in (
            "normal", "uniform") else m2
        prev_var = np.concatenate([[x_var], np.full(depth - 1, var_phi)])
        v = w2 * prev_var
        n_stat = np.full(depth, float(cfg["batch"]))
    else:
        v = q
        n_stat = widths[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        # χ_l for l = 1..L−1 links layer l to l + 1
        chi = (w2[1:] * widths[2:] / widths[1:-1] * d2
               * np.maximum(1.0 - 2.0 / n_stat[:-1], 0.0) / v[:-1])
        chi = np.append(chi, np.nan)
        log_rel = np.append(np.cumsum(0.5 * np.log10(chi[:-1])[::-1])[::-1], 0.0)
    top = float(log10_top_grad_rms)
    std = math.sqrt(var_phi)
    return TheoryLayers(
        preact_second_moment=q, log10_preact_std=0.5 * np.log10(q),
        act_mean=np.full(depth, e1), act_std=np.full(depth, std),
        log10_act_std=np.full(depth, math.log10(std) if std > 0 else -math.inf),
        log10_grad_preact_rms=log_rel + top, chi=chi, log10_grad_top_random_loss=math.nan,
        anchor_layer=depth, label=LABEL,
        assumptions=("Mean-field theory with a norm: z = Norm(h) ~ N(0, 1) at large width and "
                     "batch; χ_l = σ_w² E[φ'(z)²](1 − 2/N)/V_l (V_l the variance the norm "
                     "divides by; batch norm: Yang et al., ICLR 2019, ReLU rate π/(π−1)). "
                     "Anchored at the measured top layer L."))
