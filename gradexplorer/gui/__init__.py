"""The Qt front end: main window, control panel, plots, worker thread, sessions.

Importing this package applies :func:`_guard_singleton_refcounts` (see there): PySide6 6.12.0 on
Python < 3.12 returns ``None`` from every void method and ``True`` from ``Signal.emit()``
without taking a reference (as if they were immortal, which they are only from Python 3.12 on).
After a few thousand calls Python aborts with "none_dealloc: deallocating None" or
"bool_dealloc: deallocating True or False".
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")


def _guard_singleton_refcounts() -> bool:
    """Work around PySide6 6.12's lost references to singletons; return True if it was needed.

    Measures whether a void call (``setObjectName``) or an ``emit()`` lowers the reference count
    of ``None`` or ``True``; if so, adds 2**40 references to each of ``None``, ``True``,
    ``False``, ``NotImplemented`` and ``Ellipsis``. They can never be deallocated legitimately
    (and from Python 3.12 on are immortal), so this only outlasts the leak, by years of calls.
    """
    if sys.version_info >= (3, 12):
        return False
    import ctypes

    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        sig = Signal()

    probe = _Probe()
    before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(8):
        probe.sig.emit()
        probe.setObjectName("probe")
    after = sys.getrefcount(None), sys.getrefcount(True)
    if after[0] >= before[0] and after[1] >= before[1]:
        return False
    for obj in (None, True, False, NotImplemented, Ellipsis):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40
    return True


_SINGLETON_REFCOUNTS_GUARDED = _guard_singleton_refcounts()
