"""How much room an axis keeps for its tick text: held through a run or a drag, floored;
and its rendering kept in a pixmap (:func:`cache_axes`).

pyqtgraph widens a vertical axis to its widest tick label and narrows it again when the labels
get more than 10 px shorter. Each change of an axis' width re-lays the whole dashboard out and
repaints all of it, so the plots keep that room steady while results stream in.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QFont, QFontMetrics

from gradexplorer.gui.plots.style import pg


def hold_text_space(axis: pg.AxisItem, hold: bool) -> None:
    """While ``hold``, ``axis``' tick-text space only grows; released, it may shrink again.

    A streaming run holds it: otherwise each redraw whose tick labels are a little narrower
    shrinks an axis, which re-lays the whole dashboard out and repaints all of it. Neither
    call redraws the axis: a released axis refits its labels the next time its range changes
    (so a drag, whose ranges stay put, regenerates no tick text).
    """
    axis.style["autoReduceTextSpace"] = not hold


def floor_text_space(axis: pg.AxisItem, sample: str = "0.0") -> None:
    """Keep a vertical ``axis``' tick-text space at least as wide as ``sample`` in its tick
    font (call again after a font change).

    An axis whose labels go from "5" to "1.5" between two runs widens by ~8 px, which re-lays
    every plot of the dashboard out and repaints all of it (a colour bar at the start of each
    drag, the layer histograms' density axes): with a floor at a typical label's width the
    space rarely has to change.
    """
    metrics = QFontMetrics(axis.style.get("tickFont") or QFont())
    axis._gx_text_floor = metrics.horizontalAdvance(sample)
    if not getattr(axis, "_gx_floored", False):
        axis._gx_floored = True
        update = axis._updateMaxTextSize
        axis._updateMaxTextSize = lambda x: update(max(x, axis._gx_text_floor))
    axis._updateMaxTextSize(axis._gx_text_floor)


def hold_plot_axes(plot: pg.PlotItem, hold: bool) -> None:
    """:func:`hold_text_space` for ``plot``'s left and bottom axes."""
    for side in ("left", "bottom"):
        hold_text_space(plot.getAxis(side), hold)


def tick_axes(plots: Iterable[pg.PlotItem], colorbars: Iterable = ()) -> list[pg.AxisItem]:
    """The axes with ticks and text: each of ``plots``' left and bottom, each colour bar's
    scale (``colorbars``: pg.ColorBarItem). Not the colour bars' frame axes: a line on the
    edge of their 5-px bounds, which a cached rendering clips away (and which cost next to
    nothing to draw)."""
    axes = [plot.getAxis(side) for plot in plots for side in ("left", "bottom")]
    return axes + [bar.axis for bar in colorbars]


def cache_axes(axes: Iterable[pg.AxisItem]) -> None:
    """Keep each of ``axes``' rendering in a device pixmap, redrawn only when it changes.

    An axis is repainted whenever what it overlaps is (grid lines span the plot, ticks point
    into it): every axis at every run of a drag, or at every move of a dragged point, while
    its range stays put. Replaying its tick text and grid cost more than a blit (an A/B on
    the Layers tab: repaint time 1.78× → 1.51× the records' handling time).
    """
    for axis in axes:
        axis.setCacheMode(pg.QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
