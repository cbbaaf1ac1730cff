"""The dashboard: every plot panel of one run in a single exportable GraphicsLayoutWidget
(laid out by :mod:`gradexplorer.gui.dashboard_grid`).

The window feeds records (:meth:`Dashboard.add_records`, batched at ≤ 60 Hz); the dashboard
stores them in a :class:`~gradexplorer.engine.runs.result.RunResult` and copies numbers into the
plots with ``setData``. It computes nothing beyond display.

Only the panels a batch touches are redrawn: forward records the activation, saturation and
activation-heatmap panels, backward records the gradient panels. The heatmaps, the costliest,
are redrawn at ≤ 4 Hz while a run streams, on a timer of their own (``plots.pacing``), and
at once, exactly, when their pass is complete and when the run ends.

Behind another tab nothing is drawn (:mod:`gradexplorer.gui.when_shown`); the run, its
predictions, headline texts and verdict are kept current, and the newest run is drawn whole
when the tab is shown again or before an export (:meth:`Dashboard.draw_now`).
"""

from __future__ import annotations

from pathlib import Path

from gradexplorer.engine.runs.records import BackwardLayer, ForwardLayer, Record, RunEnd, RunStart
from gradexplorer.engine.runs.result import RunResult
from gradexplorer.engine.runs.verdict import RunVerdict, gradient_verdict, run_verdict
from gradexplorer.gui.dashboard_grid import build_grid
from gradexplorer.gui.export import IMAGE_SUFFIXES, export_laid_out, grab_laid_out
from gradexplorer.gui.plots.axis_space import cache_axes, tick_axes
from gradexplorer.gui.plots.headline import Headline, headline_text  # noqa: F401 (re-exported)
from gradexplorer.gui.plots.hover import HoverReadout
from gradexplorer.gui.plots.pacing import HeatmapPacer, TimedView
from gradexplorer.gui.plots.pinned import PinnedRuns
from gradexplorer.gui.plots.predictions import Predictions
from gradexplorer.gui.plots.style import follow_scale, pg
from gradexplorer.gui.when_shown import WhenShown

QtCore, QtWidgets = pg.QtCore, pg.QtWidgets

