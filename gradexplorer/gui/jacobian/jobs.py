"""What the Jacobian tab hands its worker thread: a job, its answer, and the size guard.

The runner's ``"jacobian"`` lane iterates ``run_job(job, ctx)``; the run's cancel token
(``ctx.cancelled``) reaches the engine — its setup (data, LSUV, QR panels) and the product, once
per layer — whose ``Cancelled`` the lane's worker takes as a quiet stop, so a superseded
computation stops within a layer instead of finishing a product nobody will see.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.engine.runs.jacobian import (
    JacobianSpectrum,
    compare_isometry,
    jacobian_spectrum,
)
from gradexplorer.gui.jobs.context import JobContext

#: Widest layer the tab computes (the SVD alone is O(n³) and J is n × n).
MAX_WIDTH = 2000
#: Multiply-adds per second of the product J = D_L W_L ⋯ D_1 W_1, conservative: width 1000,
#: depth 100 = 10¹¹ multiply-adds take about 4 s on an idle two-core machine (engine.jacobian),
#: 2–3× that when it is busy.
MULADDS_PER_SECOND = 1.5e10
#: Fixed cost per layer (drawing the weights, renormalizing J), seconds.
SECONDS_PER_LAYER = 2e-3
#: Above this estimate the tab warns; above the limit it refuses.
WARN_SECONDS = 1.5
LIMIT_SECONDS = 20.0


@dataclass(frozen=True, eq=False)
class JacobianJob:
    """One request: ``spec`` at batch row ``input_index``; ``compare``: Gaussian vs orthogonal.

    ``finished`` is set by :func:`run_job` when it stops, however it stops.
    """

    spec: NetworkSpec
    input_index: int
    compare: bool
    finished: threading.Event = field(default_factory=threading.Event)

    def key(self) -> tuple:
        """What the answer depends on (equal keys: the same picture)."""
        return self.spec, self.input_index, self.compare


@dataclass(frozen=True, eq=False)
class JacobianAnswer:
    """The spectra of ``job``: (spec's own,) or (Gaussian, orthogonal); wall time in seconds."""

    job: JacobianJob
    spectra: tuple[JacobianSpectrum, ...]
    seconds: float


def run_job(job: JacobianJob, ctx: JobContext | None = None) -> Iterator[JacobianAnswer]:
    """Compute ``job`` (on the worker thread); yield one answer.

    ``ctx`` is the runner's :class:`~gradexplorer.gui.jobs.context.JobContext` (its cancel
    token reaches the engine); None: never cancelled.

    Raises
    ------
    SpecError
        From the engine (data, memory), or field ``batch`` when the input row is outside the
        batch.
    Cancelled
        When ``ctx`` was cancelled (the lane's worker takes it as a quiet stop).
    """
    started = time.perf_counter()
    try:
        kwargs = {"input_index": job.input_index, "cancel": ctx.cancelled if ctx else lambda: False}
        if job.compare:
            spectra = tuple(compare_isometry(job.spec, **kwargs))
        else:
            spectra = (jacobian_spectrum(job.spec, **kwargs),)
    except IndexError as exc:
        raise SpecError("batch", str(exc)) from None
    finally:
        job.finished.set()
    yield JacobianAnswer(job, spectra, time.perf_counter() - started)


def estimated_seconds(spec: NetworkSpec, compare: bool) -> float:
    """Rough wall time: min(n_0, n_L) · Σ_l n_{l−1} n_l multiply-adds (+ SVD n³) + per layer.

    The product is accumulated from the narrower end, so each layer costs n_{l−1} n_l times
    the narrower of input and output width.
    """
    n = spec.layer_widths()
    muladds = min(n[0], n[-1]) * sum(a * b for a, b in zip(n, n[1:], strict=False))
    muladds += 4 * max(n[0], n[-1]) * min(n[0], n[-1]) ** 2  # the SVD, roughly
    return (2 if compare else 1) * (muladds / MULADDS_PER_SECOND
                                    + SECONDS_PER_LAYER * (len(n) - 1))


def size_check(spec: NetworkSpec, compare: bool) -> tuple[str, str]:
    """("", ""), ("warn", message) or ("refuse", message) for computing ``spec``'s Jacobian."""
    widest = max(spec.layer_widths())
    if widest > MAX_WIDTH:
        return "refuse", (f"Not computed: the widest layer has {widest} units; the Jacobian "
                          f"view computes J Jᵀ up to width {MAX_WIDTH} (reduce width or input "
                          f"features).")
    seconds = estimated_seconds(spec, compare)
    if seconds > LIMIT_SECONDS:
        return "refuse", (f"Not computed: this Jacobian would take about {seconds:.0f} s "
                          f"(depth × width² too large; the view stops at "
                          f"{LIMIT_SECONDS:.0f} s). Reduce depth or width.")
    if seconds > WARN_SECONDS:
        return "warn", f"Large network: computing the Jacobian takes about {seconds:.0f} s."
    return "", ""
