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


def test_the_seed_story_is_complete():
    assert {p.name for p in list_presets()} == SEED_STORY


@pytest.mark.parametrize("preset", list_presets(), ids=lambda p: p.name)
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
