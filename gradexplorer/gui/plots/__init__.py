"""Plot panels of the dashboard, one module per panel; each copies numbers into pyqtgraph items.

``style`` binds pyqtgraph to PySide6 and holds colours, pens and font helpers.
"""

from .activation import ActivationPlot
from .gradient import GradientPlot
from .heatmap import HeatmapPlot
from .layer_detail import LayerDetail
from .layer_plot import CurveSpec, LayerPlot
from .panel import LayerPanel
from .saturation import SaturationPlot
from .stack import HistogramStack, stack_histograms
from .style import pg

__all__ = [
    "ActivationPlot", "CurveSpec", "GradientPlot", "HeatmapPlot", "HistogramStack", "LayerDetail",
    "LayerPanel", "LayerPlot", "SaturationPlot", "pg", "stack_histograms",
]
