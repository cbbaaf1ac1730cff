"""Start the desktop application: ``main(argv)`` creates the QApplication and the main window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

import gradexplorer

ORGANIZATION = "gradexplorer"
APPLICATION = "gradexplorer"


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

    from .main_window import MainWindow

    window = MainWindow()
    window.show()
    return app.exec()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
