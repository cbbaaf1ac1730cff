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


@pytest.mark.parametrize("extra", [{"norm": "batch"}, {"norm": "layer"}, {"residual": True}])
def test_a_training_steps_traced_peak_within_the_estimate(extra):
    """A training step through norm or residual blocks (``backprop``'s block path) kept each
    layer's h_l for the backward pass too: its peak was 1.30–1.43× the propagation estimate
    that ``trainer.training_bytes`` checks it by (the plain path keeps a_{l−1} and φ'(h_l))."""
    import numpy as np

    from gradexplorer.engine.compute.memory import estimate_bytes
    from gradexplorer.engine.model.blocks import Architecture
    from gradexplorer.engine.model.network import DenseLayer
    from gradexplorer.engine.runs.prepare import prepare
    from gradexplorer.engine.training.backprop import loss_and_gradients

    spec = NetworkSpec(**{**BASE, "depth": 30, "width": 32, "in_features": 32, "batch": 1024,
                          **extra})
    prep = prepare(spec)
    rng = np.random.default_rng(0)
    classes = 10
    layers = [*prep.net.layers, DenseLayer(rng.standard_normal((classes, 32)) / 8,
                                           np.zeros(classes))]
    arch = Architecture.from_spec(spec, prep.widths)
    y = rng.integers(0, classes, spec.batch)
    tracemalloc.start()
    try:
        loss_and_gradients(layers, prep.activation, prep.x, y, "cross_entropy", True, arch)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    estimate = estimate_bytes((*prep.widths, classes), spec.batch, 8, norm=spec.norm != "none",
                              residual=spec.residual)
    assert peak <= 1.05 * estimate, (peak / 2**20, estimate / 2**20)
    assert peak >= 0.8 * estimate
