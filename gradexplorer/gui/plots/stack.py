"""Per-layer histograms side by side on the union of their bin ranges (the heatmaps' image).

Gradient histograms sit on a universal log10 grid whose range differs between layers;
activation histograms share one grid per run. :class:`HistogramStack` keeps each layer's row
once computed, so streaming a 1000-layer run costs one vectorized pass per redraw, not one
NumPy call per layer.
"""

from __future__ import annotations

import math

import numpy as np

from gradexplorer.engine.runs.records import Histogram

#: Most bins drawn along the value axis (finer grids are merged for display).
MAX_BINS = 1024


def valid_histogram(h: Histogram | None) -> bool:
    """Whether ``h`` can be drawn: finite increasing edges, one density per bin.

    One reduction per histogram (a sum is finite exactly when every edge is, short of
    ±1e308 edges that no grid has): a 200-layer run stacks 400 histograms per redraw.
    """
    if h is None or len(h.edges) < 2 or len(h.density) != len(h.edges) - 1:
        return False
    edges = h.edges
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(np.add.reduce(edges))
    return math.isfinite(total) and edges[-1] > edges[0]


class HistogramStack:
    """Histograms of layers 0..L-1 (0-based rows) gathered for one image.

    Grids must be uniform, with bin widths whole multiples of the finest one, and aligned to it
    (true of the engine's grids). Rows are kept until :meth:`reset`. The last image is kept
    too: while the grid stays the same, :meth:`image` writes only the rows set since, so a
    streaming 1000-layer run costs a few rows per redraw, not the whole stack.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget every row."""
        self._width: float | None = None
        self._origin = 0.0
        self._rows: dict[int, tuple[Histogram, np.ndarray, np.ndarray]] = {}
        self._span: tuple[int, int] | None = None  # fine columns [first, last) of all rows
        self._last: tuple | None = None  # (depth, max_bins, first, factor, image) of image()
        self._changed: set[int] = set()  # rows set or cleared since the last image()

    def set(self, row: int, h: Histogram | None) -> bool:
        """Use histogram ``h`` for ``row`` (None or an undrawable histogram clears it).

        Returns whether the row changed.
        """
        old = self._rows.get(row)
        if old is not None and old[0] is h:
            return False
        if not valid_histogram(h):
            if self._rows.pop(row, None) is None:
                return False
            self._span, self._last = None, None  # the union range may shrink: redo it all
            return True
        width = _bin_width(h)
        if self._width is None or width < self._width * (1 - 1e-9):
            self._width, self._origin = width, float(h.edges[0])
            self._rows = {r: self._row(old_h) for r, (old_h, _c, _v) in self._rows.items()}
            self._span, self._last = None, None
        entry = self._row(h)
        self._rows[row] = entry
        if old is not None:
            self._span, self._last = None, None
        elif self._span is not None:
            self._span = (min(self._span[0], int(entry[1][0])),
                          max(self._span[1], int(entry[1][-1]) + 1))
        self._changed.add(row)
        return True

    def _row(self, h: Histogram) -> tuple[Histogram, np.ndarray, np.ndarray]:
        density = np.asarray(h.density, dtype=float)
        with np.errstate(over="ignore", invalid="ignore"):
            finite = math.isfinite(float(np.add.reduce(density)))
        if not finite:  # an inf or NaN (or a sum past 1e308): zero the non-finite ones
            density = np.where(np.isfinite(density), density, 0.0)
        e0 = float(h.edges[0])
        repeat = max(1, int(round((float(h.edges[1]) - e0) / self._width)))
        values = density if repeat == 1 else np.repeat(density, repeat)
        start = int(round((e0 - self._origin) / self._width))
        return h, np.arange(start, start + values.size), values

    def image(self, depth: int, max_bins: int = MAX_BINS) -> tuple[np.ndarray, float, float]:
        """The stacked image for rows 0..``depth``-1.

        Returns
        -------
        image : float64 array of shape (depth, n_bins): density of layer l in bin k; NaN for
            rows without a histogram, 0 outside a row's own range. Grids finer than
            ``max_bins`` over the union range are merged k bins at a time (mean density).
            A new array each call (callers may keep it).
        lo, hi : value of the lower edge of bin 0 and of the upper edge of the last bin
            ((0, 1) with n_bins = 0 when there is no row).
        """
        if any(not 0 <= r < depth for r in self._rows):
            self._last = None  # rows beyond depth: the general path below filters them
            rows = {r: v for r, v in self._rows.items() if 0 <= r < depth}
            first, last = _span(rows)
        else:
            rows = self._rows
            if self._span is None:
                self._span = _span(rows)
            first, last = self._span
        changed, self._changed = self._changed, set()
        if not rows:
            self._last = None
            return np.full((depth, 0), np.nan), 0.0, 1.0
        n_fine = last - first
        factor = max(1, -(-n_fine // max_bins))
        n_bins = -(-n_fine // factor)
        image = self._grown(depth, max_bins, first, factor, n_bins)
        if image is None:
            image = _stacked(rows, depth, first, factor, n_bins)
        else:
            for r in changed:
                if not 0 <= r < depth:
                    continue
                if r in rows:
                    _h, cols, values = rows[r]
                    image[r] = np.bincount((cols - first) // factor, weights=values,
                                           minlength=n_bins) / factor
                else:
                    image[r] = np.nan
        self._last = (depth, max_bins, first, factor, image)
        lo = self._origin + first * self._width
        return image.copy(), lo, lo + n_bins * factor * self._width

    def _grown(self, depth: int, max_bins: int, first: int, factor: int,
               n_bins: int) -> np.ndarray | None:
        """The last image on the new grid (same bins, wider range), or None if it cannot be.

        Merged bins stay the same when the range grows by whole merged bins at the bottom, so
        the old rows are copied unchanged (the values are bit-identical to a rebuild).
        """
        if self._last is None:
            return None
        old_depth, old_max, old_first, old_factor, old = self._last
        shift, remainder = divmod(old_first - first, factor)
        if ((old_depth, old_max, old_factor) != (depth, max_bins, factor) or remainder
                or shift < 0 or shift + old.shape[1] > n_bins):
            return None
        if shift == 0 and old.shape[1] == n_bins:
            return old
        image = np.zeros((depth, n_bins))
        image[:, shift:shift + old.shape[1]] = old
        image[np.isnan(old[:, 0])] = np.nan  # rows not arrived stay transparent
        return image

    def units(self) -> str | None:
        """``units`` of any stored histogram (None when empty)."""
        return next((h.units for h, _c, _v in self._rows.values()), None)


def _bin_width(h: Histogram) -> float:
    """The narrowest bin of ``h`` (a valid histogram): for the engine's uniform grids the
    first bin, else ``min(diff(edges))``."""
    edges = h.edges
    first = float(edges[1]) - float(edges[0])
    if len(edges) == 2 or (float(edges[-1]) - float(edges[-2])) == first:
        if len(edges) <= 3:
            return first
        mean = (float(edges[-1]) - float(edges[0])) / (len(edges) - 1)
        if abs(mean - first) <= 1e-9 * first:  # uniform (linspace or k · w)
            return first
    return float(np.min(np.diff(edges)))


def _span(rows: dict) -> tuple[int, int]:
    """Fine columns [first, last) covered by ``rows`` ((0, 0) when empty)."""
    if not rows:
        return 0, 0
    return (min(int(cols[0]) for _h, cols, _v in rows.values()),
            max(int(cols[-1]) for _h, cols, _v in rows.values()) + 1)


def _stacked(rows: dict, depth: int, first: int, factor: int, n_bins: int) -> np.ndarray:
    """Every row of ``rows`` on the grid (``first``, ``factor``, ``n_bins``); NaN elsewhere."""
    index = np.concatenate([r * n_bins + (cols - first) // factor
                            for r, (_h, cols, _v) in rows.items()])
    values = np.concatenate([v for _h, _c, v in rows.values()])
    image = np.bincount(index, weights=values, minlength=depth * n_bins) / factor
    image = image.reshape(depth, n_bins)
    missing = np.ones(depth, dtype=bool)
    missing[list(rows)] = False
    image[missing] = np.nan
    return image


def stack_histograms(hists: list[Histogram | None],
                     max_bins: int = MAX_BINS) -> tuple[np.ndarray, float, float]:
    """Put per-layer histograms side by side on the union of their bin ranges.

    Parameters
    ----------
    hists : one entry per layer 1..L; None (not yet arrived) or a histogram.
    max_bins : at most this many bins in the image (see :meth:`HistogramStack.image`).

    Returns
    -------
    image, lo, hi : as :meth:`HistogramStack.image`, shape (L, n_bins).
    """
    stack = HistogramStack()
    for row, h in enumerate(hists):
        stack.set(row, h)
    return stack.image(len(hists), max_bins)