class Dashboard(QtWidgets.QWidget):
    """All plot panels of the current run, pinned runs, the verdict and exports.

    Signals
    -------
    sigLayerClicked(int) : the user clicked layer l (1-based) on any per-layer plot.
    """

    sigLayerClicked = QtCore.Signal(int)
    #: Emitted after new records, the end of a run or a theory curve reached the plots.
    sigUpdated = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.view = TimedView()
        box = QtWidgets.QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.view)
        grid = build_grid(self.view.ci)
        self.headline, self.detail = grid.headline, grid.detail
        self.gradient, self.activation, self.saturation = (grid.gradient, grid.activation,
                                                           grid.saturation)
        self.grad_heatmap, self.act_heatmap = grid.grad_heatmap, grid.act_heatmap
        readout = grid.readout
        self.line_plots = [self.gradient, self.activation, self.saturation]
        self.panels = [*self.line_plots, self.grad_heatmap, self.act_heatmap]
        self._shown = WhenShown(self, self._draw_whole_run)  # nothing drawn behind another tab
        self._result: RunResult | None = None
        self._predictions = Predictions(self.line_plots)  # this run's, drawn or not
        self._release = True  # finish_run's release_axes, for a run drawn whole later
        self._verdict: RunVerdict | None = None  # run_verdict of _result as it is now
        self._selected: int | None = None
        self._pins = PinnedRuns(self.line_plots, legend=self.gradient)
        self._points: int | None = None
        self._pacer = HeatmapPacer(self)
        # draws the headline held by begin_run if no records or settle follow (e.g. a run
        # whose first batch is its RunStart alone)
        self._release_headline = QtCore.QTimer(self)
        self._release_headline.setSingleShot(True)
        self._release_headline.timeout.connect(self.headline.release)
        cache_axes(self._tick_axes())  # a blit per repaint, not their tick text again
        self._hover = HoverReadout(readout, self.panels, self._on_layer_picked)
        self.view.scene().sigMouseMoved.connect(self._hover.on_moved)
        self.view.scene().sigMouseClicked.connect(self._hover.on_clicked)
        follow_scale(self.set_font_size)  # the presentation scale drives every font
        self._show_verdict()

    def _tick_axes(self) -> list[pg.AxisItem]:
        """Every plot's left and bottom axis and each colour bar's scale."""
        return tick_axes(self.plot_items().values(),
                         [heatmap.colorbar for heatmap in (self.grad_heatmap, self.act_heatmap)])

    # --- the run -------------------------------------------------------------------------------
    def begin_run(self, start: RunStart) -> None:
        """Start showing a new run: clear the current curves (pins stay), x range 1..L.

        The headline is drawn with the run's first records (:meth:`add_records`), at the
        latest when control returns to the event loop.
        """
        self.headline.hold()
        self._result = RunResult()
        self._result.add(start)
        self._verdict = None
        self._predictions.clear()
        self._release = True
        depth = self._result.depth
        if self._selected is None or self._selected > depth:
            self._selected = 1 if depth else None
        self.headline.set_settings(start.config)
        self._show_verdict()
        if self._shown.defer():  # another tab is current: drawn whole when shown
            self._pacer.reset()  # no heatmap of the last run drawn meanwhile
            return
        self._release_headline.start(0)
        self._draw_start()

    def _draw_start(self) -> None:
        """Clear the plots for the current run (the drawing half of :meth:`begin_run`)."""
        depth = self._result.depth if self._result is not None else 0
        for panel in self.line_plots:
            panel.set_depth(depth)
        for panel in (self.grad_heatmap, self.act_heatmap):
            panel.set_depth(depth)
        self._pacer.reset()
        for panel in self.panels:
            panel.set_cursor(self._selected)
        self.detail.clear()  # its titles follow with the run's first records
        self.detail.hold_axes(True)

    def add_records(self, records: list[Record]) -> None:
        """Store ``records`` (in stream order) and update the plots they touch."""
        forward = backward = False
        first = 0
        for i, rec in enumerate(records):
            if isinstance(rec, RunStart):
                self.begin_run(rec)
                forward = backward = False
                first = i + 1
                continue
            if self._result is None:
                continue
            self._verdict = None
            if isinstance(rec, RunEnd):
                self._result.add(rec)
                continue
            self._result.add(rec)
            forward |= isinstance(rec, ForwardLayer)
            backward |= isinstance(rec, BackwardLayer)
        if self._result is None:
            return
        if backward:
            self._show_verdict()  # the headline's text (drawn when the headline is)
        if self._shown.defer():
            return
        self._draw_records(records[first:], forward, backward)

    def _draw_records(self, fresh: list[Record], forward: bool, backward: bool) -> None:
        """Update the plots that ``fresh`` records of the current run touch."""
        if forward:
            for panel in (self.activation, self.saturation):
                panel.update(self._result)
            done = len(self._result.forward) >= self._result.depth
            self._pacer.take(self.act_heatmap, fresh, done)
        if backward:
            self.gradient.update(self._result)
            self._pacer.take(self.grad_heatmap, fresh, self._backward_done())
        if forward or backward:
            self.detail.show_layer(self._selected, self._result)
        self.headline.release()
        if forward or backward:
            self.sigUpdated.emit()

    def finish_run(self, end: RunEnd, *, release_axes: bool = True) -> None:
        """The run ended: store ``end`` and show the verdict.

        ``release_axes=False`` (a drag's preview, more runs to come) keeps the axes' tick-text
        space from narrowing until a run that releases it: a narrower label at one value and
        a wider one at the next re-laid the whole dashboard out twice.
        """
        if self._result is None:
            return
        self._result.add(end)
        self._release = release_axes
        # no new verdict: run_verdict reads the layer records and the theory, not the RunEnd
        self._show_verdict()
        if self._shown.defer():
            return
        self._draw_end()
        self.sigUpdated.emit()

    def _draw_end(self) -> None:
        """Draw the end of the current run (the drawing half of :meth:`finish_run`)."""
        self._pacer.draw_all()
        for panel in self.panels:
            panel.hold_axes(not self._release)
        self.detail.hold_axes(not self._release)
        for panel in self.line_plots:
            panel.theory.drop_parked_legend()  # predictions that did not come with this run
        self.headline.release()

    def _draw_whole_run(self) -> None:
        """Draw the current run whole: its records, predictions and end as streaming them
        would have (they came while another tab was current)."""
        r = self._result
        if r is None:
            self.headline.release()
            return
        self._draw_start()
        backward = [b for b in reversed(r.backward) if b is not None]  # stream order: L..1
        self._draw_records([*r.forward, *backward], bool(r.forward), bool(backward))
        self._predictions.draw_kept()
        if r.end is not None:
            self._draw_end()
        self._pacer.draw_all()  # what has arrived, now (a run still streaming included)
        self.settle_views()
        self.sigUpdated.emit()

    def draw_now(self) -> None:
        """Draw what came while another tab was current, now (before an export or a grab)."""
        self._shown.catch_up()

    def settle_views(self) -> None:
        """Apply pending range fits and view transforms now, before the repaint.

        pyqtgraph applies them while it paints (``ViewBox.prepareForPaint``); the curves then
        change their bounds during that paint and ask for a second one, which at every run of
        a drag repainted much of the dashboard twice. Call once after a batch of records.
        """
        if self._shown.off_screen():
            return  # nothing was drawn
        self.headline.release()
        for plot in self.plot_items().values():
            plot.vb.prepareForPaint()

    def paint_seconds(self) -> float:
        """How long the last repaint of the plots took (the window paces its flushes by it;
        0 behind another tab, where they are not repainted)."""
        return 0.0 if self._shown.off_screen() else self.view.paint_seconds

    def result(self) -> RunResult | None:
        """The current run's records so far (None before the first run)."""
        return self._result

    def _backward_done(self) -> bool:
        r = self._result
        return bool(r and r.depth and all(b is not None for b in r.backward))

    def set_note(self, text: str | None) -> None:
        """Show ``text`` in place of the run's settings line (None: the settings)."""
        self.headline.set_note(text)

    def set_stale(self, reason: str | None) -> None:
        """Mark the plots as the last valid run because the settings are invalid (None: clear)."""
        self.headline.set_stale(reason)

    def verdict_text(self) -> str:
        """The gradient verdict in plain words once the backward pass is done, "" before."""
        if not self._backward_done():
            return ""
        return gradient_verdict(self._result.series("log10_grad_preact_rms")).text

    def run_verdict(self) -> RunVerdict | None:
        """The whole-truth verdict (∂L/∂h, ‖∂L/∂W‖, update ratio, saturation) once the backward
        pass is done, None before (:func:`~gradexplorer.engine.runs.verdict.run_verdict`)."""
        if not self._backward_done():
            return None
        if self._verdict is None:  # computed once per change of the run (asked ~4× a run)
            self._verdict = run_verdict(self._result)
        return self._verdict

    def verdict_status(self) -> str:
        """The status bar's verdict line (run_verdict's ``status``), "" before the backward pass."""
        verdict = self.run_verdict()
        return verdict.status if verdict is not None else ""

    def _show_verdict(self) -> None:
        self.headline.show_verdict(self.run_verdict(), self._result is not None)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.headline.set_width(self.view.width() - 20)

    # --- pins ----------------------------------------------------------------------------------
    def pin_current(self, label: str) -> None:
        """Keep the current run's curves as faint lines named ``label`` (replaces a same-named pin).

        Raises ValueError before the first run.
        """
        if self._result is None:
            raise ValueError("no run to pin yet")
        self._pins.pin(label, self._result)

    def remove_pin(self, label: str) -> None:
        """Remove pin ``label``'s curves and legend entry (no-op if there is none)."""
        self._pins.remove(label)

    def clear_pins(self) -> None:
        """Remove every pin."""
        self._pins.clear()

    def pin_labels(self) -> list[str]:
        """Labels of the pinned runs, oldest first."""
        return self._pins.labels()

    # --- display -------------------------------------------------------------------------------
    def set_font_size(self, points: int) -> None:
        """Tick, label, title and legend fonts of every plot in ``points`` (verdict 1.8×)."""
        self._points = int(points)
        for panel in self.panels:
            panel.set_font(self._points)
        self.detail.set_font(self._points)
        self._hover.set_points(self._points)
        self.headline.set_font(self._points)

    def set_std_log(self, on: bool | None) -> None:
        """Activation std on a log10 scale (True), linear (False) or chosen from the data (None)."""
        self.activation.set_std_log(on)
        if self._result is not None and not self._shown.defer():
            self.activation.update(self._result)

    def set_theory(self, field: str, values, label: str = "mean-field theory") -> None:
        """Draw a dashed prediction of per-layer quantity ``field`` beside its measured curve.

        ``field`` is a record field drawn by a line plot, e.g. ``"log10_grad_preact_rms"`` or
        ``"log10_act_std"``; ``values`` has shape (L,) in that field's scale (NaN = none), or
        None to remove it. Predictions belong to the current run: :meth:`begin_run` clears
        them. Raises ValueError for a field no plot draws.
        """
        if not self.set_theories({field: values}, label):
            raise ValueError(f"no plot draws {field!r}")

    def set_theories(self, series: dict, label: str = "mean-field theory") -> list[str]:
        """:meth:`set_theory` for every ``field -> values`` of ``series`` that a plot draws
        (the others are skipped; values None removes one); each plot fits its y range once.
        Returns the fields drawn (behind another tab: kept, and drawn when it is shown)."""
        drawn = self._predictions.keep(series, label)
        if drawn and not self._shown.defer():
            self._predictions.draw({field: series[field] for field in drawn}, label)
            self.sigUpdated.emit()
        return drawn

    def select_layer(self, layer: int | None) -> None:
        """Show layer ``layer``'s histograms and mark it on every plot (no signal emitted)."""
        self._selected = layer
        if self._shown.defer():
            return
        for panel in self.panels:
            panel.set_cursor(layer)
        self.detail.show_layer(layer, self._result)

    def selected_layer(self) -> int | None:
        return self._selected

    def readout_text(self) -> str:
        """The hover readout currently shown."""
        return self._hover.text

    def plot_items(self) -> dict[str, pg.PlotItem]:
        """Every plot by panel name, for per-plot export (drawn up to date first)."""
        self.draw_now()
        return {"gradient": self.gradient.plot, "activation": self.activation.plot,
                "saturation": self.saturation.plot, "gradient_heatmap": self.grad_heatmap.plot,
                "activation_heatmap": self.act_heatmap.plot, **self.detail.plots()}

    def _on_layer_picked(self, layer: int) -> None:  # a click on a per-layer plot
        self.select_layer(layer)
        self.sigLayerClicked.emit(layer)

    # --- export --------------------------------------------------------------------------------
    def export_image(self, path: str, size: tuple[int, int] | None = None) -> None:
        """Write the whole dashboard to ``path``: .png (``size`` in pixels, default the current
        size) or .svg. The layout is redone at ``size`` for the export, so text stays sharp and
        nothing is stretched. Raises ValueError for other extensions.
        """
        if Path(path).suffix.lower() not in IMAGE_SUFFIXES:
            raise ValueError(f"cannot export {Path(path).name!r}: use .png or .svg")
        self.draw_now()
        with self._hover.blank():  # the headline refits its fonts to the export's width
            export_laid_out(self.view, path, size, self._fit_headline)

    def image(self, size: QtCore.QSize) -> pg.QtGui.QPixmap:
        """The dashboard as it shows at ``size`` (its tab's page size), drawn up to date first:
        behind another tab it is laid out at that size, not the one it had when last shown."""
        self.draw_now()
        return grab_laid_out(self, self.view, size, self._fit_headline)

    def _fit_headline(self, pixels: int) -> None:
        """Refit the headline's fonts to a dashboard ``pixels`` wide (an export's, a grab's)."""
        self.headline.set_width(pixels - 20)

