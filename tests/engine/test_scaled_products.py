"""Small batches apply W = scale · draw to the products, not the matrix (``DenseLayer.scale``)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs import propagation
from gradexplorer.engine.runs.prepare import prepare
from gradexplorer.engine.runs.records import RunEnd

SMALL = NetworkSpec(depth=6, width=64, in_features=48, batch=8, activation="sigmoid",
                    init="xavier_normal", gain=1.3, bias_init="normal", bias_std=0.2, seed=4)


def _close(a, b, rtol: float) -> bool:
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and all(
            _close(getattr(a, f.name), getattr(b, f.name), rtol) for f in dataclasses.fields(a))
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=0.0, equal_nan=True)
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b or math.isclose(a, b, rel_tol=rtol)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_close(x, y, rtol) for x, y in zip(a, b, strict=True))
    return a == b


def _records(spec, monkeypatch, scaled: bool):
    monkeypatch.setattr(propagation, "prepare",
                        lambda *a, **k: prepare(*a, **{**k, "scaled": scaled}))
    return [r for r in propagation.propagate(spec) if not isinstance(r, RunEnd)]


def test_a_small_batch_scales_its_products_and_agrees_with_the_formed_weights(monkeypatch):
    net = prepare(SMALL, scaled=True).net
    exact = prepare(SMALL).net
    for layer, formed in zip(net.layers, exact.layers, strict=True):
        assert layer.scale != 1.0 and not layer.weight.flags.writeable  # the cached draw
        np.testing.assert_array_equal(layer.matrix(), formed.weight)  # W, bit for bit
        assert layer.weight_norm == pytest.approx(formed.weight_norm, rel=1e-15)
    scaled = _records(SMALL, monkeypatch, scaled=True)
    formed = _records(SMALL, monkeypatch, scaled=False)
    assert len(scaled) == len(formed) == 2 * SMALL.depth + 3
    for a, b in zip(scaled, formed, strict=True):
        assert _close(a, b, rtol=1e-12), type(a).__name__


def test_saved_weights_are_the_formed_ones_and_the_gradients_agree():
    arrays: dict = {}
    list(propagation.propagate(SMALL, arrays))
    exact = prepare(SMALL).net
    for i, layer in enumerate(exact.layers, 1):
        np.testing.assert_array_equal(arrays[f"W{i}"], layer.weight)
    # ∂L/∂a_{l-1} = ∂L/∂h_l · W_l, with W_l formed: the chain the scaled products carried
    for i in range(SMALL.depth, 1, -1):
        g_prev = arrays[f"grad_h{i}"] @ arrays[f"W{i}"]
        h_prev_grad = arrays[f"grad_h{i - 1}"]
        np.testing.assert_allclose(h_prev_grad, g_prev * _sigmoid_slope(arrays, i - 1),
                                   rtol=1e-11, atol=1e-300)


def _sigmoid_slope(arrays: dict, i: int) -> np.ndarray:
    """σ'(h_i) from the saved input and weights (an independent forward pass)."""
    a = arrays["x"]
    for j in range(1, i + 1):
        h = a @ arrays[f"W{j}"].T + arrays[f"b{j}"]
        a = 1.0 / (1.0 + np.exp(-h))
    return a * (1.0 - a)


@pytest.mark.parametrize("change", [
    {"batch": 32},  # 2B = fan_in: forming W costs no more than scaling the products
    {"dtype": "float32"},  # the draw is float64: W is formed in float32
    {"init": "lsuv"},  # rescaled after its draw
    {"init": "zeros"},
])
def test_the_weights_are_formed_where_scaling_the_products_does_not_pay(change):
    net = prepare(SMALL.replace(**change), scaled=True).net
    assert all(layer.scale == 1.0 for layer in net.layers)


def test_only_propagation_scales_the_products():
    """Training updates the weights in place and the Jacobian reads them: formed W."""
    assert all(layer.scale == 1.0 for layer in prepare(SMALL).net.layers)
    assert all(layer.scale != 1.0 for layer in prepare(SMALL, scaled=True).net.layers)
