"""A cancel callable never changes a result: the GUI (which passes one) and the CLI (which does
not) compute bit-identical weights, records and gradients for the same spec."""

from __future__ import annotations

import numpy as np
import pytest

from gradexplorer.engine.model.initializers import init_weight
from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate


def _run(spec: NetworkSpec, cancel) -> tuple[dict, list]:
    arrays: dict = {}
    records = list(propagate(spec, arrays, cancel=cancel))
    return arrays, records


@pytest.mark.parametrize("init", ["orthogonal", "lsuv"])
@pytest.mark.parametrize("width", [256, 512])
def test_propagate_is_bit_identical_with_and_without_cancel(init, width):
    spec = NetworkSpec(depth=3, width=width, in_features=width, init=init, batch=256,
                       activation="tanh", seed=3)
    plain, plain_records = _run(spec, None)
    gui, gui_records = _run(spec, lambda: False)
    assert sorted(plain) == sorted(gui)
    assert "W1" in plain and plain["W1"].shape == (width, width)
    for key in plain:
        np.testing.assert_array_equal(gui[key], plain[key], err_msg=key)
    # the weights really are orthogonal (not e.g. all zeros, which would also be "identical")
    w = plain["W2"]
    if init == "orthogonal":
        np.testing.assert_allclose(w @ w.T, np.eye(width), atol=1e-12)
    assert repr(gui_records[1:-1]) == repr(plain_records[1:-1])  # the end holds timings


@pytest.mark.parametrize("shape", [(256, 512), (512, 256), (300, 300)])
def test_orthogonal_weights_identical_with_and_without_cancel(shape):
    a = init_weight("orthogonal", *shape, rng=np.random.default_rng(5))
    b = init_weight("orthogonal", *shape, rng=np.random.default_rng(5), cancel=lambda: False)
    np.testing.assert_array_equal(a, b)
    small = min(shape)
    gram = a @ a.T if shape[0] <= shape[1] else a.T @ a
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)
