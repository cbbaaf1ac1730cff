"""Small dialogs and file-dialog helpers of the main window (the PNG size, file suffixes)."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QSpinBox,
    QWidget,
)

from gradexplorer.io.atomic import describe

#: File-dialog filters.
DATA_FILTER = "JSON (*.json);;CSV (*.csv)"
IMAGE_FILTER = "PNG image (*.png);;SVG vector image (*.svg)"


def with_suffix(path: str, selected_filter: str) -> str:
    """Append the suffix named by the chosen file-dialog filter when ``path`` has none."""
    if os.path.splitext(path)[1]:
        return path
    for ext in (".png", ".svg", ".json", ".csv"):
        if f"*{ext}" in selected_filter:
            return path + ext
    return path


class ImageSizeDialog(QDialog):
    """Ask the pixel size of an exported PNG (defaults to the dashboard's size on screen)."""

    def __init__(self, width: int, height: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Image size")
        self.width_box = QSpinBox()
        self.height_box = QSpinBox()
        for box, value in ((self.width_box, width), (self.height_box, height)):
            box.setRange(100, 16384)
            box.setSuffix(" px")
            box.setValue(value)
        form = QFormLayout(self)
        form.addRow("Width", self.width_box)
        form.addRow("Height", self.height_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def size_chosen(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.width_box.value(), self.height_box.value()


def export_image_dialog(parent: QWidget, title: str, default_name: str,
                        export: Callable[[str], None], show_error: Callable[[str], None]) -> None:
    """Ask where to save a view as PNG or SVG and call ``export(path)``.

    The suffix follows the chosen filter when the typed name has none; an OSError or
    ValueError from ``export`` goes to ``show_error`` as one line (nothing is raised).
    """
    path, chosen = QFileDialog.getSaveFileName(parent, title, default_name, IMAGE_FILTER)
    if not path:
        return
    path = with_suffix(path, chosen)
    try:
        export(path)
    except OSError as exc:  # named by the chosen file, not the temporary file beside it
        show_error(describe(exc, path))
    except ValueError as exc:
        show_error(str(exc))
