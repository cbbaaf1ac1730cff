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
