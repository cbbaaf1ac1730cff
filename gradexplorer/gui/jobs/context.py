"""What a job gets from the runner: its cancel token and, optionally, a pause gate (Qt-free)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field


class PauseGate:
    """Three states shared by the GUI and the worker: running, paused, stopped.

    The worker calls :meth:`wait` before pulling each record; it returns True to go on (at once
    when running, after :meth:`resume` when paused) and False once :meth:`stop` was called.
    While paused the job's generator is simply not resumed (the worker thread sleeps on a
    condition variable), so a paused and resumed run yields exactly an uninterrupted one's records.
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
        """True between :meth:`pause` and :meth:`resume`."""
        return self._paused

    def is_waiting(self) -> bool:
        """True while the worker sits paused (for tests and the status line)."""
        return self._waiting

    def wait(self, before_block: Callable[[], None] | None = None) -> bool:
        """Block while paused; True = pull the next record, False = stopped.

        ``before_block`` (optional) is called once, under the gate's lock, when the call is
        about to block (the worker hands over the records it holds, so they show while paused).
        """
        with self._cond:
            self._waiting = self._paused and not self._stopped
            if self._waiting and before_block is not None:
                before_block()
            while self._paused and not self._stopped:
                self._cond.wait()
            self._waiting = False
            return not self._stopped


@dataclass(frozen=True, eq=False)
class JobContext:
    """Handed to a job with its payload: ``cancelled()`` polls the run's cancel token.

    Pass :meth:`cancelled` to engine functions that take ``cancel: Callable[[], bool]``
    (``phase_diagram``, ``jacobian_spectrum``, ``sweep``). ``gate`` is the run's
    :class:`PauseGate` when it was submitted with one (training).
    """

    run_id: int
    token: threading.Event = field(default_factory=threading.Event)
    gate: PauseGate | None = None

    def cancelled(self) -> bool:
        """True once the runner cancelled this run (a newer value, Stop, or shutdown)."""
        return self.token.is_set()

    def cancel(self) -> None:
        """Set the token (and stop the gate, so a paused run wakes up and ends)."""
        self.token.set()
        if self.gate is not None:
            self.gate.stop()
