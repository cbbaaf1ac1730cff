"""How many BLAS threads a run's matrix products get.

OpenBLAS's second thread costs more than it gains on small products, and far more when the
cores are busy (measured on 2 cores with a load of ~5: a 64 × 128 × 128 product takes 0.08 ms
on one thread and 8 ms on two; 256 × 256 × 256, 2.2 ms against 5.6 ms). Small runs therefore
use one BLAS thread, which also leaves a core to the GUI thread that draws them; large ones keep
the library's default. Numbers: ``benchmarks/bench_engine.py``.

The limit is process-wide (a BLAS library has one pool), while runs overlap (the Layers tab and
the Train tab, a Jacobian, a sweep; interleaved generators in one thread or jobs in several).
So it is reference counted under a lock: the first run that needs one thread saves the
library's limits and sets 1, every further one only counts itself in, and the last one out
restores what the first saved. Whatever order the runs finish in, the pool ends as it began.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["SMALL_PRODUCT", "blas_threads_for", "largest_product", "one_blas_thread",
           "with_thread_policy"]

#: Products with fewer multiply-adds than this (batch · fan_in · fan_out) run on one thread:
#: up to e.g. 512 × 512 × 256. (At 1 << 24 the GUI's default 256³ product still got two
#: threads and a depth-1000 run took 33 s on two busy cores instead of 9.6 s.)
SMALL_PRODUCT = 1 << 26

T = TypeVar("T")

# RLock: a generator abandoned inside the locked section may be finalized (and leave) there
_lock = threading.RLock()
_holders = 0
_saved: list[tuple[Any, int | None]] = []  # (library, its threads) saved by the first holder
_controller: Any = None


def largest_product(batch: int, widths: Sequence[int]) -> int:
    """Multiply-adds of the largest per-layer product, batch · n_{l−1} · n_l.

    Parameters
    ----------
    batch : int
        Rows B of the batch.
    widths : sequence of int
        (n_0, ..., n_L), at least two entries.

    Returns
    -------
    int
    """
    return batch * max(widths[i - 1] * widths[i] for i in range(1, len(widths)))


def _blas_libraries() -> list[Any]:
    """The controllers (threadpoolctl's) of the loaded BLAS libraries; empty without it."""
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController

            _controller = ThreadpoolController()
        except Exception:  # noqa: BLE001 - no threadpoolctl or an unknown BLAS: run as is
            return []
    return [lib for lib in _controller.lib_controllers if lib.user_api == "blas"]


def _set_threads(lib: Any, n: int) -> None:
    """Set ``lib``'s pool to ``n`` threads from whichever thread holds the count.

    threadpoolctl (>= 3.6) lets only the first thread that limited a process-wide OpenBLAS pool
    change it and silently ignores the others; this module is the single owner of the limit (it
    counts every holder in every thread), so it takes control for the call and gives it back.
    """
    release = getattr(type(lib), "clear_controlling_thread", None)
    if release is not None:
        release(force=True)
    try:
        lib.set_num_threads(n)
    finally:
        if release is not None:
            release(force=True)


def _enter() -> None:
    global _holders, _saved
    with _lock:
        _holders += 1
        if _holders > 1:
            return
        try:
            libs = _blas_libraries()
            _saved = [(lib, lib.get_num_threads()) for lib in libs]
            for lib, _ in _saved:
                _set_threads(lib, 1)
        except Exception:  # noqa: BLE001 - an unknown BLAS: run as is
            _saved = []


def _leave() -> None:
    global _holders, _saved
    with _lock:
        _holders -= 1
        if _holders > 0:
            return
        saved, _saved = _saved, []
        for lib, n in saved:
            if n is not None:
                _set_threads(lib, n)


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Hold BLAS at one thread while the block runs (reference counted, thread-safe).

    The first holder saves the library's limits and sets one thread; the last one to leave
    restores the saved limits, whatever order the holders leave in. Uses ``threadpoolctl``;
    without it, or without a known BLAS, nothing changes.
    """
    _enter()
    try:
        yield
    finally:
        _leave()


@contextmanager
def blas_threads_for(batch: int, widths: Sequence[int]) -> Iterator[None]:
    """Hold BLAS at one thread while the block runs if its largest product is small.

    Parameters
    ----------
    batch : int
        Rows of the batch the products multiply.
    widths : sequence of int
        (n_0, ..., n_L); the largest product is batch · max n_{l−1} n_l
        (:func:`largest_product`), compared with :data:`SMALL_PRODUCT`.

    Notes
    -----
    See :func:`one_blas_thread`: overlapping holders never change each other's threads.
    """
    if largest_product(batch, widths) >= SMALL_PRODUCT:
        yield
        return
    with one_blas_thread():
        yield


def with_thread_policy(records: Iterator[T], batch: int, widths: Sequence[int]) -> Iterator[T]:
    """Yield from ``records`` under :func:`blas_threads_for` (released when closed early).

    Parameters
    ----------
    records : iterator
        Typically an engine generator.
    batch, widths
        As :func:`blas_threads_for`.

    Yields
    ------
    The items of ``records``.
    """
    with blas_threads_for(batch, widths):
        yield from records


def holders() -> int:
    """How many blocks hold the one-thread limit now (for tests and diagnostics)."""
    return _holders
