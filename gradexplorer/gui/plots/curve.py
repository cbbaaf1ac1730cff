"""A curve item whose data bounds cost one finite mask and two reductions.

pyqtgraph's :meth:`~pyqtgraph.PlotCurveItem.dataBounds` enters a ``warnings.catch_warnings``
block and runs ``nanmin``/``nanmax`` (then a finite mask if an end is infinite) each time a
curve's data change: ~26 times per run of a drag on the Layers tab, at ~30 us each, mostly
the warnings machinery. The per-layer curves have ≤ L points and cosmetic pens.
"""

from __future__ import annotations

import numpy as np

from gradexplorer.gui.plots.style import pg


class Curve(pg.PlotCurveItem):
    """A :class:`~pyqtgraph.PlotCurveItem` with a cheaper :meth:`dataBounds` (same bounds
    over the finite values; none when there are no finite values)."""

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):  # noqa: N802, N803
        """(min, max) of the finite x (``ax`` 0) or y (1) values, the fill level included;
        (None, None) without finite values. Percentile or masked requests go to pyqtgraph.
        """
        pen = self.opts["pen"]
        if frac < 1.0 or orthoRange is not None or (pen is not None and not pen.isCosmetic()):
            return super().dataBounds(ax, frac, orthoRange)
        cache = self._boundsCache[ax]
        if cache is not None and cache[0] == (frac, orthoRange):
            return cache[1]
        data = self.xData if ax == 0 else self.yData
        if data is None or len(data) == 0:
            return (None, None)
        finite = data[np.isfinite(data)]
        if finite.size == 0:
            return (None, None)
        lo, hi = float(finite.min()), float(finite.max())
        level = self.opts["fillLevel"]
        if ax == 1 and level not in (None, "enclosed"):
            lo, hi = min(lo, float(level)), max(hi, float(level))
        bounds = (lo, hi)
        self._boundsCache[ax] = [(frac, orthoRange), bounds]
        return bounds
