"""The Train tab's pinned heatmap: a pin keeps its run's layers, drawn beside the current run's
heatmap on ONE colour scale (sigmoid's dark early layers against ReLU's uniform colour)."""

from __future__ import annotations

import numpy as np
import pytest
import test_train_view as base

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.training.trainer import TrainConfig
from gradexplorer.gui.plots.style import pg

BASE = dict(depth=10, width=32, input="digits")
SIGMOID = NetworkSpec(activation="sigmoid", init="xavier_normal", **BASE)
RELU = NetworkSpec(activation="relu", init="kaiming_normal", **BASE)
CONFIG = TrainConfig(steps=40, eval_every=5, batch_size=32)
make_view = base.make_view  # the fixture that builds (and shuts down) a TrainView


def stacked(records, field="log10_grad_norm"):
    return np.stack([getattr(r, field) for r in records])


@pytest.fixture
def two_runs(qtbot, make_view):
    """Train SIGMOID, pin it, then train RELU: the view, the pin's label and both runs' records."""
    current = {"spec": SIGMOID}
    view = make_view(spec_source=lambda: current["spec"], config=CONFIG)
    assert not view.grad_map.pinned.plot.isVisible()
    view.start()
    base.wait_finished(qtbot, view)
    first = view.pin()
    current["spec"] = RELU
    view.start()
    qtbot.waitUntil(lambda: view.history.start is not None
                    and view.history.start.network["activation"] == "relu", timeout=20000)
    base.wait_finished(qtbot, view)
    records = [base.engine_records(spec, CONFIG)[0] for spec in (SIGMOID, RELU)]
    return view, first, *records


def test_pinned_heatmap_beside_the_current_one_on_one_colour_scale(two_runs):
    view, label, sigmoid, relu = two_runs
    maps = view.grad_map
    assert label == "sigmoid · 10 layers · width 32 · xavier_normal × 1"
    assert view.shown_pin() == label and maps.pinned.plot.isVisible()
    np.testing.assert_array_equal(maps.pinned.image_data(), stacked(sigmoid))
    np.testing.assert_array_equal(maps.pinned.image.image, stacked(sigmoid))
    np.testing.assert_array_equal(maps.current.image_data(), stacked(relu))
    np.testing.assert_array_equal(maps.current.image.image, stacked(relu))
    both = np.concatenate([stacked(sigmoid).ravel(), stacked(relu).ravel()])
    levels = (float(both.min()), float(both.max()))
    assert maps.levels() == levels
    np.testing.assert_allclose(maps.current.image.getLevels(), levels)
    np.testing.assert_allclose(maps.pinned.image.getLevels(), levels)
    assert tuple(maps.colorbar.levels()) == levels
    assert stacked(sigmoid).min() < stacked(relu).min() - 1  # the pin widened the range
    assert maps.colorbar.axis.labelText == "log10 ‖∂L/∂W_l‖_F"
    assert maps.pinned.title == f"pinned: {label}"
    assert maps.current.title.startswith("this run: relu · 10 layers")
    # Its update ratios are dashed in the ratio plot; the combo names it.
    for item, layer in zip(view.ratio.pinned_curves, view.ratio.layers, strict=True):
        assert item.isVisible()
        np.testing.assert_array_equal(item.yData, stacked(sigmoid, "log10_update_ratio")[
            :, layer - 1])
    box = view.controls.pin_choice
    assert not box.isHidden() and box.currentText() == label


def test_hover_on_the_pinned_heatmap(two_runs):
    view, _, sigmoid, _ = two_runs
    vb = view.grad_map.pinned.plot.vb
    view.plots.hover(vb.mapViewToScene(pg.QtCore.QPointF(12.0, 2.0)))  # the column of step 15
    value = stacked(sigmoid)[2, 1]
    assert view.readout_text().startswith(f"pinned · step 15 · layer 2 · log10 ‖∂L/∂W‖ = "
                                          f"{value:.2f}")


def test_choosing_removing_and_clearing_pins(two_runs):
    view, first, sigmoid, relu = two_runs
    maps = view.grad_map
    second = view.pin()  # the ReLU run: shown at once
    assert view.shown_pin() == second
    np.testing.assert_array_equal(maps.pinned.image_data(), stacked(relu))
    box = view.controls.pin_choice
    assert [box.itemText(i) for i in range(box.count())] == [first, second]
    box.setCurrentIndex(0)  # the user picks the sigmoid run again
    assert view.shown_pin() == first
    np.testing.assert_array_equal(maps.pinned.image_data(), stacked(sigmoid))
    view.remove_pin(first)  # the shown pin goes: the one left is shown
    assert view.shown_pin() == second and maps.pinned.plot.isVisible()
    view.remove_pin(second)
    assert view.shown_pin() is None
    assert not maps.pinned.plot.isVisible() and box.isHidden()
    assert not any(item.isVisible() for item in view.ratio.pinned_curves)
    np.testing.assert_array_equal(maps.current.image_data(), stacked(relu))
    assert maps.levels() == (float(stacked(relu).min()), float(stacked(relu).max()))
    view.pin()
    view.pins.fill_menu(view._pins_menu)
    view._pins_menu.actions()[-1].trigger()  # "Clear pins"
    assert view.pin_labels() == [] and view.shown_pin() is None
    assert not maps.pinned.plot.isVisible() and box.isHidden()
    assert maps.current.title == maps.TITLE


def test_fixed_colour_range(two_runs):
    view, _, sigmoid, relu = two_runs
    maps, c = view.grad_map, view.controls
    assert c.range_lo.isHidden()
    c.fixed_range.setChecked(True)
    assert not c.range_lo.isHidden()
    assert maps.levels() == (-12.0, 2.0)
    for image in (maps.current.image, maps.pinned.image):
        np.testing.assert_allclose(image.getLevels(), (-12.0, 2.0))
    c.range_lo.setValue(-6)
    assert maps.levels() == (-6.0, 2.0) and tuple(maps.colorbar.levels()) == (-6.0, 2.0)
    np.testing.assert_array_equal(maps.pinned.image_data(), stacked(sigmoid))  # data unchanged
    c.fixed_range.setChecked(False)
    both = np.concatenate([stacked(sigmoid).ravel(), stacked(relu).ravel()])
    assert maps.levels() == (float(both.min()), float(both.max()))
