"""The "Jacobian" tab: J Jᵀ's spectrum for the app state's spec, on the runner's "jacobian" lane.

Follows the state (``sigSpecChanged``; every value is submitted with the runner's drag policy,
so a drag shows complete spectra while it lasts and ends on the last value; the input row is
debounced). Computes only while the tab is visible: a hidden tab remembers that its picture is
out of date and catches up when shown, so a 4-second Jacobian never competes with the Layers
run for the CPU.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.block_jacobian import uses_blocks
from gradexplorer.gui.dialogs import export_image_dialog
from gradexplorer.gui.export import export_scene
from gradexplorer.gui.jacobian.jobs import JacobianAnswer, JacobianJob, run_job, size_check
from gradexplorer.gui.jacobian.plot import COLOURS, SpectrumPlot
from gradexplorer.gui.jacobian.summary import degenerate_note, spectrum_table
from gradexplorer.gui.jobs import JobContext, JobRunner
from gradexplorer.gui.plots.style import fitted_legend, pg, scaled_points
from gradexplorer.gui.state import AppState

#: Quiet time after the last settings change before computing (ms).
DEBOUNCE_MS = 300
ERROR_STYLE = "color: #e53935; font-weight: bold;"
WARN_STYLE = "color: #f9a825; font-weight: bold;"
INFO_STYLE = "color: #64b5f6; font-weight: bold;"
COMPARE_TIP = ("Redraw the weights twice at the spec's σ_w² per layer: i.i.d. Gaussian and "
               "orthogonal (same random draw), and overlay both spectra. Orthogonal tanh near "
               "q* → 0 is close to dynamical isometry (every λ ≈ 1); Gaussian weights are not.")


class JacobianView(QWidget):
    """Histogram of log10 λ(J Jᵀ) with measured and predicted numbers.

    Parameters
    ----------
    state : AppState
        The settings shown (``spec()``, ``sigSpecChanged``).
    runner : JobRunner
        Computes on its ``"jacobian"`` lane.
    run : callable, optional
        ``(JacobianJob, JobContext) -> Iterator[JacobianAnswer]`` on the worker thread
        (default :func:`~.jobs.run_job`; tests wrap it).
    debounce_ms : int
    """

    def __init__(self, state: AppState, runner: JobRunner,
                 run: Callable[[JacobianJob, JobContext], Iterator] | None = None,
                 debounce_ms: int = DEBOUNCE_MS):
        super().__init__()
        self.state = state
        self.job: JacobianJob | None = None
        self.answer: JacobianAnswer | None = None
        self.shown_answers = 0
        self._closed = False
        self.lane = runner.lane("jacobian", run or run_job)
        self.lane.sigYielded.connect(self._on_answers)
        self.lane.sigErrored.connect(self._on_failed)
        self.lane.sigEnded.connect(self._on_done)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self.refresh)
        self._build()
        # every value (the runner's drag policy decides which run): answers during a drag
        state.sigSpecChanged.connect(lambda _spec, _source: self.refresh())

    # --- widgets --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.input_index = QSpinBox()
        self.input_index.setRange(0, 0)
        self.input_index.setToolTip("Row x of the input batch at which J = ∂a_L/∂x is taken.")
        self.input_index.valueChanged.connect(lambda _v: self._debounce.start())
        self.compare = QPushButton("Gaussian vs orthogonal")
        self.compare.setCheckable(True)
        self.compare.setToolTip(COMPARE_TIP)
        self.compare.toggled.connect(lambda _on: self.refresh())
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setFixedWidth(120)
        self.busy.setVisible(False)
        self.status = QLabel("")
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save this view as PNG or SVG.")
        self.export_button.clicked.connect(self._export_dialog)
        row = QHBoxLayout()
        row.addWidget(QLabel("input row"))
        row.addWidget(self.input_index)
        row.addSpacing(12)
        row.addWidget(self.compare)
        row.addSpacing(12)
        row.addWidget(self.busy)
        row.addWidget(self.status, 1)
        row.addWidget(self.export_button)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.graphics = pg.GraphicsLayoutWidget()
        # the legend in its own row under the plot (never over a histogram), the numbers below
        plot = self.graphics.addPlot(0, 0)
        legend = fitted_legend(plot, columns=2, rows=2)  # short texts in a short view
        self.spectrum = SpectrumPlot(plot, legend)
        self.table = pg.LabelItem("", justify="left")
        self.graphics.addItem(legend, 1, 0)
        self.graphics.addItem(self.table, 2, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.graphics, 1)

    # --- requests -------------------------------------------------------------------------------
    def wanted_key(self) -> tuple:
        """(spec, input row, compare) the view should show now."""
        spec: NetworkSpec = self.state.spec()
        self.input_index.blockSignals(True)
        self.input_index.setMaximum(max(spec.batch - 1, 0))
        self.input_index.blockSignals(False)
        return spec, self.input_index.value(), self.compare.isChecked()

    def refresh(self) -> None:
        """Compute what the panel shows now, unless it is already shown or computing."""
        self._debounce.stop()
        if self._closed or not self.isVisible():
            return  # showEvent catches up
        key = self.wanted_key()
        if self.job is not None and self.job.key() == key:
            return
        spec, index, compare = key
        level, text = size_check(spec, compare)
        self.job = JacobianJob(spec, index, compare)
        if spec.norm == "batch":  # not an error: there is no per-input Jacobian to compute
            self.lane.cancel()
            self._set_busy(False)
            self.clear()
            self.spectrum.set_title("No Jacobian of one input with batch norm")
            self.show_message(batch_norm_explanation(spec), error=False, style=INFO_STYLE)
            return
        if level == "refuse":
            self.lane.cancel()
            self._set_busy(False)
            self.clear()
            self.show_message(text, error=True)
            return
        self.show_message(text, error=False)
        self.lane.submit(self.job, coalesce=True)
        self._set_busy(True)

    def is_computing(self) -> bool:
        """True while a request is on the worker."""
        return self.lane.is_running()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Catch up with settings changed while the tab was hidden."""
        super().showEvent(event)
        QTimer.singleShot(0, self.refresh)

    # --- answers --------------------------------------------------------------------------------
    def _on_answers(self, run_id: int, answers: list) -> None:
        for answer in answers:  # the lane dropped cancelled runs: each is a complete answer
            self.show_answer(answer)

    def show_answer(self, answer: JacobianAnswer) -> None:
        """Draw ``answer``'s spectra and numbers."""
        self.answer = answer
        self.shown_answers += 1
        job = answer.job
        spec = job.spec
        if job.compare:
            named = [("Gaussian i.i.d. weights", answer.spectra[0]),
                     ("orthogonal weights", answer.spectra[1])]
        else:
            named = [(f"{spec.init} weights (this spec)", answer.spectra[0])]
        self.spectrum.show_spectra(named)
        n = answer.spectra[0].widths
        width = n[1] if len(set(n[1:])) == 1 else "varies"
        what = "Gaussian vs orthogonal weights, same σ_w²" if job.compare else spec.init
        self.spectrum.set_title(f"Spectrum of JJᵀ, J = ∂a_L/∂x at input row {job.input_index}: "
                                f"{spec.activation}{_blocks_text(spec)}, {what}, gain "
                                f"{spec.gain:g}, L = {spec.depth}, width {width}")
        points = scaled_points()  # the presentation scale (the view's own font is unset)
        self.table.setText(spectrum_table(
            [(name, COLOURS[i], s) for i, (name, s) in enumerate(named)], points,
            blocks=uses_blocks(spec)),
            color="#e0e0e0")
        self.status.setText(f"computed in {answer.seconds:.2f} s")
        notes = [degenerate_note(name, s) for name, s in named]
        if any(notes):
            self.show_message(" ".join(n for n in notes if n), error=False)

    def _on_failed(self, run_id: int, field: str, message: str) -> None:
        self._set_busy(False)
        self.clear()
        self.show_message(f"Not computed: {message}", error=True)

    def clear(self) -> None:
        """Show no spectrum (a refused or failed request must not leave an older one up)."""
        self.answer = None
        self.spectrum.clear()
        self.spectrum.set_title("")
        self.table.setText("")
        self.status.setText("")

    def _on_done(self, run_id: int, completed: bool) -> None:
        self._set_busy(self.lane.is_running())

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        if busy:
            self.status.setText("computing J and its singular values…")

    def show_message(self, text: str, error: bool = True, style: str | None = None) -> None:
        """Show ``text`` above the plot (red for errors, amber for warnings, or ``style``);
        "" hides it."""
        self.message.setText(text)
        self.message.setStyleSheet(style or (ERROR_STYLE if error else WARN_STYLE))
        self.message.setVisible(bool(text))

    def message_text(self) -> str:
        """The message above the plot ("" when none)."""
        return self.message.text()

    # --- export and shutdown ----------------------------------------------------------------
    def export(self, path: str, size: tuple[int, int] | None = None) -> None:
        """Write the plot and the table to ``path`` (.png or .svg)."""
        export_scene(self.graphics, path, size)

    def _export_dialog(self) -> None:
        export_image_dialog(self, "Export the Jacobian view", "jacobian.png", self.export,
                            lambda message: self.show_message(message, error=True))

    def shutdown(self) -> None:
        """Cancel the computation and stop the worker thread (the window's close calls this)."""
        self._closed = True
        self._debounce.stop()
        self.lane.shutdown()


