"""Per-layer training signals over time: the gradient-norm heatmap and the update/weight ratios.

:class:`GradientMap` is the picture of vanishing gradients over training: an image with
x = optimizer step, y = layer l and colour = log10 ‖∂L/∂W_l‖_F, with a labelled colour bar.
:class:`UpdateRatioPlot` draws log10(std ΔW_l / std W_l) of a few layers (1, …, L, coloured
from dark to bright by depth) against the step, with the ≈ 10⁻³ guide of a healthy step.
"""

from __future__ import annotations

import numpy as np

from ..plots.style import (
    DEFAULT_FONT_POINTS,
    colormap,
    label_style,
    pg,
    set_axis_label,
    set_title,
    style_axis,
)
from .curves import HEALTHY_COLOUR, guide_line
from .history import TrainHistory

#: Most layers drawn as update-ratio curves (evenly spaced, first and last included).
MAX_RATIO_CURVES = 6
#: log10 of the update/weight ratio of a healthy step (Karpathy, "CS231n: babysitting learning").
HEALTHY_LOG10_RATIO = -3.0


def _style(plot: pg.PlotItem, title: str, x_label: str, y_label: str, points) -> None:
    for side in ("left", "bottom"):
        style_axis(plot.getAxis(side), points)
    set_axis_label(plot, "bottom", x_label, points)
    set_axis_label(plot, "left", y_label, points)
    set_title(plot, title, points)


class GradientMap:
    """Image of log10 ‖∂L/∂W_l‖ (x = step, y = layer) with a colour bar.

    Parameters
    ----------
    plot : the PlotItem (placed in a layout).
    """

    TITLE = "Weight-gradient norm per layer over training"
    Y_LABEL = "layer l"
    BAR_LABEL = "log10 ‖∂L/∂W_l‖ (Frobenius)"

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        plot.hideButtons()
        self.image = pg.ImageItem(axisOrder="col-major")
        plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(values=(-1, 0), colorMap=colormap(), width=14,
                                        interactive=False)
        self.colorbar.setImageItem(self.image, insert_in=plot)
        self._data = np.empty((0, 0))
        self.depth = 0
        self.set_font(DEFAULT_FONT_POINTS)

    def set_font(self, points: int | None) -> None:
        _style(self.plot, self.TITLE, "optimizer step", self.Y_LABEL, points)
        axis = self.colorbar.axis
        style_axis(axis, points)
        axis.setWidth(None)
        axis.setLabel(self.BAR_LABEL, **label_style(axis, points))

    def begin(self, depth: int, steps: int) -> None:
        """Start a run: empty image, x = 0..steps, y = layers 1..depth."""
        self.depth = depth
        self._data = np.empty((0, depth))
        self.image.clear()
        self.plot.enableAutoRange(x=False, y=False)
        self.plot.setXRange(0, max(1, steps), padding=0.02)
        self.plot.setYRange(0.5, depth + 0.5, padding=0.01)
        axis = self.plot.getAxis("left")
        if depth <= 12:
            axis.setTickSpacing(major=1, minor=1)
        else:
            axis.setTickSpacing()

    def update(self, history: TrainHistory) -> None:
        """Show every record so far: column i spans the steps up to record i's step."""
        values = history.layers("log10_grad_norm")
        self._data = values
        finite = values[np.isfinite(values)]
        if values.shape[0] == 0 or finite.size == 0:
            self.image.clear()
            return
        lo, hi = float(finite.min()), float(finite.max())
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        # −∞ (an exactly zero gradient) drawn as the lowest colour, +∞ as the highest.
        shown = np.where(values == -np.inf, lo, np.where(values == np.inf, hi, values))
        self.image.setImage(shown.copy(), autoLevels=False, levels=(lo, hi))
        last = float(history.last_step())
        self.image.setRect(pg.QtCore.QRectF(0.0, 0.5, last, float(self.depth)))
        self.colorbar.setLevels((lo, hi))

    def image_data(self) -> np.ndarray:
        """The displayed values, shape (n_records, L)."""
        return self._data

    def readout(self, scene_pos, history: TrainHistory) -> str | None:
        """Hover text at ``scene_pos``: step, layer and log10 ‖∂L/∂W_l‖ there (None: outside)."""
        if not self.plot.vb.sceneBoundingRect().contains(scene_pos) or len(history) == 0:
            return None
        p = self.plot.vb.mapSceneToView(scene_pos)
        steps = history.series("step")
        layer = int(round(p.y()))
        if not 1 <= layer <= self.depth or not 0 <= p.x() <= steps[-1]:
            return None
        i = min(int(np.searchsorted(steps, p.x())), steps.size - 1)  # column up to record i
        v = self._data[i, layer - 1] if i < self._data.shape[0] else np.nan
        return (f"step {int(steps[i])} · layer {layer} · log10 ‖∂L/∂W‖ = {v:.2f} · "
                f"update/weight log10 = {history.layers('log10_update_ratio')[i, layer - 1]:.2f}")


