"""Input–output Jacobian spectra against finite differences, exact cases and theory.md §4.

Tolerances come from measured seed-to-seed spreads (single input row, numbers in comments).
"""

import math

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.jacobian import (
    JacobianCancelled,
    compare_isometry,
    jacobian_matrix,
    jacobian_spectrum,
)
from gradexplorer.engine.runs.propagation import propagate

LOG10_4 = math.log10(4.0)


def _forward(arrays, depth, phi, x):
    a = x
    for i in range(1, depth + 1):
        a = phi(a @ arrays[f"W{i}"].T + arrays[f"b{i}"])
    return a


@pytest.mark.parametrize("activation, phi, kw", [
    # n_0 = 9 > n_L = 4: reverse accumulation; biases on
    ("tanh", np.tanh, dict(in_features=9, widths=(7, 5, 4), bias_init="normal", bias_std=0.3)),
    # n_0 = 3 < n_L = 6: forward accumulation; huge gain, power-of-two rescaling in use
    ("relu", lambda h: np.maximum(h, 0), dict(in_features=3, widths=(8, 5, 6), gain=1000.0)),
    # reverse accumulation skipping inactive relu units, with biases
    ("relu", lambda h: np.maximum(h, 0),
     dict(in_features=10, widths=(12, 9, 5), bias_init="normal", bias_std=0.5)),
])
def test_jacobian_is_the_derivative_of_the_network_propagate_runs(activation, phi, kw):
    spec = NetworkSpec(depth=3, activation=activation, init="kaiming_normal", batch=4, seed=3,
                       **kw)
    arrays = {}
    for _ in propagate(spec, arrays):
        pass
    js, exp2 = jacobian_matrix(spec, input_index=2)
    jac = np.ldexp(js, exp2)
    x, eps = arrays["x"][2], 1e-6
    fd = np.stack([(_forward(arrays, 3, phi, x + eps * e) - _forward(arrays, 3, phi, x - eps * e))
                   / (2 * eps) for e in np.eye(x.size)], axis=1)
    assert jac.shape == fd.shape == (spec.widths[-1], spec.in_features)
    assert np.allclose(jac, fd, rtol=1e-6, atol=1e-7 * np.abs(fd).max())


@pytest.mark.parametrize("gain, sign", [(4.0, 1), (0.25, -1)])
def test_orthogonal_linear_net_has_every_singular_value_gain_to_the_depth(gain, sign):
    spec = NetworkSpec(depth=600, width=24, in_features=24, activation="linear",
                       init="orthogonal", gain=gain, batch=1)
    s = jacobian_spectrum(spec)
    exact = sign * 600 * LOG10_4  # log10 4^±600 = ±361.24, far outside float64
    assert np.all(np.abs(s.log10_singular_values - exact) < 1e-10 / math.log(10))
    assert s.log10_mean == pytest.approx(2 * exact, abs=1e-10)
    assert s.predicted_log10_mean == pytest.approx(2 * exact, abs=1e-9)
    assert s.relative_variance < 1e-20
    assert s.predicted_relative_variance == pytest.approx(0.0, abs=1e-12)  # quadrature rounding
    assert np.all(s.eigenvalues == (np.inf if sign > 0 else 0.0))  # out of range, log10 exact
    assert s.weights == "spec" and s.orthogonal


def test_orthogonal_override_keeps_the_spec_sigma_w2():
    # xavier_normal × 1.5 on square layers: σ_w² = 2.25 → orthogonal gain 1.5 every layer
    spec = NetworkSpec(depth=30, width=40, in_features=40, activation="linear",
                       init="xavier_normal", gain=1.5, batch=1)
    s = jacobian_spectrum(spec, orthogonal=True)
    assert s.weights == "orthogonal" and s.sigma_w2 == pytest.approx((2.25,) * 30)
    assert np.allclose(s.log10_singular_values, 30 * math.log10(1.5), rtol=0, atol=1e-11)


