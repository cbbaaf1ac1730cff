"""The family of per-layer curves of a sweep, coloured by the swept value, with a colour bar.

One mean curve per value (and, with several seeds, a min–max band) drawn from a pool of items
created once and reused with ``setData``. The colour bar's ticks are the swept values
themselves; with log spacing the bar is log-scaled (equal steps for equal ratios).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtGui import QFont, QFontMetrics

from gradexplorer.engine.runs.sweep import SweepRow
from gradexplorer.gui.plots.style import (
    DEFAULT_FONT_POINTS,
    colormap,
    fit_label,
    follow_scale,
    format_value,
    pg,
    set_axis_label,
    set_title,
    smooth_lines,
    style_axis,
)
from gradexplorer.gui.sweep.names import field_name, is_log10, quantity_name

#: The part of the colour map used (viridis' darkest blues vanish on the black background).
COLOUR_RANGE = (0.18, 0.82)
BAND_ALPHA = 45
PEN_WIDTH = 2.0
HOVER_WIDTH = 4.5
#: At most this many labelled ticks on the colour bar.
MAX_BAR_TICKS = 11


@dataclass
class _Member:
    """Items of one swept value: mean curve, band edges and the band fill."""

    mean: pg.PlotDataItem
    lo: pg.PlotCurveItem
    hi: pg.PlotCurveItem
    band: pg.FillBetweenItem


class FamilyPlot:
    """Curves of every swept value in one plot, a colour bar beside it.

    Parameters
    ----------
    layout : the GraphicsLayout to fill (plot at row 0 col 0, colour bar at col 1).
    """

    def __init__(self, layout: pg.GraphicsLayout):
        self.plot = layout.addPlot(0, 0)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.cmap = colormap().getSubset(*COLOUR_RANGE)
        self.bar = pg.ColorBarItem(values=(0, 1), colorMap=self.cmap, interactive=False,
                                   width=18, colorMapMenu=False)
        layout.addItem(self.bar, 0, 1)
        self.readout = pg.TextItem("", color=(235, 235, 235), anchor=(0, 1),
                                   fill=(0, 0, 0, 190))
        self.readout.setZValue(50)
        self.readout.setVisible(False)
        self.plot.addItem(self.readout, ignoreBounds=True)
        self.rows: list[SweepRow] = []
        self.members: list[_Member] = []
        self._hovered: int | None = None
        self._log = False
        self._field = ""
        self._quantity = "log10_grad_preact_rms"
        self._levels = (0.0, 1.0)
        self._points: int | None = None
        self._title = ""
        self._bar_ticks: list[tuple[float, str]] = []
        self._proxy = pg.SignalProxy(self.plot.scene().sigMouseMoved, rateLimit=60,
                                     slot=lambda args: self.hover(args[0]))
        follow_scale(self.set_font)

    # --- appearance ---------------------------------------------------------------------------
    def set_font(self, points: int | None) -> None:
        """Tick, label and title fonts in ``points`` (None = default)."""
        self._points = points
        for side in ("left", "bottom"):
            style_axis(self.plot.getAxis(side), points)
        style_axis(self.bar.axis, points)
        set_axis_label(self.plot, "bottom", "layer l", points)
        set_axis_label(self.plot, "left", quantity_name(self._quantity), points)
        scale = "log scale" if self._log else "linear scale"
        label = f"{field_name(self._field)} ({scale})" if self._field else ""
        fit_label(self.bar.axis, label, points)
        set_title(self.plot, self._title, points)
        self._fit_bar_axis()

    def _fit_bar_axis(self) -> None:
        """Widen the colour bar's axis for its longest tick label plus its title (no overlap)."""
        font = QFont()
        font.setPointSizeF(self._points or DEFAULT_FONT_POINTS)
        metrics = QFontMetrics(font)
        text = max((metrics.horizontalAdvance(t) for _, t in self._bar_ticks), default=0)
        self.bar.axis.setWidth(text + 2 * metrics.height() + 14)

    def _position(self, value: float) -> float:
        """Where ``value`` sits on the colour bar's axis (log10 of it with log spacing)."""
        return math.log10(value) if self._log and value > 0 else float(value)

    def colour(self, value: float) -> pg.QtGui.QColor:
        """Colour of the curve of ``value``."""
        lo, hi = self._levels
        pos = 0.5 if hi == lo else (self._position(value) - lo) / (hi - lo)
        return self.cmap.mapToQColor(min(max(pos, 0.0), 1.0))

    # --- data ---------------------------------------------------------------------------------
    def begin(self, field: str, values: tuple, log: bool, quantity: str, title: str) -> None:
        """Start a new family: clear the curves, scale the colour bar to ``values``."""
        self.rows = []
        self._hovered = None
        self.readout.setVisible(False)
        self._field, self._log, self._quantity, self._title = field, log, quantity, title
        positions = [self._position(v) for v in values]
        lo, hi = min(positions), max(positions)
        self._levels = (lo, hi)
        self.bar.setLevels(values=(lo, hi) if hi > lo else (lo - 0.5, hi + 0.5))
        step = max(1, math.ceil(len(values) / MAX_BAR_TICKS))
        shown = list(range(0, len(values), step))
        if shown[-1] != len(values) - 1:
            shown[-1] = len(values) - 1
        self._bar_ticks = [(positions[i], f"{values[i]:.3g}") for i in shown]
        self.bar.axis.setTicks([self._bar_ticks, []])
        for m in self.members:
            for item in (m.mean, m.lo, m.hi):
                item.setData([], [])
            m.mean.setVisible(False)
            m.band.setVisible(False)
        self.plot.enableAutoRange()
        self.set_font(self._points)

    def _member(self, index: int) -> _Member:
        while len(self.members) <= index:
            lo, hi = pg.PlotCurveItem(pen=pg.mkPen(None)), pg.PlotCurveItem(pen=pg.mkPen(None))
            band = pg.FillBetweenItem(lo, hi)
            band.setZValue(-5)
            mean = pg.PlotDataItem(connect="finite")
            mean.setZValue(10)
            for item in (lo, hi, band, mean):
                self.plot.addItem(item)
            self.members.append(_Member(mean, lo, hi, band))
        return self.members[index]

    def add_row(self, row: SweepRow) -> None:
        """Draw ``row``: its mean curve, and its min–max band when it has several seeds."""
        self.rows.append(row)
        m = self._member(len(self.rows) - 1)
        colour = self.colour(row.value)
        x = row.layers.astype(float)
        m.mean.opts["antialias"] = smooth_lines(x.size)
        m.mean.setPen(pg.mkPen(colour, width=PEN_WIDTH))
        m.mean.setData(x, row.mean)
        m.mean.setVisible(True)
        band = len(row.seeds) > 1 and bool(np.all(np.isfinite(row.min))
                                           and np.all(np.isfinite(row.max)))
        empty = np.empty(0)
        m.lo.setData(x if band else empty, row.min if band else empty)
        m.hi.setData(x if band else empty, row.max if band else empty)
        fill = pg.QtGui.QColor(colour)
        fill.setAlpha(BAND_ALPHA)
        m.band.setBrush(fill)
        m.band.setVisible(band)

    def curve_data(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of the ``index``-th drawn mean curve, as the plot holds it."""
        return self.members[index].mean.getData()

    # --- hover --------------------------------------------------------------------------------
    def nearest(self, x: float, y: float) -> tuple[int, int] | None:
        """(row index, layer) of the curve nearest to (x, y) at the layer nearest to x."""
        best, best_d = None, math.inf
        for i, row in enumerate(self.rows):
            layer = int(min(max(round(x), 1), row.layers.size))
            d = abs(row.mean[layer - 1] - y)
            if math.isfinite(d) and d < best_d:
                best, best_d = (i, layer), d
        return best

    def describe(self, index: int, layer: int) -> str:
        """Readout of row ``index`` at ``layer``: value, layer, mean and the seeds' range."""
        row = self.rows[index]
        log = is_log10(row.quantity)
        mean = format_value(float(row.mean[layer - 1]), log)
        text = f"{field_name(row.field)} = {row.value:.4g}, layer {layer}\n" \
               f"{quantity_name(row.quantity)}: {mean}"
        if len(row.seeds) > 1:
            lo = format_value(float(row.min[layer - 1]), log)
            hi = format_value(float(row.max[layer - 1]), log)
            text += f"\n{len(row.seeds)} seeds: {lo} … {hi}"
        return text

    def hover(self, scene_pos) -> None:
        """Show the readout of the curve under the mouse and thicken that curve."""
        inside = self.plot.vb.sceneBoundingRect().contains(scene_pos)
        point = self.plot.vb.mapSceneToView(scene_pos)
        hit = self.nearest(point.x(), point.y()) if inside else None
        self._highlight(None if hit is None else hit[0])
        self.readout.setVisible(hit is not None)
        if hit is not None:
            self.readout.setText(self.describe(*hit))
            self.readout.setPos(point)

    def _highlight(self, index: int | None) -> None:
        if index == self._hovered:
            return
        for i in (self._hovered, index):
            if i is not None and i < len(self.rows):
                pen = self.members[i].mean.opts["pen"]
                pen = pg.mkPen(pen.color(), width=HOVER_WIDTH if i == index else PEN_WIDTH)
                self.members[i].mean.setPen(pen)
        self._hovered = index
