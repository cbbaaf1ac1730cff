"""The Train tab trains the cures' presets (batch norm, residual blocks) from the window."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from gradexplorer.engine.training.trainer import TrainConfig, TrainRecord, train
from gradexplorer.gui.main_window import MainWindow
from gradexplorer.presets import get_preset, list_presets

CONFIG = TrainConfig(steps=10, eval_every=5, batch_size=32, task="digits")


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, presets=list(list_presets()), restore=False)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


@pytest.mark.parametrize("name, words", [
    ("batchnorm-relu", "batch norm"),
    ("residual-relu", "residual α = 0.2236"),  # the preset's α = 1 diverges at lr 0.01
])
def test_cure_preset_trains_and_draws_its_loss_curve(qtbot, window, name, words):
    window.panel.presets.choose(name)
    if name == "residual-relu":
        window.panel.architecture.alpha.inv_sqrt.click()  # α = 1/√20
        window.panel.flush()
    view = next(v for title, v in window.views if title == "Train")
    window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: words in view.network_text(), timeout=10000)
    view.controls.set_config(CONFIG)
    assert view.start() is not None

    def finished():
        assert view.history.end is not None and not view.is_running()

    qtbot.waitUntil(finished, timeout=60000)
    assert view.history.end.verdict == "completed"
    # the loss curve is the engine's own records for the preset's spec on the digits
    spec = window.panel.last_valid_spec()
    assert spec.norm == get_preset(name).spec.norm and spec.depth == 20
    expected = [r for r in train(spec, CONFIG) if isinstance(r, TrainRecord)]
    x, y = view.loss.data(0)
    np.testing.assert_array_equal(x, [5, 10])
    np.testing.assert_array_equal(y, [r.train_loss for r in expected])
    assert all(math.isfinite(v) for v in y)
    _, held = view.loss.data(1)
    np.testing.assert_array_equal(held, [r.test_loss for r in expected])
