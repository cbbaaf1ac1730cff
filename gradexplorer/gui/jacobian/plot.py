"""Histogram of log10 λ (eigenvalues of J Jᵀ) with mean markers, the rounding floor and a legend.

Every item is created once; a new answer only calls ``setData`` / ``setValue`` / ``setRegion``.
Binning for display is the only arithmetic here: the engine supplies the eigenvalues' exact
log10, the means, the predictions and the floor.
"""

from __future__ import annotations

import math

import numpy as np

from gradexplorer.engine.runs.jacobian import JacobianSpectrum
from gradexplorer.gui.plots.style import (
    follow_scale,
    pg,
    set_axis_label,
    set_legend_font,
    set_title,
    style_axis,
)

#: Colours of the (first, second) histogram: the spec's or Gaussian weights, orthogonal weights.
COLOURS = ((255, 170, 40), (90, 200, 255))
PREDICTED = (235, 235, 235)
FLOOR_BRUSH = (128, 128, 128, 70)
X_LABEL = "squared singular value λ of JJᵀ (log10)"
Y_LABEL = "eigenvalues per decade (fraction)"
#: The y label in a short plot (1.6x on 1280x720: the whole one shrank to 6 pt).
Y_SHORT = "fraction per decade"
#: About this many bins across the shown spectra, none narrower than MIN_BIN decades.
BINS = 60
MIN_BIN = 0.02
#: The floor's grey band is kept in view when it lies within this many decades of the spectrum.
FLOOR_VIEW_DECADES = 3.0


def histogram_edges(logs: list[np.ndarray]) -> np.ndarray:
    """Common bin edges (decades) over the finite values of ``logs``, both extremes included."""
    finite = np.concatenate([v[np.isfinite(v)] for v in logs]) if logs else np.empty(0)
    if finite.size == 0:
        return np.array([-0.5, 0.5])
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo < MIN_BIN:
        return np.array([lo - MIN_BIN / 2, hi + MIN_BIN / 2])
    n = max(1, min(BINS, int(math.ceil((hi - lo) / MIN_BIN))))
    return np.linspace(lo, hi, n + 1)


def shown_part(logs: np.ndarray, floor: float) -> np.ndarray:
    """The finite log10 eigenvalues not more than FLOOR_VIEW_DECADES below the rounding floor.

    Deeper ones are rounding noise of exact zeros (e.g. dead ReLU units make J rank-deficient)
    and would stretch the axis by tens of decades; the table counts every one below the floor.
    """
    keep = np.isfinite(logs)
    if math.isfinite(floor):
        keep &= logs >= floor - FLOOR_VIEW_DECADES
    return logs[keep]


