"""Text that fits its plot: titles and labels on two lines, shrunk (never below 7 pt) or
re-justified to fit.

pyqtgraph's LabelItem asks the layout for its text's full width, so one long title or legend
entry can widen a whole dashboard past the window. These helpers let labels shrink instead
(:func:`shrinkable`), pick the font size at which a text fits (:func:`fitted_points`) and keep
plot titles inside their plot and the visible view at any presentation scale (:func:`set_title`)
and axis labels along their axis (:func:`fit_label`), breaking a long text onto two lines
(:func:`wrapped_text`) before its type gets smaller.
"""

from __future__ import annotations

import os
import re
import types

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import PySide6  # noqa: E402, F401, I001  (PySide6 before pyqtgraph, on purpose)
from PySide6.QtGui import QFont, QFontMetrics  # noqa: E402
import pyqtgraph as pg  # noqa: E402

#: Font size of the plots' text at presentation scale 1.0, in points.
DEFAULT_FONT_POINTS = 10


def set_title(plot: pg.PlotItem, text: str, points: int | None, short: str = "",
              one_line: bool = False) -> None:
    """Title of ``plot`` slightly larger than the axis labels, shrunk to fit the plot's width.

    It never widens the layout and is never cut: when the plot is narrower than the title it
    breaks onto two lines (the title row grows), and only if that is not enough the type gets
    smaller (down to 7 pt), again at every resize. ``short``: a shorter wording shown instead
    when it keeps larger type than ``SHORT_BELOW`` of the size (a narrow column).
    ``one_line``: never two lines, smaller type instead (a compact plot keeps its data room).
    """
    shrinkable(plot.titleLabel)
    plot._gx_title_one_line = one_line
    plot._gx_title = (text, (points or DEFAULT_FONT_POINTS) + 1, short)
    if not getattr(plot, "_gx_title_fits", False):
        plot._gx_title_fits = True
        plot.geometryChanged.connect(lambda: _fit_title(plot))
    _fit_title(plot)


_TAGS = re.compile(r"<[^>]+>")
#: A title breaks onto two lines only in a plot at least this many times its type size tall
#: (pixels per point): in shorter plots the second line would take the data's room.
TWO_LINE_TITLE_POINTS = 10


def _fit_title(plot: pg.PlotItem) -> None:
    full, points, short = (*plot._gx_title, "")[:3]
    text, shown = _fitted_title(plot, full, points)
    if short and shown < SHORT_BELOW * points:
        alternative = _fitted_title(plot, short, points)
        if alternative[1] > shown:
            text, shown = alternative
    _show_title(plot, text, shown, points)


def _fitted_title(plot: pg.PlotItem, text: str, points: float) -> tuple[str, float]:
    width = 0.92 * plot.width() - 12  # rich text renders ~7 % wider than QFontMetrics says
    if width <= 40:
        shown = points
    elif ((plot.height() < TWO_LINE_TITLE_POINTS * points
           or getattr(plot, "_gx_title_one_line", False)) and "<br>" not in text):
        shown = fitted_points(_TAGS.sub("", text), points, width)  # short: keep the data room
    else:
        text, shown = wrapped_text(text, points, width)
    return text, shown


def _show_title(plot: pg.PlotItem, text: str, shown: float, points: float) -> None:
    # The title's cell is the view box's column only: a title wider than that cell spills out
    # of it, centred on both sides. Where a side would leave the scene (the first or last
    # column of a narrow window) it is justified to spill only the other way, over the axis.
    font = QFont()
    font.setPointSizeF(shown)
    metrics = QFontMetrics(font)
    half = max(metrics.horizontalAdvance(_TAGS.sub("", line))
               for line in text.split("<br>")) * 1.07 / 2
    cell = plot.vb.sceneBoundingRect()
    scene = plot.scene()
    views = scene.views() if scene is not None else []
    # the visible part: a layout wider than its view is cut at the view's edge, not the scene's
    right_edge = (views[0].mapToScene(views[0].viewport().rect()).boundingRect().right()
                  if views else float("inf"))
    justify = "center"
    if cell.center().x() + half > right_edge:
        justify = "right"
    elif cell.center().x() - half < 0:
        justify = "left"
    key = (text, round(shown, 1), justify)
    if key != getattr(plot, "_gx_title_shown", None):
        plot._gx_title_shown = key
        plot.setTitle(text, size=f"{shown:.1f}pt", justify=justify)
        # pyqtgraph fixes the title row at 30 px: make it as tall as the title's lines
        height = max(30, int(plot.titleLabel.itemRect().height()))
        plot.titleLabel.setMaximumHeight(height)
        plot.layout.setRowFixedHeight(0, height)


