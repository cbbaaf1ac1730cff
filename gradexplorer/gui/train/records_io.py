"""Write a training run's records as CSV or JSON in the schema of ``gradexplorer train``.

The rows come from :mod:`gradexplorer.io.training` (the writers ``gradexplorer train`` prints
with), replayed over the stored records, so a file saved from the Train tab and one printed by
the CLI read the same way. The file is written atomically (:mod:`gradexplorer.io.atomic`).
:func:`export_menu` builds the Train tab's Export menu (file dialogs for images and records).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from gradexplorer.engine.training.trainer import TrainEnd
from gradexplorer.gui.train.history import TrainHistory
from gradexplorer.io import atomic, training

DATA_SUFFIXES = (".csv", ".json")


def write_records(history: TrainHistory, path: str | Path, seconds: float = 0.0) -> None:
    """Write ``history`` to ``path`` (.csv: one row per record; .json: the whole run).

    A run that was stopped (or is still running) gets a verdict "stopped at step N" in JSON.
    Raises ValueError for another extension or when nothing has been trained yet, OSError (the
    old file intact) when the file cannot be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in DATA_SUFFIXES:
        raise ValueError(f"cannot write {path.name!r}: use one of {', '.join(DATA_SUFFIXES)}")
    if history.start is None:
        raise ValueError("nothing to export yet: start a training run")
    end = history.end or TrainEnd(verdict=f"stopped at step {history.last_step()}",
                                  diverged=False, steps=history.last_step(), seconds=seconds)
    with atomic.atomic_write(path, "w", newline="") as out:
        writer = training.WRITERS[suffix[1:]](out)
        for rec in (history.start, *history.records, end):
            writer.add(rec)


def export_menu(view, parent: QWidget) -> QMenu:
    """The Export menu of ``view`` (a TrainView): images via ``view.export_image``, records via
    ``view.export_records``; the outcome goes to ``view``'s status line."""

    def ask(title: str, default: str, filters: str, write) -> None:
        path, _ = QFileDialog.getSaveFileName(view, title, default, filters)
        if not path:
            return
        try:
            write(path)
        except OSError as exc:
            view.show_status(atomic.describe(exc, path), error=True)
        except ValueError as exc:
            view.show_status(str(exc), error=True)
        else:
            view.show_status(f"wrote {path}")

    menu = QMenu(parent)
    menu.addAction("Image (PNG, SVG)…", lambda: ask("Export plots", "training.png",
                                                     "Images (*.png *.svg)", view.export_image))
    menu.addAction("Records (CSV, JSON)…", lambda: ask("Export records", "training.csv",
                                                        "Data (*.csv *.json)",
                                                        view.export_records))
    return menu
