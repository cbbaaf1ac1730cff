"""Gaussian expectations against scipy.integrate.quad (and closed forms), every activation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from gradexplorer.engine.model.activations import SELU_ALPHA, SELU_SCALE, get_activation
from gradexplorer.engine.model.spec import ACTIVATION_NAMES
from gradexplorer.engine.theory import (
    derivative_second_moment,
    gaussian_expectation,
    gaussian_expectation_2d,
    second_moment,
)


def _pdf(z):
    return math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


def _quad_expectation(f, q):
    """E[f(√q z)] by adaptive quadrature on each half-line (split at the kink)."""
    s = math.sqrt(q)

    def g(z):
        return float(f(np.array([s * z]))[0]) * _pdf(z)

    kw = dict(epsabs=1e-14, epsrel=1e-13, limit=400)
    return quad(g, 0, 12, **kw)[0] + quad(g, -12, 0, **kw)[0]


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_every_activation_matches_quad_at_tiny_to_large_q(name):
    act = get_activation(name)
    funcs = {"phi": act.forward, "phi^2": lambda h: act.forward(h) ** 2,
             "phi'^2": lambda h: act.derivative(h) ** 2}
    qs = np.array([1e-4, 1e-2, 1.0, 100.0])
    for label, f in funcs.items():
        got = gaussian_expectation(f, qs)
        for q, value in zip(qs, got, strict=True):
            ref = _quad_expectation(f, q)
            assert value == pytest.approx(ref, rel=1e-10, abs=1e-13), (name, label, q)


def test_moments_known_values():
    # relu: E[relu²] = q/2, E[relu'²] = 1/2 at every q, including the q -> 0 limit
    q = np.array([0.0, 1e-8, 0.3, 7.0, 1e4])
    assert second_moment("relu", q) == pytest.approx(q / 2, rel=1e-13, abs=1e-300)
    np.testing.assert_allclose(derivative_second_moment("relu", q), 0.5, rtol=1e-13)
    # linear: E[h²] = q exactly
    np.testing.assert_allclose(second_moment("linear", q), q, rtol=1e-13, atol=1e-299)
    # selu at q = 1 is self-normalizing: E[selu(z)²] = 1
    assert second_moment("selu", 1.0) == pytest.approx(1.0, abs=1e-12)
    # q = 0 gives the mean of the one-sided limits of a jump (selu': λα on the left, λ right)
    assert derivative_second_moment("selu", 0.0) == pytest.approx(
        SELU_SCALE**2 * (1 + SELU_ALPHA**2) / 2, rel=1e-14)
    # tanh at q = 0: φ'(0)² = 1; q = inf: φ'(±∞) = 0
    assert derivative_second_moment("tanh", [0.0, np.inf]) == pytest.approx([1.0, 0.0])


def test_vectorized_shape_and_errors():
    q = np.linspace(0.1, 3, 12).reshape(3, 4)
    out = gaussian_expectation(np.tanh, q)
    assert out.shape == (3, 4)
    assert out[1, 2] == pytest.approx(float(gaussian_expectation(np.tanh, q[1, 2])))
    with pytest.raises(ValueError):
        gaussian_expectation(np.tanh, [-1.0])
    with pytest.raises(ValueError):
        gaussian_expectation(np.tanh, [np.nan])
    with pytest.raises(ValueError):
        gaussian_expectation_2d(lambda a, b: a * b, 1.0, 1.5)


@pytest.mark.parametrize("c", [-0.9, 0.0, 0.3, 0.99, 1.0])
def test_2d_relu_arccosine_closed_forms(c):
    # Cho & Saul 2009 arc-cosine kernels: E[relu relu] = q (sin θ + (π − θ) cos θ)/2π,
    # E[step step] = (π − θ)/2π with θ = arccos c
    q, th = 2.3, math.acos(c)
    relu = get_activation("relu")
    got = gaussian_expectation_2d(lambda a, b: relu.forward(a) * relu.forward(b), q, c)
    assert got == pytest.approx(q * (math.sin(th) + (math.pi - th) * c) / (2 * math.pi),
                                rel=1e-13, abs=1e-15)
    got = gaussian_expectation_2d(lambda a, b: relu.derivative(a) * relu.derivative(b), q, c)
    assert got == pytest.approx((math.pi - th) / (2 * math.pi), rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("name", ["tanh", "selu", "gelu", "sigmoid"])
def test_2d_limits_and_nested_quad(name):
    act = get_activation(name)
    for q in (1e-4, 1.0, 100.0):
        # c = 1 reduces to the 1-D expectation, c = 0 factorizes
        both = gaussian_expectation_2d(lambda a, b: act.derivative(a) * act.derivative(b), q, 1.0)
        assert both == pytest.approx(float(derivative_second_moment(act, q)), rel=1e-10)
        zero = gaussian_expectation_2d(lambda a, b: act.forward(a) * act.forward(b), q, 0.0)
        assert zero == pytest.approx(float(gaussian_expectation(act.forward, q)) ** 2,
                                     rel=1e-10, abs=1e-14)
    q, c = 1.3, -0.4
    s, r = math.sqrt(1 - c * c), math.sqrt(q)

    def phi(u):
        return float(act.forward(np.array([u]))[0])

    def inner(z1):  # E over z2 of φ(u2), split where u2 = 0
        k = -c * z1 / s
        g = lambda z2: phi(r * (c * z1 + s * z2)) * _pdf(z2)  # noqa: E731
        return quad(g, -10, k, epsabs=1e-13)[0] + quad(g, k, 10, epsabs=1e-13)[0]

    def outer(z1):
        return phi(r * z1) * inner(z1) * _pdf(z1)

    ref = quad(outer, -10, 0, epsabs=1e-12)[0] + quad(outer, 0, 10, epsabs=1e-12)[0]
    got = gaussian_expectation_2d(lambda a, b: act.forward(a) * act.forward(b), q, c)
    assert got == pytest.approx(ref, rel=1e-9, abs=1e-12)
