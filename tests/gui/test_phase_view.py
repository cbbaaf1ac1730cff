"""The phase-diagram tab: grid values, critical line, dragging the point, following the panel."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.theory import chi1
from gradexplorer.engine.theory.spec_point import spec_point, unit_gain_sigma_w2
from gradexplorer.gui.main_window import MainWindow
from gradexplorer.gui.phase.plot import CLIP_DECADES
from gradexplorer.gui.phase.view import PhaseView
from gradexplorer.gui.plots.style import pg

TANH = NetworkSpec(depth=10, width=32, in_features=32, batch=16, activation="tanh",
                   init="xavier_normal")


@pytest.fixture
def window(qtbot, tmp_path, wait_for_run):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, presets=[], restore=False)
    qtbot.addWidget(w)
    w.panel.set_spec(TANH)
    w.request_run(TANH)
    w.show()
    wait_for_run(qtbot, w, TANH)
    return w


def _view(qtbot, window) -> PhaseView:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    view = dict(window.views)["Phase diagram"]  # built on first use (tabs are lazy)
    assert window.tabs.indexOf(view) == titles.index("Phase diagram")
    window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.plot.diagram is not None and not view.grid.is_running(),
                    timeout=20000)
    return view


def test_grid_equals_engine_chi1_and_tanh_critical_line_starts_at_one(qtbot, window):
    view = _view(qtbot, window)
    d = view.plot.diagram
    assert (d.activation, d.depth) == ("tanh", 10)
    assert d.chi1.shape == (200, 200) and d.sigma_w2[-1] == 6.0 and d.sigma_b2[-1] == 2.0
    image = view.plot.image.image
    for i, j in [(0, 0), (33, 0), (100, 50), (150, 199), (199, 120)]:
        q, x = chi1("tanh", d.sigma_w2[i], d.sigma_b2[j])
        assert d.chi1[i, j] == pytest.approx(float(x), rel=1e-9, abs=1e-12)
        growth = 4.5 * math.log10(float(x)) if x > 0 else -math.inf
        assert image[i, j] == pytest.approx(np.clip(growth, -CLIP_DECADES, CLIP_DECADES))
    # tanh at σ_b² = 0: the critical line starts at σ_w² = 1, q* = 0
    assert d.critical_b2[0] == 0.0 and d.critical_w2[0] == pytest.approx(1.0, abs=1e-9)
    x, y = view.plot.critical.getData()
    assert (x[0], y[0]) == pytest.approx((1.0, 0.0), abs=1e-9)
    # the point sits at the panel's setting: Xavier on a square layer, gain 1 -> σ_w² = 1
    assert view.plot.point() == pytest.approx((1.0, 0.0))
    assert "critical" in view.readout_text() and "χ1 = 1.0000" in view.readout_text()


def test_dragging_sets_gain_and_bias_and_runs(qtbot, window, wait_for_run):
    view = _view(qtbot, window)
    assert unit_gain_sigma_w2(TANH) == pytest.approx(1.0)
    view.plot.target.setPos(2.25, 0.04)  # emits sigPositionChanged, like a drag step
    expected = TANH.replace(gain=1.5, bias_init="normal", bias_std=0.2)
    assert window.panel.last_valid_spec() == expected
    assert window.panel.init.gain.value() == pytest.approx(1.5)
    assert window.panel.init.bias_std.value() == pytest.approx(0.2)
    result = wait_for_run(qtbot, window, expected)
    assert result.start.sigma_w2[0] == pytest.approx(2.25)
    assert result.start.sigma_b2 == pytest.approx(0.04)
    assert "chaotic" in view.readout_text()
    # dragging back to σ_b² = 0 gives zero biases
    with qtbot.waitSignal(window.lane.sigFinished, timeout=20000):
        view.plot.target.setPos(1.0, -0.1)
        view.plot.target.sigPositionChangeFinished.emit(view.plot.target)
    spec = window.panel.last_valid_spec()
    assert (spec.gain, spec.bias_init, spec.bias_std) == (1.0, "zeros", 0.0)


def test_panel_changes_move_the_point_without_feedback_and_regrid(qtbot, window):
    view = _view(qtbot, window)
    applied = []  # any spec the view sets would be feedback
    window.state.sigSpecChanged.connect(
        lambda spec, source: applied.append(spec) if source == "phase" else None)
    window.panel.init.gain.setValue(1.2)
    window.panel.flush()
    qtbot.waitUntil(lambda: view.plot.point()[0] == pytest.approx(1.44))
    assert applied == []
    old = view.plot.diagram
    window.panel.network.activation.setCurrentIndex(
        window.panel.network.activation.findData("relu"))
    window.panel.flush()
    qtbot.waitUntil(lambda: view.plot.diagram is not old and not view.grid.is_running(),
                    timeout=20000)
    d = view.plot.diagram
    assert d.activation == "relu" and d.sigma_w2[-1] == 4.0
    assert np.nanmax(np.abs(d.chi1 - d.sigma_w2[:, None] / 2)) < 1e-12  # χ1 = σ_w²/2
    assert view.plot.point() == pytest.approx(spec_point(window.panel.last_valid_spec()))
    assert applied == []
    # the depth only rescales the growth: recomputed for the new L
    window.panel.network.depth.setValue(21)
    window.panel.flush()
    qtbot.waitUntil(lambda: view.plot.diagram.depth == 21, timeout=20000)
    np.testing.assert_allclose(view.plot.diagram.growth[1:], 10 * np.log10(d.chi1[1:]))


def test_mouse_drag_moves_the_point_and_runs(qtbot, window, wait_for_run):
    view = _view(qtbot, window)
    plot = view.plot
    gview = plot  # the GraphicsLayoutWidget is the QGraphicsView: real mouse events on it
    vb = plot.plot.vb

    def widget_pos(x, y) -> QPoint:
        return gview.mapFromScene(vb.mapViewToScene(QPointF(x, y)))

    def send(kind, pos, buttons):
        event = QMouseEvent(kind, QPointF(pos), QPointF(gview.viewport().mapToGlobal(pos)),
                            Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(gview.viewport(), event)

    left = Qt.MouseButton.LeftButton
    start, end = widget_pos(1.0, 0.0), widget_pos(4.0, 1.0)
    send(QEvent.Type.MouseButtonPress, start, left)
    for k in range(1, 11):
        p = start + (end - start) * (k / 10)
        send(QEvent.Type.MouseMove, p, left)
    with qtbot.waitSignal(window.lane.sigFinished, timeout=20000):
        send(QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)
    w2, b2 = plot.point()
    assert w2 == pytest.approx(4.0, abs=0.05) and b2 == pytest.approx(1.0, abs=0.05)
    spec = window.panel.last_valid_spec()
    assert spec.gain == pytest.approx(2.0, abs=0.02) and spec.bias_init == "normal"
    assert spec.bias_std == pytest.approx(1.0, abs=0.03)
    wait_for_run(qtbot, window, spec)


def test_preview_shows_the_current_run_under_the_diagram(qtbot, tmp_path, wait_for_run):
    """Dragging is watched in place: the preview mirrors the Layers tab's gradient curve."""
    settings = QSettings(str(tmp_path / "p.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, presets=[], restore=False)
    qtbot.addWidget(window)
    window.show()
    view = next(v for title, v in window.views if title == "Phase diagram")
    window.tabs.setCurrentWidget(view)
    spec = NetworkSpec(depth=12, width=64, in_features=64, batch=32, activation="tanh",
                       init="xavier_normal", gain=1.6)
    window.apply_spec(spec)
    wait_for_run(qtbot, window, spec)
    result = window.dashboard.result()
    qtbot.waitUntil(lambda: view.preview.theory.getData()[1] is not None
                    and len(view.preview.theory.getData()[1]) == 12)
    np.testing.assert_array_equal(view.preview.measured.getData()[1],
                                  result.series("log10_grad_preact_rms"))
    np.testing.assert_array_equal(view.preview.theory.getData()[1],
                                  result.theory.series()["log10_grad_preact_rms"])


@pytest.mark.parametrize("end", [(-0.5, -0.3), (9.0, 1.0)])
def test_a_point_released_off_the_plot_shows_the_value_applied(qtbot, window, wait_for_run,
                                                               monkeypatch, end):
    """Dragged past the axes (σ² < 0: clamped to 0) or past the range's end (σ_w² = 9 of
    0..6), the point used to stay where the mouse left it, off the plot and invisible (the
    readout said "the point sits at the edge")."""
    view = _view(qtbot, window)
    plot, vb = view.plot, view.plot.plot.vb

    def send(kind, x, y, buttons):
        pos = plot.mapFromScene(vb.mapViewToScene(QPointF(x, y)))
        event = QMouseEvent(kind, QPointF(pos), QPointF(plot.viewport().mapToGlobal(pos)),
                            Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(plot.viewport(), event)

    monkeypatch.setitem(pg.CONFIG_OPTIONS, "mouseRateLimit", 0)  # every move, however fast
    left = Qt.MouseButton.LeftButton
    (x0, y0), (x1, y1) = plot.point(), end
    send(QEvent.Type.MouseButtonPress, x0, y0, left)
    for k in range(1, 11):
        send(QEvent.Type.MouseMove, x0 + (x1 - x0) * k / 10, y0 + (y1 - y0) * k / 10, left)
    view._apply_throttled.flush()  # the last value applied before the release (a pause)
    send(QEvent.Type.MouseButtonRelease, x1, y1, Qt.MouseButton.NoButton)
    spec = window.state.spec()
    wait_for_run(qtbot, window, spec)
    qtbot.waitUntil(lambda: not view.grid.is_running(), timeout=20000)
    w2, b2 = spec_point(spec)
    assert w2 == pytest.approx(max(x1, 0.0), abs=0.02) and b2 == pytest.approx(max(y1, 0.0),
                                                                              abs=0.05)
    assert view.plot.diagram.sigma_w2[-1] >= w2  # the range holds it
    assert plot.point() == pytest.approx((w2, b2), abs=1e-9)  # on the plot, at the value
    assert f"σ<sub>w</sub>² = {w2:.4g}" in view.readout_text()
