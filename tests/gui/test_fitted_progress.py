"""FittedProgressBar: its width is its text plus an "M", so the text must be drawn inside the
bar. QCommonStyle-based styles (Qt's "Windows", the Windows desktop's native styles) draw a
left-aligned text beside the groove instead, which left a groove of a few pixels at 2.0×."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QStyle, QStyleFactory, QStyleOptionProgressBar

from gradexplorer.gui.fitted_progress import FittedProgressBar


@pytest.mark.parametrize("name", ["Windows", "Fusion"])
def test_the_groove_spans_the_bar_in_every_style(qtbot, name):
    style = QStyleFactory.create(name)
    if style is None:
        pytest.skip(f"no {name} style in this Qt")
    bar = FittedProgressBar(180)
    qtbot.addWidget(bar)
    bar.setStyle(style)
    font = bar.font()
    font.setPointSizeF(2.0 * font.pointSizeF())  # 2.0×: the text alone fills the least width
    bar.setFont(font)
    bar.setFormat("step %v / %m")
    bar.setRange(0, 1000)
    bar.setValue(400)
    bar.resize(bar.sizeHint())
    option = QStyleOptionProgressBar()
    bar.initStyleOption(option)
    groove = style.subElementRect(QStyle.SubElement.SE_ProgressBarGroove, option, bar)
    label = style.subElementRect(QStyle.SubElement.SE_ProgressBarLabel, option, bar)
    assert groove.width() >= bar.width() - 2, (groove, bar.width())  # "Windows": 30 of 226 px
    assert label.width() >= bar.fontMetrics().horizontalAdvance(bar.text())  # the whole text
