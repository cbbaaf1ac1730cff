"""Training on the job runner: a ``"train"`` lane whose runs are pausable and stoppable.

:class:`TrainRunner` submits ``train(spec, config)`` to a :class:`~gradexplorer.gui.jobs.Lane`
with a :class:`~gradexplorer.gui.jobs.PauseGate`: the lane's worker asks the gate before pulling
each record, so while paused the training generator is simply not resumed (no computation, no
busy wait), and a paused and resumed run yields exactly the records of an uninterrupted one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import QObject

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.training.trainer import TrainConfig
from gradexplorer.gui.jobs import JobContext, JobRunner, Lane, PauseGate

Train = Callable[[NetworkSpec, TrainConfig], Iterator]

__all__ = ["PauseGate", "Train", "TrainJob", "TrainRunner"]

#: The worker sends the records it has computed at most this often (seconds).
BATCH_SECONDS = 1 / 30


@dataclass(frozen=True)
class TrainJob:
    """What the lane runs: the spec and config frozen at Start."""

    spec: NetworkSpec
    config: TrainConfig


def _engine_train(spec: NetworkSpec, config: TrainConfig, cancel=None) -> Iterator:
    from gradexplorer.engine.training.trainer import train

    return train(spec, config, cancel=cancel)


class TrainRunner(QObject):
    """Start, pause, resume and stop training runs on the runner's ``"train"`` lane.

    Parameters
    ----------
    train : callable, optional
        ``(spec, config) -> Iterator`` of TrainStart / TrainRecord / TrainEnd; default
        :func:`gradexplorer.engine.training.trainer.train` (tests inject a wrapper).
    runner : JobRunner, optional
        The window's runner (default: a runner of its own, shut down by :meth:`shutdown`).

    Attributes
    ----------
    lane : Lane
        Its signals (``sigYielded``, ``sigErrored``, ``sigEnded``) carry the current run's
        records and end, in batches of at most :data:`BATCH_SECONDS` of steps (one signal per
        batch, not per step: at hundreds of steps per second per-record delivery cost the GUI
        thread most of the CLI's speed); the worker hands its batch over before it pauses, so
        the records computed before Pause show while paused.
    """

    def __init__(self, train: Train | None = None, parent: QObject | None = None,
                 runner: JobRunner | None = None):
        super().__init__(parent)
        self._train = train or _engine_train
        self._gate = PauseGate()
        self._gate.stop()
        self._runner = runner if runner is not None else JobRunner(self)
        self.lane: Lane = self._runner.lane("train", self._work, batch_seconds=BATCH_SECONDS)

    def _work(self, job: TrainJob, ctx: JobContext) -> Iterator:
        """Runs on the worker thread; the engine polls the run's cancel token between steps."""
        if self._train is _engine_train:
            return iter(_engine_train(job.spec, job.config, ctx.cancelled))
        return iter(self._train(job.spec, job.config))

    @property
    def current_id(self) -> int:
        """Id of the latest run."""
        return self.lane.latest_id

    @property
    def gate(self) -> PauseGate:
        """The current run's gate."""
        return self._gate

    def start(self, spec: NetworkSpec, config: TrainConfig) -> int:
        """Stop any run and train ``spec`` with ``config``; return the run id."""
        self._gate.stop()
        self._gate = PauseGate()
        return self.lane.submit(TrainJob(spec, config), gate=self._gate)

    def pause(self) -> None:
        """Hold the run after the record being computed."""
        self._gate.pause()

    def resume(self) -> None:
        """Let a paused run go on."""
        self._gate.resume()

    def stop(self) -> None:
        """End the run now (a paused run too); its remaining records are dropped."""
        self._gate.stop()
        self.lane.cancel()

    def is_running(self) -> bool:
        """True from :meth:`start` until the run ends, fails or is stopped (paused included)."""
        return self.lane.is_running()

    def is_paused(self) -> bool:
        """True while the current run is paused."""
        return self.is_running() and self._gate.is_paused()

    def shutdown(self) -> None:
        """Stop the run and the lane's thread and wait for it. Safe to call twice."""
        self._gate.stop()
        self.lane.shutdown()

    def worker_thread(self):
        """The worker QThread (for tests)."""
        return self.lane.worker_thread()