class SpectrumPlot:
    """One :class:`pyqtgraph.PlotItem` showing one or two spectra.

    Parameters
    ----------
    plot : the PlotItem to draw into (already placed in a layout).
    legend : a LegendItem placed elsewhere (e.g. beside the numbers, so it never hides a
        histogram); default: a legend inside the plot.
    """

    def __init__(self, plot: pg.PlotItem, legend: pg.LegendItem | None = None):
        self.plot = plot
        self._points: int | None = None
        self._title = ""
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.showGrid(x=True, y=True, alpha=0.25)
        self.floor = pg.LinearRegionItem(orientation="vertical", movable=False,
                                         brush=FLOOR_BRUSH, pen=pg.mkPen((160, 160, 160), width=1))
        self.floor.setZValue(-10)
        plot.addItem(self.floor, ignoreBounds=True)
        self.floor_text = pg.TextItem("below:\nrounding\nnoise", color=(190, 190, 190),
                                      anchor=(1, 0))
        plot.addItem(self.floor_text, ignoreBounds=True)
        self.hists = []
        self.means = []
        for colour in COLOURS:
            hist = pg.PlotDataItem(stepMode="center", fillLevel=0, pen=pg.mkPen(colour, width=2),
                                   brush=(*colour, 70))
            plot.addItem(hist)
            self.hists.append(hist)
            line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(colour, width=2.5))
            line.setZValue(5)
            plot.addItem(line, ignoreBounds=True)
            self.means.append(line)
        dashed = pg.mkPen(PREDICTED, width=2, style=pg.QtCore.Qt.PenStyle.DashLine)
        self.predicted = pg.InfiniteLine(angle=90, movable=False, pen=dashed)
        self.predicted.setZValue(6)
        plot.addItem(self.predicted, ignoreBounds=True)
        # Legend samples for the marker lines (never drawn in the plot: no data).
        self._mean_samples = [pg.PlotDataItem(pen=pg.mkPen(c, width=2.5)) for c in COLOURS]
        self._predicted_sample = pg.PlotDataItem(pen=dashed)
        self._floor_sample = pg.BarGraphItem(x=[0], height=[0], width=0, brush=FLOOR_BRUSH,
                                             pen=pg.mkPen((160, 160, 160)))
        self.legend = legend if legend is not None else \
            plot.addLegend(offset=(-8, 8), brush=(0, 0, 0, 170))
        self.names: list[str] = []
        follow_scale(self.set_font)
        self.clear()

    def set_font(self, points: int | None) -> None:
        """Tick, label, title and legend fonts in ``points`` (None = default)."""
        self._points = points
        for side in ("left", "bottom"):
            style_axis(self.plot.getAxis(side), points)
        set_axis_label(self.plot, "bottom", X_LABEL, points)
        set_axis_label(self.plot, "left", Y_LABEL, points, Y_SHORT)
        set_title(self.plot, self._title, points)
        set_legend_font(self.legend, points)

    def set_title(self, text: str) -> None:
        """Plot title (what is shown: spec, input row, weights)."""
        self._title = text
        set_title(self.plot, text, self._points)

    def clear(self) -> None:
        """Show nothing (before the first answer)."""
        for hist, line in zip(self.hists, self.means, strict=True):
            hist.setData([], [])
            hist.setVisible(False)
            line.setVisible(False)
        self.predicted.setVisible(False)
        self.floor.setVisible(False)
        self.floor_text.setVisible(False)
        self.legend.clear()
        self.names = []

    def show_spectra(self, spectra: list[tuple[str, JacobianSpectrum]]) -> None:
        """Draw one histogram per (legend name, spectrum), at most two, on common bins."""
        floor = max(s.log10_floor for _, s in spectra)
        logs = [shown_part(s.log10_eigenvalues, floor) for _, s in spectra]
        edges = histogram_edges(logs)
        width = float(edges[1] - edges[0])
        top = 0.0
        self.legend.clear()
        self.names = [name for name, _ in spectra]
        for i, (hist, line) in enumerate(zip(self.hists, self.means, strict=True)):
            shown = i < len(spectra)
            hist.setVisible(shown)
            if not shown:
                hist.setData([], [])
                line.setVisible(False)
                continue
            name, s = spectra[i]
            counts, _ = np.histogram(logs[i], bins=edges)
            density = counts / (max(s.log10_eigenvalues.size, 1) * width)
            hist.setData(edges, density)
            top = max(top, float(density.max()) if density.size else 0.0)
            line.setVisible(math.isfinite(s.log10_mean))
            if math.isfinite(s.log10_mean):
                line.setValue(s.log10_mean)
            self.legend.addItem(hist, name)
        for i, (name, _s) in enumerate(spectra):
            which = f" ({name.split(' ')[0]})" if len(spectra) > 1 else ""
            self.legend.addItem(self._mean_samples[i], f"measured mean λ{which}")
        pred = spectra[0][1].predicted_log10_mean
        self.predicted.setVisible(math.isfinite(pred))
        if math.isfinite(pred):
            self.predicted.setValue(pred)
            self.legend.addItem(self._predicted_sample,
                                "mean-field prediction (Πχ, χ = σ_w² E[φ'²])")
        self._show_floor([s for _, s in spectra], edges, top)
        set_legend_font(self.legend, self._points)

    def _show_floor(self, spectra: list[JacobianSpectrum], edges: np.ndarray, top: float) -> None:
        floor = max(s.log10_floor for s in spectra)
        lo, hi = float(edges[0]), float(edges[-1])
        markers = [s.log10_mean for s in spectra] + [spectra[0].predicted_log10_mean]
        markers = [m for m in markers if math.isfinite(m)]
        lo, hi = min([lo, *markers]), max([hi, *markers])
        visible = math.isfinite(floor) and floor > lo - FLOOR_VIEW_DECADES
        if visible:
            lo = min(lo, floor)
        pad = max(0.05 * (hi - lo), 0.25)
        self.plot.setXRange(lo - pad, hi + pad, padding=0)
        self.plot.setYRange(0, 1.08 * top if top > 0 else 1, padding=0)
        self.floor.setVisible(visible)
        self.floor_text.setVisible(visible)
        if visible:
            self.floor.setRegion((floor - 1e4, floor))
            self.floor_text.setPos(floor, 1.08 * top if top > 0 else 1)
            self.legend.addItem(self._floor_sample, "rounding noise (below the floor)")
