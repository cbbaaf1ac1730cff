"""The Jacobian and Sweep tabs inside the real main window: they follow the panel, close cleanly."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.gui import views
from gradexplorer.gui.jacobian import JacobianView
from gradexplorer.gui.main_window import MainWindow
from gradexplorer.gui.sweep import SweepView

SMALL = NetworkSpec(depth=6, width=32, in_features=32, batch=16, activation="tanh")
MINE = [v for v in views.EXTRA_VIEWS if v[0] in ("Jacobian", "Sweep")]


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, fake_engine):
    # only these two tabs: other views are tested on their own
    monkeypatch.setattr(views, "EXTRA_VIEWS", MINE)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, propagate=fake_engine, presets=[], restore=False)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    yield w
    w.close()


def test_both_tabs_are_registered():
    assert [t for t, _ in MINE] == ["Jacobian", "Sweep"]


def test_jacobian_tab_follows_the_panel_and_the_window_closes_cleanly(qtbot, window):
    tabs = dict(window.views)
    jac, sw = tabs["Jacobian"], tabs["Sweep"]
    assert isinstance(jac, JacobianView) and isinstance(sw, SweepView)
    window.apply_spec(SMALL)  # no signal: the tab catches up when shown
    window.tabs.setCurrentWidget(jac)
    qtbot.waitUntil(lambda: jac.answer is not None and jac.answer.job.spec == SMALL,
                    timeout=20000)
    window.panel.network.depth.setValue(4)
    window.panel.flush()
    qtbot.waitUntil(lambda: jac.answer.job.spec.depth == 4 and not jac.is_computing(),
                    timeout=20000)
    window.tabs.setCurrentWidget(sw)
    sw.controls.set_range(0.5, 2.0, 3, True)
    sw.controls.seeds.setValue(1)
    sw.run()
    qtbot.waitUntil(lambda: len(sw.family.rows) == 3 and not sw.is_running(), timeout=30000)
    assert sw.family.rows[0].spec.depth == 4
    window.close()
    assert not jac.lane.worker_thread().isRunning()
    assert not sw.lane.worker_thread().isRunning()
