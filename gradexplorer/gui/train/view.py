"""The Train tab: train the Settings panel's network and watch which layers learn.

Layout: controls (settings row, run row, network line and heatmap options) above the plots of
:class:`~.plots.TrainPlots` in one exportable GraphicsLayoutWidget. A pin keeps its run's curves
and per-layer series; the pin chosen in the controls' combo is drawn under this run's heatmap on
one shared colour bar (:class:`~.compare.PinComparison`).

Records come from a :class:`~.runner.TrainRunner` (the runner's ``"train"`` lane, in batches)
into a :class:`~.history.TrainHistory`; the plots are redrawn from it at the pace of a
:class:`~.redraw.RedrawPacer` (≤ 10 Hz, slower as redraws get costly), so the GUI trains at
the CLI's step rate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.engine.training.trainer import TrainEnd, TrainStart
from gradexplorer.gui.export import IMAGE_SUFFIXES, export_scene
from gradexplorer.gui.jobs import JobRunner
from gradexplorer.gui.plots.pacing import TimedView
from gradexplorer.gui.train.compare import PinComparison
from gradexplorer.gui.train.controls import TrainControls, summary
from gradexplorer.gui.train.history import TrainHistory
from gradexplorer.gui.train.pins import TrainPins
from gradexplorer.gui.train.plots import TrainPlots
from gradexplorer.gui.train.records_io import export_menu, write_records
from gradexplorer.gui.train.redraw import RedrawPacer
from gradexplorer.gui.train.runner import Train, TrainRunner

ERROR_STYLE = "color: #e53935; font-weight: bold;"


class TrainView(QWidget):
    """Controls, live plots, pins and exports of training runs.

    Parameters
    ----------
    spec_source : callable
        Returns the network to train (the Settings panel's last valid spec).
    train : callable, optional
        The engine's ``train(spec, config)``; tests inject a wrapper.
    runner : JobRunner, optional
        The window's job runner (default: one of the view's own).
    """

    def __init__(self, spec_source: Callable[[], NetworkSpec], train: Train | None = None,
                 parent: QWidget | None = None, runner: JobRunner | None = None):
        super().__init__(parent)
        self._spec_source = spec_source
        self.controls = c = TrainControls()
        self.view = TimedView()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(c)
        box.addWidget(self.view, 1)
        self.plots = p = TrainPlots(self.view.ci)
        self.headline, self.legend, self.loss, self.accuracy = (p.headline, p.legend, p.loss,
                                                                p.accuracy)
        self.grad_map, self.ratio = p.grad_map, p.ratio
        self.pins = TrainPins([self.loss, self.accuracy], parent=self)
        self.compare = PinComparison(self.pins, c, self.grad_map, self.ratio, p.layout)
        self.view.scene().sigMouseMoved.connect(p.hover)
        self.runner = TrainRunner(train, parent=self, runner=runner)
        self.runner.lane.sigYielded.connect(self._on_records)
        self.runner.lane.sigErrored.connect(self._on_failed)
        self.runner.lane.sigEnded.connect(self._on_done)
        self.history = TrainHistory()
        self.redraw = RedrawPacer(self._draw, lambda: self.view.paint_seconds, self)
        self.run_spec: NetworkSpec | None = None
        self.pin_specs: dict[str, NetworkSpec] = {}  # pin label -> network it trained
        self._started_at = 0.0

        c.start.clicked.connect(self.start)
        c.pause.toggled.connect(lambda on: self.pause() if on else self.resume())
        c.stop.clicked.connect(self.stop)
        c.pin.clicked.connect(lambda: self.pin())
        self._pins_menu = QMenu(c.pins)
        self._pins_menu.aboutToShow.connect(lambda: self.pins.fill_menu(self._pins_menu))
        c.pins.setMenu(self._pins_menu)
        c.export.setMenu(export_menu(self, c.export))
        self.headline.set_verdict("Press Start to train the network of the Settings panel", None)
        self.spec_changed()

    # --- runs ----------------------------------------------------------------------------------
    def start(self) -> int | None:
        """Train the current Settings network with the controls' config; return the run id."""
        try:
            config = self.controls.config()
            spec = self._spec_source()
        except SpecError as exc:
            self.show_status(str(exc), error=True)
            return None
        self.run_spec = spec
        self._started_at = time.perf_counter()
        run_id = self.runner.start(spec, config)
        self.controls.progress.setRange(0, config.steps)
        self.controls.progress.setValue(0)
        self.controls.set_running(True)
        self.show_status("starting…")
        self.headline.set_verdict("training…", None)
        self.spec_changed()
        return run_id

    def pause(self) -> None:
        """Hold the run between records (no computation while paused)."""
        if self.runner.is_running():
            self.runner.pause()
            self.controls.set_running(True, paused=True)
            self.show_status(f"paused at step {self.history.last_step()}")
            self.headline.set_verdict(f"paused at step {self.history.last_step()}", None)

    def resume(self) -> None:
        if self.runner.is_running():
            self.runner.resume()
            self.controls.set_running(True)
            self.show_status("running…")
            self.headline.set_verdict("training…", None)

    def stop(self) -> None:
        """End the run now; what arrived stays shown."""
        if self.runner.is_running():
            self.runner.stop()
            self.flush()
            self._stopped(f"stopped at step {self.history.last_step()}")

    def is_running(self) -> bool:
        """True while a run computes (or is paused) or its records are not all shown."""
        return self.runner.is_running()

    def _on_failed(self, run_id: int, field: str, message: str) -> None:
        self._stopped("failed")
        self.show_status(message, error=True)
        self.headline.set_verdict(f"could not train: {message}", "exploding")

    def _on_done(self, run_id: int, completed: bool) -> None:
        h = self.history
        if not completed and h.end is None and self.controls.stop.isEnabled():
            self._stopped(f"stopped at step {h.last_step()}")

    def _stopped(self, text: str) -> None:
        if self.redraw.pending():  # show every record that arrived, then the stop
            self.redraw.draw_now()
        self.controls.set_running(False)
        self.show_status(text)
        if self.history.end is None and self.history.start is not None:
            self.headline.set_verdict(f"{text} (no verdict)", None)

    def flush(self) -> None:
        """Show the records that arrived now (the lane's and the pacer's timers do this)."""
        self.runner.lane.flush()
        if self.redraw.pending():
            self.redraw.draw_now()

    def _on_records(self, run_id: int, records: list) -> None:
        """Store the run's records; redraw now at the end or when paused, else when paced."""
        h = self.history
        for rec in records:
            if isinstance(rec, TrainStart):
                self.history = h = TrainHistory()
                h.add(rec)
                self.plots.begin(rec)
                self.redraw.reset()
            else:
                h.add(rec)
        if records and h.start is not None:
            if h.end is not None or self.runner.is_paused():
                self.redraw.draw_now()
            else:
                self.redraw.request()

    def _draw(self) -> None:
        """Draw every stored record of the run and its progress (called by the pacer)."""
        h = self.history
        if h.start is not None:
            self.plots.update(h)
            self.controls.progress.setValue(h.last_step())
            seconds = time.perf_counter() - self._started_at
            paused = self.runner.is_paused()
            self.show_status(f"step {h.last_step()} of {h.steps} · {seconds:.1f} s"
                             + (" · paused" if paused else ""))
            if paused:  # the record computed when Pause was pressed has just arrived
                self.headline.set_verdict(f"paused at step {h.last_step()}", None)
            if h.end is not None:
                self._finish(h.end)

    def _finish(self, end: TrainEnd) -> None:
        self.controls.set_running(False)
        self.headline.show_end(end)
        self.show_status(f"{end.verdict} in {end.steps} steps ({end.seconds:.1f} s)")
        if end.summary:  # the verdict line shows its first clause; all of it on hover
            self.controls.status.setToolTip(end.summary)

    def show_status(self, text: str, error: bool = False) -> None:
        """Show ``text`` beside the run buttons (red and bold when ``error``)."""
        self.controls.status.setStyleSheet(ERROR_STYLE if error else "")
        self.controls.status.setText(text)
        self.controls.status.setToolTip(text)

    def status_text(self) -> str:
        return self.controls.status.text()

    def verdict_text(self) -> str:
        return self.headline.text()

    # --- the Settings network ------------------------------------------------------------------
    def spec_changed(self, spec: NetworkSpec | None = None) -> None:
        """Show which network Start trains and, during a run, whether Settings changed since."""
        try:
            panel = spec if spec is not None else self._spec_source()
        except SpecError:
            return
        self.controls.allow_file_task(panel)
        self.controls.show_network(panel, self.run_spec)

    def network_text(self) -> str:
        return self.controls.network.text()

    # --- pins ----------------------------------------------------------------------------------
    def pin(self, label: str | None = None) -> str | None:
        """Keep the run's held-out (else train) loss and accuracy as faint labelled curves and
        its layers for the pinned heatmap (shown at once).

        ``label`` defaults to the trained network's summary; returns the label used.
        """
        if self.history.start is None or len(self.history) == 0:
            self.show_status("nothing to pin yet", error=True)
            return None
        trained = NetworkSpec.from_dict(self.history.start.network)  # not a newer Start's
        label = self.pins.pin(self.history, label or summary(trained))
        self.pin_specs[label] = trained
        self.show_status(f"pinned: {label}")
        return label

    def remove_pin(self, label: str) -> None:
        self.pins.remove(label)

    def clear_pins(self) -> None:
        self.pins.clear()

    def pin_labels(self) -> list[str]:
        return self.pins.labels()

    def show_pin(self, label: str | None) -> None:
        """Draw pin ``label``'s heatmap under this run's, same colours (None: hide it)."""
        self.compare.show(label)

    def shown_pin(self) -> str | None:
        """The pin whose heatmap is shown (None: none)."""
        return self.compare.shown

    # --- export --------------------------------------------------------------------------------
    def export_image(self, path: str, size: tuple[int, int] | None = None) -> None:
        """Write the plots (headline, legends, colour bar) to ``path`` (.png or .svg)."""
        if Path(path).suffix.lower() not in IMAGE_SUFFIXES:
            raise ValueError(f"cannot export {Path(path).name!r}: use .png or .svg")
        export_scene(self.view, path, size)

    def export_records(self, path: str) -> None:
        """Write the run's records as CSV or JSON (the schema of ``gradexplorer train``)."""
        write_records(self.history, path, time.perf_counter() - self._started_at)

    # --- layout and shutdown -------------------------------------------------------------------
    def readout_text(self) -> str:
        """The hover readout under the plots (empty unless over the heatmap)."""
        return self.plots.readout.text

    def set_font_size(self, points: int) -> None:
        """Font size of the plots' ticks, labels, titles and legend, in points."""
        self.plots.set_font(points)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Fit the headline to the shown size."""
        super().showEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        # 0.9: rich text renders ~7 % wider than the font metrics Headline fits with.
        self.headline.set_width(0.9 * (self.view.width() - 20))

    def shutdown(self) -> None:
        """Stop the run and its thread (the window calls this when it closes)."""
        self.runner.shutdown()


def make_train_view(state, runner: JobRunner) -> TrainView:
    """The Train tab: trains the app state's current spec, on ``runner``'s ``"train"`` lane."""
    view = TrainView(state.spec, runner=runner)
    state.sigSpecChanged.connect(lambda spec, _source: view.spec_changed(spec))
    return view
