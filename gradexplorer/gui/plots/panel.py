"""Base of every panel whose x axis is the layer index: fonts, x range, cursor, hit testing."""

from __future__ import annotations

import math

from gradexplorer.gui.plots.axis_space import hold_plot_axes
from gradexplorer.gui.plots.sticky import refit
from gradexplorer.gui.plots.style import (
    CURSOR,
    pg,
    set_axis_label,
    set_title,
    style_axis,
)

#: Padding of a fitted y range (fraction of the data span on each side).
Y_PADDING = 0.06


class LayerPanel:
    """A :class:`pyqtgraph.PlotItem` with x = layer l (1..L).

    Parameters
    ----------
    plot : the PlotItem to draw into (already placed in a layout).
    title : plot title.
    y_label : y axis label, naming quantity and scale.
    y_short : a shorter wording of it for a short plot at a large presentation scale.
    """

    def __init__(self, plot: pg.PlotItem, title: str, y_label: str, y_short: str = ""):
        self.plot = plot
        self.title = title
        self.y_label = y_label
        self.y_short = y_short  # shown instead of y_label when that would shrink
        self.depth = 0
        self._y_fitted = False  # the y range was set by fit_y (not zoomed by the user since)
        self._points: int | None = None
        plot.hideButtons()
        self._cursor = pg.InfiniteLine(angle=90, movable=False,
                                       pen=pg.mkPen(CURSOR, width=1, style=pg.QtCore.Qt.DashLine))
        self._cursor.setZValue(30)
        self._cursor.setVisible(False)
        plot.addItem(self._cursor, ignoreBounds=True)

    def set_font(self, points: int | None) -> None:
        """Tick, label and title fonts in ``points`` (None = pyqtgraph's default)."""
        self._points = points
        for side in ("left", "bottom"):
            style_axis(self.plot.getAxis(side), points)
        set_axis_label(self.plot, "bottom", "layer l", points)
        set_axis_label(self.plot, "left", self.y_label, points, short=self.y_short)
        set_title(self.plot, self.title, points, getattr(self, "short_title", ""))

    def set_x_range(self, depth: int) -> None:
        """Show layers 1..``depth`` (a new run: axes only widen until ``hold_axes(False)``).

        The same depth again (every run of a drag) changes nothing: no tick text is redone.
        """
        self.hold_axes(True)
        if depth == self.depth and not self.plot.vb.autoRangeEnabled()[0]:
            return
        self.depth = depth
        self._y_fitted = False
        self.plot.enableAutoRange(x=False)
        self.plot.setXRange(0.5, depth + 0.5, padding=0.02)
        axis = self.plot.getAxis("bottom")
        if depth <= 12:
            axis.setTickSpacing(major=1, minor=1)  # whole layers only, no "layer 1.5"
        else:
            axis.setTickSpacing()  # automatic

    def fit_y(self) -> None:
        """Fit the y range to what is drawn, but only when it must change.

        The range is kept while the data stay inside it and fill at least
        :data:`~.sticky.MIN_FILL` of it, and a new one has headroom (:mod:`.sticky`): each
        change regenerates the axis' tick text and grid, which during a drag (a complete run
        every few tens of ms) would cost more than the curves.
        A user's zoom is kept until the data leave it.
        """
        vb = self.plot.vb
        if vb.autoRangeEnabled()[1]:
            vb.disableAutoRange(axis=vb.YAxis)
        bounds = self.y_bounds()
        if bounds is None or not all(map(math.isfinite, bounds)):
            return
        y = refit(vb.viewRange()[1], float(bounds[0]), float(bounds[1]), self._y_fitted)
        if y is not None:
            vb.setYRange(*y, padding=Y_PADDING)
            self._y_fitted = True

    def y_bounds(self) -> tuple[float, float] | None:
        """(lowest, highest) y of what is drawn (None: nothing); subclasses may know it
        cheaper than asking every item."""
        return self.plot.vb.childrenBounds()[1]

    def hold_axes(self, hold: bool) -> None:
        """Let the axes only widen while a run streams (``hold``), then fit their labels again.

        Each narrowing of an axis re-lays the whole dashboard out and repaints all of it.
        """
        hold_plot_axes(self.plot, hold)

    def contains(self, scene_pos) -> bool:
        """Whether ``scene_pos`` lies in this plot's data area."""
        return self.plot.vb.sceneBoundingRect().contains(scene_pos)

    def layer_at(self, scene_pos) -> int | None:
        """Nearest layer 1..L to the x of ``scene_pos`` (None before a run)."""
        if self.depth < 1:
            return None
        x = self.plot.vb.mapSceneToView(scene_pos).x()
        return int(min(max(round(x), 1), self.depth))

    def set_cursor(self, layer: int | None) -> None:
        """Mark the selected layer with a dashed vertical line (None hides it)."""
        self._cursor.setVisible(layer is not None)
        if layer is not None:
            self._cursor.setValue(layer)
