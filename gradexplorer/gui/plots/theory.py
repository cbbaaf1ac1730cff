"""Dashed curves of a theory's per-layer prediction, drawn beside the measured ones.

The dashboard computes nothing: the caller passes the predicted series (e.g. from
``gradexplorer.engine.theory.layerwise``) in the same field and scale as the measured curve.
"""

from __future__ import annotations

import numpy as np

from gradexplorer.gui.plots.curve import Curve
from gradexplorer.gui.plots.style import MEASURED, layer_x, pg, smooth_lines

QtCore = pg.QtCore


class TheoryOverlay:
    """Dashed prediction curves on one plot, keyed by the record field they predict.

    Parameters
    ----------
    plot : the PlotItem.
    legend : the plot's legend (or None): each curve gets an entry with its label.
    """

    def __init__(self, plot: pg.PlotItem, legend: pg.LegendItem | None):
        self.plot = plot
        self.legend = legend
        self.items: dict[str, pg.PlotCurveItem] = {}
        self._labels: dict[str, tuple[str, str]] = {}  # field -> (colour key, legend label)
        #: Cleared curves kept hidden for the next run's prediction (field -> item, labels):
        #: a drag would otherwise create and destroy a plot item per curve and run.
        self._parked: dict[str, tuple[pg.PlotCurveItem, tuple[str, str]]] = {}
        self._y: dict[str, np.ndarray] = {}  # field -> the drawn values
        #: Parked items whose legend entry is still shown: a drag's next run usually brings
        #: the same prediction in the same flush, and removing then re-adding the entry
        #: re-lays the legend and the whole dashboard out (two extra full repaints a run).
        self._listed: set[int] = set()
        self._reserved: dict[str, np.ndarray] = {}  # field -> a cleared prediction's values

    def set(self, field: str, values: np.ndarray | None, key: str, label: str) -> None:
        """Draw ``values`` (shape (L,), NaN = no prediction) dashed in curve ``key``'s colour.

        ``values=None`` removes the prediction for ``field``.
        """
        if values is None:
            self.remove(field)
            return
        y = np.array(values, dtype=float)  # a copy: the caller may reuse its array
        self._y[field] = y
        old = self.items.get(field)
        if old is not None and self._labels.get(field) == (key, label):
            # the same curve with new numbers (every run of a drag): no new item, no relayout
            old.setData(layer_x(y.size), y, connect="finite", antialias=smooth_lines(y.size))
            return
        self._remove_shown(field)
        self._labels[field] = (key, label)
        parked = self._parked.pop(field, None)
        if parked is not None and parked[1] == (key, label):
            item = parked[0]
            item.setData(layer_x(y.size), y, connect="finite", antialias=smooth_lines(y.size))
            item.setVisible(True)
            if id(item) in self._listed:  # its legend entry never left
                self._listed.discard(id(item))
                self.items[field] = item
                return
        else:
            if parked is not None:
                self._unlist(parked[0])
                self.plot.removeItem(parked[0])
            pen = pg.mkPen(MEASURED[key], width=2, style=QtCore.Qt.PenStyle.DashLine)
            # a bare curve item: a PlotDataItem's setData costs ~6x as much (every drag run)
            item = Curve(layer_x(y.size), y, pen=pen, connect="finite",
                                    antialias=smooth_lines(y.size))
            self.plot.addItem(item)
            item.setZValue(8)
        self.items[field] = item
        if self.legend is not None:
            self.legend.addItem(item, label)

    def remove(self, field: str) -> None:
        """Remove the prediction for ``field`` (no-op when absent)."""
        parked = self._parked.get(field)
        if parked is not None:
            self._unlist(parked[0])
        self._remove_shown(field)

    def _remove_shown(self, field: str) -> None:
        item = self.items.pop(field, None)
        self._labels.pop(field, None)
        self._y.pop(field, None)
        if item is not None:
            if self.legend is not None:
                self.legend.removeItem(item)
            self.plot.removeItem(item)

    def clear(self, keep_legend: bool = False) -> None:
        """Remove every prediction (the items are hidden and reused by the next :meth:`set`).

        ``keep_legend``: leave their legend entries until :meth:`drop_parked_legend` (or the
        next :meth:`set` of the same curve, which then changes no layout).
        """
        for field in list(self.items):
            item = self.items.pop(field)
            labels = self._labels.pop(field)
            y = self._y.pop(field, None)
            if keep_legend and y is not None:
                self._reserved[field] = y
            if keep_legend and self.legend is not None:
                self._listed.add(id(item))
            elif self.legend is not None:
                self.legend.removeItem(item)
            item.setVisible(False)
            old = self._parked.pop(field, None)
            if old is not None:
                self._unlist(old[0])
                self.plot.removeItem(old[0])
            self._parked[field] = (item, labels)

    def drop_parked_legend(self) -> None:
        """Remove the legend entries :meth:`clear` kept for curves that did not come back."""
        self._reserved = {}
        for item, _labels in self._parked.values():
            self._unlist(item)

    def reserved_arrays(self) -> dict[str, np.ndarray]:
        """Predictions cleared with ``keep_legend`` whose successors have not come yet: the
        plot keeps room for them (fitting the range without, then with the new prediction
        would change it twice at every run of a drag)."""
        return {f: y for f, y in self._reserved.items() if f not in self.items}

    def _unlist(self, item: pg.PlotCurveItem) -> None:
        if id(item) in self._listed:
            self._listed.discard(id(item))
            if self.legend is not None:
                self.legend.removeItem(item)

    def show_only(self, fields: set[str]) -> None:
        """Show the predictions of ``fields`` (the fields currently drawn), hide the others."""
        for field, item in self.items.items():
            item.setVisible(field in fields)

    def arrays(self) -> dict[str, np.ndarray]:
        """The drawn predictions by field (a view of what the items hold: do not modify)."""
        return {f: self._y[f] for f in self.items if f in self._y}

    def data(self, field: str) -> np.ndarray | None:
        """The drawn prediction for ``field`` (None when there is none)."""
        item = self.items.get(field)
        return None if item is None else np.asarray(item.getData()[1], dtype=float)
