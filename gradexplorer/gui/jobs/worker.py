"""The worker side of a lane: a plain ``QObject`` on its own ``QThread`` that iterates jobs.

It never reads a widget. For each request ``(run_id, work, payload, context, batch_seconds)`` it
iterates ``work(payload, context)`` and reports, with the run id, one event at a time through
:attr:`JobWorker.sigEvent`: ``("started", None)``, ``("yielded", list)`` (a new list each time,
never touched again), ``("finished", None)``, ``("errored", (field, message))`` or
``("aborted", None)`` — superqt's worker vocabulary.

The engine's :class:`~gradexplorer.engine.compute.cancel.Cancelled` (raised from inside long
work once the run's token is set) is a quiet stop here, in this one place: it ends the run as
``"aborted"``, never as an error. :attr:`JobWorker.current` is the run being computed (None
when idle) so the lane can tell a busy worker from an idle one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from gradexplorer.engine.compute.cancel import Cancelled
from gradexplorer.engine.model.spec import SpecError
from gradexplorer.gui.jobs.context import JobContext

Work = Callable[[Any, JobContext], Iterable[Any]]


class JobWorker(QObject):
    """Iterates one job at a time; see the module docstring for its events.

    Signals
    -------
    sigEvent(run_id: int, kind: str, data: object)
    """

    sigEvent = Signal(int, str, object)

    def __init__(self) -> None:
        super().__init__()
        self.current: int | None = None  # read by the GUI thread: a plain attribute write
        self.since = 0.0  # time.perf_counter() when ``current`` (or ``last``) began
        self.last: int | None = None  # the run begun last (kept after it ended)

    @Slot(int, object, object, object, float)
    def run(self, run_id: int, work: Work, payload: Any, ctx: JobContext,
            batch_seconds: float) -> None:
        """Run ``work(payload, ctx)`` unless ``ctx`` is (or becomes) cancelled."""
        if ctx.cancelled():
            self.sigEvent.emit(run_id, "aborted", None)
            return
        self.since = time.perf_counter()
        self.last = self.current = run_id
        try:
            self._run(run_id, work, payload, ctx, batch_seconds)
        finally:
            self.current = None

    def _run(self, run_id: int, work: Work, payload: Any, ctx: JobContext,
             batch_seconds: float) -> None:
        self.sigEvent.emit(run_id, "started", None)
        completed = False
        gen = None
        try:
            gen = iter(work(payload, ctx))
            batch: list[Any] = []
            last = time.perf_counter()

            def hand_over() -> None:  # about to pause: show what was computed first
                nonlocal batch
                if batch:
                    self.sigEvent.emit(run_id, "yielded", batch)
                    batch = []

            while not ctx.cancelled():
                if ctx.gate is not None and not ctx.gate.wait(hand_over):
                    break
                try:
                    record = next(gen)
                except StopIteration:
                    completed = True
                    break
                batch.append(record)
                now = time.perf_counter()
                if now - last >= batch_seconds:
                    self.sigEvent.emit(run_id, "yielded", batch)
                    batch, last = [], now
            if batch and not ctx.cancelled():
                self.sigEvent.emit(run_id, "yielded", batch)
        except Cancelled:  # the token was set inside long work: a quiet stop
            pass
        except SpecError as exc:
            self.sigEvent.emit(run_id, "errored", (exc.field or "", str(exc)))
            return
        except MemoryError:
            self.sigEvent.emit(run_id, "errored", (
                "batch", "not enough memory for this run: reduce batch, width or depth"))
            return
        except Exception as exc:  # noqa: BLE001 - a bug must not kill the thread
            self.sigEvent.emit(run_id, "errored",
                               ("", f"internal error: {type(exc).__name__}: {exc}"))
            return
        finally:
            close = getattr(gen, "close", None)
            if close is not None:
                close()
        done = completed and not ctx.cancelled()
        self.sigEvent.emit(run_id, "finished" if done else "aborted", None)
