"""Stable layout: the controls do not move when the preset text or the choices change."""

from __future__ import annotations

from gradexplorer.gui.controls import ControlPanel
from gradexplorer.presets import list_presets


def _y(panel, widget) -> int:
    return widget.mapTo(panel.widget(), widget.rect().topLeft()).y()


def test_controls_stay_put_across_presets_and_choices(qtbot):
    panel = ControlPanel(list_presets())
    qtbot.addWidget(panel)
    panel.resize(420, 900)
    panel.show()
    qtbot.waitExposed(panel)
    ys = set()
    lengths = set()
    for preset in panel.presets.presets:
        panel.presets.choose(preset.name)
        qtbot.wait(1)
        lengths.add(len(preset.explanation))
        ys.add((_y(panel, panel.network.depth), _y(panel, panel.init.gain),
                _y(panel, panel.data.input)))
    assert max(lengths) > 1.5 * min(lengths)  # the texts do differ in length
    assert len(ys) == 1, ys
    # Mode (Kaiming only) and Bias std (normal biases only) are greyed out, not inserted
    init = panel.init
    gain_y = _y(panel, init.gain)
    init.init.setCurrentIndex(init.init.findData("xavier_normal"))
    assert not init.mode.isEnabled()
    init.init.setCurrentIndex(init.init.findData("kaiming_normal"))
    assert init.mode.isEnabled()
    init.bias_init.setCurrentIndex(init.bias_init.findData("normal"))
    assert init.bias_std.isEnabled()
    qtbot.wait(1)
    assert _y(panel, init.gain) == gain_y and _y(panel, panel.data.input) in {y[2] for y in ys}
