"""Ranges that stay put during a drag: refit only when the data leave them, with headroom.

Every change of a view range or a colour bar's levels regenerates that axis' tick text, the
costliest part of a repaint. A drag shows a new run every few tens of milliseconds whose data
move a little each time: ranges fitted tightly to the data would change at every run, so
these fit with :data:`HEADROOM` beyond the data and keep the range while the data stay inside
it and fill at least :data:`MIN_FILL` of it.
"""

from __future__ import annotations

import math

#: A range is kept while the data fill at least this fraction of it.
MIN_FILL = 0.5
#: A refitted range extends this fraction of the data's span beyond each end.
HEADROOM = 0.12


def keeps(current: tuple[float, float], lo: float, hi: float) -> bool:
    """Whether ``current`` (a, b) still shows data spanning [lo, hi] well (inside, ≥ MIN_FILL)."""
    a, b = current
    return a <= lo and hi <= b and hi - lo >= MIN_FILL * (b - a)


def with_headroom(lo: float, hi: float) -> tuple[float, float]:
    """[lo, hi] widened by :data:`HEADROOM` of its span on each side (a zero span by ±0.5)."""
    span = hi - lo
    if not span > 1e-12 * max(1.0, abs(lo)):
        return lo - 0.5, hi + 0.5
    return lo - HEADROOM * span, hi + HEADROOM * span


def refit(current: tuple[float, float], lo: float, hi: float,
          fitted: bool) -> tuple[float, float] | None:
    """The range to show data spanning [lo, hi], or None to keep ``current``.

    None while the range was ``fitted`` before and still :func:`keeps` the data; else the data
    with headroom (:func:`with_headroom`). A zero span counts as ±0.5 around the value.
    """
    if hi - lo < 1e-12 * max(1.0, abs(lo)):
        lo, hi = lo - 0.5, hi + 0.5
    if fitted and keeps(current, lo, hi):
        return None
    return with_headroom(lo, hi)


def sticky_top(current: float | None, top: float) -> float:
    """A colour scale's upper level for data whose robust maximum is ``top`` (> 0): ``current``
    while ``top`` lies within [MIN_FILL · current, current], else ``top`` rounded up to
    1, 1.5, 2, 3, 5 or 7 × 10^k (so a drag changes the colour bar's ticks rarely)."""
    if not (math.isfinite(top) and top > 0):
        return 1.0 if current is None else current
    if current is not None and MIN_FILL * current <= top <= current:
        return current
    exponent = math.floor(math.log10(top))
    for mantissa in (1.0, 1.5, 2.0, 3.0, 5.0, 7.0, 10.0):
        level = mantissa * 10.0 ** exponent
        if level >= top * (1 - 1e-12):
            return level
    return top  # pragma: no cover - 10 × 10^k always covers top
