"""Grab story steps at a presentation scale and window size (how story-step-*.png were made).

    QT_QPA_PLATFORM=offscreen python docs/screenshots/grab_story.py 1.6 1920 1080 /tmp/story 1 6

writes /tmp/story-1.png, /tmp/story-6.png (steps are 1-based; none given: every step). The
steps are reached as a presenter would, with Page Down. Settings go to a temporary file.
"""

from __future__ import annotations

import sys
import tempfile
import time

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def settle(seconds: float) -> None:
    """Run the event loop for ``seconds`` (QTest.qWait keeps the GIL from the worker threads)."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_step(win, timeout: float = 120.0) -> None:
    """Until the step's own run is shown, complete, with its pin."""
    step = win.story.step()
    deadline = time.time() + timeout
    while time.time() < deadline and not (
            win.state.result_spec() == step.spec and not win.state.is_pending()
            and not win.is_running()):
        settle(0.05)


def main(scale: float, width: int, height: int, prefix: str, steps: list[int]) -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from gradexplorer.gui.main_window import MainWindow

    ini = tempfile.mkdtemp() + "/settings.ini"
    win = MainWindow(settings=QSettings(ini, QSettings.Format.IniFormat), restore=False)
    win.resize(width, height)
    win.show()
    win.activateWindow()
    QTest.qWaitForWindowActive(win)
    win.set_font_size(round(10 * scale))
    win.story.start(0)
    steps = steps or list(range(1, len(win.story.story.steps) + 1))
    for number in range(1, max(steps) + 1):
        if number > 1:
            QTest.keyClick(win, Qt.Key.Key_PageDown)
        if number in steps:
            wait_step(win)
            settle(2)
            win.grab().save(f"{prefix}-{number}.png")
    win.close()
    app.processEvents()


if __name__ == "__main__":
    main(float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4],
         [int(a) for a in sys.argv[5:]])
