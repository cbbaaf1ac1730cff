"""The "Sweep" tab: Run / Stop a sweep of one setting, rows stream into the family plot.

The sweep runs on the runner's ``"sweep"`` lane. Every other setting is the app state's: a
settings change (panel or sweep controls) while a sweep runs
restarts it with the new settings (debounced; the stale one is cancelled and its rows dropped);
when no sweep runs, the shown family stays and a note says it is out of date.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.records import Record
from gradexplorer.gui.dialogs import export_image_dialog
from gradexplorer.gui.export import export_scene
from gradexplorer.gui.fitted_progress import FittedProgressBar
from gradexplorer.gui.jobs import JobRunner
from gradexplorer.gui.plots.style import pg
from gradexplorer.gui.state import AppState
from gradexplorer.gui.sweep.controls import SweepControls
from gradexplorer.gui.sweep.jobs import SweepJob, run_job
from gradexplorer.gui.sweep.names import field_name
from gradexplorer.gui.sweep.plot import FamilyPlot

DEBOUNCE_MS = 300
ERROR_STYLE = "color: #e53935; font-weight: bold;"
NOTE_STYLE = "color: #9e9e9e;"


class SweepView(QWidget):
    """Sweep controls, progress, messages and the family plot.

    Parameters
    ----------
    state : AppState
        The settings swept around (``spec()``, ``sigSpecChanged``).
    runner : JobRunner
        Runs the sweep on its ``"sweep"`` lane.
    engine : callable, optional
        Replaces ``propagate`` inside the sweep (tests pass a fake engine).
    """

    def __init__(self, state: AppState, runner: JobRunner,
                 engine: Callable[[NetworkSpec], Iterable[Record]] | None = None):
        super().__init__()
        self.state = state
        self.engine = engine
        self.job: SweepJob | None = None
        self._shown_job: SweepJob | None = None  # the job whose rows the plot shows
        self._started = 0.0
        self._closed = False
        self.lane = runner.lane("sweep", run_job)
        self.lane.sigYielded.connect(self._on_rows)
        self.lane.sigErrored.connect(self._on_failed)
        self.lane.sigEnded.connect(self._on_done)
        self._restart = QTimer(self)
        self._restart.setSingleShot(True)
        self._restart.setInterval(DEBOUNCE_MS)
        self._restart.timeout.connect(self.run)
        self._build()
        state.sigSpecChanged.connect(lambda _spec, _source: self._settings_changed())
        self.controls.sigEdited.connect(self._settings_changed)

    def _build(self) -> None:
        self.controls = SweepControls()
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Run the sweep with the main panel's other settings.")
        self.run_button.clicked.connect(self.run)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the plot and its colour bar as PNG or SVG.")
        self.export_button.clicked.connect(self._export_dialog)
        self.progress = FittedProgressBar(200)  # grows with the type and the values
        self.progress.setFormat("%v / %m values")
        self.progress.setValue(0)
        self._progress_range()  # "0 / 9 values" for 9 values before the first run, not "/ 100"
        self.controls.sigEdited.connect(self._progress_range)
        row = self.controls.show_row
        for w in (self.run_button, self.stop_button, self.progress):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.export_button)
        self.message = QLabel("Choose a setting and a range, then Run.")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(NOTE_STYLE)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.graphics = pg.GraphicsLayoutWidget()
        self.family = FamilyPlot(self.graphics.ci)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.controls)
        layout.addWidget(self.message)
        layout.addWidget(self.graphics, 1)

    def _progress_range(self) -> None:
        """Before a run: the progress bar counts the values the controls would sweep."""
        if self.progress.value() > 0:
            return  # a run is shown; its own count stays
        try:
            n = len(self.controls.request().values)
        except ValueError:
            return
        self.progress.setRange(0, n)
        self.progress.setValue(0)

    # --- running ------------------------------------------------------------------------------
    def run(self) -> bool:
        """Start a sweep of the current settings (cancelling any); False if the range is bad."""
        self._restart.stop()
        if self._closed:
            return False
        self.lane.cancel()
        try:
            req = self.controls.request()
        except ValueError as exc:
            self._set_running(False)
            self.show_message(str(exc), error=True)
            return False
        spec = self.state.spec()
        self.job = SweepJob(spec, req.field, req.values, req.seeds, req.quantity, req.log,
                            self.engine)
        self.progress.setRange(0, len(req.values))
        self.progress.setValue(0)
        self.show_message(f"Sweeping {field_name(req.field)} over {len(req.values)} values "
                          f"× {req.seeds} seed{'s' if req.seeds > 1 else ''}…", error=False)
        self._started = time.perf_counter()
        self.lane.submit(self.job)
        self._set_running(True)
        return True

    def stop(self) -> None:
        """Stop the sweep in flight; the rows shown so far stay."""
        self._restart.stop()
        if not self.is_running():
            return
        self.lane.cancel()
        self._set_running(False)
        done = len(self.family.rows) if self._shown_job is self.job else 0
        self.show_message(f"Stopped after {done} of {self.progress.maximum()} values.",
                          error=False)

    def is_running(self) -> bool:
        """True while a sweep is on the worker."""
        return self.lane.is_running()

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def _settings_changed(self) -> None:
        if self.is_running():
            self._restart.start()
        elif (self.controls.field.currentData() == "residual_scale"
              and not self.state.spec().residual):
            self.show_message(RESIDUAL_NOTE, error=False)
        elif RESIDUAL_NOTE == self.message_text() or "turn residual on" in self.message_text():
            self.show_message("Residual blocks are on: Run to sweep α.", error=False)
        elif self._shown_job is not None:
            self.show_message("Settings changed since this sweep: Run to update it.",
                              error=False)

    # --- answers ------------------------------------------------------------------------------
    def _on_rows(self, run_id: int, rows: list) -> None:
        job = self.job
        if job is None:
            return
        for row in rows:
            if self._shown_job is not job:
                self._begin(job)
            self.family.add_row(row)
        self.progress.setValue(len(self.family.rows))

    def _begin(self, job: SweepJob) -> None:
        self._shown_job = job
        spacing = "log" if job.log else "linear"
        seeds = f"{job.seeds} seeds each (band: min–max over seeds)" if job.seeds > 1 \
            else "1 seed"
        self.family.begin(job.field, job.values, job.log, job.quantity,
                          f"{len(job.values)} values of {field_name(job.field)} ({spacing} "
                          f"spacing), {seeds}<br>{spec_summary(job.spec, job.field)}")

    def _on_failed(self, run_id: int, field: str, message: str) -> None:
        self._set_running(False)
        self.show_message(message, error=True)

    def _on_done(self, run_id: int, completed: bool) -> None:
        self._set_running(False)
        if completed and self.job is not None:
            seconds = time.perf_counter() - self._started
            self.show_message(f"Done: {len(self.family.rows)} values × {self.job.seeds} "
                              f"seed{'s' if self.job.seeds > 1 else ''} in {seconds:.1f} s. "
                              f"Hover a curve for its value and layer.", error=False)

    def show_message(self, text: str, error: bool = True) -> None:
        """Show ``text`` above the plot (red for errors)."""
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else NOTE_STYLE)

    def message_text(self) -> str:
        """The message above the plot."""
        return self.message.text()

    # --- export and shutdown ----------------------------------------------------------------
    def export(self, path: str, size: tuple[int, int] | None = None) -> None:
        """Write the plot and its colour bar to ``path`` (.png or .svg)."""
        export_scene(self.graphics, path, size)

    def _export_dialog(self) -> None:
        export_image_dialog(self, "Export the sweep", "sweep.png", self.export,
                            lambda message: self.show_message(message, error=True))

    def shutdown(self) -> None:
        """Cancel the sweep and stop the worker thread (the window's close calls this)."""
        self._closed = True
        self._restart.stop()
        self.lane.shutdown()


#: Shown when α is chosen while the blocks are not residual (the engine refuses that sweep).
RESIDUAL_NOTE = ("α scales the branch of residual blocks a_l = a_{l−1} + α·φ(z_l): turn "
                 "residual on in the Architecture section first (without it α has no effect).")


def spec_summary(spec: NetworkSpec, swept: str) -> str:
    """The spec in a few words, leaving out the swept field (its values are on the colour bar)."""
    parts = [spec.activation, spec.init]
    if swept != "gain":
        parts.append(f"gain {spec.gain:g}")
    if swept != "depth":
        parts.append(f"L = {spec.depth}")
    if spec.widths:
        parts.append("widths " + "-".join(map(str, spec.widths)))
    elif swept != "width":
        parts.append(f"width {spec.width}")
    if spec.bias_init == "normal" and swept != "bias_std":
        parts.append(f"σ_b = {spec.bias_std:g}")
    if swept != "batch":
        parts.append(f"batch {spec.batch}")
    if spec.norm != "none":
        parts.append(f"{spec.norm} norm")
    if spec.residual:
        parts.append("residual" + (f" α = {spec.residual_scale:g}"
                                   if swept != "residual_scale" else ""))
    return ", ".join(parts)


def make_sweep_view(state: AppState, runner: JobRunner) -> SweepView:
    """Factory for :data:`gradexplorer.gui.views.EXTRA_VIEWS`."""
    return SweepView(state, runner)
