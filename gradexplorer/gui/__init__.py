"""The Qt front end: main window, control panel, plots, app state, job runner, sessions."""

from __future__ import annotations

import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
