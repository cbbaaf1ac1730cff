"""Start-up (issue 9): the first launch shows its own run first, the pinned run follows; the
window's module leaves the other tabs, SciPy and the training engine for later."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, QTimer

import gradexplorer
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import collect
from gradexplorer.gui.app import make_window
from gradexplorer.gui.session import Pin
from gradexplorer.presets import get_preset

GRADIENT = "log10_grad_preact_rms"


def test_first_launch_shows_the_story_run_before_computing_the_pinned_one(qtbot, tmp_path,
                                                                          wait_for_run):
    settings = QSettings(str(tmp_path / "first-launch.ini"), QSettings.Format.IniFormat)
    results = []  # every run the app state reported as shown, in order
    window = make_window(settings, on_result=lambda result, spec: results.append(spec))
    qtbot.addWidget(window)
    started = []
    window.state.sigRunStarted.connect(started.append)
    ended = []  # the run the dashboard held when each run ended there
    finish = window.dashboard.finish_run

    def finish_run(end, **options):
        ended.append(window.dashboard.result().start.config["activation"])
        finish(end, **options)

    window.dashboard.finish_run = finish_run
    main, ref = get_preset("sigmoid-xavier"), get_preset("relu-he")
    wait_for_run(qtbot, window, main.spec)

    # the story's own run completes in the plots first; the pinned run never streams there
    assert ended[0] == "sigmoid"
    assert results and all(spec == main.spec for spec in results)
    assert started and all(spec == main.spec for spec in started)
    # what the user sees at the end: sigmoid + Xavier current, ReLU + He's measurement pinned
    label = f"{ref.title} (pinned)"
    assert window.dashboard.pin_labels() == [label]
    assert window.pins()[0].spec == ref.spec
    assert window.dashboard.result().start.config == main.spec.to_dict()
    assert "vanishing" in window.dashboard.verdict_text()
    shown = window.dashboard.result().series(GRADIENT)
    np.testing.assert_allclose(shown, collect(propagate(main.spec)).series(GRADIENT),
                               rtol=1e-9)
    pinned = window.dashboard.gradient._pin_data[label][GRADIENT]
    np.testing.assert_allclose(pinned, collect(propagate(ref.spec)).series(GRADIENT), rtol=1e-9)
    assert shown[0] < -11 and abs(pinned[0]) < 1  # 12 decades lost vs flat: not swapped
    assert "mean-field" in window.theory.hover_text(5)  # the theory drawn is the shown run's
    assert window.run_time.text().endswith(" s")
    assert window.status_text() == window.dashboard.result().start.data_description
    # two runs in all: the story's (started while the window was built) and the pin's
    assert window.lane.latest_id == 2


def test_a_relaunch_runs_the_stored_settings_started_while_the_window_is_built_then_pins(
        qtbot, tmp_path, wait_for_run):
    stored = get_preset("tanh-xavier").spec.replace(depth=7, width=24)
    pinned = stored.replace(activation="relu", init="kaiming_normal")
    settings = QSettings(str(tmp_path / "again.ini"), QSettings.Format.IniFormat)
    settings.setValue("spec", json.dumps(stored.to_dict()))
    settings.setValue("pins", json.dumps([{"label": "relu", "spec": pinned.to_dict()}]))
    settings.sync()
    window = make_window(settings)
    qtbot.addWidget(window)
    assert window.lane.latest_id == 1 and window.is_running()  # submitted before the loop ran
    wait_for_run(qtbot, window, stored)
    assert window.lane.latest_id == 2  # the early run was the one shown, then the pin's
    assert window.panel.last_valid_spec() == stored
    assert window.pins() == [Pin("relu", pinned)]
    np.testing.assert_allclose(window.dashboard.gradient._pin_data["relu"][GRADIENT],
                               collect(propagate(pinned)).series(GRADIENT), rtol=1e-9)


def test_a_new_setting_while_the_pinned_run_computes_drops_it_and_shows_the_setting(
        qtbot, tmp_path, wait_for_run):
    settings = QSettings(str(tmp_path / "first-launch.ini"), QSettings.Format.IniFormat)
    main = get_preset("sigmoid-xavier")
    changed = main.spec.replace(depth=6)

    def on_result(result, spec):  # the story's run is shown; its pin's run starts next
        if spec == main.spec:
            QTimer.singleShot(0, lambda: window.apply_spec(changed))

    window = make_window(settings, on_result=on_result)
    qtbot.addWidget(window)
    activations = []
    window.state.sigRunStarted.connect(lambda spec: activations.append(spec.activation))
    wait_for_run(qtbot, window, changed)
    assert window.dashboard.result().start.config == changed.to_dict()
    assert window.dashboard.pin_labels() == []  # the pin was not finished: dropped, not mixed
    assert "relu" not in activations
    assert "pinned run" not in window.status_text()


def test_importing_the_window_leaves_tabs_scipy_and_training_for_later():
    code = ("import sys\nimport gradexplorer.gui.main_window\n"
            "late = [m for m in sys.modules if m.split('.')[0] == 'scipy' or m.startswith(("
            "'gradexplorer.gui.train', 'gradexplorer.gui.phase', 'gradexplorer.gui.sweep', "
            "'gradexplorer.gui.jacobian', 'gradexplorer.engine.training', "
            "'gradexplorer.engine.theory', 'gradexplorer.cli'))]\n"
            "print(late, file=sys.stderr)")
    root = Path(gradexplorer.__file__).resolve().parents[1]  # this package, not another copy
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines()[-1] == "[]"
