"""How a legend in its own layout cell fits its width: columns, type size and (when it must
stay within a number of rows) shorter entry texts.

Pure font arithmetic (no pyqtgraph items): :func:`legend_layout` decides, the legend code in
:mod:`gradexplorer.gui.plots.style` applies the decision once per resize or new entry (never per
run of a drag).
"""

from __future__ import annotations

import math
import re

from PySide6.QtGui import QFont, QFontMetrics

from gradexplorer.gui.plots.text_fit import _TAGS, fitted_points

#: Pixels an entry takes besides its text (the line sample and the spacing).
SAMPLE_PX = 45
#: How much wider rich text renders than QFontMetrics measures it (plus a little).
RICH_TEXT_WIDER = 1.1
#: A compact legend's type shrinks at most to this fraction of the plots' type.
COMPACT_MIN = 0.8
#: A legend row's height in pixels per point of type (roughly: line height at 96 dpi).
LINE_PX_PER_POINT = 2.0
#: Rows are limited when the full legend would take more than this share of its cell's height.
CROWDED = 0.3
#: Parenthetical groups a short entry keeps (shortest: only the non-finite markers' key).
_KEEP = (re.compile(r"pinned|▲"), re.compile(r"▲"))
_GROUP = re.compile(r"\s*\(([^()]*)\)")


def short_text(text: str, shortest: bool = False) -> str:
    """``text`` without its explanatory parentheses: "mean-field theory (wide net, Gaussian W)"
    -> "mean-field theory", "ReLU + He/Kaiming (Var = 2/n) (pinned)" -> "ReLU + He/Kaiming
    (pinned)" (``shortest``: "ReLU + He/Kaiming", the pin told by its colour). The non-finite
    markers' key ("▲ ∞, ...") always stays."""
    keep = _KEEP[shortest]
    short = _GROUP.sub(lambda m: m.group(0) if keep.search(m.group(1)) else "", text).strip()
    return short or text


def short_texts(texts: list[str], shortest: bool = False) -> list[str]:
    """:func:`short_text` of each entry, except where two different entries would read the
    same ("measured mean λ (xavier)" and "... (orthogonal)"): those keep their whole text."""
    shorts = [short_text(t, shortest) for t in texts]
    return [s if sum(o == s for o in shorts) == 1 else t
            for s, t in zip(shorts, texts, strict=True)]


def _widths(texts: list[str], points: float) -> list[int]:
    font = QFont()
    font.setPointSizeF(points)
    metrics = QFontMetrics(font)
    # rich text renders ~7 % wider than QFontMetrics says (text_fit): a tight grid overlapped
    return [math.ceil(RICH_TEXT_WIDER * metrics.horizontalAdvance(_TAGS.sub("", t))) + SAMPLE_PX
            for t in texts]


def _columns(widths: list[int], width: float, most: int) -> int:
    """The most columns (≤ ``most``) whose grid fits ``width``. The grid shares the width
    equally between its columns (the labels may shrink, so the layout does not size them by
    their text): every column must hold the widest entry."""
    widest = max(widths)
    for columns in range(min(most, len(widths)), 1, -1):
        if columns * widest <= width:
            return columns
    return 1


def legend_layout(texts: list[str], base: float, width: float, most: int,
                  rows: int | None = None, height: float = 0.0) -> tuple[int, float, list[str]]:
    """(columns, type size in points, entry texts) for a legend of ``texts`` (HTML allowed)
    ``width`` pixels wide with at most ``most`` columns of ``base``-point type.

    Without ``rows``: as many columns as fit; in one column the type shrinks (to 7 pt) until
    the longest entry fits. With ``rows``, when the full texts need more than ``rows`` rows
    and would take more than ``CROWDED`` of ``height`` (the cell of plot and legend, pixels),
    or do not fit in one column: the entries take their :func:`short_text` forms (first
    keeping "(pinned)") and the type shrinks (to ``COMPACT_MIN`` of ``base``) until they fit
    (1.6x on 1280x720: a 4-row legend left the gradient plot 55 px tall); if even that does
    not fit, the shortest texts as without ``rows``.
    """
    widths = _widths(texts, base)
    columns = _columns(widths, width, most)
    needed = math.ceil(len(texts) / columns)
    too_many = rows is not None and needed > rows and (
        needed * LINE_PX_PER_POINT * base > CROWDED * height)
    too_wide = rows is not None and columns == 1 and max(widths) > width
    if too_many or too_wide:
        limit = rows if too_many and rows is not None else len(texts)
        for level in (short_texts(texts), short_texts(texts, True)):
            points = float(base)
            while points >= COMPACT_MIN * base - 1e-9:
                sizes = _widths(level, points)
                columns = _columns(sizes, width, most)
                if (math.ceil(len(level) / columns) <= limit
                        and (columns > 1 or max(sizes) <= width)):
                    return columns, points, level
                points -= 0.5
        texts = level  # the shortest texts, as many columns as fit, smaller type in one
        widths = _widths(texts, base)
        columns = _columns(widths, width, most)
    if columns > 1:
        return columns, float(base), list(texts)
    points = min(fitted_points(_TAGS.sub("", t), base, width - 50) for t in texts)
    return 1, float(points), list(texts)


class UnderPlot:
    """What a legend under a plot fits: the width of the view box's column (its cell; the
    whole plot's width let two columns overlap), the height of the whole plot (which does not
    change with the legend's rows)."""

    def __init__(self, plot):
        self.plot = plot

    def width(self) -> float:
        return self.plot.vb.width() if self.plot.vb.width() > 0 else self.plot.width()

    def height(self) -> float:
        return self.plot.height()
