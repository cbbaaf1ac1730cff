"""Story mode in the window: clicker keys through every step, Back, explore and return."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt

from gradexplorer.gui.main_window import MainWindow
from gradexplorer.gui.story.highlight import PLOTS
from gradexplorer.gui.story.mode import uses_arrows
from gradexplorer.story import load_story

STORY = load_story()


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, restore=False)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitActive(w)
    return w


def wait_step(qtbot, w, index, timeout=60000):
    """Wait until step ``index``'s own network is the finished, shown run, its pin drawn."""
    step = STORY.steps[index]

    def shown():
        assert w.story.index == index
        assert w.state.spec() == step.spec
        assert w.state.result_spec() == step.spec and not w.state.is_pending()
        assert not w.is_running()
        assert w.dashboard.result().start.config == step.spec.to_dict()
        want = [step.compare_label] if step.compare is not None else []
        assert w.dashboard.pin_labels() == want

    qtbot.waitUntil(shown, timeout=timeout)


def test_story_runs_start_to_end_with_clicker_keys(qtbot, window):
    w = window
    w.story.start(0)
    wait_step(qtbot, w, 0)
    assert w.story.dock.isVisible()
    assert w.story.panel.title.text().startswith(f"Step 1 of {len(STORY.steps)}")
    assert w.dashboard.gradient.highlighted()  # step 1 highlights the gradient curves
    assert "Measured in this run: vanishing" in w.story.panel.measured.text()
    w.dashboard.view.setFocus()  # a plot has the focus: the keys still reach the story
    for index in range(1, len(STORY.steps)):
        key = Qt.Key.Key_PageDown if index % 2 else Qt.Key.Key_Right
        qtbot.keyClick(w.focusWidget() or w, key)
        wait_step(qtbot, w, index)
        step = STORY.steps[index]
        assert w.story.panel.title.text() == (
            f"Step {index + 1} of {len(STORY.steps)}: {step.title}")
        assert not w.story.explored
        on_dashboard = {PLOTS[h.plot][0] for h in step.highlights if h.plot in PLOTS}
        for name in ("gradient", "activation", "saturation"):
            assert getattr(w.dashboard, name).highlighted() == (name in on_dashboard), name
    # the last step answers the question, on the phase diagram's tab
    assert STORY.steps[-1].id == "answer"
    assert w.tabs.tabText(w.tabs.currentIndex()).startswith("Phase")
    assert "keep each layer's factor near 1" in w.story.panel.title.text()
    assert not w.story.panel.next.isEnabled()
    qtbot.keyClick(w, Qt.Key.Key_PageDown)  # past the end: nothing happens
    assert w.story.index == len(STORY.steps) - 1


def test_back_returns_to_the_previous_step(qtbot, window):
    w = window
    w.story.start(2)
    wait_step(qtbot, w, 2)
    qtbot.keyClick(w, Qt.Key.Key_PageUp)
    wait_step(qtbot, w, 1)
    w.story.panel.back.click()
    wait_step(qtbot, w, 0)
    qtbot.keyClick(w, Qt.Key.Key_Left)  # on the first step: stays
    assert w.story.index == 0
    assert not w.story.panel.back.isEnabled()


def test_leave_to_explore_and_come_back_to_the_same_step(qtbot, window):
    w = window
    w.story.start(5)  # ReLU with large weights
    wait_step(qtbot, w, 5)
    explored = []
    w.story.sigExplored.connect(explored.append)
    w.panel.init.gain.setValue(0.7)  # the learner changes a setting
    qtbot.waitUntil(lambda: w.story.explored, timeout=5000)
    assert explored == [True]
    assert w.story.panel.return_.isVisible()
    assert w.story.panel.return_.text() == "Back to step 6"
    assert "exploring" in w.story.panel.explored.text()
    assert not w.dashboard.gradient.highlighted()  # highlights belong to the step's run
    qtbot.waitUntil(lambda: w.state.result_spec() == w.state.spec() and not w.is_running(),
                    timeout=30000)
    assert w.state.spec().gain == pytest.approx(0.7)
    w.story.panel.return_.click()
    wait_step(qtbot, w, 5)
    assert not w.story.explored and explored == [True, False]
    assert not w.story.panel.return_.isVisible()
    # leaving closes the panel; Help ▸ Story opens it again at the same step
    w.story.panel.leave.click()
    assert not w.story.dock.isVisible()
    qtbot.keyClick(w, Qt.Key.Key_PageDown)  # keys are the story's only while it is open
    assert w.story.index == 5
    w.actions_.actions["story"].trigger()
    wait_step(qtbot, w, 5)
    assert w.story.dock.isVisible()


def test_arrows_stay_with_a_focused_spin_box(qtbot, window):
    w = window
    w.story.start(0)
    wait_step(qtbot, w, 0)
    spin = w.panel.network.depth.spin if hasattr(w.panel.network.depth, "spin") else None
    spin = spin or w.panel.findChild(type(w.panel.init.bias_std))
    assert uses_arrows(spin)
    spin.setFocus()
    qtbot.waitUntil(lambda: w.focusWidget() is spin or spin.isAncestorOf(w.focusWidget()))
    assert not w.story._keys["right"].isEnabled() and w.story._keys["pagedown"].isEnabled()
    w.dashboard.view.setFocus()
    qtbot.waitUntil(lambda: w.story._keys["right"].isEnabled())


def test_first_launch_offers_the_story_without_loading_it(qtbot, window):
    w = window
    before = w.state.spec()
    w.story.offer()
    assert w.story.dock.isVisible() and w.story.panel.start.isVisible()
    assert not w.story.active and w.state.spec() == before
    qtbot.keyClick(w, Qt.Key.Key_PageDown)  # not started: the keys do nothing
    assert not w.story.active
    w.story.panel.start.click()
    wait_step(qtbot, w, 0)
