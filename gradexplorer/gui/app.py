"""Start the desktop application: ``main(argv)`` creates the QApplication and the main window."""

from __future__ import annotations

import sys

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

    from gradexplorer.gui.main_window import MainWindow

    window = MainWindow()
    if not window.settings.contains("spec"):  # first launch: tell the story at a glance
        window.show_story()
    window.show()
    code = app.exec()
    from gradexplorer.gui.jobs.retired import wait_retired

    wait_retired()  # the window is gone; cancelled work still ending is waited for here
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
