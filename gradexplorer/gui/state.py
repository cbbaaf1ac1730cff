"""The window's observable state: the current settings, the shown run, the pins.

:class:`AppState` is what the control panel, the dashboard and every tab view bind to (never the
main window). Each change says who made it, so a binding can skip its own echo::

    state.sigSpecChanged.connect(lambda spec, source: ...)   # source: "panel", "phase", ...

Sources the window knows: ``"panel"`` (the user edited a control or chose a preset: run it),
``"panel-set"`` (the panel was set programmatically, e.g. settings restored: show, do not run),
``"session"`` (a session or the first-launch story is being replayed by the window: show, the
window runs it), and any view's name (``"phase"``: the view moved the point: run it).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from gradexplorer.engine.model.spec import NetworkSpec

#: Sources after which the window does not start a run by itself.
SHOW_ONLY = frozenset({"panel-set", "session"})


class AppState(QObject):
    """Current spec, current (shown) result, pins; signals say who changed what.

    Parameters
    ----------
    spec : NetworkSpec, optional
        The starting settings (default ``NetworkSpec()``).

    Signals
    -------
    sigSpecChanged(spec: NetworkSpec, source: str)
        The settings changed (emitted on every :meth:`set_spec`, equal or not: a user who sets
        the same value again asks for it again).
    sigResultChanged(result: RunResult, spec: NetworkSpec)
        A run completed and is now what the plots show (``spec`` reproduces it).
    sigPinsChanged(pins: list)
        The pinned runs changed (a list of :class:`~gradexplorer.gui.session.Pin`).
    sigRunStarted(spec: NetworkSpec)
        A run of ``spec`` started streaming into the plots.
    sigDragStarted()
        The mouse took hold of a control (slider, phase-diagram point): values until
        ``sigDragFinished`` belong to one drag.
    sigDragFinished()
        A drag of a control (slider, phase-diagram point) ended: its last value is current.
    """

    sigSpecChanged = Signal(object, str)
    sigResultChanged = Signal(object, object)
    sigPinsChanged = Signal(list)
    sigRunStarted = Signal(object)
    sigDragStarted = Signal()
    sigDragFinished = Signal()

    def __init__(self, spec: NetworkSpec | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._spec = spec if spec is not None else NetworkSpec()
        self._result = None
        self._result_spec: NetworkSpec | None = None
        self._pins: list = []
        self._pending: list = []  # flush() of throttled controls (add_pending)

    # --- settings -------------------------------------------------------------------------------
    def spec(self) -> NetworkSpec:
        """The current (last valid) settings: what the plots show or are about to."""
        return self._spec

    def set_spec(self, spec: NetworkSpec, source: str) -> None:
        """Make ``spec`` current; ``source`` names who changed it (module docstring)."""
        self._spec = spec
        self.sigSpecChanged.emit(spec, source)

    # --- the shown run ------------------------------------------------------------------------
    def result(self):
        """The last completed :class:`~gradexplorer.engine.runs.result.RunResult` (or None)."""
        return self._result

    def result_spec(self) -> NetworkSpec | None:
        """The spec of :meth:`result` (differs from :meth:`spec` while a newer run is pending)."""
        return self._result_spec

    def set_result(self, result, spec: NetworkSpec) -> None:
        """A run of ``spec`` completed and is shown."""
        self._result, self._result_spec = result, spec
        self.sigResultChanged.emit(result, spec)

    def run_started(self, spec: NetworkSpec) -> None:
        """A run of ``spec`` starts reaching the plots."""
        self.sigRunStarted.emit(spec)

    def add_pending(self, flush) -> None:
        """Register ``flush()``: emits a control's value held back by its throttle, if any."""
        self._pending.append(flush)

    def flush_pending(self) -> None:
        """Emit every throttled value now (it becomes current through :meth:`set_spec`).

        Called when a completed result is about to be drawn: during a drag the next value then
        starts computing while the GUI draws this one, instead of after the drawing (the
        throttle's timer would only fire then), so the engine and the GUI overlap.
        """
        for flush in list(self._pending):
            flush()

    def drag_started(self) -> None:
        """The mouse took hold of a control: a drag (a burst of values) begins."""
        self.sigDragStarted.emit()

    def drag_finished(self) -> None:
        """The mouse let go: the current spec is the drag's last value (its full run may start)."""
        self.sigDragFinished.emit()

    def is_pending(self) -> bool:
        """True while the plots do not show a complete run of the current settings."""
        return self._result_spec != self._spec

    # --- pins -------------------------------------------------------------------------------------
    def pins(self) -> list:
        """The pinned runs (``Pin(label, spec)``), oldest first."""
        return list(self._pins)

    def set_pins(self, pins: list) -> None:
        """Replace the pins."""
        self._pins = list(pins)
        self.sigPinsChanged.emit(self.pins())
