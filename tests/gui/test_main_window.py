"""The main window end to end: controls → worker → dashboard, errors, close during a run."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import collect
from gradexplorer.gui.controls.widgets import has_error
from gradexplorer.gui.main_window import MainWindow

SMALL = NetworkSpec(depth=8, width=24, in_features=16, batch=32)
SERIES = ("log10_grad_preact_rms", "log10_act_std", "saturated_fraction")


def assert_same_as_clean_run(result, spec):
    expected = collect(propagate(spec))
    for name in SERIES:
        np.testing.assert_array_equal(result.series(name), expected.series(name), err_msg=name)


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings, wait_for_run):
    w = MainWindow(settings=settings, presets=[], restore=False)
    qtbot.addWidget(w)
    w.panel.set_spec(SMALL)
    w.request_run(SMALL)
    w.show()
    wait_for_run(qtbot, w, SMALL)
    return w


def _edit_depth(p):
    p.network.depth.setValue(11)


def _edit_width(p):
    p.network.width.setValue(40)


def _edit_widths(p):
    p.network.widths.setText(", ".join(["32"] * int(p.network.depth.value())))


def _edit_activation(p):
    p.network.activation.setCurrentIndex(p.network.activation.findData("relu"))


def _edit_init(p):
    p.init.init.setCurrentIndex(p.init.init.findData("kaiming_normal"))


def _edit_gain(p):
    p.init.gain.setValue(1.7)


def _edit_gain_slider(p):
    p.init.gain.slider.setValue(200)


def _edit_bias(p):
    p.init.bias_init.setCurrentIndex(p.init.bias_init.findData("normal"))
    p.init.bias_std.setValue(0.3)


def _edit_input(p):
    p.data.input.setCurrentIndex(p.data.input.findData("digits"))


def _edit_batch(p):
    p.data.batch.setValue(50)


def _edit_loss(p):
    p.run.loss.setCurrentIndex(p.run.loss.findData("cross_entropy"))


def _edit_seed(p):
    p.run.new_seed.click()


def _edit_dtype(p):
    p.run.dtype.setCurrentIndex(p.run.dtype.findData("float32"))


def _edit_slope(p):
    p.network.activation.setCurrentIndex(p.network.activation.findData("leaky_relu"))
    p.network.slope.setValue(0.2)


def _edit_mode(p):
    p.init.init.setCurrentIndex(p.init.init.findData("kaiming_uniform"))
    p.init.mode.setCurrentIndex(p.init.mode.findData("fan_out"))


def _edit_in_features(p):
    p.data.in_features.setValue(33)


def _edit_input_moments(p):
    p.data.input.setCurrentIndex(p.data.input.findData("uniform"))
    p.data.mean.setValue(0.5)
    p.data.std.setValue(2.0)


def _edit_standardize(p):
    p.data.input.setCurrentIndex(p.data.input.findData("digits"))
    p.data.standardize.setChecked(False)


EDITS = [_edit_slope, _edit_mode, _edit_in_features, _edit_input_moments, _edit_standardize,
         _edit_depth, _edit_width, _edit_widths, _edit_activation, _edit_init, _edit_gain,
         _edit_gain_slider, _edit_bias, _edit_input, _edit_batch, _edit_loss, _edit_seed,
         _edit_dtype]


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__[6:] for e in EDITS])
def test_each_control_change_runs_to_the_dashboard(qtbot, window, edit, wait_for_run):
    before = window.panel.spec()
    edit(window.panel)
    spec = window.panel.spec()
    assert spec != before
    result = wait_for_run(qtbot, window, spec)
    assert_same_as_clean_run(result, spec)
    assert window.progress.value() == 2 * spec.depth
    assert window.verdict.full_text() == window.dashboard.verdict_status() != ""


def test_burst_of_100_changes_ends_with_the_final_settings(qtbot, window, wait_for_run):
    for i in range(100):
        window.panel.init.gain.setValue(0.5 + i * 0.01)
        window.panel.network.depth.setValue(5 + i % 7)
    spec = window.panel.spec()
    result = wait_for_run(qtbot, window, spec)
    assert_same_as_clean_run(result, spec)


def test_close_during_a_run_stops_the_thread(qtbot, window):
    big = NetworkSpec(depth=1000, width=256, in_features=256, batch=256)
    window.request_run(big)
    qtbot.waitUntil(lambda: window.dashboard.result().depth == 1000
                    and len(window.dashboard.result().forward) > 0, timeout=15000)
    assert window.is_running()
    window.close()
    assert not window.lane.worker_thread().isRunning()


def _assert_rejected(window, widget, old, words):
    assert has_error(widget)
    assert words in widget.toolTip()
    assert words in window.status_text()
    assert window.dashboard.result() is old and old.complete


def test_widths_with_a_letter_is_rejected(qtbot, window):
    old = window.dashboard.result()
    widths = window.panel.network.widths
    qtbot.keyClicks(widths, "12, x")
    qtbot.waitUntil(lambda: "whole numbers" in window.status_text())
    _assert_rejected(window, widths, old, "whole numbers")
    assert not window.is_running()


def test_widths_count_mismatch_is_rejected_then_fixed(qtbot, window, wait_for_run):
    old = window.dashboard.result()
    widths = window.panel.network.widths
    widths.setText("8, 8")
    qtbot.waitUntil(lambda: "depth is 8" in window.status_text())
    _assert_rejected(window, widths, old, "depth is 8")
    widths.setText(", ".join(["8"] * 8))
    qtbot.waitUntil(lambda: not has_error(widths))
    wait_for_run(qtbot, window, window.panel.spec())


def test_data_file_that_does_not_parse_is_rejected(qtbot, window, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2,3\nhello,world\n")
    old = window.dashboard.result()
    panel = window.panel
    panel.data.path.setText(str(bad))
    panel.data.input.setCurrentIndex(panel.data.input.findData("file"))
    path_widget = panel.field_widget("input_path")
    qtbot.waitUntil(lambda: has_error(path_widget), timeout=10000)
    assert "bad.csv" in window.status_text()
    assert window.dashboard.result() is old and old.complete


def test_run_too_large_for_memory_is_rejected(qtbot, window, wait_for_run):
    old = window.dashboard.result()
    panel = window.panel
    # depth and width first without emitting: an in-between spec (depth 1000, width 24) is a
    # valid run that would replace the old result; the batch change then emits the whole spec
    panel.network.blockSignals(True)
    panel.network.depth.setValue(1000)
    panel.network.width.setValue(8192)
    panel.network.blockSignals(False)
    panel.data.batch.setValue(65536)
    batch = panel.field_widget("batch")
    qtbot.waitUntil(lambda: has_error(batch), timeout=10000)
    assert "memory" in window.status_text()
    assert window.dashboard.result() is old and old.complete
    panel.data.batch.setValue(16)
    panel.network.width.setValue(16)
    panel.network.depth.setValue(5)
    spec = panel.spec()
    wait_for_run(qtbot, window, spec)
    assert not has_error(batch)


def test_set_spec_emits_nothing(qtbot, window):
    with qtbot.assertNotEmitted(window.panel.sigSpecChanged, wait=100):
        window.panel.set_spec(NetworkSpec(depth=3, activation="relu", init="kaiming_normal",
                                          widths=(4, 5, 6), input="digits", seed=7))
    assert window.panel.spec() == NetworkSpec(depth=3, activation="relu", init="kaiming_normal",
                                              widths=(4, 5, 6), input="digits", seed=7)


def test_pin_and_shortcuts(qtbot, window, wait_for_run):
    label = window.pin_current()
    assert window.dashboard.pin_labels() == [label]
    window.actions_.actions["clear_pins"].trigger()
    assert window.dashboard.pin_labels() == []
    assert window.actions_.actions["rerun"].shortcut().toString() == "F5"
    assert window.actions_.actions["pin"].shortcut().toString() == "Ctrl+P"
    seed = window.panel.spec().seed
    window.actions_.actions["new_seed"].trigger()
    assert window.panel.spec().seed != seed
    wait_for_run(qtbot, window, window.panel.spec())


def test_export_data_and_image(qtbot, window, tmp_path):
    import json

    assert window.actions_.export_data(str(tmp_path / "run.json"))
    doc = json.loads((tmp_path / "run.json").read_text())
    assert doc["config"] == SMALL.to_dict() and len(doc["layers"]) == SMALL.depth
    assert window.actions_.export_data(str(tmp_path / "run.csv"))
    assert (tmp_path / "run.csv").read_text().startswith("layer,")
    assert window.actions_.export_image(str(tmp_path / "dash.png"), (800, 500))
    assert (tmp_path / "dash.png").stat().st_size > 0


def test_font_size_shortcuts(qtbot, window):
    size = window.font_size()
    window.actions_.actions["bigger"].trigger()
    assert window.font_size() == 11  # one zoom step: 1.0× -> 1.1×
    font = QApplication.font().pointSizeF()
    assert window.dashboard.gradient.plot.getAxis("bottom").style["tickFont"].pointSize() == 11
    window.actions_.actions["smaller"].trigger()
    assert window.font_size() == size
    assert QApplication.font().pointSizeF() < font  # widgets (menus, tabs, panel) follow
    window.actions_.actions["presentation"].trigger()
    assert window.isFullScreen() and not window.progress.isVisibleTo(window)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isFullScreen() and window.progress.isVisibleTo(window)


def test_mouse_on_new_seed_button(qtbot, window, wait_for_run):
    seed = window.panel.spec().seed
    qtbot.mouseClick(window.panel.run.new_seed, Qt.MouseButton.LeftButton)
    spec = window.panel.spec()
    assert spec.seed != seed
    wait_for_run(qtbot, window, spec)


def test_recommended_gain_button(qtbot, window, wait_for_run):
    from gradexplorer.engine.model.gains import recommended_gain

    panel = window.panel
    panel.network.activation.setCurrentIndex(panel.network.activation.findData("relu"))
    panel.init.init.setCurrentIndex(panel.init.init.findData("xavier_normal"))
    panel.init.recommend.click()
    expected = recommended_gain("relu", "xavier_normal", negative_slope=0.01, fan_in=24)
    assert panel.init.gain.value() == pytest.approx(expected, rel=1e-4)
    spec = panel.spec()
    wait_for_run(qtbot, window, spec)
    assert "σ_w² = fan_in·Var(W)" in panel.init.sigma.text()


def test_error_stays_visible_while_an_older_run_finishes(qtbot, window):
    panel = window.panel
    panel.network.activation.setCurrentIndex(panel.network.activation.findData("relu"))
    panel.data.input.setCurrentIndex(panel.data.input.findData("file"))  # no path: invalid
    path_widget = panel.field_widget("input_path")
    qtbot.waitUntil(lambda: has_error(path_widget) and not window.is_running(), timeout=10000)
    assert "needs a path" in window.status_text()
    assert window.dashboard.result().complete


def test_copy_image_to_clipboard(qtbot, window):
    from PySide6.QtWidgets import QApplication

    window.actions_.actions["copy_image"].trigger()
    assert not QApplication.clipboard().pixmap().isNull()


def test_the_title_bar_names_the_app_once(window):
    """Qt appends the application display name (" — gradexplorer", set by gui.app.main) to a
    title that does not already end with it (QPlatformWindow::formatWindowTitle, on X11 and
    Windows): the title bar read "gradexplorer — vanishing and exploding gradients —
    gradexplorer"."""
    from gradexplorer.gui.app import APPLICATION

    title = window.windowTitle()
    shown = title if title.endswith(APPLICATION) else f"{title} \u2014 {APPLICATION}"
    assert shown.count(APPLICATION) == 1 and "vanishing and exploding gradients" in shown
