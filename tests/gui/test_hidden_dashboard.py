"""The Layers dashboard behind another tab: draws nothing, keeps the newest run, shows exactly
that run when its tab is current again (or before an export)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QTabWidget, QWidget

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.records import RunEnd, TheoryLayers
from gradexplorer.gui.dashboard import Dashboard, headline_text
from tests.gui.test_dashboard import curve_y, fake_run

SPEC = NetworkSpec(depth=8, width=16, in_features=16, batch=16, activation="tanh",
                   init="xavier_normal")


def _array(values) -> list:
    return np.nan_to_num(np.asarray(values, dtype=float), nan=-999.0).tolist()


def drawn(dash: Dashboard) -> dict:
    """What ``dash`` shows: every curve and prediction, both heatmaps, the selected layer's
    histograms and the headline's two lines, as plain values."""
    shown = {}
    for n, panel in enumerate(dash.line_plots):
        for key, item in panel.curves.items():
            shown[f"{n}.{key}"] = (item.isVisible(), _array(curve_y(item)))
        for field, item in panel.theory.items.items():
            shown[f"{n}.theory.{field}"] = (item.isVisible(), _array(curve_y(item)))
    for heatmap in (dash.grad_heatmap, dash.act_heatmap):
        shown[heatmap.field] = _array(heatmap.image_data())
    for name, plot in dash.detail.plots().items():
        shown[f"detail.{name}"] = (plot.titleLabel.text,
                                   [_array(curve_y(item)) for item in plot.listDataItems()])
    shown["verdict"] = dash.headline.verdict.text
    shown["settings"] = dash.headline.settings.text
    return shown


def _counting(monkeypatch, dash: Dashboard) -> list:
    """Record each redraw of the gradient plot and of the gradient heatmap."""
    calls: list = []
    for obj, name in ((dash.gradient, "update"), (dash.grad_heatmap, "draw")):
        original = getattr(obj, name)
        monkeypatch.setattr(obj, name,
                            lambda *a, _o=original, _n=name: calls.append(_n) or _o(*a))
    return calls


def _feed(dashboards, records, theory=None, mark="") -> None:
    """Feed ``records`` to each dashboard as the window does: start, batches, the run's
    predictions, end; then the headline's mark."""
    for dash in dashboards:
        dash.begin_run(records[0])
        dash.headline.set_mark(mark)
        body = records[1:-1]
        for i in range(0, len(body), 4):
            dash.add_records(body[i:i + 4])
        if theory is not None:
            dash.set_theories(theory)
        dash.finish_run(records[-1], release_axes=not mark)


@pytest.fixture
def behind(qtbot):
    """A dashboard in a shown tab widget whose other tab is current, and a reference
    dashboard of the same size shown on its own (it draws everything at once)."""
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    dash, other = Dashboard(), QWidget()
    tabs.addTab(dash, "Layers")
    tabs.addTab(other, "Other")
    tabs.resize(1200, 800)
    tabs.show()
    qtbot.waitExposed(tabs)
    reference = Dashboard()
    qtbot.addWidget(reference)
    reference.resize(dash.size())
    reference.show()
    qtbot.waitExposed(reference)
    return tabs, dash, other, reference


def test_behind_another_tab_nothing_is_drawn_and_the_newest_run_is_shown_exactly(
        qtbot, monkeypatch, behind):
    tabs, dash, other, reference = behind
    first = list(fake_run(depth=12))
    _feed([dash, reference], first)  # drawn: the Layers tab is current
    tabs.setCurrentWidget(other)
    calls = _counting(monkeypatch, dash)
    preview = list(fake_run(depth=9, decay=0.3, seed=1))
    _feed([dash, reference], preview, mark="preview (64 rows)")
    last = list(fake_run(depth=10, decay=-0.2, seed=2))
    theory = {"log10_grad_preact_rms": np.linspace(0.0, -1.5, 10), "q": np.ones(10)}
    _feed([dash, reference], last, theory=theory, mark="preview (64 rows)")
    for d in (dash, reference):
        d.set_stale("width must be at least 1")
    assert calls == []  # nothing drawn behind the other tab
    # what the window and exports read is current all the same
    assert dash.result().end is last[-1] and dash.result().depth == 10
    assert dash.run_verdict() == reference.run_verdict()
    assert dash.verdict_text() == reference.verdict_text()
    assert dash.headline.settings_text() == reference.headline.settings_text()
    assert "preview (64 rows)" in dash.headline.settings_text()
    tabs.setCurrentWidget(dash)
    assert calls.count("update") == 1  # once, whole, when shown
    assert drawn(dash) == drawn(reference)
    assert dash.headline.settings.text.startswith("⚠ showing the last valid run")
    assert "mean-field theory" in [label.text for _s, label in dash.gradient.legend.items]


def test_an_export_from_another_tab_draws_the_newest_run_first(qtbot, behind, tmp_path):
    tabs, dash, other, reference = behind
    tabs.setCurrentWidget(other)
    run = list(fake_run(depth=7, decay=0.5, seed=3))
    _feed([dash, reference], run)
    assert drawn(dash) != drawn(reference)  # not drawn yet
    dash.export_image(str(tmp_path / "layers.png"))
    assert (tmp_path / "layers.png").stat().st_size > 0
    assert drawn(dash) == drawn(reference)
    assert tabs.currentWidget() is other


