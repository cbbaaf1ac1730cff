"""The Train tab's plots in one exportable GraphicsLayout::

    verdict (big) / what is trained (small)
    legend (this run's curves and the pins) / hover readout (step, layer, values under the
        mouse on a heatmap), in one row: the legend hides while a readout shows
    loss vs step (train, held-out, chance)   | accuracy vs step
    log10 ‖∂L/∂W_l‖ heatmap (step × layer)   | update/weight ratio of a few layers (10⁻³ guide)
    [the chosen pin's heatmap, same colours] |   [the pin's ratios dashed]

:class:`TrainPlots` creates the items once; each run calls :meth:`~TrainPlots.begin` once and
:meth:`~TrainPlots.update` per redraw.
"""

from __future__ import annotations

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.training.trainer import TrainStart
from gradexplorer.gui.plots.style import follow_scale, pg, shrinkable
from gradexplorer.gui.train.controls import chance_loss, summary
from gradexplorer.gui.train.curves import StepCurves
from gradexplorer.gui.train.headline import TrainHeadline
from gradexplorer.gui.train.heatmap import GradientMaps
from gradexplorer.gui.train.history import TrainHistory
from gradexplorer.gui.train.layers import UpdateRatioPlot

#: Entries per row of the legend above the loss and accuracy plots.
LEGEND_COLUMNS = 3


#: Row stretch of the loss/accuracy plots and of the heatmap row.
CURVES_STRETCH, MAPS_STRETCH = 4, 5
#: What a short view adds to the curves' stretch (their titles and labels need less than the
#: heatmaps' two-line titles, so they otherwise got ~60 px).
SHORT_EXTRA = 3

#: Below this many pixels per point of type, the plots' layout is "short" (_fit_height).
SHORT_POINTS = 34


class _Overlay(pg.GraphicsWidget):
    """One layout cell holding ``items`` on top of each other (Qt's grid layouts take one
    item a cell): each is placed at the cell's top left, the readout label as wide as the
    cell; the cell is as tall as the tallest item."""

    def __init__(self, *items: pg.GraphicsWidget):
        super().__init__()
        self._items = items
        for item in items:
            item.setParentItem(self)
            item.geometryChanged.connect(self._fit)
        self._fit()

    def _fit(self) -> None:
        height = max(item.preferredHeight() if isinstance(item, pg.LabelItem)
                     else item.boundingRect().height() for item in self._items)
        if abs(height - self.preferredHeight()) > 0.5:
            self.setPreferredHeight(height)
            self.setMinimumHeight(height)
            self.setMaximumHeight(height)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        for item in self._items:
            if isinstance(item, pg.LabelItem):
                item.setGeometry(0, 0, self.width(), item.preferredHeight())
            else:
                item.setPos(0, 0)


class TrainPlots:
    """Headline, legend, loss, accuracy, heatmaps, update ratios and hover readout.

    Parameters
    ----------
    ci : the GraphicsLayoutWidget's central layout (rows 0-5 are used).
    """

    def __init__(self, ci: pg.GraphicsLayout):
        ci.setContentsMargins(6, 4, 6, 4)
        self.layout = ci
        self.headline = TrainHeadline(ci, row=0, colspan=2)
        self.legend = pg.LegendItem(colCount=LEGEND_COLUMNS, brush=None, pen=None)
        self.legend.layout.setContentsMargins(0, 0, 0, 0)
        self.readout = shrinkable(pg.LabelItem("", justify="left", color="#cccccc"))
        # the hover readout shares the legend's row (a row of its own took ~30 px from the
        # plots at 1.6x on 1280x720): while it shows, the legend steps aside
        ci.addItem(_Overlay(self.legend, self.readout), row=2, col=0, colspan=2)
        self.loss = StepCurves(ci.addPlot(row=3, col=0), "Loss (cross-entropy)", "loss (nats)",
                               ("train_loss", "test_loss"), legend=self.legend)
        self.accuracy = StepCurves(ci.addPlot(row=3, col=1), "Accuracy", "accuracy (%)",
                                   ("train_accuracy", "test_accuracy"), scale=100.0,
                                   y_range=(0.0, 100.0))
        self.grad_map = GradientMaps(ci.addLayout(row=4, col=0))
        self.ratio = UpdateRatioPlot(ci.addPlot(row=4, col=1))
        for row, stretch in ((0, 0), (1, 0), (2, 0), (3, CURVES_STRETCH), (4, MAPS_STRETCH)):
            ci.layout.setRowStretchFactor(row, stretch)
        for col in range(2):
            ci.layout.setColumnStretchFactor(col, 1)
        self._curves_stretch = CURVES_STRETCH
        ci.gx_fit_rows = self._fit_rows  # for the pin comparison (compare.py)
        ci.geometryChanged.connect(self._fit_height)
        follow_scale(self.set_font)  # the presentation scale drives every font

    def steps_plots(self) -> tuple:
        """The plots that draw the run against the step."""
        return self.loss, self.accuracy, self.grad_map, self.ratio

    def begin(self, start: TrainStart) -> None:
        """A run starts: empty plots sized for its steps and layers, its guides, its name."""
        depth, steps = len(start.widths) - 1, int(start.config["steps"])
        ce = start.classification and start.config["loss"] == "cross_entropy"
        c = start.n_outputs
        self.loss.begin(steps, chance_loss(c) if ce else None, f"chance: ln {c} = "
                                                               f"{chance_loss(c):.2f}")
        self.accuracy.begin(steps, 1 / c if start.classification else None, f"chance: 1/{c}")
        label = summary(NetworkSpec.from_dict(start.network))
        self.grad_map.begin(depth, steps, label)
        self.ratio.begin(depth, steps)
        self.headline.show_start(start, label)

    def update(self, history: TrainHistory) -> None:
        """Draw every record of ``history`` so far."""
        for plot in self.steps_plots():
            plot.update(history)

    def hover(self, scene_pos) -> None:
        """Write what the heatmap shows under the mouse at ``scene_pos`` (nothing: blank)."""
        text = self.grad_map.readout(scene_pos) or ""
        if text != self.readout.text:
            self.readout.setText(text)
            self.legend.setVisible(not text)

    def set_font(self, points: int) -> None:
        """Font size of the ticks, labels, titles, legend and headline, in points."""
        self._points = points
        for plot in self.steps_plots():
            plot.set_font(points)
        self.headline.set_font(points)
        self._fit_height()

    def _fit_height(self) -> None:
        """In a short view (large type on a small screen) the loss and accuracy plots drop their
        "optimizer step" label (the plots under them, same x, keep theirs): their data keeps
        room. Judged by the whole layout's height, so hiding a label never flips it back."""
        points = getattr(self, "_points", None) or 10
        short = self.layout.geometry().height() < SHORT_POINTS * points
        for curves in (self.loss, self.accuracy):
            curves.plot.getAxis("bottom").showLabel(not short)
        self._fit_rows(None)

    def _fit_rows(self, curves_stretch: int | None) -> None:
        """Row stretch of the loss/accuracy plots: ``curves_stretch`` (None: as before; the
        pin comparison lowers it while a pinned heatmap shows), ``SHORT_EXTRA`` more in a
        short view (1.6x on 1280x720)."""
        if curves_stretch is not None:
            self._curves_stretch = curves_stretch
        points = getattr(self, "_points", None) or 10
        short = self.layout.geometry().height() < SHORT_POINTS * points
        stretch = self._curves_stretch + SHORT_EXTRA if short else self._curves_stretch
        self.layout.layout.setRowStretchFactor(3, stretch)
