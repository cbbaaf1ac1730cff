"""Loss and accuracy versus optimizer step: train and held-out curves, a chance guide, pins.

:class:`StepCurves` draws two measured series of a :class:`~.history.TrainHistory` (created once,
updated with ``setData``), a dashed horizontal guide (chance level) and faint pinned curves of
earlier runs, each named in the legend.
"""

from __future__ import annotations

import numpy as np

from gradexplorer.gui.plots.style import (
    DEFAULT_FONT_POINTS,
    pg,
    pin_pen,
    set_axis_label,
    set_legend_font,
    set_title,
    style_axis,
)
from gradexplorer.gui.train.history import TrainHistory

#: Colours of the current run's curves.
TRAIN_COLOUR = (255, 170, 40)
HELDOUT_COLOUR = (90, 200, 255)
#: Guides: chance level (muted red: "learnt nothing"), healthy update ratio (muted green).
CHANCE_COLOUR = (235, 110, 110)
HEALTHY_COLOUR = (120, 210, 120)
CURVE_NAMES = ("train (mean over the last k steps)", "held-out")


def guide_line(plot: pg.PlotItem, label: str, colour: tuple[int, int, int],
               short: str = "") -> pg.InfiniteLine:
    """A dashed horizontal guide with ``label`` written above it, flush with the right end;
    ``short`` replaces it while the plot is too narrow for it (:func:`set_guide_text`)."""
    line = pg.InfiniteLine(angle=0, movable=False,
                           pen=pg.mkPen(colour, width=1.5, style=pg.QtCore.Qt.DashLine),
                           label=label,
                           labelOpts={"position": 0.98, "color": colour,
                                      "fill": (0, 0, 0, 170), "anchors": [(1.0, 1.0),
                                                                          (1.0, 1.0)]})
    line.setZValue(3)
    plot.addItem(line, ignoreBounds=True)
    set_guide_text(line, label, short)
    plot.vb.sigResized.connect(lambda vb: _fit_guide(vb, line))
    return line


def set_guide_text(line: pg.InfiniteLine, text: str, short: str = "") -> None:
    """Write ``text`` on guide ``line``, or ``short`` where its plot is too narrow for it."""
    line._gx_texts = (text, short)
    view = line.getViewBox()
    if view is not None:
        _fit_guide(view, line)
    elif line.label.format != text:
        line.label.setFormat(text)


def _fit_guide(view: pg.ViewBox, line: pg.InfiniteLine) -> None:
    """The whole text when it fits the label's room (0.98 of the width: it ends there), else
    the short one: at 1.6× on 1280 × 720 "≈ 10⁻³: healthy (Karpathy)" ran past the ratio
    plot's left edge and lost its "≈ 1"."""
    text, short = line._gx_texts
    metrics = pg.QtGui.QFontMetrics(line.label.textItem.font())
    if short and metrics.horizontalAdvance(text) + 8 > 0.98 * view.width():
        text = short
    if line.label.format != text:
        line.label.setFormat(text)


def label_room(plot: pg.PlotItem, line: pg.InfiniteLine) -> float:
    """The share of ``plot``'s height that ``line``'s label (written above it) takes, so a y
    range can keep it whole: at 1.6x in a ~100 px plot a fixed 12 % headroom cut it in half."""
    height = plot.vb.height()
    if not line.isVisible() or height <= 0:
        return 0.0
    return min(0.6, (line.label.boundingRect().height() + 4) / height)


