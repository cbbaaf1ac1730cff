"""The lean mean-field recursion gives the per-layer quadrature's numbers bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from gradexplorer.engine.model.activations import get_activation
from gradexplorer.engine.theory.layerwise import layerwise_prediction
from gradexplorer.engine.theory.length_map import _moments
from gradexplorer.engine.theory.quadrature import (
    gaussian_expectation,
    variance_rule,
    variance_rule_one,
)

NAMES = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu",
         "softplus"]


def _reference(act, w2, b2, m2):
    """The recursion as it was: one full ``_moments`` per layer on a (1,) array."""
    depth = w2.size
    q, v, d = np.empty(depth), np.empty(depth), np.empty(depth)
    prev = m2
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in range(depth):
            q[layer] = w2[layer] * prev + b2[layer]
            if not np.isfinite(q[layer]):
                q[layer:] = v[layer:] = np.inf
                d[layer:] = _moments(act, np.array([np.inf]), 32)[1][0]
                break
            vl, dl = _moments(act, np.array([q[layer]]), 32)
            v[layer], d[layer] = vl[0], dl[0]
            prev = v[layer]
        mean = gaussian_expectation(act.forward, q)
    return q, v, d, mean


@pytest.mark.parametrize("q", [0.0, 1e-300, 1e-12, 0.3, 1.0, 13.2, 13.3, 1e6, 1e200])
def test_variance_rule_one_is_variance_rule(q):
    u, _, w = variance_rule(np.array([q, 2.0 * q + 1.0, np.inf]))
    u1, w1 = variance_rule_one(q)
    np.testing.assert_array_equal(u1, u[0])
    np.testing.assert_array_equal(w1, w[0])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("gain2", "bias2", "depth"), [(1.0, 0.0, 30), (3.7, 0.05, 12),
                                                       (0.0, 0.0, 5), (1e30, 0.0, 40)])
def test_recursion_matches_per_layer_quadrature(name, gain2, bias2, depth):
    act = get_activation(name)
    rng = np.random.default_rng(len(name))
    w2 = gain2 * rng.uniform(0.5, 1.5, depth)
    b2 = np.full(depth, bias2)
    q, v, d, mean = _reference(act, w2, b2, 0.8)
    pred = layerwise_prediction(act, w2, b2, input_second_moment=0.8)
    np.testing.assert_array_equal(pred.q, q)
    np.testing.assert_array_equal(pred.post_second_moment, v)
    np.testing.assert_array_equal(pred.derivative_second_moment, d)
    np.testing.assert_array_equal(pred.post_mean, mean)
    if gain2 == 1e30 and name in ("linear", "relu", "leaky_relu", "elu", "selu", "gelu",
                                  "silu", "softplus"):  # unbounded φ: q overflows
        assert np.isinf(pred.q[-1])
