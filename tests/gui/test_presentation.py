"""One presentation scale drives every text of every tab (issue 10, item 1)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.gui.main_window import MainWindow
from gradexplorer.gui.plots.style import pg
from gradexplorer.gui.presentation import base_points, next_step

SMALL = NetworkSpec(depth=8, width=24, in_features=16, batch=32)


def scene_items(window, kind):
    for view in window.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item, kind):
                yield item


@pytest.fixture
def window(shown_window):
    return shown_window(SMALL, size=(1280, 720))


def test_one_scale_sizes_every_text_in_every_tab(qtbot, window):
    window.set_font_size(16)  # 1.6×
    qtbot.wait(20)  # font-change events reach every widget
    axes = list(scene_items(window, pg.AxisItem))
    assert len(axes) > 30  # the Layers, Phase, Jacobian, Sweep and Train plots and bars
    unscaled = [(type(a.parentItem()).__name__, a.orientation, a.labelText) for a in axes
                if a.isVisible() and a.style["showValues"] and (a.style["tickFont"] is None
                                      or a.style["tickFont"].pointSize() != 16)]
    assert not unscaled
    legends = list(scene_items(window, pg.LegendItem))
    assert legends and all(lg.opts["labelTextSize"].endswith("pt") for lg in legends)
    assert all(float(lg.opts["labelTextSize"][:-2]) >= 7 for lg in legends)
    expected = round(base_points() * 1.6, 1)
    assert QApplication.font().pointSizeF() == pytest.approx(expected)
    # widgets: menus, tab bar, status bar, buttons, the preset explanation, section headers
    for widget in (window.menuBar(), window.tabs.tabBar(), window.message, window.verdict,
                   window.panel.presets.explanation, *window.panel.collapsibles.values()):
        assert widget.font().pointSizeF() == pytest.approx(expected), widget
    styled = [w for w in window.findChildren(QLabel) if w.styleSheet()]
    assert styled and all(w.font().pointSizeF() >= expected - 0.1 for w in styled)
    # the window still fits a 1280-pixel screen
    assert window.minimumSizeHint().width() <= 1280
    window.set_font_size(10)
    assert all(a.style["tickFont"].pointSize() == 10 for a in scene_items(window, pg.AxisItem)
               if a.style["tickFont"] is not None)


def test_zoom_steps_and_reset(qtbot, window):
    window.actions_.actions["bigger"].trigger()
    window.actions_.actions["bigger"].trigger()
    assert window.font_size() == 12
    window.actions_.actions["zoom_reset"].trigger()
    assert window.font_size() == 10
    assert next_step(2.5, +1) == 2.5 and next_step(0.8, -1) == 0.8


def test_scale_is_remembered(qtbot, tmp_path, wait_for_run):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, presets=[], restore=False)
    qtbot.addWidget(w)
    w.set_font_size(16)
    w.close()
    again = MainWindow(settings=settings, presets=[], restore=True)
    qtbot.addWidget(again)
    assert again.font_size() == 16
    again.close()


def test_widgets_follow_without_explicit_font(qtbot, window):
    """No widget pins its own font size: a pinned one would not follow the scale."""
    pinned = [w for w in window.findChildren(QWidget)
              if w.testAttribute(pg.QtCore.Qt.WidgetAttribute.WA_SetFont)
              and w.font().resolveMask() & 0x4]  # QFont::SizeResolved
    assert not pinned, pinned[:3]


def test_layers_titles_stay_inside_the_visible_dashboard_at_1_6x(qtbot, window):
    """A title wider than its plot's column spills toward the room it has, never past the
    visible edge (at 1280 × 720 and 1.6× the last column's "Saturated units" was cut)."""
    window.set_font_size(16)
    view = window.dashboard.view
    plots = [item for item in view.scene().items() if isinstance(item, pg.PlotItem)
             and item.isVisible() and item.titleLabel.isVisible() and item.titleLabel.text]

    def inside():
        visible = view.mapToScene(view.viewport().rect()).boundingRect()
        for plot in plots:
            label = plot.titleLabel.item  # the text item inside the title's LabelItem
            rect = label.mapRectToScene(label.boundingRect())
            assert rect.left() >= visible.left() - 1, plot.titleLabel.text
            assert rect.right() <= visible.right() + 1, plot.titleLabel.text

    assert plots
    qtbot.waitUntil(inside, timeout=5000)
