"""The job runner: one lane per kind of background work, one policy for all of them.

A :class:`Lane` owns a worker thread (:class:`~.worker.JobWorker`, started on first use), hands
out run ids, gives each run a cancel token (:class:`~.context.JobContext`), drops every event of
a cancelled run in :meth:`Lane._on_event` (the one place stale answers die), queues the rest and
delivers them on a paced QTimer (≤ 60 Hz; after a slow redraw the GUI first gets a quarter of
its cost for the mouse and other widgets; events arriving at an idle GUI are delivered at
once) through superqt-style signals: ``sigStarted``, ``sigYielded``, ``sigFinished``,
``sigErrored``, ``sigAborted`` and, after each of the last three, ``sigEnded(run_id, completed)``.

The drag policy (:meth:`Lane.submit` with ``coalesce=True``): cancelling the run in flight for
every new value starves a drag — when values come faster than a run lasts, nothing ever
completes. Instead the run in flight is let finish when, by the lane's measured run time, it
ends within ``max(FINISH_SOON, min(run time, LET_FINISH))`` seconds (so runs up to
:data:`LET_FINISH` always finish) or when the plots have shown no new result for
:data:`STALE_MAX` seconds (so even long runs show a result per run time while the mouse
moves). The newest value is handed to the worker at once and starts the moment the run in
flight ends, on the worker thread (it does not wait for the busy GUI to take that run's
events); a newer value cancels it before it starts (the worker skips a cancelled run) and
takes its place: complete results keep coming at the rate the engine allows, the latest value
always runs last, and a superseded value is never started. Otherwise — or when the
run in flight overran its estimate by more than :data:`FINISH_SOON` (the estimate is then
raised to what it has taken so far) — it is cancelled as before. Coalesced runs are delivered
whole (one batch at the end) when shorter than :data:`WHOLE_BELOW`, or, during a burst of
values, than :data:`LET_FINISH`: the plots then go from one complete run to the next and never
show a half-drawn run of one value where the complete run of another just was. When two coalesced
runs complete between two deliveries, only the later is delivered (the earlier ends as
aborted): both would be drawn in one go and the first never seen.

:class:`~gradexplorer.gui.jobs.JobRunner` (the package's) is what views receive:
``runner.lane(name, work)``; ``runner.shutdown()`` cancels every lane and quits its thread.

Nothing waits for cancelled work on the GUI thread: cancelling the run the worker is computing
retires its thread (:mod:`.retired`: it quits by itself once the engine notices the token) and
the lane's next run starts at once on a fresh thread; :meth:`Lane.shutdown` waits at most
:data:`SHUTDOWN_WAIT` seconds (shared by all lanes of a runner) before retiring the thread too.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from gradexplorer.gui.jobs.context import JobContext, PauseGate
from gradexplorer.gui.jobs.retired import retire
from gradexplorer.gui.jobs.run_times import RunTimes
from gradexplorer.gui.jobs.worker import JobWorker, Work

#: The worker emits what it has collected at most this often (seconds) while a run streams.
BATCH_SECONDS = 1 / 120
#: A run in flight expected to end within this many seconds is let finish when a newer
#: coalesced value arrives (the newer value runs right after it).
FINISH_SOON = 0.25
#: Runs measured shorter than this (seconds) are always let finish during a drag.
LET_FINISH = 1.0
#: Without a new result for this long (seconds), the run in flight is let finish whatever it
#: costs: a drag of a slow network still shows one complete result per run time.
STALE_MAX = 2.0
#: Coalesced runs whose measured run time is below this (seconds) are delivered whole.
WHOLE_BELOW = 0.3
#: A drag's full run after the release (``burst=True, let_finish=False``) is delivered whole
#: up to this many seconds: the complete preview stays on screen until the exact result
#: replaces it, instead of plots cleared and redrawn layer by layer (at 200 × 256 a streamed
#: full run took ~1.5 s, its ~60 partial redraws contending with the engine; ~1.1 s whole).
WHOLE_AFTER_DRAG = 2.0
#: Shortest delivery interval (≤ 60 Hz) and the longest the adaptive interval may grow to (ms).
PACE_MS = 16
MAX_PACE_MS = 250
#: Closing waits at most this long (seconds, all lanes together) for cancelled work to end.
SHUTDOWN_WAIT = 0.25
#: After a delivery that cost ``t`` seconds (handling plus the last repaint) the GUI gets
#: ``REST_FACTOR · t`` for everything else (mouse, slider, other widgets) before the next one,
#: and deliveries start at most every :data:`PACE_MS`. A larger factor caps a drag's redraws at
#: ``1 / ((1 + REST_FACTOR) · t)``: at 1.0 a 35 ms redraw allowed only 14 a second, while the
#: mouse needs far less than 9 ms between two redraws.
REST_FACTOR = 0.25


class Lane(QObject):
    """One kind of background work (e.g. propagation) on its own worker thread.

    Parameters
    ----------
    name : str
        Names the worker thread ``gradexplorer-<name>``.
    work : callable
        ``(payload, context) -> Iterable`` run on the worker thread; it should poll
        ``context.cancelled`` (or hand it to the engine) if single steps take long.
    batch_seconds : float
        While a run streams, records are sent to the GUI thread at most this often (0: each
        record at once, e.g. training, whose records must show while it is paused).
    cost_key : callable, optional
        ``payload -> key``: runs with equal keys cost about the same time; the drag policy
        keeps one run-time estimate per key (default: one for all runs).

    Signals
    -------
    sigStarted(run_id) ; sigYielded(run_id, list) ; sigFinished(run_id) ;
    sigErrored(run_id, field, message) ; sigAborted(run_id) ; sigEnded(run_id, completed)
        Only for runs that were not cancelled, in the order the worker produced them.
    """

    sigStarted = Signal(int)
    sigYielded = Signal(int, list)
    sigFinished = Signal(int)
    sigErrored = Signal(int, str, str)
    sigAborted = Signal(int)
    sigEnded = Signal(int, bool)
    _sigRun = Signal(int, object, object, object, float)

    def __init__(self, name: str, work: Work, *, batch_seconds: float = BATCH_SECONDS,
                 cost_key: Callable[[Any], Hashable] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self._work = work
        self._batch_seconds = batch_seconds
        self._ids = 0
        self._live: set[int] = set()  # sent to the worker and not cancelled
        self._dropped: set[int] = set()  # cancelled after some of its events were queued
        self._inflight: JobContext | None = None
        self._inflight_since = 0.0
        self._queued: JobContext | None = None  # sent, waits behind the run in flight
        self._coalesced: set[int] = set()  # ids of coalesced runs not ended yet
        self._events: list[tuple[int, str, Any]] = []
        self._times = RunTimes(cost_key, unknown=LET_FINISH)  # kinds not run yet: short
        self._inflight_key: Hashable = None
        self._queued_key: Hashable = None
        self._last_result = -math.inf  # perf_counter() when the last run finished
        self._paint_cost: Callable[[], float] | None = None
        self._new_worker()
        self._timer = QTimer(self)
        self._timer.setInterval(PACE_MS)
        self._timer.timeout.connect(self.flush)
        self._rest_until = 0.0  # perf_counter() before which the GUI rests from deliveries
        self._closed = False

    # --- requests -----------------------------------------------------------------------------
    @property
    def latest_id(self) -> int:
        """Id of the latest submission (0 before the first)."""
        return self._ids

    def submit(self, payload: Any, *, coalesce: bool = False, gate: PauseGate | None = None,
               let_finish: bool = True, burst: bool = False) -> int:
        """Run ``work(payload, context)``; return the run id.

        ``coalesce=False`` cancels whatever runs. ``coalesce=True`` applies the drag policy
        (module docstring); with ``let_finish=False`` the run in flight is cancelled all the
        same (the drag ended: its full run should not wait for a preview nobody needs), but the
        new run is still delivered whole when short. ``burst=True`` says the run is part of a
        drag even with nothing in flight (its first value): delivered whole up to
        :data:`LET_FINISH`, as the drag's later runs. ``gate`` makes the run pausable
        (:class:`PauseGate`).
        """
        self._ids += 1
        run_id = self._ids
        if self._closed:
            return run_id
        if coalesce:
            self._coalesced.add(run_id)
        if coalesce and let_finish and self._inflight is not None and self._finishes_soon():
            self._drop_queued()
            key = self._times.key(payload)
            self._queued = self._post(run_id, payload, gate, whole=self._whole(True, key))
            self._queued_key = key
            return run_id
        self._drop_queued()
        cancelled = self._inflight is not None
        if cancelled:  # cancelled after this long: it lasts at least that
            self._times.lasted_at_least(self._inflight_key,
                                        time.perf_counter() - self._inflight_since)
        self._cancel_inflight()
        self._inflight_key = self._times.key(payload)
        limit = LET_FINISH if let_finish else WHOLE_AFTER_DRAG
        whole = coalesce and self._whole(burst or cancelled, self._inflight_key, limit)
        self._send(run_id, payload, gate, whole=whole)
        return run_id

    def _whole(self, burst: bool, key: Hashable, burst_limit: float = LET_FINISH) -> bool:
        """Deliver a coalesced run (of kind ``key``) in one batch? Short runs always; in a
        burst, up to ``burst_limit`` seconds (a half-drawn run would replace the complete
        one)."""
        limit = burst_limit if burst else WHOLE_BELOW
        seconds = self._times.estimate(key)
        return seconds is not None and seconds <= limit

    @property
    def _duration(self) -> float | None:
        """Seconds the run in flight is expected to take (None: nothing known yet)."""
        return self._times.estimate(self._inflight_key)

    def cancel(self) -> None:
        """Cancel the run in flight and forget a queued value (their events are dropped)."""
        self._drop_queued()
        self._cancel_inflight()

    def is_running(self) -> bool:
        """True while a run computes, waits in the queue, or has events not delivered yet."""
        return self._inflight is not None or self._queued is not None or bool(self._events)

    def has_queued(self) -> bool:
        """True while a newer value waits for the run in flight (the display is behind)."""
        return self._queued is not None

    def run_seconds(self) -> float | None:
        """Smoothed wall time of a completed run (None before the first)."""
        return self._duration

    def set_paint_cost(self, cost: Callable[[], float]) -> None:
        """``cost()``: seconds the consumer's last repaint took (slows delivery to match)."""
        self._paint_cost = cost

    def computing(self) -> int | None:
        """Id of the run the lane's current worker is inside of (None when idle)."""
        return self._worker.current

    def computing_since(self) -> float:
        """``time.perf_counter()`` when the worker began the run :meth:`computing` names."""
        return self._worker.since

    def worker_thread(self) -> QThread:
        """The worker thread (for tests and diagnostics)."""
        return self._thread

    def shutdown(self, deadline: float | None = None) -> None:
        """Cancel, stop delivering and quit the thread; wait for it until ``deadline``
        (``time.perf_counter()`` value; default :data:`SHUTDOWN_WAIT` from now), then retire it
        (:mod:`.retired`) rather than block the GUI. Safe to call twice."""
        self._closed = True
        self.cancel()
        self._timer.stop()
        self._events = []
        if self._thread.isRunning():
            self._thread.quit()
            if deadline is None:
                deadline = time.perf_counter() + SHUTDOWN_WAIT
            left_ms = int(max(0.0, deadline - time.perf_counter()) * 1000)
            if not self._thread.wait(left_ms):
                retire(self._thread, self._worker)

    # --- internals ----------------------------------------------------------------------------
    def _new_worker(self) -> None:
        """A fresh worker on a fresh (not yet started) thread."""
        self._thread = QThread()
        self._thread.setObjectName(f"gradexplorer-{self.name}")
        self._worker = JobWorker()
        self._worker.moveToThread(self._thread)
        self._sigRun.connect(self._worker.run)
        self._worker.sigEvent.connect(self._on_event)

    def _retire_busy_worker(self) -> None:
        """The worker computes a cancelled run: let its thread end by itself, go on with a new
        one (the next run must not wait behind work that was just cancelled)."""
        if self._worker.current is None or not self._thread.isRunning():
            return
        self._sigRun.disconnect(self._worker.run)
        retire(self._thread, self._worker)
        self._new_worker()
        self._thread.start()  # ready before the next submit (a Start right after Stop)


    def _finishes_soon(self) -> bool:
        """Whether a coalesced value should wait for the run in flight (module docstring)."""
        if self._duration is None:
            return False
        now = time.perf_counter()
        elapsed = now - self._inflight_since
        if elapsed > self._duration + FINISH_SOON:  # the estimate was wrong: do not trust it
            return False
        if self._duration - elapsed <= max(FINISH_SOON, min(self._duration, LET_FINISH)):
            return True
        return now - self._last_result >= STALE_MAX

    def _send(self, run_id: int, payload: Any, gate: PauseGate | None, whole: bool) -> None:
        self._inflight = self._post(run_id, payload, gate, whole)
        self._inflight_since = time.perf_counter()

    def _post(self, run_id: int, payload: Any, gate: PauseGate | None,
              whole: bool) -> JobContext:
        """Hand the run to the worker (it starts when the worker is free); return its token."""
        ctx = JobContext(run_id, gate=gate)
        self._live.add(run_id)
        if not self._thread.isRunning():
            self._thread.start()
        self._sigRun.emit(run_id, self._work, payload, ctx,
                          math.inf if whole else self._batch_seconds)
        return ctx

    def _drop_queued(self) -> None:
        """Forget the value waiting behind the run in flight: its token is cancelled, so the
        worker skips it (it never starts) and nothing of it is delivered."""
        ctx, self._queued = self._queued, None
        if ctx is None:
            return
        ctx.cancel()
        self._coalesced.discard(ctx.run_id)
        self._live.discard(ctx.run_id)
        self._dropped.add(ctx.run_id)
        self._events = [e for e in self._events if e[0] != ctx.run_id]

    def _cancel_inflight(self) -> None:
        ctx, self._inflight = self._inflight, None
        if ctx is None:
            return
        ctx.cancel()
        self._retire_busy_worker()
        self._coalesced.discard(ctx.run_id)
        self._live.discard(ctx.run_id)
        self._dropped.add(ctx.run_id)
        self._events = [e for e in self._events if e[0] != ctx.run_id]
        self.sigAborted.emit(ctx.run_id)
        self.sigEnded.emit(ctx.run_id, False)

    def _on_event(self, run_id: int, kind: str, data: Any) -> None:
        if run_id not in self._live:  # cancelled: its answers are stale, whatever they are
            return
        if kind in ("finished", "errored", "aborted"):
            self._live.discard(run_id)
            if self._inflight is not None and self._inflight.run_id == run_id:
                if kind == "finished":
                    self._last_result = time.perf_counter()
                    took = time.perf_counter() - self._inflight_since
                    self._times.completed(self._inflight_key, took)
                self._inflight = None
                if self._queued is not None:  # already with the worker: it started at once
                    self._inflight, self._queued = self._queued, None
                    self._inflight_key = self._queued_key
                    self._inflight_since = (self._worker.since
                                            if self._worker.last == self._inflight.run_id
                                            else time.perf_counter())
        self._events.append((run_id, kind, data))
        if not self._timer.isActive():
            # an idle GUI gets the events at once; a busy one only after its rest (flush)
            wait = self._rest_until - time.perf_counter()
            self._timer.start(int(min(MAX_PACE_MS, max(0.0, 1000 * wait))))

    def flush(self) -> None:
        """Deliver the queued events now (called by the paced timer; tests may call it)."""
        started = time.perf_counter()
        events, self._events = self._events, []
        superseded = self._superseded(events)
        i = 0
        while i < len(events):
            run_id, kind, data = events[i]
            i += 1
            if run_id in self._dropped:
                continue
            if run_id in superseded:
                if kind == "finished":
                    self.sigAborted.emit(run_id)
                    self.sigEnded.emit(run_id, False)
                continue
            if kind == "yielded":
                batch = list(data)
                while i < len(events) and events[i][:2] == (run_id, "yielded"):
                    batch.extend(events[i][2])
                    i += 1
                self.sigYielded.emit(run_id, batch)
            elif kind == "started":
                self.sigStarted.emit(run_id)
            elif kind == "finished":
                self.sigFinished.emit(run_id)
                self.sigEnded.emit(run_id, True)
            elif kind == "errored":
                self.sigErrored.emit(run_id, *data)
                self.sigEnded.emit(run_id, False)
            else:
                self.sigAborted.emit(run_id)
                self.sigEnded.emit(run_id, False)
        spent = time.perf_counter() - started
        if events and self._paint_cost is not None:
            spent += self._paint_cost()
        rest = min(MAX_PACE_MS, max(PACE_MS - 1000 * spent, 1000 * REST_FACTOR * spent, 1.0))
        self._timer.setInterval(int(rest))
        self._rest_until = time.perf_counter() + rest / 1000
        if not self._events:
            self._timer.stop()  # idle (a paused run too) until the next event arrives


    def _superseded(self, events: list[tuple[int, str, Any]]) -> set[int]:
        """Coalesced runs complete in ``events`` that a later complete coalesced run replaces:
        drawn in the same delivery, they would never be seen (they end as aborted instead)."""
        done = [run_id for run_id, kind, _ in events
                if kind == "finished" and run_id in self._coalesced]
        self._coalesced.difference_update(run_id for run_id, kind, _ in events
                                          if kind in ("finished", "errored", "aborted"))
        return set(done[:-1])
