"""Pinned runs computed behind the shown run (a session, the stored pins, the story's compare).

:meth:`MainWindow.replay <gradexplorer.gui.main_window.MainWindow.replay>` runs the settings
first, so their result is what the user sees first; then each pin's network is run on the same
lane, one after another. A pin's run never streams into the plots: its records are kept, and
when it ends the window's dashboard takes them as its current run, pins them, and takes the
shown run's records back, all in one event-loop turn (nothing is painted in between, so the
plots never show the pin's run as the current one). Any new run request drops what is left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gradexplorer.engine.runs.records import RunEnd, RunStart, TheoryLayers
from gradexplorer.gui.session import Pin

if TYPE_CHECKING:
    from gradexplorer.gui.main_window import MainWindow


def pinning_text(label: str) -> str:
    """The status message while a pin's run computes behind the shown run."""
    return f"computing the pinned run “{label}”…"


class PinReplay:
    """The pins still to compute for ``window`` and the runs computing them."""

    def __init__(self, window: MainWindow):
        self.w = window
        self._pins: list[Pin] = []  # still to compute, in order
        self._after = 0  # run id whose end starts the pins' runs
        self._runs: dict[int, str | None] = {}  # pin run id -> label (None: dropped)
        self._records: dict[int, list] = {}  # pin run id -> its records so far
        self._shown: list | None = None  # the shown run's records while pins are due
        self._message = ""  # the status message a pin's run replaced

    def start(self, pins: list[Pin], after: int) -> None:
        """Compute ``pins`` once run ``after`` (the settings' run, just submitted) has ended."""
        self.cancel()
        self._pins, self._after = list(pins), after

    def cancel(self) -> None:
        """Forget the pins still to compute; a pin's run in flight is dropped when it ends."""
        self._pins = []
        self._runs = dict.fromkeys(self._runs)
        self._shown = None

    def owns(self, run_id: int) -> bool:
        """Whether ``run_id`` computes a pin (its records are not for the plots)."""
        return run_id in self._runs

    # --- the shown run ----------------------------------------------------------------------------
    def run_started(self, start: RunStart) -> None:
        """A shown run started: keep its records if pins are due after it."""
        self._shown = [start] if self._pins else None

    def keep(self, record) -> None:
        """A record of the shown run (kept only while pins are due)."""
        if self._shown is not None:
            self._shown.append(record)

    def run_ended(self, run_id: int) -> None:
        """Shown run ``run_id`` ended: forget pin runs cancelled earlier; start the pins."""
        for old in [i for i in self._runs if i < run_id]:
            del self._runs[old]
            self._records.pop(old, None)
        if self._pins and run_id == self._after:
            self._next()

    # --- the pins' runs ---------------------------------------------------------------------------
    def _next(self) -> None:
        if not self._pins or self._shown is None:
            self.cancel()
            return
        w = self.w
        pin = self._pins.pop(0)
        run_id = w._start(pin.spec, keep_error=True)  # a pin is not new settings: a message stays
        self._runs[run_id] = pin.label
        self._records[run_id] = []
        if not w._error_shown:  # the plots are complete: say what still computes
            self._message = w.status_text()
            w.show_message(pinning_text(pin.label))

    def take(self, run_id: int, records: list) -> None:
        """Records of pin run ``run_id``: kept until its end, then drawn as the pin."""
        kept = self._records.setdefault(run_id, [])
        kept.extend(records)
        if not any(isinstance(rec, RunEnd) for rec in records):
            return
        label = self._runs.pop(run_id)
        del self._records[run_id]
        spec = self.w.feed.specs.pop(run_id, None)
        shown = self._shown
        if label is None or spec is None or shown is None:
            return  # dropped: a newer request came first
        w = self.w
        draw_run(w, kept)
        dashboard: Any = w.dashboard  # a Dashboard (tests may inject another QWidget)
        dashboard.pin_current(label)
        w.pin_specs[label] = spec
        draw_run(w, shown, theory=True)
        if w.status_text() == pinning_text(label):
            w.show_message(self._message)
        w.state.set_pins(w.pins())
        self._next()


def draw_run(window: MainWindow, records: list, theory: bool = False) -> None:
    """Put a complete run's ``records`` into ``window``'s dashboard as its current run at once
    (``theory``: and its mean-field predictions)."""
    first = max(i for i, rec in enumerate(records) if isinstance(rec, RunStart))
    body = records[first:]
    middle = [rec for rec in body[1:] if not isinstance(rec, RunEnd)]
    dashboard: Any = window.dashboard
    dashboard.begin_run(body[0])
    dashboard.add_records(middle)
    if theory:
        for rec in middle:
            if isinstance(rec, TheoryLayers):
                window.theory.show(rec)
    for rec in body:
        if isinstance(rec, RunEnd):
            dashboard.finish_run(rec)
