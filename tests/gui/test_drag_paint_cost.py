"""The GUI thread's work per run of a drag, counted: no wrapper items, no axis or pin re-render.

During a Gain drag a complete run reaches the Layers tab every ~60 ms. What made it cost
~33 ms of GUI CPU, and must not come back:
- pyqtgraph's PlotDataItem around each curve (setData ~6x a bare curve's) and its scatter
  item for the dots at each layer (a spot table rebuilt at every setData, spots placed in
  Python at every repaint);
- the axes replaying their tick text and grid whenever the plot under them repaints (their
  ranges stay put during a drag, so a cached rendering is still right);
- the pinned curves, which never change, stroked again at every repaint.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.gui.dashboard import Dashboard
from gradexplorer.gui.plots.dots import DottedCurve
from gradexplorer.gui.plots.style import pg

NET = NetworkSpec(depth=12, width=32, in_features=32, batch=64, activation="tanh",
                  init="xavier_normal")


def feed(dash: Dashboard, gain: float, theory: bool = True) -> None:
    """One run of a drag, as the window gives it: one batch, its prediction, one settle."""
    records = list(propagate(NET.replace(gain=gain)))
    dash.begin_run(records[0])
    dash.add_records(records[1:-1])
    if theory:
        dash.set_theories({"log10_grad_preact_rms": np.linspace(0, -gain, NET.depth)})
    dash.finish_run(records[-1])
    dash.settle_views()


def repaint(dash: Dashboard) -> None:
    for _ in range(4):
        QApplication.processEvents()
    dash.view.viewport().repaint()


class Counter:
    """Counts calls of ``cls.name`` (patched on the class before any item is made: PySide
    remembers an object's Python overrides once Qt has called them)."""

    def __init__(self, monkeypatch, cls, name):
        self.calls: list = []
        real = getattr(cls, name)

        def counted(item, *args, **kwargs):
            self.calls.append(item)
            return real(item, *args, **kwargs)

        monkeypatch.setattr(cls, name, counted)

    def reset(self) -> None:
        self.calls.clear()


@pytest.fixture
def make_dash(qtbot):
    def make() -> Dashboard:
        dash = Dashboard()
        qtbot.addWidget(dash)
        dash.resize(1400, 800)
        dash.show()
        return dash
    return make


def test_a_drag_run_sets_no_plot_data_item_and_no_scatter(make_dash, monkeypatch):
    data_items = Counter(monkeypatch, pg.PlotDataItem, "setData")
    scatters = Counter(monkeypatch, pg.ScatterPlotItem, "setData")
    dash = make_dash()
    feed(dash, 1.0)
    dash.pin_current("first")  # pins stay PlotDataItems: set once, when pinned
    data_items.reset()
    scatters.reset()
    feed(dash, 1.05)
    assert data_items.calls == [] and scatters.calls == []
    # ... and the curves still show every layer, each with its dot
    for panel in dash.line_plots:
        for spec in panel.visible_specs():
            curve = panel.curves[spec.key]
            assert isinstance(curve, DottedCurve)
            y = dash.result().series(spec.field)
            np.testing.assert_array_equal(curve.getData()[1], y)
            assert curve.dots.count() == np.isfinite(y).sum() == NET.depth


def test_a_drag_run_re_renders_no_axis_and_no_pinned_curve(make_dash, monkeypatch):
    axes = Counter(monkeypatch, pg.AxisItem, "paint")
    curves = Counter(monkeypatch, pg.PlotCurveItem, "paint")
    dash = make_dash()
    feed(dash, 1.0)
    dash.pin_current("first")
    pinned = {id(item.curve) for panel in dash.line_plots
              for items in panel._pins.values() for item in items.values()}
    repaint(dash)
    assert any(id(c) in pinned for c in curves.calls)  # drawn once, into its cache
    axes.reset()
    curves.reset()
    feed(dash, 1.02)  # a drag step: ranges stay, every measured curve changes
    repaint(dash)
    painted = {id(c) for c in curves.calls}
    assert {id(dash.gradient.curves["grad"]), id(dash.saturation.curves["saturated"])} <= painted
    assert not painted & pinned
    ticked = {id(axis) for axis in dash._tick_axes()}
    assert len(ticked) == 18 and not {id(a) for a in axes.calls} & ticked
    # (13 axis replays per run before: grid lines and inward ticks overlap the data)


def test_dots_follow_the_curve_and_clear_with_it(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    curve = DottedCurve(pen="w")
    plot.addItem(curve)
    curve.set_dots(6, (255, 0, 0))
    curve.setData(np.arange(1.0, 6.0), np.array([1.0, np.nan, 3.0, np.inf, 5.0]))
    assert curve.dots.count() == 3  # not-finite values get no dot (the markers show them)
    assert not curve.dots.boundingRect().isEmpty()
    curve.clear()
    assert curve.dots.count() == 0 and curve.getData() == (None, None)
    curve.set_dots(0, (255, 0, 0))
    curve.setData(np.arange(1.0, 4.0), np.ones(3))
    assert curve.dots.count() == 0  # deep nets: no dots
