"""Shared look of the plot panels: the pyqtgraph import, colours, pens, fonts and markers.

Every panel module imports ``pg`` from here so that pyqtgraph binds to PySide6 even when another
Qt binding is installed.
"""

from __future__ import annotations

import os
import types
import weakref
import zlib
from collections.abc import Callable

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402, I001  (PySide6 before pyqtgraph, on purpose)
import PySide6  # noqa: E402, F401
from PySide6.QtGui import QFont, QFontMetrics  # noqa: E402
import pyqtgraph as pg  # noqa: E402
import pyqtgraph.exporters  # noqa: E402, F401  (explicit: pyqtgraph does not import it)

from gradexplorer.gui.plots.legend_fit import UnderPlot, legend_layout  # noqa: E402
from gradexplorer.gui.plots.ticks import readable_tick_spacing  # noqa: E402
from gradexplorer.gui.plots.text_fit import (  # noqa: E402  (re-exported: panels import them here)
    _TAGS,
    DEFAULT_FONT_POINTS as DEFAULT_FONT_POINTS,
    LABEL_MIN_WIDTH as LABEL_MIN_WIDTH,
    fit_label as fit_label,
    fitted_points as fitted_points,
    set_title as set_title,
    shrinkable as shrinkable,
)

#: Colours of the measured curves (pyqtgraph's dark theme: bright on black).
MEASURED = {
    "grad": (255, 170, 40),      # RMS of dL/dh: orange
    "weight": (90, 200, 255),    # ||dL/dW||_F: light blue
    "mean": (120, 220, 120),     # activation mean: green
    "std": (240, 110, 200),      # activation std: pink
    "saturated": (255, 220, 80),  # saturated fraction: yellow
    "normed": (170, 140, 255),   # std of the normalized z = Norm(h): violet
}
#: Colour of the markers for non-finite values (inf / NaN).
NONFINITE = (255, 60, 60)
#: Colour of the selected-layer cursor line.
CURSOR = (200, 200, 200)
#: Distinct hues for pinned runs, cycled.
PIN_COLOURS = [
    (225, 225, 225), (190, 150, 255), (80, 255, 200), (255, 130, 110),
    (200, 200, 80), (120, 170, 255), (255, 160, 230), (150, 255, 110),
]
#: Alpha (0-255) of pinned-run curves: fainter than the measured curves, still legible on the
#: dark background (110 was too dark to see at a lecture-hall projector).
PIN_ALPHA = 160
COLORMAP_NAME = "viridis"

# --- the presentation scale -------------------------------------------------------------------
#: Range of the presentation scale (1.0 = the plots' default 10-point type).
SCALE_RANGE = (0.6, 2.5)
_scale = 1.0
_followers: list[weakref.ref] = []


def scale() -> float:
    """The current presentation scale (1.0 = default type size)."""
    return _scale


def scaled_points(base: float = DEFAULT_FONT_POINTS) -> int:
    """``base`` points times the presentation scale, rounded (at least 6)."""
    return max(6, round(base * _scale))


def follow_scale(set_font: Callable[[int], None]) -> None:
    """Call ``set_font(points)`` now and whenever the presentation scale changes.

    Every plot (pyqtgraph titles, axis labels, ticks, legends, colour bars, text items) registers
    its font setter here, so one :func:`set_scale` resizes every text of every tab. Bound methods
    are held weakly: a deleted plot drops out by itself.
    """
    ref = (weakref.WeakMethod(set_font) if hasattr(set_font, "__self__")
           else weakref.ref(set_font))
    _followers.append(ref)
    set_font(scaled_points())


def set_scale(value: float) -> float:
    """Set the presentation scale (clamped to :data:`SCALE_RANGE`); re-font every follower."""
    global _scale
    _scale = float(min(max(value, SCALE_RANGE[0]), SCALE_RANGE[1]))
    alive = []
    for ref in _followers:
        fn = ref()
        if fn is None:
            continue
        try:
            fn(scaled_points())
        except RuntimeError:  # its Qt object was deleted
            continue
        alive.append(ref)
    _followers[:] = alive
    return _scale


