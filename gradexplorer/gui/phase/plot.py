"""The phase-diagram plot: growth image, colour bar, critical line, depth guide, draggable point.

Shows a :class:`~gradexplorer.engine.theory.phase_diagram.PhaseDiagram` as computed; the only
arithmetic here is display (clipping the colours to ±:data:`CLIP_DECADES`).
"""

from __future__ import annotations

import numpy as np

from gradexplorer.gui.plots.axis_space import cache_axes, tick_axes
from gradexplorer.gui.plots.style import (
    _fit_legend_columns,
    fit_label,
    follow_scale,
    outside_legend,
    pg,
    set_axis_label,
    set_legend_font,
    set_title,
    style_axis,
)

QtCore, QtGui = pg.QtCore, pg.QtGui

#: Colours are clipped to ± this many decades of gradient-RMS growth.
CLIP_DECADES = 6.0
#: Diverging colour map centred at 0 (blue: vanishing, white: critical, red: exploding).
COLORMAP = "CET-D1"
CRITICAL_PEN = pg.mkPen((20, 20, 20), width=3)
GUIDE_PEN = pg.mkPen((60, 60, 60), width=2, style=QtCore.Qt.PenStyle.DashLine)
POINT_COLOUR = (255, 200, 0)
#: The point's colour when the diagram does not describe the spec (norm or residual blocks).
NOT_APPLICABLE_COLOUR = (150, 150, 150)
POINT_LABEL = "current setting (drag me)"
NOT_APPLICABLE_LABEL = "current σ_w², σ_b² (theory does not apply: see the note)"
#: Larger than any trainable depth a finite χ1 gives (stands in for inf on the critical line).
_BIG = 1e12


#: The colour bar's label.
BAR_LABEL = "growth (decades)"  # of the gradient RMS, layer 1 vs L; clipped at the bar's ends
#: Room (pixels) kept around the diagram so the point (size 16) is never clipped at an edge.
POINT_ROOM_PX = 12


class _Column:
    """Stands in for the plot whose width a legend fits (the legend's own column's width)."""

    def __init__(self, px: int):
        self.px = px

    def width(self) -> int:
        return self.px


