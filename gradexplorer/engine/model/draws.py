"""A small LRU cache of the network's standard draws, so a changed scale redraws nothing.

Every weight is a standard draw times a scale, W_l = scale_l · W_base,l (``initializers``), and
every normal bias b_l = σ_b · z_l; the draw depends only on (seed, layer, draw kind, shape), the
scale on the initializer, gain, mode and negative slope. Dragging the gain, the bias std, the
activation or the loss therefore reuses the draws of the previous run: the multiplication is the
same floating-point operation a fresh draw ends with, so the numbers are bit for bit those of a
fresh run (tests/engine/test_draws.py).

Draws are kept in float64 (the engine draws in float64 and casts, see ``network``), read-only,
least recently used first out, up to :data:`MAX_BYTES` in all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

__all__ = ["MAX_BYTES", "cached", "clear", "info"]

#: Memory the cache may hold (a depth-200 × width-256 network's float64 draws take 105 MB).
MAX_BYTES = 128 * 2**20

_lock = threading.Lock()
_entries: OrderedDict[tuple[object, ...], np.ndarray] = OrderedDict()
_bytes = 0
_hits = 0
_misses = 0


def cached(key: tuple[object, ...], draw: Callable[[], np.ndarray]) -> np.ndarray:
    """The array stored under ``key``, else ``draw()`` stored (read-only) and returned.

    Parameters
    ----------
    key : tuple
        Everything the draw depends on, e.g. ``("weight", kind, seed, layer, fan_out, fan_in)``.
    draw : callable
        Makes the array when it is not cached (called outside the lock).

    Returns
    -------
    ndarray
        Read-only; callers multiply it into a new array, never write to it.
    """
    global _bytes, _hits, _misses
    with _lock:
        hit = _entries.get(key)
        if hit is not None:
            _entries.move_to_end(key)
            _hits += 1
            return hit
        _misses += 1
    value = draw()
    value.setflags(write=False)
    if value.nbytes > MAX_BYTES:
        return value
    with _lock:
        if key not in _entries:
            _entries[key] = value
            _bytes += value.nbytes
            while _bytes > MAX_BYTES:
                _, old = _entries.popitem(last=False)
                _bytes -= old.nbytes
    return value


def clear() -> None:
    """Forget every cached draw (benchmarks measure cold runs with it)."""
    global _bytes, _hits, _misses
    with _lock:
        _entries.clear()
        _bytes = _hits = _misses = 0


def info() -> dict[str, int]:
    """``entries``, ``bytes``, ``hits`` and ``misses`` since the last :func:`clear`."""
    with _lock:
        return {"entries": len(_entries), "bytes": _bytes, "hits": _hits, "misses": _misses}
