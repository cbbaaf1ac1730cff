"""Per-layer histograms side by side on the union of their bin ranges (the heatmaps' image).

Gradient histograms sit on a universal log10 grid whose range differs between layers;
activation histograms share one grid per run. :class:`HistogramStack` keeps each layer's row
once computed, so streaming a 1000-layer run costs one vectorized pass per redraw, not one
NumPy call per layer.
"""

from __future__ import annotations

import numpy as np

from gradexplorer.engine.records import Histogram

#: Most bins drawn along the value axis (finer grids are merged for display).
MAX_BINS = 1024


def valid_histogram(h: Histogram | None) -> bool:
    """Whether ``h`` can be drawn: finite increasing edges, one density per bin."""
    return (h is not None and len(h.edges) >= 2 and len(h.density) == len(h.edges) - 1
            and bool(np.all(np.isfinite(h.edges))) and h.edges[-1] > h.edges[0])


class HistogramStack:
    """Histograms of layers 0..L-1 (0-based rows) gathered for one image.

    Grids must be uniform, with bin widths whole multiples of the finest one, and aligned to it
    (true of the engine's grids). Rows are kept until :meth:`reset`.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget every row."""
        self._width: float | None = None
        self._origin = 0.0
        self._rows: dict[int, tuple[Histogram, np.ndarray, np.ndarray]] = {}

    def set(self, row: int, h: Histogram | None) -> None:
        """Use histogram ``h`` for ``row`` (None or an undrawable histogram clears it)."""
        old = self._rows.get(row)
        if old is not None and old[0] is h:
            return
        if not valid_histogram(h):
            self._rows.pop(row, None)
            return
        width = float(np.min(np.diff(h.edges)))
        if self._width is None or width < self._width * (1 - 1e-9):
            self._width, self._origin = width, float(h.edges[0])
            self._rows = {r: self._row(old_h) for r, (old_h, _c, _v) in self._rows.items()}
        self._rows[row] = self._row(h)

    def _row(self, h: Histogram) -> tuple[Histogram, np.ndarray, np.ndarray]:
        density = np.nan_to_num(np.asarray(h.density, dtype=float), nan=0.0, posinf=0.0)
        repeat = max(1, int(round((h.edges[1] - h.edges[0]) / self._width)))
        values = np.repeat(density, repeat)
        start = int(round((h.edges[0] - self._origin) / self._width))
        return h, start + np.arange(values.size), values

    def image(self, depth: int, max_bins: int = MAX_BINS) -> tuple[np.ndarray, float, float]:
        """The stacked image for rows 0..``depth``-1.

        Returns
        -------
        image : float64 array of shape (depth, n_bins): density of layer l in bin k; NaN for
            rows without a histogram, 0 outside a row's own range. Grids finer than
            ``max_bins`` over the union range are merged k bins at a time (mean density).
        lo, hi : value of the lower edge of bin 0 and of the upper edge of the last bin
            ((0, 1) with n_bins = 0 when there is no row).
        """
        rows = {r: v for r, v in self._rows.items() if 0 <= r < depth}
        if not rows:
            return np.full((depth, 0), np.nan), 0.0, 1.0
        first = min(int(cols[0]) for _h, cols, _v in rows.values())
        last = max(int(cols[-1]) for _h, cols, _v in rows.values()) + 1
        n_fine = last - first
        factor = max(1, -(-n_fine // max_bins))
        n_bins = -(-n_fine // factor)
        index = np.concatenate([r * n_bins + (cols - first) // factor
                                for r, (_h, cols, _v) in rows.items()])
        values = np.concatenate([v for _h, _c, v in rows.values()])
        image = np.bincount(index, weights=values, minlength=depth * n_bins) / factor
        image = image.reshape(depth, n_bins)
        missing = np.ones(depth, dtype=bool)
        missing[list(rows)] = False
        image[missing] = np.nan
        lo = self._origin + first * self._width
        return image, lo, lo + n_bins * factor * self._width

    def units(self) -> str | None:
        """``units`` of any stored histogram (None when empty)."""
        return next((h.units for h, _c, _v in self._rows.values()), None)


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
