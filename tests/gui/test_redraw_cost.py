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
