"""float32 warnings: a chaotic net's curves depend on rounding, a critical or ReLU net's do not."""

import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.precision import float32_warnings
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import collect


def ratio_and_warnings(**kw):
    r = collect(propagate(NetworkSpec(depth=50, width=256, **kw)))
    g = r.series("log10_grad_preact_rms")
    return g[0] - g[-1], r.end.warnings


def test_chaotic_float32_warns_and_really_differs_from_float64():
    r32, w32 = ratio_and_warnings(activation="tanh", gain=10, dtype="float32")
    r64, w64 = ratio_and_warnings(activation="tanh", gain=10, dtype="float64")
    assert any("depend on rounding" in w for w in w32) and w64 == ()
    assert abs(r32 - r64) > 0.1  # measured 0.18 decades


@pytest.mark.parametrize("kw", [dict(activation="tanh", gain=2.0),
                                dict(activation="relu", init="kaiming_normal", gain=1.5)])
def test_mildly_chaotic_or_relu_float32_agrees_and_does_not_warn(kw):
    r32, w32 = ratio_and_warnings(dtype="float32", **kw)
    r64, _ = ratio_and_warnings(dtype="float64", **kw)
    assert w32 == () and abs(r32 - r64) < 1e-3


def test_forward_scale_beyond_float32_range_warns():
    w = float32_warnings("float32", False, None, [0.0, 40.0], [0.0, 0.0])
    assert len(w) == 1 and "layer 2" in w[0]
    assert float32_warnings("float32", True, None, [0.0, 40.0], [0.0, 38.0]) == ()
    assert float32_warnings("float64", False, [9.0] * 50, [0.0, 40.0], [0.0, 0.0]) == ()
