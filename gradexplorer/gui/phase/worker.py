"""Compute phase-diagram grids off the GUI thread (a 200 × 200 grid takes 0.05–2 s).

:class:`GridWorker` is a plain ``QObject`` on its own ``QThread``; :class:`GridController` on the
GUI thread hands out request ids, sets the previous request's cancel flag when a new one comes
(the engine polls it every 20 grid rows) and forwards only the latest request's answer — the
same pattern as :mod:`gradexplorer.gui.worker`.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal, Slot

from gradexplorer.engine.theory.phase_diagram import Cancelled, phase_diagram


class GridWorker(QObject):
    """Runs :func:`~gradexplorer.engine.theory.phase_diagram.phase_diagram` for a request.

    Signals
    -------
    sigDone(request_id: int, diagram: PhaseDiagram)
    sigFailed(request_id: int, message: str)
    """

    sigDone = Signal(int, object)
    sigFailed = Signal(int, str)

    @Slot(int, object, object)
    def compute(self, request_id: int, kwargs: dict, cancel: threading.Event) -> None:
        """``phase_diagram(**kwargs)`` unless cancelled (then nothing is emitted)."""
        if cancel.is_set():
            return
        try:
            diagram = phase_diagram(**kwargs, cancel=cancel.is_set)
        except Cancelled:
            return
        except Exception as exc:  # noqa: BLE001 - a bad request must not kill the thread
            self.sigFailed.emit(request_id, f"{type(exc).__name__}: {exc}")
            return
        if not cancel.is_set():
            self.sigDone.emit(request_id, diagram)


class GridController(QObject):
    """GUI-side owner of the grid thread; only the latest request's answer comes out.

    Signals
    -------
    sigDiagram(diagram: PhaseDiagram) : the latest request's grid.
    sigFailed(message: str) : the latest request failed.
    """

    sigDiagram = Signal(object)
    sigFailed = Signal(str)
    _sigRequest = Signal(int, object, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._id = 0
        self._cancel = threading.Event()
        self._busy = False
        self._thread = QThread()
        self._thread.setObjectName("gradexplorer-phase-grid")
        self._worker = GridWorker()
        self._worker.moveToThread(self._thread)
        self._sigRequest.connect(self._worker.compute)
        self._worker.sigDone.connect(self._on_done)
        self._worker.sigFailed.connect(self._on_failed)
        self._thread.start()

    def request(self, **kwargs) -> int:
        """Cancel the running grid and queue ``phase_diagram(**kwargs)``; return its id."""
        self._cancel.set()
        self._cancel = threading.Event()
        self._id += 1
        self._busy = True
        self._sigRequest.emit(self._id, dict(kwargs), self._cancel)
        return self._id

    @property
    def current_id(self) -> int:
        """Id of the latest request (0 before the first)."""
        return self._id

    def is_busy(self) -> bool:
        """True from a request until its grid (or failure) arrived."""
        return self._busy

    def shutdown(self) -> None:
        """Cancel, stop the thread and wait for it. Safe to call twice."""
        self._cancel.set()
        self._id += 1
        self._busy = False
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()

    @Slot(int, object)
    def _on_done(self, request_id: int, diagram) -> None:
        if request_id == self._id:
            self._busy = False
            self.sigDiagram.emit(diagram)

    @Slot(int, str)
    def _on_failed(self, request_id: int, message: str) -> None:
        if request_id == self._id:
            self._busy = False
            self.sigFailed.emit(message)
