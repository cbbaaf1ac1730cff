"""Mean-field predictions for normalized blocks vs width-1000 simulation (tolerances measured
over seeds: see ``theory.block_prediction.VALIDATED``); no prediction elsewhere, with reasons."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.records import BackwardLayer, ForwardLayer, TheoryLayers

pytestmark = pytest.mark.slow


def _run(**kw):
    spec = NetworkSpec(depth=10, width=1000, in_features=1000, batch=256, seed=4, **kw)
    recs = list(propagate(spec))
    g = np.array([r.log10_grad_preact_rms for r in recs if isinstance(r, BackwardLayer)])[::-1]
    fwd = [r for r in recs if isinstance(r, ForwardLayer)]
    theory = next(r for r in recs if isinstance(r, TheoryLayers))
    return g, fwd, theory


# q tolerance: batch norm ≈ 1 %; layer norm normalizes each example, but the examples stay
# correlated, so q_l averages over only ~n units: ±√(2/n) ≈ 5 % at n = 1000 (measured ≤ 6 %)
@pytest.mark.parametrize("norm, act, init, tol, q_tol", [
    ("batch", "relu", "kaiming_normal", 0.04, 0.03),  # measured 0.043 ± 0.002 at depth 20
    ("layer", "relu", "kaiming_normal", 0.05, 0.1),  # 0.005 ± 0.035 at depth 20
    ("layer", "tanh", "xavier_normal", 0.03, 0.1),  # 0.013 ± 0.004
])
def test_norm_prediction_matches_width_1000_simulation(norm, act, init, tol, q_tol):
    g, fwd, theory = _run(norm=norm, activation=act, init=init)
    assert g[-1] == theory.log10_grad_preact_rms[-1]  # anchored at layer L
    assert abs(g[0] - theory.log10_grad_preact_rms[0]) < tol
    act_std = np.array([r.act_std for r in fwd])
    np.testing.assert_allclose(act_std[1:], theory.act_std[1:], rtol=0.03)
    q = np.array([r.preact_second_moment for r in fwd])
    np.testing.assert_allclose(q, theory.preact_second_moment, rtol=q_tol)


def test_batch_norm_relu_rate_is_yang_et_al():
    _, _, theory = _run(norm="batch", activation="relu", init="kaiming_normal")
    # χ = π/(π − 1)·(1 − 2/B) for every layer after the first (equal σ_w²)
    np.testing.assert_allclose(theory.chi[1:-1], math.pi / (math.pi - 1) * (1 - 2 / 256),
                               rtol=1e-9)


@pytest.mark.parametrize("kw, reason", [
    (dict(residual=True, activation="relu"), "residual blocks"),
    (dict(norm="batch", activation="sigmoid"), "not validated"),
])
def test_no_prediction_says_why(kw, reason):
    spec = NetworkSpec(depth=3, width=16, in_features=16, batch=8, **kw)
    theory = next(r for r in propagate(spec) if isinstance(r, TheoryLayers))
    assert np.all(np.isnan(theory.log10_grad_preact_rms))
    assert theory.label == "no mean-field prediction"
    assert reason in theory.assumptions
