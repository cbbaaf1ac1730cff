"""The application entry point and the About box's facts."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

import gradexplorer
from gradexplorer.gui import app
from gradexplorer.gui.main_window import MainWindow
from gradexplorer.gui.window_actions import ABOUT


def test_main_shows_the_window_and_returns_when_it_closes(qtbot):
    seen = []

    def close_windows():
        for w in QApplication.topLevelWidgets():
            if isinstance(w, MainWindow):
                seen.append(w)
                w.close()

    QTimer.singleShot(200, close_windows)
    assert app.main(["gradexplorer"]) == 0
    assert seen and not seen[0].lane.worker_thread().isRunning()
    assert QCoreApplication.organizationName() == app.ORGANIZATION
    for w in seen:
        w.deleteLater()


def test_about_names_version_and_data_attribution():
    text = ABOUT.format(version=gradexplorer.__version__)
    assert gradexplorer.__version__ in text
    assert "UCI Optical Recognition of Handwritten Digits" in text and "CC BY 4.0" in text
