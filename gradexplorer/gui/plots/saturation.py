"""Fraction of saturated units per layer (where φ'(h) is below the activation's threshold)."""

from __future__ import annotations

from gradexplorer.gui.plots.layer_plot import CurveSpec, LayerPlot
from gradexplorer.gui.plots.style import pg

CURVES = [CurveSpec("saturated", "saturated_fraction", "saturated fraction")]


class SaturationPlot(LayerPlot):
    """Saturated fraction of a_l's entries (0..1, fixed y range) against layer l."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot, "Saturated units", "fraction with φ' below 10 % of its max", CURVES,
                         y_short="fraction")  # the title says of what
        plot.enableAutoRange(y=False)
        plot.setYRange(0, 1, padding=0.03)
        self._range = plot.vb.viewRange()[1]

    def set_depth(self, depth: int) -> None:
        super().set_depth(depth)
        if self.plot.vb.viewRange()[1] != self._range:
            self.plot.setYRange(0, 1, padding=0.03)
            self._range = self.plot.vb.viewRange()[1]

    def fit_y(self) -> None:
        """The range is fixed at 0..1 (a fraction)."""
