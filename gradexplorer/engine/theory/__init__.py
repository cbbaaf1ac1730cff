"""Mean-field theory of signal and gradient propagation (Poole et al. 2016; Schoenholz et al. 2017).

Modules, one concept each:

- :mod:`.quadrature` — Gaussian expectations E[f(√q z)] and E[f(u1, u2)], split at the kink.
- :mod:`.length_map` — the length map q ↦ σ_w² E[φ²] + σ_b², χ(q), the map's slope.
- :mod:`.fixed_points` — q* and χ1 on (σ_w², σ_b²) grids (the phase diagram).
- :mod:`.correlation` — the correlation map, c* and χ_c.
- :mod:`.depth_scales` — ξ_q, ξ_c, ξ_∇ and the trainable depth 6 ξ_c at one point.
- :mod:`.critical_line` — σ_w²(σ_b²) where χ1 = 1.
- :mod:`.layerwise` — per-layer q_l and log10 gradient RMS for a given network.

Names are imported on first use (PEP 562 ``__getattr__``): a run's prediction needs a few
quadrature rules, not SciPy's optimizers, and the window's first run should not wait for them.
"""

import importlib
import sys
import types
from typing import Any

_SOURCES = {
    "LayerwisePrediction": "layerwise",
    "MeanFieldPoint": "depth_scales",
    "chi": "length_map",
    "chi1": "fixed_points",
    "chi_c": "correlation",
    "correlation_fixed_point": "correlation",
    "correlation_map": "correlation",
    "critical_line": "critical_line",
    "depth_scale": "depth_scales",
    "derivative_second_moment": "length_map",
    "fixed_point": "fixed_points",
    "gaussian_expectation": "quadrature",
    "gaussian_expectation_2d": "quadrature",
    "half_line_rule": "quadrature",
    "input_length": "length_map",
    "layerwise_prediction": "layerwise",
    "length_map": "length_map",
    "length_map_slope": "length_map",
    "mean_field_point": "depth_scales",
    "predict_layers": "layerwise",
    "second_moment": "length_map",
}

__all__ = [
    "LayerwisePrediction", "MeanFieldPoint", "chi", "chi1", "chi_c", "correlation_fixed_point",
    "correlation_map", "critical_line", "depth_scale", "derivative_second_moment", "fixed_point",
    "gaussian_expectation", "gaussian_expectation_2d", "half_line_rule", "input_length",
    "layerwise_prediction", "length_map", "length_map_slope", "mean_field_point",
    "predict_layers", "second_moment",
]


class _Package(types.ModuleType):
    """Keeps ``critical_line`` and ``length_map`` the functions when their modules load later.

    The modules have the same names, and the import system binds a submodule on its package.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, types.ModuleType) and _SOURCES.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:  # PEP 562: the names' own types are their modules'
    module = _SOURCES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
