"""The window fits its screen: the default 1400 × 900 would hang off a smaller screen (the
offscreen platform's is 800 × 800, smaller than the default as a 1366 × 768 laptop is)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from gradexplorer.gui.app import make_window, show_on_screen


def test_a_window_larger_than_its_screen_opens_maximized_within_it(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = make_window(settings)
    qtbot.addWidget(window)
    area = window.screen().availableGeometry()
    assert area.width() < 1400 or area.height() < 900  # the case under test
    qtbot.waitUntil(lambda: window.isMaximized())
    qtbot.waitUntil(lambda: area.contains(window.frameGeometry()))


def test_a_window_that_fits_keeps_its_size(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    show_on_screen(widget)
    qtbot.waitExposed(widget)
    assert not widget.isMaximized()
    assert (widget.width(), widget.height()) == (400, 300)
