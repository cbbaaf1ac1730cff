"""The Layers dashboard's grid: which panel sits where, and how the rows and columns share room.

Layout (4 columns)::

    verdict in plain words (big)
    the run's configuration (small)
    gradient size (headline, 2 cols)        | activation mean/std | saturated fraction
    gradient heatmap | activation heatmap   | selected layer: h | a | ∂L/∂h histograms
    hover readout
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gradexplorer.gui.plots import (
    ActivationPlot,
    GradientPlot,
    HeatmapPlot,
    LayerDetail,
    SaturationPlot,
)
from gradexplorer.gui.plots.headline import Headline
from gradexplorer.gui.plots.style import shrinkable


@dataclass
class DashboardGrid:
    """The panels of one dashboard, as :func:`build_grid` placed them."""

    headline: Headline
    gradient: GradientPlot
    activation: ActivationPlot
    saturation: SaturationPlot
    grad_heatmap: HeatmapPlot
    act_heatmap: HeatmapPlot
    detail: LayerDetail
    readout: Any  # the hover readout's LabelItem


def build_grid(ci: Any) -> DashboardGrid:
    """Place every panel in ``ci`` (a GraphicsLayoutWidget's central GraphicsLayout)."""
    ci.setContentsMargins(6, 4, 6, 4)
    grid = DashboardGrid(
        headline=Headline(ci, row=0, colspan=4),
        gradient=GradientPlot(ci.addPlot(row=2, col=0, colspan=2)),
        activation=ActivationPlot(ci.addPlot(row=2, col=2)),
        saturation=SaturationPlot(ci.addPlot(row=2, col=3)),
        grad_heatmap=HeatmapPlot(ci.addPlot(row=3, col=0), "Gradient distribution", "grad_hist",
                                 "∂L/∂h", "log10 |value|", "Gradients"),
        act_heatmap=HeatmapPlot(ci.addPlot(row=3, col=1), "Activation distribution", "act_hist",
                                "a", "value", "Activations"),
        detail=LayerDetail(ci.addLayout(row=3, col=2, colspan=2)),
        readout=shrinkable(ci.addLabel("", row=4, col=0, colspan=4, justify="left",
                                       color="#cccccc")),
    )
    for row, stretch in ((0, 0), (1, 0), (2, 5), (3, 5), (4, 0)):
        ci.layout.setRowStretchFactor(row, stretch)
    for col in range(4):
        ci.layout.setColumnStretchFactor(col, 1)
    return grid
