"""The headline panel: log10 of the gradient's size per layer, where vanishing shows."""

from __future__ import annotations

from gradexplorer.gui.plots.layer_plot import CurveSpec, LayerPlot
from gradexplorer.gui.plots.style import pg

CURVES = [
    CurveSpec("grad", "log10_grad_preact_rms", "RMS of ∂L/∂h", log10=True),
    CurveSpec("weight", "log10_grad_weight_norm", "‖∂L/∂W‖<sub>F</sub>", log10=True),
]


class GradientPlot(LayerPlot):
    """log10 RMS of ∂L/∂h_l and log10 ‖∂L/∂W_l‖_F against layer l; its legend lists the pins."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot, "Gradient size per layer",
                         "gradient size (log10)", CURVES, legend=True)
