"""The selected layer's histograms: pre-activation h, activation a and gradient ∂L/∂h.

Three small plots side by side, each on its own x axis: h and a may be binned in different
units (``Histogram.units``), the gradient in log10 |value|.
"""

from __future__ import annotations

import numpy as np

from gradexplorer.engine.runs.records import Histogram
from gradexplorer.engine.runs.result import RunResult
from gradexplorer.gui.plots.axis_space import floor_text_space, hold_plot_axes
from gradexplorer.gui.plots.curve import Curve
from gradexplorer.gui.plots.sticky import keeps, with_headroom
from gradexplorer.gui.plots.style import (
    MEASURED,
    pg,
    set_axis_label,
    set_title,
    style_axis,
    value_label,
)

#: Colour of the pre-activation histogram.
PREACT = (150, 150, 255)

#: (name, quantity shown in titles and labels, colour) of the three plots.
PANELS = (
    ("preact", "h", PREACT),
    ("act", "a = φ(h)", MEASURED["std"]),
    ("grad", "∂L/∂h", MEASURED["grad"]),
)


def _step(item: pg.PlotCurveItem, h: Histogram | None) -> bool:
    """Draw ``h`` as a filled step curve (or nothing); return whether something is drawn."""
    if (h is None or len(h.edges) != len(h.density) + 1 or len(h.edges) < 2
            or not np.all(np.isfinite(h.edges))):
        _clear(item)
        return False
    density = np.nan_to_num(np.asarray(h.density, dtype=float), nan=0.0, posinf=0.0)
    item.setData(np.asarray(h.edges, dtype=float), density, stepMode="center", fillLevel=0)
    _fit(item.getViewBox(), float(h.edges[0]), float(h.edges[-1]),
         float(density.max()) if density.size else 0.0)
    return True


def _clear(item: pg.PlotCurveItem) -> None:
    """Draw nothing (pyqtgraph's ``clear`` leaves the old stroke on screen until a repaint)."""
    if item.xData is not None:
        item.clear()
        item.update()


def _fit(vb: pg.ViewBox | None, x0: float, x1: float, top: float) -> None:
    """Show [x0, x1] × [0, top], keeping the current range while it still fits (:mod:`.sticky`:
    the next layer or run of a drag then redoes no tick text)."""
    if vb is None:
        return
    vb.disableAutoRange()
    xr, yr = vb.viewRange()
    if not keeps(xr, x0, x1):
        vb.setXRange(*with_headroom(x0, x1), padding=0)
    if not keeps(yr, 0.0, top):
        vb.setYRange(0.0, with_headroom(0.0, top)[1], padding=0)


class LayerDetail:
    """Densities of h_l, a_l and log10 |∂L/∂h_l| for the selected layer l.

    Parameters
    ----------
    layout : the GraphicsLayout cell to fill (three plots in a row).
    """

    def __init__(self, layout: pg.GraphicsLayout):
        self.layer: int | None = None
        self._points: int | None = None
        self._units = {"preact": "value", "act": "value", "grad": "log10 |value|"}
        self._shown: dict[str, bool] = {}
        self._state: tuple = ()
        self.plots_: dict[str, pg.PlotItem] = {}
        self.items: dict[str, pg.PlotCurveItem] = {}
        for col, (name, _quantity, colour) in enumerate(PANELS):
            plot = layout.addPlot(row=0, col=col)
            plot.hideButtons()
            self.plots_[name] = plot
            # bare curve items: a PlotDataItem's setData costs ~6x as much (every drag run)
            item = Curve(pen=pg.mkPen(colour, width=1.5), brush=(*colour, 70))
            plot.addItem(item)
            self.items[name] = item
        self.set_font(None)

    def plots(self) -> dict[str, pg.PlotItem]:
        """The three plots by panel name (``layer_preact``, ``layer_act``, ``layer_grad``)."""
        return {f"layer_{name}": plot for name, plot in self.plots_.items()}

    def set_font(self, points: int | None) -> None:
        """Tick, label and title fonts in ``points`` (None = pyqtgraph's default)."""
        self._points = points
        self._labels = self._label_key()
        where = f"layer {self.layer}" if self.layer else "click a layer"
        for i, (name, quantity, _colour) in enumerate(PANELS):
            plot = self.plots_[name]
            for side in ("left", "bottom"):
                style_axis(plot.getAxis(side), points)
            floor_text_space(plot.getAxis("left"))
            # "density" once, on the first of the three side-by-side plots: the width of two
            # more labels is what a large presentation scale cannot spare
            set_axis_label(plot, "left", "density" if i == 0 else "", points)
            label = value_label(quantity.split(" ")[0], self._units[name])
            set_axis_label(plot, "bottom", label, points)
            pending = " (pending)" if self.layer and not self._shown.get(name) else ""
            set_title(plot, f"{where}: {quantity}{pending}", points)

    def hold_axes(self, hold: bool) -> None:
        """Let the axes only widen while ``hold`` (a run streams, a drag's previews come), as
        the dashboard's plots do: a narrower density label here re-laid every plot out."""
        for plot in self.plots_.values():
            hold_plot_axes(plot, hold)

    def _label_key(self) -> tuple:
        """What the titles and labels say (they are redone only when it changes)."""
        return (self._points, self.layer, tuple(self._units.values()),
                tuple(bool(self._shown.get(name)) for name, _q, _c in PANELS))

    def clear(self) -> None:
        """Forget the shown histograms (the selection is kept; titles change with the next
        :meth:`show_layer`)."""
        for item in self.items.values():
            _clear(item)  # cheaper than setData([], []): new data follow
        self._shown = {}
        self._state = ()

    def show_layer(self, layer: int | None, result: RunResult | None) -> None:
        """Show layer ``layer``'s histograms from ``result`` (whatever has arrived)."""
        self.layer = layer
        fwd = bwd = None
        if result is not None and layer is not None:
            if 0 < layer <= len(result.forward):
                fwd = result.forward[layer - 1]
            if 0 < layer <= len(result.backward):
                bwd = result.backward[layer - 1]
        hists = {"preact": fwd.preact_hist if fwd else None,
                 "act": fwd.act_hist if fwd else None,
                 "grad": bwd.grad_hist if bwd else None}
        state = (layer, *(id(h) for h in hists.values()))
        if state == self._state:
            return  # nothing new for this layer: skip redrawing (called at every flush)
        self._state = state
        for name, h in hists.items():
            self._shown[name] = _step(self.items[name], h)
            if self._shown[name]:
                self._units[name] = h.units
        if self._label_key() != self._labels:
            self.set_font(self._points)
