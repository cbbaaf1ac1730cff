"""Every axis a lecturer projects has at least two readable tick labels (one number gives no
scale and no direction): short and narrow axes at 1.6× on 1280 × 720 showed one."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage, QPainter

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.gui.plots.style import pg, style_axis

#: The first-launch story's network (sigmoid + Xavier, 20 layers): its plots' ranges.
STORY = NetworkSpec(depth=20, width=128, in_features=128, batch=256, activation="sigmoid",
                    init="xavier_normal")


def drawn_labels(axis: pg.AxisItem) -> list[tuple[float, float, str]]:
    """(start, end, text) along the axis of each tick label pyqtgraph paints."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    vertical = axis.orientation in ("left", "right")
    return sorted((r.top(), r.bottom(), s) if vertical else (r.left(), r.right(), s)
                  for r, _flags, s in (specs[2] if specs else []))


def assert_readable(axis: pg.AxisItem, what: str) -> None:
    labels = drawn_labels(axis)
    assert len(labels) >= 2, (what, labels)
    for (_a0, a1, a), (b0, _b1, b) in zip(labels, labels[1:], strict=False):
        assert b0 >= a1, (what, a, b)  # no two labels run together


@pytest.fixture
def plot(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    item = widget.getPlotItem()
    item.showGrid(x=True, y=True)
    for side in ("left", "bottom"):
        style_axis(item.getAxis(side), 16)  # 1.6×
    return widget


def sized_axis(qtbot, plot, side: str, length: int, x_range=None, y_range=None) -> pg.AxisItem:
    """``plot``'s ``side`` axis, ``length`` pixels long (as measured in the window at 1.6×)."""
    item = plot.getPlotItem()
    axis = item.getAxis(side)
    vertical = side == "left"
    plot.resize(400 if vertical else length + 150, length + 80 if vertical else 300)
    plot.show()
    qtbot.waitExposed(plot)
    qtbot.waitUntil(lambda: axis.size().height() > 20 and axis.size().width() > 20)
    have = axis.size().height() if vertical else axis.size().width()
    if vertical:
        plot.resize(400, plot.height() + round(length - have))
    else:
        plot.resize(plot.width() + round(length - have), 300)
    qtbot.waitUntil(lambda: abs((axis.size().height() if vertical else axis.size().width())
                                - length) < 1.5)
    item.vb.setRange(xRange=x_range, yRange=y_range, padding=0)
    return axis


# (range, axis length in px) of axes that showed one label at 1.6× on 1280 × 720
SHORT = [((-0.03, 1.03), 135),    # Layers: Saturated units ("0.5")
         ((0.0, 0.102), 176),     # Jacobian: fraction per decade ("0.05")
         ((-15.17, 10.83), 68),   # Train: log10 update ratio ("0")
         ((-2.0, 102.0), 82),     # Train: accuracy (%) ("50")
         ((0.0, 4.033), 82)]      # Train: loss (nats) ("2")
NARROW = [((0.1, 20.9), 73),      # Layers: the heatmaps' layer axes ("10")
          ((0.1, 20.9), 128),     # Layers: the line plots' layer axes ("10")
          ((-2.0, 102.0), 260),   # Train: optimizer step ("50")
          ((-4.774, 4.774), 133)]  # Layers: layer 1's h / RMS(h) at 2.0× ("0")


@pytest.mark.parametrize(("y_range", "length"), SHORT)
def test_a_short_axis_keeps_two_labels(qtbot, plot, y_range, length):
    axis = sized_axis(qtbot, plot, "left", length, y_range=y_range)
    assert_readable(axis, y_range)


@pytest.mark.parametrize(("x_range", "length"), NARROW)
def test_a_narrow_axis_keeps_two_labels(qtbot, plot, x_range, length):
    axis = sized_axis(qtbot, plot, "bottom", length, x_range=x_range)
    assert_readable(axis, x_range)


def test_labels_name_their_ticks(qtbot, plot):
    # a shifted step only where its values print exactly: ±5 in a 68-px column once showed
    # 2.5 as "2"; it has no room for two labels
    axis = sized_axis(qtbot, plot, "bottom", 68, x_range=(-4.953, 4.953))
    assert [text for _a, _b, text in drawn_labels(axis)] == ["0"]


def test_a_long_axis_keeps_its_spacing(qtbot, plot):
    # where pyqtgraph's fitted spacing already shows labels, nothing changes
    plot.resize(900, 300)
    plot.show()
    qtbot.waitExposed(plot)
    plot.getPlotItem().vb.setXRange(0.5, 20.5, padding=0.02)
    axis = plot.getPlotItem().getAxis("bottom")
    qtbot.waitUntil(lambda: axis.size().width() > 600)
    assert [s for _a, _b, s in drawn_labels(axis)] == [str(v) for v in range(2, 21, 2)]


def test_phase_preview_and_layers_axes_at_lecture_size(qtbot, shown_window):
    window = shown_window(STORY, size=(1280, 720))
    window.set_font_size(16)  # 1.6×
    window.tabs.setCurrentIndex(1)
    view = window.tabs.widget(1)
    preview = view.preview.getPlotItem()
    qtbot.waitUntil(lambda: view.preview.measured.getData()[1] is not None
                    and len(view.preview.measured.getData()[1]) == 20, timeout=20000)
    # the preview's y axis showed "-10" alone
    qtbot.waitUntil(lambda: len(drawn_labels(preview.getAxis("left"))) >= 2, timeout=5000)
    assert_readable(preview.getAxis("left"), "preview ∂L/∂h")
    assert_readable(preview.getAxis("bottom"), "preview layer l")
    window.tabs.setCurrentIndex(0)
    dash = window.dashboard
    qtbot.waitUntil(lambda: dash.saturation.plot.vb.width() > 0, timeout=5000)
    for panel in (dash.gradient, dash.activation, dash.saturation):
        for side in ("left", "bottom"):
            assert_readable(panel.plot.getAxis(side), (panel.plot.titleLabel.text, side))


def test_train_ratio_guide_label_stays_inside_its_plot(qtbot, shown_window):
    from gradexplorer.engine.model.spec import NetworkSpec as Spec

    window = shown_window(Spec(depth=8, width=24, in_features=16, batch=32), size=(1280, 720))
    window.set_font_size(16)  # 1.6×
    index = next(i for i in range(window.tabs.count()) if window.tabs.tabText(i) == "Train")
    window.tabs.setCurrentIndex(index)
    ratio = window.tabs.widget(index).plots.ratio
    vb, label = ratio.plot.vb, ratio.guide.label
    qtbot.waitUntil(lambda: vb.isVisible() and vb.width() > 0, timeout=5000)

    def inside():
        # "≈ 10⁻³: healthy (Karpathy)" ran past the plot's left edge: "0⁻³: healthy (Kar…"
        text = label.mapRectToScene(label.boundingRect())
        view = vb.sceneBoundingRect()
        assert text.left() >= view.left() - 0.5 and text.right() <= view.right() + 0.5
        assert "10⁻³: healthy" in label.format

    qtbot.waitUntil(inside, timeout=5000)
    window.resize(1920, 1080)  # room again: the whole text
    qtbot.waitUntil(lambda: "Karpathy" in label.format, timeout=5000)
    qtbot.waitUntil(inside, timeout=5000)


def test_progress_bars_fit_their_text_at_2x(qtbot, shown_window):
    from PySide6.QtGui import QFontMetrics

    from gradexplorer.gui.presentation import base_points

    base = base_points()
    window = shown_window(NetworkSpec(depth=8, width=24, in_features=16, batch=32),
                          size=(1920, 1080))
    window.set_font_size(20)  # 2.0×

    def fits(bar, full):
        assert bar.text() == full
        qtbot.waitUntil(lambda: bar.font().pointSizeF() >= 1.9 * base, timeout=5000)
        # fixed at 220, 200 and 180 px (chosen at 1.0×), the text was cut at 2.0×
        qtbot.waitUntil(lambda: bar.width() >= QFontMetrics(bar.font()).horizontalAdvance(full)
                        + 12, timeout=5000)

    window.progress.setValue(window.progress.maximum())
    fits(window.progress, "L = 8: 100 %")  # the status bar's
    for title, full in (("Sweep", "100 / 100 values"), ("Train", "step 1000 / 1000")):
        index = next(i for i in range(window.tabs.count()) if window.tabs.tabText(i) == title)
        window.tabs.setCurrentIndex(index)
        view = window.tabs.widget(index)
        bar = view.progress if title == "Sweep" else view.controls.progress
        qtbot.waitUntil(bar.isVisible, timeout=5000)
        bar.setRange(0, 100 if title == "Sweep" else 1000)
        bar.setValue(bar.maximum())
        fits(bar, full)


def test_y_label_follows_its_axis_when_its_wording_changes(qtbot):
    # Saturated units at 2.0x on 1920x1080: the plot grew taller, the label turned from
    # "fraction" into "fraction with φ' / below 10 % of its max" and stayed where "fraction"
    # had been centred: 72 px above the plot, into the subtitle, and over the tick labels
    from gradexplorer.gui.plots.style import set_axis_label

    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    plot = widget.addPlot()
    axis = plot.getAxis("left")
    style_axis(axis, 20)
    set_axis_label(plot, "left", "fraction with φ' below 10 % of its max", 20, short="fraction")
    widget.resize(400, 220)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: axis.labelText == "fraction")
    widget.resize(400, 470)

    def placed():
        label = axis.label.mapRectToScene(axis.label.boundingRect())
        span = axis.sceneBoundingRect()
        assert span.height() > 350
        assert span.top() - 1 <= label.top() and label.bottom() <= span.bottom() + 1
        assert "<br>" not in axis.labelText  # one line: a second one needs width it may lack

    qtbot.waitUntil(placed, timeout=5000)

