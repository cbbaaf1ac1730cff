"""The gradient heatmaps: this run's log10 ‖∂L/∂W_l‖ (step × layer) and a pinned run's below it.

:class:`GradientMap` is the picture of vanishing gradients over training: an image with
x = optimizer step, y = layer l and colour = log10 ‖∂L/∂W_l‖_F. :class:`GradientMaps` stacks the
current run's map and, while a run is pinned, the pinned run's map under it, with ONE colour bar
for both: the colour range covers both runs (or is the fixed range the user chose), so a colour
means the same gradient norm in either picture. Sigmoid's first layers at 10⁻¹² are then dark
beside ReLU's uniform colour instead of each run stretching its own range over the whole map.
"""

from __future__ import annotations

import numpy as np

from gradexplorer.gui.plots.style import (
    DEFAULT_FONT_POINTS,
    colormap,
    fit_label,
    pg,
    set_title,
    style_axis,
)
from gradexplorer.gui.train.history import LayerSeries, TrainHistory
from gradexplorer.gui.train.layers import style_plot

#: Colour bar label (the quantity and its scale).
BAR_LABEL = "log10 ‖∂L/∂W_l‖_F"
#: Its wording on a short bar (the title names the quantity): "log10 norm" shrank to ~9 pt
#: beside a 100-px bar at 1.6x, where "log10" keeps the tick labels' size.
BAR_SHORT = "log10"


def shared_levels(*maps: np.ndarray) -> tuple[float, float] | None:
    """(lowest, highest) finite value over ``maps`` (None: none is finite); a flat range is
    widened to ±0.5 so the colour bar stays readable."""
    finite = [m[np.isfinite(m)] for m in maps]
    finite = [f for f in finite if f.size]
    if not finite:
        return None
    lo = min(float(f.min()) for f in finite)
    hi = max(float(f.max()) for f in finite)
    return (lo - 0.5, hi + 0.5) if hi - lo < 1e-9 else (lo, hi)


class GradientMap:
    """Image of one run's log10 ‖∂L/∂W_l‖ (x = step, y = layer); the colour bar is shared.

    Parameters
    ----------
    plot : the PlotItem (placed in a layout).
    prefix : put before the hover readout ("pinned · " for the pinned map).
    """

    Y_LABEL = "layer l"

    def __init__(self, plot: pg.PlotItem, prefix: str = ""):
        self.plot, self.prefix = plot, prefix
        plot.hideButtons()
        plot.enableAutoRange(x=False, y=False)
        self.image = pg.ImageItem(axisOrder="col-major")
        plot.addItem(self.image)
        self.series: LayerSeries | None = None
        self.depth = 0
        self.title = ""
        self.x_label = "optimizer step"
        self._points: int | None = DEFAULT_FONT_POINTS
        plot.vb.sigResized.connect(self.fit_title)

    def set_font(self, points: int | None) -> None:
        self._points = points
        style_plot(self.plot, self.title, self.x_label, self.Y_LABEL, points)
        self.plot.getAxis("bottom").showLabel(bool(self.x_label))
        self.fit_title()

    def fit_title(self) -> None:
        """The title at the plot's type size: on two lines, or smaller, when the plot is narrow
        (:func:`~gradexplorer.gui.plots.style.set_title`; it was cut with "…" at 1.6x)."""
        set_title(self.plot, self.title, self._points or DEFAULT_FONT_POINTS)

    def set_depth(self, depth: int, tick_every_layer: int = 12) -> None:
        """y = layers 1..depth (every layer ticked when there are ``tick_every_layer`` or less)."""
        self.depth = depth
        self.plot.setYRange(0.5, depth + 0.5, padding=0.01)
        axis = self.plot.getAxis("left")
        if depth <= tick_every_layer:
            axis.setTickSpacing(major=1, minor=1)
        else:
            axis.setTickSpacing()

    def show(self, series: LayerSeries | None, levels: tuple[float, float] | None) -> None:
        """Draw ``series`` (None: nothing); column i spans the steps up to record i's step."""
        self.series = series
        if series is None or len(series) == 0 or levels is None:
            self.image.clear()
            return
        lo, hi = levels
        values = series.log10_grad_norm
        # −∞ (an exactly zero gradient) drawn as the lowest colour, +∞ as the highest.
        shown = np.where(values == -np.inf, lo, np.where(values == np.inf, hi, values))
        self.image.setImage(shown, autoLevels=False, levels=levels)
        self.image.setRect(pg.QtCore.QRectF(0.0, 0.5, float(series.steps[-1]), float(self.depth)))

    def image_data(self) -> np.ndarray:
        """The displayed values, shape (n_records, L)."""
        return self.series.log10_grad_norm if self.series is not None else np.empty((0, 0))

    def readout(self, scene_pos) -> str | None:
        """Hover text at ``scene_pos``: step, layer, log10 ‖∂L/∂W_l‖ and update ratio there."""
        s = self.series
        if (s is None or len(s) == 0 or not self.plot.isVisible()
                or not self.plot.vb.sceneBoundingRect().contains(scene_pos)):
            return None
        p = self.plot.vb.mapSceneToView(scene_pos)
        layer = int(round(p.y()))
        if not 1 <= layer <= self.depth or not 0 <= p.x() <= s.steps[-1]:
            return None
        i = min(int(np.searchsorted(s.steps, p.x())), len(s) - 1)  # column up to record i
        return (f"{self.prefix}step {int(s.steps[i])} · layer {layer} · log10 ‖∂L/∂W‖ = "
                f"{s.log10_grad_norm[i, layer - 1]:.2f} · update/weight log10 = "
                f"{s.log10_update_ratio[i, layer - 1]:.2f}")