#: Narrowest a text label lets the layout make it (its text may then overflow its cell).
LABEL_MIN_WIDTH = 20


def _shrinkable_update_min(label: pg.LabelItem) -> None:
    bounds = label.itemRect()
    hint = (min(bounds.width(), LABEL_MIN_WIDTH), bounds.height())
    if getattr(label, "_shrinkable_hint", None) == hint:
        return  # same size hints: no layout request (each would re-lay the whole scene out)
    label._shrinkable_hint = hint
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


def _breaks(text: str) -> list[int]:
    """Indices of the spaces of ``text`` outside its HTML tags where a line may break: not
    before a number ("layer 1", "L = 20") nor before a last word of one character."""
    plain = _TAGS.sub(lambda m: "\0" * len(m.group()), text)  # same indices, tags blanked
    spaces, depth = [], 0
    for i, c in enumerate(text):
        if c == "<":
            depth += 1
        elif c == ">":
            depth = max(0, depth - 1)
        elif c == " " and depth == 0:
            before = plain[:i].replace("\0", "").split()
            after = plain[i + 1:].replace("\0", "").split()
            if not before or not after or after[0][0].isdigit():
                continue
            if len(after) == 1 and len(after[0]) == 1:  # "layer l", "layer 1: h"
                continue
                continue
            spaces.append(i)
    return spaces


def wrapped_text(text: str, points: float, width: float, bold: bool = False,
                 smallest: float = 7.0) -> tuple[str, float]:
    """``text`` as it best fits ``width`` pixels: on one line at ``points`` if it fits, else
    broken at one space into two lines ("<br>") when these fit at larger type than one line
    would; returns the text to show and its size in points (≥ ``smallest``)."""
    if "<br>" in text:  # already broken: its longest line decides (not the lines joined)
        return text, min(fitted_points(_TAGS.sub("", line), points, width, bold, smallest)
                         for line in text.split("<br>"))
    one = fitted_points(_TAGS.sub("", text), points, width, bold, smallest)
    if one >= points:
        return text, one
    font = QFont()
    font.setPointSizeF(points)
    font.setBold(bold)
    metrics = QFontMetrics(font)
    best: tuple[float, int, str] | None = None  # (size, -longer line's width, text)
    for i in _breaks(text):
        parts = (text[:i], text[i + 1:])
        plain = [_TAGS.sub("", part) for part in parts]
        shown = min(fitted_points(part, points, width, bold, smallest) for part in plain)
        # the largest type first, then the most even lines
        candidate = (round(shown, 1), -max(metrics.horizontalAdvance(p) for p in plain),
                     "<br>".join(parts))
        if shown > one + 0.05 and (best is None or candidate[:2] > best[:2]):
            best = candidate
    return (text, one) if best is None else (best[2], best[0])


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


def fit_label(axis: pg.AxisItem, text: str, points: int | None, short: str = "") -> None:
    """Label ``axis`` (of a plot or a colour bar) with ``text``, shrunk to fit its length.

    ``short``: a shorter wording shown instead when ``text`` would shrink below
    ``SHORT_BELOW`` of its size and ``short`` keeps larger type (a short plot or colour bar).
    """
    axis._gx_label = (text, points or DEFAULT_FONT_POINTS, short)
    if not getattr(axis, "_gx_label_fits", False):
        axis._gx_label_fits = True
        axis.geometryChanged.connect(lambda: _fit_axis_label(axis))
    _fit_axis_label(axis, force=True)


