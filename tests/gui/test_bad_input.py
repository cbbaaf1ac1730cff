"""Bad input typed in the window is never clamped or reverted silently (issue 10, item 5).

Each bad value leaves the text the user typed in the field, paints the field red with the
spec's message in a row right under it, keeps the spec (the last valid run) unchanged, and
marks the plots as the last valid run.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.gui.controls.widgets import has_error
from gradexplorer.gui.main_window import MainWindow

SMALL = NetworkSpec(depth=8, width=24, in_features=16, batch=32)


@pytest.fixture
def window(qtbot, tmp_path, wait_for_run):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, presets=[], restore=False)
    qtbot.addWidget(w)
    w.panel.set_spec(SMALL)
    w.request_run(SMALL)
    w.show()
    wait_for_run(qtbot, w, SMALL)
    return w


def type_into(qtbot, spin, text: str) -> None:
    """Select all of ``spin``'s text, type ``text`` and press Enter, as a user does."""
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)


CASES = [  # (section, attribute, the spin box, typed text, words of the message)
    ("network", "depth", lambda s: s.depth.spin, "5000", "between 1 and 1000"),
    ("network", "depth", lambda s: s.depth.spin, "0", "between 1 and 1000"),
    ("init", "gain", lambda s: s.gain.spin, "0", "gain must be positive"),
    ("init", "gain", lambda s: s.gain.spin, "-3", "gain must be positive"),
    ("data", "std", lambda s: s.std, "-1", "input std must be zero or positive"),
]


@pytest.mark.parametrize(("section", "attr", "spin_of", "typed", "words"), CASES)
def test_bad_value_stays_typed_red_with_its_message(qtbot, window, section, attr, spin_of,
                                                    typed, words):
    panel = window.panel
    sec = getattr(panel, section)
    field_widget = getattr(sec, attr)
    spin = spin_of(sec)
    before = panel.last_valid_spec()
    type_into(qtbot, spin, typed)
    panel.flush()
    qtbot.waitUntil(lambda: has_error(field_widget))
    assert float(spin.lineEdit().text()) == float(typed)  # what the user typed, not clamped
    assert spin.value() == pytest.approx(float(typed))
    assert sec.error_label is not None and sec.error_label.isVisible()
    assert words in sec.error_label.text()
    assert panel.last_valid_spec() == before  # nothing ran
    assert words in window.status_text()
    assert "showing the last valid run" in window.dashboard.headline.settings.text
    # fixing the value clears the red mark, the message row and the stale mark
    type_into(qtbot, spin, "5" if attr != "gain" else "1.5")
    panel.flush()
    qtbot.waitUntil(lambda: not has_error(field_widget))
    assert sec.error_label is None
    assert "showing the last valid run" not in window.dashboard.headline.settings.text


def test_large_gain_runs_as_typed(qtbot, window):
    """gain 99999 is valid (the run explodes, a result to show): it runs as 99999, not 999."""
    type_into(qtbot, window.panel.init.gain.spin, "99999")
    window.panel.flush()
    qtbot.waitUntil(lambda: window.panel.last_valid_spec().gain == 99999)
    assert not has_error(window.panel.init.gain)


def test_widths_placeholder_states_the_rule_and_a_wrong_list_is_red(qtbot, window):
    net = window.panel.network
    assert net.widths.placeholderText().startswith("8 widths, one per layer")
    net.widths.setFocus()
    qtbot.keyClicks(net.widths, "64, 32")
    window.panel.flush()
    qtbot.waitUntil(lambda: has_error(net.widths))
    assert net.widths.text() == "64, 32"
    assert "widths lists 2 layers but depth is 8" in net.error_label.text()


def test_negative_branch_scale_stays_typed_red(qtbot, window):
    """α < 0 typed in the Architecture section is not clamped to 0: red, with the spec's words."""
    arch = window.panel.architecture
    arch.residual.setChecked(True)
    window.panel.flush()
    qtbot.waitUntil(lambda: window.panel.last_valid_spec().residual)
    before = window.panel.last_valid_spec()
    type_into(qtbot, arch.alpha.spin, "-1")
    window.panel.flush()
    qtbot.waitUntil(lambda: has_error(arch.alpha))
    assert float(arch.alpha.spin.lineEdit().text()) == -1.0
    assert window.panel.last_valid_spec() == before
    assert "residual scale" in window.status_text()