def test_relu_critical_gaussian_versus_orthogonal():
    # theory.md §4: N = 800, L = 8, σ_w² = 2: Gaussian variance 14.9 (theory 2L = 16), orthogonal
    # 7.35 (theory L = 8). Measured here over seeds 0..2 (one input row): Gaussian mean 0.92..1.13,
    # variance 14.0..20.6, variance/mean² 16.0..16.6; orthogonal mean 1.00..1.06, variance
    # 8.1..9.0, variance/mean² 7.88..8.11.
    spec = NetworkSpec(depth=8, width=800, in_features=800, activation="relu",
                       init="kaiming_normal", batch=1, seed=1)
    gauss, orth = compare_isometry(spec)
    assert (gauss.weights, orth.weights) == ("spec", "orthogonal")
    assert not gauss.orthogonal and orth.orthogonal
    assert gauss.predicted_mean == pytest.approx(1.0) == orth.predicted_mean
    assert gauss.predicted_relative_variance == pytest.approx(16.0, abs=1e-9)
    assert orth.predicted_relative_variance == pytest.approx(8.0, abs=1e-9)
    assert gauss.mean == pytest.approx(1.0, abs=0.2) and orth.mean == pytest.approx(1.0, abs=0.2)
    assert gauss.relative_variance == pytest.approx(16.0, abs=1.5)
    assert orth.relative_variance == pytest.approx(8.0, abs=0.8)
    assert 10.0 < gauss.variance < 24.0 and 5.5 < orth.variance < 11.0
    assert orth.variance < 0.7 * gauss.variance
    assert gauss.eigenvalues.shape == (800,) and np.all(np.diff(gauss.eigenvalues) <= 0)
    assert gauss.variance == pytest.approx(np.var(gauss.eigenvalues))


@pytest.mark.parametrize("depth, variance, rel_variance, tol_var, tol_rel", [
    # theory.md: N = 200, L = 5 variance 5.07, L = 20 variance 21.1 (wide limit L, excess ~L²/N).
    # Measured over 20 seeds (per seed): L = 5 variance 5.10 ± 0.39, variance/mean² 5.04 ± 0.15;
    # L = 20 variance 22.8 ± 7.8, variance/mean² 20.9 ± 2.4. Tolerances ≈ 3 standard errors of
    # the mean of 6 seeds.
    (5, 5.07, 5.04, 0.5, 0.2),
    (20, 21.1, 20.9, 9.5, 3.0),
])
def test_deep_linear_gaussian_variance(depth, variance, rel_variance, tol_var, tol_rel):
    spectra = [jacobian_spectrum(NetworkSpec(depth=depth, width=200, in_features=200,
                                             activation="linear", init="lecun_normal", batch=1,
                                             seed=seed)) for seed in range(6)]
    assert np.mean([s.variance for s in spectra]) == pytest.approx(variance, abs=tol_var)
    assert np.mean([s.relative_variance for s in spectra]) == pytest.approx(rel_variance,
                                                                             abs=tol_rel)
    assert all(s.predicted_relative_variance == pytest.approx(depth) for s in spectra)
    assert np.mean([s.mean for s in spectra]) == pytest.approx(1.0, abs=0.1)


def test_tanh_mean_eigenvalue_follows_the_product_of_chi():
    # torch's nn.Linear default (σ_w² = 1/3) with tanh at width 1000, L = 10: the mean
    # eigenvalue vanishes to 10^-5.02; measured − predicted over seeds 0..2: −0.007, 0.001,
    # −0.005 decades; variance/mean² 10.13..10.35 (predicted 10.21).
    spec = NetworkSpec(depth=10, width=1000, in_features=1000, activation="tanh",
                       init="torch_default", batch=1, seed=1)
    s = jacobian_spectrum(spec)
    assert s.sigma_w2 == pytest.approx((1 / 3,) * 10)
    assert s.predicted_log10_mean == pytest.approx(-5.02, abs=0.02)
    assert s.log10_mean == pytest.approx(s.predicted_log10_mean, abs=0.03)
    assert s.relative_variance == pytest.approx(s.predicted_relative_variance, abs=0.4)
    assert s.q.shape == (10,) and np.all(np.diff(s.q) < 0)


