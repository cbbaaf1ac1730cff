"""The run's mean-field predictions (TheoryLayers) against closed forms and wide runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.records import PREDICTED_FIELDS, RunStart, TheoryLayers
from gradexplorer.engine.runs.result import collect
from gradexplorer.engine.theory import layerwise_prediction
from gradexplorer.engine.theory.run_prediction import run_prediction

# Largest |measured − predicted| over layers 1..30 at width 1000, batch 64, measured over seeds
# 0..9 (decades): tanh Xavier σ_b = 0.3: gradient 0.048, act std 0.026, preact std 0.038;
# tanh Xavier σ_b = 0: 0.016, 0.010, 0.010; relu He: 0.069, 0.10, 0.10 (ReLU's log-norms
# fluctuate more, Hanin 2018). Tolerances: about 1.5× the worst seed.
WIDE = dict(depth=30, width=1000, in_features=1000, batch=64)
CASES = [
    (dict(activation="tanh", init="xavier_normal", bias_init="normal", bias_std=0.3),
     {"log10_grad_preact_rms": 0.075, "log10_act_std": 0.04, "log10_preact_std": 0.06}),
    (dict(activation="relu", init="kaiming_normal"),
     {"log10_grad_preact_rms": 0.11, "log10_act_std": 0.15, "log10_preact_std": 0.15}),
]


@pytest.mark.parametrize(("settings", "tolerance"), CASES, ids=["tanh", "relu"])
@pytest.mark.parametrize("seed", [0, 7])
def test_prediction_agrees_with_measurement_at_width_1000(settings, tolerance, seed):
    result = collect(propagate(NetworkSpec(**WIDE, **settings, seed=seed)))
    theory = result.theory
    assert isinstance(theory, TheoryLayers) and theory.anchor_layer == 30
    for field, tol in tolerance.items():
        deviation = result.series(field) - getattr(theory, field)
        assert np.max(np.abs(deviation)) < tol, field
    # anchored at the measured top layer; the random loss's own level agrees with it too
    assert theory.log10_grad_preact_rms[-1] == result.backward[-1].log10_grad_preact_rms
    assert theory.log10_grad_top_random_loss == pytest.approx(
        result.backward[-1].log10_grad_preact_rms, abs=0.01)


def test_tanh_prediction_is_unbiased_over_seeds():
    # signed deviation at layer 1 (where it accumulates most), averaged over seeds: ~0
    devs = []
    for seed in range(3):
        spec = NetworkSpec(**{**WIDE, "batch": 32}, activation="tanh", init="xavier_normal",
                           seed=seed)
        result = collect(propagate(spec))
        devs.append(result.series("log10_grad_preact_rms")[0]
                    - result.theory.log10_grad_preact_rms[0])
    assert abs(np.mean(devs)) < 0.01


def _start(activation, sigma_w2, sigma_b2, depth, m2=1.0, width=100, loss="random"):
    return RunStart(config={"activation": activation, "negative_slope": 0.01, "loss": loss},
                    widths=(width,) * (depth + 1), data_description="", memory_bytes=0,
                    sigma_w2=(sigma_w2,) * depth, sigma_b2=sigma_b2, input_second_moment=m2)


def test_closed_forms_relu_and_tanh():
    # ReLU: q_l = σ_w² E[x²] (σ_w²/2)^(l−1); E[relu(√q z)] = √(q/2π), Var = q/2 − q/2π
    th = run_prediction(_start("relu", 3.0, 0.0, depth=6, m2=2.0), -1.5)
    q = 6.0 * 1.5 ** np.arange(6)
    np.testing.assert_allclose(th.preact_second_moment, q, rtol=1e-12)
    np.testing.assert_allclose(th.act_mean, np.sqrt(q / (2 * np.pi)), rtol=1e-12)
    np.testing.assert_allclose(th.act_std, np.sqrt(q / 2 - q / (2 * np.pi)), rtol=1e-12)
    # χ = σ_w²/2 = 1.5 per layer: RMS grows by √1.5 per layer going down, from −1.5 at the top
    np.testing.assert_allclose(th.log10_grad_preact_rms,
                               -1.5 + 0.5 * np.log10(1.5) * np.arange(5, -1, -1), atol=1e-12)
    # tanh is odd: mean 0; std² = E[tanh²] = q_{l+1}/σ_w² for the next layer's q (σ_b² = 0)
    th = run_prediction(_start("tanh", 2.0, 0.0, depth=5), 0.0)
    np.testing.assert_allclose(th.act_mean, 0.0, atol=1e-15)
    np.testing.assert_allclose(th.act_std[:-1] ** 2, th.preact_second_moment[1:] / 2.0,
                               rtol=1e-12)
    pred = layerwise_prediction("tanh", 2.0, 0.0, depth=5)
    np.testing.assert_allclose(th.preact_second_moment, pred.q, rtol=1e-14)
    np.testing.assert_allclose(th.log10_grad_preact_rms, pred.log10_grad_rms_rel, atol=1e-14)


def test_homogeneous_predictions_stay_finite_beyond_float64():
    # ReLU with σ_w² = 8 over 600 layers: q_l = 8 · 4^(l−1) reaches 10^361
    th = run_prediction(_start("relu", 8.0, 0.0, depth=600), 0.0)
    expected = math.log10(8.0) + np.arange(600) * math.log10(4.0)
    np.testing.assert_allclose(2 * th.log10_preact_std, expected, rtol=1e-12)
    assert np.isinf(th.preact_second_moment[-1])  # the plain value overflows, as records do
    assert np.all(np.isfinite(th.log10_act_std)) and np.all(np.isfinite(th.log10_grad_preact_rms))
    # the engine's own run (exact log10 too): σ_w² = 32, the std reaches 10^120 at layer 200;
    # measured 0.44 decades below the prediction (finite-width drift of the log-norm, Hanin 2018:
    # E[log] < log E, growing like Σ 1/n_l)
    spec = NetworkSpec(depth=200, width=512, in_features=512, batch=16, activation="relu",
                       init="kaiming_normal", gain=4.0)
    result = collect(propagate(spec))
    measured = result.series("log10_act_std")
    assert measured[-1] > 115
    assert abs(measured[-1] - result.theory.log10_act_std[-1]) < 1.0


def test_anchor_falls_back_to_the_random_loss_level_and_series_are_copies():
    th = run_prediction(_start("tanh", 1.0, 0.0, depth=3), math.nan)
    assert th.log10_grad_preact_rms[-1] == th.log10_grad_top_random_loss
    assert th.log10_grad_top_random_loss == pytest.approx(0.5 * math.log10(
        layerwise_prediction("tanh", 1.0, 0.0, depth=3).derivative_second_moment[-1]))
    other = run_prediction(_start("tanh", 1.0, 0.0, depth=3, loss="mse"), math.nan)
    assert np.all(np.isnan(other.log10_grad_preact_rms))
    series = th.series()
    assert set(series) == set(PREDICTED_FIELDS)
    series["act_std"][:] = -1
    assert np.all(th.act_std >= 0)


def test_no_prediction_without_a_finite_input_moment():
    th = run_prediction(_start("tanh", 1.0, 0.0, depth=3, m2=math.nan), 0.0)
    assert all(np.all(np.isnan(v)) for v in th.series().values())
