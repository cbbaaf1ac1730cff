"""At 1.6× on a 1280 × 720 screen every tab keeps room for its plots (issue 10, item 1):
the settings panel narrows, titles and labels keep their scaled type, legends stay clear."""

from __future__ import annotations

import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.gui.main_window import DOCK_SHARE

SMALL = NetworkSpec(depth=8, width=24, in_features=16, batch=32)


@pytest.fixture
def window(shown_window):
    w = shown_window(SMALL, size=(1280, 720))
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
    # (two lines in a narrow column, short wordings) a little smaller; before, these were 7 to
    # 9 pt, then 11 to 15 pt in their full wording
    panels = [(dash.gradient, 16), (dash.activation, 16), (dash.saturation, 16),
              (dash.grad_heatmap, 14.5), (dash.act_heatmap, 14.5)]

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


# --- what the first pass left at 1.6x on 1280x720 ------------------------------------------------

def label_points(axis):
    return axis._gx_label_shown[1]


def test_layers_gradient_plot_keeps_its_height_with_pin_and_theory(qtbot, window):
    import numpy as np

    dash = window.dashboard
    dash.pin_current("ReLU + He/Kaiming (Var = 2/n) (pinned)")
    dash.set_theory("log10_grad_preact_rms", np.zeros(SMALL.depth))
    plot, legend = dash.gradient.plot, dash.gradient.legend
    # four legend rows under it left the data ~55 px and the y label 7 pt
    qtbot.waitUntil(lambda: plot.vb.height() >= 120, timeout=5000)
    qtbot.waitUntil(lambda: label_points(plot.getAxis("left")) >= 16, timeout=5000)
    assert len(legend.items) >= 4
    assert not scene_rect(legend).intersects(plot.vb.sceneBoundingRect())
    shown = [label.text for _sample, label in legend.items]
    assert any("ReLU + He/Kaiming" in t for t in shown)  # a short text, its tip the whole one
    assert all(label.toolTip() or label.text == label._gx_full for _s, label in legend.items)


def test_compact_legend_texts():
    from gradexplorer.gui.plots.legend_fit import legend_layout, short_text, short_texts

    assert short_text("mean-field theory (wide net, Gaussian W)") == "mean-field theory"
    assert short_text("ReLU + He (Var = 2/n) (pinned)") == "ReLU + He (pinned)"
    assert short_text("ReLU + He (Var = 2/n) (pinned)", True) == "ReLU + He"
    assert short_text("not finite (▲ ∞, ▼ 0/−∞, × NaN)", True) == "not finite (▲ ∞, ▼ 0/−∞, × NaN)"
    # two entries that would read the same keep their whole texts
    assert short_texts(["mean λ (xavier)", "mean λ (orthogonal)", "floor (noise)"]) == [
        "mean λ (xavier)", "mean λ (orthogonal)", "floor"]
    texts = ["RMS of ∂L/∂h", "‖∂L/∂W‖", "ReLU + He/Kaiming (Var = 2/n) (pinned)",
             "mean-field theory (wide net, Gaussian W)"]
    # a roomy cell keeps the whole texts; a short one gets two rows of short texts
    assert legend_layout(texts, 16, 1500, 4, rows=2, height=900)[2] == texts
    columns, points, shown = legend_layout(texts, 16, 460, 4, rows=2, height=250)
    assert columns >= 2 and points >= 0.8 * 16 and shown != texts


def test_train_plots_get_height_and_labels_their_type(qtbot, window):
    view = tab(qtbot, window, "Train")
    plots = view.plots
    # the controls and headline left the loss and accuracy plots ~60 px; the ratio's y label
    # and both colour bars' labels were 7 to 9 pt
    qtbot.waitUntil(lambda: plots.loss.plot.vb.height() >= 95, timeout=5000)
    assert plots.accuracy.plot.vb.height() >= 95
    assert label_points(plots.ratio.plot.getAxis("left")) >= 14
    assert label_points(plots.ratio.colorbar.axis) >= 14
    assert label_points(plots.grad_map.colorbar.axis) >= 8.5  # its bar is short here
    assert view.controls.height() <= 140  # Start/Pause/Stop wrap with the settings
    plots.hover(plots.grad_map.current.plot.vb.sceneBoundingRect().center())
    if plots.readout.text:  # the hover readout takes the legend's place, not a row
        assert not plots.legend.isVisible()
    plots.hover(pg_point(-10, -10))
    assert plots.readout.text == "" and plots.legend.isVisible()


def pg_point(x, y):
    from PySide6.QtCore import QPointF

    return QPointF(x, y)


def test_train_guide_labels_stay_whole(qtbot, window):
    view = tab(qtbot, window, "Train")
    loss = view.plots.loss
    loss.begin(100, 2.30, "chance: ln 10 = 2.30")
    qtbot.waitUntil(lambda: loss.plot.vb.height() > 0, timeout=5000)
    loss._fit_y()
    (_x0, _x1), (bottom, top) = loss.plot.vb.viewRange()
    room = (top - loss.guide.value()) / (top - bottom) * loss.plot.vb.height()
    assert room >= loss.guide.label.boundingRect().height()  # it was cut at the plot's top


