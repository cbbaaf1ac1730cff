"""Run training on a worker thread, pausable between records, stoppable at any time.

:class:`TrainRunner` reuses :class:`~gradexplorer.gui.worker.RunController` (a ``QObject`` worker
on its own ``QThread``, run ids, stale answers dropped) with a job ``(spec, config, gate)`` in
place of a spec. The worker iterates :func:`gated`, which asks the :class:`PauseGate` before
pulling each record from ``train(spec, config)``: while paused the training generator is simply
not resumed (no computation, no busy wait: the worker thread sleeps on a condition variable), so
a paused and resumed run yields exactly the records of an uninterrupted one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.training.trainer import TrainConfig
from gradexplorer.gui.worker import RunController

Train = Callable[[NetworkSpec, TrainConfig], Iterator]


class PauseGate:
    """Three states shared by the GUI and the worker: running, paused, stopped.

    The worker calls :meth:`wait` before each record; it returns True to go on (at once when
    running, after :meth:`resume` when paused) and False once :meth:`stop` was called.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._paused = False
        self._stopped = False
        self._waiting = False

    def pause(self) -> None:
        """Hold the worker before its next record."""
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        """Let a paused worker go on."""
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def stop(self) -> None:
        """End the run: a waiting (or the next) :meth:`wait` returns False."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def is_paused(self) -> bool:
        return self._paused

    def is_waiting(self) -> bool:
        """True while the worker sits paused (for tests and the status line)."""
        return self._waiting

    def wait(self) -> bool:
        """Block while paused; True = pull the next record, False = stopped."""
        with self._cond:
            self._waiting = self._paused and not self._stopped
            while self._paused and not self._stopped:
                self._cond.wait()
            self._waiting = False
            return not self._stopped


def gated(records: Iterator, gate: PauseGate) -> Iterator:
    """Yield from ``records`` while ``gate`` lets through; close ``records`` when done."""
    try:
        while gate.wait():
            try:
                record = next(records)
            except StopIteration:
                return
            yield record
    finally:
        close = getattr(records, "close", None)
        if close is not None:
            close()


@dataclass(frozen=True)
class TrainJob:
    """What the worker runs: the spec and config frozen at Start, and the run's gate."""

    spec: NetworkSpec
    config: TrainConfig
    gate: PauseGate


def _engine_train(spec: NetworkSpec, config: TrainConfig) -> Iterator:
    from gradexplorer.engine.training.trainer import train

    return train(spec, config)


class TrainRunner(QObject):
    """GUI-side owner of the training thread.

    Parameters
    ----------
    train : callable, optional
        ``(spec, config) -> Iterator`` of TrainStart / TrainRecord / TrainEnd; default
        :func:`gradexplorer.engine.training.trainer.train` (tests inject a wrapper).
    parent : QObject, optional

    Signals
    -------
    sigRecords(run_id: int, records: list)
        Records of the current run only, each as soon as it is computed (the view batches
        them for display).
    sigFailed(run_id: int, field: str, message: str)
    sigDone(run_id: int, completed: bool)
        ``completed`` is False when the run was stopped or failed.
    """

    sigRecords = Signal(int, list)
    sigFailed = Signal(int, str, str)
    sigDone = Signal(int, bool)

    def __init__(self, train: Train | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._train = train or _engine_train
        self._gate = PauseGate()
        self._gate.stop()
        # batch_seconds=0: a record the worker held back would stay invisible while paused.
        self._controller = RunController(self._run, parent=self, batch_seconds=0.0,
                                         name="gradexplorer-train")
        self._controller.sigRecords.connect(self.sigRecords)
        self._controller.sigFailed.connect(self.sigFailed)
        self._controller.sigDone.connect(self.sigDone)

    def _run(self, job: TrainJob) -> Iterator:
        """Runs on the worker thread."""
        return gated(iter(self._train(job.spec, job.config)), job.gate)

    @property
    def current_id(self) -> int:
        return self._controller.current_id

    @property
    def gate(self) -> PauseGate:
        """The current run's gate."""
        return self._gate

    def start(self, spec: NetworkSpec, config: TrainConfig) -> int:
        """Stop any run and train ``spec`` with ``config``; return the run id."""
        self._gate.stop()
        self._gate = PauseGate()
        return self._controller.request(TrainJob(spec, config, self._gate))

    def pause(self) -> None:
        """Hold the run after the record being computed."""
        self._gate.pause()

    def resume(self) -> None:
        self._gate.resume()

    def stop(self) -> None:
        """End the run now (a paused run too); its remaining records are dropped."""
        self._gate.stop()
        self._controller.cancel()

    def is_running(self) -> bool:
        """True from :meth:`start` until the run ends, fails or is stopped (paused included)."""
        return self._controller.is_running()

    def is_paused(self) -> bool:
        return self.is_running() and self._gate.is_paused()

    def shutdown(self) -> None:
        """Stop the run and the thread and wait for it. Safe to call twice."""
        self._gate.stop()
        self._controller.shutdown()

    def worker_thread(self):
        """The worker QThread (for tests)."""
        return self._controller.worker_thread()
