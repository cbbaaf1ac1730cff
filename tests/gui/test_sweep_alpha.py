"""The Sweep tab sweeps α (residual_scale) of residual blocks, and says when residual is off."""

from __future__ import annotations

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.sweep import lin_range, sweep
from gradexplorer.gui.sweep import SweepView
from gradexplorer.gui.sweep.view import RESIDUAL_NOTE

RES = NetworkSpec(depth=6, width=16, in_features=16, batch=16, activation="relu",
                  init="kaiming_normal", residual=True)


@pytest.fixture
def make_view(qtbot, state_and_runner):
    made = []

    def make(spec):
        state, runner = state_and_runner(spec)
        view = SweepView(state, runner)
        qtbot.addWidget(view)
        view.resize(1000, 700)
        view.show()
        made.append(view)
        return view

    yield make
    for view in made:
        view.shutdown()


def test_alpha_is_offered_with_a_zero_to_one_default_range(qtbot, make_view):
    view = make_view(RES)
    view.controls.set_field("residual_scale")
    c = view.controls
    assert c.field.currentText() == "residual branch scale α"
    assert (c.lo.value(), c.hi.value(), c.count.value()) == (0.0, 1.0, 6)
    assert c.spacing.currentData() == "linear"
    assert RESIDUAL_NOTE not in view.message_text()


def test_alpha_sweep_draws_the_engines_curves(qtbot, make_view):
    view = make_view(RES)
    view.controls.set_field("residual_scale")
    view.controls.seeds.setValue(1)
    assert view.run()
    qtbot.waitUntil(lambda: not view.is_running() and len(view.family.rows) == 6,
                    timeout=30000)
    expected = list(sweep(RES, "residual_scale", lin_range(0.0, 1.0, 6), seeds=1))
    for got, want in zip(view.family.rows, expected, strict=True):
        assert got.value == want.value
        np.testing.assert_array_equal(got.curves, want.curves)
    # α = 0: every residual block is the identity, so the gradient is equal in layers 2..L
    flat = expected[0].mean
    np.testing.assert_allclose(flat[1:], flat[-1], rtol=1e-12)
    assert not np.allclose(expected[-1].mean[1:], expected[-1].mean[-1])


def test_alpha_without_residual_says_to_turn_it_on(qtbot, make_view):
    view = make_view(RES.replace(residual=False))
    view.controls.set_field("residual_scale")
    assert view.message_text() == RESIDUAL_NOTE
    view.run()  # the engine refuses it: the message says why, nothing runs on
    qtbot.waitUntil(lambda: "no effect" in view.message_text(), timeout=10000)
    assert "turn residual on" in view.message_text()
    assert not view.is_running()
    view.state.set_spec(RES, "panel")  # residual on: the note goes
    assert view.message_text() == "Residual blocks are on: Run to sweep α."
