"""Critical line, correlation map and depth scales (theory.md §3 tanh table)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradexplorer.engine.theory import (
    chi1,
    correlation_fixed_point,
    correlation_map,
    critical_line,
    depth_scale,
    derivative_second_moment,
    gaussian_expectation,
    length_map,
    mean_field_point,
)

TANH_TABLE = [  # σ_b², σ_w², q* from theory.md
    (0.0, 1.0, 0.0), (0.01, 1.4242, 0.2733), (0.05, 1.7610, 0.5700), (0.1, 1.9861, 0.8058),
    (0.2, 2.2852, 1.1645), (0.3, 2.5051, 1.4612), (0.5, 2.8432, 1.9710), (1.0, 3.4432, 3.0364),
    (2.0, 4.2664, 4.8306),
]


def test_tanh_critical_line_reproduces_table_to_4_decimals():
    b2 = np.array([row[0] for row in TANH_TABLE])
    w2, q = critical_line("tanh", b2)
    np.testing.assert_allclose(w2, [row[1] for row in TANH_TABLE], atol=5e-5)
    np.testing.assert_allclose(q, [row[2] for row in TANH_TABLE], atol=5e-5)
    # and χ1 = 1 there (the line is consistent with the fixed-point solver)
    q2, x = chi1("tanh", w2[1:], b2[1:])
    np.testing.assert_allclose(x, 1.0, atol=1e-10)
    np.testing.assert_allclose(q2, q[1:], rtol=1e-9)
    # torch's gain 5/3 on Xavier (σ_w² = 25/9) is critical only with σ_b² ≈ 0.457
    assert float(critical_line("tanh", 0.457)[0]) == pytest.approx(25 / 9, abs=1e-3)


def test_relu_leaky_linear_sigmoid_critical_lines():
    b2 = np.array([0.0, 0.1, 1.0])
    w2, q = critical_line("relu", b2)
    assert w2[0] == pytest.approx(2.0, rel=1e-13) and q[0] == 0.0
    assert np.all(np.isnan(w2[1:])) and np.all(np.isnan(q[1:]))
    w2, _ = critical_line("leaky_relu", b2, negative_slope=0.2)
    assert w2[0] == pytest.approx(2 / 1.04, rel=1e-13) and np.all(np.isnan(w2[1:]))
    w2, _ = critical_line("linear", b2)
    assert w2[0] == pytest.approx(1.0) and np.all(np.isnan(w2[1:]))
    w2, q = critical_line("sigmoid", b2)  # none for σ_w² <= 4; the line lies near σ_w² ≈ 103
    assert np.all(w2 > 100) and np.all(w2 < 106)
    np.testing.assert_allclose(chi1("sigmoid", w2, b2)[1], 1.0, atol=1e-9)


def test_correlation_map_closed_form_and_phases():
    # ReLU, σ_w² = 2, σ_b² = 0: C(c) = (sin θ + (π − θ) c)/π (arc-cosine kernel)
    c = 0.3
    th = math.acos(c)
    assert float(correlation_map("relu", c, 2.0, 2.0, 0.0)) == pytest.approx(
        (math.sin(th) + (math.pi - th) * c) / math.pi, rel=1e-13)
    # ordered: c* = 1, χ_c = χ1
    cs, xc = correlation_fixed_point("tanh", 1.5, 0.05)
    assert float(cs) == 1.0 and float(xc) == pytest.approx(float(chi1("tanh", 1.5, 0.05)[1]))
    # chaotic tanh with σ_b² = 0: c* = 0 (odd φ), χ_c = σ_w² E[φ'(√q* z)]²
    q = float(chi1("tanh", 2.0, 0.0)[0])
    cs, xc = correlation_fixed_point("tanh", 2.0, 0.0)
    assert abs(float(cs)) < 1e-12
    mean_d = float(gaussian_expectation(lambda h: 1 - np.tanh(h) ** 2, q))
    assert float(xc) == pytest.approx(2.0 * mean_d**2, rel=1e-10)
    # chaotic with bias: 0 < c* < 1 is a fixed point of the map, χ_c < 1 < χ1
    cs, xc = correlation_fixed_point("tanh", 2.5, 0.1)
    qs = float(chi1("tanh", 2.5, 0.1)[0])
    assert 0 < float(cs) < 1 and float(xc) < 1
    assert float(correlation_map("tanh", cs, qs, 2.5, 0.1)) == pytest.approx(float(cs), abs=1e-12)


def test_depth_scales():
    np.testing.assert_allclose(depth_scale([0.5, 1.0, math.e**-0.1, 2.0]),
                               [1 / math.log(2), np.inf, 10.0, -1 / math.log(2)])
    p = mean_field_point("tanh", 1.5, 0.05)
    assert p.phase == "ordered" and p.c_star == 1.0
    assert p.chi1 == pytest.approx(0.938636268, rel=1e-8)
    assert p.xi_c == p.xi_grad == pytest.approx(-1 / math.log(p.chi1))
    assert p.trainable_depth == pytest.approx(6 * p.xi_c)
    assert p.xi_q == pytest.approx(-1 / math.log(p.length_slope))
    p = mean_field_point("tanh", 2.0, 0.0)
    assert p.phase == "chaotic" and p.xi_grad < 0 and p.xi_c > 0
    p = mean_field_point("relu", 1.5, 0.0)  # relu: slope = χ1 = σ_w²/2
    assert p.xi_q == pytest.approx(-1 / math.log(0.75)) and p.xi_grad == pytest.approx(p.xi_q)
    p = mean_field_point("relu", 2.0, 0.0)
    assert p.phase == "critical" and math.isinf(p.xi_c) and math.isinf(p.trainable_depth)
    p = mean_field_point("relu", 3.0, 0.1)  # q diverges
    assert math.isinf(p.q_star) and math.isnan(p.xi_c) and p.chi1 == pytest.approx(1.5)
    assert float(derivative_second_moment("tanh", 0.0)) == pytest.approx(1.0, abs=1e-15)


def test_depth_scales_are_the_observed_convergence_rates():
    # ξ_q: (q_{l+1} − q*)/(q_l − q*) → length-map slope at q* = e^{−1/ξ_q}
    p = mean_field_point("tanh", 1.5, 0.05)
    q = 3.0
    for _ in range(12):
        q_next = float(length_map("tanh", q, 1.5, 0.05))
        ratio = (q_next - p.q_star) / (q - p.q_star)
        q = q_next
    assert ratio == pytest.approx(math.exp(-1 / p.xi_q), rel=1e-3)
    # χ_c is the slope of the correlation map at c* (checked by finite differences), both in
    # the chaotic phase (c* < 1) and at c* = 1 in the ordered phase
    for w2, b2 in ((2.5, 0.1), (1.5, 0.05)):
        p = mean_field_point("tanh", w2, b2)
        h = 1e-5
        lo, hi = max(p.c_star - h, -1.0), min(p.c_star + h, 1.0)
        slope = (correlation_map("tanh", hi, p.q_star, w2, b2)
                 - correlation_map("tanh", lo, p.q_star, w2, b2)) / (hi - lo)
        assert float(slope) == pytest.approx(p.chi_c, rel=1e-4)
