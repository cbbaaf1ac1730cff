"""Worker threads whose cancelled work has not ended yet: never waited for on the GUI thread.

When a lane cancels the run its worker is computing (a newer value, Stop, closing the window),
it does not wait: the worker's thread is *retired* — told to quit once its current job returns
(``QThread.quit``: the event loop exits after the running slot) — and the lane goes on with a
fresh thread, so the next run starts at once. The engine checks the cancel token inside long
work (:mod:`gradexplorer.engine.compute.cancel`), so a retired thread normally ends within
tens of milliseconds by itself.

This module keeps the retired threads (and their workers) referenced until they have finished:
a ``QThread`` destroyed while running aborts the process. :func:`wait_retired` is called when
the application's event loop has returned and at interpreter exit (``atexit``).
"""

from __future__ import annotations

import atexit
import os
import sys
import time

from PySide6.QtCore import QObject, QThread

#: At exit, how long to wait for retired threads before leaving without them (seconds).
EXIT_WAIT_SECONDS = 30.0

_retired: list[tuple[QThread, QObject]] = []
#: Retired threads that have finished, kept (a few hundred bytes each) rather than deleted
#: from the GUI thread while Qt may still hold events for their workers.
_finished: list[tuple[QThread, QObject]] = []


def retire(thread: QThread, worker: QObject) -> None:
    """Let ``thread`` end by itself after its current job; keep it alive until then."""
    thread.quit()
    _prune()
    if thread.isRunning():
        _retired.append((thread, worker))


def _prune() -> None:
    done = [(t, w) for t, w in _retired if t.isFinished() and t.wait(0)]
    _retired[:] = [(t, w) for t, w in _retired if not (t.isFinished() and t.wait(0))]
    _finished.extend(done)


def running() -> list[QThread]:
    """Retired threads still computing (for tests and diagnostics)."""
    _prune()
    return [t for t, _ in _retired]


def wait_retired(seconds: float = EXIT_WAIT_SECONDS) -> bool:
    """Wait up to ``seconds`` in total for every retired thread; True when all have ended."""
    deadline = time.monotonic() + seconds
    for thread, _ in list(_retired):
        left = max(0.0, deadline - time.monotonic())
        thread.wait(int(left * 1000))
    _prune()
    return not _retired


def _at_exit() -> None:
    if _retired and not wait_retired():
        # a thread stuck in a system call: leaving now beats Qt's abort on destroying it
        sys.stderr.flush()
        os._exit(0)


atexit.register(_at_exit)
