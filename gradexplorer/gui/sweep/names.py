"""Human names of the sweepable settings and of the per-layer quantities, and default ranges.

The engine's names (:data:`~gradexplorer.engine.runs.sweep.NUMERIC_FIELDS`,
:data:`~gradexplorer.engine.runs.sweep.QUANTITIES`) stay the combo items' data; these are only
titles.
A name absent here falls back to the engine's name with spaces, so a new engine field still shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradexplorer.engine.runs.sweep import NUMERIC_FIELDS, QUANTITIES

FIELD_NAMES = {
    "gain": "gain",
    "depth": "depth L",
    "width": "width n",
    "bias_std": "bias std σ_b",
    "in_features": "input features n₀",
    "batch": "batch size B",
    "seed": "seed",
    "negative_slope": "leaky ReLU slope",
    "input_mean": "input mean μ",
    "input_std": "input std σ",
    "residual_scale": "residual branch scale α",
}
#: Fields whose values are whole numbers (ranges are rounded and repeats dropped).
INTEGER_FIELDS = frozenset({"depth", "width", "in_features", "batch", "seed"})

#: quantity -> (axis label naming quantity and scale, is it a log10 quantity)
QUANTITY_NAMES = {
    "log10_grad_preact_rms": ("RMS of ∂L/∂h (log10)", True),
    "grad_preact_rms": ("RMS of ∂L/∂h (value)", False),
    "log10_grad_weight_norm": ("‖∂L/∂W‖_F (log10)", True),
    "grad_weight_norm": ("‖∂L/∂W‖_F (value)", False),
    "log10_grad_bias_norm": ("‖∂L/∂b‖₂ (log10)", True),
    "grad_bias_norm": ("‖∂L/∂b‖₂ (value)", False),
    "log10_grad_to_weight": ("‖∂L/∂W‖_F / ‖W‖_F (log10)", True),
    "grad_to_weight": ("‖∂L/∂W‖_F / ‖W‖_F (ratio)", False),
    "grad_zero_fraction": ("fraction of ∂L/∂h exactly 0", False),
    "preact_mean": ("mean of h (value)", False),
    "preact_std": ("std of h (value)", False),
    "log10_preact_std": ("std of h (log10)", True),
    "preact_second_moment": ("q = E[h²] (value)", False),
    "act_mean": ("mean of a = φ(h) (value)", False),
    "act_std": ("std of a = φ(h) (value)", False),
    "log10_act_std": ("std of a = φ(h) (log10)", True),
    "saturated_fraction": ("fraction of saturated units", False),
    "weight_norm": ("‖W‖_F (value)", False),
    "bias_norm": ("‖b‖₂ (value)", False),
    "log10_act_scale": ("engine's rescaling of a (log10)", True),
    "nonfinite_fraction": ("fraction of non-finite values", False),
    "fan_in": ("fan-in n_{l−1} (units)", False),
    "fan_out": ("fan-out n_l (units)", False),
}
DEFAULT_QUANTITY = "log10_grad_preact_rms"


@dataclass(frozen=True)
class RangeDefault:
    """Suggested range of a field: from, to, number of values, log spacing."""

    lo: float
    hi: float
    count: int
    log: bool


DEFAULT_RANGES = {
    "gain": RangeDefault(0.5, 2.0, 9, True),
    "depth": RangeDefault(5, 100, 8, True),
    "width": RangeDefault(16, 1024, 7, True),
    "bias_std": RangeDefault(0.0, 0.5, 6, False),
    "in_features": RangeDefault(16, 1024, 7, True),
    "batch": RangeDefault(16, 1024, 7, True),
    "seed": RangeDefault(0, 7, 8, False),
    "negative_slope": RangeDefault(0.0, 0.5, 6, False),
    "input_mean": RangeDefault(-2.0, 2.0, 9, False),
    "input_std": RangeDefault(0.1, 10.0, 9, True),
    "residual_scale": RangeDefault(0.0, 1.0, 6, False),  # 0 = ReZero's identity start
}


def field_name(field: str) -> str:
    """Title of a sweepable spec field."""
    return FIELD_NAMES.get(field, field.replace("_", " "))


def quantity_name(quantity: str) -> str:
    """Axis label of a per-layer quantity (quantity and scale)."""
    return QUANTITY_NAMES.get(quantity, (quantity.replace("_", " "), False))[0]


def is_log10(quantity: str) -> bool:
    """Whether ``quantity`` is in decades (a log10 twin)."""
    return QUANTITY_NAMES.get(quantity, ("", quantity.startswith("log10_")))[1]


def fields() -> dict[str, str]:
    """{engine name: title} of every sweepable field, in the engine's order."""
    return {f: field_name(f) for f in NUMERIC_FIELDS}


def quantities() -> dict[str, str]:
    """{engine name: title}: the named ones first (gradients, then forward), then the rest."""
    named = [q for q in QUANTITY_NAMES if q in QUANTITIES]
    return {q: quantity_name(q) for q in named + [q for q in QUANTITIES if q not in named]}