def test_a_run_finishing_on_the_phase_tab_redraws_no_layer_plot_and_back(qtbot, monkeypatch,
                                                                shown_window, wait_for_run,
                                                                tmp_path):
    window = shown_window(SPEC, presets=[])
    dash = window.dashboard
    phase = dict(window.views)["Phase diagram"]  # built behind the Layers tab
    window.tabs.setCurrentWidget(phase)
    np.testing.assert_array_equal(phase.preview.measured.getData()[1],  # the run shown
                                  dash.result().series("log10_grad_preact_rms"))
    calls = _counting(monkeypatch, dash)
    spec = SPEC.replace(gain=1.7)
    window.apply_spec(spec)
    result = wait_for_run(qtbot, window, spec)
    assert calls == []
    assert window.state.result() is result and result.end is not None
    verdict = dash.run_verdict()
    assert window.verdict.full_text() == verdict.status  # the status bar reads the newest run
    assert isinstance(result.theory, TheoryLayers)
    # an export from the Phase tab draws the Layers plots first
    assert window.actions_.export_image(str(tmp_path / "layers.svg"))
    assert calls.count("update") == 1
    np.testing.assert_array_equal(curve_y(dash.gradient.curves["grad"]),
                                  result.series("log10_grad_preact_rms"))
    calls.clear()
    spec = SPEC.replace(gain=0.6)
    window.apply_spec(spec)
    result = wait_for_run(qtbot, window, spec)
    assert calls == []
    window.tabs.setCurrentWidget(dash)  # the user goes back: the newest run, exactly
    assert calls.count("update") == 1
    np.testing.assert_array_equal(curve_y(dash.gradient.curves["grad"]),
                                  result.series("log10_grad_preact_rms"))
    np.testing.assert_array_equal(
        dash.gradient.theory.data("log10_grad_preact_rms"),
        result.theory.series()["log10_grad_preact_rms"])
    assert dash.headline.verdict.text == headline_text(dash.run_verdict())
    assert "(gain 0.6)" in dash.headline.settings.text
    assert window.verdict.full_text() == dash.run_verdict().status
    assert isinstance(result.end, RunEnd)
    # the same rule for the phase diagram's curve behind the Layers tab
    shown = []
    monkeypatch.setattr(phase.preview, "show_result",
                        lambda *a, _o=phase.preview.show_result: shown.append(a) or _o(*a))
    spec = SPEC.replace(gain=0.9)
    window.apply_spec(spec)
    result = wait_for_run(qtbot, window, spec)
    assert shown == []
    window.tabs.setCurrentWidget(phase)
    assert len(shown) == 1
    np.testing.assert_array_equal(phase.preview.measured.getData()[1],
                                  result.series("log10_grad_preact_rms"))


def test_a_story_band_over_every_layer_set_behind_another_tab_spans_the_run_drawn_later(
        qtbot, behind):
    tabs, dash, other, reference = behind
    _feed([dash, reference], list(fake_run(depth=8)))  # drawn: the Layers tab is current
    tabs.setCurrentWidget(other)  # e.g. the story's last step shows the Phase diagram tab
    run = list(fake_run(depth=20, decay=0.1, seed=4))
    for d in (dash, reference):
        d.begin_run(run[0])
        d.gradient.set_highlight({"grad"}, band=True)  # the step's highlights: every layer
        d.add_records(run[1:-1])
        d.finish_run(run[-1])
    tabs.setCurrentWidget(dash)
    assert reference.gradient._band.getRegion() == (0.5, 20.5)
    assert dash.gradient._band.getRegion() == (0.5, 20.5)  # was (0.5, 8.5): the old depth


def test_zoomed_behind_another_tab_an_export_or_copy_is_laid_out_as_the_tab_shows(
        qtbot, monkeypatch, shown_window, wait_for_run, tmp_path):
    """The text grew behind another tab (View ▸ Zoom in): the axes had not measured their new
    tick text (pyqtgraph does it while painting) and the copy kept the size the tab had when
    last shown: colour bars exported with only their '0', overlapping titles in the copy
    (both look as the tab does now; not pixel for pixel: a shown layout depends on its path)."""
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtWidgets import QWidget

    from gradexplorer.gui import export

    window = shown_window(SPEC, presets=[], size=(1280, 720))
    dash, other = window.dashboard, QWidget()
    window.tabs.addTab(other, "Other")
    window.tabs.setCurrentWidget(other)
    for _ in range(3):
        window.actions_.zoom(1)
    spec = SPEC.replace(gain=1.7, depth=14)
    window.apply_spec(spec)
    wait_for_run(qtbot, window, spec)
    bars = [h.colorbar.axis for h in (dash.grad_heatmap, dash.act_heatmap)]
    labels: list = []  # the colour bars' tick labels as the export draws them

    def drawn_labels(axis) -> list[str]:
        image = QImage(8, 8, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        try:
            return [text for _rect, _flags, text in axis.generateDrawSpecs(painter)[2]]
        finally:
            painter.end()

    original = export.export_scene
    monkeypatch.setattr(export, "export_scene", lambda *a: labels.append(
        [drawn_labels(axis) for axis in bars]) or original(*a))

    def copy_and_export(name: str):
        window.actions_.copy_image()
        assert window.actions_.export_image(str(tmp_path / name), (878, 628))
        return QGuiApplication.clipboard().pixmap().toImage()

    behind = copy_and_export("behind.png")
    dash.view.paint_seconds = 0.0
    window.tabs.setCurrentWidget(dash)
    qtbot.waitUntil(lambda: dash.view.paint_seconds > 0)  # painted as shown
    shown = copy_and_export("shown.png")
    assert labels[0] == labels[1]  # the colour bars' tick labels, as shown
    assert all(len(bar) >= 3 for bar in labels[0])
    assert behind.size() == shown.size() == dash.size()  # the copy: the tab's size