def _fitted_label(axis: pg.AxisItem, text: str, points: float, length: float):
    if length <= 40:
        return text, points
    if axis.orientation == "right":  # colour bars: pyqtgraph leaves room for one line only
        return text, fitted_points(_TAGS.sub("", text), points, length)
    return wrapped_text(text, points, length)


#: A label's short wording replaces it when the whole one would shrink below this share.
SHORT_BELOW = 0.9


def _fit_axis_label(axis: pg.AxisItem, force: bool = False) -> None:
    full, points, short = (*axis._gx_label, "")[:3]
    vertical = axis.orientation in ("left", "right")
    length = 0.92 * (axis.height() if vertical else axis.width()) - 8
    text, shown = _fitted_label(axis, full, points, length)
    # the short wording also replaces a whole one that needs two lines where it fits one:
    # a second line needs axis width a narrow column may not give (at 2.0x the saturation
    # axis was squeezed to 80 of its 115 px and the label ran over the tick labels)
    wrapped = vertical and "<br>" in text and "<br>" not in full
    if short and (shown < SHORT_BELOW * points or wrapped):
        alternative = _fitted_label(axis, short, points, length)
        one_line = wrapped and "<br>" not in alternative[0] and alternative[1] >= shown
        if alternative[1] > shown or one_line:
            text, shown = alternative
    key = (text, round(shown, 1))
    if force or key != getattr(axis, "_gx_label_shown", None):
        axis._gx_label_shown = key
        style = {"color": axis.textPen().color().name(), "font-size": f"{shown:.1f}pt"}
        axis.setLabel(text, **style)
        axis.resizeEvent()  # centre the new text: pyqtgraph placed the old one
        if vertical and axis.fixedWidth is not None:
            _widen_fixed_axis(axis)
        elif vertical and not getattr(axis, "_gx_two_line_width", False):
            axis._gx_two_line_width = True
            axis._updateWidth = types.MethodType(_two_line_width, axis)
            axis._updateWidth()


def _two_line_width(axis: pg.AxisItem) -> None:
    """pyqtgraph's width of a vertical axis, plus what it leaves out for a two-line label (it
    counts 0.8 of the label's height: the rest of a second line ran into the tick labels).

    Set once, and only when it changes: setting pyqtgraph's width and then the wider one
    changed the layout twice per tick regeneration, and every such change re-laid the whole
    dashboard out and repainted all of it (twice a run during a drag).
    """
    if axis.fixedWidth is not None or not axis.isVisible():
        pg.AxisItem._updateWidth(axis)
        return
    style = axis.style
    width = 0.0
    if style["showValues"]:
        width = axis.textWidth if style["autoExpandTextSpace"] else style["tickTextWidth"]
        width += style["tickTextOffset"][0]
    width += max(0, style["tickLength"])
    if axis.label.isVisible():
        height = axis.label.boundingRect().height()
        width += height * 0.8  # pyqtgraph's share of the label
        if "<br>" in axis.labelText:
            width += int(height * 0.2)  # the rest of the second line
    if width != axis.maximumWidth() or width != axis.minimumWidth():
        axis.setMaximumWidth(width)
        axis.setMinimumWidth(width)
    axis.picture = None


def _widen_fixed_axis(axis: pg.AxisItem) -> None:
    """A colour bar's axis has a fixed width (45 px, pyqtgraph's ColorBarItem): make it as wide
    as its tick text and label need at the current type, so the label never covers the ticks."""
    metrics = QFontMetrics(axis.style.get("tickFont") or QFont())
    ticks = max(axis.textWidth, metrics.horizontalAdvance("-0.0"))
    needed = (ticks + axis.style["tickTextOffset"][0] + max(0, axis.style["tickLength"])
              + axis.label.boundingRect().height() * 0.8 + 2)
    axis.setWidth(max(45, int(needed)))
