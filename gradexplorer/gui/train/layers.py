"""The update/weight ratio of a few layers against the step (the heatmap is in :mod:`.heatmap`).

:class:`UpdateRatioPlot` draws log10(std ΔW_l / std W_l) of a few layers (1, …, L, coloured
from dark to bright by depth) against the step, with the ≈ 10⁻³ guide of a healthy step, and
the same layers of a pinned run as faint dashed curves. :func:`style_plot` gives the Train
tab's step plots their fonts and labels.
"""

from __future__ import annotations

import numpy as np

from gradexplorer.gui.plots.style import (
    DEFAULT_FONT_POINTS,
    colormap,
    fit_label,
    pg,
    set_axis_label,
    set_title,
    style_axis,
)
from gradexplorer.gui.train.curves import HEALTHY_COLOUR, guide_line, label_room, set_guide_text
from gradexplorer.gui.train.history import LayerSeries, TrainHistory

#: Most layers drawn as update-ratio curves (evenly spaced, first and last included).
MAX_RATIO_CURVES = 6
#: Alpha (0-255) of a pinned run's dashed ratio curves.
PINNED_ALPHA = 150
#: log10 of the update/weight ratio of a healthy step (Karpathy, "CS231n: babysitting learning").
HEALTHY_LOG10_RATIO = -3.0


def style_plot(plot: pg.PlotItem, title: str, x_label: str, y_label: str, points,
               y_short: str = "") -> None:
    """Tick fonts, axis labels and title of a step plot in ``points`` (None: default size);
    ``y_short``: the y label's wording for a short plot (:func:`fit_label`)."""
    for side in ("left", "bottom"):
        style_axis(plot.getAxis(side), points)
    set_axis_label(plot, "bottom", x_label, points)
    set_axis_label(plot, "left", y_label, points, y_short)
    set_title(plot, title, points)


