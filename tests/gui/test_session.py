"""Sessions, remembered settings and presets."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QSettings

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.gui.main_window import MainWindow
from gradexplorer.gui.session import (
    FORMAT,
    Pin,
    Session,
    SessionError,
    load_session,
    save_session,
)

SMALL = NetworkSpec(depth=8, width=24, in_features=16, batch=32)
OTHER = NetworkSpec(depth=6, width=12, in_features=10, batch=16, activation="relu",
                    init="kaiming_normal", gain=1.3, seed=5)


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def make_window(qtbot, settings, presets=(), restore=False):
    w = MainWindow(settings=settings, presets=list(presets), restore=restore)
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.fixture
def window(qtbot, settings, wait_for_run):
    w = make_window(qtbot, settings)
    w.panel.set_spec(SMALL)
    w.request_run(SMALL)
    wait_for_run(qtbot, w, SMALL)
    return w


def test_session_file_round_trip(tmp_path):
    session = Session(OTHER, (Pin("a", SMALL),))
    save_session(tmp_path / "s.json", session)
    assert load_session(tmp_path / "s.json") == session
    doc = json.loads((tmp_path / "s.json").read_text())
    assert doc["format"] == FORMAT and doc["version"] == 1 and doc["spec"] == OTHER.to_dict()


@pytest.mark.parametrize("text, words", [
    ("{not json", "not valid JSON"),
    ('{"format": "something else"}', "not a gradexplorer session"),
    (json.dumps({"format": FORMAT, "version": 2, "spec": {}}), "newer"),
    (json.dumps({"format": FORMAT, "version": 1, "spec": {"depth": "x"}}), "invalid setting"),
])
def test_bad_session_files_raise(tmp_path, text, words):
    (tmp_path / "s.json").write_text(text)
    with pytest.raises(SessionError, match=words):
        load_session(tmp_path / "s.json")


def test_window_session_round_trip_with_pins(qtbot, window, tmp_path, wait_for_run):
    label = window.pin_current("first run")
    window.panel.set_spec(OTHER)
    window.request_run(OTHER)
    wait_for_run(qtbot, window, OTHER)
    assert window.actions_.save_session(str(tmp_path / "s.json"))
    window.clear_pins()
    window.panel.set_spec(SMALL)
    window.request_run(SMALL)
    wait_for_run(qtbot, window, SMALL)
    assert window.actions_.open_session(str(tmp_path / "s.json"))
    wait_for_run(qtbot, window, OTHER)
    assert window.panel.spec() == OTHER
    assert window.dashboard.pin_labels() == [label]
    assert window.pins() == [Pin(label, SMALL)]


@pytest.mark.parametrize("text", [
    "{corrupt",
    json.dumps({"format": FORMAT, "version": 99, "spec": OTHER.to_dict()}),
])
def test_corrupt_or_newer_session_changes_nothing(qtbot, window, tmp_path, text):
    (tmp_path / "s.json").write_text(text)
    old = window.dashboard.result()
    assert not window.actions_.open_session(str(tmp_path / "s.json"))
    assert "could not open session" in window.status_text()
    assert window.panel.spec() == SMALL
    assert window.dashboard.result() is old
    assert not window.is_running()


def test_last_spec_and_geometry_are_remembered(qtbot, settings, wait_for_run):
    first = make_window(qtbot, settings)
    first.panel.set_spec(OTHER)
    first.resize(1200, 800)
    first.close()
    second = make_window(qtbot, settings, restore=True)
    assert second.panel.spec() == OTHER
    wait_for_run(qtbot, second, OTHER)


def test_corrupt_stored_spec_falls_back_to_defaults(qtbot, settings):
    settings.setValue("spec", "{definitely not a spec")
    w = make_window(qtbot, settings, restore=True)
    assert w.panel.spec() == NetworkSpec()
    settings.setValue("spec", json.dumps({"depth": 5000}))
    w2 = make_window(qtbot, settings, restore=True)
    assert w2.panel.spec() == NetworkSpec()


def test_default_qsettings_is_isolated(qtbot):
    # conftest points the default QSettings at a temporary directory
    assert "gradexplorer-tests" in QSettings().fileName()


def test_preset_sets_spec_and_shows_explanation(qtbot, settings, wait_for_run):
    preset = SimpleNamespace(name="relu-he", title="ReLU with He init", spec=OTHER,
                             explanation="He init keeps ReLU signals steady. Try gain 2.")
    w = make_window(qtbot, settings, presets=[preset])
    w.panel.presets.choose("relu-he")
    assert w.panel.spec() == OTHER
    assert "He init keeps ReLU signals steady" in w.panel.presets.explanation.text()
    wait_for_run(qtbot, w, OTHER)


def test_real_presets_load(qtbot, settings, wait_for_run):
    presets = pytest.importorskip("gradexplorer.presets").list_presets()
    w = make_window(qtbot, settings, presets=presets)
    first = presets[0]
    w.panel.presets.choose(first.name)
    assert w.panel.spec() == first.spec
    assert w.panel.presets.explanation.text().endswith(first.explanation)
    wait_for_run(qtbot, w, first.spec, timeout=60000)


def test_image_size_dialog_and_suffixes(qtbot):
    from gradexplorer.gui.dialogs import ImageSizeDialog, with_suffix

    dialog = ImageSizeDialog(1000, 700)
    qtbot.addWidget(dialog)
    assert dialog.size_chosen() == (1000, 700)
    dialog.width_box.setValue(2000)
    assert dialog.size_chosen() == (2000, 700)
    assert with_suffix("/tmp/a", "SVG vector image (*.svg)") == "/tmp/a.svg"
    assert with_suffix("/tmp/a.png", "SVG vector image (*.svg)") == "/tmp/a.png"
