"""The worker thread: batching, run ids, cancellation, bursts, errors, shutdown."""

from __future__ import annotations

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.records import RunEnd, RunStart
from gradexplorer.engine.runs.result import RunResult, collect
from gradexplorer.gui.worker import RunController


@pytest.fixture
def controller_factory(qtbot):
    made = []

    def make(propagate):
        c = RunController(propagate)
        made.append(c)
        return c

    yield make
    for c in made:
        c.shutdown()


def _collector(controller):
    got = {"result": RunResult(), "ids": [], "failed": [], "done": []}

    def on_records(run_id, records):
        got["ids"].append(run_id)
        for r in records:
            if isinstance(r, RunStart):
                got["result"] = RunResult()
            got["result"].add(r)

    controller.sigRecords.connect(on_records)
    controller.sigFailed.connect(lambda i, f, m: got["failed"].append((i, f, m)))
    controller.sigDone.connect(lambda i, ok: got["done"].append((i, ok)))
    return got


def test_run_streams_all_records(qtbot, controller_factory, fake_engine):
    c = controller_factory(fake_engine)
    got = _collector(c)
    spec = NetworkSpec(depth=30, width=8, in_features=8, gain=1.3)
    with qtbot.waitSignal(c.sigDone, timeout=5000) as blocker:
        run_id = c.request(spec)
    assert blocker.args == [run_id, True]
    expected = collect(fake_engine(spec))
    np.testing.assert_array_equal(got["result"].series("log10_grad_preact_rms"),
                                  expected.series("log10_grad_preact_rms"))
    assert got["result"].complete and set(got["ids"]) == {run_id}


def test_burst_collapses_to_latest(qtbot, controller_factory, fake_engine):
    c = controller_factory(fake_engine)
    got = _collector(c)
    specs = [NetworkSpec(depth=20, width=8, in_features=8, gain=0.5 + i / 50) for i in range(100)]
    with qtbot.waitSignal(c.sigDone, timeout=10000,
                          check_params_cb=lambda i, ok: i == c.current_id):
        for s in specs:
            last = c.request(s)
    assert set(got["ids"]) <= {last}
    expected = collect(fake_engine(specs[-1]))
    np.testing.assert_array_equal(got["result"].series("log10_grad_preact_rms"),
                                  expected.series("log10_grad_preact_rms"))
    # most of the stale requests never reached the engine
    assert fake_engine.calls < 50


def test_new_request_cancels_running_one(qtbot, controller_factory, gated_engine):
    c = controller_factory(gated_engine)
    got = _collector(c)
    first = c.request(NetworkSpec(depth=200, width=4, in_features=4))
    qtbot.waitUntil(lambda: first in got["ids"], timeout=5000)
    gated_engine.step_seconds = 0.0
    with qtbot.waitSignal(c.sigDone, timeout=5000) as blocker:
        second = c.request(NetworkSpec(depth=3, width=4, in_features=4))
    assert blocker.args == [second, True]
    assert got["result"].depth == 3 and got["result"].complete


def test_spec_error_is_reported_with_field(qtbot, controller_factory, fake_engine):
    c = controller_factory(fake_engine)
    got = _collector(c)
    spec = NetworkSpec(input="file", input_path="/nonexistent/data.txt")
    with qtbot.waitSignal(c.sigDone, timeout=5000):
        run_id = c.request(spec)
    assert got["failed"] and got["failed"][0][:2] == (run_id, "input_path")
    assert not got["ids"]


def test_exception_in_engine_does_not_kill_thread(qtbot, controller_factory):
    def broken(spec):
        raise RuntimeError("boom")
        yield  # pragma: no cover

    c = controller_factory(broken)
    got = _collector(c)
    with qtbot.waitSignal(c.sigDone, timeout=5000):
        c.request(NetworkSpec())
    assert "boom" in got["failed"][0][2]
    assert c.worker_thread().isRunning()


def test_shutdown_during_run_stops_thread(qtbot, gated_engine):
    c = RunController(gated_engine)
    got = _collector(c)
    c.request(NetworkSpec(depth=500, width=4, in_features=4))
    qtbot.waitUntil(lambda: bool(got["ids"]), timeout=5000)
    c.shutdown()
    assert not c.worker_thread().isRunning()
    assert not any(isinstance(r, RunEnd) for r in [got["result"].end] if r is not None)
