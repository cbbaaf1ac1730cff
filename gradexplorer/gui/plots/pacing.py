"""Pacing the dashboard's redraws: heatmaps at ≤ 4 Hz while a run streams, timed repaints.

A heatmap redraw (stacking up to L histograms, colour-mapping the image, new levels) costs far
more than a curve's ``setData``, and what it adds in 1/60 s is a row or two nobody can see.
"""

from __future__ import annotations

import time

from gradexplorer.gui.plots.heatmap import HeatmapPlot
from gradexplorer.gui.plots.style import pg

#: Shortest time between two redraws of a heatmap while a run streams (seconds: ≤ 4 Hz).
HEATMAP_INTERVAL = 0.25


class TimedView(pg.GraphicsLayoutWidget):
    """A GraphicsLayoutWidget that remembers how long its last repaint took."""

    #: Seconds the last ``paintEvent`` took.
    paint_seconds = 0.0

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        started = time.perf_counter()
        super().paintEvent(event)
        self.paint_seconds = time.perf_counter() - started


class HeatmapPacer:
    """Redraws heatmaps at most every :data:`HEATMAP_INTERVAL` s, on a timer of its own.

    The redraw then never adds to the flush that brought the records. :meth:`take` draws at
    once when the heatmap's pass is complete, :meth:`draw_all` when the run ends, so the
    final image is always the exact one.

    Parameters
    ----------
    parent : QObject owning the timer (the dashboard).
    """

    def __init__(self, parent: pg.QtCore.QObject):
        self._stale: dict[str, HeatmapPlot] = {}  # heatmaps with rows not drawn yet
        self._drawn = -HEATMAP_INTERVAL  # perf_counter() of the last timed redraw
        self._timer = pg.QtCore.QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.draw_all)

    def reset(self) -> None:
        """Forget pending redraws (a new run)."""
        self._stale = {}
        self._timer.stop()

    def take(self, heatmap: HeatmapPlot, records: list, complete: bool) -> None:
        """Give ``records`` to ``heatmap``; draw it now if its pass is ``complete``, else soon."""
        if heatmap.add(records):
            self._stale[heatmap.field] = heatmap
        if complete:
            self._draw(heatmap)
        elif self._stale and not self._timer.isActive():
            wait = HEATMAP_INTERVAL - (time.perf_counter() - self._drawn)
            self._timer.start(max(0, round(1000 * wait)))

    def draw_all(self) -> None:
        """Redraw every heatmap with rows not drawn yet."""
        self._timer.stop()
        self._draw(None)
        self._drawn = time.perf_counter()

    def _draw(self, only: HeatmapPlot | None) -> None:
        for field, heatmap in list(self._stale.items()):
            if only is None or heatmap is only:
                del self._stale[field]
                heatmap.draw()
