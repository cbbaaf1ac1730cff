"""A drag that ends on an invalid value: the full run of its last valid value must not hide the
error (red status message, "showing the last valid run" mark) the invalid value raised."""

from __future__ import annotations

import pytest

from gradexplorer.engine.model.spec import NetworkSpec

#: Batch norm needs ≥ 2 rows: the batch slider's left end (1) is invalid.
NET = NetworkSpec(depth=20, width=128, in_features=128, batch=256, activation="sigmoid",
                  init="xavier_normal", norm="batch")


@pytest.fixture
def window(shown_window):
    return shown_window(NET, presets=[])


def test_a_drag_released_on_an_invalid_value_keeps_the_error(qtbot, window, wait_for_run):
    batch = window.panel.data.batch
    batch.slider.sliderPressed.emit()  # the mouse takes the slider
    batch.setValue(200)  # a valid value: its preview runs, the full run waits for the release
    assert window.preview.is_waiting()
    batch.setValue(1)  # the mouse ends at the invalid left end (held back by the throttle)
    batch.slider.sliderReleased.emit()  # the release sends it: rejected, then the full run
    message = "batch norm needs a batch of at least 2 rows"
    full = wait_for_run(qtbot, window, NET.replace(batch=200))  # the last valid value, in full
    assert full.start.config["batch"] == 200
    assert window.status_text().startswith(message)  # still said, in red
    assert message in window.dashboard.headline._stale  # the plots say they are not the field's
    assert "preview" not in window.run_time.text()
