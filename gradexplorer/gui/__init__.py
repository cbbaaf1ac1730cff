"""The Qt front end: main window, control panel, plots, worker thread, sessions.

Importing this package applies :func:`_guard_bool_refcount` (see there): with PySide6 6.12.0 on
Python < 3.12 every ``Signal.emit()`` from Python drops one reference to ``True`` it never took,
and after a few hundred emissions Python aborts with "bool_dealloc: deallocating True or False".
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")


def _guard_bool_refcount() -> bool:
    """Work around the PySide6 6.12 ``emit()`` refcount bug; return True if it was needed.

    Measures whether one ``emit()`` lowers the reference count of ``True`` or ``False``; if so,
    adds 2**40 references to that singleton (it can never be deallocated legitimately, and from
    Python 3.12 on both are immortal anyway), which outlasts any session's emissions.
    """
    if sys.version_info >= (3, 12):
        return False
    import ctypes

    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        sig = Signal()

    probe = _Probe()
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(8):
        probe.sig.emit()
    after = sys.getrefcount(True), sys.getrefcount(False)
    fixed = False
    for obj, b, a in ((True, before[0], after[0]), (False, before[1], after[1])):
        if a < b:
            ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40
            fixed = True
    return fixed


_BOOL_REFCOUNT_GUARDED = _guard_bool_refcount()
