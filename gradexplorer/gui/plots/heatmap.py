"""Per-layer distributions as one image: x = layer l, y = value bins, colour = density.

The image is assembled by :class:`~gradexplorer.gui.plots.stack.HistogramStack` on the union of
the layers' bin ranges (gradient histograms' ranges differ between layers).
"""

from __future__ import annotations

import numpy as np

from gradexplorer.engine.runs.result import RunResult
from gradexplorer.gui.plots.axis_space import floor_text_space, hold_text_space
from gradexplorer.gui.plots.panel import LayerPanel
from gradexplorer.gui.plots.stack import HistogramStack
from gradexplorer.gui.plots.sticky import sticky_top
from gradexplorer.gui.plots.style import (
    colormap,
    pg,
    style_axis,
    value_label,
)

#: Upper colour level ≈ this percentile of the positive densities (spikes saturate, the rest
#: keeps its contrast), rounded up to 1, 1.5, 2, 3, 5 or 7 × 10^k and kept while it fits
#: (:func:`~.sticky.sticky_top`).
LEVEL_PERCENTILE = 95.0


class HeatmapPlot(LayerPanel):
    """An :class:`pyqtgraph.ImageItem` (layer × value, density) with a labelled colour bar.

    Parameters
    ----------
    plot : the PlotItem to draw into.
    title : plot title; ``short_title`` its wording in a narrow column.
    field : which histogram to show: ``"act_hist"`` / ``"preact_hist"`` (forward records) or
        ``"grad_hist"`` (backward records).
    symbol : the binned quantity in axis labels, e.g. ``"a"`` or ``"∂L/∂h"``.
    units : the histograms' units until the first one arrives (then theirs are used).
    """

    def __init__(self, plot: pg.PlotItem, title: str, field: str, symbol: str,
                 units: str = "value", short_title: str = ""):
        self.symbol = symbol
        #: in a narrow column (1.6x on 1280x720 the full title shrank to 11 pt)
        self.short_title = f"{short_title} (colour: density)" if short_title else ""
        # "colour: density" in the title, not beside the colour bar: a label there costs a
        # text line of width per heatmap, which a large presentation scale cannot spare
        super().__init__(plot, f"{title} (colour: density)", value_label(symbol, units))
        self.field = field
        self.image = pg.ImageItem(axisOrder="col-major")
        plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=colormap(), width=14,
                                        interactive=False)
        self.colorbar.setImageItem(self.image, insert_in=plot)
        self._stack = HistogramStack()
        self._data = np.full((0, 0), np.nan)
        self._lo, self._hi = 0.0, 1.0
        self.set_font(None)

    def set_font(self, points: int | None) -> None:
        super().set_font(points)
        axis = self.colorbar.axis
        style_axis(axis, points)
        axis.setWidth(None)  # automatic: tick text
        floor_text_space(axis)

    def set_depth(self, depth: int) -> None:
        """Start a run of ``depth`` layers: empty image, x range 1..L."""
        self.set_x_range(depth)
        self._stack.reset()
        self._data = np.full((depth, 0), np.nan)
        self.image.clear()

    def hold_axes(self, hold: bool) -> None:
        super().hold_axes(hold)
        hold_text_space(self.colorbar.axis, hold)

    def update(self, result: RunResult) -> None:
        """Redraw the image with every histogram that has arrived."""
        source = result.backward if self.field == "grad_hist" else result.forward
        self.add(source)
        self.draw()

    def add(self, records) -> bool:
        """Take the histograms of ``records`` (any records, in any order) without redrawing.

        Cheap: only rows that changed are kept for the next :meth:`draw`. Returns whether
        any row changed.
        """
        changed = False
        for rec in records:
            if hasattr(rec, self.field) and 0 < rec.layer <= self.depth:
                changed |= self._stack.set(rec.layer - 1, getattr(rec, self.field))
        return changed

    def draw(self) -> None:
        """Redraw the image from the histograms taken so far (see :meth:`add`)."""
        image, lo, hi = self._stack.image(self.depth)
        self._data, self._lo, self._hi = image, lo, hi
        if image.shape[1] == 0 or not np.isfinite(image).any():
            self.image.clear()
            return
        label = value_label(self.symbol, self._stack.units())
        if label != self.y_label:
            self.y_label = label
            self.set_font(self._points)
        positive = image[np.isfinite(image) & (image > 0)]
        top = float(np.percentile(positive, LEVEL_PERCENTILE)) if positive.size else 1.0
        # kept while the new runs' densities fit it (a drag re-ticks the colour bar rarely)
        top = self._top = sticky_top(getattr(self, "_top", None), top)
        self.image.setImage(image, autoLevels=False, levels=(0.0, top))
        self.image.setRect(pg.QtCore.QRectF(0.5, lo, float(self.depth), hi - lo))
        if self.colorbar.levels() != (0.0, top):
            self.colorbar.setLevels((0.0, top))
        self.fit_y()

    def y_bounds(self) -> tuple[float, float] | None:
        """The image's value range (None before it has rows)."""
        return (self._lo, self._hi) if self._data.shape[1] else None

    def image_data(self) -> np.ndarray:
        """The displayed array, shape (L, n_bins) (NaN = layer not arrived)."""
        return self._data

    def value_range(self) -> tuple[float, float]:
        """(lo, hi): y values of the image's lower and upper edge."""
        return self._lo, self._hi

    def readout(self, layer: int, scene_pos) -> str:
        """Hover text: layer, the y value under the pointer and the density there."""
        y = self.plot.vb.mapSceneToView(scene_pos).y()
        text = f"layer {layer} · {self.y_label} = {y:.3g}"
        n_bins = self._data.shape[1]
        if n_bins and self._lo <= y < self._hi and layer <= self._data.shape[0]:
            k = int((y - self._lo) / (self._hi - self._lo) * n_bins)
            d = self._data[layer - 1, min(k, n_bins - 1)]
            text += " · density " + ("not yet" if np.isnan(d) else f"{d:.3g}")
        return text
