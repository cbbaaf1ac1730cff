"""Keep freed array memory in the process between runs (glibc's malloc thresholds).

A run allocates its per-layer arrays afresh (h, φ(h), φ'(h), ∂L/∂a: 256 KB each at the
first-launch size) and frees them at its end. glibc returns freed memory at the top of the heap
to the system once more than ``M_TRIM_THRESHOLD`` is free there, and serves blocks above
``M_MMAP_THRESHOLD`` by ``mmap``; both thresholds move with what the process happened to free
before (glibc's dynamic threshold, 128 KB at start, up to 32 MiB). Whatever it returns comes back
as zero-filled pages, one page fault each: measured in the GUI process, 2 400 faults per
first-launch run, ~6 ms of a ~30 ms run (0 faults, 24 ms, with the thresholds below).

:func:`keep_freed_memory` fixes both at the values glibc's own heuristic ends at
(``M_MMAP_THRESHOLD`` 32 MiB, ``M_TRIM_THRESHOLD`` 64 MiB: ``mallopt(3)``), so every run reuses
the previous run's pages: blocks under 32 MiB come from the heap and up to 64 MiB of free heap
stays in the process. Linux with glibc only; elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import sys
import threading

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_freed_memory"]

#: Blocks at least this large are mmapped (and unmapped when freed), as glibc's maximum.
MMAP_THRESHOLD = 32 << 20
#: Free memory at the top of the heap beyond this is given back to the system.
TRIM_THRESHOLD = 64 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # <malloc.h>

_lock = threading.Lock()
_state: list[bool] = []  # [result] once tried


def keep_freed_memory() -> bool:
    """Set glibc's malloc thresholds once per process (see module docstring).

    Returns
    -------
    bool
        True if both thresholds are set (now or before), False where there is no glibc
        ``mallopt`` (macOS, Windows, musl) and nothing changed.
    """
    with _lock:
        if not _state:
            _state.append(_set_thresholds())
        return _state[0]


def _set_thresholds() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
