"""Every preset's explanation quotes measurements: check them against the engine."""

import re

import numpy as np
import pytest

from gradexplorer.engine.model.spec import SpecError
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import collect
from gradexplorer.engine.runs.verdict import gradient_verdict
from gradexplorer.presets import get_preset, list_presets
from gradexplorer.quoted import check, quoted_value, tokens, tolerance

pytestmark = pytest.mark.slow

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
    assert len(re.findall(r"[.!?](?:\s|$)", preset.explanation)) == 2  # two sentences


@pytest.mark.parametrize("preset", list_presets(), ids=lambda p: p.name)
def test_every_quoted_number_is_measured(preset):
    """Every number token of the explanation and title is annotated and matches the engine."""
    assert preset.numbers, "an explanation quotes measurements"
    assert check(preset.spec, preset.explanation, list(preset.numbers)) == []
    assert check(preset.spec, preset.title, list(preset.title_numbers)) == []
    quantities = {n["quantity"] for n in preset.numbers}
    assert quantities & {"log10_grad_ratio", "grad_per_layer", "grad_preact_rms"}, \
        "quotes the gradient it shows"


def test_the_number_check_can_fail():
    preset = get_preset("digits-raw")
    # the old text's E[x²] ≈ 40 (that is layer 1's pre-activation second moment, not the data's)
    wrong = [dict(n) for n in preset.numbers]
    wrong[2]["quote"] = "40"
    text = preset.explanation.replace("≈ 61", "≈ 40")
    assert "engine measures 61.06" in " ".join(check(preset.spec, text, wrong))
    # a number without an annotation
    assert check(preset.spec, preset.explanation + " Over 7 seeds.", list(preset.numbers))
    # a definition must say why
    bare = [dict(n) for n in preset.numbers]
    bare[0].pop("note")
    assert check(preset.spec, preset.explanation, bare)


def test_tokens_skip_notation_and_names():
    assert tokens("N(0,1) weights, Var(W) = 2/n, χ1 ≈ 1.11, at layer 1 of 20: 10^-0.7, 1/4, "
                  "6e-6, 65 %") == ["1.11", "20", "10^-0.7", "1/4", "6e-6", "65"]
    assert quoted_value("10^-0.7") == -0.7 and quoted_value("1/4") == 0.25
    assert tolerance("10^-0.7", {}) == pytest.approx(0.05)
    assert tolerance("6e-6", {}) == pytest.approx(5e-7)


def test_unknown_preset_lists_the_names():
    with pytest.raises(SpecError, match="relu-he"):
        get_preset("nope")


def test_rezero_preset_is_the_identity_as_quoted():
    preset = get_preset("rezero")
    arrays: dict = {}
    result = collect(propagate(preset.spec, arrays))
    std = result.series("act_std")
    assert np.ptp(std) == 0.0  # a_l = x exactly (the quoted 1.00 is checked with the numbers)
    assert all(np.all(arrays[f"grad_h{i}"] == 0) for i in range(1, preset.spec.depth + 1))
