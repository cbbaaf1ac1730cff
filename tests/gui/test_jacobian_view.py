"""The Jacobian tab: the engine's numbers on screen, isometry overlay, stale answers, refusals."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.jacobian import compare_isometry, jacobian_spectrum
from gradexplorer.gui.jacobian import JacobianView
from gradexplorer.gui.jacobian.jobs import JacobianAnswer, run_job, size_check
from gradexplorer.gui.jacobian.summary import format_log10, format_plain

SMALL = NetworkSpec(depth=8, width=64, in_features=64, batch=16, activation="relu",
                    init="kaiming_normal")




@pytest.fixture
def make_view(qtbot, state_and_runner):
    made = []

    def make(spec, run=None, show=True):
        state, runner = state_and_runner(spec)
        view = JacobianView(state, runner, run=run, debounce_ms=0)
        qtbot.addWidget(view)
        view.resize(1000, 700)
        made.append(view)
        if show:
            view.show()
        return view

    yield make
    for view in made:
        view.shutdown()


def _wait_answer(qtbot, view, spec, compare=False):
    def shown():
        a = view.answer
        assert a is not None and a.job.spec == spec and a.job.compare == compare
        assert not view.is_computing()

    qtbot.waitUntil(shown, timeout=20000)
    return view.answer


def test_shows_the_engines_numbers(qtbot, make_view):
    view = make_view(SMALL)
    answer = _wait_answer(qtbot, view, SMALL)
    expected = jacobian_spectrum(SMALL)
    got = answer.spectra[0]
    np.testing.assert_array_equal(got.log10_eigenvalues, expected.log10_eigenvalues)
    text = view.table.text
    for number in (format_log10(expected.log10_mean), format_log10(expected.log10_variance),
                   format_plain(expected.relative_variance),
                   format_log10(expected.predicted_log10_mean),
                   format_plain(expected.predicted_relative_variance),
                   format_log10(expected.log10_floor)):
        assert number in text
    plot = view.spectrum
    assert plot.means[0].value() == pytest.approx(expected.log10_mean)
    assert plot.predicted.value() == pytest.approx(expected.predicted_log10_mean)
    assert plot.hists[0].isVisible() and not plot.hists[1].isVisible()
    # a density per decade over the 64 eigenvalues; rounding noise far below the floor (dead
    # ReLU units: J is rank-deficient) is left out of the view
    x, density = plot.hists[0].getData()
    logs = expected.log10_eigenvalues
    shown = (logs >= expected.log10_floor - 3).sum()
    assert 0 < shown < 64
    assert density.sum() * (x[1] - x[0]) == pytest.approx(shown / 64)
    assert x[0] >= expected.log10_floor - 3
    assert "computed in" in view.status.text() and not view.busy.isVisible()


def test_isometry_toggle_overlays_two_spectra(qtbot, make_view):
    spec = NetworkSpec(depth=10, width=48, in_features=48, batch=8, activation="tanh",
                       init="xavier_normal", input_std=0.1)
    view = make_view(spec)
    _wait_answer(qtbot, view, spec)
    view.compare.click()
    answer = _wait_answer(qtbot, view, spec, compare=True)
    gaussian, orthogonal = compare_isometry(spec)
    np.testing.assert_array_equal(answer.spectra[0].eigenvalues, gaussian.eigenvalues)
    np.testing.assert_array_equal(answer.spectra[1].eigenvalues, orthogonal.eigenvalues)
    plot = view.spectrum
    assert all(h.isVisible() and len(h.getData()[1]) for h in plot.hists)
    assert plot.names == ["Gaussian i.i.d. weights", "orthogonal weights"]
    # orthogonal tanh near q* = 0: much narrower than Gaussian (dynamical isometry)
    assert orthogonal.relative_variance < 0.2 * gaussian.relative_variance
    for s in (gaussian, orthogonal):
        assert format_plain(s.relative_variance) in view.table.text
    view.compare.click()
    _wait_answer(qtbot, view, spec)
    assert not plot.hists[1].isVisible()


def test_spec_change_during_a_computation_drops_the_stale_answer(qtbot, make_view):
    first = SMALL
    second = SMALL.replace(depth=5)
    gate, started, stale_yielded = threading.Event(), threading.Event(), threading.Event()

    def run(job, ctx):
        if job.spec == first:  # a slow computation that ignores its cancel event
            started.set()
            gate.wait(10)
            stale_yielded.set()
            yield JacobianAnswer(job, (jacobian_spectrum(first),), 0.0)
            return
        yield from run_job(job, ctx)

    view = make_view(first, run=run)
    qtbot.waitUntil(started.is_set, timeout=5000)
    assert view.is_computing() and view.busy.isVisible()
    view.state.set_spec(second, "test")
    qtbot.waitUntil(lambda: view.job.spec == second, timeout=5000)
    gate.set()
    _wait_answer(qtbot, view, second)
    assert stale_yielded.is_set()
    assert view.shown_answers == 1 and view.answer.spectra[0].depth == 5


def test_a_cancelled_engine_stops_within_the_product(qtbot, make_view):
    """The job's event reaches the engine: a superseded real computation ends early."""
    big = NetworkSpec(depth=400, width=200, in_features=200, batch=4, activation="tanh")
    view = make_view(big)
    qtbot.waitUntil(lambda: view.job is not None and view.is_computing(), timeout=5000)
    first = view.job
    view.state.set_spec(SMALL, "test")
    qtbot.waitUntil(first.finished.is_set, timeout=20000)
    _wait_answer(qtbot, view, SMALL)
    assert view.shown_answers == 1


