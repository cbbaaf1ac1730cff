"""GUI exports and files: the data export is the CLI's document byte for byte, a failed write
(full disk) keeps the old file and shows one message, damaged settings and sessions never stop
the window, and the GUI never imports the CLI."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading

import pytest
from PySide6.QtCore import QSettings

from gradexplorer.cli.main import main as cli_main
from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import collect
from gradexplorer.gui.export import write_data
from gradexplorer.gui.main_window import MainWindow
from gradexplorer.io import documents
from gradexplorer.io.sessions import CONTROL_LIMITS, FORMAT

SPEC = NetworkSpec(depth=5, width=12, in_features=8, batch=16, activation="relu",
                   init="kaiming_normal", seed=4)
ARGS = ["--depth", "5", "--width", "12", "--in-features", "8", "--batch", "16", "--activation",
        "relu", "--init", "kaiming_normal", "--seed", "4"]


def _full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_gui_data_export_is_the_cli_document_byte_for_byte(tmp_path, capsys, monkeypatch, fmt):
    result = collect(propagate(SPEC))
    path = tmp_path / f"run.{fmt}"
    write_data(result, SPEC, str(path))
    import gradexplorer.engine.runs.result as result_module

    monkeypatch.setattr(result_module, "collect", lambda records: result)  # same run, same time
    assert cli_main(["run", *ARGS, "--format", fmt]) == 0
    printed = capsys.readouterr().out
    assert path.read_bytes() == printed.encode("utf-8")
    assert printed == documents.run_text(result, SPEC, fmt)
    if fmt == "json":
        assert list(json.loads(printed)) == ["format", "version", "config", "data", "widths",
                                             "loss", "verdict", "warnings", "seconds",
                                             "layers"]


@pytest.fixture
def window(qtbot, tmp_path, wait_for_run):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, presets=[], restore=False)
    qtbot.addWidget(w)
    w.show()
    w.panel.set_spec(SPEC)
    w.request_run(SPEC)
    wait_for_run(qtbot, w, SPEC)
    return w


@pytest.mark.parametrize("name", ["old.json", "old.csv", "old.png", "old.svg", "old.gxs.json"])
def test_exports_on_a_full_disk_keep_the_old_file(window, tmp_path, monkeypatch, name):
    path = tmp_path / name
    path.write_bytes(b"the user's old file")
    monkeypatch.setattr(os, "fsync", _full)
    if name.endswith(".gxs.json"):
        assert not window.actions_.save_session(str(path))
    elif name.endswith((".png", ".svg")):
        assert not window.actions_.export_image(str(path), (300, 200))
    else:
        assert not window.actions_.export_data(str(path))
    assert path.read_bytes() == b"the user's old file"
    assert [n for n in os.listdir(tmp_path) if n != "settings.ini"] == [name]
    assert "No space left on device" in window.status_text()
    monkeypatch.undo()
    if name.endswith(".json") and not name.endswith(".gxs.json"):
        assert window.actions_.export_data(str(path))
        assert json.loads(path.read_text())["format"] == "gradexplorer-run"


def test_render_over_an_old_png_on_a_full_disk(capsys, tmp_path, monkeypatch):
    path = tmp_path / "old.png"
    path.write_bytes(b"old picture")
    monkeypatch.setattr(os, "fsync", _full)
    code = cli_main(["render", "-o", str(path), "--depth", "3", "--width", "8", "--batch", "8",
                     "--size", "320x200"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "No space left on device" in err
    assert path.read_bytes() == b"old picture" and os.listdir(tmp_path) == ["old.png"]


def test_train_records_export_is_atomic(tmp_path, monkeypatch):
    from gradexplorer.engine.training.trainer import TrainConfig, train
    from gradexplorer.gui.train.history import TrainHistory
    from gradexplorer.gui.train.records_io import write_records

    history = TrainHistory()
    for rec in train(NetworkSpec(depth=2, width=8, input="digits"),
                     TrainConfig(steps=4, eval_every=2, batch_size=16)):
        history.add(rec)
    path = tmp_path / "records.csv"
    path.write_text("old")
    monkeypatch.setattr(os, "fsync", _full)
    with pytest.raises(OSError):
        write_records(history, path)
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["records.csv"]
    monkeypatch.undo()
    write_records(history, path)
    assert path.read_text().startswith("step,train_loss")


def _settings_with(tmp_path, **values):
    settings = QSettings(str(tmp_path / "damaged.ini"), QSettings.Format.IniFormat)
    for key, value in values.items():
        settings.setValue(key.replace("__", "/"), value)
    settings.sync()
    return settings


@pytest.mark.parametrize("values", [
    {"window__geometry": "hello"}, {"window__state": 42}, {"window__geometry": 3.5},
    {"view__font_points": "big"}, {"view__font_points": "١٢"}, {"view__font_points": 500},
    {"spec": "{garbage"}, {"spec": json.dumps({"gain": 5e6})}, {"spec": "[" * 10_000},
    {"spec": 17}, {"view__show_theory": "maybe"}, {"view__show_theory": 3.5},
])
def test_damaged_settings_never_stop_the_window(qtbot, tmp_path, values):
    settings = _settings_with(tmp_path, **values)
    w = MainWindow(settings=settings, presets=[], restore=True)
    qtbot.addWidget(w)
    w.show()
    assert w.panel.spec() == NetworkSpec()
    qtbot.waitUntil(lambda: "ignored damaged stored" in w.status_text(), timeout=5000)
    w.close()


@pytest.mark.parametrize("text, shown", [("true", True), ("false", False), ("maybe", True)])
def test_stored_theory_toggle_is_read_strictly(qtbot, tmp_path, text, shown):
    path = tmp_path / "toggle.ini"
    path.write_text(f"[view]\nshow_theory={text}\n")
    w = MainWindow(settings=QSettings(str(path), QSettings.Format.IniFormat), presets=[],
                   restore=True)
    qtbot.addWidget(w)
    assert w.theory.is_visible() is shown
    if text == "maybe":
        qtbot.waitUntil(lambda: "damaged stored theory toggle" in w.status_text(), timeout=5000)
    w.close()


def test_the_exact_damaged_file_of_the_report(qtbot, tmp_path):
    path = tmp_path / "report.ini"
    path.write_text("[window]\ngeometry=hello\nstate=42\n[view]\nfont_points=x\n"
                    "[General]\nspec={\"depth\": [1,2]}\n")
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, presets=[], restore=True)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: "window size, dock layout, font size, settings" in w.status_text(),
                    timeout=5000)
    w.close()


@pytest.mark.parametrize("doc, words", [
    ({"widths": 5}, "spec.widths"), ({"gain": 5e6}, "spec.gain must be between"),
    ({"bias_std": 5e6}, "spec.bias_std"), ({"input_mean": 1e308}, "spec.input_mean"),
])
def test_bad_session_values_are_named_in_the_window(window, tmp_path, doc, words):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"format": FORMAT, "version": 1,
                                "spec": {**SPEC.to_dict(), **doc}}))
    old = window.dashboard.result()
    assert not window.actions_.open_session(str(path))
    assert words in window.status_text() and window.panel.spec() == SPEC
    assert window.dashboard.result() is old


def test_a_fifo_session_is_refused_without_freezing(window, tmp_path):
    fifo = tmp_path / "s.gxs.json"
    os.mkfifo(fifo)
    done = threading.Event()
    threading.Timer(5, lambda: done.is_set() or _unblock(fifo)).start()
    assert not window.actions_.open_session(str(fifo))
    done.set()
    assert "not a regular file" in window.status_text()


def _unblock(fifo):  # only if the load blocked: open the writer end so the test fails, not hangs
    with open(fifo, "w"):
        pass


def test_session_limits_are_the_controls_ranges(window):
    init, data, net = window.panel.init, window.panel.data, window.panel.network
    spins = {"gain": init.gain.spin, "bias_std": init.bias_std, "input_mean": data.mean,
             "input_std": data.std, "negative_slope": net.slope,
             "residual_scale": window.panel.architecture.alpha.spin}
    for name, (lo, hi) in CONTROL_LIMITS.items():  # a session value is never clamped on load
        assert spins[name].minimum() <= lo and hi <= spins[name].maximum(), name
        assert round(lo, spins[name].decimals()) == pytest.approx(lo), name


def test_the_gui_never_imports_the_cli():
    code = ("import sys\nimport gradexplorer.gui.main_window, gradexplorer.gui.train.records_io, "
            "gradexplorer.gui.export, gradexplorer.gui.window_actions\n"
            "print([m for m in sys.modules if m.startswith('gradexplorer.cli')])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


@pytest.mark.parametrize("free, words", [
    (0, "No space left on device"),
    (2**40, "the PNG could not be written (Qt's image writer failed)")])
def test_a_png_qt_cannot_save_gets_a_reason(window, tmp_path, monkeypatch, free, words):
    import pyqtgraph as pg

    path = tmp_path / "old.png"
    path.write_bytes(b"old picture")
    monkeypatch.setattr(pg.exporters.ImageExporter, "export", lambda self, name: False)
    real = os.statvfs
    monkeypatch.setattr(os, "statvfs", lambda p: type("S", (), {
        "f_bavail": free, "f_frsize": 1, "f_blocks": real(p).f_blocks})())
    assert not window.actions_.export_image(str(path), (300, 200))
    text = window.status_text()
    assert f"cannot write {path}: {words}" in text and text.count(str(path)) == 1
    assert path.read_bytes() == b"old picture"
    assert [n for n in os.listdir(tmp_path) if n != "settings.ini"] == ["old.png"]
