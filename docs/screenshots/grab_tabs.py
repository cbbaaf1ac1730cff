"""Grab every tab of the window at a presentation scale and size (how the zoom-*.png were made).

    QT_QPA_PLATFORM=offscreen python docs/screenshots/grab_tabs.py 1.6 1920 1080 /tmp/shot

writes /tmp/shot-layers.png, /tmp/shot-phase.png, ... (the first-launch story: sigmoid + Xavier
against a pinned ReLU + He). Settings go to a temporary file, never to the user's. A fifth
argument ``run`` first runs the Sweep tab and trains 100 steps on the Train tab (their plots
with data, as zoom-sweep-*.png and zoom-train-*.png show them).
"""

from __future__ import annotations

import sys
import tempfile
import time

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication


def settle(seconds: float) -> None:
    """Run the event loop for ``seconds``. (QTest.qWait keeps Python's GIL: the worker threads
    then hardly ran, and the phase diagram was never computed within the minute it got.)"""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def run_tab(view) -> None:
    """Run a Sweep or Train view and wait until it is done (nothing for other tabs)."""
    if hasattr(view, "run_button"):
        view.run()
    elif hasattr(view, "controls") and hasattr(view.controls, "steps"):
        view.controls.steps.setValue(100)
        view.start()
    else:
        return
    deadline = time.time() + 120
    while view.is_running() and time.time() < deadline:
        settle(0.2)


def main(scale: float, width: int, height: int, prefix: str, run: bool = False) -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from gradexplorer.gui.main_window import MainWindow

    ini = tempfile.mkdtemp() + "/settings.ini"
    win = MainWindow(settings=QSettings(ini, QSettings.Format.IniFormat), restore=False)
    win.show_story()
    win.resize(width, height)
    win.show()
    win.set_font_size(round(10 * scale))
    settle(4)
    for i in range(win.tabs.count()):
        win.tabs.setCurrentIndex(i)
        settle(6 if i else 1)
        view = win.tabs.widget(i)
        if run:
            run_tab(view)
        deadline = time.time() + 60
        while getattr(getattr(view, "plot", None), "diagram", 0) is None and time.time() < deadline:
            settle(0.1)  # the phase diagram's grid
        settle(1)
        name = win.tabs.tabText(i).split()[0].lower()
        win.grab().save(f"{prefix}-{name}.png")
    win.close()
    app.processEvents()


if __name__ == "__main__":
    main(float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4],
         sys.argv[5:6] == ["run"])