class UpdateRatioPlot:
    """log10 update/weight ratio of up to :data:`MAX_RATIO_CURVES` layers against the step.

    Each curve's colour is its layer on the colour bar beside the plot (dark = first layer,
    bright = last), so no legend covers the curves; the title names the layers drawn.

    Parameters
    ----------
    plot : the PlotItem (placed in a layout).
    """

    TITLE = "Update / weight ratio per step"
    Y_LABEL = "update/weight ratio (log10)"
    BAR_LABEL = "layer l (curve colour)"

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        plot.hideButtons()
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setDownsampling(auto=True, mode="peak")  # long runs: ≤ ~1 point per pixel
        plot.setClipToView(True)
        self.cmap = layer_colormap()
        self.colorbar = pg.ColorBarItem(values=(1, 2), colorMap=self.cmap, width=14,
                                        interactive=False)
        plot.layout.addItem(self.colorbar, 2, 5)  # as ColorBarItem(insert_in=plot) does
        plot.layout.setColumnFixedWidth(4, 5)
        self.guide = guide_line(plot, "≈ 10⁻³: healthy (Karpathy)", HEALTHY_COLOUR)
        self.guide.setValue(HEALTHY_LOG10_RATIO)
        self.guide.setZValue(15)  # its label above the curves
        self.curves: list[pg.PlotDataItem] = []
        self.layers: list[int] = []
        self._points: int | None = DEFAULT_FONT_POINTS
        self.set_font(DEFAULT_FONT_POINTS)

    def title(self) -> str:
        if not self.layers:
            return self.TITLE
        return f"{self.TITLE} · layers {', '.join(map(str, self.layers))}"

    def set_font(self, points: int | None) -> None:
        self._points = points
        _style(self.plot, self.title(), "optimizer step", self.Y_LABEL, points)
        axis = self.colorbar.axis
        style_axis(axis, points)
        axis.setWidth(None)
        axis.setLabel(self.BAR_LABEL, **label_style(axis, points))

    def begin(self, depth: int, steps: int) -> None:
        """Start a run: one curve per shown layer (created here, then only ``setData``)."""
        for item in self.curves:
            self.plot.removeItem(item)
        self.layers = shown_layers(depth)
        self.curves = []
        for layer in self.layers:
            t = (layer - 1) / (depth - 1) if depth > 1 else 1.0
            item = self.plot.plot(pen=pg.mkPen(self.cmap.map(t, mode="qcolor"), width=2),
                                  connect="finite")
            item.setZValue(10)
            self.curves.append(item)
        self.colorbar.setLevels((1, max(depth, 2)))
        set_title(self.plot, self.title(), self._points)
        self.plot.enableAutoRange(x=False)
        self.plot.setXRange(0, max(1, steps), padding=0.02)
        self.plot.enableAutoRange(y=False)
        self._fit_y(np.empty(0))

    def update(self, history: TrainHistory) -> None:
        x = history.series("step")
        ratios = history.layers("log10_update_ratio")
        for item, layer in zip(self.curves, self.layers, strict=True):
            item.setData(x, ratios[:, layer - 1], connect="finite")
        shown = ratios[:, [layer - 1 for layer in self.layers]] if self.layers else ratios
        self._fit_y(shown[np.isfinite(shown)])

    def _fit_y(self, values: np.ndarray) -> None:
        """y range: the curves and the 10⁻³ guide, with room above for the guide's label."""
        lo = min(float(values.min()) if values.size else HEALTHY_LOG10_RATIO, HEALTHY_LOG10_RATIO)
        hi = max(float(values.max()) if values.size else HEALTHY_LOG10_RATIO, HEALTHY_LOG10_RATIO)
        span = hi - lo
        self.plot.setYRange(lo - max(0.2, 0.04 * span), hi + max(0.4, 0.12 * span), padding=0.0)


def layer_colormap() -> pg.ColorMap:
    """The dashboard's colour map without its darkest sixth (unreadable on black)."""
    return colormap().getSubset(0.15, 0.85)


def shown_layers(depth: int) -> list[int]:
    """Up to :data:`MAX_RATIO_CURVES` layers, evenly spaced from 1 to ``depth``."""
    if depth < 1:
        return []
    picks = np.round(np.linspace(1, depth, min(depth, MAX_RATIO_CURVES))).astype(int)
    return sorted({int(p) for p in picks})
