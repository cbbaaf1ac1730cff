"""Tick spacing that fits the tick font: labels never run together, and an axis keeps at least
two labels when two fit (an axis with one number cannot be read: no scale, no direction).

pyqtgraph's default spacing ignores the font, so large type ran "5 10 15" into "51015" and
stacked "0.2 0.4 0.6" on short axes. Spacing for the font alone then left short axes with one
label at 1.6× on 1280 × 720 (the phase tab's gradient preview showed only "-10"; the Layers
tab's narrow plots only "10" for layers 1..20): the next multiple fell outside the range, or
its text would have stuck out past the axis' end, where pyqtgraph drops it.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF

#: Empty room between two neighbouring labels, in widths of "M" (horizontal axes) or in
#: line heights (vertical axes: pyqtgraph draws a label 0.8 of a line high).
GAP_EMS = 0.5
GAP_LINES = 0.1


def nice_step(raw: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at or above ``raw`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if factor * power >= raw * (1 - 1e-9):
            return factor * power
    return 10.0 * power


def finer_step(step: float) -> float:
    """The next 1, 2 or 5 × 10^k below ``step`` (itself such a number)."""
    return nice_step(step / (2.5 if _lead(step) == 5 else 2.0))


def _lead(step: float) -> int:
    """The leading digit of ``step`` (1, 2 or 5 for a nice step)."""
    return int(f"{step:.1e}"[0])


def _places(value: float) -> int:
    """Decimal places ``value`` needs (0.5: 1, 25: 0)."""
    for places in range(12):
        if abs(round(value, places) - value) <= 1e-9 * max(1.0, abs(value)):
            return places
    return 12


def _printed_places(spacing: float) -> int:
    """Decimal places pyqtgraph prints the ticks of ``spacing`` with (AxisItem.tickStrings)."""
    return max(0, math.ceil(-math.log10(spacing)))


def labelled(axis, lo: float, hi: float, spacing: float, offset: float = 0.0) -> list[str]:
    """The labels ``axis`` draws for ticks at ``offset + k·spacing`` in [``lo``, ``hi``]: those
    whose text stays within the axis' bounds (pyqtgraph drops the others), and none if two of
    them would touch. Positions and text sizes in the axis' own coordinates, as painted."""
    vertical = axis.orientation in ("left", "right")
    length = axis.size().height() if vertical else axis.size().width()
    if length <= 0 or hi <= lo or spacing <= 0:
        return []
    start = math.ceil((lo - offset) / spacing - 1e-9) * spacing + offset
    values = [start + k * spacing for k in range(int((hi - start) / spacing + 1e-9) + 1)]
    if not values:
        return []
    strings = axis.tickStrings(values, axis.autoSIPrefixScale * axis.scale, spacing)
    metrics = QFontMetricsF(axis.style.get("tickFont") or QFont())
    bounds = axis.boundingRect()
    if vertical:
        room = (bounds.top(), bounds.bottom())
        extents = [0.8 * metrics.height()] * len(values)
        centres = [(hi - v) / (hi - lo) * length for v in values]  # y grows downwards
        gap = GAP_LINES * metrics.height()
    else:
        room = (bounds.left(), bounds.right())
        extents = [metrics.horizontalAdvance(s) for s in strings]
        centres = [(v - lo) / (hi - lo) * length for v in values]
        gap = GAP_EMS * metrics.horizontalAdvance("M")
    # a pixel inside: pyqtgraph places ticks from its view's span, which may differ by one
    shown = [(c, e, s) for c, e, s in zip(centres, extents, strings, strict=True)
             if room[0] + 1 <= c - e / 2 and c + e / 2 <= room[1] - 1]
    shown.sort()
    for (c0, e0, _), (c1, e1, _) in zip(shown, shown[1:], strict=False):
        if c1 - c0 < (e0 + e1) / 2 + gap:
            return []
    return [s for _c, _e, s in shown]


def two_labels(axis, lo: float, hi: float, major: float) -> list[tuple[float, float]] | None:
    """Tick levels with at least two readable labels when ``major`` gives fewer: finer steps
    (the next three of 1, 2, 5 × 10^k, down to a tenth of ``major``), ``major`` shifted by
    half a step ("5, 15" for layers 1..20 where "10, 20" would stick out at the end), or
    multiples of 4 × 10^k; None when nothing fits."""
    step = major
    for _ in range(3):
        step = finer_step(step)
        if len(labelled(axis, lo, hi, step)) >= 2:
            return [(step, 0.0), (step / (2.0 if _lead(step) == 2 else 5.0), 0.0)]
    half = major / 2
    if _lead(half) in (1, 2, 5) and _places(half) <= _printed_places(major):
        if len(labelled(axis, lo, hi, major, half)) >= 2:
            return [(major, half), (half, 0.0)]
    # last, multiples of 4 × 10^k: "0, 4" for ±4.9 in a 68-px column, "-16, -12" for
    # -19..-11, where every 1-2-5 step gives one label or labels that touch
    four = 4.0 * 10.0 ** math.floor(math.log10(major / 4.0))
    if len(labelled(axis, lo, hi, four)) >= 2:
        return [(four, 0.0), (four / 2.0, 0.0)]
    return None


def readable_tick_spacing(axis, lo: float, hi: float, size: float):
    """Tick levels of ``axis`` (bound as its ``tickSpacing``): at most as many major ticks as
    labels of the current tick font fit in ``size`` pixels, and at least two labelled ones
    when two fit at all (:func:`two_labels`); the axis class' own spacing otherwise."""
    default = type(axis).tickSpacing(axis, lo, hi, size)
    if axis._tickSpacing is not None or not default or size <= 0 or hi == lo:
        return default
    metrics = QFontMetrics(axis.style.get("tickFont") or QFont())
    step = default[-1][0]  # pyqtgraph's finest level: never finer than that
    digits = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    sample = max((f"{v:.{digits}f}" for v in (lo, hi)), key=len)
    if axis.orientation in ("left", "right"):
        label = 1.6 * metrics.height()
    else:
        label = metrics.horizontalAdvance(sample) + metrics.horizontalAdvance("M")
    fits = max(2.2, size / label)
    major = max(nice_step(abs(hi - lo) / fits), step)
    minor = major / (2.0 if _lead(major) == 2 else 5.0)
    levels = [(major, 0.0), (minor, 0.0)]
    if len(labelled(axis, lo, hi, major)) < 2:
        levels = two_labels(axis, lo, hi, major) or levels
    return levels
