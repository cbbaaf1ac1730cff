"""Child process of ``bench_interactive.py``'s start-up case (not a benchmark on its own).

``python benchmarks/startup_child.py bare|app T0``: ``T0`` is the parent's ``time.time()`` just
before it started this process. Prints one line ``seconds <s>`` (wall time from ``T0``) and,
for ``app``, ``marks name=s ...`` (imports done, window built, shown, first complete result):

- ``bare``: a QApplication, a QMainWindow holding one pyqtgraph PlotWidget with a line, shown
  at the app window's size (1400 x 900, maximized where that does not fit) and painted once
  (what any Qt + pyqtgraph app costs before it shows anything);
- ``app``: gradexplorer's window at first launch (empty settings: the sigmoid + Xavier story
  with ReLU + He pinned), until the story's own run is shown complete (``sigResultChanged``
  for the current spec).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def bare(t0: float) -> float:
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])
    window = QMainWindow()
    plot = pg.PlotWidget()
    plot.plot([1, 2, 3], [1, 3, 2])
    window.setCentralWidget(plot)
    window.resize(1400, 900)
    # as the app's window (gui.app.show_on_screen): maximized where 1400 x 900 does not fit,
    # e.g. the offscreen platform's 800 x 800 screen, so both paint the same area
    area = app.primaryScreen().availableGeometry()
    if window.width() > area.width() or window.height() > area.height():
        window.setGeometry(area)
        window.showMaximized()
    else:
        window.show()
    plot.repaint()  # painted once: the plot is on screen
    app.processEvents()
    return time.time() - t0


def gradexplorer_app(t0: float) -> tuple[float, dict[str, float]]:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from gradexplorer.gui.app import make_window

    marks = {"imports": time.time() - t0}
    app = QApplication([])
    settings = QSettings(os.path.join(tempfile.mkdtemp(), "first-launch.ini"),
                         QSettings.Format.IniFormat)
    done: list[float] = []

    def on_result(_result, spec) -> None:
        if spec == window.state.spec() and not done:
            done.append(time.time() - t0)
            app.quit()

    window = make_window(settings, on_result=on_result)
    marks["window shown"] = time.time() - t0
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    marks["first result"] = done[0] if done else float("nan")
    return marks["first result"], marks


if __name__ == "__main__":
    kind, start = sys.argv[1], float(sys.argv[2])
    if kind == "bare":
        print(f"seconds {bare(start):.4f}")
    else:
        seconds, marks = gradexplorer_app(start)
        print(f"seconds {seconds:.4f}")
        print("marks " + " ".join(f"{k.replace(' ', '_')}={v:.3f}" for k, v in marks.items()))
    sys.stdout.flush()
    os._exit(0)  # measured; tearing Qt and the worker threads down is not
