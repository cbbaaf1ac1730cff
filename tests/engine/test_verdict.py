"""The whole-truth verdict on real runs: ∂L/∂h, ‖∂L/∂W‖, update ratio, saturation, χ1."""

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import collect
from gradexplorer.engine.runs.verdict import FLAGS, gradient_verdict, run_verdict
from gradexplorer.presets import get_preset


def verdict_of(name, **changes):
    return run_verdict(collect(propagate(get_preset(name).spec.replace(**changes))))


def test_relu_he_1_5_explodes_in_dL_dh_but_not_in_the_weight_gradients():
    v = verdict_of("relu-he-gain-1-5")
    assert v.kind == "exploding" and v.gradient.per_layer == pytest.approx(1.509, abs=0.005)
    assert v.weight_gradient.kind == "stable" and abs(v.weight_gradient.log10_ratio) < 0.5
    assert v.headline == "exploding ∂L/∂h, flat ‖∂L/∂W‖"
    assert {"disagree", "forward_exploding"} <= v.flags and "saturated" not in v.flags
    # the activations grow by (nearly) the factor the gradient grows: that is why they cancel
    assert v.forward_log10_change == pytest.approx(v.gradient.log10_ratio, abs=0.3)
    assert any("They disagree" in d for d in v.details)


def test_relu_weight_gradient_profile_does_not_depend_on_the_gain():
    """φ homogeneous, zero biases: ∂L/∂W_l scales as c^(L−1) at every layer for gain c."""
    series = [collect(propagate(get_preset("relu-he").spec.replace(gain=g)))
              .series("log10_grad_weight_norm") for g in (0.5, 1.0, 1.5)]
    for s, g in zip(series, (0.5, 1.0, 1.5), strict=True):
        np.testing.assert_allclose(s - series[1], 19 * np.log10(g), atol=1e-9)


def test_sigmoid_normal_is_stable_but_saturated_and_chaotic():
    v = verdict_of("sigmoid-normal")
    assert v.kind == "stable" and v.headline == "stable, but saturated and chaotic"
    assert {"saturated", "chaotic"} <= v.flags
    assert v.saturated_mean == pytest.approx(0.654, abs=0.01)
    assert v.chi1 == pytest.approx(1.11, abs=0.01)
    assert "65 %" in v.status


def test_sigmoid_xavier_vanishes_everywhere_training_feels():
    v = verdict_of("sigmoid-xavier")
    assert v.headline == "vanishing" and "update_imbalance" in v.flags
    assert v.update_ratio.log10_ratio == pytest.approx(-11.78, abs=0.05)
    assert "first layers learn" in " ".join(v.details)


def test_relu_he_is_plain_stable():
    v = verdict_of("relu-he")
    assert v.headline == "stable" and v.flags == frozenset()
    assert v.flags <= set(FLAGS)


def test_undefined_and_unfinished_runs():
    r = collect(propagate(NetworkSpec(depth=3, width=4, in_features=4, init="zeros")))
    v = run_verdict(r)
    assert v.kind == "undefined" and v.flags == {"undefined"}
    r.backward[0] = None
    with pytest.raises(ValueError, match="finished run"):
        run_verdict(r)


def test_gradient_verdict_text_is_unchanged():
    v = gradient_verdict(np.array([-30.8, *np.linspace(-30, 0, 48), 0.0]))
    assert v.text == "gradient at layer 1 is 10^-30.8 of layer 50: vanishing (×0.235 per layer)"


def test_a_ratio_beyond_float64_is_judged_not_raised():
    """Sigmoid at depth 200 with a small gain: ‖∂L/∂W‖/‖W‖ falls > 308 decades from layer 200
    to 1; 10**ratio overflows a float, the verdict must still say it (it raised OverflowError
    inside the window's record handling, which then never finished the run)."""
    from gradexplorer.engine.model.spec import NetworkSpec
    from gradexplorer.engine.runs.propagation import propagate
    from gradexplorer.engine.runs.result import collect
    from gradexplorer.engine.runs.verdict import run_verdict

    spec = NetworkSpec(depth=200, width=32, in_features=32, batch=16, activation="sigmoid",
                       init="xavier_normal", gain=0.1)
    verdict = run_verdict(collect(propagate(spec)))
    assert verdict.update_ratio.log10_ratio < -308
    assert verdict.kind == "vanishing"
    feels = next(d for d in verdict.details if d.startswith("What training feels"))
    assert f"learn 10^{abs(verdict.update_ratio.log10_ratio):.0f} times slower" in feels