class StepCurves:
    """A :class:`pyqtgraph.PlotItem` of two scalar series against the optimizer step.

    Parameters
    ----------
    plot : the PlotItem (placed in a layout).
    title : plot title.
    y_label : y axis label naming quantity and scale.
    fields : (train field, held-out field) of :data:`~.history.SCALARS`.
    scale : factor applied for display (100 shows fractions as %).
    legend : a LegendItem outside the plots (shared by both plots, so it covers no curve) to
        name this plot's curves and pins in; None: they are not listed.
    y_range : fixed (bottom, top) of the y axis (e.g. 0..100 %); None: from 0 to the highest
        value shown (curves, pins, guide), so a loss stuck at chance looks flat, not noisy.
    """

    def __init__(self, plot: pg.PlotItem, title: str, y_label: str, fields: tuple[str, str],
                 scale: float = 1.0, legend: pg.LegendItem | None = None,
                 y_range: tuple[float, float] | None = None):
        self.plot, self.title, self.y_label = plot, title, y_label
        self.y_range = y_range
        self.fields, self.scale = fields, scale
        plot.hideButtons()
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setDownsampling(auto=True, mode="peak")  # long runs: ≤ ~1 point per pixel
        plot.setClipToView(True)
        self.legend = legend
        self.curves = [plot.plot(pen=pg.mkPen(TRAIN_COLOUR, width=2.5), connect="finite"),
                       plot.plot(pen=pg.mkPen(HELDOUT_COLOUR, width=2.5), connect="finite")]
        for c, name in zip(self.curves, CURVE_NAMES, strict=True):
            c.setZValue(10)
            if legend is not None:
                legend.addItem(c, name)
        self.guide = guide_line(plot, "", CHANCE_COLOUR)
        plot.vb.sigResized.connect(lambda _vb: self._fit_y())  # the label's room in pixels
        self.guide.setVisible(False)
        self._pins: dict[str, pg.PlotDataItem] = {}
        self.set_font(DEFAULT_FONT_POINTS)

    def set_font(self, points: int | None) -> None:
        """Tick, label, title and legend fonts in ``points``."""
        for side in ("left", "bottom"):
            style_axis(self.plot.getAxis(side), points)
        set_axis_label(self.plot, "bottom", "optimizer step", points)
        set_axis_label(self.plot, "left", self.y_label, points)
        set_title(self.plot, self.title, points)
        if self.legend is not None:
            set_legend_font(self.legend, points)

    def begin(self, steps: int, guide: float | None, guide_label: str) -> None:
        """Start a run of ``steps`` steps: empty curves, x 0..steps, the guide (None: none)."""
        for c in self.curves:
            c.setData([], [])
        self.plot.enableAutoRange(x=False)
        self.plot.setXRange(0, max(1, steps), padding=0.02)
        self.guide.setVisible(guide is not None)
        if guide is not None:
            self.guide.setValue(guide * self.scale)
            set_guide_text(self.guide, guide_label)
        self._fit_y()

    def update(self, history: TrainHistory) -> None:
        """Copy the run's series into the curves (held-out hidden when there is none)."""
        x = history.series("step")
        for c, field in zip(self.curves, self.fields, strict=True):
            y = history.series(field) * self.scale
            c.setData(x, y, connect="finite")
        self._fit_y()
        held = history.series(self.fields[1])
        self._show(self.curves[1], CURVE_NAMES[1], held.size == 0 or bool(np.isfinite(held).any()))

    def _fit_y(self) -> None:
        """y from 0 (or the fixed range) to the top of everything shown, label room included."""
        self.plot.enableAutoRange(y=False)
        if self.y_range is not None:
            self.plot.setYRange(*self.y_range, padding=0.02)
            return
        items = [*self.curves, *self._pins.values()]
        tops = [float(np.max(y[np.isfinite(y)])) for y in (i.yData for i in items)
                if y is not None and np.isfinite(y).any()]
        if self.guide.isVisible():
            tops.append(float(self.guide.value()))
        top = max(tops, default=1.0)
        if top > 0 and self.guide.isVisible():  # the guide's label whole above the guide
            top = max(top * 1.12, float(self.guide.value()) / (1 - label_room(self.plot,
                                                                                self.guide)))
        elif top > 0:
            top *= 1.12
        self.plot.setYRange(0.0, top if top > 0 else 1.0, padding=0.0)

    def data(self, which: int) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of measured curve ``which`` (0 = train, 1 = held-out), as given to setData."""
        item = self.curves[which]
        return item.xData, item.yData

    def _show(self, item, name: str, visible: bool) -> None:
        item.setVisible(visible)
        if self.legend is None:
            return
        listed = any(getattr(s, "item", None) is item for s, _ in self.legend.items)
        if visible and not listed:
            self.legend.addItem(item, name)
        elif not visible and listed:
            self.legend.removeItem(item)

    # --- pins ----------------------------------------------------------------------------------
    def add_pin(self, label: str, x: np.ndarray, y: np.ndarray,
                colour: tuple[int, int, int]) -> None:
        """Draw a faint pinned curve named ``label`` (in the legend, if any; replaces one so
        named)."""
        self.remove_pin(label)
        item = self.plot.plot(np.asarray(x), np.asarray(y) * self.scale, pen=pin_pen(colour),
                              connect="finite")
        item.setZValue(5)
        if self.legend is not None:
            self.legend.addItem(item, f"pinned: {label}")
        self._pins[label] = item
        self._fit_y()

    def remove_pin(self, label: str) -> None:
        item = self._pins.pop(label, None)
        if item is not None:
            if self.legend is not None:
                self.legend.removeItem(item)
            self.plot.removeItem(item)

    def pin_labels(self) -> list[str]:
        return list(self._pins)

    def pin_item(self, label: str) -> pg.PlotDataItem:
        return self._pins[label]
