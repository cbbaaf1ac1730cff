"""The story's content and the glossary: every step runs, every quoted number is the engine's."""

import re

import pytest

from gradexplorer.engine.model.spec import SpecError
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import collect
from gradexplorer.engine.runs.verdict import run_verdict
from gradexplorer.glossary import list_terms, lookup
from gradexplorer.presets import list_presets
from gradexplorer.quoted import check
from gradexplorer.story import HIGHLIGHT_PLOTS, load_story, parse_story

pytestmark = pytest.mark.slow

STORY = load_story()


def test_the_story_answers_the_seed_question():
    assert "ReLU" in STORY.question and "explode" in STORY.question
    assert len(STORY.steps) >= 5 and STORY.steps[-1].id == "answer"
    answer = STORY.steps[-1].text
    for claim in ("χ1", "near 1", "ReLU alone does not", "does not rescue sigmoid"):
        assert claim in answer
    assert STORY.index("relu-large-weights") < STORY.index("answer")


@pytest.mark.parametrize("step", STORY.steps, ids=lambda s: s.id)
def test_every_step_runs_and_quotes_the_engine(step):
    assert len(re.findall(r"[.!?](?:\s|$)", step.text)) == 2, "two plain sentences"
    assert step.highlights and all(h.plot in HIGHLIGHT_PLOTS for h in step.highlights)
    others = {"compare": step.compare} if step.compare is not None else None
    assert check(step.spec, step.text, list(step.numbers), others) == []
    for spec in (step.spec, step.compare):
        if spec is not None:
            assert run_verdict(collect(propagate(spec))).kind != "undefined"
    if any(h.curve == "compare" for h in step.highlights):
        assert step.compare is not None and step.compare_label


def test_relu_explodes_with_large_weights_and_vanishes_with_small():
    large = STORY.steps[STORY.index("relu-large-weights")]
    small = STORY.steps[STORY.index("relu-small-weights")]
    assert large.spec.activation == small.spec.activation == "relu"
    assert large.spec.gain > 1 > small.spec.gain
    big, tiny = (run_verdict(collect(propagate(s.spec))) for s in (large, small))
    assert big.kind == "exploding" and tiny.kind == "vanishing"
    # the weight gradients stay flat in both: the activations change by the same factor
    assert big.weight_gradient.kind == tiny.weight_gradient.kind == "stable"


def test_bad_story_documents_are_rejected():
    with pytest.raises(SpecError, match="not a gradexplorer story"):
        parse_story({"format": "x"})
    step = {"id": "a", "title": "t", "text": "x.", "network": {"preset": "relu-he"},
            "highlight": [{"plot": "pie chart"}]}
    with pytest.raises(SpecError, match="unknown highlight"):
        parse_story({"format": "gradexplorer-story", "question": "q", "steps": [step]})


#: Every symbol the brief asks the glossary to explain.
REQUIRED_SYMBOLS = ("χ1", "q*", "ξ", "σ_w²", "σ_b²", "saturation", "rounding floor", "∂L/∂h",
                    "‖∂L/∂W‖", "update ratio", "fan_in", "fan_out", "gain", "LeCun", "Xavier",
                    "He", "φ'", "E[x²]", "ξ_c", "c*", "J Jᵀ", "trainable depth")


@pytest.mark.parametrize("symbol", REQUIRED_SYMBOLS)
def test_the_glossary_explains_every_symbol(symbol):
    term = lookup(symbol)
    assert len(term.plain.split()) >= 8


def test_every_symbol_in_the_teaching_texts_is_in_the_glossary():
    texts = [p.explanation for p in list_presets()] + [s.text for s in STORY.steps]
    symbols = {"χ1", "q*", "σ_w²", "σ_b²", "∂L/∂h", "‖∂L/∂W‖", "φ'", "E[x²]", "ξ"}
    used = {s for s in symbols if any(s in t for t in texts)}
    assert {"χ1", "q*", "σ_w²", "∂L/∂h", "‖∂L/∂W‖", "φ'", "E[x²]"} <= used
    for s in used:
        lookup(s)


def test_glossary_aliases_and_unknown_symbols():
    assert lookup("chi1").symbol == "χ1" and lookup("|dL/dW|/|W|").symbol == "update ratio"
    assert len({t.symbol for t in list_terms()}) == len(list_terms())
    with pytest.raises(KeyError, match="no glossary entry"):
        lookup("flux capacitor")
