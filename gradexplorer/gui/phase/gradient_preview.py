"""The current run's gradient curve, small, under the phase diagram.

Dragging the point sets gain and bias std and the Layers tab re-runs; this preview shows that
run's measured log10 RMS of ∂L/∂h (solid) with its mean-field prediction (dashed) right beside
the point, so the flip from vanishing to exploding is seen while dragging. It only displays
what the dashboard already holds (``Dashboard.result()``); it computes nothing. Its y range
stays put while the curves stay well inside it (:mod:`gradexplorer.gui.plots.sticky`, as the
Layers tab's plots): pyqtgraph's auto range refitted it, and regenerated the tick text, at
every run of a drag (~3 ms of a result's GUI time).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QFont, QFontMetrics

from gradexplorer.gui.plots.axis_space import cache_axes, tick_axes
from gradexplorer.gui.plots.panel import Y_PADDING
from gradexplorer.gui.plots.sticky import refit
from gradexplorer.gui.plots.style import (
    MEASURED,
    follow_scale,
    layer_x,
    pg,
    set_axis_label,
    set_title,
    style_axis,
)

FIELD = "log10_grad_preact_rms"
#: The preview's least height in lines of its type: ~4 for title and x axis, ~3.5 of data.
PREVIEW_LINES = 7


class GradientPreview(pg.PlotWidget):
    """A compact plot of the dashboard's current gradient curve and its theory."""

    def __init__(self, parent=None):
        super().__init__(parent=parent, background="k")
        item = self.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setMenuEnabled(False)
        self._title = "the current run (as in the Layers tab)"
        self._points = 10
        self._depth = 0  # the x range shows layers 1.._depth
        self._fitted = False  # the y range was fitted to a run (not zoomed since)
        item.vb.disableAutoRange()
        self.measured = item.plot([], [], pen=pg.mkPen(MEASURED["grad"], width=2.5),
                                  connect="finite")
        self.theory = item.plot([], [], connect="finite",
                                pen=pg.mkPen(MEASURED["grad"], width=1.5,
                                             style=pg.QtCore.Qt.PenStyle.DashLine))
        cache_axes(tick_axes([item]))  # a new curve at every result: blit the axes
        follow_scale(self.set_font)

    def set_font(self, points: int) -> None:
        """Tick, label and title fonts in ``points``; the height follows the type size."""
        self._points = points
        item = self.getPlotItem()
        for side in ("left", "bottom"):
            style_axis(item.getAxis(side), points)  # log10 values, never "×0.001"
        set_axis_label(item, "left", "∂L/∂h (log10)", points)
        set_axis_label(item, "bottom", "layer l — solid: measured, dashed: theory", points)
        set_title(item, self._title, points, one_line=True)
        # the diagram above keeps most of the height; the preview keeps its title, x axis and
        # label and ~3.5 lines of data, so its y axis has room for two tick labels
        # (at 10 × points it had three lines: "-10" alone at 1.6× on 1280 × 720)
        font = QFont()
        font.setPointSizeF(points)
        self.setMinimumHeight(int(PREVIEW_LINES * QFontMetrics(font).height()))
        self.setMaximumHeight(int(15 * points))

    def show_result(self, result, verdict: str = "") -> None:
        """Draw ``result``'s gradient curve and, once it arrived, its prediction."""
        if result is None or result.depth == 0:
            return
        x = layer_x(result.depth)
        measured = result.series(FIELD)
        self.measured.setData(x, measured)
        theory = result.theory.series()[FIELD] if result.theory is not None else None
        if theory is None:
            self.theory.setData([], [])
            self._fit(result.depth, measured)
        else:
            self.theory.setData(x, np.asarray(theory, dtype=float))
            self._fit(result.depth, np.concatenate([measured, np.asarray(theory, dtype=float)]))
        self._title = verdict or "the current run (as in the Layers tab)"
        item = self.getPlotItem()
        set_title(item, self._title, self._points, one_line=True)
        # a new range now, not during the paint (which then asked for a second paint)
        item.vb.prepareForPaint()

    def _fit(self, depth: int, values: np.ndarray) -> None:
        """x: layers 1..``depth``; y: refitted (with headroom) only when ``values`` leave the
        range or fill less than half of it (a user's zoom is kept until then)."""
        vb = self.getPlotItem().vb
        if depth != self._depth:
            self._depth, self._fitted = depth, False
            vb.setXRange(0.5, depth + 0.5, padding=0.02)
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return
        y = refit(vb.viewRange()[1], float(finite.min()), float(finite.max()), self._fitted)
        if y is not None:
            vb.setYRange(*y, padding=Y_PADDING)
            self._fitted = True
