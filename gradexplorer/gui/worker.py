"""Run the engine off the GUI thread and stream its records back in batches.

:class:`PropagationWorker` is a plain ``QObject`` living on a ``QThread``; it only iterates the
engine generator. :class:`RunController` lives on the GUI thread, owns the thread and the worker,
hands out run ids and drops every answer that is not for the current run (the ephyviewer pattern).

A request carries ``(run_id, spec, cancel)``: the spec is a frozen
:class:`~gradexplorer.engine.model.spec.NetworkSpec`, ``cancel`` a :class:`threading.Event` that the
controller sets as soon as a newer request arrives. The worker checks it between records, so a
stale run stops at once, and a burst of queued requests collapses to the latest: every request but
the last finds its event already set and returns without touching the engine.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, QThread, Signal, Slot

from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.engine.runs.records import Record

Propagate = Callable[[NetworkSpec], Iterator[Record]]

#: The worker emits what it has collected at most this often (seconds); the GUI redraws slower.
BATCH_SECONDS = 1 / 120


def _engine_propagate(spec: NetworkSpec) -> Iterator[Record]:
    """Import the engine lazily so the window opens even when the engine cannot be imported."""
    from gradexplorer.engine.runs.propagation import propagate

    return propagate(spec)


class PropagationWorker(QObject):
    """Iterates ``propagate(spec)`` and emits lists of records.

    Parameters
    ----------
    propagate : callable, optional
        ``spec -> Iterator[Record]``; defaults to
        :func:`gradexplorer.engine.runs.propagation.propagate`. Tests inject a fake.
    batch_seconds : float
        Emit the collected records when this much time has passed since the last emission.

    Signals
    -------
    sigRecords(run_id: int, records: list)
        A new list each time; the worker never touches it again.
    sigFailed(run_id: int, field: str, message: str)
        The engine rejected the spec (``field`` is the spec field, ``""`` when none applies).
    sigDone(run_id: int, completed: bool)
        The run ended: ``completed`` is False when it was cancelled or failed.
    """

    sigRecords = Signal(int, list)
    sigFailed = Signal(int, str, str)
    sigDone = Signal(int, bool)

    def __init__(self, propagate: Propagate | None = None, batch_seconds: float = BATCH_SECONDS):
        super().__init__()
        self._propagate = propagate or _engine_propagate
        self._batch_seconds = batch_seconds

    @Slot(int, object, object)
    def run(self, run_id: int, spec: NetworkSpec, cancel: threading.Event) -> None:
        """Run ``spec`` unless ``cancel`` is (or becomes) set; see the class signals."""
        if cancel.is_set():
            self.sigDone.emit(run_id, False)
            return
        completed = False
        gen = None
        try:
            gen = iter(self._propagate(spec))
            batch: list[Record] = []
            last = time.perf_counter()
            for record in gen:
                if cancel.is_set():
                    break
                batch.append(record)
                now = time.perf_counter()
                if now - last >= self._batch_seconds:
                    self.sigRecords.emit(run_id, batch)
                    batch = []
                    last = now
            else:
                completed = True
            if batch and not cancel.is_set():
                self.sigRecords.emit(run_id, batch)
        except SpecError as exc:
            self.sigFailed.emit(run_id, exc.field or "", str(exc))
        except MemoryError:
            self.sigFailed.emit(run_id, "batch", "not enough memory for this run: "
                                                 "reduce batch, width or depth")
        except Exception as exc:  # noqa: BLE001 - a bug must not kill the thread
            self.sigFailed.emit(run_id, "", f"internal error: {type(exc).__name__}: {exc}")
        finally:
            if gen is not None and hasattr(gen, "close"):
                gen.close()
        self.sigDone.emit(run_id, completed and not cancel.is_set())


class RunController(QObject):
    """GUI-side owner of the worker thread; forwards only the current run's answers.

    Parameters
    ----------
    propagate : callable, optional
        Passed to :class:`PropagationWorker`; any ``request -> Iterator`` works (the training view
        passes its own job objects through :meth:`request`).
    parent : QObject, optional
    batch_seconds : float
        Passed to :class:`PropagationWorker` (0: emit every record at once).
    name : str
        Object name of the worker thread (shown in diagnostics and leak reports).

    Signals
    -------
    sigRecords(run_id: int, records: list)
    sigFailed(run_id: int, field: str, message: str)
    sigDone(run_id: int, completed: bool)
        Same as the worker's, but only for :attr:`current_id`.
    """

    sigRecords = Signal(int, list)
    sigFailed = Signal(int, str, str)
    sigDone = Signal(int, bool)
    _sigRequest = Signal(int, object, object)

    def __init__(self, propagate: Propagate | None = None, parent: QObject | None = None, *,
                 batch_seconds: float = BATCH_SECONDS, name: str = "gradexplorer-engine"):
        super().__init__(parent)
        self._current_id = 0
        self._cancel = threading.Event()
        self._running = False
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._worker = PropagationWorker(propagate, batch_seconds)
        self._worker.moveToThread(self._thread)
        self._sigRequest.connect(self._worker.run)
        self._worker.sigRecords.connect(self._on_records)
        self._worker.sigFailed.connect(self._on_failed)
        self._worker.sigDone.connect(self._on_done)
        self._thread.start()

    @property
    def current_id(self) -> int:
        """Id of the latest request (0 before the first)."""
        return self._current_id

    def is_running(self) -> bool:
        """True from a request until its run ends, fails or is superseded and shut down."""
        return self._running

    def request(self, spec: NetworkSpec) -> int:
        """Cancel the current run and queue ``spec``; return its run id."""
        self._cancel.set()
        self._cancel = threading.Event()
        self._current_id += 1
        self._running = True
        self._sigRequest.emit(self._current_id, spec, self._cancel)
        return self._current_id

    def cancel(self) -> None:
        """Stop the current run (its remaining records are dropped)."""
        self._cancel.set()
        self._current_id += 1
        self._running = False

    def shutdown(self) -> None:
        """Cancel, stop the thread's event loop and wait for it. Safe to call twice."""
        self.cancel()
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()

    def worker_thread(self) -> QThread:
        """The worker thread (for tests and diagnostics)."""
        return self._thread

    @Slot(int, list)
    def _on_records(self, run_id: int, records: list) -> None:
        if run_id == self._current_id:
            self.sigRecords.emit(run_id, records)

    @Slot(int, str, str)
    def _on_failed(self, run_id: int, field: str, message: str) -> None:
        if run_id == self._current_id:
            self.sigFailed.emit(run_id, field, message)

    @Slot(int, bool)
    def _on_done(self, run_id: int, completed: bool) -> None:
        if run_id == self._current_id:
            self._running = False
            self.sigDone.emit(run_id, completed)
