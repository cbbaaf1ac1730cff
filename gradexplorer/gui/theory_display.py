"""Mean-field theory beside the measured curves: dashed predictions, a View toggle, a tooltip.

The engine streams one :class:`~gradexplorer.engine.runs.records.TheoryLayers` per run (computed by
:func:`gradexplorer.engine.theory.run_prediction.run_prediction` on the worker thread, right
after layer L's gradient). The window hands it to :meth:`TheoryDisplay.show`, which draws every
predicted field some dashboard plot shows through the public ``Dashboard.set_theories``. Hovering a
layer on the gradient or activation plot puts measured vs predicted values, their distance in
decades and the theory's assumptions in the plot area's tooltip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QCursor
from PySide6.QtWidgets import QToolTip

from gradexplorer.engine.runs.records import TheoryLayers
from gradexplorer.gui.plots.style import format_value

if TYPE_CHECKING:
    from gradexplorer.gui.main_window import MainWindow

#: QSettings key of the View-menu toggle.
SETTINGS_KEY = "view/show_theory"
#: Rows of the hover tooltip: (name, log10 record field, shown as log10?).
HOVER_ROWS = (("RMS of ∂L/∂h", "log10_grad_preact_rms"), ("std of a", "log10_act_std"))
#: Legend entry of the dashed curves (the tooltip states the assumptions in full).
LEGEND_LABEL = "mean-field theory (wide net, Gaussian W)"


class TheoryDisplay(QObject):
    """Routes a run's :class:`TheoryLayers` to the dashboard and owns "Show theory (dashed)".

    Parameters
    ----------
    window : MainWindow
        Provides ``dashboard``, ``settings`` and the menu bar (its View menu gets the toggle).
    """

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.dashboard = window.dashboard
        self._theory: TheoryLayers | None = None
        self._start = None  # the RunStart the dashboard showed when the predictions came
        self._drawn: list[str] = []
        self.action = QAction("Show theory (dashed)", window)
        self.action.setCheckable(True)
        self.action.setToolTip("Draw the mean-field prediction of each measured curve, dashed.")
        stored = stored_bool(window.settings.value(SETTINGS_KEY, True))
        self.action.setChecked(True if stored is None else stored)  # damaged: the default
        self.action.toggled.connect(self.set_visible)
        menu = next((a.menu() for a in window.menuBar().actions()
                     if a.menu() is not None and a.text().replace("&", "") == "View"), None)
        (menu or window.menuBar().addMenu("&View")).addAction(self.action)
        view = getattr(self.dashboard, "view", None)
        if view is not None:
            view.scene().sigMouseMoved.connect(self._on_mouse_moved)

    # --- the predictions ----------------------------------------------------------------------
    def show(self, theory: TheoryLayers) -> None:
        """Keep ``theory`` (for the run the dashboard shows now) and draw it if the toggle is on."""
        result = self.dashboard.result()
        self._start = result.start if result is not None else None
        self._theory = theory
        self._drawn = []
        if self.action.isChecked():
            self._draw()

    def is_visible(self) -> bool:
        """Whether predictions are drawn (the View-menu toggle)."""
        return self.action.isChecked()

    def set_visible(self, on: bool) -> None:
        """Draw (True) or remove (False) the dashed curves; remembered in QSettings."""
        if self.action.isChecked() != bool(on):
            self.action.setChecked(bool(on))  # re-enters through toggled
            return
        self.window.settings.setValue(SETTINGS_KEY, bool(on))
        if on:
            self._draw()
        else:
            for field in self._drawn:
                self.dashboard.set_theory(field, None)
            self._drawn = []

    def theory(self) -> TheoryLayers | None:
        """This run's predictions (None before they arrived)."""
        return self._theory

    def drawn_fields(self) -> list[str]:
        """The record fields whose predictions are drawn now."""
        return list(self._drawn)

    def _draw(self) -> None:
        if self._theory is None or not self._current():
            return
        # fields no plot draws (e.g. q_l) are skipped; each plot fits its range once
        self._drawn = self.dashboard.set_theories(self._theory.series(), LEGEND_LABEL)

    def _current(self) -> bool:
        """Whether the kept predictions belong to the run the dashboard shows."""
        result = self.dashboard.result()
        return result is not None and self._start is not None and result.start is self._start

    # --- hover --------------------------------------------------------------------------------
    def hover_text(self, layer: int) -> str:
        """Measured vs predicted at ``layer`` (1-based), deviation in decades, assumptions.

        "" before the predictions arrived or while they are hidden.
        """
        th, result = self._theory, self.dashboard.result()
        if th is None or not self.is_visible() or result is None or not self._current():
            return ""
        if not 1 <= layer <= th.anchor_layer:
            return ""
        lines = [f"layer {layer}: measured vs mean-field prediction"]
        for name, field in HOVER_ROWS:
            measured = float(result.series(field)[layer - 1])
            predicted = float(getattr(th, field)[layer - 1])
            line = (f"{name}: measured {format_value(measured, True)}, "
                    f"predicted {format_value(predicted, True)}")
            if np.isfinite(measured) and np.isfinite(predicted):
                line += f" ({measured - predicted:+.2f} decades)"
            lines.append(line)
        if layer == th.anchor_layer:
            lines.append("(the gradient prediction is anchored at this layer's measurement)")
        lines.append("")
        lines.append(th.assumptions)
        return "\n".join(lines)

    def _on_mouse_moved(self, scene_pos) -> None:
        layer = None
        for panel in (self.dashboard.gradient, self.dashboard.activation):
            if panel.contains(scene_pos):
                layer = panel.layer_at(scene_pos)
                break
        text = self.hover_text(layer) if layer is not None else ""
        view = self.dashboard.view
        if text != view.toolTip():
            view.setToolTip(text)
            if QToolTip.isVisible():
                QToolTip.showText(QCursor.pos(), text, view)


def stored_bool(value) -> bool | None:
    """A stored toggle: a bool, or from an INI file "true"/"false" (also 1/0); None if damaged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "1": True, "false": False, "0": False}.get(value.strip().lower())
    return None
