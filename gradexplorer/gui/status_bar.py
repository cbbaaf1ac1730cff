"""The main window's status bar widgets: message, verdict, progress and run time."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from gradexplorer.gui.fitted_progress import FittedProgressBar
from gradexplorer.gui.verdict_label import VerdictLabel


def build_status_bar(bar: QStatusBar) -> tuple[QLabel, VerdictLabel, QProgressBar, QLabel]:
    """Fill ``bar``; return (message, verdict, progress, run_time).

    The message (selectable, stretching) is on the left; verdict (bold, elided: run_verdict's
    status), progress ("k / m layers": forward 1..L, then backward L..1) and the run time label
    are permanent on the right.
    """
    message = QLabel("")
    message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    progress = FittedProgressBar(220)  # grows with the type and the depth
    progress.setFormat("%v / %m layers")
    progress.setToolTip("Layers done in this run: forward 1..L, then backward L..1.")
    run_time = QLabel("")
    run_time.setMinimumWidth(90)
    verdict = VerdictLabel()  # run_verdict's status, elided; the details in its tooltip
    bar.addWidget(message, 1)
    bar.addPermanentWidget(verdict, 1)
    bar.addPermanentWidget(progress)
    bar.addPermanentWidget(run_time)
    return message, verdict, progress, run_time
