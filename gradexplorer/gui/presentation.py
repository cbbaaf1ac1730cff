"""The presentation scale and presentation mode of the main window (appearance only).

One scale drives every text: widgets follow the application font (menus, tab bar, buttons,
status bar, the preset explanation, section headers, tables), plots follow
:func:`gradexplorer.gui.plots.style.set_scale` (titles, axis labels, ticks, legends, colour bars,
text items), to which every plot registers its font setter.

Presentation mode (F11) is full screen without what a projector does not need: the status
bar's progress bar and run time and the dock's title bar. Esc leaves it (and plain full screen).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from gradexplorer.gui.plots import style

#: The steps of View ▸ Zoom in / Zoom out (multiples of 0.1, so a stored font size of
#: 10 × scale points restores them exactly).
SCALE_STEPS = (0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.5)
_BASE_PROPERTY = "gradexplorer_base_points"


def base_points() -> float:
    """The application font's size at 1.0× (remembered at the first call), in points."""
    app = QApplication.instance()
    base = app.property(_BASE_PROPERTY)
    if not base:
        base = app.font().pointSizeF()
        if base <= 0:
            base = 9.0
        app.setProperty(_BASE_PROPERTY, base)
    return float(base)


def apply_scale(scale: float) -> float:
    """Scale every widget font and every plot font by ``scale``; return the scale applied.

    The widgets get the application font at ``scale`` × its 1.0× size; widgets that set only
    part of a font (bold, italic) keep following it. Plots re-font through
    :func:`~gradexplorer.gui.plots.style.set_scale` and re-lay themselves out.
    """
    base = base_points()
    scale = style.set_scale(scale)
    app = QApplication.instance()
    font = QFont(app.font())
    font.setPointSizeF(round(base * scale, 1))
    app.setFont(font)
    # A widget with a style sheet (the preset explanation, section headers, status labels)
    # keeps the font it was polished with: polish it again so it follows the new size.
    # Only the widgets of visible windows: allWidgets() also holds closed windows' widgets that
    # await deletion, and re-polishing those crashed (rarely) in the test suite.
    for top in app.topLevelWidgets():
        if not top.isVisible():
            continue
        for widget in (top, *top.findChildren(QWidget)):
            sheet = widget.styleSheet()
            if sheet:
                widget.setStyleSheet(sheet)
    return scale


def next_step(scale: float, direction: int) -> float:
    """The zoom step after ``scale`` in ``direction`` (+1 bigger, -1 smaller)."""
    if direction > 0:
        return next((s for s in SCALE_STEPS if s > scale + 1e-9), SCALE_STEPS[-1])
    return next((s for s in reversed(SCALE_STEPS) if s < scale - 1e-9), SCALE_STEPS[0])


class PresentationMode(QObject):
    """F11: full screen without status details and dock title; Esc leaves full screen.

    Parameters
    ----------
    window : the main window (its ``dock``, ``progress`` and ``run_time`` are hidden while on).
    """

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.w = window
        self.on = False
        self._was_maximized = False
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), window)
        self._escape.setContext(Qt.ShortcutContext.WindowShortcut)
        self._escape.activated.connect(self.leave)

    def _chrome(self) -> list[QWidget]:
        names = ("progress", "run_time", "verdict")  # the headline shows the verdict, big
        return [w for w in (getattr(self.w, n, None) for n in names) if w is not None]

    def toggle(self) -> None:
        """Enter presentation mode, or leave it."""
        if self.on:
            self.leave()
        else:
            self.enter()

    def enter(self) -> None:
        """Full screen; hide the progress bar, run time, status verdict and the dock's title."""
        self.on = True
        self._was_maximized = self.w.isMaximized()
        for widget in self._chrome():
            widget.setVisible(False)
        dock = getattr(self.w, "dock", None)
        if dock is not None:
            dock.setTitleBarWidget(QWidget(dock))  # an empty title bar: no "Settings" strip
        self.w.showFullScreen()

    def leave(self) -> None:
        """Back to the normal window (Esc also leaves plain full screen)."""
        if self.on:
            self.on = False
            for widget in self._chrome():
                widget.setVisible(True)
            dock = getattr(self.w, "dock", None)
            if dock is not None:
                dock.setTitleBarWidget(None)
        if self.w.isFullScreen():
            if self._was_maximized:
                self.w.showMaximized()
            else:
                self.w.showNormal()
