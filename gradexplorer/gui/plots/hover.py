"""The dashboard's pointer: the line under the plots reads out the layer under it; a click picks."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from gradexplorer.gui.plots.style import pg

QtCore = pg.QtCore


class HoverReadout:
    """Reads out the layer under the pointer in ``label``; a left click on one calls ``picked``.

    Parameters
    ----------
    label : pg.LabelItem
        The readout line.
    panels : sequence
        The per-layer panels, each with ``contains(scene_pos)``, ``layer_at(scene_pos)`` (1-based
        or None) and ``readout(layer, scene_pos)``.
    picked : callable
        ``picked(layer)`` for a left click on layer ``layer`` of any panel.
    """

    def __init__(self, label: pg.LabelItem, panels: Sequence, picked: Callable[[int], None]):
        self._label = label
        self._panels = panels
        self._picked = picked
        self._points: int | None = None

    @property
    def text(self) -> str:
        """The readout shown now."""
        return str(self._label.text)

    def set_points(self, points: int | None) -> None:
        """Its font size in points (None: pyqtgraph's default)."""
        self._points = points
        self._show(self.text)

    @contextmanager
    def blank(self) -> Iterator[None]:
        """Empty while the block runs (an export shows no readout), as it was after."""
        text = self.text
        self._show("")
        try:
            yield
        finally:
            self._show(text)

    def on_moved(self, scene_pos) -> None:
        """For the scene's ``sigMouseMoved``."""
        panel, layer = self._panel_at(scene_pos)
        self._show(panel.readout(layer, scene_pos) if panel is not None else "")

    def on_clicked(self, event) -> None:
        """For the scene's ``sigMouseClicked``."""
        if event.button() != QtCore.Qt.MouseButton.LeftButton:
            return
        panel, layer = self._panel_at(event.scenePos())
        if panel is not None:
            self._picked(layer)

    def _panel_at(self, scene_pos):
        for panel in self._panels:
            if panel.contains(scene_pos):
                layer = panel.layer_at(scene_pos)
                if layer is not None:
                    return panel, layer
        return None, None

    def _show(self, text: str) -> None:
        self._label.setText(text, size=f"{self._points}pt")
