"""Pinned training runs: a finished (or current) run's loss and accuracy kept as faint curves.

:class:`TrainPins` keeps one label per pinned run across the loss and accuracy plots (each a
:class:`~.curves.StepCurves`) and fills the Pins menu (remove one, clear all).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QMenu

from ..plots.style import pin_colour
from .curves import StepCurves
from .history import TrainHistory


class TrainPins:
    """The pins drawn in ``plots`` (the first plot's legend names them).

    Parameters
    ----------
    plots : the StepCurves that show a pin (loss, accuracy).
    """

    def __init__(self, plots: list[StepCurves]):
        self.plots = plots
        self._count = 0

    def pin(self, history: TrainHistory, label: str) -> str:
        """Pin ``history``'s held-out series (its train series when nothing is held out).

        Returns the label used: ``label``, or ``label (2)``, ... when it is taken.
        """
        base, n = label, 2
        while label in self.labels():
            label, n = f"{base} ({n})", n + 1
        colour = pin_colour(self._count)
        self._count += 1
        x = history.series("step").copy()
        for plot in self.plots:
            train_field, held_field = plot.fields
            y = history.series(held_field)
            y = y if np.isfinite(y).any() else history.series(train_field)
            plot.add_pin(label, x, y.copy(), colour)
        return label

    def remove(self, label: str) -> None:
        """Remove one pinned run (no-op when absent)."""
        for plot in self.plots:
            plot.remove_pin(label)

    def clear(self) -> None:
        """Remove every pinned run."""
        for label in self.labels():
            self.remove(label)

    def labels(self) -> list[str]:
        """Labels of the pinned runs, oldest first."""
        return self.plots[0].pin_labels()

    def fill_menu(self, menu: QMenu) -> None:
        """Rebuild ``menu``: "Remove “label”" per pin, then "Clear pins"."""
        menu.clear()
        labels = self.labels()
        for label in labels:
            menu.addAction(f"Remove “{label}”", lambda checked=False, t=label: self.remove(t))
        if labels:
            menu.addSeparator()
        menu.addAction("Clear pins", self.clear).setEnabled(bool(labels))
