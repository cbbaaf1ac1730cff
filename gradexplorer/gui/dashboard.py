"""The dashboard: every plot panel of one run in a single exportable GraphicsLayoutWidget.

Layout (4 columns)::

    verdict in plain words (big)
    the run's configuration (small)
    gradient size (headline, 2 cols)        | activation mean/std | saturated fraction
    gradient heatmap | activation heatmap   | selected layer: h | a | ∂L/∂h histograms
    hover readout

The window feeds records (:meth:`Dashboard.add_records`, batched at ≤ 60 Hz); the dashboard
stores them in a :class:`~gradexplorer.engine.runs.result.RunResult` and copies numbers into the
plots with ``setData``. It computes nothing beyond display.

Only the panels a batch touches are redrawn: forward records the activation, saturation and
activation-heatmap panels, backward records the gradient panels. The heatmaps, the costliest,
are redrawn at ≤ 4 Hz while a run streams, on a timer of their own (``plots.pacing``), and
at once, exactly, when their pass is complete and when the run ends.
"""

from __future__ import annotations

from pathlib import Path

from gradexplorer.engine.runs.records import BackwardLayer, ForwardLayer, Record, RunEnd, RunStart
from gradexplorer.engine.runs.result import RunResult
from gradexplorer.engine.runs.verdict import RunVerdict, gradient_verdict, run_verdict
from gradexplorer.gui.export import IMAGE_SUFFIXES, export_scene
from gradexplorer.gui.plots import (
    ActivationPlot,
    GradientPlot,
    HeatmapPlot,
    LayerDetail,
    SaturationPlot,
)
from gradexplorer.gui.plots.headline import Headline
from gradexplorer.gui.plots.pacing import HeatmapPacer, TimedView
from gradexplorer.gui.plots.style import follow_scale, pg, pin_colour_for, shrinkable

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
        ci = self.view.ci
        ci.setContentsMargins(6, 4, 6, 4)
        self.headline = Headline(ci, row=0, colspan=4)
        self.gradient = GradientPlot(ci.addPlot(row=2, col=0, colspan=2))
        self.activation = ActivationPlot(ci.addPlot(row=2, col=2))
        self.saturation = SaturationPlot(ci.addPlot(row=2, col=3))
        self.grad_heatmap = HeatmapPlot(ci.addPlot(row=3, col=0), "Gradient distribution",
                                        "grad_hist", "∂L/∂h", "log10 |value|", "Gradients")
        self.act_heatmap = HeatmapPlot(ci.addPlot(row=3, col=1), "Activation distribution",
                                       "act_hist", "a", "value", "Activations")
        self.detail = LayerDetail(ci.addLayout(row=3, col=2, colspan=2))
        self._readout = shrinkable(ci.addLabel("", row=4, col=0, colspan=4, justify="left",
                                               color="#cccccc"))
        for row, stretch in ((0, 0), (1, 0), (2, 5), (3, 5), (4, 0)):
            ci.layout.setRowStretchFactor(row, stretch)
        for col in range(4):
            ci.layout.setColumnStretchFactor(col, 1)
        self.line_plots = [self.gradient, self.activation, self.saturation]
        self.panels = [*self.line_plots, self.grad_heatmap, self.act_heatmap]
        self._result: RunResult | None = None
        self._verdict: RunVerdict | None = None  # run_verdict of _result as it is now
        self._selected: int | None = None
        self._pins: dict[str, tuple[int, int, int]] = {}
        self._pin_count = 0
        self._points: int | None = None
        self._pacer = HeatmapPacer(self)
        # draws the headline held by begin_run if no records or settle follow (e.g. a run
        # whose first batch is its RunStart alone)
        self._release_headline = QtCore.QTimer(self)
        self._release_headline.setSingleShot(True)
        self._release_headline.timeout.connect(self.headline.release)
        self._cache_axes()
        self.view.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.view.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        follow_scale(self.set_font_size)  # the presentation scale drives every font
        self._show_verdict()

    def _cache_axes(self) -> None:
        """Keep each axis' rendering in a device pixmap, redrawn only when the axis changes.

        An axis is repainted whenever what it overlaps is (grid lines span the plot, ticks
        point into it), i.e. every axis at every run of a drag, while its ranges are sticky
        (:mod:`.plots.sticky`): replaying its tick text and grid cost more than a blit (an
        A/B on the Layers tab: repaint time 1.78× → 1.51× the records' handling time).
        """
        cache = QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
        for axis in self._tick_axes():
            axis.setCacheMode(cache)

    def _tick_axes(self) -> list[pg.AxisItem]:
        """The axes with ticks and text: each plot's left and bottom, each colour bar's scale.

        Not the colour bars' frame axes: a line on the edge of their 5-px bounds, which a
        cached rendering clips away (and which cost next to nothing to draw).
        """
        axes = [plot.getAxis(side) for plot in self.plot_items().values()
                for side in ("left", "bottom")]
        return axes + [heatmap.colorbar.axis for heatmap in (self.grad_heatmap, self.act_heatmap)]

    # --- the run -------------------------------------------------------------------------------
    def begin_run(self, start: RunStart) -> None:
        """Start showing a new run: clear the current curves (pins stay), x range 1..L.

        The headline is drawn with the run's first records (:meth:`add_records`), at the
        latest when control returns to the event loop.
        """
        self.headline.hold()
        self._release_headline.start(0)
        self._result = RunResult()
        self._result.add(start)
        self._verdict = None
        depth = self._result.depth
        for panel in self.line_plots:
            panel.set_depth(depth)
        for panel in (self.grad_heatmap, self.act_heatmap):
            panel.set_depth(depth)
        self._pacer.reset()
        if self._selected is None or self._selected > depth:
            self._selected = 1 if depth else None
        for panel in self.panels:
            panel.set_cursor(self._selected)
        self.detail.clear()  # its titles follow with the run's first records
        self.detail.hold_axes(True)
        self.headline.set_settings(start.config)
        self._show_verdict()

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
        fresh = records[first:]
        if forward:
            for panel in (self.activation, self.saturation):
                panel.update(self._result)
            done = len(self._result.forward) >= self._result.depth
            self._pacer.take(self.act_heatmap, fresh, done)
        if backward:
            self.gradient.update(self._result)
            self._pacer.take(self.grad_heatmap, fresh, self._backward_done())
            self._show_verdict()
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
        # no new verdict: run_verdict reads the layer records and the theory, not the RunEnd
        self._pacer.draw_all()
        self.headline.release()
        for panel in self.panels:
            panel.hold_axes(not release_axes)
        self.detail.hold_axes(not release_axes)
        for panel in self.line_plots:
            panel.theory.drop_parked_legend()  # predictions that did not come with this run
        self._show_verdict()
        self.sigUpdated.emit()

    def settle_views(self) -> None:
        """Apply pending range fits and view transforms now, before the repaint.

        pyqtgraph applies them while it paints (``ViewBox.prepareForPaint``); the curves then
        change their bounds during that paint and ask for a second one, which at every run of
        a drag repainted much of the dashboard twice. Call once after a batch of records.
        """
        self.headline.release()
        for plot in self.plot_items().values():
            plot.vb.prepareForPaint()

    def paint_seconds(self) -> float:
        """How long the last repaint of the plots took (the window paces its flushes by it)."""
        return self.view.paint_seconds

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
        verdict = self.run_verdict()
        if verdict is not None:
            self.headline.set_verdict(headline_text(verdict), verdict.kind)
            self.headline.verdict.setToolTip("\n".join(verdict.details))
        else:
            self.headline.verdict.setToolTip("")
            self.headline.set_verdict("running…" if self._result else "no run yet", None)

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
        self.remove_pin(label)
        colour = pin_colour_for(label, self._pins.values())
        self._pin_count += 1
        self._pins[label] = colour
        for panel in self.line_plots:
            data = {f: self._result.series(f) for f in panel.fields()}
            panel.add_pin(label, data, colour, in_legend=panel is self.gradient)

    def remove_pin(self, label: str) -> None:
        """Remove pin ``label``'s curves and legend entry (no-op if there is none)."""
        self._pins.pop(label, None)
        for panel in self.line_plots:
            panel.remove_pin(label)

    def clear_pins(self) -> None:
        """Remove every pin."""
        for label in list(self._pins):
            self.remove_pin(label)

    def pin_labels(self) -> list[str]:
        """Labels of the pinned runs, oldest first."""
        return list(self._pins)

    # --- display -------------------------------------------------------------------------------
    def set_font_size(self, points: int) -> None:
        """Tick, label, title and legend fonts of every plot in ``points`` (verdict 1.8×)."""
        self._points = int(points)
        for panel in self.panels:
            panel.set_font(self._points)
        self.detail.set_font(self._points)
        self._readout.setText(self._readout.text, size=f"{self._points}pt")
        self.headline.set_font(self._points)

    def set_std_log(self, on: bool | None) -> None:
        """Activation std on a log10 scale (True), linear (False) or chosen from the data (None)."""
        self.activation.set_std_log(on)
        if self._result is not None:
            self.activation.update(self._result)

    def set_theory(self, field: str, values, label: str = "mean-field theory") -> None:
        """Draw a dashed prediction of per-layer quantity ``field`` beside its measured curve.

        ``field`` is a record field drawn by a line plot, e.g. ``"log10_grad_preact_rms"`` or
        ``"log10_act_std"``; ``values`` has shape (L,) in that field's scale (NaN = none), or
        None to remove it. Predictions belong to the current run: :meth:`begin_run` clears
        them. Raises ValueError for a field no plot draws.
        """
        if not any(panel.set_theory(field, values, label) for panel in self.line_plots):
            raise ValueError(f"no plot draws {field!r}")
        self.sigUpdated.emit()

    def set_theories(self, series: dict, label: str = "mean-field theory") -> list[str]:
        """:meth:`set_theory` for every ``field -> values`` of ``series`` that a plot draws
        (the others are skipped); each plot fits its y range once. Returns the fields drawn."""
        drawn, touched = [], []
        for field, values in series.items():
            for panel in self.line_plots:
                if panel.set_theory(field, values, label, fit=False):
                    drawn.append(field)
                    touched.append(panel)
                    break
        for panel in dict.fromkeys(touched):
            panel.fit_y()
        if drawn:
            self.sigUpdated.emit()
        return drawn

    def select_layer(self, layer: int | None) -> None:
        """Show layer ``layer``'s histograms and mark it on every plot (no signal emitted)."""
        self._selected = layer
        for panel in self.panels:
            panel.set_cursor(layer)
        self.detail.show_layer(layer, self._result)

    def selected_layer(self) -> int | None:
        return self._selected

    def readout_text(self) -> str:
        """The hover readout currently shown."""
        return self._readout.text

    def plot_items(self) -> dict[str, pg.PlotItem]:
        """Every plot by panel name, for per-plot export."""
        return {"gradient": self.gradient.plot, "activation": self.activation.plot,
                "saturation": self.saturation.plot, "gradient_heatmap": self.grad_heatmap.plot,
                "activation_heatmap": self.act_heatmap.plot, **self.detail.plots()}

    # --- interaction ---------------------------------------------------------------------------
    def _panel_at(self, scene_pos):
        for panel in self.panels:
            if panel.contains(scene_pos):
                layer = panel.layer_at(scene_pos)
                if layer is not None:
                    return panel, layer
        return None, None

    def _on_mouse_moved(self, scene_pos) -> None:
        panel, layer = self._panel_at(scene_pos)
        text = panel.readout(layer, scene_pos) if panel is not None else ""
        self._readout.setText(text, size=f"{self._points}pt")

    def _on_mouse_clicked(self, event) -> None:
        if event.button() != QtCore.Qt.MouseButton.LeftButton:
            return
        panel, layer = self._panel_at(event.scenePos())
        if panel is None:
            return
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
        readout = self._readout.text
        self._readout.setText("", size=f"{self._points}pt")
        old = self.view.size()
        relayout = size is not None and (int(size[0]), int(size[1])) != (old.width(), old.height())
        try:
            if relayout:
                self._layout_at(QtCore.QSize(int(size[0]), int(size[1])))
            export_scene(self.view, path, size)
        finally:
            if relayout:
                self._layout_at(old)
            self._readout.setText(readout, size=f"{self._points}pt")

    def _layout_at(self, size) -> None:
        """Lay the scene out at ``size`` now, without waiting for the event loop."""
        self.view.resize(size)  # a hidden widget gets its resize event only when shown
        pg.GraphicsView.resizeEvent(self.view, None)
        self.headline.set_width(size.width() - 20)  # refit the headline to the new width
        self.view.ci.layout.activate()


def headline_text(verdict: RunVerdict) -> str:
    """The dashboard's big line: run_verdict's headline with the gradient's factor per layer
    and, when ∂L/∂h and ‖∂L/∂W‖ disagree, which one training feels (kept short: the headline's
    font shrinks to fit; the tooltip has the full sentences)."""
    g = verdict.gradient
    if verdict.kind == "undefined":
        return g.text
    if "disagree" in verdict.flags:
        return f"{verdict.headline} (∂L/∂h ×{g.per_layer:.3g}/layer) — training feels ‖∂L/∂W‖"
    return f"{verdict.headline} (∂L/∂h ×{g.per_layer:.3g} per layer, 10^{g.log10_ratio:+.1f})"
