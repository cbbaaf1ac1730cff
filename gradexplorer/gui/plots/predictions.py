"""A run's mean-field predictions on the dashboard's line plots: kept, drawn now or later.

The dashboard keeps the predictions of the run it shows here even while it draws nothing
(another tab is current), so drawing that run later draws them too, exactly as they came.
"""

from __future__ import annotations

import numpy as np


class Predictions:
    """The dashed predictions of ``plots`` (line plots with ``fields``, ``set_theory`` and
    ``fit_y``) for the current run: field -> (values, label), in the order they came."""

    def __init__(self, plots: list):
        self._plots = plots
        self.kept: dict[str, tuple[np.ndarray, str]] = {}

    def clear(self) -> None:
        """Forget them (a new run: its own predictions follow)."""
        self.kept = {}

    def keep(self, series: dict, label: str) -> list[str]:
        """Keep every ``field -> values`` of ``series`` that a plot draws (values None: remove
        it); return those fields."""
        fields = [f for f in series if any(f in plot.fields() for plot in self._plots)]
        for field in fields:
            self.kept.pop(field, None)
            if series[field] is not None:
                self.kept[field] = (series[field], label)
        return fields

    def draw(self, series: dict, label: str) -> list[str]:
        """Draw (or, values None, remove) each field's prediction; each plot fits its y range
        once. Returns the fields some plot draws."""
        return self._draw({field: (values, label) for field, values in series.items()})

    def draw_kept(self) -> list[str]:
        """Draw every kept prediction."""
        return self._draw(self.kept)

    def _draw(self, items: dict) -> list[str]:
        drawn, touched = [], []
        for field, (values, label) in items.items():
            for plot in self._plots:
                if plot.set_theory(field, values, label, fit=False):
                    drawn.append(field)
                    touched.append(plot)
                    break
        for plot in dict.fromkeys(touched):
            plot.fit_y()
        return drawn
