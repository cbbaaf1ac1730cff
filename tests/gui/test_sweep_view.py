"""The Sweep tab: rows reach the plot as the engine made them, Stop, bad input, hover, export."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.sweep import log_range, sweep
from gradexplorer.gui.sweep import SweepView

SMALL = NetworkSpec(depth=5, width=16, in_features=16, batch=16, activation="relu",
                    init="kaiming_normal")




@pytest.fixture
def make_view(qtbot, state_and_runner):
    made = []

    def make(spec, engine=None):
        state, runner = state_and_runner(spec)
        view = SweepView(state, runner, engine=engine)
        qtbot.addWidget(view)
        view.resize(1000, 700)
        view.show()
        made.append(view)
        return view

    yield make
    for view in made:
        view.shutdown()


def _configure(view, field="gain", lo=0.5, hi=2.0, count=4, log=True, seeds=2):
    view.controls.set_field(field)
    view.controls.set_range(lo, hi, count, log)
    view.controls.seeds.setValue(seeds)


def test_rows_reach_the_plot_as_the_engine_made_them(qtbot, make_view):
    view = make_view(SMALL)
    _configure(view)
    assert view.run()
    qtbot.waitUntil(lambda: not view.is_running() and len(view.family.rows) == 4, timeout=30000)
    expected = list(sweep(SMALL, "gain", log_range(0.5, 2.0, 4), seeds=2))
    for i, (got, want) in enumerate(zip(view.family.rows, expected, strict=True)):
        assert got.value == want.value
        np.testing.assert_array_equal(got.curves, want.curves)
        x, y = view.family.curve_data(i)
        np.testing.assert_array_equal(x, np.arange(1, 6))
        np.testing.assert_array_equal(y, want.mean)
        assert view.family.members[i].band.isVisible()
    # colours follow the value: the ends of the colour map, distinct
    first, last = (view.family.colour(v).name() for v in (0.5, 2.0))
    assert first != last
    assert "Done: 4 values × 2 seeds" in view.message_text()
    assert view.progress.value() == 4 and view.run_button.isEnabled()
    assert "gain (log scale)" in view.family.bar.axis.labelText


def test_stop_mid_sweep_stops_the_engine(qtbot, make_view, gated_engine):
    gated_engine.step_seconds = 0.02
    view = make_view(NetworkSpec(depth=3, width=4, in_features=4, batch=4), engine=gated_engine)
    _configure(view, count=40, seeds=1)
    view.run()
    job = view.job
    qtbot.waitUntil(lambda: len(view.family.rows) >= 1, timeout=10000)
    view.stop_button.click()
    assert not view.is_running() and view.run_button.isEnabled()
    assert view.message_text().startswith("Stopped after")
    qtbot.waitUntil(job.finished.is_set, timeout=5000)  # the sweep generator has ended
    assert gated_engine.calls < 40
    rows = len(view.family.rows)
    # rows the worker emitted before the stop are dropped (stale run id)
    with qtbot.assertNotEmitted(view.lane.sigYielded, wait=50):
        pass
    assert len(view.family.rows) == rows
    view.shutdown()
    assert not view.lane.worker_thread().isRunning()


def test_settings_change_while_running_restarts_with_the_new_spec(qtbot, make_view,
                                                                  gated_engine):
    gated_engine.step_seconds = 0.02
    spec = NetworkSpec(depth=3, width=4, in_features=4, batch=4)
    view = make_view(spec, engine=gated_engine)
    _configure(view, count=30, seeds=1)
    view.run()
    stale = view.job
    qtbot.waitUntil(lambda: len(view.family.rows) >= 1, timeout=10000)
    view.state.set_spec(spec.replace(depth=2), "test")
    qtbot.waitUntil(lambda: view.job is not stale, timeout=5000)
    qtbot.waitUntil(lambda: view.family.rows and view.family.rows[0].spec.depth == 2,
                    timeout=10000)
    qtbot.waitUntil(stale.finished.is_set, timeout=5000)  # the stale sweep was cancelled
    assert all(r.spec.depth == 2 for r in view.family.rows)
    view.stop()


def test_log_range_from_zero_shows_a_message(qtbot, make_view):
    view = make_view(SMALL)
    _configure(view, lo=0.0, hi=2.0)
    assert not view.run()
    assert "'from' must be a finite number > 0" in view.message_text()
    assert not view.is_running() and view.family.rows == []


def test_engine_spec_error_is_shown(qtbot, make_view):
    view = make_view(SMALL.replace(widths=(16, 8, 8, 8, 4)))
    _configure(view, field="width", lo=8, hi=64, count=4)
    view.run()
    qtbot.waitUntil(lambda: "no effect" in view.message_text(), timeout=10000)
    assert "widths" in view.message_text()
    assert not view.is_running() and view.run_button.isEnabled()


def test_hover_names_value_and_layer(qtbot, make_view, fake_engine):
    view = make_view(SMALL, engine=fake_engine)
    _configure(view, count=3, seeds=2)
    view.run()
    qtbot.waitUntil(lambda: not view.is_running() and len(view.family.rows) == 3,
                    timeout=10000)
    fam = view.family
    row = fam.rows[2]

    def hovered():  # map again each time: the view range settles after the last row
        fam.hover(fam.plot.vb.mapViewToScene(QPointF(2, float(row.mean[1]))))
        assert fam.readout.isVisible()

    qtbot.waitUntil(hovered, timeout=5000)
    text = fam.readout.textItem.toPlainText()
    assert f"gain = {row.value:.4g}, layer 2" in text and "2 seeds" in text
    assert fam.members[2].mean.opts["pen"].widthF() > fam.members[0].mean.opts["pen"].widthF()


def test_export_png_and_svg(qtbot, make_view, fake_engine, tmp_path):
    view = make_view(SMALL, engine=fake_engine)
    _configure(view, count=3)
    view.run()
    qtbot.waitUntil(lambda: not view.is_running() and len(view.family.rows) == 3,
                    timeout=10000)
    for name in ("s.png", "s.svg"):
        view.export(str(tmp_path / name))
        assert (tmp_path / name).stat().st_size > 1000


def test_export_on_a_full_disk_names_the_chosen_file(qtbot, make_view, fake_engine, tmp_path,
                                                     monkeypatch):
    """The message used to be "[Errno 28] No space left on device: '…/.s.x1y2.tmp.png'": an
    errno and a hidden temporary file the user never chose. The old file stays."""
    import errno
    import os

    from PySide6.QtWidgets import QFileDialog

    view = make_view(SMALL, engine=fake_engine)
    _configure(view, count=3)
    view.run()
    qtbot.waitUntil(lambda: not view.is_running() and len(view.family.rows) == 3,
                    timeout=10000)
    target = tmp_path / "s.png"
    target.write_bytes(b"old")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    view._export_dialog()
    assert view.message_text() == f"cannot write {target}: No space left on device"
    assert target.read_bytes() == b"old" and sorted(tmp_path.iterdir()) == [target]

def test_depth_sweep_draws_curves_of_each_length(qtbot, make_view, fake_engine):
    view = make_view(SMALL, engine=fake_engine)
    _configure(view, field="depth", lo=2, hi=6, count=5, log=False, seeds=1)
    assert view.controls.lo.decimals() == 0
    view.run()
    qtbot.waitUntil(lambda: not view.is_running() and len(view.family.rows) == 5,
                    timeout=10000)
    assert [len(view.family.curve_data(i)[0]) for i in range(5)] == [2, 3, 4, 5, 6]
    assert not any(m.band.isVisible() for m in view.family.members)  # one seed: no band
    assert "depth L (linear scale)" in view.family.bar.axis.labelText
