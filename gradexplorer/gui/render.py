"""Render a run's dashboard to an image file without a window (``gradexplorer render``).

Works with no event loop running and, on Linux without a display, on Qt's offscreen platform.
"""

from __future__ import annotations

import os
import sys

from gradexplorer.engine.model.spec import NetworkSpec

#: Keeps the QApplication this module created alive (Qt needs exactly one, for the process).
_APP = None


def ensure_application():
    """Return the running QApplication, creating one if there is none.

    On Linux with neither ``DISPLAY`` nor ``WAYLAND_DISPLAY`` set, and ``QT_QPA_PLATFORM``
    unset, selects Qt's ``offscreen`` platform first so no display is needed.
    """
    global _APP
    if (sys.platform.startswith("linux") and "QT_QPA_PLATFORM" not in os.environ
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = _APP = QApplication(["gradexplorer-render"])
    return app


def render_dashboard(spec: NetworkSpec, path: str, size: tuple[int, int] = (1600, 1000),
                     font_size: int | None = None) -> None:
    """Run ``spec`` synchronously and write its dashboard to ``path`` (.png or .svg).

    Parameters
    ----------
    spec : the network to run (the engine's
        :func:`~gradexplorer.engine.runs.propagation.propagate`).
    path : output file; ``.png`` is written at exactly ``size`` pixels, ``.svg`` laid out at it.
    size : (width, height) of the image in pixels.
    font_size : tick and label font in points (None: the dashboard's default).

    Raises
    ------
    ValueError
        For an extension other than .png/.svg (checked before the run), or a non-positive size.
    SpecError / engine errors
        As raised by the engine for this spec (e.g. a data file that does not parse).
    """
    from pathlib import Path

    if Path(path).suffix.lower() not in (".png", ".svg"):
        raise ValueError(f"cannot render to {Path(path).name!r}: use .png or .svg")
    width, height = (int(v) for v in size)
    if width < 1 or height < 1:
        raise ValueError(f"image size must be positive, got {width}×{height}")
    app = ensure_application()

    from gradexplorer.engine.runs.propagation import propagate
    from gradexplorer.gui.dashboard import Dashboard

    records = list(propagate(spec))
    dashboard = Dashboard()
    try:
        if font_size is not None:
            dashboard.set_font_size(font_size)
        dashboard.resize(width, height)
        dashboard.begin_run(records[0])
        dashboard.add_records(records[1:-1])
        dashboard.finish_run(records[-1])
        _draw_theory(dashboard, records)
        dashboard.export_image(str(path), (width, height))
    finally:
        from PySide6.QtCore import QEvent

        dashboard.deleteLater()
        # Deliver the deferred delete now: there may be no event loop to do it.
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _draw_theory(dashboard, records) -> None:
    """Dashed mean-field predictions, as the window shows them (``theory_display``)."""
    from gradexplorer.engine.runs.records import TheoryLayers
    from gradexplorer.gui.theory_display import LEGEND_LABEL

    for record in records:
        if isinstance(record, TheoryLayers):
            for field, values in record.series().items():
                try:
                    dashboard.set_theory(field, values, LEGEND_LABEL)
                except ValueError:  # no plot draws this field
                    continue
