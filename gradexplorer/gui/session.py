"""Session files in the GUI: the Qt-free format lives in :mod:`gradexplorer.io.sessions`.

Re-exported here with the file-dialog filter, so the window's file actions import one module.
"""

from __future__ import annotations

from gradexplorer.io.sessions import (
    FORMAT,
    VERSION,
    Pin,
    Session,
    SessionError,
    load_session,
    save_session,
)

#: File-dialog filter for session files.
FILE_FILTER = "gradexplorer sessions (*.gxs.json *.json);;All files (*)"

__all__ = ["FILE_FILTER", "FORMAT", "VERSION", "Pin", "Session", "SessionError", "load_session",
           "save_session"]