def test_jacobian_label_keeps_its_type(qtbot, window):
    view = tab(qtbot, window, "Jacobian")
    qtbot.waitUntil(lambda: view.answer is not None and not view.is_computing(), timeout=20000)
    plot = view.spectrum.plot
    # the legend's four rows under the histogram shrank the y label to 6 pt
    qtbot.waitUntil(lambda: label_points(plot.getAxis("left")) >= 14, timeout=5000)
    legend = view.spectrum.legend
    assert not scene_rect(legend).intersects(plot.vb.sceneBoundingRect())


def test_phase_point_beyond_the_default_range_widens_the_grid(qtbot, window):
    import dataclasses

    view = tab(qtbot, window, "Phase diagram")
    spec = dataclasses.replace(SMALL, activation="sigmoid", init="xavier_normal", gain=20.0)
    window.panel.set_spec(spec)
    window.request_run(spec)
    plot = view.plot
    w2, _ = view.current_point()
    assert w2 > 250  # sigmoid's default range ends at 250
    # it sat clamped at (250, 0), in the corner, on a 0-250 axis
    qtbot.waitUntil(lambda: plot.diagram is not None and plot.diagram.sigma_w2[-1] > w2,
                    timeout=60000)
    qtbot.waitUntil(lambda: plot.point()[0] == pytest.approx(w2), timeout=5000)
    assert plot.diagram.sigma_w2[-1] <= 2 * w2  # round, not far beyond
    (x0, x1), (y0, y1) = plot.plot.vb.viewRange()
    assert x0 < w2 < x1 and y0 < 0 < y1


def test_a_title_broken_by_hand_is_measured_line_by_line():
    from gradexplorer.gui.plots.text_fit import wrapped_text

    # the Sweep title (two lines given) was measured as one joined line: 8 pt at 1.6x
    text = "9 values of gain (log spacing)<br>sigmoid, xavier_normal, L = 20"
    assert wrapped_text(text, 16, 400) == (text, 16)


@pytest.mark.parametrize("scale", [16, 20])
def test_gradient_legend_entries_never_run_into_each_other(qtbot, window, scale):
    import numpy as np

    window.resize(1920, 1080)
    window.set_font_size(scale)
    dash = window.dashboard
    dash.pin_current("ReLU + He/Kaiming (Var = 2/n) (pinned)")
    dash.set_theory("log10_grad_preact_rms", np.zeros(SMALL.depth))
    legend = dash.gradient.legend

    def apart():
        # at 2.0x on 1920x1080 "ReLU + He/Kaiming (pinned)" ran into "mean-field theory": the
        # columns were fitted to the whole plot's width, the legend's cell is the data's
        texts = [label.item.mapRectToScene(label.item.boundingRect())
                 for _sample, label in legend.items]
        texts += [scene_rect(sample) for sample, _label in legend.items]
        right = dash.gradient.plot.sceneBoundingRect().right()
        for i, a in enumerate(texts):
            assert a.right() <= right + 2  # not past the plot, into the next panel
            for b in texts[i + 1:]:
                assert not a.adjusted(1, 1, -1, -1).intersects(b)
        assert not scene_rect(legend).intersects(dash.gradient.plot.vb.sceneBoundingRect())

    qtbot.waitUntil(apart, timeout=5000)


def test_long_settings_lines_and_labels_take_short_or_two_lines_not_tiny_type(qtbot, window):
    # the Train headline's settings line was ~6 pt at 1.6x on 1280x720; the saturation plot's
    # y label ~6 pt: now two lines, and a short wording
    sat = window.dashboard.saturation.plot.getAxis("left")
    assert sat.labelText == "fraction" and label_points(sat) >= 14
    view = tab(qtbot, window, "Train")
    headline = view.plots.headline
    headline.set_details("sigmoid · 20 layers · width 128 · xavier_normal × 1 · task digits "
                         "(1438 train / 359 held-out rows) · SGD, momentum 0.9, lr 0.01, "
                         "batch 64 · 100 steps, a point every 10")
    text, size = headline.settings.text, float(headline.settings.opts["size"].rstrip("pt"))
    assert "<br>" in text and size >= 12


def test_the_bottom_rows_x_labels_keep_their_type(qtbot, window):
    """The colour bars' and the layer histograms' floor of tick-text room (a "0.0" label) must
    not narrow the bottom row's plots so far that their x labels shrink: with a "0.00" floor
    the heatmaps' "layer l" fell from 16 to 11 pt and "h / RMS(h)" to 9 pt."""
    dash = window.dashboard

    def kept():
        for plot, smallest in [(dash.grad_heatmap.plot, 15), (dash.act_heatmap.plot, 15),
                               *((plot, 11) for plot in dash.detail.plots().values())]:
            text, points = plot.getAxis("bottom")._gx_label_shown
            assert points >= smallest, (text, points)

    qtbot.waitUntil(kept, timeout=5000)