class UpdateRatioPlot:
    """log10 update/weight ratio of up to :data:`MAX_RATIO_CURVES` layers against the step.

    Each curve's colour is its layer on the colour bar beside the plot (dark = first layer,
    bright = last), so no legend covers the curves; the title names the layers drawn. A pinned
    run's layers (chosen the same way from its depth) are dashed and fainter.

    Parameters
    ----------
    plot : the PlotItem (placed in a layout).
    """

    TITLE = "Update / weight ratio per step"
    Y_LABEL = "update/weight ratio (log10)"
    BAR_LABEL = "layer l (curve colour)"
    #: The labels in a short plot (1.6x on 1280x720: 7 pt in full); the title says the rest.
    Y_SHORT, BAR_SHORT = "log10 ratio", "layer l"

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        plot.hideButtons()
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setDownsampling(auto=True, mode="peak")  # long runs: ≤ ~1 point per pixel
        plot.setClipToView(True)
        self.cmap = layer_colormap()
        self.colorbar = pg.ColorBarItem(values=(1, 2), colorMap=self.cmap, width=14,
                                        interactive=False)
        plot.layout.addItem(self.colorbar, 2, 5)  # as ColorBarItem(insert_in=plot) does
        plot.layout.setColumnFixedWidth(4, 5)
        self.guide = guide_line(plot, "≈ 10⁻³: healthy (Karpathy)", HEALTHY_COLOUR,
                                "≈ 10⁻³: healthy")
        self.guide.setValue(HEALTHY_LOG10_RATIO)
        self.guide.setZValue(15)  # its label above the curves
        self.curves: list[pg.PlotDataItem] = []
        self.layers: list[int] = []
        self.pinned: LayerSeries | None = None
        self._steps = 1
        self.pinned_curves = [plot.plot(connect="finite") for _ in range(MAX_RATIO_CURVES)]
        for item in self.pinned_curves:
            item.setZValue(6)
            item.hide()
        self._points: int | None = DEFAULT_FONT_POINTS
        self.set_font(DEFAULT_FONT_POINTS)

    def title(self) -> str:
        """The title, naming the layers drawn (and the dashed pin)."""
        if not self.layers:
            return self.TITLE
        if self.pinned is not None:  # the colour bar names the layers
            return "Update / weight ratio · dashed: the pinned run"
        return f"{self.TITLE} · layers {', '.join(map(str, self.layers))}"

    def set_font(self, points: int | None) -> None:
        self._points = points
        style_plot(self.plot, self.title(), "optimizer step", self.Y_LABEL, points, self.Y_SHORT)
        axis = self.colorbar.axis
        style_axis(axis, points)
        axis.setWidth(None)
        fit_label(axis, self.BAR_LABEL, points, self.BAR_SHORT)
        set_guide_text(self.guide, *self.guide._gx_texts)  # the type may have grown

    def begin(self, depth: int, steps: int) -> None:
        """Start a run: one curve per shown layer (created here, then only ``setData``)."""
        for item in self.curves:
            self.plot.removeItem(item)
        self.layers = shown_layers(depth)
        self.curves = []
        for layer in self.layers:
            t = (layer - 1) / (depth - 1) if depth > 1 else 1.0
            item = self.plot.plot(pen=pg.mkPen(self.cmap.map(t, mode="qcolor"), width=2),
                                  connect="finite")
            item.setZValue(10)
            self.curves.append(item)
        self.colorbar.setLevels((1, max(depth, 2)))
        set_title(self.plot, self.title(), self._points)
        self.plot.enableAutoRange(x=False, y=False)
        self._steps = steps
        self._fit_x()
        self.update(None)

    def update(self, history: TrainHistory | None) -> None:
        """Draw the run's ratios (None: redraw what is shown, e.g. after a pin changed)."""
        if history is not None:
            x = history.series("step")
            ratios = history.layers("log10_update_ratio")
            for item, layer in zip(self.curves, self.layers, strict=True):
                item.setData(x, ratios[:, layer - 1], connect="finite")
        shown = [item.yData for item in (*self.curves, *self.pinned_curves)
                 if item.isVisible() and item.yData is not None]
        values = np.concatenate(shown) if shown else np.empty(0)
        self._fit_y(values[np.isfinite(values)])

    def set_pinned(self, series: LayerSeries | None) -> None:
        """Draw ``series``' ratios as dashed curves (None: none)."""
        self.pinned = series
        layers = shown_layers(series.depth) if series is not None else []
        for i, item in enumerate(self.pinned_curves):
            item.setVisible(i < len(layers))
            if i >= len(layers):
                item.setData([], [])
                continue
            t = (layers[i] - 1) / (series.depth - 1) if series.depth > 1 else 1.0
            colour = self.cmap.map(t, mode="qcolor")
            colour.setAlpha(PINNED_ALPHA)
            item.setPen(pg.mkPen(colour, width=1.5, style=pg.QtCore.Qt.DashLine))
            item.setData(series.steps, series.log10_update_ratio[:, layers[i] - 1],
                         connect="finite")
        set_title(self.plot, self.title(), self._points)
        self._fit_x()
        self.update(None)

    def _fit_x(self) -> None:
        """x from 0 to the end of the longer run (this one or the pin)."""
        last = float(self.pinned.steps[-1]) if self.pinned is not None and len(self.pinned) else 0
        self.plot.setXRange(0, max(1, self._steps, last), padding=0.02)

    def _fit_y(self, values: np.ndarray) -> None:
        """y range: the curves and the 10⁻³ guide, with room above for the guide's label."""
        lo = min(float(values.min()) if values.size else HEALTHY_LOG10_RATIO, HEALTHY_LOG10_RATIO)
        hi = max(float(values.max()) if values.size else HEALTHY_LOG10_RATIO, HEALTHY_LOG10_RATIO)
        span = hi - lo
        lo, hi = lo - max(0.2, 0.04 * span), hi + max(0.4, 0.12 * span)
        room = label_room(self.plot, self.guide)  # the guide's label whole above the guide
        hi = max(hi, (HEALTHY_LOG10_RATIO - room * lo) / (1 - room))
        self.plot.setYRange(lo, hi, padding=0.0)


def layer_colormap() -> pg.ColorMap:
    """The dashboard's colour map without its darkest sixth (unreadable on black)."""
    return colormap().getSubset(0.15, 0.85)


def shown_layers(depth: int) -> list[int]:
    """Up to :data:`MAX_RATIO_CURVES` layers, evenly spaced from 1 to ``depth``."""
    if depth < 1:
        return []
    picks = np.round(np.linspace(1, depth, min(depth, MAX_RATIO_CURVES))).astype(int)
    return sorted({int(p) for p in picks})
