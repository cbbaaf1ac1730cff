"""The current run's gradient curve, small, under the phase diagram.

Dragging the point sets gain and bias std and the Layers tab re-runs; this preview shows that
run's measured log10 RMS of ∂L/∂h (solid) with its mean-field prediction (dashed) right beside
the point, so the flip from vanishing to exploding is seen while dragging. It only displays
what the dashboard already holds (``Dashboard.result()``); it computes nothing.
"""

from __future__ import annotations

import numpy as np

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


class GradientPreview(pg.PlotWidget):
    """A compact plot of the dashboard's current gradient curve and its theory."""

    def __init__(self, parent=None):
        super().__init__(parent=parent, background="k")
        item = self.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setMenuEnabled(False)
        self._title = "the current run (as in the Layers tab)"
        self._points = 10
        self.measured = item.plot([], [], pen=pg.mkPen(MEASURED["grad"], width=2.5),
                                  connect="finite")
        self.theory = item.plot([], [], connect="finite",
                                pen=pg.mkPen(MEASURED["grad"], width=1.5,
                                             style=pg.QtCore.Qt.PenStyle.DashLine))
        follow_scale(self.set_font)

    def set_font(self, points: int) -> None:
        """Tick, label and title fonts in ``points``; the height follows the type size."""
        self._points = points
        item = self.getPlotItem()
        for side in ("left", "bottom"):
            style_axis(item.getAxis(side), points)  # log10 values, never "×0.001"
        set_axis_label(item, "left", "∂L/∂h (log10)", points)
        set_axis_label(item, "bottom", "layer l — solid: measured, dashed: theory", points)
        set_title(item, self._title, points)
        self.setMinimumHeight(int(10 * points))  # the diagram above keeps most of the height
        self.setMaximumHeight(int(15 * points))

    def show_result(self, result, verdict: str = "") -> None:
        """Draw ``result``'s gradient curve and, once it arrived, its prediction."""
        if result is None or result.depth == 0:
            return
        x = layer_x(result.depth)
        self.measured.setData(x, result.series(FIELD))
        theory = result.theory.series()[FIELD] if result.theory is not None else None
        if theory is None:
            self.theory.setData([], [])
        else:
            self.theory.setData(x, np.asarray(theory, dtype=float))
        self._title = verdict or "the current run (as in the Layers tab)"
        set_title(self.getPlotItem(), self._title, self._points)
