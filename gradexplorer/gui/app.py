"""Start the desktop application: ``main(argv)`` creates the QApplication and the main window."""

from __future__ import annotations

import importlib
import sys
import threading

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

import gradexplorer

ORGANIZATION = "gradexplorer"
APPLICATION = "gradexplorer"


def _icon() -> QIcon | None:
    """The bundled application icon (SVG, else PNG), or None when not installed."""
    from gradexplorer.resource_files import resource_path

    for name in ("gradexplorer.svg", "gradexplorer-256.png"):
        try:
            return QIcon(str(resource_path("icons", name)))
        except FileNotFoundError:
            continue
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the GUI until the window closes; return the exit code.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments for Qt (default: ``sys.argv``).
    """
    argv = list(sys.argv if argv is None else argv)
    prewarm_engine()
    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName(ORGANIZATION)
    app.setOrganizationDomain("gradexplorer.invalid")
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("gradexplorer")
    app.setApplicationVersion(gradexplorer.__version__)
    app.setDesktopFileName("gradexplorer")  # matches packaging/gradexplorer.desktop
    icon = _icon()
    if icon is not None:
        app.setWindowIcon(icon)

    # Python's cyclic GC runs in whichever thread crosses the allocation threshold: a collection
    # in an engine worker can destroy GUI-thread Qt objects from the wrong thread and crash.
    # pyqtgraph's GarbageCollector disables automatic collection and collects on a GUI-thread
    # timer instead (pydev.blogspot.com/2014/03/should-python-garbage-collector-be.html).
    from pyqtgraph.util.garbage_collector import GarbageCollector

    collector = GarbageCollector(interval=1.0)  # noqa: F841 (kept alive until exec returns)
    window = make_window()  # noqa: F841 (kept alive until exec returns)
    code = app.exec()
    collector.timer.stop()
    from gradexplorer.gui.jobs.retired import wait_retired

    wait_retired()  # the window is gone; cancelled work still ending is waited for here
    return code


def prewarm_engine() -> threading.Thread:
    """Import the engine's run path on a background thread, now (returns the thread).

    The first run needs NumPy, SciPy's special functions and the theory's quadrature; imported
    while the window is being built, they are ready when the first run starts instead of
    delaying it by their import time. Harmless when already imported.
    """

    def load() -> None:
        try:
            importlib.import_module("gradexplorer.engine.runs.propagation")
        except Exception:  # noqa: BLE001 - the first run reports import errors itself
            pass

    thread = threading.Thread(target=load, name="gradexplorer-prewarm", daemon=True)
    thread.start()
    return thread


def make_window(settings=None, on_result=None):
    """Build, fill and show the main window (a QApplication must exist); return it.

    ``settings``: a QSettings (default: the application's); empty settings = first launch,
    which tells the story (sigmoid + Xavier beside ReLU + He, pinned). ``on_result(result,
    spec)`` is connected to the app state's ``sigResultChanged`` before the first run starts
    (the start-up benchmark times the first complete result with it).
    """
    prewarm_engine()
    from PySide6.QtCore import QSettings

    from gradexplorer.gui.main_window import MainWindow

    settings = settings if settings is not None else QSettings()
    first_launch = not settings.contains("spec")
    window = MainWindow(settings=settings, start=not first_launch,
                        early=_first_spec(settings, first_launch))
    if on_result is not None:
        window.state.sigResultChanged.connect(on_result)
    if first_launch:  # tell the story at a glance: its run first, the pinned one after
        if not window.show_story():
            window.request_run()
        window.story.offer()  # offered, not forced: nothing loads until "Start the story"
    show_on_screen(window)
    return window


def show_on_screen(window) -> None:
    """Show ``window`` at its size, or maximized when that size does not fit its screen.

    The default 1400 × 900 (or a size restored from a larger monitor) would hang off a
    1366 × 768 laptop or a 1280 × 720 projector, the right-hand plots and the status bar out of
    reach; maximized, the window manager fits it to the screen's available area exactly (and
    without a window manager, as in a kiosk or under Xvfb, it is first sized to that area).
    """
    from PySide6.QtGui import QGuiApplication

    screen = window.screen() or QGuiApplication.primaryScreen()
    area = screen.availableGeometry() if screen is not None else None
    if area is not None and (window.width() > area.width() or window.height() > area.height()):
        window.setGeometry(area.x(), area.y(), min(window.width(), area.width()),
                           min(window.height(), area.height()))  # where no manager maximizes
        window.showMaximized()
    else:
        window.show()


def _first_spec(settings, first_launch: bool):
    """The spec the window will run first: the story's at first launch, else the stored one
    (None if unknown or damaged: the window then starts its run once it is built)."""
    try:
        if first_launch:
            from gradexplorer.gui.main_window import STORY
            from gradexplorer.presets import get_preset

            return get_preset(STORY[0]).spec
        from gradexplorer.gui.window_actions import stored_spec

        return stored_spec(settings)
    except (OSError, KeyError, ValueError):  # no presets file, a damaged stored spec
        return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
