"""When float32 rounding decides a run's numbers: the warnings a run ends with.

A chaotic net (mean-field χ1 > 1, Poole et al. 2016) amplifies a small perturbation of the
forward signal by about √χ_l per layer, rounding errors included: float32's relative rounding
(2⁻²⁴ ≈ 6e-8) grows to ε · Π_l √χ_l at the output. When that reaches 10⁻³ the measured curves
depend on rounding (tanh, σ_w² = 100, 50 layers: float32 and float64 differ by 0.18 decades in
the gradient ratio; σ_w² = 4: by 3e-5). Positively homogeneous φ (linear, ReLU, leaky ReLU) do
not amplify relative errors this way (the signal grows as fast as its error) and are not flagged.
Independently, a forward scale beyond float32's normal range (|log10 std| > 37) without the
engine's exact rescaling underflows or overflows.
"""

from __future__ import annotations

import math

import numpy as np

#: log10 of float32's unit roundoff, 2⁻²⁴.
LOG10_EPS32 = math.log10(2.0 ** -24)
#: Amplified rounding above this relative size (log10) gets a warning.
LOG10_VISIBLE = -3.0
#: |log10 std| of a pre-activation past which float32 leaves its normal range.
LOG10_FLOAT32_RANGE = 37.0


def rounding_amplification(chi: np.ndarray) -> float:
    """log10 Π_l √χ_l over the finite entries of ``chi`` (shape (L,), mean-square factors)."""
    c = np.asarray(chi, dtype=float)
    c = c[np.isfinite(c) & (c > 0)]
    return float(0.5 * np.sum(np.log10(c))) if c.size else 0.0


def float32_warnings(dtype: str, homogeneous: bool, chi: np.ndarray | None,
                     log10_preact_std: np.ndarray, log10_act_scale: np.ndarray) -> tuple[str, ...]:
    """Warnings for a float32 run (empty for float64).

    Parameters
    ----------
    dtype : the spec's dtype.
    homogeneous : whether φ is positively homogeneous (linear, relu, leaky_relu).
    chi : mean-field χ_l per layer (``TheoryLayers.chi``), or None.
    log10_preact_std, log10_act_scale : per-layer record fields, shape (L,).
    """
    if dtype != "float32":
        return ()
    out = []
    if not homogeneous and chi is not None:
        amp = rounding_amplification(chi)
        if LOG10_EPS32 + amp > LOG10_VISIBLE:
            out.append(f"float32 on a chaotic net: rounding (6e-8) is amplified by 10^{amp:.1f} "
                       "through the layers, so these curves depend on rounding; use float64")
    std = np.asarray(log10_preact_std, dtype=float)
    scaled = np.asarray(log10_act_scale, dtype=float) != 0
    extreme = np.isfinite(std) & (np.abs(std) > LOG10_FLOAT32_RANGE) & ~scaled
    if extreme.any():
        layer = int(np.argmax(extreme)) + 1
        out.append(f"float32 range exceeded: pre-activation std 10^{std[layer - 1]:.0f} at layer "
                   f"{layer}; use float64")
    return tuple(out)
