"""Theory from σ_w² = 1e-6 to 1e12 (issue 12, case 7): quadrature in u = √q·z split at the
activation's scales, checked against scipy.integrate.quad and the large-q asymptotes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.integrate import quad

from gradexplorer.cli.main import main
from gradexplorer.engine.model.spec import ACTIVATION_NAMES
from gradexplorer.engine.theory import (
    chi,
    chi1,
    derivative_second_moment,
    gaussian_expectation,
    gaussian_expectation_2d,
    mean_field_point,
    second_moment,
)
from gradexplorer.engine.theory._activation import resolve

# the reference integrals push scipy's quad to its limits at q up to 1e24 (it warns while still
# meeting the 1e-10 tolerance the tests assert)
pytestmark = [pytest.mark.slow,
              pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")]

SMOOTH = ["sigmoid", "tanh", "elu", "selu", "gelu", "silu", "softplus"]
QS = [1e-6, 1e-2, 1.0, 30.0, 1e4, 1e8, 1e12, 1e16]


def _quad_expectation(f, q: float) -> float:
    """E[f(√q z)] by adaptive quadrature in u, each half-line cut at 0, 1, 4, 16, 64, 256, 12√q."""
    s = np.sqrt(q)
    top = 12.0 * s
    cuts = sorted({0.0, top, *(p for p in (1.0, 4.0, 16.0, 64.0, 256.0) if p < top)})
    total = 0.0
    for sign in (1.0, -1.0):
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            total += quad(lambda u, sign=sign: float(f(np.array([sign * u]))[0])
                          * np.exp(-0.5 * (u / s) ** 2) / (s * np.sqrt(2 * np.pi)),
                          a, b, epsabs=0.0, epsrel=1e-13, limit=200)[0]
    return total


def test_sech4_and_sigmoid_constants():
    """∫ tanh'(u)² du = 4/3 and ∫ σ'(u)² du = 1/6, so E[φ'(√q z)²] ~ C/√(2π q) for large q."""
    tanh_int = quad(lambda u: np.cosh(u) ** -4, -60, 60, epsabs=0, epsrel=1e-13)[0]
    sig = resolve("sigmoid", 0.01)
    sig_int = quad(lambda u: float(sig.derivative(np.array([u]))[0]) ** 2, -80, 80,
                   epsabs=0, epsrel=1e-13, points=[0.0])[0]
    assert tanh_int == pytest.approx(4 / 3, rel=1e-13)
    assert sig_int == pytest.approx(1 / 6, rel=1e-12)


@pytest.mark.parametrize("q", [1e10, 1e12, 1e16, 1e24])
def test_large_q_asymptotes(q):
    """E[tanh'²]·√q → (4/3)/√(2π) = 0.53192…, E[sigmoid'²]·√q → (1/6)/√(2π); the next term is
    O(q^{-1}) relative (the density at u ≈ 1 is ϕ(0)(1 − u²/2q))."""
    c_tanh = (4 / 3) / np.sqrt(2 * np.pi)
    c_sig = (1 / 6) / np.sqrt(2 * np.pi)
    assert float(derivative_second_moment("tanh", q)) * np.sqrt(q) == pytest.approx(c_tanh,
                                                                                    rel=1e-9)
    assert float(derivative_second_moment("sigmoid", q)) * np.sqrt(q) == pytest.approx(c_sig,
                                                                                       rel=1e-9)
    # φ² → its limits: E[tanh²] = 1 − O(1/√q), E[sigmoid²] → 1/2
    assert 1 - float(second_moment("tanh", q)) == pytest.approx(
        _quad_expectation(lambda u: 1 - np.tanh(u) ** 2, q), rel=1e-9)


@pytest.mark.parametrize("name", SMOOTH)
def test_moments_match_adaptive_quadrature_over_the_whole_range(name):
    act = resolve(name, 0.01)
    got_v = second_moment(name, np.array(QS))
    got_d = derivative_second_moment(name, np.array(QS))
    for i, q in enumerate(QS):
        ref_v = _quad_expectation(lambda u: act.forward(u) ** 2, q)
        ref_d = _quad_expectation(lambda u: act.derivative(u) ** 2, q)
        assert got_v[i] == pytest.approx(ref_v, rel=1e-10), (name, q)
        assert got_d[i] == pytest.approx(ref_d, rel=1e-10), (name, q)


def test_gaussian_expectation_large_q():
    q = np.array([1e10, 1e12])
    got = gaussian_expectation(lambda u: 1 - np.tanh(u) ** 2, q)
    assert got * np.sqrt(q) == pytest.approx(np.full(2, 2 / np.sqrt(2 * np.pi)), rel=1e-9)


@pytest.mark.parametrize("w2", [1e-6, 1e-2, 3.0, 1e4, 1e8, 1e12])
def test_relu_and_linear_are_exact(w2):
    for q in (1e-6, 1.0, 1e10, 1e20):
        assert float(chi("relu", q, w2)) == pytest.approx(w2 / 2, rel=1e-13)
        assert float(chi("linear", q, w2)) == pytest.approx(w2, rel=1e-13)
        assert float(chi("leaky_relu", q, w2)) == pytest.approx(w2 * (1 + 1e-4) / 2, rel=1e-13)
    assert float(second_moment("linear", 1e12)) == pytest.approx(1e12, rel=1e-13)


@pytest.mark.parametrize("name", sorted(ACTIVATION_NAMES))
def test_chi1_and_phase_from_1e_minus_6_to_1e12(name):
    """χ1 = σ_w² E[φ'(√q* z)²] against adaptive quadrature at the engine's q*, q* a fixed point,
    and the phase word consistent with χ1 at every scale."""
    act = resolve(name, 0.01)
    for w2 in (1e-6, 1e-3, 1.0, 1e3, 1e6, 1e8, 1e10, 1e12):
        p = mean_field_point(name, w2, 0.1)
        if not np.isfinite(p.q_star):
            assert name in ("relu", "leaky_relu", "linear", "elu", "selu", "gelu", "silu",
                            "softplus") and w2 >= 1.0
            continue
        ref_chi = w2 * _quad_expectation(lambda u: act.derivative(u) ** 2, p.q_star)
        assert p.chi1 == pytest.approx(ref_chi, rel=1e-9), (name, w2)
        ref_q = w2 * _quad_expectation(lambda u: act.forward(u) ** 2, p.q_star) + 0.1
        assert p.q_star == pytest.approx(ref_q, rel=1e-9), (name, w2)
        assert p.phase == ("ordered" if p.chi1 < 1 else "chaotic"), (name, w2)
        assert np.isfinite(p.xi_q) and np.isfinite(p.xi_grad)


def test_tanh_chi1_follows_the_asymptote_up_to_1e12():
    for w2 in (1e8, 1e10, 1e12):
        q, x1 = (float(v) for v in chi1("tanh", w2, 0.0))
        assert q == pytest.approx(w2, rel=1e-4)  # E[tanh²] = 1 − O(1/√q)
        assert x1 == pytest.approx(0.5319230405352436 * w2 / np.sqrt(q), rel=1e-8)


def test_cli_theory_prints_the_corrected_chi1(capsys):
    for w2, want in (("1e8", 5319.44), ("1e10", 53192.5), ("1e12", 531923.0)):
        assert main(["theory", "--activation", "tanh", "--sigma-w2", w2, "--depth", "3",
                     "--format", "json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert doc["chi1"] == pytest.approx(want, rel=1e-5)
        assert doc["phase"] == "chaotic"


@pytest.mark.parametrize("q", [1e-6, 1.0, 1e4, 1e8, 1e12])
def test_two_point_relu_kernels_at_every_scale(q):
    """Arc-cosine kernels (Cho & Saul 2009): E[relu(u1)relu(u2)] = q(√(1−c²) + (π − θ)c)/2π,
    E[1(u1>0)1(u2>0)] = (π − θ)/2π with θ = arccos c; c near ±1 included."""
    c = np.array([-0.999, -0.5, 0.0, 0.7, 0.999, 1.0])
    theta = np.arccos(c)
    relu = resolve("relu", 0.01)
    got = gaussian_expectation_2d(lambda a, b: relu.forward(a) * relu.forward(b), q, c)
    want = q * (np.sqrt(1 - c * c) + (np.pi - theta) * c) / (2 * np.pi)
    assert got == pytest.approx(want, rel=1e-9, abs=1e-12 * q)
    got = gaussian_expectation_2d(lambda a, b: relu.derivative(a) * relu.derivative(b), q, c)
    assert got == pytest.approx((np.pi - theta) / (2 * np.pi), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("w2", [1e4, 1e8, 1e12])
def test_tanh_chi_c_at_large_scale(w2):
    """σ_b² = 0: c* = 0 (φ odd), so χ_c = σ_w² E[φ'(√q* z)]² → (2/π) σ_w²/q* (∫ sech² = 2)."""
    p = mean_field_point("tanh", w2, 0.0)
    assert abs(p.c_star) < 1e-12
    mean_d = float(gaussian_expectation(lambda u: 1 - np.tanh(u) ** 2, p.q_star))
    assert p.chi_c == pytest.approx(w2 * mean_d ** 2, rel=1e-8)
    if w2 >= 1e8:
        assert p.chi_c == pytest.approx(2 / np.pi * w2 / p.q_star, rel=1e-4)
    assert p.xi_c == pytest.approx(-1 / np.log(p.chi_c), rel=1e-9)