class GradientMaps:
    """This run's heatmap, a pinned run's heatmap under it (while one is chosen), one colour bar.

    Parameters
    ----------
    layout : an empty GraphicsLayout (one cell of the view's layout).
    """

    TITLE = "Weight-gradient norm per layer over training"

    def __init__(self, layout: pg.GraphicsLayout):
        self.layout = layout
        layout.setContentsMargins(0, 0, 0, 0)
        layout.layout.setVerticalSpacing(0)  # the bar spans both rows: no gap below the first
        self.current = GradientMap(layout.addPlot(row=0, col=0))
        self.pinned = GradientMap(layout.addPlot(row=1, col=0), prefix="pinned · ")
        self.pinned.plot.setXLink(self.current.plot)
        self.pinned.plot.hide()
        layout.layout.removeItem(self.pinned.plot)  # in the grid only while a pin is shown
        self.colorbar = pg.ColorBarItem(values=(-1, 0), colorMap=colormap(), width=14,
                                        interactive=False)
        self.colorbar.setImageItem([self.current.image, self.pinned.image])
        layout.addItem(self.colorbar, row=0, col=1, rowspan=2)
        self.fixed: tuple[float, float] | None = None
        self.run_label = ""
        self.pin_label: str | None = None
        self._steps = 1
        self._levels: tuple[float, float] | None = None
        self._pin_extent = np.empty(0)
        self._points: int | None = DEFAULT_FONT_POINTS
        self._retitle()

    # --- what is shown ---------------------------------------------------------------------
    def begin(self, depth: int, steps: int, label: str) -> None:
        """Start a run of ``steps`` steps through ``depth`` layers, named ``label``."""
        self.run_label, self._steps = label, steps
        self.current.set_depth(depth, self._tick_every_layer())
        self.current.show(None, None)
        self._fit_x()
        self._retitle()

    def update(self, history: TrainHistory) -> None:
        """Show every record of the current run so far."""
        self.current.series = history.layer_series()
        self._redraw()

    def set_pinned(self, label: str | None, series: LayerSeries | None) -> None:
        """Show pinned run ``label`` (its ``series``) under the current map; None hides it."""
        shown = series is not None
        if shown != (self.pin_label is not None):  # a hidden item would keep its room
            grid, plot = self.layout.layout, self.pinned.plot
            if shown:
                grid.addItem(plot, 1, 0)
            else:
                grid.removeItem(plot)
            plot.setVisible(shown)
        self.pin_label = label if shown else None
        if series is not None:
            self.pinned.set_depth(series.depth, self._tick_every_layer())
        if self.current.depth:
            self.current.set_depth(self.current.depth, self._tick_every_layer())
        self.pinned.series = series
        # The pin's own finite range, found once (it is redrawn on every colour change).
        values = series.log10_grad_norm[np.isfinite(series.log10_grad_norm)] if shown else ()
        self._pin_extent = np.array([values.min(), values.max()]) if len(values) else np.empty(0)
        self._levels = None  # redraw the pin too
        self._fit_x()
        self._retitle()
        self._redraw()

    def _tick_every_layer(self) -> int:
        """Deepest network whose every layer is ticked (fewer when two maps share the cell)."""
        return 6 if self.pin_label is not None else 12

    def set_fixed(self, levels: tuple[float, float] | None) -> None:
        """Colour range (lowest, highest log10 ‖∂L/∂W_l‖) held fixed; None: fit both runs."""
        self.fixed = levels
        self._redraw()

    def levels(self) -> tuple[float, float] | None:
        """The colour range both maps use (None before anything is shown)."""
        return self._levels

    def _redraw(self) -> None:
        levels = self.fixed or shared_levels(self.current.image_data(), self._pin_extent)
        self.current.show(self.current.series, levels)
        if levels != self._levels:  # the pin is redrawn only when the colours change
            self.pinned.show(self.pinned.series, levels)
            self._levels = levels
            if levels is not None:
                self.colorbar.setLevels(levels)

    def _fit_x(self) -> None:
        """Both maps share x: 0 to the longer of the two runs."""
        last = self.pinned.series.steps[-1] if self.pin_label and len(self.pinned.series) else 0
        self.current.plot.setXRange(0, max(1, self._steps, float(last)), padding=0.02)

    # --- text ------------------------------------------------------------------------------
    def _retitle(self) -> None:
        pinned = self.pin_label is not None
        self.current.title = f"this run: {self.run_label}" if pinned else self.TITLE
        self.current.x_label = "" if pinned else "optimizer step"
        self.pinned.title = f"pinned: {self.pin_label}" if pinned else ""
        self.set_font(self._points)

    def set_font(self, points: int | None) -> None:
        self._points = points
        for m in (self.current, self.pinned):
            m.set_font(points)
        axis = self.colorbar.axis
        style_axis(axis, points)
        axis.setWidth(None)
        fit_label(axis, BAR_LABEL, points, BAR_SHORT)
        # The bar spans the maps' images only: a blank title as tall as theirs above it, its
        # bottom frame as tall as the lowest map's step axis (ticks and label) below it.
        set_title(self.colorbar, " ", points)
        lowest = self.pinned if self.pin_label is not None else self.current
        self.colorbar.getAxis("bottom").setHeight(lowest.plot.getAxis("bottom").maximumHeight())

    def readout(self, scene_pos) -> str | None:
        """Hover text over either map (None: over neither)."""
        return self.current.readout(scene_pos) or self.pinned.readout(scene_pos)