def test_too_large_is_refused_with_a_message(qtbot, make_view):
    view = make_view(SMALL.replace(width=2500, in_features=64))
    qtbot.waitUntil(lambda: "Not computed" in view.message_text(), timeout=5000)
    assert "2000" in view.message_text() and not view.is_computing()
    assert view.answer is None
    view.state.set_spec(SMALL, "test")
    _wait_answer(qtbot, view, SMALL)
    assert not view.message.isVisible()
    view.state.set_spec(SMALL.replace(depth=1000, width=1000, in_features=1000), "test")
    qtbot.waitUntil(lambda: "depth × width²" in view.message_text(), timeout=5000)
    # the older spectrum is not left up under the refusal
    assert view.answer is None and not view.spectrum.hists[0].isVisible()
    assert view.table.text == "" and not view.is_computing()


def test_engine_error_is_shown_not_raised(qtbot, make_view):
    bad = SMALL.replace(input="file", input_path="/nonexistent/inputs.npy")
    view = make_view(bad)
    qtbot.waitUntil(lambda: "file not found" in view.message_text(), timeout=5000)
    assert not view.is_computing() and not view.busy.isVisible()


def test_non_square_and_degenerate_spectra_are_explained(qtbot, make_view):
    non_square = SMALL.replace(widths=(48, 32, 32), depth=3)
    view = make_view(non_square)
    _wait_answer(qtbot, view, non_square)
    assert "no prediction: non-square layers" in view.table.text
    # saturated tanh: every φ' is 0, J = 0 exactly
    saturated = NetworkSpec(activation="tanh", init="normal", gain=1e4, depth=50, width=16,
                            in_features=16, batch=4, bias_init="normal", bias_std=1e3)
    view.state.set_spec(saturated, "test")
    _wait_answer(qtbot, view, saturated)
    assert "exactly 0" in view.message_text()


def test_size_check_levels():
    assert size_check(SMALL, compare=True) == ("", "")
    level, text = size_check(SMALL.replace(width=1000, in_features=1000, depth=40), False)
    assert level == "warn" and "about" in text
    assert size_check(SMALL.replace(width=2001), False)[0] == "refuse"


def test_hidden_view_computes_only_when_shown(qtbot, make_view):
    view = make_view(SMALL, show=False)
    view.state.set_spec(SMALL.replace(depth=4), "test")
    qtbot.waitUntil(lambda: not view._debounce.isActive(), timeout=2000)  # it fired
    assert view.job is None and not view.is_computing()
    view.show()
    _wait_answer(qtbot, view, SMALL.replace(depth=4))


def test_export_png_and_svg(qtbot, make_view, tmp_path):
    view = make_view(SMALL)
    _wait_answer(qtbot, view, SMALL)
    for name in ("j.png", "j.svg"):
        view.export(str(tmp_path / name))
        assert (tmp_path / name).stat().st_size > 1000
