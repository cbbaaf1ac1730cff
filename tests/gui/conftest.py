"""GUI test helpers: views are built from an app state and a job runner, never a window."""

from __future__ import annotations

import pytest


@pytest.fixture
def state_and_runner(qtbot):
    """``make(spec) -> (AppState, JobRunner)``; every runner made is shut down afterwards."""
    from gradexplorer.gui.jobs import JobRunner
    from gradexplorer.gui.state import AppState

    runners = []

    def make(spec):
        state, runner = AppState(spec), JobRunner()
        runners.append(runner)
        return state, runner

    yield make
    for runner in runners:
        runner.shutdown()


@pytest.fixture
def shown_phase_view(qtbot, state_and_runner):
    """``make(spec, size=(1000, 800)) -> PhaseView``: shown, its diagram computed; every view
    made is shut down afterwards."""
    from gradexplorer.gui.phase.view import PhaseView

    views = []

    def make(spec, size=(1000, 800)):
        state, runner = state_and_runner(spec)
        view = PhaseView(state, runner)
        qtbot.addWidget(view)
        view.resize(*size)
        view.show()
        qtbot.waitUntil(lambda: view.plot.diagram is not None and not view.grid.is_running(),
                        timeout=20000)
        views.append(view)
        return view

    yield make
    for view in views:
        view.shutdown()


@pytest.fixture
def shown_window(qtbot, tmp_path, wait_for_run):
    """``make(spec, presets=None, size=None) -> MainWindow``: a window with its settings in a
    temporary file (nothing restored), its panel showing ``spec`` and the plots its finished
    run; ``presets`` as MainWindow's (None: the shipped ones, []: none); ``size`` (width,
    height) is set before it is shown."""
    from PySide6.QtCore import QSettings

    from gradexplorer.gui.main_window import MainWindow

    def make(spec, presets=None, size=None):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings, presets=presets, restore=False)
        qtbot.addWidget(window)
        window.state.set_spec(spec, "test")  # not "panel": the panel follows the spec
        if size is not None:
            window.resize(*size)
        window.show()
        wait_for_run(qtbot, window, spec)
        return window

    return make
