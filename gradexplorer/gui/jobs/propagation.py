"""The propagation job: ``propagate(spec)`` as work for a :class:`~.runner.Lane`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.records import Record
from gradexplorer.gui.jobs.context import JobContext

Propagate = Callable[[NetworkSpec], Iterable[Record]]


def engine_propagate(spec: NetworkSpec, cancel: Callable[[], bool] | None = None
                     ) -> Iterator[Record]:
    """Import the engine lazily so the window opens even when the engine cannot be imported.

    ``cancel`` reaches inside the run (data loading, LSUV, QR panels, between layers)."""
    from gradexplorer.engine.runs.propagation import propagate

    return propagate(spec, cancel=cancel)


def propagation_work(propagate: Propagate | None = None) -> Callable[[NetworkSpec, JobContext],
                                                                      Iterable[Record]]:
    """Work for the ``"layers"`` lane: the records of ``propagate(spec)`` (default: the engine).

    The engine gets the run's cancel token (``ctx.cancelled``) and raises ``Cancelled`` inside
    long work, which the worker takes as a quiet stop; a stand-in ``propagate`` is checked by
    the worker between records.
    """
    def work(spec: NetworkSpec, ctx: JobContext) -> Iterable[Record]:
        if propagate is None:
            return engine_propagate(spec, cancel=ctx.cancelled)
        return propagate(spec)

    return work


def run_cost_key(spec: NetworkSpec) -> tuple:
    """What a run's time depends on (the drag policy's estimate per kind of run): the layer
    shapes, batch rows, precision and the options that add work; not gain, bias std, seed or
    the activation, which only change the numbers."""
    return (spec.depth, spec.width, spec.widths, spec.in_features, spec.batch, spec.dtype,
            spec.norm, spec.residual, spec.input, spec.init == "orthogonal")