def coloured(text: str, colour: tuple[int, int, int]) -> str:
    """``text`` as rich text in ``colour`` (titles name their curves in the curves' colours)."""
    return f"<span style='color: #{colour[0]:02x}{colour[1]:02x}{colour[2]:02x}'>{text}</span>"


#: Curves of at most this many layers are drawn antialiased on screen (deeper ones are dense
#: enough that it shows little and it doubles their repaint time). Exports always antialias.
ANTIALIAS_MAX_DEPTH = 200


def smooth_lines(depth: int) -> bool:
    """Whether to antialias a curve of ``depth`` points on screen."""
    return depth <= ANTIALIAS_MAX_DEPTH


def measured_pen(key: str, width: float = 2.5) -> pg.QtGui.QPen:
    """Solid pen of a measured curve."""
    return pg.mkPen(MEASURED[key], width=width)


def pin_pen(colour: tuple[int, int, int], dashed: bool = False) -> pg.QtGui.QPen:
    """Faint pen of a pinned run's curve: solid, or dashed (its ‖∂L/∂W‖ beside its ∂L/∂h)."""
    pen = pg.mkPen((*colour, PIN_ALPHA), width=2)
    if dashed:
        pen.setStyle(pg.QtCore.Qt.PenStyle.DashLine)
    return pen


def pin_colour_for(label: str, taken=()) -> tuple[int, int, int]:
    """The colour of the pin named ``label``: the same in every session (from the label's
    CRC-32), unless another shown pin (``taken``) has it; then the next free one."""
    taken = set(taken)
    start = zlib.crc32(label.encode("utf-8"))
    for i in range(len(PIN_COLOURS)):
        colour = PIN_COLOURS[(start + i) % len(PIN_COLOURS)]
        if colour not in taken:
            return colour
    return PIN_COLOURS[start % len(PIN_COLOURS)]


def pin_colour(index: int) -> tuple[int, int, int]:
    """The ``index``-th pin colour (cycles through :data:`PIN_COLOURS`)."""
    return PIN_COLOURS[index % len(PIN_COLOURS)]


def colormap() -> pg.ColorMap:
    """Colour map of the density heatmaps."""
    return pg.colormap.get(COLORMAP_NAME)


def label_style(axis: pg.AxisItem, points: int | None) -> dict[str, str]:
    """CSS of an axis label: the axis' text colour and ``points``-point type."""
    style = {"color": axis.textPen().color().name()}
    if points:
        style["font-size"] = f"{points}pt"
    return style


def set_axis_label(plot: pg.PlotItem, side: str, text: str, points: int | None,
                   short: str = "") -> None:
    """Label axis ``side`` of ``plot`` with ``text`` in ``points``-point type (None = default).

    A label longer than its axis breaks onto two lines, and if that is not enough gets smaller
    type (down to 7 pt), again at every resize, so it is never cut or run past the plot;
    ``short``, if given, replaces it when that keeps larger type (:func:`fit_label`).
    """
    fit_label(plot.getAxis(side), text, points, short)


def style_axis(axis: pg.AxisItem, points: int | None) -> None:
    """Tick font of ``axis`` in ``points``; plain tick values (no SI prefix hidden in a label)."""
    font = QFont()
    font.setPointSizeF(points or DEFAULT_FONT_POINTS)
    # maxTickLevel=1: major and minor ticks; the default sub-minor level adds little and its
    # grid lines triple the repaint time.
    axis.setStyle(tickFont=font, autoExpandTextSpace=True, maxTickLevel=1)
    # enableAutoSIPrefix(False) in pyqtgraph 0.14 freezes the prefix of the current range
    # (e.g. ×1000 for a fresh [-0.5, 0.5] axis) instead of removing it: reset it ourselves.
    if axis.orientation in ("bottom", "top", "left", "right"):
        # no more ticks than their text fits, and two labels where two fit (ticks.py)
        axis.tickSpacing = types.MethodType(readable_tick_spacing, axis)
        axis.setStyle(maxTextLevel=0)  # labels on major ticks only: their spacing is fitted
    axis.autoSIPrefix = False
    axis.autoSIPrefixScale = 1.0
    axis.labelUnitPrefix = ""
    # Reserve tick-text space for the new font now; pyqtgraph would only learn it while
    # painting, too late for an export made right after a font change.
    metrics = QFontMetrics(font)
    vertical = axis.orientation in ("left", "right")
    axis._updateMaxTextSize(metrics.horizontalAdvance("-0.00") if vertical else metrics.height())
    axis.picture = None
    axis.update()


