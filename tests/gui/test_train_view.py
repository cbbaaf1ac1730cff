"""The Train tab: records reach the plots unchanged, pause, stop, pins, divergence, export.

The pinned heatmap (a pin's layers beside the current run's, one colour scale) is tested in
test_train_view_pins.py.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtGui import QImage

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.training.trainer import TrainConfig, TrainEnd, TrainRecord, train
from gradexplorer.gui.plots.style import pg
from gradexplorer.gui.train.view import TrainView
from gradexplorer.io.training import record_dict

SPEC = NetworkSpec(depth=6, width=16, input="digits", activation="relu", init="kaiming_normal")
CONFIG = TrainConfig(steps=60, eval_every=5, batch_size=32)


def engine_records(spec=SPEC, config=CONFIG):
    out = list(train(spec, config))
    return [r for r in out if isinstance(r, TrainRecord)], out[-1]


class Hold:
    """A train() wrapper that stops after record ``at`` (TrainStart = 0) until released."""

    def __init__(self, at: int):
        self.at = at
        self.reached = threading.Event()
        self.release = threading.Event()

    def __call__(self, spec, config):
        for i, rec in enumerate(train(spec, config)):
            yield rec
            if i == self.at:
                self.reached.set()
                self.release.wait(30)


@pytest.fixture
def make_view(qtbot):
    made = []

    def make(spec_source=lambda: SPEC, train_fn=None, config=CONFIG):
        view = TrainView(spec_source, train=train_fn)
        qtbot.addWidget(view)
        view.resize(1100, 760)
        view.show()
        view.controls.set_config(config)
        made.append(view)
        return view

    yield make
    for view in made:
        view.shutdown()


def wait_finished(qtbot, view, timeout=20000):
    def finished():
        assert view.history.end is not None and not view.is_running()

    qtbot.waitUntil(finished, timeout=timeout)


def assert_shows(view, records):
    steps = np.array([r.step for r in records], dtype=float)
    grad = np.stack([r.log10_grad_norm for r in records])
    ratio = np.stack([r.log10_update_ratio for r in records])
    np.testing.assert_array_equal(view.history.layers("log10_grad_norm"), grad)
    np.testing.assert_array_equal(view.grad_map.current.image_data(), grad)
    x, y = view.loss.data(0)
    np.testing.assert_array_equal(x, steps)
    np.testing.assert_array_equal(y, [r.train_loss for r in records])
    _, y = view.loss.data(1)
    np.testing.assert_array_equal(y, [r.test_loss for r in records])
    _, y = view.accuracy.data(1)
    np.testing.assert_array_equal(y, [100 * r.test_accuracy for r in records])
    for item, layer in zip(view.ratio.curves, view.ratio.layers, strict=True):
        np.testing.assert_array_equal(item.yData, ratio[:, layer - 1])


def test_records_reach_the_plots_as_the_engine_computes_them(qtbot, make_view):
    view = make_view()
    assert view.start() is not None
    wait_finished(qtbot, view)
    records, end = engine_records()
    assert len(view.history) == len(records) == 12
    assert_shows(view, records)
    assert view.history.end.verdict == end.verdict == "completed"
    assert "completed" in view.verdict_text()
    assert view.ratio.layers[0] == 1 and view.ratio.layers[-1] == SPEC.depth
    assert not view.controls.stop.isEnabled() and view.controls.start.isEnabled()


def test_pause_and_resume_give_the_uninterrupted_run(qtbot, make_view):
    hold = Hold(at=3)
    view = make_view(train_fn=hold)
    view.start()
    qtbot.waitUntil(hold.reached.is_set, timeout=10000)
    view.controls.pause.click()  # takes effect before the worker pulls record 5
    assert view.controls.pause.text() == "Resume"
    hold.release.set()
    qtbot.waitUntil(view.runner.gate.is_waiting, timeout=10000)
    qtbot.waitUntil(lambda: len(view.history) == 4, timeout=10000)
    assert view.runner.is_paused() and view.history.end is None
    assert "paused" in view.status_text() and view.verdict_text() == "paused at step 20"
    qtbot.waitUntil(lambda: not view.runner.lane._timer.isActive(), timeout=5000)  # no idle redraws
    view.controls.pause.click()
    assert view.controls.pause.text() == "Pause"
    wait_finished(qtbot, view)
    records, _ = engine_records()
    assert_shows(view, records)


def test_stop_while_paused_ends_the_thread_cleanly(qtbot, make_view):
    hold = Hold(at=2)
    view = make_view(train_fn=hold)
    view.start()
    qtbot.waitUntil(hold.reached.is_set, timeout=10000)
    view.pause()
    hold.release.set()
    qtbot.waitUntil(view.runner.gate.is_waiting, timeout=10000)
    with qtbot.waitSignal(view.runner.lane.sigEnded, timeout=10000, raising=False):
        view.controls.stop.click()
    qtbot.waitUntil(lambda: not view.is_running(), timeout=10000)
    assert view.history.end is None and len(view.history) == 3
    assert "stopped at step 15" in view.status_text()
    assert not view.controls.stop.isEnabled()
    view.shutdown()
    assert not view.runner.worker_thread().isRunning()


def test_restart_drops_the_old_run(qtbot, make_view):
    hold = Hold(at=1)
    view = make_view(train_fn=hold)
    first = view.start()
    qtbot.waitUntil(hold.reached.is_set, timeout=10000)
    config = TrainConfig(steps=30, eval_every=3, batch_size=16, optimizer="adam", lr=1e-3)
    view.controls.set_config(config)
    second = view.start()  # Restart: the held run is stopped, its records never shown
    assert second > first
    hold.release.set()
    wait_finished(qtbot, view)
    assert view.history.start.config == config.to_dict()
    assert_shows(view, engine_records(config=config)[0])


def test_an_impossible_config_is_reported(qtbot, make_view):
    view = make_view(config=TrainConfig(steps=10, batch_size=5000))
    view.start()
    qtbot.waitUntil(lambda: not view.is_running(), timeout=10000)
    assert "batch size 5000" in view.status_text()
    assert "could not train" in view.verdict_text()
    assert view.controls.start.isEnabled() and not view.controls.stop.isEnabled()


def test_batch_norm_with_mini_batches_of_one_row_is_refused(qtbot, make_view):
    view = make_view(spec_source=lambda: replace(SPEC, norm="batch"),
                     config=TrainConfig(steps=10, batch_size=1))
    view.start()
    qtbot.waitUntil(lambda: not view.is_running(), timeout=10000)
    assert "batch norm needs mini-batches of at least 2 rows" in view.status_text()
    assert "could not train" in view.verdict_text() and view.history.end is None


def test_settings_change_does_not_stop_the_run(qtbot, make_view):
    current = {"spec": SPEC}
    hold = Hold(at=1)
    view = make_view(spec_source=lambda: current["spec"], train_fn=hold)
    view.start()
    qtbot.waitUntil(hold.reached.is_set, timeout=10000)
    current["spec"] = SPEC.replace(activation="tanh", init="xavier_normal")
    view.spec_changed(current["spec"])
    assert "Settings now: tanh" in view.network_text()
    assert view.runner.is_running()
    hold.release.set()
    wait_finished(qtbot, view)
    assert_shows(view, engine_records()[0])  # the spec it started with


def test_hover_on_the_heatmap_reads_step_layer_and_value(qtbot, make_view):
    view = make_view()
    view.start()
    wait_finished(qtbot, view)
    vb = view.grad_map.current.plot.vb
    point = vb.mapViewToScene(pg.QtCore.QPointF(22.0, 3.0))  # the column of step 25
    view.plots.hover(point)
    value = view.history.layers("log10_grad_norm")[4, 2]
    assert view.readout_text().startswith(f"step 25 · layer 3 · log10 ‖∂L/∂W‖ = {value:.2f}")
    view.plots.hover(vb.mapViewToScene(pg.QtCore.QPointF(22.0, 40.0)))
    assert view.readout_text() == ""


def test_teacher_task(qtbot, make_view):
    config = TrainConfig(steps=20, eval_every=5, batch_size=32, task="teacher")
    spec = SPEC.replace(input="normal", in_features=8)
    view = make_view(spec_source=lambda: spec, config=config)
    assert not view.controls.task.model().item(2).isEnabled()  # no file input in Settings
    view.start()
    wait_finished(qtbot, view)
    assert_shows(view, engine_records(spec, config)[0])
    assert "task teacher" in view.headline.settings.text
    view.spec_changed(spec.replace(input="file", input_path="labelled.csv"))
    assert view.controls.task.model().item(2).isEnabled()


def test_pin_adds_a_labelled_curve(qtbot, make_view):
    view = make_view()
    view.set_font_size(13)
    assert view.pin() is None  # nothing yet
    view.start()
    wait_finished(qtbot, view)
    label = view.pin()
    assert label == "relu · 6 layers · width 16 · kaiming_normal × 1"
    assert view.pin_labels() == [label]
    names = [item.text for _, item in view.legend.items]
    assert f"pinned: {label}" in names
    pin = view.loss.pin_item(label)
    np.testing.assert_array_equal(pin.yData, view.history.series("test_loss"))
    assert view.pin() == f"{label} (2)"
    view.remove_pin(label)
    assert view.pin_labels() == [f"{label} (2)"]
    view.clear_pins()
    assert view.pin_labels() == []
    assert not any(t.startswith("pinned") for t in (i.text for _, i in view.legend.items))


@pytest.mark.parametrize("lr", [1e8, 3e5])
def test_divergence_shows_the_verdict(qtbot, make_view, lr):
    config = TrainConfig(steps=60, eval_every=5, batch_size=32, lr=lr)
    view = make_view(config=config)
    view.start()
    wait_finished(qtbot, view)
    end = engine_records(config=config)[1]
    assert end.diverged
    assert view.history.end.verdict == end.verdict
    assert "diverged at step" in view.verdict_text()
    assert not view.controls.stop.isEnabled()


def test_export_writes_a_picture_and_the_cli_schema(qtbot, make_view, tmp_path):
    view = make_view()
    with pytest.raises(ValueError):
        view.export_records(str(tmp_path / "none.json"))
    view.start()
    wait_finished(qtbot, view)
    png = tmp_path / "train.png"
    view.export_image(str(png))
    image = QImage(str(png))
    assert image.width() > 500 and image.height() > 400
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 50
    view.export_image(str(tmp_path / "train.svg"))
    assert (tmp_path / "train.svg").read_text().startswith("<?xml")
    view.export_records(str(tmp_path / "train.json"))
    doc = json.loads((tmp_path / "train.json").read_text())
    records, end = engine_records()
    assert doc["records"] == [record_dict(r) for r in records]
    assert doc["verdict"]["text"] == end.verdict and doc["network"] == SPEC.to_dict()
    view.export_records(str(tmp_path / "train.csv"))
    lines = (tmp_path / "train.csv").read_text().splitlines()
    assert lines[0].startswith("step,train_loss,") and "log10_grad_norm_6" in lines[0]
    assert len(lines) == 1 + len(records)
    with pytest.raises(ValueError):
        view.export_image(str(tmp_path / "train.jpg"))


def test_export_menu_writes_through_the_file_dialog(qtbot, make_view, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    view = make_view()
    view.start()
    wait_finished(qtbot, view)
    target = tmp_path / "menu.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    actions = view.controls.export.menu().actions()
    actions[1].trigger()
    assert target.exists() and view.status_text() == f"wrote {target}"
    target = tmp_path / "menu.bmp"
    actions[0].trigger()
    assert not target.exists() and "cannot export" in view.status_text()


def test_train_tab_in_the_window_and_close_during_a_run(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from gradexplorer.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, presets=[], restore=False)
    qtbot.addWidget(window)
    view = next(v for title, v in window.views if title == "Train")
    assert window.tabs.indexOf(view) > 0
    window.show()
    window.apply_spec(SPEC)  # as another view would, without sigSpecChanged
    window.tabs.setCurrentWidget(view)
    assert "relu · 6 layers" in view.network_text()
    window.panel.network.depth.setValue(7)  # an edit in the dock: sigSpecChanged
    window.panel.flush()
    qtbot.waitUntil(lambda: "relu · 7 layers" in view.network_text(), timeout=5000)
    window.apply_spec(SPEC)
    view.controls.set_config(TrainConfig(steps=100000, eval_every=5, batch_size=32))
    view.start()
    qtbot.waitUntil(lambda: len(view.history) >= 2, timeout=20000)
    window.close()
    assert not view.runner.worker_thread().isRunning()
    assert isinstance(view.history.records[0], TrainRecord)
    assert not isinstance(view.history.end, TrainEnd)


def test_close_the_window_while_paused(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from gradexplorer.gui.main_window import MainWindow

    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                        presets=[], restore=False)
    qtbot.addWidget(window)
    view = next(v for title, v in window.views if title == "Train")
    window.apply_spec(SPEC)
    view.controls.set_config(TrainConfig(steps=100000, eval_every=5, batch_size=32))
    view.start()
    qtbot.waitUntil(lambda: len(view.history) >= 1, timeout=20000)
    view.pause()
    qtbot.waitUntil(view.runner.gate.is_waiting, timeout=10000)
    window.close()
    assert not view.runner.worker_thread().isRunning()
