"""Pinned training runs: a run's loss and accuracy kept as faint curves, its layers kept too.

:class:`TrainPins` keeps one label per pinned run across the loss and accuracy plots (each a
:class:`~.curves.StepCurves`), a copy of the run's per-layer series (:class:`~.history.LayerSeries`,
for the pinned heatmap and dashed update ratios) and fills the Pins menu (remove one, clear all).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu

from gradexplorer.gui.plots.style import pin_colour_for
from gradexplorer.gui.train.curves import StepCurves
from gradexplorer.gui.train.history import LayerSeries, TrainHistory


class TrainPins(QObject):
    """The pins drawn in ``plots`` (the first plot's legend names them).

    Parameters
    ----------
    plots : the StepCurves that show a pin (loss, accuracy).

    Signals
    -------
    sigChanged()
        A pin was added or removed.
    """

    sigChanged = Signal()

    def __init__(self, plots: list[StepCurves], parent: QObject | None = None):
        super().__init__(parent)
        self.plots = plots
        self._count = 0
        self._layers: dict[str, LayerSeries] = {}
        self._colours: dict[str, tuple[int, int, int]] = {}

    def pin(self, history: TrainHistory, label: str) -> str:
        """Pin ``history``'s held-out series (its train series when nothing is held out).

        Returns the label used: ``label``, or ``label (2)``, ... when it is taken.
        """
        base, n = label, 2
        while label in self.labels():
            label, n = f"{base} ({n})", n + 1
        # the same colour for the same label in every session (unless a shown pin has it)
        colour = pin_colour_for(label, self._colours.values())
        self._colours[label] = colour
        self._count += 1
        x = history.series("step").copy()
        for plot in self.plots:
            train_field, held_field = plot.fields
            y = history.series(held_field)
            y = y if np.isfinite(y).any() else history.series(train_field)
            plot.add_pin(label, x, y.copy(), colour)
        self._layers[label] = history.layer_series(copy=True)
        self.sigChanged.emit()
        return label

    def layers(self, label: str) -> LayerSeries | None:
        """The per-layer series of pinned run ``label`` (None: no such pin)."""
        return self._layers.get(label)

    def remove(self, label: str) -> None:
        """Remove one pinned run (no-op when absent)."""
        for plot in self.plots:
            plot.remove_pin(label)
        self._colours.pop(label, None)
        if self._layers.pop(label, None) is not None:
            self.sigChanged.emit()

    def clear(self) -> None:
        """Remove every pinned run."""
        self.blockSignals(True)
        try:
            for label in self.labels():
                self.remove(label)
        finally:
            self.blockSignals(False)
        self.sigChanged.emit()

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