def outside_legend(plot: pg.PlotItem, columns: int = 2, rows: int | None = None,
                   **style) -> pg.LegendItem:
    """A legend in its own row under ``plot``'s x axis: outside the data area, so it never
    covers a curve, whatever the data (PlotItem's layout: row 2 the view box, 3 the x axis).
    ``rows``: at most that many rows when short entry texts can do it (:func:`legend_layout`)."""
    legend = fitted_legend(plot, columns, rows, **style)
    plot.layout.addItem(legend, 4, 1)
    plot.legend = legend  # where pyqtgraph's addItem(name=...) looks for it
    legend._gx_width_of = legend._gx_under = UnderPlot(plot)
    # the data column narrows without the plot resizing (a y label taking two lines)
    plot.vb.sigResized.connect(
        lambda _vb: _fit_legend_columns(legend._gx_width_of, legend, legend._gx_columns))
    return legend


def fitted_legend(width_of: pg.GraphicsWidget, columns: int = 2, rows: int | None = None,
                  **style) -> pg.LegendItem:
    """A legend for a layout cell (not over a plot) whose columns and type fit the width of
    ``width_of``: long entries never widen the layout or run into a neighbour."""
    legend = pg.LegendItem(colCount=columns, **({"brush": None, "pen": None} | style))
    legend.setSizePolicy(pg.QtWidgets.QSizePolicy.Policy.Ignored,
                         pg.QtWidgets.QSizePolicy.Policy.Preferred)
    legend._gx_outside = True
    legend._gx_columns = columns
    legend._gx_rows = rows
    legend._gx_width_of = width_of
    add = legend.addItem

    def add_shrinkable(item, name):
        add(item, name)
        label = legend.items[-1][1]
        label._gx_full = label.text  # the entry's whole text (a compact legend shows less)
        shrinkable(label)
        legend._gx_fit = None
        _fit_legend_columns(width_of, legend, columns)

    legend.addItem = add_shrinkable
    update_size = legend.updateSize

    def update_size_in_place():
        # pyqtgraph's moves the legend to (0, 0) of its parent: over the data when the layout
        # does not happen to re-place it (a legend beside a plot keeps its cell's size)
        pos = legend.pos()
        update_size()
        legend.setPos(pos)
        legend.updateGeometry()

    legend.updateSize = update_size_in_place
    # read at each resize: a panel may move the legend and change both (phase diagram)
    width_of.geometryChanged.connect(
        lambda: _fit_legend_columns(legend._gx_width_of, legend, legend._gx_columns))
    return legend


def _fit_legend_columns(plot: pg.PlotItem, legend: pg.LegendItem, most: int) -> None:
    """As many legend columns (≤ ``most``) as fit the plot's width; in one column the type
    shrinks (down to 7 pt) until the longest entry fits, so no entry runs into a neighbour.
    A legend limited to rows shows short texts when that keeps it within them (the whole
    text in the entry's tooltip). Redone only when the outcome changes (not at every run)."""
    if not legend.items or plot.width() < 60:
        return
    base = getattr(legend, "_gx_points", DEFAULT_FONT_POINTS)
    full = [getattr(label, "_gx_full", label.text) for _sample, label in legend.items]
    height = plot.height() if hasattr(plot, "height") else 0.0  # a stand-in column: none
    columns, points, texts = legend_layout(full, base, plot.width(), most,
                                           getattr(legend, "_gx_rows", None), height)
    key = (columns, round(points, 1), tuple(texts))
    if key == getattr(legend, "_gx_fit", None):
        return
    legend._gx_fit = key
    legend.setLabelTextSize(f"{points:.1f}pt")
    for (_sample, label), text, whole in zip(legend.items, texts, full, strict=True):
        label.setText(text)
        label.setToolTip(_TAGS.sub("", whole) if text != whole else "")
    if columns != legend.columnCount:
        legend.setColumnCount(columns)
    legend.updateSize()


