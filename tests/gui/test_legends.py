"""No legend covers data: in every preset, with pins, in the Layers and Phase diagram tabs.

A legend's scene rectangle must not intersect its plot's data area (the view box), and no
plotted point of that plot may fall inside it, at 1.0× and at the 1.6× presentation scale.
"""

from __future__ import annotations

import numpy as np
import pytest

from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.gui.dashboard import Dashboard
from gradexplorer.gui.phase.plot import PhasePlot
from gradexplorer.gui.plots.style import pg
from gradexplorer.gui.presentation import apply_scale
from gradexplorer.presets import list_presets

PRESETS = list_presets()


def _run(dash: Dashboard, spec) -> None:
    records = list(propagate(spec))
    dash.add_records(records)


def covered_points(plot: pg.PlotItem, legend: pg.LegendItem) -> int:
    """How many visible plotted points of ``plot`` lie inside ``legend``'s scene rectangle."""
    box = legend.sceneBoundingRect()
    n = 0
    for item in plot.listDataItems():
        if not item.isVisible():
            continue
        x, y = item.getData()
        if x is None:
            continue
        for xi, yi in zip(x, y, strict=True):
            if np.isfinite(xi) and np.isfinite(yi):
                n += box.contains(plot.vb.mapViewToScene(pg.QtCore.QPointF(xi, yi)))
    return n


def assert_legend_clear(plot: pg.PlotItem, legend: pg.LegendItem) -> None:
    assert legend.items, "the legend lists nothing: the test would prove nothing"
    box = legend.sceneBoundingRect()
    assert box.width() > 0 and box.height() > 0
    assert not box.intersects(plot.vb.sceneBoundingRect()), "legend overlaps the data area"
    assert covered_points(plot, legend) == 0


@pytest.mark.parametrize("scale", [1.0, 1.6])
def test_no_legend_covers_a_curve_in_any_preset(qtbot, scale):
    dash = Dashboard()
    qtbot.addWidget(dash)
    dash.resize(1000, 640)
    dash.show()
    apply_scale(scale)
    pinned = 0
    for i, preset in enumerate(PRESETS):
        _run(dash, preset.spec)
        if i in (0, 5):  # a couple of pin combinations: one pin, then two
            dash.pin_current(preset.title)
            pinned += 1
        dash.set_theory("log10_grad_preact_rms", np.zeros(preset.spec.depth))
        qtbot.wait(1)
        pg.QtWidgets.QApplication.processEvents()
        assert_legend_clear(dash.gradient.plot, dash.gradient.legend)
    assert pinned == 2 and len(dash.gradient.legend.items) >= 4


def test_phase_legend_off_the_diagram(qtbot):
    from gradexplorer.engine.theory.phase_diagram import phase_diagram

    plot = PhasePlot()
    qtbot.addWidget(plot)
    plot.resize(900, 500)
    plot.show()
    plot.show_diagram(phase_diagram("tanh", depth=20))
    pg.QtWidgets.QApplication.processEvents()
    assert_legend_clear(plot.plot, plot.legend)


def test_pins_readable_dashed_weight_norm_and_colour_from_label(qtbot):
    from gradexplorer.gui.plots.style import pin_colour_for

    dash = Dashboard()
    qtbot.addWidget(dash)
    _run(dash, PRESETS[0].spec)
    dash.pin_current("relu + He")
    items = dash.gradient._pins["relu + He"]
    grad_pen, weight_pen = items["grad"].opts["pen"], items["weight"].opts["pen"]
    assert grad_pen.style() == pg.QtCore.Qt.PenStyle.SolidLine  # ∂L/∂h solid
    assert weight_pen.style() == pg.QtCore.Qt.PenStyle.DashLine  # ‖∂L/∂W‖ dashed
    first = grad_pen.color().getRgb()[:3]
    assert first == pin_colour_for("relu + He")
    # another session, pins in another order: the label keeps its colour
    dash.clear_pins()
    dash.pin_current("something else")
    dash.pin_current("relu + He")
    again = dash.gradient._pins["relu + He"]["grad"].opts["pen"].color().getRgb()[:3]
    other = dash.gradient._pins["something else"]["grad"].opts["pen"].color().getRgb()[:3]
    assert again == first or other == first  # same colour unless the other pin took it
    assert again != other
