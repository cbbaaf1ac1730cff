"""Shared look of the plot panels: the pyqtgraph import, colours, pens, fonts and markers.

Every panel module imports ``pg`` from here so that pyqtgraph binds to PySide6 even when another
Qt binding is installed.
"""

from __future__ import annotations

import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402, I001  (PySide6 before pyqtgraph, on purpose)
import PySide6  # noqa: E402, F401
from PySide6.QtGui import QFont, QFontMetrics  # noqa: E402
import pyqtgraph as pg  # noqa: E402
import pyqtgraph.exporters  # noqa: E402, F401  (explicit: pyqtgraph does not import it)

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
#: Default point size of tick and label fonts.
DEFAULT_FONT_POINTS = 10

COLORMAP_NAME = "viridis"


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


def pin_pen(colour: tuple[int, int, int]) -> pg.QtGui.QPen:
    """Faint solid pen of a pinned run's curve."""
    return pg.mkPen((*colour, PIN_ALPHA), width=2)


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


def set_axis_label(plot: pg.PlotItem, side: str, text: str, points: int | None) -> None:
    """Label axis ``side`` of ``plot`` with ``text`` in ``points``-point type (None = default)."""
    plot.getAxis(side).setLabel(text, **label_style(plot.getAxis(side), points))


def style_axis(axis: pg.AxisItem, points: int | None) -> None:
    """Tick font of ``axis`` in ``points``; plain tick values (no SI prefix hidden in a label)."""
    font = QFont()
    font.setPointSizeF(points or DEFAULT_FONT_POINTS)
    # maxTickLevel=1: major and minor ticks; the default sub-minor level adds little and its
    # grid lines triple the repaint time.
    axis.setStyle(tickFont=font, autoExpandTextSpace=True, maxTickLevel=1)
    # enableAutoSIPrefix(False) in pyqtgraph 0.14 freezes the prefix of the current range
    # (e.g. ×1000 for a fresh [-0.5, 0.5] axis) instead of removing it: reset it ourselves.
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


def hold_text_space(axis: pg.AxisItem, hold: bool) -> None:
    """While ``hold``, ``axis``' tick-text space only grows; releasing it refits it to the labels.

    A streaming run holds it: otherwise each redraw whose tick labels are a little narrower
    shrinks an axis, which re-lays the whole dashboard out and repaints all of it.
    """
    axis.setStyle(autoReduceTextSpace=not hold)
    if not hold:
        axis.picture = None  # the next paint measures the labels and shrinks the axis if due
        axis.update()


def set_legend_font(legend: pg.LegendItem, points: int | None) -> None:
    """Font of every legend label (pyqtgraph's setLabelTextSize does not redraw them)."""
    legend.setLabelTextSize(f"{points or DEFAULT_FONT_POINTS}pt")
    for _sample, label in legend.items:
        label.setText(label.text)
    legend.updateSize()


def set_title(plot: pg.PlotItem, text: str, points: int | None) -> None:
    """Title of ``plot`` slightly larger than the axis labels (never widens the layout)."""
    size = f"{(points or DEFAULT_FONT_POINTS) + 1}pt"
    shrinkable(plot.titleLabel)
    plot.setTitle(text, size=size)


#: Narrowest a text label lets the layout make it (its text may then overflow its cell).
LABEL_MIN_WIDTH = 20


def _shrinkable_update_min(label: pg.LabelItem) -> None:
    bounds = label.itemRect()
    label.setMinimumWidth(min(bounds.width(), LABEL_MIN_WIDTH))
    label.setMinimumHeight(bounds.height())
    label._sizeHint = {
        pg.QtCore.Qt.SizeHint.MinimumSize: (min(bounds.width(), LABEL_MIN_WIDTH), bounds.height()),
        pg.QtCore.Qt.SizeHint.PreferredSize: (LABEL_MIN_WIDTH, bounds.height()),
        pg.QtCore.Qt.SizeHint.MaximumSize: (-1, -1),
        pg.QtCore.Qt.SizeHint.MinimumDescent: (0, 0),
    }
    label.updateGeometry()


def shrinkable(label: pg.LabelItem) -> pg.LabelItem:
    """Let ``label`` be narrower than its text, so long titles never force the window wider.

    (pyqtgraph makes a LabelItem's minimum width its text's width.)
    """
    label.updateMin = lambda: _shrinkable_update_min(label)
    label.updateMin()
    return label


def fitted_points(text: str, points: float, width: float, bold: bool = False,
                  smallest: float = 7.0) -> float:
    """The font size ≤ ``points`` at which ``text`` fits in ``width`` pixels (≥ ``smallest``)."""
    font = QFont()
    font.setPointSizeF(points)
    font.setBold(bold)
    needed = QFontMetrics(font).horizontalAdvance(text)
    if needed <= width or needed == 0:
        return points
    return max(smallest, points * width / needed * 0.97)


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
