"""The shown run's records, in stream order, to the dashboard, theory, status bar and state.

The window's ``"layers"`` lane delivers a run's records in paced batches
(:mod:`gradexplorer.gui.jobs.runner`); :class:`RunFeed` gives each batch to the dashboard and
the mean-field overlay and sets the status bar (progress, verdict, run time, data description)
from the same records, so header, σ_w², verdict, progress and curves always describe the same
run. It also knows which submitted run is a drag's preview (fewer batch rows) and which spec
each run computes. A pin's run never comes here (:mod:`~gradexplorer.gui.pin_replay`).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.records import (
    BackwardLayer,
    ForwardLayer,
    RunEnd,
    RunStart,
    TheoryLayers,
)
from gradexplorer.gui.run_status import PENDING_TEXT, preview_text, run_time_text

if TYPE_CHECKING:
    from gradexplorer.gui.main_window import MainWindow

#: The progress bar is set at most this often (seconds) while records stream: QProgressBar
#: repaints itself synchronously (``repaint()``, not ``update()``) whenever its text changes.
PROGRESS_SECONDS = 0.1


class RunFeed:
    """The runs submitted by ``window`` and the one its plots show."""

    def __init__(self, window: MainWindow):
        self.w = window
        self.dashboard: Any = window.dashboard  # a Dashboard (tests may give a stand-in)
        self.specs: dict[int, NetworkSpec] = {}  # run id -> spec, for runs not shown yet
        self.previews: dict[int, int] = {}  # run id -> batch rows of a fast first pass
        self.shown_id = 0  # run id whose records the plots show
        self.run_spec: NetworkSpec | None = None  # spec of the run the plots show
        self._layers_done = 0
        self._progress_shown = 0.0  # perf_counter() of the last progress bar update

    def on_records(self, run_id: int, records: list) -> None:
        """Records of run ``run_id`` (paced by the lane): feed the dashboard and the status bar."""
        if self.w._pin_runs.owns(run_id):
            self.w._pin_runs.take(run_id, records)
            return
        started = time.perf_counter()
        if any(isinstance(rec, RunEnd) for rec in records):
            self.w.state.flush_pending()  # a drag's next value computes while this one draws
        ended = self._feed(run_id, records)
        if hasattr(self.dashboard, "settle_views"):
            self.dashboard.settle_views()  # one repaint for the batch, not two
        if ended is not None or started - self._progress_shown >= PROGRESS_SECONDS:
            self._progress_shown = started
            self.w.progress.setValue(min(self._layers_done, self.w.progress.maximum()))
        if ended is not None:
            self._run_ended(run_id, ended)

    def _feed(self, run_id: int, records: list) -> RunEnd | None:
        """Give ``records`` to the dashboard in stream order; return the run's end if among them.

        A run's mean-field prediction is drawn after the layer records that came with it, so
        the plots fit their ranges to the measurement first (the other way round, each run of
        a drag fitted them twice).
        """
        chunk: list = []
        theory: list[TheoryLayers] = []
        ended: RunEnd | None = None

        def feed_chunk() -> None:
            nonlocal chunk, theory
            if chunk:
                self.dashboard.add_records(chunk)
            for prediction in theory:
                self.w.theory.show(prediction)
            chunk, theory = [], []

        for rec in records:
            if isinstance(rec, RunStart):
                chunk, theory = [], []
                self._run_start(run_id, rec)
                continue
            self.w._pin_runs.keep(rec)  # to redraw this run after a pin's (when pins are due)
            if isinstance(rec, RunEnd):
                feed_chunk()
                # axes narrow again only when nothing else is coming (not between a burst's
                # runs: a narrower label, then a wider one, re-laid every plot out twice)
                self.dashboard.finish_run(rec, release_axes=run_id not in self.previews
                                          and not self.w.lane.is_running())
                ended = rec
                continue
            chunk.append(rec)
            if isinstance(rec, (ForwardLayer, BackwardLayer)):
                self._layers_done += 1
            elif isinstance(rec, TheoryLayers):
                theory.append(rec)
        feed_chunk()
        return ended

    def _run_start(self, run_id: int, rec: RunStart) -> None:
        """A run's first record: reset the dashboard, progress and status for it."""
        self.shown_id = run_id
        self.run_spec = self.specs.get(run_id) or NetworkSpec.from_dict(rec.config)
        self.dashboard.begin_run(rec)
        if hasattr(self.dashboard, "headline"):
            rows = self.previews.get(run_id)
            self.dashboard.headline.set_mark(preview_text(rows) if rows else "")
        self._layers_done = 0
        self.w._pin_runs.run_started(rec)
        self.w.panel.show_run_start(rec)
        self._progress_format(len(rec.widths) - 1)
        self.w.progress.setRange(0, 2 * (len(rec.widths) - 1))
        self.w.verdict.set_verdict("…")
        self.w.run_time.setText(PENDING_TEXT if self.w.lane.has_queued() else "running…")
        if not self.w._error_shown:
            self.w.show_message(rec.data_description)
        self.w.state.run_started(self.run_spec)

    def _run_ended(self, run_id: int, end: RunEnd) -> None:
        for old in [i for i in self.specs if i <= run_id]:
            del self.specs[old]
        rows = self.previews.get(run_id)
        self.previews = {i: r for i, r in self.previews.items() if i >= run_id}
        self.w.run_time.setText(f"{preview_text(rows)}, {end.seconds:.2f} s" if rows
                                else f"{end.seconds:.2f} s")
        verdict = self.dashboard.run_verdict()
        self.w.verdict.set_verdict(verdict.status if verdict else "",
                                   verdict.details if verdict else ())
        if end.warnings:
            self.w.show_message("; ".join(end.warnings))
        if self.run_spec is not None:
            self.w.state.set_result(self.dashboard.result(), self.run_spec)
        self.mark_pending()
        self.w._pin_runs.run_ended(run_id)

    def mark_pending(self) -> None:
        """Say in the run time label whether the plots are behind the controls."""
        text = run_time_text(self.w.state.spec(), self.run_spec,
                             self.previews.get(self.shown_id), queued=self.w.lane.has_queued(),
                             running=self.w.lane.is_running(), started=self.w.progress.value() > 0)
        if text is not None:
            self.w.run_time.setText(text)

    def _progress_format(self, depth: int) -> None:
        """The bar counts forward and backward passes through the layers: say so (a 20-layer
        net takes 40 steps; "0 / 40 layers" read as 40 layers)."""
        self.w.progress.setFormat(f"L = {depth}: %p %")
        self.w.progress.setToolTip(f"Progress of this run: forward through layers 1..{depth}, "
                                 f"then backward {depth}..1 ({2 * depth} steps).")
