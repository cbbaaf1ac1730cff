"""A plot of per-layer curves (x = layer 1..L) with pins, non-finite markers and a layer cursor.

The line panels (gradient, activation, saturation) are :class:`LayerPlot` s configured by a list
of :class:`CurveSpec`; they only copy numbers out of a
:class:`~gradexplorer.engine.runs.result.RunResult` into ``setData``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradexplorer.engine.runs.records import ForwardLayer
from gradexplorer.engine.runs.result import RunResult
from gradexplorer.gui.plots.dots import DottedCurve, DottedSample
from gradexplorer.gui.plots.legend_cell import LEGEND_COLUMNS, LEGEND_ROWS, LegendCell
from gradexplorer.gui.plots.panel import LayerPanel
from gradexplorer.gui.plots.style import (
    MEASURED,
    NONFINITE,
    finite_range,
    format_value,
    layer_x,
    measured_pen,
    nonfinite_marks,
    outside_legend,
    pg,
    pin_pen,
    set_legend_font,
    smooth_lines,
)
from gradexplorer.gui.plots.theory import TheoryOverlay

#: Up to this depth the measured curves also mark each layer with a dot.
SYMBOL_MAX_DEPTH = 40
#: Diameter of those dots in pixels.
DOT_SIZE = 6
#: How a pinned curve is kept between repaints.
PIN_CACHE = pg.QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache


@dataclass(frozen=True)
class CurveSpec:
    """One measured curve: ``key`` (colour and id), record ``field``, legend ``name``.

    ``log10`` says the field is a log10 quantity (only changes the hover readout).
    """

    key: str
    field: str
    name: str
    log10: bool = False


class LayerPlot(LayerPanel):
    """Per-layer curves on one :class:`pyqtgraph.PlotItem`.

    Parameters
    ----------
    plot : the PlotItem to draw into (already placed in a layout).
    title : plot title.
    y_label : y axis label, naming quantity and scale.
    curves : the measured curves, drawn solid. Several specs may share a ``key`` (one drawn
        item), e.g. a linear and a log10 variant; :meth:`visible_specs` picks which is shown.
    legend : add a legend with the measured curves (and pinned runs when asked).
    """

    def __init__(self, plot: pg.PlotItem, title: str, y_label: str,
                 curves: list[CurveSpec], legend: bool = False, y_short: str = ""):
        super().__init__(plot, title, y_label, y_short)
        self.specs = list(curves)
        plot.showGrid(x=True, y=True, alpha=0.25)
        self.legend = (outside_legend(plot, columns=LEGEND_COLUMNS, rows=LEGEND_ROWS)
                       if legend else None)
        self._cell = LegendCell(plot, self.legend) if self.legend is not None else None
        self.curves: dict[str, DottedCurve] = {}
        for spec in self.specs:
            if spec.key not in self.curves:
                item = DottedCurve(pen=measured_pen(spec.key), connect="finite")
                plot.addItem(item)
                if self.legend is not None:
                    self.legend.addItem(DottedSample(item), spec.name)
                item.setZValue(10)
                self.curves[spec.key] = item
        self._marks = pg.ScatterPlotItem(size=12, pen=pg.mkPen(NONFINITE, width=2),
                                         brush=pg.mkBrush(NONFINITE))
        self._marks.setZValue(20)
        plot.addItem(self._marks)
        self._marks_in_legend = False
        self._values: dict[str, np.ndarray] = {}
        self._pins: dict[str, dict[str, pg.PlotDataItem]] = {}
        self._pin_data: dict[str, dict[str, np.ndarray]] = {}
        self._pin_fields: dict[int, str] = {}  # id(pin item) -> the field it draws
        self.theory = TheoryOverlay(plot, self.legend)
        self.set_font(None)

    # --- configuration -------------------------------------------------------------------------
    def visible_specs(self) -> list[CurveSpec]:
        """The curves currently shown (subclasses may switch between linear and log fields)."""
        return self.specs

    def fields(self) -> list[str]:
        """Every record field this plot can show (what a pin must keep)."""
        return list(dict.fromkeys(s.field for s in self.specs))

    def _shown(self) -> dict[str, CurveSpec]:
        return {s.key: s for s in self.visible_specs()}

    def set_font(self, points: int | None) -> None:
        """Tick, label, title and legend fonts in ``points`` (None = pyqtgraph's default)."""
        super().set_font(points)
        if self.legend is not None:
            set_legend_font(self.legend, points)
        cell = getattr(self, "_cell", None)
        if cell is not None:
            cell.place(points)

    @property
    def legend_beside(self) -> bool:
        """Whether the legend sits right of the plot (a wide, short panel), not under it."""
        cell = getattr(self, "_cell", None)
        return cell is not None and cell.beside

    # --- data ----------------------------------------------------------------------------------
    def set_depth(self, depth: int) -> None:
        """Start a run of ``depth`` layers: clear the measured curves, x range 1..L.

        The y range stays (:meth:`fit_y` changes it only when the new data leave it), and at
        an unchanged depth the curves keep their symbols: a drag's runs redo no styling.
        """
        same = depth == self.depth
        self.set_x_range(depth)
        region = self.__dict__.get("_band")
        if region is not None and self.__dict__.get("_band_all"):
            # a story band over every layer follows the depth (its step's highlights may
            # have been set while another tab was current, before this run was drawn)
            region.setRegion((0.5, depth + 0.5))
        self._values = {}
        for key, item in self.curves.items():
            item.clear()  # cheaper than setData([], []) (a drag clears every run)
            if same:
                continue
            item.opts["antialias"] = smooth_lines(depth)  # read when it paints
            # Dots on shallow nets: each layer is visible (and a 1-layer "curve" at all).
            item.set_dots(DOT_SIZE if depth <= SYMBOL_MAX_DEPTH else 0, MEASURED[key])
        self._set_marks(np.empty(0), np.empty(0), [])
        self.theory.clear(keep_legend=True)  # the run's prediction usually comes back

    def update(self, result: RunResult) -> None:
        """Copy the current values of every shown field from ``result`` into the curves."""
        x = layer_x(self.depth)
        forward_arrived = np.arange(self.depth) < len(result.forward)
        backward_arrived = np.array([b is not None for b in result.backward], dtype=bool)
        shown = self._shown()
        self._values = {}
        for key, item in self.curves.items():
            spec = shown.get(key)
            self._show_curve(key, spec is not None)
            if spec is None:
                continue
            y = result.series(spec.field)
            self._values[key] = y
            item.setData(x, y, connect="finite")
        bounds = finite_range(list(self._values.values()))
        mx, my, msym = [], [], []
        for key, y in self._values.items():
            field = shown[key].field
            arrived = (forward_arrived if field in ForwardLayer.__dataclass_fields__
                       else backward_arrived)
            if arrived.size != y.size:
                continue
            xs, ys, sym = nonfinite_marks(x, y, arrived, bounds)
            mx.append(xs)
            my.append(ys)
            msym += sym
        if mx:
            self._set_marks(np.concatenate(mx), np.concatenate(my), msym)
        self._refresh_pins()
        self._place_legend()
        self.fit_y()

    def y_bounds(self) -> tuple[float, float] | None:
        """Finite (min, max) of the shown curves, pins, predictions and markers."""
        arrays = list(self._values.values())
        shown = {s.field for s in self.visible_specs()}
        arrays += [y for data in self._pin_data.values() for f, y in data.items() if f in shown]
        arrays += [y for f, y in self.theory.arrays().items() if f in shown]
        arrays += [y for f, y in self.theory.reserved_arrays().items() if f in shown]
        if len(self._marks.data):
            arrays.append(np.asarray(self._marks.data["y"], dtype=float))
        if not any(np.isfinite(a).any() for a in arrays):
            return None
        return finite_range(arrays)

    def set_theory(self, field: str, values: np.ndarray | None, label: str,
                   fit: bool = True) -> bool:
        """Draw a dashed prediction of record ``field`` (False if this plot has no such curve).

        ``fit=False`` leaves the y range to the caller (several predictions, one fit).
        """
        spec = next((s for s in self.specs if s.field == field), None)
        if spec is None:
            return False
        self.theory.set(field, values, spec.key, label)
        self.theory.show_only({s.field for s in self.visible_specs()})
        if fit:
            self.fit_y()
        return True

    def _place_legend(self) -> None:
        """Nothing to place: the legend sits in its own row under the plot (no data there)."""
        return

    def _place_legend_inside(self) -> None:  # pragma: no cover - kept for reference
        if self.legend is None or not self._values:
            return
        x = layer_x(self.depth)
        xs = np.concatenate([x[np.isfinite(y)] for y in self._values.values()])
        ys = np.concatenate([y[np.isfinite(y)] for y in self._values.values()])
        if ys.size < 2:
            return
        lo, hi = float(ys.min()), float(ys.max())
        t = (ys - lo) / ((hi - lo) or 1.0)  # 0 at the bottom, 1 at the top
        sides = {1: xs > 0.6 * self.depth, 0: xs < 0.4 * self.depth + 1}
        bands = {0: t > 0.65, 1: t < 0.35, 0.5: np.abs(t - 0.5) < 0.2}  # top, bottom, middle
        order = [(side, band) for side in (1, 0) for band in (0, 1, 0.5)]
        counts = {c: int(np.sum(sides[c[0]] & bands[c[1]])) for c in order}
        corner = min(order, key=lambda c: counts[c])  # ties: first in order
        if corner != getattr(self, "_legend_corner", None):
            self._legend_corner = corner
            cx, cy = corner
            self.legend.anchor(itemPos=corner, parentPos=corner,
                               offset=(8 - 16 * cx, 8 - 16 * cy))

    def _show_curve(self, key: str, visible: bool) -> None:
        """Show or hide a measured curve together with its legend entry."""
        item = self.curves[key]
        item.setVisible(visible)
        if self.legend is None:
            return
        listed = self._in_legend(item)
        if visible and not listed:
            name = next(s.name for s in self.specs if s.key == key)
            self.legend.addItem(DottedSample(item), name)
        elif not visible and listed:
            self.legend.removeItem(item)

    def _in_legend(self, item) -> bool:
        return self.legend is not None and any(
            getattr(sample, "item", None) is item for sample, _ in self.legend.items)

    def _set_marks(self, xs: np.ndarray, ys: np.ndarray, symbols: list[str]) -> None:
        if not symbols and not len(self._marks.data):
            return  # nothing drawn, nothing to draw: skip the scatter item's rebuild
        self._marks.setData(x=xs, y=ys, symbol=symbols if symbols else "x")
        present = len(symbols) > 0
        if self.legend is not None and present != self._marks_in_legend:
            if present:
                self.legend.addItem(self._marks, "not finite (▲ ∞, ▼ 0/−∞, × NaN)")
            else:
                self.legend.removeItem(self._marks)
            self._marks_in_legend = present

    def nonfinite_count(self) -> int:
        """Number of non-finite markers currently drawn."""
        return len(self._marks.data)

    # --- pins ----------------------------------------------------------------------------------
    def add_pin(self, label: str, data: dict[str, np.ndarray], colour: tuple[int, int, int],
                in_legend: bool) -> None:
        """Draw a pinned run: ``data`` maps each of :meth:`fields` to its (L,) series."""
        self.remove_pin(label)
        self._pin_data[label] = data
        items = {}
        for i, key in enumerate(self.curves):
            depth = next(iter(data.values())).size if data else self.depth
            item = self.plot.plot(pen=pin_pen(colour, dashed=key == "weight"), connect="finite",
                                  antialias=smooth_lines(depth))
            item.setZValue(5)
            # a pin never changes while the runs of a drag repaint the plot around it: keep
            # its stroke as a device pixmap (A/B: repaint time 1.54-1.68x -> 1.38-1.41x the
            # records' handling time)
            item.curve.setCacheMode(PIN_CACHE)
            items[key] = item
            if in_legend and i == 0 and self.legend is not None:
                self.legend.addItem(item, label)
        self._pins[label] = items
        self._refresh_pins()
        self.fit_y()

    def remove_pin(self, label: str) -> None:
        """Remove a pinned run's curves and legend entry (no-op when absent)."""
        for item in self._pins.pop(label, {}).values():
            self._pin_fields.pop(id(item), None)
            if self.legend is not None:
                self.legend.removeItem(item)
            self.plot.removeItem(item)
        self._pin_data.pop(label, None)

    def pin_labels(self) -> list[str]:
        return list(self._pins)

    def _refresh_pins(self) -> None:
        self.theory.show_only({s.field for s in self.visible_specs()})
        shown = self._shown()
        for label, items in self._pins.items():
            data = self._pin_data[label]
            for key, item in items.items():
                spec = shown.get(key)
                visible = spec is not None and spec.field in data
                item.setVisible(visible)
                if visible and self._pin_fields.get(id(item)) != spec.field:
                    # a pin's numbers never change: set them only when it shows another field
                    # (each run of a drag would otherwise redo every pin curve)
                    self._pin_fields[id(item)] = spec.field
                    y = data[spec.field]
                    item.setData(layer_x(y.size), y, connect="finite")

    # --- highlight (story mode) -----------------------------------------------------------------
    def set_highlight(self, keys=(), pins=(), layers: tuple[int, int] | None = None,
                      band: bool = False) -> None:
        """Emphasize measured curves ``keys`` (e.g. "grad", "weight") and pinned runs ``pins``
        (labels): thicker, fully opaque pens; a shaded band over ``layers`` (first, last,
        1-based; None = every layer) when ``band``. Nothing given: back to normal.

        Pens are copied from the items and restored from the copies, so the plots' own styles
        (dashed pins, colours) are kept.
        """
        saved = self.__dict__.setdefault("_saved_pens", {})
        for item, pen in saved.items():
            item.setPen(pen)
        saved.clear()
        targets = [self.curves[k] for k in keys if k in self.curves]
        targets += [item for label in pins for item in self._pins.get(label, {}).values()]
        for item in targets:
            pen = pg.mkPen(item.opts["pen"])
            saved[item] = pg.mkPen(pen)
            colour = pen.color()
            colour.setAlpha(255)
            pen.setColor(colour)
            pen.setWidthF(max(4.5, 2 * pen.widthF()))
            item.setPen(pen)
        region = self.__dict__.get("_band")
        self._band_all = band and not layers
        if band and self.depth:
            first, last = layers if layers else (1, self.depth)
            if region is None:
                region = pg.LinearRegionItem(movable=False, brush=(255, 230, 120, 38),
                                             pen=pg.mkPen((255, 230, 120, 120), width=1))
                region.setZValue(-10)
                self.plot.addItem(region, ignoreBounds=True)
                self._band = region
            region.setRegion((first - 0.5, last + 0.5))
            region.setVisible(True)
        elif region is not None:
            region.setVisible(False)

    def highlighted(self) -> bool:
        """Whether a story highlight is shown on this plot (emphasized curve or band)."""
        region = self.__dict__.get("_band")
        return bool(self.__dict__.get("_saved_pens")) or bool(region and region.isVisible())

    # --- interaction ---------------------------------------------------------------------------
    def readout(self, layer: int, scene_pos=None) -> str:
        """Hover text: layer and the value of every shown curve there."""
        parts = [f"layer {layer}"]
        for spec in self.visible_specs():
            y = self._values.get(spec.key)
            if y is not None and 0 < layer <= y.size:
                parts.append(f"{spec.name} = {format_value(float(y[layer - 1]), spec.log10)}")
        return " · ".join(parts)
