"""The "Phase diagram" tab: where the current initialization sits between order and chaos.

The (σ_w², σ_b²) plane of the current activation at the current depth, coloured by the
predicted gradient growth (L − 1)/2 · log10 χ1 (engine:
:mod:`gradexplorer.engine.theory.phase_diagram`, computed on a worker thread). The current
setting is a draggable point: dragging sets the panel's gain and bias std
(:func:`~gradexplorer.engine.theory.spec_point.spec_at_point`, σ_w² ∝ gain²) through the app
state (source ``"phase"``), throttled to one value per :data:`DRAG_THROTTLE_MS` — the runner's
drag policy decides which values run; when the state changes, the point follows (no feedback:
moving it programmatically never applies a spec) and the grid (the runner's ``"phase-grid"``
lane) is recomputed only when the activation or depth changed. The σ_w² shown is layer 1's.
The readout's theory numbers are cached by their exact arguments (:func:`point_numbers`): a
drag meets the same values again, the release repeats the last one.
"""

from __future__ import annotations

import functools
import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from superqt.utils import qthrottled

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.theory.phase_diagram import (
    B2_MAX,
    default_w2_max,
    phase_diagram,
    phase_point,
)
from gradexplorer.engine.theory.spec_point import spec_at_point, spec_point
from gradexplorer.gui.jobs import JobContext, JobRunner
from gradexplorer.gui.phase.coverage import not_covered, why
from gradexplorer.gui.phase.gradient_preview import GradientPreview
from gradexplorer.gui.phase.plot import PhasePlot
from gradexplorer.gui.state import AppState
from gradexplorer.gui.when_shown import WhenShown

#: At most one value per this many milliseconds while the point is dragged (as the panel's
#: sliders: 25 a second, more than the 20 complete redraws a second a drag aims at).
DRAG_THROTTLE_MS = 40


