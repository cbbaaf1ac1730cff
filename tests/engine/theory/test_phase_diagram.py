"""The phase-diagram grid, its point readout and the spec ↔ (σ_w², σ_b²) mapping."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.theory import chi1
from gradexplorer.engine.theory.phase_diagram import (
    Cancelled,
    default_w2_max,
    gradient_growth,
    phase_diagram,
    phase_point,
)
from gradexplorer.engine.theory.spec_point import spec_at_point, spec_point, unit_gain_sigma_w2


def test_grid_cells_equal_chi1_and_growth_over_the_depth():
    d = phase_diagram("tanh", 21, n_w=31, n_b=11)
    assert d.sigma_w2[-1] == 6.0 and d.sigma_b2[-1] == 2.0
    for i, j in [(0, 0), (5, 0), (10, 3), (30, 10)]:
        q, x = chi1("tanh", d.sigma_w2[i], d.sigma_b2[j])
        assert d.chi1[i, j] == pytest.approx(float(x), rel=1e-9, abs=1e-13)
        assert d.q_star[i, j] == pytest.approx(float(q), rel=1e-8, abs=1e-12)
    np.testing.assert_allclose(d.growth[1:], 10.0 * np.log10(d.chi1[1:]))  # (L − 1)/2 = 10
    assert d.growth[0, 0] == -math.inf  # σ_w² = 0: no gradient reaches layer 1
    # theory.md's table: tanh critical line σ_w²(σ_b² = 0) = 1, (0.5) = 2.8432
    assert d.critical_w2[0] == pytest.approx(1.0, abs=1e-9)
    k = int(np.argmin(np.abs(d.critical_b2 - 0.5)))
    assert d.critical_b2[k] == pytest.approx(0.5) and d.critical_w2[k] == pytest.approx(2.8432,
                                                                                       abs=1e-4)
    # 6|ξ_∇| = L where the growth reaches ±3/ln 10 · (L − 1)/L decades
    td = d.trainable_depth()
    assert td[10, 0] == pytest.approx(6 / abs(math.log(d.chi1[10, 0])))


def test_relu_grid_closed_form_and_default_ranges():
    d = phase_diagram("relu", 5, n_w=9, n_b=5)
    np.testing.assert_allclose(d.chi1, np.broadcast_to(d.sigma_w2[:, None] / 2, (9, 5)),
                               rtol=1e-13)
    assert np.isfinite(d.critical_w2).sum() == 1 and d.critical_w2[0] == pytest.approx(2.0)
    assert [default_w2_max(a) for a in ("tanh", "relu", "linear", "sigmoid")] == [6, 4, 2, 250]
    assert gradient_growth(4.0, 1) == 0.0


def test_cancel_and_bad_arguments():
    with pytest.raises(Cancelled):
        phase_diagram("tanh", 10, n_w=40, n_b=4, cancel=lambda: True)
    with pytest.raises(ValueError):
        phase_diagram("tanh", 0)
    with pytest.raises(ValueError):
        phase_diagram("nope", 3)


def test_point_readout():
    p = phase_point("tanh", 2.0, 0.0, 20)
    assert p.chi1 == pytest.approx(1.106, abs=1e-3)  # theory.md: tanh σ_w² = 2
    assert p.phase == "chaotic" and p.growth == pytest.approx(9.5 * math.log10(p.chi1))
    assert phase_point("tanh", 1.0, 0.0, 20).phase == "critical"
    assert phase_point("relu", 1.0, 0.0, 20).phase == "ordered"


def test_spec_point_round_trip():
    spec = NetworkSpec(width=128, in_features=128, activation="tanh", init="xavier_normal")
    assert unit_gain_sigma_w2(spec) == pytest.approx(1.0)
    moved = spec_at_point(spec, 25 / 9, 0.04)
    assert moved.gain == pytest.approx(5 / 3, abs=1e-4) and moved.bias_std == 0.2
    assert moved.bias_init == "normal"
    w2, b2 = spec_point(moved)
    assert w2 == pytest.approx(25 / 9, rel=1e-4) and b2 == pytest.approx(0.04)
    assert spec_at_point(moved, 1.0, 1e-9).bias_init == "zeros"
    # kaiming (relu, fan_in) has σ_w² = 2 at gain 1; N(0, 1) has σ_w² = fan_in
    he = spec.replace(init="kaiming_normal", activation="relu")
    assert spec_point(he) == pytest.approx((2.0, 0.0))
    assert spec_point(spec.replace(init="normal")) == pytest.approx((128.0, 0.0))
    # layer 1 of a 64 → 256 net: Xavier gives 2·64/(64 + 256)
    wide = spec.replace(in_features=64, width=256)
    assert spec_point(wide)[0] == pytest.approx(128 / 320)
    with pytest.raises(ValueError, match="zeros"):
        spec_at_point(spec.replace(init="zeros"), 1.0, 0.0)
