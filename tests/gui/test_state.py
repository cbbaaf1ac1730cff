"""The app state binds panel, window and views in both directions; who changed what is said."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.gui.main_window import MainWindow

SMALL = NetworkSpec(depth=6, width=16, in_features=16, batch=16)


@pytest.fixture
def window(qtbot, tmp_path, wait_for_run):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, presets=[], restore=False)
    qtbot.addWidget(w)
    w.state.set_spec(SMALL, "panel")
    w.show()
    wait_for_run(qtbot, w, SMALL)
    return w


def _views(window):
    return dict(window.views)


def test_a_programmatic_panel_set_reaches_the_views_without_a_run(qtbot, window):
    seen = []
    window.state.sigSpecChanged.connect(lambda spec, source: seen.append((spec, source)))
    runs = window.lane.latest_id
    spec = SMALL.replace(gain=1.7, activation="relu")
    window.panel.set_spec(spec)  # e.g. settings restored, a session loaded
    assert seen == [(spec, "panel-set")]
    assert window.state.spec() == spec and window.lane.latest_id == runs
    phase, train = _views(window)["Phase diagram"], _views(window)["Train"]
    assert phase.current_point()[0] == pytest.approx(1.7 ** 2)  # hidden, yet it follows
    assert "relu" in train.network_text()


def test_a_view_setting_the_state_updates_the_panel_and_runs(qtbot, window, wait_for_run):
    spec = SMALL.replace(gain=0.5)
    window.state.set_spec(spec, "phase")
    assert window.panel.last_valid_spec() == spec
    assert window.panel.init.gain.value() == pytest.approx(0.5)
    result = wait_for_run(qtbot, window, spec)
    assert window.state.result() is result and window.state.result_spec() == spec
    assert not window.state.is_pending()


def test_a_user_edit_is_said_to_come_from_the_panel(qtbot, window, wait_for_run):
    with qtbot.waitSignal(window.state.sigSpecChanged) as blocker:
        window.panel.network.depth.setValue(9)
        window.panel.flush()
    spec, source = blocker.args
    assert source == "panel" and spec.depth == 9
    wait_for_run(qtbot, window, spec)


def test_pins_are_in_the_state(qtbot, window):
    with qtbot.waitSignal(window.state.sigPinsChanged) as blocker:
        label = window.pin_current("first")
    assert [p.label for p in blocker.args[0]] == [label] == ["first"]
    assert window.state.pins()[0].spec == SMALL
    window.clear_pins()
    assert window.state.pins() == []
