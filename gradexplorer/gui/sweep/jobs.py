"""What the Sweep tab hands its worker thread: a job and the generator that runs it.

The worker (:class:`~gradexplorer.gui.worker.RunController`) iterates ``run_job(job)``, i.e.
the engine's :func:`~gradexplorer.engine.runs.sweep.sweep`, and streams its rows back. The job's own
cancel event reaches into the sweep (polled between the records of every run), so Stop or a
newer request ends a long run at once, not only between rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.records import Record
from gradexplorer.engine.runs.sweep import SweepRow, sweep


@dataclass(frozen=True, eq=False)
class SweepJob:
    """Vary ``field`` of ``spec`` over ``values``, ``seeds`` runs each, recording ``quantity``.

    ``log`` says the values are log-spaced (the colour scale follows). ``engine`` replaces
    ``propagate`` (tests). ``cancel`` is set by the view to stop; ``finished`` by
    :func:`run_job` when the generator has stopped, however it stopped.
    """

    spec: NetworkSpec
    field: str
    values: tuple
    seeds: int
    quantity: str
    log: bool = False
    engine: Callable[[NetworkSpec], Iterable[Record]] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)


def run_job(job: SweepJob) -> Iterator[SweepRow]:
    """Yield the sweep's rows as the engine computes them (on the worker thread).

    Raises
    ------
    SpecError
        The engine's message for a field that cannot be swept here or a bad value.
    """
    kwargs = {} if job.engine is None else {"engine": job.engine}
    try:
        yield from sweep(job.spec, job.field, job.values, seeds=job.seeds,
                         quantity=job.quantity, cancel=job.cancel.is_set, **kwargs)
    finally:
        job.finished.set()
