"""The propagation job: ``propagate(spec)`` as work for a :class:`~.runner.Lane`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.records import Record
from gradexplorer.gui.jobs.context import JobContext

Propagate = Callable[[NetworkSpec], Iterable[Record]]


def engine_propagate(spec: NetworkSpec) -> Iterator[Record]:
    """Import the engine lazily so the window opens even when the engine cannot be imported."""
    from gradexplorer.engine.runs.propagation import propagate

    return propagate(spec)


def propagation_work(propagate: Propagate | None = None) -> Callable[[NetworkSpec, JobContext],
                                                                      Iterable[Record]]:
    """Work for the ``"layers"`` lane: the records of ``propagate(spec)`` (default: the engine).

    The lane checks the run's cancel token between records (the engine yields one per layer).
    """
    run = propagate or engine_propagate

    def work(spec: NetworkSpec, ctx: JobContext) -> Iterable[Record]:
        return run(spec)

    return work
