"""Live drag through the real window: complete results while the mouse moves, latest wins.

The Gain slider is moved 60 times a second (a QTimer, as a mouse would) at a net whose run lasts
longer than the time between two values: the old cancel-on-every-change policy completed no
run during such a drag (the panel's throttle sends a value every 40 ms), whatever its length.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import collect
from gradexplorer.gui.jobs import preview as preview_module
from gradexplorer.gui.jobs.preview import (
    MIN_PREVIEW_ROWS,
    PREVIEW_ROWS,
    PreviewPolicy,
    preview_of,
    preview_rows,
)
from gradexplorer.gui.plots.headline import describe
from gradexplorer.gui.run_status import PENDING_TEXT, preview_text

#: The first-launch net: a run takes ~0.1-0.3 s here, values come every 16 ms.
NET = NetworkSpec(depth=20, width=128, in_features=128, batch=256, activation="sigmoid",
                  init="xavier_normal")
SERIES = ("log10_grad_preact_rms", "log10_act_std", "saturated_fraction")


@pytest.fixture
def window(qtbot, shown_window, wait_for_run):
    w = shown_window(NET, presets=[])  # the panel shows NET and drags from it
    w.state.set_spec(NET.replace(gain=1.01), "panel")  # the lane learns the run time
    wait_for_run(qtbot, w, NET.replace(gain=1.01))
    return w


def _drag(qtbot, window, results=3, max_moves=900):
    """Move the gain slider at 60 Hz, back and forth, until ``results`` complete results were
    shown meanwhile (at most ``max_moves`` moves); end on a value never shown before.

    Returns the results shown while it moved and whether the pending mark was ever seen.
    """
    slider = window.panel.init.gain.slider
    lo, hi = int(0.3 * slider.maximum()), slider.value()
    sweep = list(np.linspace(hi, lo, 60).astype(int)) + list(np.linspace(lo, hi, 60).astype(int))
    shown, pending_seen, moves = [], [], [0]
    window.state.sigResultChanged.connect(lambda result, spec: shown.append((result, spec)))
    timer = QTimer()
    timer.setInterval(16)

    def move():
        if len(shown) >= results or moves[0] >= max_moves:
            slider.setValue(lo - 7)  # the final value: below everything dragged over
            timer.stop()
            return
        slider.setValue(int(sweep[moves[0] % len(sweep)]))
        moves[0] += 1
        pending_seen.append(window.run_time.text() == PENDING_TEXT)

    timer.timeout.connect(move)
    timer.start()
    qtbot.waitUntil(lambda: not timer.isActive(), timeout=60000)
    return list(shown), any(pending_seen)


def test_a_drag_shows_complete_results_while_it_lasts_and_ends_on_the_final_value(
        qtbot, window, wait_for_run):
    shown, pending_seen = _drag(qtbot, window)
    during = len(shown)
    window.panel.flush()  # the mouse stopped: the throttled last value goes out now
    final = window.panel.last_valid_spec()
    result = wait_for_run(qtbot, window, final)
    assert during >= 3, "the drag starved: too few complete results while the slider moved"
    assert pending_seen  # the run time label said the plots were behind the controls
    assert window.run_time.text() != PENDING_TEXT
    # every result shown was complete and is exactly the run of the spec it claims
    for shown_result, spec in shown:
        assert shown_result.complete and shown_result.start.config == spec.to_dict()
    ids = [spec for _, spec in shown]
    assert len(set(ids)) == len(ids)  # each value shown once: no stale repeat
    # the final result equals a fresh run of the final value, bit for bit
    expected = collect(propagate(final))
    for name in SERIES:
        np.testing.assert_array_equal(result.series(name), expected.series(name), err_msg=name)
    # and the plots draw exactly those numbers (not a preview's, not an older run's)
    plotted = {"log10_grad_preact_rms": window.dashboard.gradient.curves["grad"],
               "saturated_fraction": window.dashboard.saturation.curves["saturated"]}
    for name, item in plotted.items():
        np.testing.assert_array_equal(item.getData()[1], expected.series(name), err_msg=name)
    # during the drag the fast first passes were shown, labelled, with their own batch
    previews = [spec for _, spec in shown if spec.batch == preview_rows(final) == PREVIEW_ROWS]
    assert previews
    assert all(spec.replace(batch=final.batch, gain=final.gain) == final for spec in previews)
    assert result.start.config["batch"] == final.batch > PREVIEW_ROWS  # the last one is full
    # header, σ_w² text and verdict describe that run (no preview mark any more)
    assert window.dashboard.headline._settings == describe(final.to_dict())
    assert window.dashboard.headline.settings_text() == describe(final.to_dict())
    assert "preview" not in window.run_time.text()
    sw2 = result.start.sigma_w2[-1]
    assert window.panel.init.sigma.text().startswith(f"σ_w² = fan_in·Var(W) = {sw2:.4g} ")
    assert sw2 == pytest.approx(final.gain ** 2 * 128 * 2 / 256)  # Xavier: g² · 2/(in + out)
    assert window.verdict.full_text() == window.dashboard.verdict_status() != ""


def test_closing_during_a_drag_leaves_no_thread_running(qtbot, window):
    slider = window.panel.init.gain.slider
    for pos in range(slider.value(), slider.value() - 40, -4):
        slider.setValue(pos)
        window.panel.flush()
    assert window.is_running()
    window.close()
    assert not any(lane.worker_thread().isRunning() for lane in window.runner.lanes())


def test_preview_policy_runs_a_burst_small_and_its_last_value_in_full(qtbot):
    policy = PreviewPolicy()
    first, second, third = NET, NET.replace(gain=1.1), NET.replace(gain=1.2)
    assert policy.spec_for(first) is first  # a single change runs in full
    assert policy.spec_for(second) == preview_of(second) == second.replace(batch=PREVIEW_ROWS)
    assert policy.spec_for(third).batch == PREVIEW_ROWS and policy.is_waiting()
    with qtbot.waitSignal(policy.sigFull, timeout=2000) as blocker:
        pass
    assert blocker.args == [third]  # the latest value, in full
    assert not policy.is_waiting()
    small = NET.replace(batch=PREVIEW_ROWS)
    assert preview_of(small) is small  # nothing smaller to preview


def test_a_held_control_previews_from_its_first_value(qtbot):
    """A pressed slider starts the burst: its first value is a preview too; the release runs
    the last value in full and ends the burst (the next single change runs in full)."""
    policy = PreviewPolicy()
    policy.start_burst()
    first = NET.replace(gain=1.1)
    assert policy.spec_for(first) == preview_of(first)  # not a full run to be cancelled
    full = []
    policy.sigFull.connect(full.append)
    policy.finish_now()
    assert full == [first]
    assert policy.spec_for(NET.replace(gain=1.2)) == NET.replace(gain=1.2)
    assert not policy.bursting  # a single change
    policy.start_burst()
    small = NET.replace(batch=32)  # nothing to preview: its run is the drag's run all the same
    assert policy.spec_for(small) is small and policy.bursting


def test_a_press_whose_release_never_comes_ends_its_burst_once_the_values_stop(
        qtbot, monkeypatch):
    """A slider hidden mid-press sends no release: once no value came for FULL_AFTER and no
    mouse button is down, the burst is over (a later typed value runs in full at once)."""
    clock = [100.0]
    monkeypatch.setattr(preview_module, "time", SimpleNamespace(perf_counter=lambda: clock[0]))
    policy = PreviewPolicy()
    policy.start_burst()
    value = NET.replace(gain=1.1)
    assert policy.spec_for(value) == preview_of(value)
    with qtbot.waitSignal(policy.sigFull, timeout=2000) as blocker:
        pass
    assert blocker.args == [value]
    clock[0] += 10.0  # long after: a typed value, not a drag
    typed = NET.replace(gain=1.3)
    assert policy.spec_for(typed) is typed and not policy.bursting


def test_pressing_the_slider_and_the_phase_point_start_a_drag(qtbot, window):
    started = []
    window.state.sigDragStarted.connect(lambda: started.append("state"))
    window.panel.init.gain.slider.sliderPressed.emit()
    assert started == ["state"]
    window.preview.spec_for(NET.replace(gain=1.3))
    assert window.preview.is_waiting()  # the first value of the drag was a preview
    window.panel.init.gain.slider.sliderReleased.emit()
    assert not window.preview.is_waiting()
    phase = dict(window.views)["Phase diagram"]
    phase.plot.target.moving = True  # pyqtgraph sets it when the mouse takes the point
    phase.plot.target.sigPositionChanged.emit(phase.plot.target)
    phase.plot.target.sigPositionChanged.emit(phase.plot.target)
    assert started == ["state", "state"]  # once per drag, not per move
    phase.plot.target.moving = False
    phase.plot.target.sigPositionChangeFinished.emit(phase.plot.target)
    assert not window.preview._held


def test_previews_of_larger_networks_take_fewer_rows():
    """A preview's matrix products cost rows × weights: above 2**20 weights the rows shrink in
    proportion (down to 8), so the drag of a deep wide net still shows results."""
    first_launch = NetworkSpec(depth=20, width=128, in_features=128, batch=256)
    assert preview_rows(first_launch) == PREVIEW_ROWS == 64  # 327,680 weights
    mid = first_launch.replace(depth=40, width=256, in_features=256)  # 2,621,440 weights
    assert preview_rows(mid) == 64 * 2 ** 20 // (40 * 256 * 256) == 25
    assert preview_of(mid).batch == 25
    deep = first_launch.replace(depth=200, width=256, in_features=256)  # 13 M weights
    assert preview_rows(deep) == MIN_PREVIEW_ROWS == 8
    ragged = first_launch.replace(depth=2, widths=(512, 64), in_features=2048)  # 2048·512 + 512·64
    assert preview_rows(ragged) == 64 * 2 ** 20 // (2048 * 512 + 512 * 64) == 62
    assert preview_text(8) == "preview (8 rows)"


def test_releasing_the_slider_runs_the_last_value_in_full_at_once(qtbot, window, wait_for_run):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtWidgets import QStyle, QStyleOptionSlider

    slider = window.panel.init.gain.slider
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    handle = slider.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                           QStyle.SubControl.SC_SliderHandle, slider).center()
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=handle)
    for dx in (-8, -16, -24, -32):  # a burst: previews, the full run waits for the mouse
        qtbot.mouseMove(slider, handle + QPoint(dx, 0))
        window.panel.flush()
    assert window.preview.is_waiting()
    finished = []
    window.preview.sigFull.connect(finished.append)
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=handle + QPoint(-32, 0))
    assert finished == [window.state.spec()]  # at the release, not FULL_AFTER later
    assert not window.preview.is_waiting()
    final = window.state.spec()
    assert final.batch == NET.batch and final.gain < NET.gain
    wait_for_run(qtbot, window, final)


def test_after_the_release_the_label_says_the_full_run_computes(qtbot, window, wait_for_run):
    """The preview of the value on screen stays while its full run computes: the run-time label
    says so ("preview (64 rows); full run…"), not "newer settings pending…"."""
    slider = window.panel.init.gain.slider
    slider.sliderPressed.emit()
    for pos in (slider.value() - 30, slider.value() - 60):
        slider.setValue(pos)
        window.panel.flush()
    final = window.state.spec()
    qtbot.waitUntil(lambda: window.dashboard.result() is not None
                    and window.dashboard.result().complete
                    and window.dashboard.result().start.config["batch"] == 64
                    and window.dashboard.result().start.config["gain"] == final.gain,
                    timeout=10000)
    seen = []
    window.run_time.setText("")
    slider.sliderReleased.emit()  # the full run of the same value starts
    seen.append(window.run_time.text())
    assert seen == ["preview (64 rows); full run…"]
    wait_for_run(qtbot, window, final)
    assert "preview" not in window.run_time.text() and "pending" not in window.run_time.text()


def test_releasing_the_phase_point_ends_the_burst(qtbot, window):
    phase = dict(window.views)["Phase diagram"]
    window.preview.spec_for(NET)
    assert window.preview.spec_for(NET.replace(gain=1.1)).batch == PREVIEW_ROWS
    finished = []
    window.preview.sigFull.connect(finished.append)
    with qtbot.waitSignal(window.state.sigDragFinished, timeout=1000):
        phase.plot.target.sigPositionChangeFinished.emit(phase.plot.target)  # mouse released
    assert finished == [NET.replace(gain=1.1)] and not window.preview.is_waiting()
    assert window.preview.spec_for(NET.replace(gain=1.2)) == NET.replace(gain=1.2)  # new burst
