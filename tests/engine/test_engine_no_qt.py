"""The engine is pure NumPy: importing all of it must not import any Qt binding."""

import pathlib
import subprocess
import sys

import gradexplorer.engine

ENGINE = pathlib.Path(gradexplorer.engine.__file__).parent
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "PySide2", "pyqtgraph", "superqt", "qtpy")


def test_importing_every_engine_module_loads_no_qt():
    modules = sorted(
        "gradexplorer.engine." + ".".join(p.relative_to(ENGINE).with_suffix("").parts)
        for p in ENGINE.rglob("*.py") if p.name != "__init__.py"
    )
    assert "gradexplorer.engine.runs.propagation" in modules
    code = (f"import sys, importlib\nfor m in {modules!r}: importlib.import_module(m)\n"
            f"print([q for q in {QT_MODULES!r} if q in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_engine_source_mentions_a_qt_import():
    for path in ENGINE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for q in QT_MODULES:
            assert f"import {q}" not in text and f"from {q}" not in text, path
