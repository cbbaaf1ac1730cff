"""How many BLAS threads a run's matrix products get.

OpenBLAS's second thread costs more than it gains on small products, and far more when the
cores are busy (measured on 2 cores with a load of ~5: a 64 × 128 × 128 product takes 0.08 ms
on one thread and 8 ms on two; 256 × 256 × 256, 2.2 ms against 5.6 ms). Small runs therefore
use one BLAS thread, which also leaves a core to the GUI thread that draws them; large ones keep
the library's default. Numbers: ``benchmarks/bench_engine.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

#: Products with fewer multiply-adds than this (batch · fan_in · fan_out) run on one thread:
#: up to e.g. 512 × 512 × 256. (At 1 << 24 the GUI's default 256³ product still got two
#: threads and a depth-1000 run took 33 s on two busy cores instead of 9.6 s.)
SMALL_PRODUCT = 1 << 26

_controller = None


def largest_product(batch: int, widths: Sequence[int]) -> int:
    """Multiply-adds of the largest per-layer product, batch · n_{l−1} · n_l."""
    return batch * max(widths[i - 1] * widths[i] for i in range(1, len(widths)))


@contextmanager
def blas_threads_for(batch: int, widths: Sequence[int]) -> Iterator[None]:
    """Limit BLAS to one thread while the block runs if its largest product is small.

    The limit is process-wide (BLAS libraries have one pool), restored on exit. Uses
    ``threadpoolctl``; without it, or without a known BLAS, nothing changes.
    """
    if largest_product(batch, widths) >= SMALL_PRODUCT:
        yield
        return
    global _controller
    try:
        if _controller is None:
            from threadpoolctl import ThreadpoolController

            _controller = ThreadpoolController()
        limiter = _controller.limit(limits=1, user_api="blas")
    except Exception:  # noqa: BLE001 - no threadpoolctl or an unknown BLAS: run as is
        yield
        return
    with limiter:
        yield


def with_thread_policy(records: Iterator, batch: int, widths: Sequence[int]) -> Iterator:
    """Yield from ``records`` under :func:`blas_threads_for` (restored when closed early)."""
    with blas_threads_for(batch, widths):
        yield from records
