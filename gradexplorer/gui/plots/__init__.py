"""Plot panels of the dashboard, one module per panel; each copies numbers into pyqtgraph items.

``style`` binds pyqtgraph to PySide6 and holds colours, pens and font helpers.
"""

from gradexplorer.gui.plots.activation import ActivationPlot
from gradexplorer.gui.plots.gradient import GradientPlot
from gradexplorer.gui.plots.heatmap import HeatmapPlot
from gradexplorer.gui.plots.layer_detail import LayerDetail
from gradexplorer.gui.plots.layer_plot import CurveSpec, LayerPlot
from gradexplorer.gui.plots.panel import LayerPanel
from gradexplorer.gui.plots.saturation import SaturationPlot
from gradexplorer.gui.plots.stack import HistogramStack, stack_histograms
from gradexplorer.gui.plots.style import pg

__all__ = [
    "ActivationPlot", "CurveSpec", "GradientPlot", "HeatmapPlot", "HistogramStack", "LayerDetail",
    "LayerPanel", "LayerPlot", "SaturationPlot", "pg", "stack_histograms",
]
