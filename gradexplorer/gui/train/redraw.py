"""Pacing the Train tab's redraws so that training in the GUI keeps the CLI's step rate.

Issue 12: recording every step, 20,000 steps took 462 s in the GUI against 89 s in the CLI. The
records themselves are cheap to store (:class:`~.history.TrainHistory` appends rows); what
cost was redrawing every plot (curves of n points, a heatmap of n × L, axes) for each batch of
records — Python work on the GUI thread that grows with the steps and holds the interpreter
lock the training thread needs. :class:`RedrawPacer` redraws at most every ``interval``
seconds, where the interval follows the measured cost of the last redraw (update + paint) so
that drawing takes at most :data:`DRAW_SHARE` of the wall time: ≥ :data:`MIN_INTERVAL` (10 Hz)
for small runs, slower as the history grows, never slower than :data:`MAX_INTERVAL`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

#: Shortest and longest time between two redraws while records stream (seconds).
MIN_INTERVAL = 0.1
MAX_INTERVAL = 2.0
#: Largest fraction of the wall time the redraws may take while training runs.
DRAW_SHARE = 0.08


class RedrawPacer:
    """Calls ``draw()`` at most every :attr:`interval` seconds; :meth:`request` asks for one.

    Parameters
    ----------
    draw : callable
        Redraws the plots from the stored records.
    paint_seconds : callable
        Seconds the plots' last repaint took (``TimedView.paint_seconds``).
    parent : QObject
        Owns the single-shot timer that draws a request made too early.
    """

    def __init__(self, draw: Callable[[], None], paint_seconds: Callable[[], float],
                 parent: QObject):
        self._draw = draw
        self._paint_seconds = paint_seconds
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.draw_now)
        self._drawn = -math.inf
        self.interval = MIN_INTERVAL

    def request(self) -> None:
        """Draw now if the last redraw is ``interval`` ago, else once when it is."""
        wait = self._drawn + self.interval - time.perf_counter()
        if wait <= 0:
            self.draw_now()
        elif not self._timer.isActive():
            self._timer.start(math.ceil(1000 * wait))

    def draw_now(self) -> None:
        """Draw at once (a run's end, Pause, a test) and adapt the interval to its cost."""
        self._timer.stop()
        started = time.perf_counter()
        self._draw()
        now = time.perf_counter()
        cost = now - started + self._paint_seconds()
        self._drawn = now
        self.interval = min(MAX_INTERVAL, max(MIN_INTERVAL, cost / DRAW_SHARE))

    def pending(self) -> bool:
        """True while a requested redraw waits for its time."""
        return self._timer.isActive()

    def reset(self) -> None:
        """A new run: forget the pending redraw and the measured cost."""
        self._timer.stop()
        self._drawn = -math.inf
        self.interval = MIN_INTERVAL