def _blocks_text(spec: NetworkSpec) -> str:
    """", layer norm, residual α = 0.14" for the title ("" for plain layers)."""
    text = f", {spec.norm} norm" if spec.norm != "none" else ""
    return text + (f", residual α = {spec.residual_scale:g}" if spec.residual else "")


def batch_norm_explanation(spec: NetworkSpec) -> str:
    """Why the tab shows no spectrum for a batch-norm net, in plain words, with its sizes."""
    n0, n_last = spec.layer_widths()[0], spec.layer_widths()[-1]
    b = spec.batch
    # n_0 is in_features only for synthetic inputs (digits and files decide it themselves)
    size = (f" = {b * n_last} × {b * n0}" if spec.input in ("normal", "uniform") else "")
    return (f"No Jacobian of one input with batch norm. J = ∂a_L/∂x asks how one example's "
            f"output moves when only that example's input moves. With batch norm each unit is "
            f"standardized with the mean and std of the whole batch, so one example's output "
            f"also depends on the other {b - 1} examples: it is not a function of its own input "
            f"alone. The Jacobian exists only for the whole batch, one "
            f"(B·n_L) × (B·n₀){size} matrix per batch, which this tab does "
            f"not compute. Choose norm none or layer here; the Layers tab shows batch norm's "
            f"gradients.")


def make_jacobian_view(state: AppState, runner: JobRunner) -> JacobianView:
    """Factory for :data:`gradexplorer.gui.views.EXTRA_VIEWS`."""
    return JacobianView(state, runner)