class PhasePlot(pg.GraphicsLayoutWidget):
    """The (σ_w², σ_b²) plane coloured by predicted gradient growth over L layers.

    Attributes
    ----------
    target : pg.TargetItem
        The current setting; movable (its ``sigPositionChanged`` is the drag).
    image : pg.ImageItem
        growth[i, j] at (σ_w²[i], σ_b²[j]), clipped to ±CLIP_DECADES.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = self.addPlot(row=0, col=0)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.getViewBox().setMouseEnabled(x=False, y=False)
        self.image = pg.ImageItem(axisOrder="col-major")
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(
            values=(-CLIP_DECADES, CLIP_DECADES), colorMap=pg.colormap.get(COLORMAP),
            interactive=False, width=18)
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        self.critical = self.plot.plot(pen=CRITICAL_PEN, connect="finite")
        self.critical.setZValue(10)
        self.guide = pg.IsocurveItem(pen=GUIDE_PEN)
        self.guide.setParentItem(self.image)
        self.guide.setZValue(9)
        self.target = pg.TargetItem(pos=(1.0, 0.0), size=16, symbol="o", movable=True,
                                    pen=pg.mkPen((0, 0, 0), width=2),
                                    brush=pg.mkBrush(*POINT_COLOUR),
                                    hoverBrush=pg.mkBrush(255, 255, 255))
        self.target.setZValue(20)
        self.plot.addItem(self.target)
        # under the diagram, not on it (it covered tanh's critical line)
        self.legend = outside_legend(self.plot, columns=3, brush=(235, 235, 235),
                                     labelTextColor=(0, 0, 0))
        self.legend.addItem(self.critical, "critical line χ1 = 1 (edge of chaos)")
        self._guide_sample = pg.PlotDataItem(pen=GUIDE_PEN)
        self._guide_label = "6 |ξ_∇| = L (trainable-depth guide)"
        self.legend.addItem(self._guide_sample, self._guide_label)
        self._point_sample = pg.ScatterPlotItem(symbol="o", size=12, brush=POINT_COLOUR,
                                                pen=pg.mkPen((0, 0, 0), width=2))
        self.legend.addItem(self._point_sample, POINT_LABEL)
        self.applicable = True
        self.diagram = None
        self.legend_beside = False  # in a column right of the diagram (wide, short views)
        self.plot.vb.sigResized.connect(lambda _vb: self._fit_ranges())
        # a point dragged near an axis (σ_b² ≈ 0: along the bottom one) repaints it at every
        # move: blit it, do not replay its tick text (~1 ms a move)
        cache_axes(tick_axes([self.plot], [self.colorbar]))
        no_hover_search_mid_drag(self.scene())
        follow_scale(self.set_font)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        # pyqtgraph resizes during __init__, and while closing, after clearing the scene
        if hasattr(self, "legend_beside") and not getattr(self, "closed", False):
            self._place_legend()

    def _place_legend(self) -> None:
        """The legend under the diagram, or in a column beside it when the view is wide and
        short (1.6x on 1280x720: under it, it left the diagram a strip ~60 px tall)."""
        points = getattr(self, "_points", None) or 10
        rows = 3 * 2.2 * points  # the legend's height in one column, roughly (pixels)
        beside = self.width() > 1.7 * self.height() and self.height() < 2.5 * rows + 120
        legend = self.legend
        if beside != self.legend_beside:
            self.legend_beside = beside
            # one layout, two cells (moving it into another layout reparented it, and
            # closing the view then crashed): under the x axis, or right of the colour bar
            layout = self.plot.layout
            layout.removeItem(legend)
            if beside:
                layout.addItem(legend, 2, 6)
                layout.setColumnSpacing(5, points)  # clear of the colour bar's label
                layout.setAlignment(legend, QtCore.Qt.AlignmentFlag.AlignVCenter)
                legend.setSizePolicy(pg.QtWidgets.QSizePolicy.Policy.Ignored,
                                     pg.QtWidgets.QSizePolicy.Policy.Maximum)
            else:
                layout.addItem(legend, 4, 1)
                legend.setSizePolicy(pg.QtWidgets.QSizePolicy.Policy.Ignored,
                                     pg.QtWidgets.QSizePolicy.Policy.Preferred)
                layout.setColumnFixedWidth(6, 0)
                layout.setColumnSpacing(5, 0)
            legend._gx_columns = 1 if beside else 3
            legend._gx_width_of = _Column(0) if beside else legend._gx_under
        if beside:
            font = QtGui.QFont()
            font.setPointSizeF(points)
            metrics = QtGui.QFontMetrics(font)
            natural = max(metrics.horizontalAdvance(label.text) for _s, label in legend.items)
            width = int(min(natural + 60, 0.4 * self.width()))
            legend._gx_width_of.px = width
            self.plot.layout.setColumnFixedWidth(6, width)
        legend._gx_fit = None
        _fit_legend_columns(legend._gx_width_of, legend, legend._gx_columns)

    def set_font(self, points: int) -> None:
        """Tick, axis, title and legend fonts in ``points``."""
        self._points = points
        for side in ("left", "bottom"):
            style_axis(self.plot.getAxis(side), points)
        set_axis_label(self.plot, "bottom", "σ<sub>w</sub>² = fan_in · Var(W)", points)
        set_axis_label(self.plot, "left", "σ<sub>b</sub>² (bias variance)", points)
        set_legend_font(self.legend, points)
        self._place_legend()
        style_axis(self.colorbar.axis, points)
        fit_label(self.colorbar.axis, BAR_LABEL, points)
        self._set_title()

    def _set_title(self) -> None:
        d = self.diagram
        text = ("Phase diagram (computing…)" if d is None else
                f"Phase diagram of {d.activation} at depth L = {d.depth}: predicted gradient "
                f"growth (L − 1)/2 · log10 χ1 at q*")
        set_title(self.plot, text, self._points)

    def show_diagram(self, diagram) -> None:
        """Draw ``diagram`` (a PhaseDiagram): image, critical line and the 6|ξ_∇| = L contour."""
        self.diagram = diagram
        w2, b2 = diagram.sigma_w2, diagram.sigma_b2
        dw, db = w2[1] - w2[0], b2[1] - b2[0]
        shown = np.clip(np.nan_to_num(diagram.growth, nan=0.0, posinf=CLIP_DECADES,
                                      neginf=-CLIP_DECADES), -CLIP_DECADES, CLIP_DECADES)
        self.image.setImage(shown, levels=(-CLIP_DECADES, CLIP_DECADES), autoLevels=False)
        self.image.setRect(QtCore.QRectF(w2[0] - dw / 2, b2[0] - db / 2, w2[-1] - w2[0] + dw,
                                         b2[-1] - b2[0] + db))
        cw, cb = diagram.critical_w2, diagram.critical_b2
        finite = np.isfinite(cw)
        line = finite.sum() >= 2
        if line:
            self.critical.setData(cw, cb, connect="finite", symbol=None)
        else:  # ReLU, linear: one critical point at σ_b² = 0
            self.critical.setData(cw[finite], cb[finite], symbol="o", symbolSize=12,
                                  symbolBrush=(20, 20, 20), symbolPen=None)
        self.legend.getLabel(self.critical).setText(
            "critical line χ1 = 1 (edge of chaos)" if line else
            "critical point χ1 = 1 (σ_b² = 0 only)" if finite.any() else
            "no critical point in this range")
        depth = np.nan_to_num(diagram.trainable_depth(), posinf=_BIG)
        self.guide.setData(depth, level=float(diagram.depth))
        # a child of the image, so in pixel units; the contour's nodes are pixel centres
        self.guide.setTransform(QtGui.QTransform.fromTranslate(0.5, 0.5))
        self._fit_ranges()
        self._set_title()

    def _fit_ranges(self) -> None:
        """The diagram's range plus room for the whole point at every edge and corner.

        The room is measured in pixels (the point's radius and a little), so it stays enough
        however small the plot is drawn (a large presentation scale) or wide the σ_w² range.
        """
        d = self.diagram
        if d is None:
            return
        w2, b2 = d.sigma_w2, d.sigma_b2
        room = POINT_ROOM_PX
        vb = self.plot.vb
        px_w, px_h = max(vb.width(), 4 * room), max(vb.height(), 4 * room)
        self.plot.setXRange(w2[0], w2[-1], padding=max(0.02, room / px_w))
        self.plot.setYRange(b2[0], b2[-1], padding=max(0.03, room / px_h))

    def set_point(self, sigma_w2: float, sigma_b2: float) -> tuple[float, float]:
        """Put the point at (σ_w², σ_b²), clamped to the plotted range; return where it is."""
        x, y = sigma_w2, sigma_b2
        d = self.diagram
        if d is not None:
            x = min(max(x, d.sigma_w2[0]), d.sigma_w2[-1])
            y = min(max(y, d.sigma_b2[0]), d.sigma_b2[-1])
        self.target.setPos(x, y)
        return x, y

    def set_applicable(self, applicable: bool) -> None:
        """Mark the point as described by the diagram (yellow) or not (grey, relabelled)."""
        if applicable == self.applicable:
            return  # as it is (asked at every value of a drag: new brushes, legend relaid)
        self.applicable = applicable
        colour = POINT_COLOUR if applicable else NOT_APPLICABLE_COLOUR
        self.target.setBrush(pg.mkBrush(*colour))
        self._point_sample.setBrush(pg.mkBrush(*colour))
        self.legend.getLabel(self._point_sample).setText(
            POINT_LABEL if applicable else NOT_APPLICABLE_LABEL)

    def point(self) -> tuple[float, float]:
        """The point's (σ_w², σ_b²)."""
        p = self.target.pos()
        return float(p.x()), float(p.y())


def no_hover_search_mid_drag(scene) -> None:
    """Let ``scene`` (a pyqtgraph GraphicsScene) skip its hover search while an item is dragged.

    pyqtgraph looks for the items under the pointer at every mouse move, dragging or not, to
    send them hover events that, mid-drag, they may not accept (its own rule). In the diagram
    that search cost ~1.2–2 ms a move: 10–15 % of the GUI thread's time during a point drag.
    Mid-drag the items hovered before are told once that the pointer left (the point drops its
    hover colour, as it did); the release sends hover events again, as usual.
    """
    send = scene.sendHoverEvents

    def send_hover(ev, exitOnly=False):  # noqa: N803 - pyqtgraph's keyword
        if not exitOnly and scene.dragItem is not None and ev.buttons():
            if scene.hoverItems:
                send(ev, exitOnly=True)
            return
        send(ev, exitOnly=exitOnly)

    scene.sendHoverEvents = send_hover
