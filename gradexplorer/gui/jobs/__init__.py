"""One job runner for every background computation of the window.

:class:`JobRunner` holds the window's lanes by name; a :class:`Lane` (:mod:`.runner`) runs one
kind of work on its own thread with the drag policy, run ids and the one place stale results
are dropped.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject

from gradexplorer.gui.jobs.context import JobContext, PauseGate
from gradexplorer.gui.jobs.runner import SHUTDOWN_WAIT, Lane
from gradexplorer.gui.jobs.worker import Work

__all__ = ["JobContext", "JobRunner", "Lane", "PauseGate"]


class JobRunner(QObject):
    """Every background computation of the window, by lane name (what views receive).

    ``lane(name, work, **options)`` creates the lane on first call (options as :class:`Lane`);
    a second call with the same name returns the same lane.
    """

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._lanes: dict[str, Lane] = {}

    def lane(self, name: str, work: Work | None = None, **options: Any) -> Lane:
        """The lane ``name`` (created with ``work`` and ``options`` on first use)."""
        if name not in self._lanes:
            if work is None:
                raise KeyError(f"no lane {name!r} yet and no work to create it with")
            self._lanes[name] = Lane(name, work, parent=self, **options)
        return self._lanes[name]

    def lanes(self) -> list[Lane]:
        """Every lane created so far."""
        return list(self._lanes.values())

    def shutdown(self) -> None:
        """Cancel every run and stop every worker thread, waiting at most
        :data:`SHUTDOWN_WAIT` seconds in all (see :meth:`Lane.shutdown`). Safe to call twice."""
        deadline = time.perf_counter() + SHUTDOWN_WAIT
        for lane in self._lanes.values():
            lane.cancel()  # cancel all first: threads then end together
        for lane in self._lanes.values():
            lane.shutdown(deadline)
