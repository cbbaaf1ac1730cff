"""The main window's status bar widgets: message, verdict, progress and run time."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar


def build_status_bar(bar: QStatusBar) -> tuple[QLabel, QLabel, QProgressBar, QLabel]:
    """Fill ``bar``; return (message, verdict, progress, run_time).

    The message (selectable, stretching) is on the left; verdict (bold), progress ("k / m
    layers": forward 1..L, then backward L..1) and the run time label are permanent on the
    right.
    """
    message = QLabel("")
    message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    progress = QProgressBar()
    progress.setFixedWidth(220)
    progress.setFormat("%v / %m layers")
    progress.setToolTip("Layers done in this run: forward 1..L, then backward L..1.")
    run_time = QLabel("")
    run_time.setMinimumWidth(90)
    verdict = QLabel("")
    verdict.setStyleSheet("font-weight: bold;")
    verdict.setToolTip("Gradient at layer 1 relative to layer L, in decades.")
    bar.addWidget(message, 1)
    bar.addPermanentWidget(verdict)
    bar.addPermanentWidget(progress)
    bar.addPermanentWidget(run_time)
    return message, verdict, progress, run_time
