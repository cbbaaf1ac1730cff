"""At 1.6× on a 1280 × 720 screen every tab keeps room for its plots (issue 10, item 1):
the settings panel narrows, titles and labels keep their scaled type, legends stay clear."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.gui.main_window import DOCK_SHARE, MainWindow

SMALL = NetworkSpec(depth=8, width=24, in_features=16, batch=32)


@pytest.fixture
def window(qtbot, tmp_path, wait_for_run):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, presets=None, restore=False)
    qtbot.addWidget(w)
    w.panel.set_spec(SMALL)
    w.request_run(SMALL)
    w.resize(1280, 720)
    w.show()
    wait_for_run(qtbot, w, SMALL)
    w.set_font_size(16)  # 1.6×
    return w


def tab(qtbot, window, title):
    index = next(i for i in range(window.tabs.count()) if window.tabs.tabText(i) == title)
    window.tabs.setCurrentIndex(index)
    qtbot.waitUntil(lambda: window.tabs.widget(index).isVisible(), timeout=5000)
    return window.tabs.widget(index)


def scene_rect(item):
    return item.mapRectToScene(item.boundingRect())


def test_settings_panel_puts_labels_above_fields_when_the_window_is_small(qtbot, window):
    # unwrapped the panel took 542 of 1280 pixels at 1.6x and squeezed every tab
    qtbot.waitUntil(lambda: window.dock.width() <= DOCK_SHARE * 1280, timeout=5000)
    assert window.panel.wrapped
    assert window.tabs.width() >= 0.62 * 1280
    window.set_font_size(10)  # 1.0x: labels beside their fields again
    qtbot.waitUntil(lambda: not window.panel.wrapped, timeout=5000)
    window.resize(1920, 1080)
    window.set_font_size(16)  # 1.6x on a large screen: room enough beside the fields
    qtbot.waitUntil(lambda: window.dock.width() > 400, timeout=5000)
    assert not window.panel.wrapped


def test_phase_diagram_keeps_its_height_with_the_legend_beside_it(qtbot, window):
    view = tab(qtbot, window, "Phase diagram")
    plot = view.plot
    vb = plot.plot.vb
    # under the diagram the legend left it ~60 px at 1.6x on 1280x720
    qtbot.waitUntil(lambda: plot.legend_beside and vb.height() >= 180, timeout=10000)
    assert not scene_rect(plot.legend).intersects(vb.sceneBoundingRect())
    left = plot.plot.getAxis("left")
    qtbot.waitUntil(lambda: left._gx_label_shown[1] >= 16, timeout=5000)  # not shrunk
    assert "(bias variance)" in left.labelText.replace("<br>", " ")  # whole, not cut
    # a tall view keeps the legend under the diagram
    window.resize(1280, 1400)
    qtbot.waitUntil(lambda: not plot.legend_beside, timeout=5000)


def test_train_loss_label_stays_clear_of_the_legend(qtbot, window):
    view = tab(qtbot, window, "Train")
    plots = view.plots
    label = plots.loss.plot.getAxis("left").label

    def clear():
        assert plots.legend.isVisible()
        margin = label.document().documentMargin()  # blank space around the text
        text = scene_rect(label).adjusted(margin, margin, -margin, -margin)
        assert not text.intersects(scene_rect(plots.legend))

    qtbot.waitUntil(clear, timeout=5000)
    title = plots.grad_map.current.plot.titleLabel.text  # was cut with "…"
    assert "…" not in title and "Weight-gradient" in title


def test_layers_titles_keep_the_scaled_type(qtbot, window):
    dash = window.dashboard
    # (panel, smallest title size): 16 pt labels at 1.6x, titles 17 pt; the heatmaps' titles
    # (two lines in a narrow column) a little smaller; before, these were 7 to 9 pt
    panels = [(dash.gradient, 16), (dash.activation, 16), (dash.saturation, 16),
              (dash.grad_heatmap, 11), (dash.act_heatmap, 11)]

    def scaled():
        for panel, smallest in panels:
            text, points, _justify = panel.plot._gx_title_shown
            assert points >= smallest, (text, points)

    qtbot.waitUntil(scaled, timeout=5000)


def test_two_lines_before_smaller_type(qtbot):
    from gradexplorer.gui.plots.text_fit import wrapped_text

    text, points = wrapped_text("Activations a = φ(h): mean, std", 16, 230)
    assert text.count("<br>") == 1 and points == 16
    assert wrapped_text("Loss", 16, 230) == ("Loss", 16)
    text, points = wrapped_text("layer 1: h", 16, 40)  # never "layer" / "1: h"
    assert "<br>" not in text and points < 16
