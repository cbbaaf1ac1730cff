"""Mean-field theory of signal and gradient propagation (Poole et al. 2016; Schoenholz et al. 2017).

Modules, one concept each:

- :mod:`.quadrature` — Gaussian expectations E[f(√q z)] and E[f(u1, u2)], split at the kink.
- :mod:`.length_map` — the length map q ↦ σ_w² E[φ²] + σ_b², χ(q), the map's slope.
- :mod:`.fixed_points` — q* and χ1 on (σ_w², σ_b²) grids (the phase diagram).
- :mod:`.correlation` — the correlation map, c* and χ_c.
- :mod:`.depth_scales` — ξ_q, ξ_c, ξ_∇ and the trainable depth 6 ξ_c at one point.
- :mod:`.critical_line` — σ_w²(σ_b²) where χ1 = 1.
- :mod:`.layerwise` — per-layer q_l and log10 gradient RMS for a given network.
"""

from gradexplorer.engine.theory.correlation import chi_c, correlation_fixed_point, correlation_map
from gradexplorer.engine.theory.critical_line import critical_line
from gradexplorer.engine.theory.depth_scales import MeanFieldPoint, depth_scale, mean_field_point
from gradexplorer.engine.theory.fixed_points import chi1, fixed_point
from gradexplorer.engine.theory.layerwise import (
    LayerwisePrediction,
    layerwise_prediction,
    predict_layers,
)
from gradexplorer.engine.theory.length_map import (
    chi,
    derivative_second_moment,
    input_length,
    length_map,
    length_map_slope,
    second_moment,
)
from gradexplorer.engine.theory.quadrature import (
    gaussian_expectation,
    gaussian_expectation_2d,
    half_line_rule,
)

__all__ = [
    "LayerwisePrediction", "MeanFieldPoint", "chi", "chi1", "chi_c", "correlation_fixed_point",
    "correlation_map", "critical_line", "depth_scale", "derivative_second_moment", "fixed_point",
    "gaussian_expectation", "gaussian_expectation_2d", "half_line_rule", "input_length",
    "layerwise_prediction", "length_map", "length_map_slope", "mean_field_point",
    "predict_layers", "second_moment",
]
