"""Every preset's explanation quotes measurements: check them against the engine."""

import re

import numpy as np
import pytest

from gradexplorer.engine.model.spec import SpecError
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import collect
from gradexplorer.engine.runs.verdict import gradient_verdict
from gradexplorer.presets import get_preset, list_presets

SEED_STORY = {"sigmoid-normal", "sigmoid-normal-small", "sigmoid-xavier", "tanh-normal",
              "tanh-lecun", "tanh-xavier", "tanh-var-2-over-n", "tanh-xavier-gain-5-3",
              "relu-lecun", "relu-he", "relu-he-gain-1-5", "selu-lecun", "linear-orthogonal",
              "digits-raw"}
CURES = {"batchnorm-relu", "layernorm-relu", "residual-relu", "rezero"}


def test_the_seed_story_is_complete():
    assert {p.name for p in list_presets()} == SEED_STORY | CURES


@pytest.mark.parametrize("preset", [p for p in list_presets() if p.expect["kind"] != "identity"],
                         ids=lambda p: p.name)
def test_preset_measurements_match_its_explanation(preset):
    result = collect(propagate(preset.spec))
    verdict = gradient_verdict(result.series("log10_grad_preact_rms"))
    expect = preset.expect
    assert verdict.kind == expect["kind"]
    lo, hi = expect["log10_ratio"]
    assert lo <= verdict.log10_ratio <= hi
    if "mean_saturated_fraction" in expect:
        lo, hi = expect["mean_saturated_fraction"]
        assert lo <= float(np.mean(result.series("saturated_fraction"))) <= hi
    # the decades quoted in the text ("10^-12", "10^+3.4") are the measured ratio, rounded
    number = r"10\^([+-]?\d+(?:\.\d+)?)"
    quoted = re.findall(rf"layer 1(?: gets| receives|'s gradient RMS is) {number}",
                        preset.explanation) + re.findall(rf"{number} over 20 layers",
                                                          preset.explanation)
    assert quoted, "the explanation must quote the measured gradient ratio"
    for text in quoted:
        decimals = len(text.split(".")[1]) if "." in text else 0
        assert verdict.log10_ratio == pytest.approx(float(text), abs=0.51 * 10 ** -decimals)
    assert len(re.findall(r"[.!?](?:\s|$)", preset.explanation)) == 2  # two sentences


def test_unknown_preset_lists_the_names():
    with pytest.raises(SpecError, match="relu-he"):
        get_preset("nope")


@pytest.mark.parametrize("name", sorted(CURES - {"rezero"}))
def test_cure_presets_quote_their_measured_rates(name):
    preset = get_preset(name)
    result = collect(propagate(preset.spec))
    verdict = gradient_verdict(result.series("log10_grad_preact_rms"))
    per_layer = 10 ** (verdict.log10_ratio / (preset.spec.depth - 1))
    assert f"×{preset.expect['per_layer']:.2f}".rstrip("0") in preset.explanation
    assert per_layer == pytest.approx(preset.expect["per_layer"], abs=0.006)
    compare = preset.expect.get("compare")
    if compare:
        other = collect(propagate(preset.spec.replace(residual_scale=compare["residual_scale"])))
        ratio = gradient_verdict(other.series("log10_grad_preact_rms")).log10_ratio
        lo, hi = compare["log10_ratio"]
        assert lo <= ratio <= hi
        assert f"10^+{compare['quoted']:.2f}" in preset.explanation
        assert ratio == pytest.approx(compare["quoted"], abs=0.0051)


def test_rezero_preset_is_the_identity_as_quoted():
    preset = get_preset("rezero")
    arrays: dict = {}
    result = collect(propagate(preset.spec, arrays))
    std = result.series("act_std")
    assert f"activation std {preset.expect['act_std']:.2f} throughout" in preset.explanation
    np.testing.assert_allclose(std, preset.expect["act_std"], atol=0.005)
    assert np.ptp(std) == 0.0  # a_l = x exactly
    assert all(np.all(arrays[f"grad_h{i}"] == 0) for i in range(1, preset.spec.depth + 1))
