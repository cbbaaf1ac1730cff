"""The io package is Qt-free and CLI-free: the GUI and the CLI both build on it."""

from __future__ import annotations

import os
import subprocess
import sys


def test_io_imports_no_qt_gui_or_cli():
    code = ("import sys\n"
            "import gradexplorer.io.atomic, gradexplorer.io.documents, gradexplorer.io.numbers, "
            "gradexplorer.io.sessions, gradexplorer.io.training\n"
            "print([m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph') "
            "or m.startswith(('gradexplorer.gui', 'gradexplorer.cli'))])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
