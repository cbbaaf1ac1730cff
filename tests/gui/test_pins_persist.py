"""Pins survive a relaunch (QSettings) and Train-tab pins round-trip through a session file."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.training.trainer import TrainConfig
from gradexplorer.gui.main_window import MainWindow
from gradexplorer.io.sessions import load_session

SMALL = NetworkSpec(depth=6, width=24, in_features=16, batch=32)
OTHER = NetworkSpec(depth=6, width=24, in_features=16, batch=32, activation="tanh", gain=1.3)


def make_window(qtbot, path, restore=True):
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, restore=restore)
    qtbot.addWidget(w)
    return w


def test_pins_are_restored_on_relaunch(qtbot, tmp_path, wait_for_run):
    ini = tmp_path / "s.ini"
    w = make_window(qtbot, ini, restore=False)
    w.apply_spec(OTHER)
    wait_for_run(qtbot, w, OTHER)
    assert w.pin_current("tanh, gain 1.3") == "tanh, gain 1.3"
    w.apply_spec(SMALL)
    wait_for_run(qtbot, w, SMALL)
    w.close()
    again = make_window(qtbot, ini)  # a new window on the same settings file
    wait_for_run(qtbot, again, SMALL)
    assert again.dashboard.pin_labels() == ["tanh, gain 1.3"]
    assert again.pins()[0].spec == OTHER
    assert again.panel.last_valid_spec() == SMALL
    # the pinned curve is OTHER's measurement, not a copy of the current run
    pinned = again.dashboard.gradient._pin_data["tanh, gain 1.3"]["log10_grad_preact_rms"]
    assert not np.allclose(pinned, again.dashboard.result().series("log10_grad_preact_rms"))


@pytest.mark.parametrize("stored", ["hello", json.dumps([{"label": 3}]),
                                    json.dumps([{"label": "x", "spec": {"gain": -1}}]),
                                    json.dumps({"label": "x"})])
def test_damaged_stored_pins_are_ignored_with_a_message(qtbot, tmp_path, wait_for_run, stored):
    ini = tmp_path / "s.ini"
    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    settings.setValue("spec", json.dumps(SMALL.to_dict()))
    settings.setValue("pins", stored)
    settings.sync()
    w = make_window(qtbot, ini)
    wait_for_run(qtbot, w, SMALL)
    assert w.dashboard.pin_labels() == []
    qtbot.waitUntil(lambda: "ignored damaged stored pins" in w.status_text())



def test_a_damaged_setting_is_still_reported_after_the_stored_pins_rerun(qtbot, tmp_path,
                                                                         wait_for_run):
    """The pins' re-runs after launch used to wipe "ignored damaged stored …" from the status
    bar: the user's settings were reset with no word (found with a real settings file)."""
    ini = tmp_path / "s.ini"
    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    settings.setValue("spec", "null")  # damaged: the defaults are used
    settings.setValue("pins", json.dumps([{"label": "tanh", "spec": OTHER.to_dict()}]))
    settings.sync()
    w = make_window(qtbot, ini)
    qtbot.waitUntil(lambda: w.dashboard.pin_labels() == ["tanh"] and not w.is_running(),
                    timeout=15000)
    assert "ignored damaged stored settings" in w.status_text()

def test_train_pins_round_trip_through_a_session(qtbot, tmp_path, wait_for_run):
    w = make_window(qtbot, tmp_path / "s.ini", restore=False)
    w.apply_spec(SMALL)
    wait_for_run(qtbot, w, SMALL)
    train = dict(w.views)["Train"]
    train.controls.set_config(TrainConfig(steps=20, eval_every=5, batch_size=16))
    train.start()
    qtbot.waitUntil(lambda: train.history.end is not None and not train.is_running(),
                    timeout=30000)
    label = train.pin("first run")
    loss = train.loss.pin_item(label).yData.copy()
    grad = train.pins.layers(label).log10_grad_norm.copy()
    path = tmp_path / "with-train.gxs.json"
    assert w.actions_.save_session(str(path))
    doc = json.loads(path.read_text())
    assert [p["label"] for p in doc["train_pins"]] == ["first run"]
    assert load_session(path).train_pins[0].spec == SMALL
    train.clear_pins()
    assert train.pin_labels() == []
    assert w.actions_.open_session(str(path))
    assert train.pin_labels() == ["first run"]
    np.testing.assert_array_equal(train.loss.pin_item(label).yData, loss)
    np.testing.assert_array_equal(train.pins.layers(label).log10_grad_norm, grad)
    train.show_pin(label)  # the pinned heatmap draws from the restored layers
    np.testing.assert_array_equal(train.grad_map.pinned.image_data(), grad)
    wait_for_run(qtbot, w, SMALL)
