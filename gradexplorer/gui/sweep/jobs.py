"""What the Sweep tab hands its worker thread: a job and the generator that runs it.

The runner's ``"sweep"`` lane iterates ``run_job(job, ctx)``, i.e. the engine's
:func:`~gradexplorer.engine.runs.sweep.sweep`, and streams its rows back. The run's cancel token
(``ctx.cancelled``) reaches into the sweep (polled between the records of every run), so Stop or
a newer request ends a long run at once, not only between rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.records import Record
from gradexplorer.engine.runs.sweep import SweepRow, sweep
from gradexplorer.gui.jobs.context import JobContext


@dataclass(frozen=True, eq=False)
class SweepJob:
    """Vary ``field`` of ``spec`` over ``values``, ``seeds`` runs each, recording ``quantity``.

    ``log`` says the values are log-spaced (the colour scale follows). ``engine`` replaces
    ``propagate`` (tests). ``finished`` is set by :func:`run_job` when the generator has
    stopped, however it stopped.
    """

    spec: NetworkSpec
    field: str
    values: tuple
    seeds: int
    quantity: str
    log: bool = False
    engine: Callable[[NetworkSpec], Iterable[Record]] | None = None
    finished: threading.Event = field(default_factory=threading.Event)


def run_job(job: SweepJob, ctx: JobContext | None = None) -> Iterator[SweepRow]:
    """Yield the sweep's rows as the engine computes them (on the worker thread).

    ``ctx``: the runner's job context, whose cancel token reaches the sweep (None: never).

    Raises
    ------
    SpecError
        The engine's message for a field that cannot be swept here or a bad value.
    """
    cancel = ctx.cancelled if ctx else lambda: False
    engine = job.engine if job.engine is not None else partial(propagate, cancel=cancel)
    kwargs = {"engine": engine}  # the engine's cancel reaches inside each run (LSUV, data)
    try:
        yield from sweep(job.spec, job.field, job.values, seeds=job.seeds,
                         quantity=job.quantity, cancel=cancel, **kwargs)
    finally:
        job.finished.set()
