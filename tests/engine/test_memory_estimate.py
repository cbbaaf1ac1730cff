"""The memory estimate a run is refused by holds what the run really allocates.

``compute.memory.estimate_bytes`` counts, per layer, the input a_{l−1} and φ'(h_l) kept for the
backward pass. tracemalloc sees every NumPy allocation, so the run's traced peak (draws cached
by an earlier run, as in the app's second and later runs) must stay within the estimate, up to
the records' small arrays. Before the propagation let go of h_l after its record, the peak
was 1.24–1.33× the estimate.
"""

from __future__ import annotations

import tracemalloc

import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import collect

BASE = dict(depth=30, width=256, in_features=256, batch=256, activation="tanh",
            init="xavier_normal")


@pytest.mark.parametrize("extra", [
    {},
    {"activation": "relu", "init": "kaiming_normal"},
    {"dtype": "float32"},
    {"norm": "batch"},
    {"norm": "layer", "residual": True},
    {"widths": (512, 128, 384, 256) * 5, "depth": 20},
])
def test_traced_peak_within_the_estimate(extra):
    spec = NetworkSpec(**{**BASE, **extra})
    collect(propagate(spec))  # the draws are cached, as for every run after the first
    tracemalloc.start()
    try:
        result = collect(propagate(spec))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    estimate = result.start.memory_bytes
    assert peak <= 1.05 * estimate, (peak / 2**20, estimate / 2**20)
    assert peak >= 0.8 * estimate  # the estimate is not a loose bound either
