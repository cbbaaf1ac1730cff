"""Per-layer statistics on a second core while the run's matrix products continue.

A small run's products use one BLAS thread (:mod:`~gradexplorer.engine.compute.blas`), so on a
machine with two or more cores the second one idles while the propagation thread works through
layer after layer. The statistics of a layer (moments, saturation, histograms: ~40 % of the
first-launch run) need only that layer's arrays, which nothing changes once the layer is
computed, so they can run beside the next layer's products. NumPy's loops and the BLAS release
the GIL, so the two threads really do run at once (``benchmarks/bench_speed.py``).

:class:`OrderedRecords` hands the records out in the order they were put in, whichever thread
made them: a consumer sees the same stream, bit for bit, as from one thread. Only the moment a
record appears moves, by at most :data:`BACKLOG` layers.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from gradexplorer.engine.compute.blas import SMALL_PRODUCT, largest_product

__all__ = ["BACKLOG", "MIN_ENTRIES", "OrderedRecords", "overlap_statistics"]

T = TypeVar("T")

#: At most this many records wait for the statistics thread; the next put waits for the
#: oldest. Bounds the arrays kept alive and how far the stream lags the computation.
BACKLOG = 3
#: Layers with fewer entries (batch · width of the widest layer) keep their statistics on the
#: propagation thread. Their statistics are short next to a hand-over (~20–50 µs) and in the
#: app such runs are a drag's previews, while the second core draws the previous result: a Gain
#: drag's 64-row previews (8192 entries a layer) gave 17.2–20.9 redraws a second with the
#: thread, 19.2–21.1 without (three runs each, alternated).
MIN_ENTRIES = 16384

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def _cores() -> int:
    """CPUs this process may run on (its affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS, Windows
        return os.cpu_count() or 1


def overlap_statistics(batch: int, widths: tuple[int, ...], histograms: bool) -> bool:
    """Whether a run computes its per-layer statistics on the statistics thread.

    Yes when it makes histograms (without them the statistics are a few passes, not worth a
    hand-over), its products run on one BLAS thread (below :data:`SMALL_PRODUCT`; larger ones
    already use every core), its layers have at least :data:`MIN_ENTRIES` entries, and the
    process may use two cores or more.
    """
    return (histograms and largest_product(batch, widths) < SMALL_PRODUCT
            and batch * max(widths[1:]) >= MIN_ENTRIES and _cores() >= 2)


def _statistics_pool() -> ThreadPoolExecutor:
    """The one statistics thread, started on first use and shared by every run."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gradexplorer-stats")
        return _pool


class _Task(Generic[T]):
    """A record being made on the statistics thread, which the caller may still make itself."""

    __slots__ = ("args", "future", "make")

    def __init__(self, pool: ThreadPoolExecutor, make: Callable[..., T],
                 args: tuple[object, ...]) -> None:
        self.make, self.args = make, args
        self.future: Future[T] = pool.submit(make, *args)

    def result(self) -> T:
        """The record: made here if the statistics thread has not started it, else waited for.

        When the second core is busy (another program, the GUI thread), a queued task would
        keep the propagation waiting; taking it back keeps a run no slower than on one thread.
        """
        if self.future.cancel():
            return self.make(*self.args)
        return self.future.result()


class OrderedRecords(Generic[T]):
    """Records made now or on the statistics thread, handed out in the order they were put.

    ``background=False`` makes every record at once on the caller's thread (the same calls, the
    same results): the propagation code is the same either way. An exception raised while making
    a record is raised where that record is handed out. A record the statistics thread has not
    started when it is due is made on the caller's thread. A consumer that stops iterating
    leaves at most :data:`BACKLOG` tasks to finish on their own.
    """

    def __init__(self, background: bool) -> None:
        self._pool = _statistics_pool() if background else None
        self._queue: deque[_Task[T] | T] = deque()  # made records, or their tasks

    def put(self, make: Callable[..., T], *args: object) -> None:
        """Queue the record ``make(*args)``: submitted to the statistics thread, or made now.

        The caller must not change the arrays in ``args`` afterwards.
        """
        if self._pool is None:
            self._queue.append(make(*args))
        else:
            self._queue.append(_Task(self._pool, make, args))

    def ready(self) -> Iterator[T]:
        """Hand out the leading records that are made; wait while over :data:`BACKLOG` wait."""
        while self._queue:
            head = self._queue[0]
            if (isinstance(head, _Task) and not head.future.done()
                    and len(self._queue) <= BACKLOG):
                return
            self._queue.popleft()
            yield head.result() if isinstance(head, _Task) else head

    def drain(self) -> Iterator[T]:
        """Hand out every queued record, waiting for each in turn."""
        while self._queue:
            head = self._queue.popleft()
            yield head.result() if isinstance(head, _Task) else head
