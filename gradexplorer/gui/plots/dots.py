"""A per-layer curve with a dot at each layer, cheaper than pyqtgraph's PlotDataItem symbols.

pyqtgraph draws a :class:`~pyqtgraph.PlotDataItem`'s symbols with a
:class:`~pyqtgraph.ScatterPlotItem`, built for thousands of points with per-point styles: each
``setData`` rebuilds its spot table and each repaint recomputes their placement in Python.
During a Gain drag a new run arrives every ~60 ms and five curves carried symbols; the scatter
items cost about a tenth of the GUI thread's time per run. :class:`DottedCurve` draws the same
dots (filled circles of a fixed size in pixels, no outline) as one child item that maps its
≤ 40 points to the device once per repaint.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from gradexplorer.gui.plots.curve import Curve
from gradexplorer.gui.plots.style import pg

fn = pg.functions
ItemSample = pg.graphicsItems.LegendItem.ItemSample


class Dots(pg.GraphicsObject):
    """Filled circles of ``size`` pixels (diameter) at finite points (x, y), no outline.

    A child of the curve it marks: hidden, shown and stacked with it.
    """

    def __init__(self, parent: pg.GraphicsObject):
        super().__init__(parent)
        self.size = 0.0  # 0: no dots
        self._brush = QtGui.QBrush()
        self._points = QtGui.QPolygonF()
        self._rect = QtCore.QRectF()  # of the points, in data coordinates (empty: none)
        self._bounds: QtCore.QRectF | None = None  # _rect padded by the radius in pixels

    def set_style(self, size: float, colour) -> None:
        """Dots of ``size`` pixels in ``colour`` (anything :func:`pyqtgraph.mkBrush` takes);
        ``size`` 0 draws none."""
        self.size = float(size)
        self._brush = pg.mkBrush(colour)
        self._changed()

    def setData(self, x: np.ndarray, y: np.ndarray) -> None:  # noqa: N802 (pyqtgraph's name)
        """Dots at the finite points of ``x``, ``y`` (equal shapes (n,); others are skipped)."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        keep = np.isfinite(x) & np.isfinite(y)
        if not keep.all():
            x, y = x[keep], y[keep]
        if x.size:
            points = fn.create_qpolygonf(x.size)
            xy = fn.ndarray_from_qpolygonf(points)
            xy[:, 0] = x
            xy[:, 1] = y
            self._points = points
            self._rect = QtCore.QRectF(float(x.min()), float(y.min()),
                                       float(x.max() - x.min()), float(y.max() - y.min()))
        else:
            self._points = QtGui.QPolygonF()
            self._rect = QtCore.QRectF()
        self._changed()

    def clear(self) -> None:
        """No dots (until the next :meth:`setData`)."""
        if self._points.isEmpty():
            return
        self._points = QtGui.QPolygonF()
        self._rect = QtCore.QRectF()
        self._changed()

    def count(self) -> int:
        """Number of dots drawn (0 when the size is 0)."""
        return self._points.size() if self.size > 0 else 0

    def _changed(self) -> None:
        self.prepareGeometryChange()
        self._bounds = None
        self.update()

    def viewTransformChanged(self) -> None:  # noqa: N802 (pyqtgraph's hook)
        """The radius in data units changed with the view: new bounds."""
        self.prepareGeometryChange()
        self._bounds = None

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 (Qt override)
        if self._bounds is None:
            if self._points.isEmpty() or self.size <= 0:
                self._bounds = QtCore.QRectF()
            else:
                px, py = self.pixelVectors()
                pad = 0.5 * self.size + 1.0  # antialiased edge
                dx = pad * (px.length() if px is not None else 0.0)
                dy = pad * (py.length() if py is not None else 0.0)
                self._bounds = self._rect.adjusted(-dx, -dy, dx, dy)
        return self._bounds

    def paint(self, p: QtGui.QPainter, *args) -> None:
        if self._points.isEmpty() or self.size <= 0:
            return
        device = p.transform().map(self._points)  # data -> device pixels, one call
        r = 0.5 * self.size
        p.save()
        p.resetTransform()
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        p.setPen(QtCore.Qt.PenStyle.NoPen)
        p.setBrush(self._brush)
        for i in range(device.size()):
            p.drawEllipse(device.at(i), r, r)
        p.restore()


class DottedCurve(Curve):
    """A :class:`~.curve.Curve` whose points carry :class:`Dots` (see :meth:`set_dots`);
    its legend entry is a :class:`DottedSample`.

    A bare curve item, not a :class:`~pyqtgraph.PlotDataItem`: that wrapper's ``setData``
    (argument parsing, log/FFT/downsampling passes, a second item for symbols) cost ~6x the
    curve's own for the ≤ L points of a per-layer curve, at every run of a drag.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dots = Dots(self)
        self.dots.setZValue(1)  # over the line

    def set_dots(self, size: float, colour) -> None:
        """A dot of ``size`` pixels in ``colour`` at each point (``size`` 0: none)."""
        self.dots.set_style(size, colour)
        self._update_dots()

    def setData(self, *args, **kwargs) -> None:  # noqa: N802 (pyqtgraph's name)
        super().setData(*args, **kwargs)
        self._update_dots()

    def _update_dots(self) -> None:
        dots = getattr(self, "dots", None)  # None while PlotCurveItem.__init__ runs
        if dots is None:
            return
        x, y = self.xData, self.yData
        if dots.size <= 0 or x is None or y is None:
            dots.clear()
        else:
            dots.setData(x, y)

    def clear(self) -> None:
        """No curve, no dots (pyqtgraph's clear alone leaves the old stroke on screen)."""
        had = getattr(self, "xData", None) is not None
        super().clear()
        dots = getattr(self, "dots", None)
        if dots is not None:
            dots.clear()
        if had:
            self.update()


class DottedSample(ItemSample):  # type: ignore[misc, valid-type]
    """Legend sample of a :class:`DottedCurve`: its line and, when it has dots, one dot."""

    def paint(self, p, *args) -> None:
        super().paint(p, *args)
        dots = self.item.dots
        if dots.size <= 0 or not self.item.isVisible():
            return
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        p.setPen(QtCore.Qt.PenStyle.NoPen)
        p.setBrush(dots._brush)
        r = 0.5 * dots.size
        p.drawEllipse(QtCore.QPointF(10, 10), r, r)
