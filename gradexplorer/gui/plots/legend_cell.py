"""Where a plot's legend sits: in its own row under the data, or (a wide, short panel) in a
column right of it. Follows the panel's size and type, never a run."""

from __future__ import annotations

from gradexplorer.gui.plots.style import DEFAULT_FONT_POINTS, _fit_legend_columns, pg

#: The legend under the plot: at most this many columns, and rows when the panel is short.
LEGEND_COLUMNS, LEGEND_ROWS = 4, 2
#: The legend moves beside the plot when under it the data would get fewer pixels than this.
BESIDE_BELOW_PX = 120
#: Pixels per point of type that title, x axis and a two-row legend take under the data.
UNDER_PX_PER_POINT = 10.5
#: Share of the panel's width the legend takes beside the plot.
BESIDE_SHARE = 0.45


class _Column:
    """Stands in for the plot whose width a legend fits (its own column's width, pixels)."""

    def __init__(self, px: int):
        self.px = px

    def width(self) -> int:
        return self.px


class LegendCell:
    """Places ``legend`` (an :func:`~.style.outside_legend` of ``plot``) under or beside it."""

    def __init__(self, plot: pg.PlotItem, legend: pg.LegendItem):
        self.plot, self.legend = plot, legend
        self.beside = False  # in a column right of the plot (wide, short panels)
        self.points: int | None = None
        plot.geometryChanged.connect(self.place)

    def place(self, points: int | None = None) -> None:
        """The legend under the plot (two rows at most), or in a column right of it when the
        panel is wide and short: at 1.6x on 1280x720 even two rows under it left the data
        ~85 px and the y label 9 pt. Follows the panel's size and type, never a run."""
        if points is not None:
            self.points = points
        plot, legend = self.plot, self.legend
        if plot.width() < 60:
            return
        points = self.points or DEFAULT_FONT_POINTS
        # title, x axis with its label and a two-row legend under it take about 10.5 px per
        # point of type (169 px at 16 pt); a margin keeps the choice from flickering
        data_under = plot.height() - UNDER_PX_PER_POINT * points
        margin = 20 if self.beside else 0
        beside = data_under < BESIDE_BELOW_PX + margin and plot.width() > 1.4 * plot.height()
        layout = plot.layout
        if beside != self.beside:
            self.beside = beside
            layout.removeItem(legend)
            if beside:
                layout.addItem(legend, 2, 3)  # right of the (hidden) right axis, col 2
                layout.setAlignment(legend, pg.QtCore.Qt.AlignmentFlag.AlignVCenter)
                layout.setColumnSpacing(2, points)  # a gap between the data and the legend
            else:
                layout.addItem(legend, 4, 1)
                layout.setColumnFixedWidth(3, 0)
                layout.setColumnSpacing(2, 0)
            legend._gx_columns = 1 if beside else LEGEND_COLUMNS
            legend._gx_rows = len(legend.items) + 99 if beside else LEGEND_ROWS  # any rows
            legend._gx_width_of = legend._gx_under  # beside: a column of its own (below)
            legend._gx_fit = None
            if not beside:
                _fit_legend_columns(legend._gx_under, legend, LEGEND_COLUMNS)
        if not beside:
            return  # the legend follows the plot's width by itself (fitted_legend)
        width = int(BESIDE_SHARE * plot.width())
        if getattr(legend._gx_width_of, "px", None) == width:
            return  # nothing changed: no re-layout (updateSize moves the legend to 0, 0)
        legend._gx_width_of = _Column(width)
        layout.setColumnFixedWidth(3, width)
        legend._gx_fit = None
        _fit_legend_columns(legend._gx_width_of, legend, legend._gx_columns)