def test_orthogonal_tanh_near_q_zero_approaches_dynamical_isometry():
    # tanh, σ_w² = 1, σ_b² = 0, small inputs (q → 0), width 200, L = 32. Measured over seeds
    # 0..3: orthogonal mean 0.598..0.647 (predicted to 0.2%), variance/mean² 0.012..0.017
    # (predicted 0.012..0.016), every log10 s in [−0.35, −0.05]; Gaussian variance/mean²
    # 25..40 (predicted 32), singular values spread over more than 15 decades.
    spec = NetworkSpec(depth=32, width=200, in_features=200, activation="tanh",
                       init="xavier_normal", input_std=0.1, batch=1, seed=2)
    gauss, orth = compare_isometry(spec)
    assert orth.mean == pytest.approx(orth.predicted_mean, rel=0.01)
    assert orth.relative_variance == pytest.approx(orth.predicted_relative_variance, rel=0.25)
    assert np.all((orth.log10_singular_values > -0.4) & (orth.log10_singular_values < 0))
    assert gauss.relative_variance == pytest.approx(gauss.predicted_relative_variance, abs=10)
    assert gauss.relative_variance > 1000 * orth.relative_variance
    assert gauss.log10_singular_values[0] - gauss.log10_singular_values[-1] > 10
    assert gauss.log10_floor < gauss.log10_eigenvalues[0] - 26


def test_width_convention_for_non_square_layers():
    # tr(JJᵀ)/n_L = Π σ_{w,l}² μ_1,l with no width ratio: lecun gives 1 (a ratio n_L/n_1 would
    # give 0.75). Measured over seeds 0..4: 0.95..1.06. relu kaiming fan_out: Π σ_w²/2 = 1/3,
    # measured 0.27..0.35.
    kw = dict(depth=4, in_features=50, widths=(200, 100, 300, 150), batch=1, seed=2)
    lin = jacobian_spectrum(NetworkSpec(activation="linear", init="lecun_normal", **kw))
    relu = jacobian_spectrum(NetworkSpec(activation="relu", init="kaiming_normal",
                                         mode="fan_out", **kw))
    assert lin.predicted_mean == pytest.approx(1.0) and lin.mean == pytest.approx(1.0, abs=0.1)
    assert relu.predicted_mean == pytest.approx(1 / 3)
    assert relu.mean == pytest.approx(1 / 3, abs=0.08)
    assert lin.eigenvalues.shape == (150,) and np.all(lin.eigenvalues[50:] == 0)
    assert lin.predicted_relative_variance is None and lin.predicted_variance is None


def test_dead_network_has_a_zero_jacobian():
    s = jacobian_spectrum(NetworkSpec(depth=3, width=8, in_features=8, activation="relu",
                                      init="zeros", batch=1))
    assert np.all(s.eigenvalues == 0) and np.all(s.log10_eigenvalues == -np.inf)
    assert s.mean == 0 and s.log10_mean == -np.inf and math.isnan(s.relative_variance)
    assert s.predicted_mean == 0 and s.predicted_log10_mean == -np.inf


def test_gaussian_override_of_a_uniform_init_and_errors():
    spec = NetworkSpec(depth=3, width=16, in_features=16, init="xavier_uniform", batch=2)
    assert jacobian_spectrum(spec).weights == "spec"
    assert jacobian_spectrum(spec, orthogonal=False).weights == "gaussian"
    with pytest.raises(IndexError, match="input index 2 is outside the batch of 2"):
        jacobian_spectrum(spec, input_index=2)
    polls = []
    with pytest.raises(JacobianCancelled):
        jacobian_spectrum(spec, cancel=lambda: polls.append(1) or len(polls) >= 2)
    assert len(polls) == 2  # polled per layer, stopped at the second poll