def set_legend_font(legend: pg.LegendItem, points: int | None) -> None:
    """Font of every legend label (pyqtgraph's setLabelTextSize does not redraw them)."""
    legend._gx_points = points or DEFAULT_FONT_POINTS
    legend._gx_fit = None
    legend.setLabelTextSize(f"{points or DEFAULT_FONT_POINTS}pt")
    for _sample, label in legend.items:
        label.setText(label.text)
        if getattr(legend, "_gx_outside", False):
            shrinkable(label)  # a long pin name never widens the dashboard past the window
    if getattr(legend, "_gx_outside", False):
        _fit_legend_columns(legend._gx_width_of, legend, legend._gx_columns)
    legend.updateSize()


def value_label(symbol: str, units: str) -> str:
    """Axis label of a histogram's binned quantity ``symbol`` in ``units`` (Histogram.units)."""
    if units == "log10 |value|":
        return f"log10 |{symbol}|"
    if units == "units of the layer's RMS":
        return f"{symbol} / RMS({symbol})"  # short: the three detail plots sit side by side
    if units == "value":
        return f"{symbol} (value)"
    return f"{symbol} ({units})"


def layer_x(depth: int) -> np.ndarray:
    """Layer indices 1..L as float64 (the x values of every per-layer curve)."""
    return np.arange(1, depth + 1, dtype=float)


def nonfinite_marks(x: np.ndarray, y: np.ndarray, arrived: np.ndarray,
                    bounds: tuple[float, float] | None = None) -> tuple[np.ndarray, ...]:
    """Where to draw markers for the non-finite values of an arrived curve.

    Parameters
    ----------
    x, y : arrays of shape (L,), the curve.
    arrived : bool array of shape (L,); layers whose record has arrived (NaN elsewhere is just
        "not yet", not a result).
    bounds : (bottom, top) y of the markers; default: the finite range of ``y``.

    Returns
    -------
    xs, ys, symbols : markers at the top of the finite range for +inf ('t1', triangle up), at
        its bottom for -inf ('t', triangle down) and NaN ('x').
    """
    bad = arrived & ~np.isfinite(y)
    if not bad.any():
        return np.empty(0), np.empty(0), []
    if bounds is None:
        bounds = finite_range([y])
    lo, hi = bounds
    xs, ys, symbols = [], [], []
    for xi, yi in zip(x[bad], y[bad], strict=True):
        xs.append(xi)
        if yi == np.inf:
            ys.append(hi)
            symbols.append("t1")
        else:
            ys.append(lo)
            symbols.append("t" if yi == -np.inf else "x")
    return np.asarray(xs), np.asarray(ys), symbols


def finite_range(arrays: list[np.ndarray]) -> tuple[float, float]:
    """(min, max) of the finite values of all ``arrays``; (0, 0) when there are none."""
    finite = [a[np.isfinite(a)] for a in arrays]
    finite = np.concatenate(finite) if finite else np.empty(0)
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)


def format_value(v: float, log10: bool) -> str:
    """Readout text of one value: ``10^-3.42`` for log10 quantities, 4 significant digits else."""
    if np.isnan(v):
        return "NaN"
    if np.isinf(v):
        if log10:
            return "∞" if v > 0 else "0 (exactly)"
        return "∞" if v > 0 else "-∞"
    return f"10^{v:.2f}" if log10 else f"{v:.4g}"
