"""A one-line, plain-words verdict on a run's gradient: vanishing, stable or exploding."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: |log10(first/last)| below this many decades is called stable (a factor of 10 either way).
STABLE_DECADES = 1.0


@dataclass(frozen=True)
class Verdict:
    """``kind`` is "vanishing", "stable", "exploding" or "undefined" (NaN or all-zero gradient).

    ``log10_ratio`` = log10(RMS ∂L/∂h_1 / RMS ∂L/∂h_L) in decades; ``per_layer`` is the mean
    factor per layer, 10**(log10_ratio / (L - 1)) (1 for L = 1).
    """

    kind: str
    log10_ratio: float
    per_layer: float
    text: str


def gradient_verdict(log10_grad_rms: np.ndarray) -> Verdict:
    """Judge ``log10_grad_rms`` (shape (L,), log10 of RMS ∂L/∂h_l for l = 1..L).

    Vanishing when layer 1's gradient RMS is more than :data:`STABLE_DECADES` decades below
    layer L's, exploding when more than that above, stable otherwise.
    """
    g = np.asarray(log10_grad_rms, dtype=float)
    depth = g.size
    if depth == 0:
        return Verdict("undefined", math.nan, math.nan, "no layers")
    first, last = g[0], g[-1]
    if not (math.isfinite(first) and math.isfinite(last)):
        why = "NaN" if math.isnan(first) or math.isnan(last) else "exactly zero"
        return Verdict("undefined", math.nan, math.nan,
                       f"gradient is {why} at layer {1 if not math.isfinite(first) else depth}: "
                       "no verdict")
    ratio = first - last
    per_layer = 10 ** (ratio / (depth - 1)) if depth > 1 else 1.0
    if ratio < -STABLE_DECADES:
        kind = "vanishing"
    elif ratio > STABLE_DECADES:
        kind = "exploding"
    else:
        kind = "stable"
    text = (f"gradient at layer 1 is 10^{ratio:+.1f} of layer {depth}: {kind} "
            f"(×{per_layer:.3g} per layer)")
    return Verdict(kind, float(ratio), float(per_layer), text)
