"""The phase diagram says what it covers: plain layers, not norms or residual blocks."""

from __future__ import annotations

import dataclasses

import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.gui.phase.coverage import not_covered, why
from gradexplorer.gui.phase.plot import NOT_APPLICABLE_COLOUR, POINT_COLOUR

RELU = NetworkSpec(depth=10, width=32, in_features=32, batch=16, activation="relu",
                   init="kaiming_normal")


@pytest.fixture
def view(shown_phase_view):
    return shown_phase_view(RELU, (900, 700))


def _brush(view):
    return view.plot.target.brush.color().getRgb()[:3]


def test_plain_layers_have_no_note_and_a_phase(view):
    assert view.note_text() == ""
    assert "χ1 = 1.0000" in view.readout_text() and "not applicable" not in view.readout_text()
    assert _brush(view) == POINT_COLOUR


@pytest.mark.parametrize("changes, named", [
    (dict(norm="batch"), "batch norm"),
    (dict(norm="layer"), "layer norm"),
    (dict(residual=True, residual_scale=0.3), "residual blocks"),
    (dict(norm="layer", residual=True), "layer norm and residual blocks"),
])
def test_norm_or_residual_marks_the_diagram_not_applicable(qtbot, view, changes, named):
    spec = dataclasses.replace(RELU, **changes)
    view.state.set_spec(spec, "panel")
    qtbot.waitUntil(lambda: view.note_text() != "", timeout=5000)
    assert f"with {named} it does not describe this network" in view.note_text()
    assert "not applicable" in view.readout_text()
    text = view.readout_text()
    assert "χ1 =" not in text and "q* =" not in text  # no plain-layer numbers shown as fact
    assert not any(phase in text for phase in ("ordered", "chaotic", "critical"))
    assert _brush(view) == NOT_APPLICABLE_COLOUR
    assert "theory does not apply" in view.plot.legend.getLabel(view.plot._point_sample).text
    # back to plain layers: the note goes, the phase readout returns
    view.state.set_spec(RELU, "panel")
    qtbot.waitUntil(lambda: view.note_text() == "", timeout=5000)
    assert "χ1 = 1.0000" in view.readout_text()
    assert _brush(view) == POINT_COLOUR


def test_tooltip_says_what_holds_instead():
    bn = why(dataclasses.replace(RELU, norm="batch"))
    assert "π/(π−1)" in bn and "Yang" in bn and "B" in bn
    assert "1 − 2/n" in why(dataclasses.replace(RELU, norm="layer"))
    assert "no validated mean-field prediction" in why(dataclasses.replace(RELU, residual=True))
    assert why(RELU) == "" and not_covered(RELU) is None
