"""The first-launch view tells the story: sigmoid + Xavier against a pinned ReLU + He."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from gradexplorer.gui.main_window import MainWindow
from gradexplorer.presets import get_preset


def test_story_pins_relu_he_and_shows_sigmoid_xavier(qtbot, tmp_path, wait_for_run):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, restore=False)
    qtbot.addWidget(window)
    assert window.show_story()
    main = get_preset("sigmoid-xavier")
    wait_for_run(qtbot, window, main.spec)
    assert window.dashboard.pin_labels() == ["ReLU + He/Kaiming (Var = 2/n) (pinned)"]
    assert "vanishing" in window.dashboard.verdict_text()
    assert window.panel.presets.combo.currentData() == "sigmoid-xavier"
    assert "10^-12" in window.panel.presets.explanation.text()
    assert window.panel.last_valid_spec() == main.spec


def test_changing_a_setting_retires_the_preset_explanation(qtbot, tmp_path, wait_for_run):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, restore=False)
    qtbot.addWidget(window)
    box = window.panel.presets
    box.choose("relu-he-gain-1-5")
    assert "explodes" in box.explanation.text()
    changed = get_preset("relu-he-gain-1-5").spec.replace(gain=0.05)
    window.apply_spec(changed)
    assert box.combo.currentIndex() == 0
    assert "Custom settings, changed from the preset" in box.explanation.text()
    assert "explodes" not in box.explanation.text()
    wait_for_run(qtbot, window, changed)
