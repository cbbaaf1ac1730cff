"""The Architecture section: norm, residual and α reach the spec; presets set them."""

from __future__ import annotations

import pytest

from gradexplorer.gui.controls.panel import ControlPanel
from gradexplorer.presets import get_preset


@pytest.fixture
def panel(qtbot):
    p = ControlPanel()
    qtbot.addWidget(p)
    return p


def test_preset_with_residual_blocks_shows_and_keeps_them(panel):
    spec = get_preset("residual-relu").spec
    panel.set_spec(spec)
    assert panel.architecture.residual.isChecked()
    assert panel.architecture.alpha.isEnabled()
    assert panel.spec() == spec  # nothing lost on the way through the widgets
    panel.set_spec(get_preset("batchnorm-relu").spec)
    assert panel.spec().norm == "batch"
    assert not panel.architecture.alpha.isEnabled()


def test_alpha_buttons_and_slider_edit_the_spec(qtbot, panel):
    arch = panel.architecture
    panel.network.depth.setValue(25)
    arch.residual.setChecked(True)
    with qtbot.waitSignal(panel.sigSpecChanged, timeout=5000,
                          check_params_cb=lambda s: s.residual_scale == 0.2):
        arch.alpha.inv_sqrt.click()  # 1/√25
    with qtbot.waitSignal(panel.sigSpecChanged, timeout=5000,
                          check_params_cb=lambda s: s.residual_scale == 0.0):
        arch.alpha.zero.click()
    arch.alpha.slider.setValue(150)
    assert arch.alpha.value() == pytest.approx(1.5)
    with qtbot.waitSignal(panel.sigSpecChanged, timeout=5000,
                          check_params_cb=lambda s: s.norm == "layer"):
        arch.norm.setCurrentIndex(arch.norm.findData("layer"))


def test_batch_norm_with_one_row_is_marked_on_the_batch_field(panel):
    panel.set_spec(panel.last_valid_spec().replace(batch=1))
    panel.architecture.norm.setCurrentIndex(panel.architecture.norm.findData("batch"))
    with pytest.raises(Exception, match="batch norm needs a batch of at least 2"):
        panel.spec()


def test_the_window_runs_a_batch_norm_net_from_the_architecture_section(qtbot, tmp_path,
                                                                        wait_for_run):
    from PySide6.QtCore import QSettings

    from gradexplorer.engine.model.spec import NetworkSpec
    from gradexplorer.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, presets=[], restore=False)
    qtbot.addWidget(w)
    spec = NetworkSpec(depth=6, width=32, in_features=32, batch=64, activation="relu",
                       init="kaiming_normal", norm="batch")
    w.panel.set_spec(spec)
    w.request_run(spec)
    w.show()
    result = wait_for_run(qtbot, w, spec)
    g = result.series("log10_grad_preact_rms")
    assert g[0] > g[-1]  # batch norm: the gradient grows toward the input
