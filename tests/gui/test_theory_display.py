"""Dashed mean-field predictions in the window: they arrive, equal the engine's, toggle, hover."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QSettings

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.theory.run_prediction import run_prediction
from gradexplorer.gui.main_window import MainWindow
from gradexplorer.gui.theory_display import SETTINGS_KEY

TANH = NetworkSpec(depth=12, width=64, in_features=64, batch=32, activation="tanh",
                   init="xavier_normal", gain=1.2, bias_init="normal", bias_std=0.2)


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _window(qtbot, settings, wait_for_run, spec=TANH):
    w = MainWindow(settings=settings, presets=[], restore=False)
    qtbot.addWidget(w)
    w.panel.set_spec(spec)
    w.request_run(spec)
    w.show()
    wait_for_run(qtbot, w, spec)
    return w


def _drawn(window, field):
    dash = window.dashboard
    panel = dash.gradient if field == "log10_grad_preact_rms" else dash.activation
    return panel.theory.data(field)


def test_predictions_arrive_and_equal_the_engines(qtbot, settings, wait_for_run):
    w = _window(qtbot, settings, wait_for_run)
    result = w.dashboard.result()
    assert result.theory is not None and w.theory.theory() is result.theory
    expected = run_prediction(result.start, result.backward[-1].log10_grad_preact_rms)
    np.testing.assert_array_equal(_drawn(w, "log10_grad_preact_rms"),
                                  expected.log10_grad_preact_rms)
    assert w.dashboard.activation.std_log is False  # linear scale: act_std is the one shown
    np.testing.assert_array_equal(_drawn(w, "act_std"), expected.act_std)
    np.testing.assert_array_equal(_drawn(w, "act_mean"), expected.act_mean)
    assert set(w.theory.drawn_fields()) == {"log10_grad_preact_rms", "act_mean", "act_std",
                                            "log10_act_std"}
    item = w.dashboard.gradient.theory.items["log10_grad_preact_rms"]
    assert item.isVisible()
    # and the theory is close to the measurement even at width 64 (within 0.15 decades)
    dev = result.series("log10_grad_preact_rms") - expected.log10_grad_preact_rms
    assert np.max(np.abs(dev)) < 0.15


def test_toggle_hides_and_restores_and_is_remembered(qtbot, settings, wait_for_run):
    w = _window(qtbot, settings, wait_for_run)
    action = w.theory.action
    assert action.isChecked() and action.text() == "Show theory (dashed)"
    assert action in w.menuBar().actions()[2].menu().actions()  # File, Run, View
    action.trigger()
    assert not w.theory.is_visible()
    assert _drawn(w, "log10_grad_preact_rms") is None and _drawn(w, "act_std") is None
    assert w.theory.hover_text(3) == ""
    assert settings.value(SETTINGS_KEY) in (False, "false")
    # a new run stays without theory
    spec = TANH.replace(seed=3)
    w.request_run(spec)
    wait_for_run(qtbot, w, spec)
    assert _drawn(w, "log10_grad_preact_rms") is None
    action.trigger()
    np.testing.assert_array_equal(_drawn(w, "log10_grad_preact_rms"),
                                  w.dashboard.result().theory.log10_grad_preact_rms)
    action.trigger()
    w.close()
    # a new window reads the setting
    w2 = _window(qtbot, settings, wait_for_run)
    assert not w2.theory.action.isChecked()
    assert _drawn(w2, "log10_grad_preact_rms") is None


def test_hover_tooltip_shows_measured_predicted_and_assumptions(qtbot, settings, wait_for_run):
    w = _window(qtbot, settings, wait_for_run)
    dash = w.dashboard
    w.resize(1400, 900)
    y = float(np.nanmean(dash.result().series("log10_grad_preact_rms")))
    vb = dash.gradient.plot.vb

    def painted_over_layer_4():
        # pyqtgraph applies a new auto range when it paints: until then (layer 4, y) maps outside
        assert vb.sceneBoundingRect().width() > 50
        assert dash.gradient.contains(vb.mapViewToScene(QPointF(4.0, y)))

    qtbot.waitUntil(painted_over_layer_4)
    scene_pos = vb.mapViewToScene(QPointF(4.0, y))
    dash.view.scene().sigMouseMoved.emit(scene_pos)
    text = dash.view.toolTip()
    assert text.startswith("layer 4: measured vs mean-field prediction")
    measured = dash.result().series("log10_grad_preact_rms")[3]
    predicted = dash.result().theory.log10_grad_preact_rms[3]
    assert f"({measured - predicted:+.2f} decades)" in text
    assert "Gaussian" in text and "large width" in text and "orthogonal" in text
    # away from the per-layer plots: no tooltip
    dash.view.scene().sigMouseMoved.emit(QPointF(2.0, 2.0))
    assert dash.view.toolTip() == ""
