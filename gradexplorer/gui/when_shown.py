"""Drawing a tab's view only while it is on screen: the newest state is drawn when it is shown.

A view behind another tab still receives every result (the Layers dashboard during a drag of
the phase-diagram point got 20 runs a second, 9–14 ms of GUI time each, for nothing anyone
saw). :class:`WhenShown` is the rule, in one place: while the view's window is on screen but
the view is not, :meth:`WhenShown.defer` says "skip the drawing" and remembers that the view
is behind; the view's ``draw`` callable, which draws the newest state whole, runs once when
the view is shown again (before its first paint) or on demand (:meth:`WhenShown.catch_up`,
e.g. before an export). The view keeps its data current meanwhile (cheaply: no drawing), so
whatever reads it (status bar, exports, tests) sees the latest result.

A view whose window is not on screen (never shown, or an offscreen render) draws as usual.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class WhenShown(QObject):
    """Defers ``draw`` for ``view`` while the view is off screen (another tab is current).

    Parameters
    ----------
    view : QWidget
        The view; an event filter on it runs the deferred drawing at its Show event.
    draw : callable
        ``draw()`` draws the view's current state whole (called at most once per catch-up).
    """

    def __init__(self, view: QWidget, draw: Callable[[], None]):
        super().__init__(view)
        self._view = view
        self._draw = draw
        self.pending = False  # something was not drawn while off screen
        view.installEventFilter(self)

    def off_screen(self) -> bool:
        """True while the view's window is shown but the view is not (e.g. its tab is not
        current); False for a view whose window is not shown at all (it draws as usual)."""
        view = self._view
        return view.window().isVisible() and not view.isVisible()

    def defer(self) -> bool:
        """Whether to skip drawing now: True (and the view is drawn when shown) while
        :meth:`off_screen`, else False (draw now)."""
        if self.off_screen():
            self.pending = True
            return True
        return False

    def catch_up(self) -> bool:
        """Draw what was deferred, now (no-op when nothing was); True if it drew."""
        if not self.pending:
            return False
        self.pending = False
        self._draw()
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """At the view's Show event (before its first paint): draw what was deferred."""
        if watched is self._view and event.type() == QEvent.Type.Show:
            self.catch_up()
        return False
