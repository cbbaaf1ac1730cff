"""Opening a FIFO, a device or a folder as a session: refused at once with a message naming it.

A FIFO with no writer would block ``open()`` forever (issue 12, case 5: the GUI froze).
"""

from __future__ import annotations

import os
import time

import pytest
from PySide6.QtCore import QSettings

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.gui.main_window import MainWindow

SMALL = NetworkSpec(depth=3, width=8, in_features=8, batch=16)


@pytest.fixture
def window(qtbot, tmp_path):
    w = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                   presets=[], restore=False)
    qtbot.addWidget(w)
    w.apply_spec(SMALL)
    return w


def _special(kind: str, tmp_path) -> tuple[str, str]:
    if kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs on this system")
        path = tmp_path / "session.json"
        os.mkfifo(path)
        return str(path), "not a regular file"
    if kind == "device":
        if not os.path.exists("/dev/zero"):
            pytest.skip("no /dev/zero")
        return "/dev/zero", "not a regular file"
    path = tmp_path / "folder.json"
    path.mkdir()
    return str(path), "folder"


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_special_file_is_refused_without_blocking(window, tmp_path, kind):
    path, words = _special(kind, tmp_path)
    spec_before = window.state.spec()
    started = time.perf_counter()
    assert window.actions_.open_session(path) is False
    assert time.perf_counter() - started < 0.5
    message = window.status_text()
    assert path in message and words in message and "could not open session" in message
    assert window.state.spec() == spec_before  # nothing the user had changed
