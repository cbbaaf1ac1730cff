"""Layers tab with a norm: the std of z = Norm(h) beside the std of a, in curves and hover."""

from __future__ import annotations

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate

pytest.importorskip("pytestqt")

from gradexplorer.gui.dashboard import Dashboard  # noqa: E402
from gradexplorer.gui.plots.style import format_value  # noqa: E402
from tests.gui.test_dashboard import _viewport_point, curve_y, feed  # noqa: E402


@pytest.fixture
def dash(qtbot):
    d = Dashboard()
    qtbot.addWidget(d)
    d.resize(1200, 800)
    d.show()
    qtbot.waitExposed(d)
    return d


def _spec(norm):
    return NetworkSpec(depth=8, width=32, in_features=32, batch=64, activation="relu",
                       init="kaiming_normal", norm=norm)


@pytest.mark.parametrize("norm", ["batch", "layer"])
def test_norm_run_draws_std_of_z_near_one(dash, norm):
    feed(dash, propagate(_spec(norm)), chunk=3)
    plot = dash.activation
    dash.set_std_log(False)  # ReLU runs choose log10 by themselves
    assert [s.field for s in plot.visible_specs()] == ["act_mean", "act_std", "normed_std"]
    z_std = curve_y(plot.curves["normed"])
    np.testing.assert_array_equal(z_std, dash.result().series("normed_std"))
    # the norm standardizes h: std of z is 1 up to eps (1e-5 against variances of order 1)
    np.testing.assert_allclose(z_std, 1.0, atol=1e-3)
    assert plot.curves["normed"].isVisible()
    assert "std of z" in plot.title
    dash.set_std_log(True)
    np.testing.assert_allclose(curve_y(plot.curves["normed"]), np.log10(z_std))
    assert plot.curves["normed"].isVisible()


def test_no_norm_changes_nothing(dash):
    feed(dash, propagate(_spec("none")), chunk=3)
    plot = dash.activation
    assert [s.field for s in plot.visible_specs()] == ["log10_act_std"]  # ReLU: log10 std
    dash.set_std_log(False)
    assert [s.field for s in plot.visible_specs()] == ["act_mean", "act_std"]
    assert not plot.curves["normed"].isVisible()
    assert "std of z" not in plot.title


def test_norm_then_plain_run_hides_the_z_curve(dash):
    feed(dash, propagate(_spec("layer")), chunk=3)
    assert dash.activation.curves["normed"].isVisible()
    feed(dash, propagate(_spec("none")), chunk=3)
    assert not dash.activation.curves["normed"].isVisible()
    assert "std of z" not in dash.activation.title


def test_hover_readout_includes_std_of_z(dash, qtbot):
    from PySide6.QtTest import QTest

    feed(dash, propagate(_spec("batch")), chunk=3)
    QTest.mouseMove(dash.view.viewport(), _viewport_point(dash, dash.gradient, 5.1))
    qtbot.waitUntil(lambda: "layer 5" in dash.readout_text(), timeout=2000)
    qtbot.wait(30)  # pyqtgraph drops mouse moves less than 10 ms apart (mouseRateLimit)
    QTest.mouseMove(dash.view.viewport(), _viewport_point(dash, dash.activation, 3.1))
    qtbot.waitUntil(lambda: "std of z" in dash.readout_text(), timeout=2000)
    text = dash.readout_text()
    assert "layer 3" in text and "std of a =" in text
    z = dash.result().series("normed_std")[2]
    assert f"std of z = Norm(h) = {format_value(float(z), False)}" in text
