"""Loss gradients ∂L/∂a_L against central finite differences, including the rescaled path."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradexplorer.engine.model import losses


def fd_grad(loss_of, a, eps=1e-6):
    g = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        plus, minus = a.copy(), a.copy()
        plus[idx] += eps
        minus[idx] -= eps
        g[idx] = (loss_of(plus) - loss_of(minus)) / (2 * eps)
    return g


@pytest.fixture
def a():
    return np.random.default_rng(1).standard_normal((5, 4))


def test_random_projection_gradient_and_value(a):
    g = np.random.default_rng(2).standard_normal(a.shape)
    top = losses.random_projection(a, 0, g)
    assert top.loss == pytest.approx(float(np.sum(g * a)), rel=1e-14)
    np.testing.assert_allclose(top.grad, fd_grad(lambda v: float(np.sum(g * v)), a), rtol=1e-8)


def test_mse_matches_finite_differences_and_torch_mean_reduction(a):
    t = np.random.default_rng(3).standard_normal(a.shape)
    top = losses.mse(a, 0, t)
    assert top.loss == pytest.approx(float(np.mean((a - t) ** 2)), rel=1e-14)
    np.testing.assert_allclose(top.grad, fd_grad(lambda v: float(np.mean((v - t) ** 2)), a),
                               rtol=1e-7, atol=1e-10)


def cross_entropy_value(a, r, y):
    z = a @ r.T
    z = z - z.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y]))


def test_cross_entropy_matches_finite_differences(a):
    rng = np.random.default_rng(4)
    r = rng.standard_normal((3, a.shape[1])) / 2
    y = np.array([0, 2, 1, 1, 0])
    top = losses.cross_entropy(a, 0, r, y)
    assert top.loss == pytest.approx(cross_entropy_value(a, r, y), rel=1e-13)
    np.testing.assert_allclose(top.grad, fd_grad(lambda v: cross_entropy_value(v, r, y), a),
                               rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("s", [-3, 5, 40])
def test_rescaled_inputs_give_the_same_gradient(a, s):
    """a_L = a_s · 2**s: the returned (grad, exp2) must equal the unscaled gradient."""
    t = np.random.default_rng(5).standard_normal(a.shape)
    a_s = np.ldexp(a, -s)
    plain, scaled = losses.mse(a, 0, t), losses.mse(a_s, s, t)
    np.testing.assert_allclose(np.ldexp(scaled.grad, scaled.exp2), plain.grad, rtol=1e-12)
    assert scaled.loss == pytest.approx(plain.loss, rel=1e-12)
    r = np.random.default_rng(6).standard_normal((3, a.shape[1]))
    y = np.array([0, 1, 2, 1, 0])
    np.testing.assert_allclose(losses.cross_entropy(a_s, s, r, y).grad,
                               losses.cross_entropy(a, 0, r, y).grad, rtol=1e-9, atol=1e-15)


def test_cross_entropy_with_logits_beyond_float64_is_the_one_hot_limit():
    a_s = np.array([[1.0, -1.0], [-2.0, 3.0]])
    r = np.eye(2)
    y = np.array([0, 0])
    top = losses.cross_entropy(a_s, 2000, r, y)  # logits ~ 2**2000: softmax is one-hot
    np.testing.assert_array_equal(top.grad, np.array([[0.0, 0.0], [-0.5, 0.5]]))
    assert math.isinf(top.loss)
