"""Where a network spec sits in the (σ_w², σ_b²) plane, and the spec at a chosen point.

σ_w² = fan_in · Var(W) of LAYER 1 (:func:`gradexplorer.engine.model.initializers.sigma_w2`; with
``widths`` lists or n_0 ≠ n_1 other layers may differ, e.g. Xavier's 2/(fan_in + fan_out)), and
σ_b² = bias_std² for normal biases (0 for zeros). Every initializer scales its std by ``gain``,
so σ_w² = gain² · σ_w²(gain = 1) and the gain for a target σ_w² is √(σ_w² / σ_w²(1)).
LSUV rescales each layer on the data to Var(h_l) = gain²; its σ_w² here is the orthogonal
start's (gain² / max(1, fan_out/fan_in)), an approximation.
"""

from __future__ import annotations

import math

from gradexplorer.engine.model.initializers import sigma_w2 as init_sigma_w2
from gradexplorer.engine.model.spec import NetworkSpec

#: The panel shows the gain with 4 decimals and σ_b with 3: points snap to what it can show.
GAIN_DECIMALS = 4
BIAS_STD_DECIMALS = 3


def unit_gain_sigma_w2(spec: NetworkSpec, n_features: int | None = None) -> float:
    """σ_w² of layer 1 at gain 1 (0 for the ``zeros`` initializer).

    ``n_features`` overrides n_0 (the data decide it for the digits and file inputs).
    """
    widths = spec.layer_widths(n_features)
    return init_sigma_w2(spec.init, widths[1], widths[0], gain=1.0, mode=spec.mode,
                         negative_slope=spec.effective_negative_slope)


def spec_point(spec: NetworkSpec, n_features: int | None = None) -> tuple[float, float]:
    """(σ_w² of layer 1, σ_b²) of ``spec``."""
    return spec.gain * spec.gain * unit_gain_sigma_w2(spec, n_features), spec.sigma_b2


def spec_at_point(spec: NetworkSpec, sigma_w2: float, sigma_b2: float,
                  n_features: int | None = None) -> NetworkSpec:
    """``spec`` with the gain and biases that put layer 1 at (σ_w², σ_b²).

    The gain is rounded to 4 decimals (at least 1e-4), σ_b = √σ_b² to 3; σ_b² = 0 (after
    rounding) gives zero biases, else normal biases.

    Raises
    ------
    ValueError
        σ_w² or σ_b² negative or not finite, or the initializer cannot reach σ_w² (``zeros``).
    """
    w2, b2 = float(sigma_w2), float(sigma_b2)
    if not (math.isfinite(w2) and math.isfinite(b2) and w2 >= 0 and b2 >= 0):
        raise ValueError("σ_w² and σ_b² must be finite and ≥ 0")
    unit = unit_gain_sigma_w2(spec, n_features)
    if unit <= 0:
        raise ValueError(f"the {spec.init} initializer has σ_w² = 0 at every gain")
    gain = max(round(math.sqrt(w2 / unit), GAIN_DECIMALS), 10.0 ** -GAIN_DECIMALS)
    bias_std = round(math.sqrt(b2), BIAS_STD_DECIMALS)
    return spec.replace(gain=gain, bias_init="normal" if bias_std > 0 else "zeros",
                        bias_std=bias_std)
