"""The pinned run drawn beside the current one: its heatmap under this run's, its ratios dashed.

:class:`PinComparison` ties the pins (:class:`~.pins.TrainPins`), the pin combo and the colour
range of the controls (:class:`~.controls.TrainControls`) to the heatmaps
(:class:`~.heatmap.GradientMaps`) and the update-ratio plot: a new pin is shown at once, removing
the shown pin shows the newest one left, and clearing the pins hides the pinned panel.
"""

from __future__ import annotations

from gradexplorer.gui.plots.style import pg
from gradexplorer.gui.train.controls import TrainControls
from gradexplorer.gui.train.heatmap import GradientMaps
from gradexplorer.gui.train.layers import UpdateRatioPlot
from gradexplorer.gui.train.pins import TrainPins

#: Row stretch of the loss/accuracy row without and with a pinned heatmap (the maps' row is 5).
CURVES_STRETCH = (4, 3)


class PinComparison:
    """Show a chosen pin's layers beside the current run's.

    Parameters
    ----------
    pins, controls, maps, ratio : the Train tab's pins, controls, heatmaps and ratio plot.
    layout : the view's GraphicsLayout; its row 3 (loss, accuracy) gives room to the maps.
    """

    def __init__(self, pins: TrainPins, controls: TrainControls, maps: GradientMaps,
                 ratio: UpdateRatioPlot, layout: pg.GraphicsLayout):
        self.pins, self.controls, self.maps, self.ratio = pins, controls, maps, ratio
        self.layout = layout
        self.shown: str | None = None
        self._known: list[str] = []
        pins.sigChanged.connect(self._pins_changed)
        controls.pin_choice.currentTextChanged.connect(self.show)
        for signal in (controls.fixed_range.toggled, controls.range_lo.valueChanged,
                       controls.range_hi.valueChanged):
            signal.connect(self._colour_range_changed)

    def show(self, label: str | None) -> None:
        """Draw pin ``label``'s heatmap and dashed ratios (None or an unknown label: hide)."""
        series = self.pins.layers(label) if label else None
        self.shown = label if series is not None else None
        self.maps.set_pinned(self.shown, series)
        self.ratio.set_pinned(series)
        stretch = CURVES_STRETCH[series is not None]
        fit_rows = getattr(self.layout, "gx_fit_rows", None)  # TrainPlots: short views differ
        if fit_rows is not None:
            fit_rows(stretch)
        else:
            self.layout.layout.setRowStretchFactor(3, stretch)
        self.controls.set_pins(self.pins.labels(), self.shown)

    def _pins_changed(self) -> None:
        labels = self.pins.labels()
        new = [t for t in labels if t not in self._known]
        self._known = labels
        keep = self.shown if self.shown in labels else None
        self.show(new[-1] if new else keep or (labels[-1] if labels else None))

    def _colour_range_changed(self) -> None:
        self.maps.set_fixed(self.controls.colour_range())
