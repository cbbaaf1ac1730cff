"""Write what the dashboard shows: images (PNG, SVG) through pyqtgraph's exporters, and data.

Images: :func:`export_plot` writes one plot, :func:`export_scene` a whole
:class:`pyqtgraph.GraphicsView` (e.g. the dashboard's layout). Data: :func:`write_data` writes
the run document of :mod:`gradexplorer.io.documents`, byte for byte what ``gradexplorer run
--format json/csv`` prints for the same run. Every file is written atomically
(:mod:`gradexplorer.io.atomic`): a failed export leaves the old file as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Callable
from pathlib import Path

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.result import RunResult
from gradexplorer.gui.plots.style import (
    pg,  # first: binds pyqtgraph to PySide6, imports pg.exporters
)
from gradexplorer.io import atomic, documents

QApplication = pg.QtWidgets.QApplication

IMAGE_SUFFIXES = (".png", ".svg")
DATA_SUFFIXES = (".csv", ".json")


def _suffix(path: str, allowed: tuple[str, ...]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in allowed:
        raise ValueError(f"cannot write {Path(path).name!r}: use one of {', '.join(allowed)}")
    return suffix


def _close_paths_explicitly(node) -> None:
    """Rewrite every "Z" (close path) in ``node``'s <path>s as a line back to the subpath start.

    pyqtgraph 0.14.0's SVG exporter parses path data as "x,y" pairs only and fails on "Z",
    which Qt 6.12 writes for every closed rectangle (pyqtgraph issue #3495, fixed after 0.14.0).
    A line to the start draws the same outline and fill.
    """
    for element in node.getElementsByTagName("path"):
        tokens = element.getAttribute("d").split()
        if not any(t in ("Z", "z") for t in tokens):
            continue
        out, start = [], None
        for t in tokens:
            if t in ("Z", "z"):
                if start is not None:
                    out.append("L" + start)
                continue
            if t.startswith("M"):
                start = t[1:]
            out.append(t)
        element.setAttribute("d", " ".join(out))


@contextlib.contextmanager
def _svg_close_path_workaround():
    """While exporting SVG, pre-process paths for pyqtgraph's coordinate correction."""
    module = sys.modules[pg.exporters.SVGExporter.__module__]
    original = getattr(module, "correctCoordinates", None)
    if original is None:  # a pyqtgraph without the function: nothing to work around
        yield
        return

    def correct(node, defs, item, options):
        _close_paths_explicitly(node)
        return original(node, defs, item, options)

    module.correctCoordinates = correct
    try:
        yield
    finally:
        module.correctCoordinates = original


def _export(target, path: str, size: tuple[int, int] | None) -> None:
    """Export ``target`` (a QGraphicsScene or a QGraphicsItem) to ``path``."""
    suffix = _suffix(path, IMAGE_SUFFIXES)
    if suffix == ".png":
        exporter = pg.exporters.ImageExporter(target)
        if size is not None:
            w, h = (int(v) for v in size)
            if w < 1 or h < 1:
                raise ValueError(f"image size must be positive, got {w}×{h}")
            # Set both without the exporter's aspect-ratio coupling: exact pixels.
            params = exporter.parameters()
            params.param("width").setValue(w, blockSignal=exporter.widthChanged)
            params.param("height").setValue(h, blockSignal=exporter.heightChanged)
    else:
        exporter = pg.exporters.SVGExporter(target)
        if size is not None:
            params = exporter.parameters()
            params.param("width").setValue(float(size[0]), blockSignal=exporter.widthChanged)
            params.param("height").setValue(float(size[1]), blockSignal=exporter.heightChanged)
    with atomic.atomic_path(path) as tmp:  # the old file stays if the export fails
        if suffix == ".png":
            if exporter.export(tmp) is False:  # QImage.save gives no reason: find the likely one
                raise OSError(errno.EIO, _png_failure(tmp))
        else:
            with _svg_close_path_workaround():
                exporter.export(tmp)


def _png_failure(tmp: str) -> str:
    """Why Qt could not save a PNG: a full disk (the usual case) or an unknown write error."""
    try:
        st = os.statvfs(os.path.dirname(os.path.abspath(tmp)))
        if st.f_bavail * st.f_frsize < 2**20:
            return os.strerror(errno.ENOSPC)
    except (OSError, AttributeError):  # pragma: no cover - no statvfs (Windows)
        pass
    return "the PNG could not be written (Qt's image writer failed)"


def export_plot(plot_item: pg.PlotItem, path: str, size: tuple[int, int] | None = None) -> None:
    """Write one plot (axes, legend and colour bar included) to ``path`` (.png or .svg).

    ``size`` is (width, height) in pixels for PNG (default: as on screen); the plot is scaled
    to it. Raises ValueError for other extensions.
    """
    if not isinstance(plot_item, pg.QtWidgets.QGraphicsItem) or plot_item.scene() is None:
        raise ValueError("the plot must be in a scene (shown in a widget) to export it")
    _export(plot_item, path, size)


def export_scene(widget: pg.GraphicsView, path: str, size: tuple[int, int] | None = None) -> None:
    """Write everything ``widget`` (a GraphicsView / GraphicsLayoutWidget) shows to ``path``.

    ``size`` is (width, height) in pixels for PNG (default: the widget's size); the scene is
    scaled to it, keeping its aspect ratio (a differing aspect ratio leaves background margins).
    Raises ValueError for other extensions.
    """
    _export(widget.scene(), path, size)


def export_laid_out(view: pg.GraphicsLayoutWidget, path: str, size: tuple[int, int] | None,
                    fit_width: Callable[[int], None]) -> None:
    """:func:`export_scene` of ``view`` laid out anew at ``size`` (pixels; None: as it is), so
    text stays sharp and nothing is stretched; the layout is restored after.
    ``fit_width(pixels)`` refits what depends on the width (e.g. a headline's font)."""
    old = view.size()
    relayout = size is not None and (int(size[0]), int(size[1])) != (old.width(), old.height())
    try:
        if relayout and size is not None:
            _layout_at(view, pg.QtCore.QSize(int(size[0]), int(size[1])), fit_width)
        paint_once(view)
        export_scene(view, path, size)
    finally:
        if relayout:
            _layout_at(view, old, fit_width)


def _layout_at(view: pg.GraphicsLayoutWidget, size, fit_width: Callable[[int], None]) -> None:
    """Lay ``view``'s scene out at ``size`` now, without waiting for the event loop."""
    view.resize(size)  # a hidden widget gets its resize event only when shown
    pg.GraphicsView.resizeEvent(view, None)
    fit_width(size.width())
    view.ci.layout.activate()


def paint_once(view: pg.GraphicsView) -> None:
    """Paint ``view`` once into a throwaway image and apply the layout that asks for, if it
    is not on screen (behind another tab): pyqtgraph's axes measure their tick text while they
    paint, then take the room it needs, so a view not painted since its fonts or runs changed
    (a zoom behind another tab) was exported in the old room, labels dropped (a colour bar
    showing only its "0")."""
    if not view.isVisible():
        image = pg.QtGui.QImage(view.size(), pg.QtGui.QImage.Format.Format_ARGB32)
        painter = pg.QtGui.QPainter(image)
        try:  # the scene alone: a hidden widget's grab() would lay its parent out too
            view.scene().render(painter, pg.QtCore.QRectF(image.rect()), view.sceneRect())
        finally:
            painter.end()
        view.ci.layout.activate()


def grab_laid_out(widget: pg.QtWidgets.QWidget, view: pg.GraphicsLayoutWidget, size,
                  fit_width: Callable[[int], None]) -> pg.QtGui.QPixmap:
    """An image of ``widget`` (``view`` fills it) as it shows at ``size`` (a QSize): a widget
    not on screen (behind another tab: its size is the one it had when last shown) is laid
    out and painted at ``size`` first (:func:`paint_once`)."""
    if not widget.isVisible():
        widget.resize(size)
        _layout_at(view, size, fit_width)
        paint_once(view)
    return widget.grab()


def copy_to_clipboard(widget: pg.QtWidgets.QWidget) -> None:
    """Put an image of ``widget`` (everything it shows, as on screen) on the clipboard."""
    QApplication.clipboard().setPixmap(widget.grab())


def write_data(result: RunResult, spec: NetworkSpec, path: str) -> None:
    """Write a finished run's document to ``path`` (``.json`` or ``.csv``), atomically.

    The bytes are :func:`gradexplorer.io.documents.run_text`: the JSON document ``{format,
    version, config, data, widths, loss, verdict, seconds, layers}`` or one CSV row per layer,
    exactly what ``gradexplorer run --format json/csv`` prints. Raises ValueError for other
    extensions, OSError (old file intact) when the file cannot be written.
    """
    suffix = _suffix(path, DATA_SUFFIXES)
    atomic.write_text(path, documents.run_text(result, spec, suffix[1:]), newline="")
