"""Input–output Jacobian of layer-norm and residual nets vs finite differences; batch refused."""

from __future__ import annotations

import numpy as np
import pytest

from gradexplorer.engine.model.activations import get_activation
from gradexplorer.engine.model.norms import EPS
from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.engine.runs.jacobian import jacobian_matrix, jacobian_spectrum
from gradexplorer.engine.runs.propagation import propagate


def _forward_row(arr, x, act, norm, residual, alpha, depth):
    phi = get_activation(act).forward
    a = x
    for i in range(1, depth + 1):
        w = arr[f"W{i}"]
        h = w @ a + arr[f"b{i}"]
        if norm == "layer":
            h = (h - h.mean()) / np.sqrt(h.var() + EPS)
        a = a + alpha * phi(h) if residual and w.shape[0] == w.shape[1] else phi(h)
    return a


@pytest.mark.parametrize("act", ["tanh", "relu", "gelu", "selu"])
@pytest.mark.parametrize("norm, residual", [("layer", False), ("layer", True), ("none", True)])
def test_block_jacobian_matches_finite_differences(act, norm, residual):
    spec = NetworkSpec(depth=3, widths=(6, 6, 5), in_features=5, batch=3, activation=act,
                       norm=norm, residual=residual, residual_scale=0.6, init="kaiming_normal",
                       bias_init="normal", bias_std=0.1, seed=2)
    arr: dict = {}
    list(propagate(spec, arr))
    js, exp2 = jacobian_matrix(spec, input_index=1)
    jac = np.ldexp(js, exp2)
    x = arr["x"][1]
    eps = 1e-6
    fd = np.empty((5, 5))
    for j in range(5):
        e = np.zeros(5)
        e[j] = eps
        fd[:, j] = (_forward_row(arr, x + e, act, norm, residual, 0.6, 3)
                    - _forward_row(arr, x - e, act, norm, residual, 0.6, 3)) / (2 * eps)
    np.testing.assert_allclose(jac, fd, atol=1e-6)


def test_rezero_jacobian_is_the_identity_and_has_no_prediction():
    spec = NetworkSpec(depth=5, width=8, in_features=8, batch=2, activation="relu",
                       residual=True, residual_scale=0.0)
    sp = jacobian_spectrum(spec)
    np.testing.assert_allclose(sp.eigenvalues, np.ones(8), rtol=1e-12)
    assert np.isnan(sp.predicted_log10_mean) and sp.predicted_relative_variance is None


def test_batch_norm_jacobian_is_refused_with_the_reason():
    spec = NetworkSpec(depth=3, width=8, in_features=8, batch=4, norm="batch")
    with pytest.raises(SpecError, match="per batch, not per input") as info:
        jacobian_spectrum(spec)
    assert info.value.field == "norm"
