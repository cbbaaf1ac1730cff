"""The Jacobian tab with norms and residual blocks: layer/none computed, batch norm explained."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.jacobian import jacobian_spectrum
from gradexplorer.gui.jacobian import JacobianView
from gradexplorer.gui.jacobian.summary import NO_BLOCK_PREDICTION, NO_PREDICTION, format_log10
from gradexplorer.gui.jacobian.view import ERROR_STYLE, INFO_STYLE

SMALL = NetworkSpec(depth=8, width=64, in_features=64, batch=16, activation="relu",
                    init="kaiming_normal")


@pytest.fixture
def make_view(qtbot, state_and_runner):
    made = []

    def make(spec):
        state, runner = state_and_runner(spec)
        view = JacobianView(state, runner, debounce_ms=0)
        qtbot.addWidget(view)
        view.resize(1000, 700)
        view.show()
        made.append(view)
        return view

    yield make
    for view in made:
        view.shutdown()


def _wait_answer(qtbot, view, spec):
    def shown():
        a = view.answer
        assert a is not None and a.job.spec == spec and not view.is_computing()

    qtbot.waitUntil(shown, timeout=20000)
    return view.answer


@pytest.mark.parametrize("changes, title", [
    (dict(norm="layer"), "relu, layer norm,"),
    (dict(residual=True, residual_scale=0.25), "relu, residual α = 0.25,"),
    (dict(norm="layer", residual=True), "relu, layer norm, residual α = 1,"),
])
def test_layer_norm_and_residual_nets_show_the_engines_spectrum(qtbot, make_view, changes,
                                                                  title):
    spec = dataclasses.replace(SMALL, **changes)
    view = make_view(spec)
    answer = _wait_answer(qtbot, view, spec)
    expected = jacobian_spectrum(spec)
    np.testing.assert_array_equal(answer.spectra[0].log10_eigenvalues,
                                  expected.log10_eigenvalues)
    assert format_log10(expected.log10_mean) in view.table.text
    assert NO_BLOCK_PREDICTION in view.table.text and NO_PREDICTION not in view.table.text
    assert title in view.spectrum.plot.titleLabel.text
    assert view.message_text() == ""


def test_batch_norm_is_explained_not_an_error(qtbot, make_view):
    spec = dataclasses.replace(SMALL, norm="batch")
    view = make_view(spec)
    qtbot.waitUntil(lambda: "No Jacobian of one input with batch norm" in view.message_text(),
                    timeout=5000)
    text = view.message_text()
    assert "depends on the other 15 examples" in text
    assert f"{16 * 64} × {16 * 64}" in text  # (B·n_L) × (B·n_0)
    assert view.message.styleSheet() == INFO_STYLE != ERROR_STYLE
    assert view.answer is None and not view.is_computing()
    # switching to layer norm computes again and the explanation goes away
    layer = dataclasses.replace(SMALL, norm="layer")
    view.state.set_spec(layer, "panel")
    _wait_answer(qtbot, view, layer)
    assert view.message_text() == ""
