"""Length map, q*, χ1 and the phase-diagram grid: the numbers of theory.md §3."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

from gradexplorer.engine.model.activations import get_activation
from gradexplorer.engine.theory import (
    chi,
    chi1,
    fixed_point,
    input_length,
    length_map,
    length_map_slope,
    second_moment,
)


def test_theory_md_chi1_values():
    assert float(chi1("tanh", 2.0, 0.0)[1]) == pytest.approx(1.1055, abs=5e-5)  # "1.106"
    assert float(chi1("tanh", 25 / 9, 0.0)[1]) == pytest.approx(1.2098, abs=5e-5)  # "1.21"
    assert float(chi1("sigmoid", 1.0, 0.0)[1]) == pytest.approx(0.0557, abs=5e-5)  # "0.056"
    q, x = chi1("sigmoid", 128.0, 0.0)  # N(0, 1) weights at width 128: "q* ≈ 57, χ1 ≈ 1.10"
    assert float(q) == pytest.approx(57.445, abs=1e-3)
    assert float(x) == pytest.approx(1.1105, abs=1e-4)
    # nn.Linear default σ_w² = 1/3 (σ_b² = 0): χ1 = 1/3, 1/6, 1/12 (q* = 0)
    for name, expected in (("tanh", 1 / 3), ("relu", 1 / 6), ("gelu", 1 / 12)):
        assert float(chi1(name, 1 / 3, 0.0)[1]) == pytest.approx(expected, rel=1e-9)
    # SELU self-normalizes: q* = 1 at σ_w² = 1, σ_b² = 0
    assert float(fixed_point("selu", 1.0, 0.0, q_start=3.0)) == pytest.approx(1.0, abs=1e-12)


def test_tanh_n01_width128_is_strongly_chaotic():
    # theory.md says χ1 ≈ 1.95 here; the formula gives 6.24 (q* = 118.66), checked against an
    # independent scipy quad + brentq evaluation below.
    q, x = (float(v) for v in chi1("tanh", 128.0, 0.0))

    def e(f, qq):
        s = math.sqrt(qq)
        return quad(lambda z: f(s * z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi),
                    -12, 12, points=[0], limit=400)[0]

    q_ref = brentq(lambda qq: 128 * e(lambda h: math.tanh(h) ** 2, qq) - qq, 1, 1000, xtol=1e-12)
    x_ref = 128 * e(lambda h: (1 - math.tanh(h) ** 2) ** 2, q_ref)
    assert q == pytest.approx(q_ref, rel=1e-9)
    assert x == pytest.approx(x_ref, rel=1e-7)
    assert x == pytest.approx(6.242, abs=1e-3)


def test_relu_and_linear_closed_forms():
    qs = np.array([0.0, 1e-6, 0.5, 3.0, 1e3])
    np.testing.assert_allclose(chi("relu", qs, 1.7), 0.85, rtol=1e-13)  # σ_w²/2 at every q
    np.testing.assert_allclose(length_map("relu", qs, 1.7, 0.2), 0.85 * qs + 0.2, rtol=1e-13)
    np.testing.assert_allclose(length_map_slope("relu", qs, 1.7), 0.85, rtol=1e-12)
    np.testing.assert_allclose(chi("linear", qs, 1.3), 1.3, rtol=1e-13)
    # attracting q* = σ_b²/(1 − σ_w²/2) for σ_w² < 2
    assert float(fixed_point("relu", 1.5, 0.5)) == pytest.approx(2.0, rel=1e-13)
    # divergence: σ_w² > 2, or σ_w² = 2 with σ_b² > 0; marginal σ_w² = 2, σ_b² = 0 stays at q_1
    assert math.isinf(float(fixed_point("relu", 2.5, 0.0)))
    assert math.isinf(float(fixed_point("relu", 2.0, 0.1)))
    assert float(fixed_point("relu", 2.0, 0.0, q_start=3.7)) == 3.7
    q, x = chi1("relu", 3.0, 0.1)
    assert math.isinf(float(q)) and float(x) == pytest.approx(1.5, rel=1e-12)
    assert math.isinf(float(fixed_point("linear", 1.0, 0.1)))


def test_fixed_point_is_a_fixed_point_and_iteration_reaches_it():
    for name, w2, b2 in (("tanh", 1.5, 0.05), ("sigmoid", 3.0, 0.5), ("elu", 1.2, 0.1),
                         ("gelu", 1.5, 0.3), ("silu", 2.0, 0.2), ("softplus", 0.8, 0.0),
                         ("selu", 0.9, 0.05), ("leaky_relu", 1.5, 0.3)):
        q = float(fixed_point(name, w2, b2))
        assert float(length_map(name, q, w2, b2)) == pytest.approx(q, rel=1e-12), name
        it = 1.0
        for _ in range(2000):
            it = float(length_map(name, it, w2, b2))
        assert it == pytest.approx(q, rel=1e-9), name
    # tanh ordered with σ_b² = 0 goes to 0
    assert float(fixed_point("tanh", 0.8, 0.0)) < 1e-14


def test_slope_matches_finite_difference():
    for name in ("tanh", "sigmoid", "selu", "gelu", "softplus", "elu"):
        for q in (1e-3, 0.5, 4.0, 100.0):
            h = 1e-5 * q
            fd = (second_moment(name, q + h) - second_moment(name, q - h)) / (2 * h)
            assert float(length_map_slope(name, q, 1.0)) == pytest.approx(float(fd), rel=1e-7)
    # q -> 0 limit of the slope: φ'(0)² (+ φ(0)φ''(0) = 0 here): tanh 1
    assert float(length_map_slope("tanh", 0.0, 1.0)) == pytest.approx(1.0, abs=1e-10)


def _counting(name: str) -> tuple:
    """The activation ``name`` with every kernel call counted: (activation, calls list)."""
    act = get_activation(name)
    calls = []

    def counted(kernel):
        def wrapped(h):
            calls.append(np.shape(h))
            return kernel(h)
        return wrapped

    return dataclasses.replace(act, _f=counted(act._f), _d=counted(act._d),
                               _fd=counted(act._fd)), calls


def test_phase_diagram_grid_is_vectorized():
    """The grid is computed in whole-array NumPy calls: the number of activation evaluations
    does not grow with the number of grid cells (its speed: benchmarks/bench_phase_grid.py)."""
    w2 = np.linspace(0.1, 5.0, 200)
    b2 = np.linspace(0.0, 2.0, 200)
    act, calls = _counting("tanh")
    q, x = chi1(act, w2[:, None], b2[None, :], n_nodes=20)
    assert q.shape == x.shape == (200, 200)
    assert np.all(np.isfinite(x))
    for i, j in ((0, 0), (57, 3), (120, 199), (199, 101)):
        qi, xi = chi1("tanh", w2[i], b2[j])
        assert q[i, j] == pytest.approx(float(qi), rel=1e-9, abs=1e-13)
        assert x[i, j] == pytest.approx(float(xi), rel=1e-9)
    big = len(calls)
    assert 0 < big < 1000  # not one call per cell (40 000)
    assert max(int(np.prod(shape)) for shape in calls) >= 200 * 200  # whole-grid arrays
    small, calls[:] = len(calls), []
    chi1(act, w2[:10, None], b2[None, :10], n_nodes=20)
    assert len(calls) <= small  # 400× fewer cells, not fewer calls: work is per array


def test_input_length_and_errors():
    assert float(input_length(2.0, 0.1, 0.5)) == pytest.approx(1.1)
    with pytest.raises(ValueError):
        fixed_point("tanh", -1.0, 0.0)
    with pytest.raises(ValueError):
        fixed_point("tanh", 1.0, np.nan)
    with pytest.raises(ValueError):
        fixed_point("swish", 1.0, 0.0)
    with pytest.raises(ValueError):
        fixed_point("tanh", 1.0, 0.0, q_start=0.0)
