"""Help ▸ Glossary (search, tooltips) and the whole-truth verdict in the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from gradexplorer.glossary import list_terms, lookup
from gradexplorer.gui.dashboard import headline_text
from gradexplorer.gui.glossary_dialog import GlossaryDialog, tip
from gradexplorer.gui.main_window import MainWindow
from gradexplorer.presets import get_preset


def test_glossary_search_filters_by_symbol_alias_and_words(qtbot):
    dialog = GlossaryDialog()
    qtbot.addWidget(dialog)
    assert dialog.visible_symbols() == [t.symbol for t in list_terms()]
    qtbot.keyClicks(dialog.search, "chi1")  # an alias (the CLI's column name)
    assert dialog.visible_symbols() == ["χ1"]
    assert dialog.count.text() == f"1 of {len(list_terms())} terms"
    dialog.search.clear()
    qtbot.keyClicks(dialog.search, "rounding")
    assert "rounding floor" in dialog.visible_symbols()
    assert "χ1" not in dialog.visible_symbols()
    dialog.search.setText("no such word anywhere")
    assert dialog.visible_symbols() == []


def test_tooltip_gives_the_glossary_plain_words():
    text = tip("χ1", "q*")
    assert lookup("χ1").plain[:40] in text and lookup("q*").name in text
    assert tip("not a symbol") == ""


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, restore=False)
    qtbot.addWidget(w)
    return w


def test_window_symbols_carry_glossary_tooltips(window):
    assert lookup("∂L/∂h").plain[:30] in window.dashboard.gradient.plot.titleLabel.toolTip()
    assert lookup("saturation").plain[:30] in window.dashboard.saturation.plot.titleLabel.toolTip()
    assert lookup("σ_w²").plain[:30] in window.panel.init.sigma.toolTip()
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    window.tabs.setCurrentIndex(titles.index("Phase diagram"))  # built when first shown
    phase = dict(window.views)["Phase diagram"]
    assert lookup("χ1").plain[:30] in phase.readout.toolTip()
    window.actions_.actions["glossary"].trigger()
    assert window.actions_._glossary.isVisible()


def test_relu_he_1_5_verdict_says_the_weight_gradient_is_flat(qtbot, window, wait_for_run):
    spec = get_preset("relu-he-gain-1-5").spec
    window.apply_spec(spec)
    wait_for_run(qtbot, window, spec)
    verdict = window.dashboard.run_verdict()
    assert "disagree" in verdict.flags
    headline = window.dashboard.headline.verdict_html()
    assert "exploding ∂L/∂h, flat ‖∂L/∂W‖" in headline
    assert "training feels ‖∂L/∂W‖" in headline
    assert headline_text(verdict) in headline
    assert window.verdict.full_text() == verdict.status
    assert window.verdict.full_text().startswith("exploding ∂L/∂h, flat ‖∂L/∂W‖: ∂L/∂h ×1.51")
    assert "They disagree" in window.verdict.toolTip()  # which one matters, and why


def test_saturated_sigmoid_is_not_called_plainly_stable(qtbot, window, wait_for_run):
    spec = get_preset("sigmoid-normal").spec
    window.apply_spec(spec)
    wait_for_run(qtbot, window, spec)
    assert "stable, but saturated and chaotic" in window.dashboard.headline.verdict_html()
    assert "65 % saturated" in window.verdict.full_text()


def test_glossary_plain_words_keep_most_of_the_width_at_lecture_size(qtbot):
    from PySide6.QtGui import QFontMetrics

    dialog = GlossaryDialog()
    qtbot.addWidget(dialog)
    font = dialog.font()
    font.setPointSizeF(font.pointSizeF() * 1.6)  # 1.6×: every widget font follows the app's
    dialog.setFont(font)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    # sized to contents, symbol and name took 545 of 862 px and the plain words wrapped into
    # five-line rows: 5 of 35 terms on screen
    qtbot.waitUntil(lambda: table.columnWidth(2) >= 0.55 * table.viewport().width())
    metrics = QFontMetrics(table.font())
    for row in range(table.rowCount()):
        for col in (0, 1):
            text = table.item(row, col).text()
            lines = -(-metrics.horizontalAdvance(text) // max(1, table.columnWidth(col) - 8))
            # a wrapped symbol or name still fits its row's height
            assert table.rowHeight(row) >= min(lines, 3) * metrics.lineSpacing(), text
