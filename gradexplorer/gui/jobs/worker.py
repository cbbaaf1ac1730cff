"""The worker side of a lane: a plain ``QObject`` on its own ``QThread`` that iterates jobs.

It never reads a widget. For each request ``(run_id, work, payload, context, batch_seconds)`` it
iterates ``work(payload, context)`` and reports, with the run id, one event at a time through
:attr:`JobWorker.sigEvent`: ``("started", None)``, ``("yielded", list)`` (a new list each time,
never touched again), ``("finished", None)``, ``("errored", (field, message))`` or
``("aborted", None)`` — superqt's worker vocabulary.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

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

    @Slot(int, object, object, object, float)
    def run(self, run_id: int, work: Work, payload: Any, ctx: JobContext,
            batch_seconds: float) -> None:
        """Run ``work(payload, ctx)`` unless ``ctx`` is (or becomes) cancelled."""
        if ctx.cancelled():
            self.sigEvent.emit(run_id, "aborted", None)
            return
        self.sigEvent.emit(run_id, "started", None)
        completed = False
        gen = None
        try:
            gen = iter(work(payload, ctx))
            batch: list[Any] = []
            last = time.perf_counter()
            while not ctx.cancelled():
                if ctx.gate is not None and not ctx.gate.wait():
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
