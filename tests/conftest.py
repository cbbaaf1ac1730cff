"""Shared test setup: offscreen Qt, isolated QSettings, no QThread left running.

Qt is imported lazily inside fixtures so engine tests (which must not import Qt) stay Qt-free.
"""

from __future__ import annotations

import os
import weakref

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")


def _uses_qt(request) -> bool:
    """Only Qt tests get the Qt fixtures, so engine tests can check that Qt is never imported."""
    if "qtbot" in request.fixturenames or "qapp" in request.fixturenames:
        return True
    return "gui" in request.node.path.parts


@pytest.fixture(autouse=True, scope="session")
def _garbage_collected_on_the_main_thread():
    """Collect cycles only here, on the main thread, between tests (as the app does on a timer).

    Python's cyclic GC runs in whichever thread crosses the allocation threshold; a collection
    in an engine worker thread can destroy GUI-thread Qt objects from the wrong thread and
    crash the interpreter (seen as rare segfaults in full GUI runs).
    """
    import gc

    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.fixture(autouse=True)
def _collect_between_tests():
    """The automatic collection's own generation rule, run on the main thread after each test."""
    yield
    import gc

    counts, thresholds = gc.get_count(), gc.get_threshold()
    for generation in range(3):
        if counts[generation] <= thresholds[generation]:
            break
        gc.collect(generation)


@pytest.fixture(autouse=True)
def _no_qthread_left_running(request):
    """Fail any test that leaves a QThread running (the thread is then stopped, not leaked).

    ``QThread.start`` is wrapped to remember every started thread; after the test (and after
    pytest-qt closed its widgets) and after the retired threads ended (as the app waits for
    them at exit, :mod:`gradexplorer.gui.jobs.retired`), each must have finished.
    """
    if not _uses_qt(request):
        yield
        return
    from PySide6.QtCore import QThread

    original = QThread.start
    started: list[weakref.ref] = []

    def start(self, *args, **kwargs):
        started.append(weakref.ref(self))
        return original(self, *args, **kwargs)

    QThread.start = start
    try:
        yield
    finally:
        QThread.start = original
    import sys

    retired = sys.modules.get("gradexplorer.gui.jobs.retired")
    if retired is not None:  # threads retired with cancelled work end by themselves (the app
        retired.wait_retired(10.0)  # waits for them at exit); a test must not outlive them
    leaked = []
    for ref in started:
        thread = ref()
        try:
            running = thread is not None and thread.isRunning()
        except RuntimeError:  # C++ object already deleted: it was stopped
            running = False
        if running:
            leaked.append(thread.objectName() or repr(thread))
            thread.quit()
            thread.wait(5000)
    if leaked:
        pytest.fail(f"test left QThread(s) running: {', '.join(leaked)}")


@pytest.fixture(autouse=True)
def _isolated_qsettings(request, tmp_path_factory):
    """Point QSettings at a temporary directory so no test touches the user's settings."""
    if not _uses_qt(request):
        yield
        return
    from PySide6.QtCore import QCoreApplication, QSettings

    path = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(path))
    QCoreApplication.setOrganizationName("gradexplorer-tests")
    QCoreApplication.setApplicationName("gradexplorer-tests")
    yield path


class FakeEngine:
    """A stand-in for ``engine.propagation.propagate`` that yields well-formed records.

    ``log10_grad_preact_rms`` of layer l is ``(L - l) * log10(gain)``; a ``file`` input whose
    path does not end in ``.npy``/``.csv`` fails as the engine's DataError does, and a run of
    more than 2**36 weight + activation elements as its memory check does. ``gate`` (a
    ``threading.Event``), when given, paces the run: each record after the first waits until
    the gate is set or ``step_seconds`` passed (a slow engine that a test can also step).
    """

    def __init__(self, gate=None, step_seconds=0.2):
        self.gate = gate
        self.step_seconds = step_seconds
        self.calls = 0

    def __call__(self, spec):
        return self._run(spec)

    def _run(self, spec):
        import math

        import numpy as np

        from gradexplorer.engine.model.spec import SpecError
        from gradexplorer.engine.runs.records import (
            BackwardLayer,
            ForwardLayer,
            Histogram,
            LossRecord,
            RunEnd,
            RunStart,
        )

        self.calls += 1
        if spec.input == "file" and not str(spec.input_path).endswith((".npy", ".csv")):
            raise SpecError("input_path", f"cannot read {spec.input_path}: not .npy or .csv")
        widths = spec.layer_widths()
        weights = sum(a * b for a, b in zip(widths, widths[1:], strict=False))
        if spec.batch * max(widths) * spec.depth + weights > 2**36:
            raise SpecError("batch", "this run needs too much memory")
        hist = Histogram(np.zeros(3), np.zeros(2), "value", 0)
        yield RunStart(spec.to_dict(), widths, "fake", 0, (spec.gain ** 2,) * spec.depth, 0.0, 1.0)
        g = math.log10(spec.gain)
        for layer in range(1, spec.depth + 1):
            self._wait()
            yield ForwardLayer(layer, widths[layer - 1], widths[layer], 0.0, 1.0, 0.0, 1.0, 0.0,
                               1.0, 0.0, 0.0, 1.0, 0.0, 0.0, hist, hist)
        self._wait()
        yield LossRecord(spec.loss, 1.0, 0.0)
        for layer in range(spec.depth, 0, -1):
            self._wait()
            v = (spec.depth - layer) * g + 0.001 * spec.seed
            yield BackwardLayer(layer, 10 ** v, v, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, hist)
        yield RunEnd(0.0)

    def _wait(self):
        if self.gate is not None:
            self.gate.wait(self.step_seconds)
            self.gate.clear()


@pytest.fixture
def fake_engine():
    """A :class:`FakeEngine` without a gate."""
    return FakeEngine()


@pytest.fixture
def gated_engine():
    """A slow :class:`FakeEngine`: one record per ``engine.gate.set()`` or per 0.2 s."""
    import threading

    return FakeEngine(gate=threading.Event())


def _wait_for_run(qtbot, window, spec, timeout=15000):
    """Wait until ``window``'s dashboard shows a finished run of ``spec``; return its result."""

    def shown():
        result = window.dashboard.result()
        assert result is not None and result.complete and not window.is_running()
        assert result.start.config == spec.to_dict()

    qtbot.waitUntil(shown, timeout=timeout)
    return window.dashboard.result()


@pytest.fixture
def wait_for_run():
    """``wait_for_run(qtbot, window, spec)``: block until the window shows that finished run."""
    return _wait_for_run


@pytest.fixture(autouse=True)
def _presentation_scale_reset(request):
    """A test that zooms (View ▸ Zoom in) leaves the next test at the 1.0× fonts."""
    yield
    if not _uses_qt(request):
        return
    from gradexplorer.gui.plots import style

    if style.scale() != 1.0:
        from gradexplorer.gui.presentation import apply_scale

        apply_scale(1.0)