class PhaseView(QWidget):
    """Phase diagram bound to an :class:`~gradexplorer.gui.state.AppState`.

    Parameters
    ----------
    state : AppState
        The current spec (followed and set), the shown run (its gradient curve, n_0 of
        data-defined inputs).
    runner : JobRunner
        Computes the grid on its ``"phase-grid"`` lane.
    """

    def __init__(self, state: AppState, runner: JobRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.plot = PhasePlot()
        self.readout = QLabel("")
        self.readout.setWordWrap(True)
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setToolTip(
            "Mean-field theory (Poole et al. 2016; Schoenholz et al. 2017): large width, i.i.d. "
            "Gaussian weights (orthogonal and LSUV only approximately), Gaussian "
            "pre-activations. q* is the fixed point of the pre-activation variance, χ1 the "
            "per-layer factor of the mean squared gradient there. The dashed guide is 6 |ξ_∇| = L "
            "with ξ_∇ = −1/ln χ1 (equal to Schoenholz's 6 ξ_c in the ordered phase). Colours and "
            "the readout take every layer at q*; the Layers tab's dashed curves follow the "
            "actual q_l from the input, so near criticality they differ.")
        self.note = QLabel("")  # shown when the diagram does not describe the spec
        self.note.setWordWrap(True)
        self.note.setStyleSheet("QLabel { background: #fff3cd; color: #5c4300; "
                                "border: 1px solid #d9a400; padding: 4px; }")
        self.note.hide()
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(self.note)
        box.addWidget(self.plot, 3)
        self.preview = GradientPreview()
        box.addWidget(self.preview, 1)  # the diagram takes most of the room (short screens)
        box.addWidget(self.readout)
        self._run_later = WhenShown(self, self._draw_run)  # the preview: only on screen
        state.sigResultChanged.connect(self._show_run)
        self.grid = runner.lane("phase-grid", _grid_work)
        self.grid.sigYielded.connect(lambda _id, diagrams: self._on_diagram(diagrams[-1]))
        self.grid.sigErrored.connect(
            lambda _id, _f, msg: self.readout.setText(f"phase diagram: {msg}"))
        self._spec: NetworkSpec | None = None
        self._grid_key: tuple | None = None
        self._syncing = False
        self._dragging = False
        self._apply_throttled = qthrottled(self._apply_point, timeout=DRAG_THROTTLE_MS,
                                           leading=True)
        state.add_pending(self._apply_throttled.flush)
        self.plot.target.sigPositionChanged.connect(self._on_dragged)
        self.plot.target.sigPositionChangeFinished.connect(self._on_drag_finished)
        state.sigSpecChanged.connect(self._on_spec_changed)
        self.set_spec(state.spec())
        self._show_run()  # the run shown already (built behind another tab: when shown)

    def _on_spec_changed(self, spec: NetworkSpec, source: str) -> None:
        if source != "phase" or not getattr(self.plot.target, "moving", False):
            self.set_spec(spec)

    def _show_run(self, *_args) -> None:
        """Mirror the shown run's gradient curve (behind another tab: when it is shown)."""
        if not self._run_later.defer():
            self._draw_run()

    def _draw_run(self) -> None:
        result = self.state.result()
        self.preview.show_result(result, _verdict_text(result))

    # --- following the panel ------------------------------------------------------------------
    def set_spec(self, spec: NetworkSpec) -> None:
        """Show ``spec``: move the point (without applying anything), regrid if needed.

        While the tab is hidden only the spec is kept; point, readout and grid follow when it is
        shown (a slider dragged on the Layers tab costs no grids and no theory).
        """
        self._spec = spec
        if self.isVisible():  # hidden: showEvent catches up (no readout per value of a drag)
            self._ensure_grid()
            self._place_point()

    def _ensure_grid(self) -> None:
        spec = self._spec
        slope = spec.negative_slope if spec.activation == "leaky_relu" else 0.01
        w2, b2 = self.current_point()
        w2_max, b2_max = self._ranges(spec.activation, slope, w2, b2)
        key = (spec.activation, slope, spec.depth, w2_max, b2_max)
        if key != self._grid_key:
            self._grid_key = key
            self.grid.submit(dict(activation=key[0], depth=key[2], negative_slope=key[1],
                                  w2_max=w2_max, b2_max=b2_max))

    def _ranges(self, activation: str, slope: float, w2: float, b2: float
                ) -> tuple[float, float]:
        """(σ_w², σ_b²) range ends: the activation's defaults, widened to a round number past
        the point when it lies beyond them (sigmoid with a large gain sat clamped in the
        corner of a 0-250 axis, at a σ_w² it did not have)."""
        cache = self.__dict__.setdefault("_default_w2", {})
        if (activation, slope) not in cache:
            cache[(activation, slope)] = default_w2_max(activation, slope)
        return (_range_end(cache[(activation, slope)], w2), _range_end(B2_MAX, b2))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        """The grid and the point are only computed while the tab is shown: catch up (the
        curve catches up by itself, :mod:`gradexplorer.gui.when_shown`)."""
        super().showEvent(event)
        self.set_spec(self._spec)

    def _n_features(self, spec: NetworkSpec) -> int | None:
        """n_0 for digits/file inputs, from the last run of this input (else None)."""
        if spec.input not in ("digits", "file"):
            return None
        result = self.state.result()
        if result is None or result.start is None:
            return None
        return result.start.widths[0]

    def current_point(self) -> tuple[float, float]:
        """(σ_w² of layer 1, σ_b²) of the spec shown."""
        return spec_point(self._spec, self._n_features(self._spec))

    def _place_point(self, readout: bool = True) -> None:
        w2, b2 = self.current_point()
        self._syncing = True
        try:
            self.plot.set_point(w2, b2)
        finally:
            self._syncing = False
        if readout:
            self._update_readout(w2, b2)

    # --- dragging -----------------------------------------------------------------------------
    def _on_dragged(self, *_args) -> None:
        if not self._syncing:
            if getattr(self.plot.target, "moving", False) and not self._dragging:
                self._dragging = True  # the mouse took the point: one drag until release
                self.state.drag_started()
            self._apply_throttled()

    def _on_drag_finished(self, *_args) -> None:
        if not self._syncing:
            self._dragging = False
            self._apply_throttled.flush()
            if self._spec is not None and self.isVisible():
                # released past an axis or the range's end, the point sat off the plot: it
                # shows the value applied (its readout is written), in a range that holds it
                self._ensure_grid()
                self._place_point(readout=False)
            self.state.drag_finished()

    def _apply_point(self) -> None:
        if self._spec is None:
            return
        w2, b2 = self.plot.point()
        w2, b2 = max(w2, 0.0), max(b2, 0.0)
        try:
            spec = spec_at_point(self._spec, w2, b2, self._n_features(self._spec))
        except ValueError as exc:  # e.g. the zeros initializer: no gain reaches σ_w²
            self.readout.setText(f"cannot move the point: {exc}")
            return
        self._spec = spec
        self.state.set_spec(spec, "phase")  # its run starts, then the readout is written
        self._update_readout(*spec_point(spec, self._n_features(spec)))

    # --- display ------------------------------------------------------------------------------
    def _on_diagram(self, diagram) -> None:
        self.plot.show_diagram(diagram)
        if self._spec is not None:
            self._place_point()

    def _show_coverage(self, spec: NetworkSpec) -> str | None:
        """Show or hide the note saying the diagram does not describe ``spec``; return it."""
        note = not_covered(spec)
        self.note.setVisible(note is not None)
        self.note.setText(note or "")
        self.note.setToolTip(why(spec))
        self.plot.set_applicable(note is None)
        return note

    def note_text(self) -> str:
        """The coverage note above the plot ("" when the diagram describes the spec)."""
        return self.note.text() if not self.note.isHidden() else ""

    def _update_readout(self, w2: float, b2: float) -> None:
        spec = self._spec
        note = self._show_coverage(spec)
        if note is not None:
            self.readout.setText(
                f"<b>{spec.activation}</b>, L = {spec.depth} · point: σ<sub>w</sub>² = "
                f"{w2:.4g} (layer 1), σ<sub>b</sub>² = {b2:.4g}<br><b>not applicable</b>: "
                f"q*, χ1, the phase and the growth are plain-layer theory and do not describe "
                f"this network (see the note above; hover it for what holds instead).")
            return
        p = point_numbers(spec.activation, w2, b2, spec.depth, spec.negative_slope)
        notes = []
        d = self.plot.diagram
        if d is not None and (w2 > d.sigma_w2[-1] or b2 > d.sigma_b2[-1]):
            notes.append("the setting lies beyond the plotted range (the point sits at the edge)")
        if spec.widths is not None or spec.layer_widths()[0] != spec.layer_widths()[1]:
            notes.append("widths differ between layers: the diagram uses layer 1's σ_w²")
        if spec.init == "lsuv":
            notes.append("LSUV rescales on the data: σ_w² here is the orthogonal start's (approx.)")
        if spec.init in ("orthogonal", "lsuv"):
            notes.append("orthogonal weights follow the Gaussian theory only approximately")
        growth = (f"{p.growth + 0.0:+.2f}".replace("-0.00", "0.00").replace("+0.00", "0.00")
                  if math.isfinite(p.growth) else ("+∞" if p.growth > 0 else "−∞"))
        depth = f"{p.trainable_depth:.3g}" if math.isfinite(p.trainable_depth) else "∞"
        fits = "" if not math.isfinite(p.trainable_depth) else (
            " (L is within it)" if spec.depth <= p.trainable_depth else
            " (L is deeper: hard to train)")
        q_text = ("≈ 0" if p.q_star < 1e-12 else f"= {p.q_star:.4g}" if math.isfinite(p.q_star)
                  else "= ∞ (the length map diverges)")
        text = (f"<b>{spec.activation}</b>, L = {spec.depth} · point: σ<sub>w</sub>² = {w2:.4g} "
                f"(layer 1), σ<sub>b</sub>² = {b2:.4g} — gain {spec.gain:g}, σ<sub>b</sub> = "
                f"{spec.bias_std if spec.bias_init == 'normal' else 0:g}<br>"
                f"q* {q_text} · χ1 = {p.chi1:.4f} → <b>{p.phase}</b> · gradient RMS, "
                f"layer 1 vs L, at q*: {growth} decades · 6 |ξ_∇| = {depth} layers{fits}<br>"
                # short, so the diagram keeps its height at a large presentation scale; the
                # tool tip says the rest
                "<i>At the fixed point q* (infinite depth); the Layers tab's dashed curve "
                "follows the actual q_l (hover).</i>")
        if notes:
            text += "<br><i>" + "; ".join(notes) + "</i>"
        self.readout.setText(text)

    def readout_text(self) -> str:
        """The readout below the plot (rich text)."""
        return self.readout.text()

    def shutdown(self) -> None:
        """Drop a pending throttled apply and stop computing grids."""
        self._apply_throttled.cancel()
        self.grid.cancel()


@functools.lru_cache(maxsize=512)
def point_numbers(activation: str, sigma_w2: float, sigma_b2: float, depth: int,
                  negative_slope: float):
    """:func:`~gradexplorer.engine.theory.phase_diagram.phase_point`, cached by its exact
    arguments (~2.4 ms each: the fixed point q* by quadrature). The σ_w², σ_b² of a spec come
    from its gain and σ_b, rounded to 4 and 3 decimals, so a drag revisits exact values."""
    return phase_point(activation, sigma_w2, sigma_b2, depth, negative_slope=negative_slope)


def _range_end(default: float, value: float) -> float:
    """``default``, or when ``value`` lies beyond it the round number (1, 2, 2.5 or 5 times
    a power of ten) at or above 1.25 × ``value``: the point well inside, never on the edge."""
    if not math.isfinite(value) or value <= default:
        return default
    want = 1.25 * value
    power = 10.0 ** math.floor(math.log10(want))
    return next(power * m for m in (1, 2, 2.5, 5, 10) if power * m >= want)


def _grid_work(kwargs: dict, ctx: JobContext):
    """The ``"phase-grid"`` lane's work: one diagram, cancelled every 20 grid rows if asked."""
    yield phase_diagram(**kwargs, cancel=ctx.cancelled)  # Cancelled: the worker's quiet stop


def _verdict_text(result) -> str:
    """The gradient verdict of ``result`` in plain words ("" until its backward pass is done)."""
    if result is None or result.end is None:
        return ""
    from gradexplorer.engine.runs.verdict import gradient_verdict

    return gradient_verdict(result.series("log10_grad_preact_rms")).text


def make_phase_view(state: AppState, runner: JobRunner) -> PhaseView:
    """Factory for :data:`gradexplorer.gui.views.EXTRA_VIEWS`."""
    return PhaseView(state, runner)
