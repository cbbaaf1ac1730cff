"""Per-layer distributions as one image: x = layer l, y = value bins, colour = density.

Gradient histograms sit on a universal log10 grid whose range differs between layers; they are
placed on the union of the ranges (:func:`stack_histograms`). Activation histograms share one
grid per run, which is the trivial case of the same function.
"""

from __future__ import annotations

import numpy as np

from gradexplorer.engine.records import Histogram
from gradexplorer.engine.result import RunResult

from .panel import LayerPanel
from .style import colormap, label_style, pg, style_axis, value_label

#: Upper colour level = this percentile of the positive densities (spikes saturate, the rest
#: keeps its contrast).
LEVEL_PERCENTILE = 95.0
#: Most bins drawn along the value axis (finer grids are merged for display).
MAX_BINS = 1024


def _valid(h: Histogram | None) -> bool:
    return (h is not None and len(h.edges) >= 2 and len(h.density) == len(h.edges) - 1
            and bool(np.all(np.isfinite(h.edges))) and h.edges[-1] > h.edges[0])


def stack_histograms(hists: list[Histogram | None],
                     max_bins: int = MAX_BINS) -> tuple[np.ndarray, float, float]:
    """Put per-layer histograms side by side on the union of their bin ranges.

    Parameters
    ----------
    hists : one entry per layer 1..L; None (not yet arrived) or a histogram on a uniform grid
        whose bin width is a whole multiple of the finest one (as the engine's grids are).
    max_bins : at most this many bins in the image; finer grids are merged ``k`` bins at a
        time (mean density), so a 10^-300..10^+360 gradient range stays cheap to draw.

    Returns
    -------
    image : float64 array of shape (L, n_bins): density of layer l in bin k; NaN for layers
        without a histogram, 0 outside a layer's own range.
    lo, hi : value (in the histograms' units) of the lower edge of bin 0 and upper edge of the
        last bin; (0, 1) with n_bins = 0 when no histogram is valid.
    """
    valid = [h for h in hists if _valid(h)]
    if not valid:
        return np.full((len(hists), 0), np.nan), 0.0, 1.0
    width = min(float(np.min(np.diff(h.edges))) for h in valid)
    lo = min(float(h.edges[0]) for h in valid)
    hi = max(float(h.edges[-1]) for h in valid)
    n_fine = max(1, int(round((hi - lo) / width)))
    factor = max(1, -(-n_fine // max_bins))
    n_bins = -(-n_fine // factor)
    image = np.full((len(hists), n_bins), np.nan)
    for i, h in enumerate(hists):
        if not _valid(h):
            continue
        density = np.nan_to_num(np.asarray(h.density, dtype=float), nan=0.0, posinf=0.0)
        repeat = max(1, int(round((h.edges[1] - h.edges[0]) / width)))
        density = np.repeat(density, repeat)
        start = int(round((h.edges[0] - lo) / width))
        fine = np.clip(start + np.arange(density.size), 0, n_fine - 1)
        image[i] = np.bincount(fine // factor, weights=density, minlength=n_bins)[:n_bins] / factor
    return image, lo, lo + n_bins * factor * width


class HeatmapPlot(LayerPanel):
    """An :class:`pyqtgraph.ImageItem` (layer × value, density) with a labelled colour bar.

    Parameters
    ----------
    plot : the PlotItem to draw into.
    title : plot title.
    field : which histogram to show: ``"act_hist"`` / ``"preact_hist"`` (forward records) or
        ``"grad_hist"`` (backward records).
    symbol : the binned quantity in axis labels, e.g. ``"a"`` or ``"∂L/∂h"``.
    units : the histograms' units until the first one arrives (then theirs are used).
    """

    def __init__(self, plot: pg.PlotItem, title: str, field: str, symbol: str,
                 units: str = "value"):
        self.symbol = symbol
        super().__init__(plot, title, value_label(symbol, units))
        self.field = field
        self.image = pg.ImageItem(axisOrder="col-major")
        plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=colormap(), width=14,
                                        interactive=False)
        self.colorbar.setImageItem(self.image, insert_in=plot)
        self._data = np.full((0, 0), np.nan)
        self._lo, self._hi = 0.0, 1.0
        self.set_font(None)

    def set_font(self, points: int | None) -> None:
        super().set_font(points)
        axis = self.colorbar.axis
        style_axis(axis, points)
        axis.setWidth(None)  # automatic: tick text + label
        axis.setLabel("density", **label_style(axis, points))

    def set_depth(self, depth: int) -> None:
        """Start a run of ``depth`` layers: empty image, x range 1..L."""
        self.set_x_range(depth)
        self._data = np.full((depth, 0), np.nan)
        self.image.clear()

    def _histograms(self, result: RunResult) -> list[Histogram | None]:
        source = result.backward if self.field == "grad_hist" else result.forward
        hists: list[Histogram | None] = [None] * self.depth
        for rec in source:
            if rec is not None and 0 < rec.layer <= self.depth:
                hists[rec.layer - 1] = getattr(rec, self.field)
        return hists

    def update(self, result: RunResult) -> None:
        """Rebuild the image from every histogram that has arrived."""
        hists = self._histograms(result)
        image, lo, hi = stack_histograms(hists)
        self._data, self._lo, self._hi = image, lo, hi
        if image.shape[1] == 0 or not np.isfinite(image).any():
            self.image.clear()
            return
        units = next(h.units for h in hists if h is not None)
        label = value_label(self.symbol, units)
        if label != self.y_label:
            self.y_label = label
            self.set_font(self._points)
        positive = image[np.isfinite(image) & (image > 0)]
        top = float(np.percentile(positive, LEVEL_PERCENTILE)) if positive.size else 1.0
        self.image.setImage(image, autoLevels=False, levels=(0.0, top))
        self.image.setRect(pg.QtCore.QRectF(0.5, lo, float(self.depth), hi - lo))
        self.colorbar.setLevels((0.0, top))
        self.plot.enableAutoRange(y=True)

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
