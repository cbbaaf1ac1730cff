"""Dashboard: curves mirror the run's records, streaming, pins, heatmaps, clicks, hover, fonts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.records import (
    LOG10_BIN_WIDTH,
    BackwardLayer,
    ForwardLayer,
    Histogram,
    LossRecord,
    RunEnd,
    RunStart,
)
from gradexplorer.engine.runs.verdict import gradient_verdict

pytest.importorskip("pytestqt")

from gradexplorer.gui.dashboard import Dashboard  # noqa: E402
from gradexplorer.gui.plots.style import pg  # noqa: E402

ACT_EDGES = np.linspace(-1.0, 1.0, 41)


def _density(values, edges):
    counts = np.histogram(np.clip(values, edges[0], edges[-1]), edges)[0].astype(float)
    return counts / counts.sum() / np.diff(edges)


def fake_run(depth=12, decay=-0.4, blowup=False, seed=0):
    """Records shaped like ``propagate``'s: log10 RMS ∂L/∂h_l = decay · (L − l).

    With ``blowup``, the top layers' activations overflow (std inf, then NaN) and the bottom
    gradients are inf / NaN / exactly zero, as a diverging run can produce.
    """
    rng = np.random.default_rng(seed)
    config = NetworkSpec(depth=depth, width=8).to_dict()
    yield RunStart(config, (8,) * (depth + 1), "fake", 0, (1.0,) * depth, 0.0, 1.0)
    for layer in range(1, depth + 1):
        a = np.tanh(rng.normal(0, 0.9 ** layer, 500))
        hist = Histogram(ACT_EDGES, _density(a, ACT_EDGES), "value", a.size)
        std, log_std = float(a.std()), float(np.log10(a.std()))
        if blowup and layer == depth - 1:
            std, log_std = math.inf, 400.0
        if blowup and layer == depth:
            std, log_std = math.nan, math.nan
        yield ForwardLayer(layer, 8, 8, 0.0, 1.0, 0.0, 1.0, float(a.mean()), std, log_std,
                           float((abs(a) > 0.95).mean()), 1.0, 0.0, 0.0, hist, hist)
    yield LossRecord("random", 1.0, 0.0)
    for layer in range(depth, 0, -1):
        lg = decay * (depth - layer)
        logs = lg + rng.normal(0, 0.3, 500)
        k0, k1 = int(np.floor(logs.min() / LOG10_BIN_WIDTH)), int(np.ceil(logs.max() / 0.05))
        edges = np.arange(k0, k1 + 1) * LOG10_BIN_WIDTH
        hist = Histogram(edges, _density(logs, edges), "log10 |value|", logs.size)
        rms, lrms, lwn = 10.0 ** lg, lg, lg + 1
        if blowup and layer == 2:
            rms, lrms = math.inf, math.inf
        if blowup and layer == 1:
            rms, lrms, lwn = math.nan, math.nan, -math.inf
        yield BackwardLayer(layer, rms, lrms, 10.0 ** lwn, lwn, 0.0, 0.0, 0.0, 0.0, 0.0, hist)
    yield RunEnd(0.01)


def feed(dashboard, records, chunk=5):
    """Feed records as the window does: begin_run, batches, finish_run."""
    records = list(records)
    dashboard.begin_run(records[0])
    body = records[1:-1]
    for i in range(0, len(body), chunk):
        dashboard.add_records(body[i:i + chunk])
    dashboard.finish_run(records[-1])
    return records


@pytest.fixture
def dash(qtbot):
    d = Dashboard()
    qtbot.addWidget(d)
    d.resize(1200, 800)
    d.show()
    qtbot.waitExposed(d)
    return d


def curve_y(item):
    y = item.getData()[1]
    return np.empty(0) if y is None else np.asarray(y, dtype=float)


def assert_curves_match(dash):
    result = dash.result()
    for panel in dash.line_plots:
        for spec in panel.visible_specs():
            np.testing.assert_array_equal(curve_y(panel.curves[spec.key]),
                                          result.series(spec.field), err_msg=spec.field)


def test_curves_equal_series_fake_run(dash):
    feed(dash, fake_run(depth=12))
    assert dash.result().depth == 12
    assert_curves_match(dash)
    assert dash.verdict_text() == gradient_verdict(
        dash.result().series("log10_grad_preact_rms")).text
    assert "vanishing" in dash.verdict_text()


def test_curves_equal_series_real_run(dash):
    from gradexplorer.engine.runs.propagation import propagate

    spec = NetworkSpec(depth=10, width=16, in_features=16, batch=16, activation="tanh")
    feed(dash, propagate(spec), chunk=3)
    assert_curves_match(dash)
    x = dash.gradient.curves["grad"].getData()[0]
    np.testing.assert_array_equal(x, np.arange(1, 11))
    assert dash.verdict_text()


def test_streaming_grows_curves_and_verdict_waits(dash):
    records = list(fake_run(depth=8))
    dash.begin_run(records[0])
    assert dash.verdict_text() == ""
    dash.add_records(records[1:5])  # forward layers 1..4
    std = curve_y(dash.activation.curves["std"])
    assert np.isfinite(std[:4]).all() and np.isnan(std[4:]).all()
    dash.add_records(records[5:10])  # forward 5..8, loss
    dash.add_records(records[10:13])  # backward 8..6
    grad = curve_y(dash.gradient.curves["grad"])
    assert np.isnan(grad[:5]).all() and np.isfinite(grad[5:]).all()
    assert dash.verdict_text() == ""
    assert dash.gradient.nonfinite_count() == 0  # layers not yet reached are not marked
    dash.add_records(records[13:-1])
    dash.finish_run(records[-1])
    assert dash.verdict_text().startswith("gradient at layer 1")
    assert_curves_match(dash)


def test_begin_run_clears_current_but_keeps_pins(dash):
    feed(dash, fake_run(depth=6))
    dash.pin_current("first")
    records = list(fake_run(depth=9))
    dash.begin_run(records[0])
    assert curve_y(dash.gradient.curves["grad"]).size == 0
    assert dash.pin_labels() == ["first"]
    assert dash.gradient.plot.vb.viewRange()[0][0] <= 1
    assert dash.gradient.plot.vb.viewRange()[0][1] >= 9


def legend_labels(plot_panel):
    return [label.text for _sample, label in plot_panel.legend.items]


def test_pins_add_and_remove_legend_entries(dash):
    feed(dash, fake_run(depth=6, decay=-0.2))
    dash.pin_current("gain 1")
    feed(dash, fake_run(depth=6, decay=0.3))
    dash.pin_current("gain 2")
    assert dash.pin_labels() == ["gain 1", "gain 2"]
    labels = legend_labels(dash.gradient)
    assert "gain 1" in labels and "gain 2" in labels
    # Pinned curves keep the pinned run's values and have distinct colours.
    pins = dash.gradient._pins
    np.testing.assert_allclose(curve_y(pins["gain 1"]["grad"]), -0.2 * (6 - np.arange(1, 7)))
    c1 = pins["gain 1"]["grad"].opts["pen"].color().getRgb()
    c2 = pins["gain 2"]["grad"].opts["pen"].color().getRgb()
    assert c1 != c2
    n_items = len(dash.gradient.plot.listDataItems())
    dash.remove_pin("gain 1")
    assert dash.pin_labels() == ["gain 2"]
    assert "gain 1" not in legend_labels(dash.gradient)
    assert len(dash.gradient.plot.listDataItems()) == n_items - 2
    dash.clear_pins()
    assert dash.pin_labels() == []
    assert "gain 2" not in legend_labels(dash.gradient)


def test_pin_before_any_run_is_an_error(dash):
    with pytest.raises(ValueError):
        dash.pin_current("nothing")


def test_heatmap_shape_is_layers_by_bins(dash):
    feed(dash, fake_run(depth=10, decay=-0.5))
    act = dash.act_heatmap.image_data()
    assert act.shape == (10, len(ACT_EDGES) - 1)
    grad = dash.grad_heatmap.image_data()
    lo, hi = dash.grad_heatmap.value_range()
    hists = [b.grad_hist for b in dash.result().backward]
    assert lo == pytest.approx(min(h.edges[0] for h in hists))
    assert grad.shape == (10, round((hi - lo) / LOG10_BIN_WIDTH))
    assert np.isfinite(grad).all()
    assert dash.grad_heatmap.colorbar.levels()[1] > 0


def test_nonfinite_values_are_marked_not_crashing(dash, tmp_path):
    feed(dash, fake_run(depth=10, blowup=True))
    assert dash.gradient.nonfinite_count() == 3  # +inf, NaN (RMS) and -inf (weight norm)
    assert dash.activation.std_log  # inf std: the std switches to log10 by itself
    assert dash.activation.nonfinite_count() == 1  # the NaN std of layer 10
    assert "no verdict" in dash.verdict_text()
    dash.select_layer(1)
    dash.export_image(str(tmp_path / "blowup.png"))
    assert (tmp_path / "blowup.png").stat().st_size > 0


def test_std_scale_toggle(dash):
    feed(dash, fake_run(depth=6))
    assert not dash.activation.std_log
    dash.set_std_log(True)
    assert dash.activation.std_log
    np.testing.assert_array_equal(curve_y(dash.activation.curves["std"]),
                                  dash.result().series("log10_act_std"))
    assert not dash.activation.curves["mean"].isVisible()
    dash.set_std_log(False)
    assert dash.activation.curves["mean"].isVisible()


def _viewport_point(dash, panel, layer):
    vb = panel.plot.vb
    y_mid = sum(vb.viewRange()[1]) / 2
    scene = vb.mapViewToScene(pg.Point(layer, y_mid))
    return dash.view.mapFromScene(scene)


def test_click_on_any_plot_selects_the_nearest_layer(dash, qtbot):
    from PySide6.QtCore import Qt

    feed(dash, fake_run(depth=12))
    for panel, layer in ((dash.gradient, 5), (dash.act_heatmap, 9)):
        pos = _viewport_point(dash, panel, layer + 0.3)
        with qtbot.waitSignal(dash.sigLayerClicked, timeout=2000) as blocker:
            qtbot.mouseClick(dash.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        assert blocker.args == [layer]
        assert dash.selected_layer() == layer
        assert dash.detail.layer == layer
        assert dash.gradient._cursor.value() == layer


def test_hover_readout_names_layer_and_value(dash, qtbot):
    from PySide6.QtTest import QTest

    feed(dash, fake_run(depth=12))
    QTest.mouseMove(dash.view.viewport(), _viewport_point(dash, dash.gradient, 4.2))
    value = dash.result().series("log10_grad_preact_rms")[3]
    qtbot.waitUntil(lambda: "layer 4" in dash.readout_text(), timeout=2000)
    assert f"RMS of ∂L/∂h = 10^{value:.2f}" in dash.readout_text()
    qtbot.wait(30)  # pyqtgraph drops mouse moves less than 10 ms apart (mouseRateLimit)
    QTest.mouseMove(dash.view.viewport(), _viewport_point(dash, dash.grad_heatmap, 7))
    qtbot.waitUntil(lambda: "layer 7" in dash.readout_text(), timeout=2000)
    assert "density" in dash.readout_text()


def test_font_size_applies_to_every_plot(dash):
    dash.set_font_size(18)
    for name, plot in dash.plot_items().items():
        font = plot.getAxis("left").style["tickFont"]
        assert font.pointSizeF() == 18, name
    assert set(dash.plot_items()) >= {"gradient", "activation", "saturation",
                                      "gradient_heatmap", "activation_heatmap"}


def test_long_titles_and_big_fonts_do_not_force_a_wide_window(dash):
    from PySide6.QtCore import Qt

    def minimum_width():
        return dash.view.ci.effectiveSizeHint(Qt.SizeHint.MinimumSize).width()

    feed(dash, fake_run(depth=12))
    assert minimum_width() < 700  # beside the settings dock on a 1280-pixel screen
    dash.resize(900, 700)
    assert dash.view.ci.geometry().width() <= 900
    dash.set_font_size(20)  # lecture hall: beside the dock on a 1920-pixel screen
    assert minimum_width() < 1400


def test_theory_is_dashed_beside_the_measurement_and_cleared_by_a_new_run(dash):
    from PySide6.QtCore import Qt

    from gradexplorer.engine.runs.propagation import propagate
    from gradexplorer.engine.theory.layerwise import predict_layers

    records = list(propagate(NetworkSpec(depth=10, width=32, in_features=32, batch=32)))
    start = records[0]
    feed(dash, records)
    theory = predict_layers("tanh", start.sigma_w2, start.sigma_b2, start.input_second_moment,
                            widths=start.widths)
    dash.set_theory("log10_grad_preact_rms", theory.log10_grad_rms_random_loss)
    item = dash.gradient.theory.items["log10_grad_preact_rms"]
    assert item.opts["pen"].style() == Qt.PenStyle.DashLine
    np.testing.assert_allclose(curve_y(item), theory.log10_grad_rms_random_loss)
    assert "mean-field theory" in legend_labels(dash.gradient)
    with pytest.raises(ValueError):
        dash.set_theory("no_such_field", np.zeros(10))
    dash.set_theory("log10_grad_preact_rms", None)
    assert "mean-field theory" not in legend_labels(dash.gradient)
    dash.set_theory("act_std", np.full(10, 0.5), "theory")
    dash.begin_run(records[0])
    assert dash.activation.theory.items == {}
