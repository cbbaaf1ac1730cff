"""What keeps a complete redraw cheap during a drag: stable axes, reused items, lazy tabs.

Each run of a drag has the same depth and data close to the last run's: the y ranges must
stay put while the data fit them (a range change regenerates the axis' tick text and grid),
follow the data when they leave, and the theory curves must be the same plot items run after
run (creating items re-lays the plot out).
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.gui.dashboard import Dashboard
from gradexplorer.gui.main_window import MainWindow
from gradexplorer.gui.views import EXTRA_VIEWS

NET = NetworkSpec(depth=12, width=32, in_features=32, batch=64, activation="tanh",
                  init="xavier_normal")


def feed(dash: Dashboard, records: list) -> None:
    dash.begin_run(records[0])
    dash.add_records(records[1:-1])
    dash.finish_run(records[-1])


@pytest.fixture
def dash(qtbot):
    d = Dashboard()
    qtbot.addWidget(d)
    d.resize(1200, 800)
    d.show()
    return d


def _y_range(panel) -> list[float]:
    return list(panel.plot.vb.viewRange()[1])


def test_y_ranges_stay_while_the_data_fit_and_follow_when_they_leave(dash):
    feed(dash, list(propagate(NET)))
    before = _y_range(dash.gradient)
    grad = dash.result().series("log10_grad_preact_rms")
    assert before[0] <= grad.min() and grad.max() <= before[1]
    feed(dash, list(propagate(NET.replace(gain=1.01))))  # a drag step: data move a little
    assert _y_range(dash.gradient) == before
    feed(dash, list(propagate(NET.replace(gain=3.0))))  # exploding: the data leave the range
    after = _y_range(dash.gradient)
    grad = dash.result().series("log10_grad_preact_rms")
    assert after != before
    assert after[0] <= np.nanmin(grad) and np.nanmax(grad) <= after[1]
    lo, hi = dash.grad_heatmap.value_range()
    heat = _y_range(dash.grad_heatmap)
    assert heat[0] <= lo and hi <= heat[1]


def test_theory_curves_are_the_same_items_run_after_run(dash):
    records = list(propagate(NET))
    feed(dash, records)
    dash.set_theory("log10_grad_preact_rms", np.linspace(0, -1, NET.depth))
    item = dash.gradient.theory.items["log10_grad_preact_rms"]
    dash.begin_run(records[0])
    assert dash.gradient.theory.items == {}  # a new run: no prediction shown until its own
    assert not item.isVisible()
    values = np.linspace(0, -2, NET.depth)
    dash.set_theory("log10_grad_preact_rms", values)
    again = dash.gradient.theory.items["log10_grad_preact_rms"]
    assert again is item and item.isVisible()
    np.testing.assert_array_equal(item.getData()[1], values)


def test_tabs_are_built_when_first_shown(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, presets=[], restore=False)
    qtbot.addWidget(w)
    titles = [w.tabs.tabText(i) for i in range(w.tabs.count())]
    assert titles[1:] == [title for title, _ in EXTRA_VIEWS]
    assert w._views.built() == []  # nothing built before it is shown
    index = titles.index("Sweep")
    w.tabs.setCurrentIndex(index)
    built = dict(w._views.built())
    assert list(built) == ["Sweep"]
    assert w.tabs.widget(index) is built["Sweep"] and w.tabs.currentIndex() == index
    assert type(built["Sweep"]) is not QWidget
    views = dict(w.views)  # every view on demand, in tab order, same objects
    assert list(views) == titles[1:] and views["Sweep"] is built["Sweep"]
    assert [w.tabs.widget(i) for i in range(1, w.tabs.count())] == list(views.values())


def test_a_run_does_not_redo_the_pinned_curves(dash):
    feed(dash, list(propagate(NET)))
    dash.pin_current("first")
    items = dash.gradient._pins["first"]
    before = {key: item.getData()[1] for key, item in items.items() if item.isVisible()}
    feed(dash, list(propagate(NET.replace(gain=1.2))))
    after = {key: item.getData()[1] for key, item in items.items() if item.isVisible()}
    assert before and after.keys() == before.keys()
    assert all(after[key] is before[key] for key in before)  # not set again


def test_the_theory_legend_entry_stays_through_a_drag_and_goes_when_no_prediction_came(dash):
    records = list(propagate(NET))
    feed(dash, records)
    values = np.linspace(0, -1, NET.depth)
    dash.set_theories({"log10_grad_preact_rms": values})
    entries = list(dash.gradient.legend.items)
    assert "mean-field theory" in [label.text for _sample, label in entries]
    feed(dash, list(propagate(NET.replace(gain=1.1))))  # ends without a prediction
    assert "mean-field theory" not in [label.text for _s, label in dash.gradient.legend.items]
    dash.set_theories({"log10_grad_preact_rms": values})
    entries = list(dash.gradient.legend.items)
    dash.begin_run(records[0])  # the next run of a drag: its prediction comes in the same flush
    dash.add_records(records[1:-1])
    assert dash.gradient.theory.items == {}
    dash.set_theories({"log10_grad_preact_rms": values - 1, "q": values})  # "q": no plot
    dash.finish_run(records[-1])
    assert dash.gradient.legend.items == entries  # the same entries: no relayout
    np.testing.assert_array_equal(
        dash.gradient.theory.items["log10_grad_preact_rms"].getData()[1], values - 1)


def test_the_verdict_is_judged_once_per_run(dash, monkeypatch):
    import gradexplorer.gui.dashboard as dashboard_module

    calls = []
    real = dashboard_module.run_verdict
    monkeypatch.setattr(dashboard_module, "run_verdict",
                        lambda result: calls.append(1) or real(result))
    records = list(propagate(NET))
    feed(dash, records)
    first = dash.run_verdict()
    assert dash.run_verdict() is first and dash.verdict_status()
    assert len(calls) == 1  # once when the backward pass completed (the RunEnd changes nothing)
    assert first == real(dash.result())


def test_a_run_of_a_drag_repaints_the_dashboard_once(dash):
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    class Paints(QObject):
        count = 0

        def eventFilter(self, _obj, event):  # noqa: N802 (Qt override)
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    def settle():
        for _ in range(4):
            QApplication.processEvents()

    records = list(propagate(NET))
    dash.begin_run(records[0])
    dash.add_records(records[1:-1])
    dash.set_theories({"log10_grad_preact_rms": np.linspace(0, -1, NET.depth)})
    dash.finish_run(records[-1])
    dash.select_layer(NET.depth)  # histograms of the last layer: their ranges move most
    settle()
    paints = Paints()
    dash.view.viewport().installEventFilter(paints)
    for gain in (1.05, 1.1, 1.15):  # as the window gets each run of a drag: in one batch
        records = list(propagate(NET.replace(gain=gain)))
        dash.begin_run(records[0])
        dash.add_records(records[1:-1])
        dash.set_theories({"log10_grad_preact_rms": np.linspace(0, -gain, NET.depth)})
        dash.finish_run(records[-1])
        dash.settle_views()
        settle()
    assert paints.count == 3  # pending fits applied in settle_views, not during the paint


def test_a_drag_never_narrows_an_axis_until_a_run_releases_it(dash, qtbot):
    """Between a drag's previews the tick-text space only grows: a narrower label at one value
    and a wider one at the next re-laid every plot out (a full extra repaint each time)."""
    from gradexplorer.gui.plots.style import pg

    feed(dash, list(propagate(NET)))
    qtbot.waitUntil(lambda: dash.gradient.plot.getAxis("left").textWidth > 0)
    axes = [dash.gradient.plot.getAxis("left"), dash.saturation.plot.getAxis("left"),
            *(plot.getAxis("left") for plot in dash.detail.plots().values())]
    held = []

    def preview(records):  # as the window feeds a drag's preview: axes stay held
        dash.begin_run(records[0])
        dash.add_records(records[1:-1])
        dash.finish_run(records[-1], release_axes=False)
        held.append([axis.style["autoReduceTextSpace"] for axis in axes])

    preview(list(propagate(NET.replace(gain=1.5))))
    preview(list(propagate(NET.replace(gain=0.7))))
    assert held == [[False] * len(axes)] * 2  # no axis may narrow between previews
    for axis in axes:  # pyqtgraph narrows only an axis whose text space is not held
        width = axis.maximumWidth()
        pg.AxisItem._updateMaxTextSize(axis, axis.textWidth - 15)
        assert axis.maximumWidth() == width
    feed(dash, list(propagate(NET.replace(gain=0.7))))  # the full run releases them
    assert all(axis.style["autoReduceTextSpace"] for axis in axes)


def test_a_two_line_axis_label_sets_its_width_once(dash, qtbot, monkeypatch):
    """The width of an axis with a two-line label is set in one step (setting pyqtgraph's
    narrower width first changed the layout twice per tick regeneration)."""
    from gradexplorer.gui.plots.style import pg

    feed(dash, list(propagate(NET)))
    axis = dash.gradient.plot.getAxis("left")
    assert axis._gx_two_line_width  # its label may take two lines (at larger type)
    widths = []
    monkeypatch.setattr(pg.AxisItem, "setMaximumWidth",
                        lambda self, w: widths.append(w) or pg.GraphicsWidget.setMaximumWidth(
                            self, w))
    before = axis.maximumWidth()
    axis._updateWidth()  # the same text space: nothing to set
    assert widths == [] and axis.maximumWidth() == before
    axis.textWidth += 7
    axis._updateWidth()
    assert widths == [before + 7]  # one step to the wider width, never pyqtgraph's narrower one


def test_the_std_scale_does_not_flip_between_runs_near_the_switch(dash):
    """Automatic log10 std: on above 2 decades, off again only below 1.5. A drag whose runs
    spanned about 2 decades flipped the plot's title, axis and curves from run to run."""
    from gradexplorer.gui.plots.activation import AUTO_LINEAR_DECADES, AUTO_LOG_DECADES

    def run(gain):  # tanh 12 x 32: the std spans 2.28 decades at gain 0.6, 0.62 at 0.9
        feed(dash, list(propagate(NET.replace(gain=gain))))
        stds = dash.result().series("log10_act_std")
        return float(stds.max() - stds.min()), dash.activation.std_log

    assert run(0.6)[0] > AUTO_LOG_DECADES and dash.activation.std_log
    middle = [run(gain) for gain in (0.66, 0.68, 0.7)]  # 1.85, 1.71, 1.59 decades
    assert all(AUTO_LINEAR_DECADES < span <= AUTO_LOG_DECADES for span, _ in middle)
    assert all(log for _, log in middle)  # between the limits: stays log10
    assert run(0.9)[0] < AUTO_LINEAR_DECADES and not dash.activation.std_log  # linear again
    assert not any(log for _, log in (run(g) for g in (0.7, 0.68, 0.66)))  # and stays linear


def test_colour_bar_and_histogram_axes_keep_a_floor_of_text_space(dash):
    """Released after a run, these axes still never narrow below a "0.0" label: a colour bar
    whose labels went "5" -> "1.5" at a drag's first runs re-laid every plot out."""
    from PySide6.QtGui import QFont, QFontMetrics

    feed(dash, list(propagate(NET)))  # a full run: the axes are released
    axes = [dash.grad_heatmap.colorbar.axis, dash.act_heatmap.colorbar.axis,
            *(plot.getAxis("left") for plot in dash.detail.plots().values())]
    for axis in axes:
        floor = QFontMetrics(axis.style.get("tickFont") or QFont()).horizontalAdvance("0.0")
        assert axis.style["autoReduceTextSpace"]  # released: it may narrow...
        axis._updateMaxTextSize(1.0)  # ...to labels as short as "1"
        assert axis.textWidth >= floor  # but not below a typical label
