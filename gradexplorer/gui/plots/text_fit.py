"""Text that fits its plot: titles and labels shrunk (never below 7 pt) or re-justified to fit.

pyqtgraph's LabelItem asks the layout for its text's full width, so one long title or legend
entry can widen a whole dashboard past the window. These helpers let labels shrink instead
(:func:`shrinkable`), pick the font size at which a text fits (:func:`fitted_points`) and keep
plot titles inside their plot and the visible view at any presentation scale (:func:`set_title`).
"""

from __future__ import annotations

import os
import re

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import PySide6  # noqa: E402, F401, I001  (PySide6 before pyqtgraph, on purpose)
from PySide6.QtGui import QFont, QFontMetrics  # noqa: E402
import pyqtgraph as pg  # noqa: E402

#: Font size of the plots' text at presentation scale 1.0, in points.
DEFAULT_FONT_POINTS = 10


def set_title(plot: pg.PlotItem, text: str, points: int | None) -> None:
    """Title of ``plot`` slightly larger than the axis labels, shrunk to fit the plot's width.

    It never widens the layout and is never cut: when the plot is narrower than the title the
    type gets smaller (down to 7 pt), again at every resize.
    """
    shrinkable(plot.titleLabel)
    plot._gx_title = (text, (points or DEFAULT_FONT_POINTS) + 1)
    if not getattr(plot, "_gx_title_fits", False):
        plot._gx_title_fits = True
        plot.geometryChanged.connect(lambda: _fit_title(plot))
    _fit_title(plot)


_TAGS = re.compile(r"<[^>]+>")


def _fit_title(plot: pg.PlotItem) -> None:
    text, points = plot._gx_title
    plain = _TAGS.sub("", text)
    width = 0.92 * plot.width() - 12  # rich text renders ~7 % wider than QFontMetrics says
    shown = fitted_points(plain, points, width) if width > 40 else points
    # The title's cell is the view box's column only: a title wider than that cell spills out
    # of it, centred on both sides. Where a side would leave the scene (the first or last
    # column of a narrow window) it is justified to spill only the other way, over the axis.
    font = QFont()
    font.setPointSizeF(shown)
    half = QFontMetrics(font).horizontalAdvance(plain) * 1.07 / 2
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
