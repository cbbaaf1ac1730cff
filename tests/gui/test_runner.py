"""The job runner: batching, run ids, cancellation, the drag policy, pause, errors, shutdown."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.records import RunEnd, RunStart
from gradexplorer.engine.runs.result import RunResult, collect
from gradexplorer.gui.jobs import JobRunner, PauseGate
from gradexplorer.gui.jobs import runner as runner_module
from gradexplorer.gui.jobs.propagation import propagation_work


@pytest.fixture
def lane_factory(qtbot):
    runners = []

    def make(propagate, name="layers", **options):
        r = JobRunner()
        runners.append(r)
        return r.lane(name, propagation_work(propagate), **options)

    yield make
    for r in runners:
        r.shutdown()


def _collector(lane):
    got = {"result": RunResult(), "ids": [], "failed": [], "ended": [], "results": []}

    def on_records(run_id, records):
        got["ids"].append(run_id)
        for r in records:
            if isinstance(r, RunStart):
                got["result"] = RunResult()
            got["result"].add(r)
            if isinstance(r, RunEnd):
                got["results"].append((run_id, got["result"]))

    lane.sigYielded.connect(on_records)
    lane.sigErrored.connect(lambda i, f, m: got["failed"].append((i, f, m)))
    lane.sigEnded.connect(lambda i, ok: got["ended"].append((i, ok)))
    return got


def test_run_streams_all_records(qtbot, lane_factory, fake_engine):
    lane = lane_factory(fake_engine)
    got = _collector(lane)
    spec = NetworkSpec(depth=30, width=8, in_features=8, gain=1.3)
    with qtbot.waitSignal(lane.sigEnded, timeout=5000) as blocker:
        run_id = lane.submit(spec)
    assert blocker.args == [run_id, True]
    expected = collect(fake_engine(spec))
    np.testing.assert_array_equal(got["result"].series("log10_grad_preact_rms"),
                                  expected.series("log10_grad_preact_rms"))
    assert got["result"].complete and set(got["ids"]) == {run_id}


def test_burst_collapses_to_latest(qtbot, lane_factory, fake_engine):
    lane = lane_factory(fake_engine)
    got = _collector(lane)
    specs = [NetworkSpec(depth=20, width=8, in_features=8, gain=0.5 + i / 50) for i in range(100)]
    with qtbot.waitSignal(lane.sigFinished, timeout=10000,
                          check_params_cb=lambda i: i == lane.latest_id):
        for s in specs:
            last = lane.submit(s)
    assert set(got["ids"]) <= {last}
    expected = collect(fake_engine(specs[-1]))
    np.testing.assert_array_equal(got["result"].series("log10_grad_preact_rms"),
                                  expected.series("log10_grad_preact_rms"))
    assert fake_engine.calls < 50  # most of the stale requests never reached the engine


def test_new_request_cancels_running_one(qtbot, lane_factory, gated_engine):
    lane = lane_factory(gated_engine)
    got = _collector(lane)
    first = lane.submit(NetworkSpec(depth=200, width=4, in_features=4))
    qtbot.waitUntil(lambda: first in got["ids"], timeout=5000)
    gated_engine.step_seconds = 0.0
    with qtbot.waitSignal(lane.sigFinished, timeout=5000) as blocker:
        second = lane.submit(NetworkSpec(depth=3, width=4, in_features=4))
    assert blocker.args == [second]
    assert (first, False) in got["ended"]
    assert got["result"].depth == 3 and got["result"].complete


def _held_at_gain_one(qtbot, lane_factory, fake_engine, monkeypatch):
    """A lane whose runs all "end soon" and whose gain-1.0 run waits for ``release`` after its
    first record; one run (gain 0.5) done so the lane knows a run time.

    Returns (lane, collector, release event, gains of the runs started in order).
    """
    monkeypatch.setattr(runner_module, "FINISH_SOON", 10.0)  # every run "ends soon"
    release = threading.Event()
    seen = []

    def slow(spec):
        seen.append(spec.gain)
        for i, record in enumerate(fake_engine(spec)):
            if i == 1 and spec.gain == 1.0:
                release.wait(5)
            yield record

    lane = lane_factory(slow)
    got = _collector(lane)
    with qtbot.waitSignal(lane.sigFinished, timeout=5000):
        lane.submit(NetworkSpec(depth=3, width=4, in_features=4, gain=0.5))  # learn a run time
    return lane, got, release, seen


def test_coalesce_lets_a_run_that_ends_soon_finish_then_runs_only_the_newest(
        qtbot, lane_factory, fake_engine, monkeypatch):
    """The drag policy: values during a short run are coalesced; first and last complete."""
    lane, got, release, seen = _held_at_gain_one(qtbot, lane_factory, fake_engine, monkeypatch)
    first = lane.submit(NetworkSpec(depth=3, width=4, in_features=4, gain=1.0), coalesce=True)
    qtbot.waitUntil(lambda: seen[-1] == 1.0, timeout=5000)
    for gain in (1.1, 1.2, 1.3):
        last = lane.submit(NetworkSpec(depth=3, width=4, in_features=4, gain=gain),
                           coalesce=True)
    assert lane.has_queued()
    release.set()
    with qtbot.waitSignal(lane.sigFinished, timeout=5000,
                          check_params_cb=lambda i: i == last):
        pass
    assert seen == [0.5, 1.0, 1.3]  # 1.1 and 1.2 never started
    shown = [i for i, _ in got["results"]]
    assert shown[-1] == last and got["results"][-1][1].start.config["gain"] == 1.3
    # the first is drawn, unless it and the last completed before one delivery: then only the
    # last is (the first ends as aborted; drawn in the same go, it would never be seen)
    assert (shown[-2:] == [first, last]) != ((first, False) in got["ended"])


def test_the_end_of_a_drag_cancels_the_preview_in_flight(
        qtbot, lane_factory, fake_engine, monkeypatch):
    """``let_finish=False`` (the mouse was released): the full run does not wait for the run in
    flight, even one that ends soon; it is still delivered whole (no half-drawn run)."""
    lane, got, release, seen = _held_at_gain_one(qtbot, lane_factory, fake_engine, monkeypatch)
    preview = lane.submit(NetworkSpec(depth=3, width=4, in_features=4, gain=1.0), coalesce=True)
    qtbot.waitUntil(lambda: seen[-1] == 1.0, timeout=5000)
    with qtbot.waitSignal(lane.sigFinished, timeout=5000) as blocker:
        full = lane.submit(NetworkSpec(depth=3, width=4, in_features=4, gain=1.3),
                           coalesce=True, let_finish=False)
    release.set()
    assert blocker.args == [full] and seen == [0.5, 1.0, 1.3]
    assert all(i != preview for i in got["ids"])  # the preview was dropped, never delivered
    assert [i for i in got["ids"] if i == full] == [full]  # whole: one batch
    assert got["results"][-1][1].start.config["gain"] == 1.3


def test_a_drags_first_run_is_delivered_whole(qtbot, lane_factory, gated_engine):
    """``burst=True``: a drag's first preview (nothing in flight) comes in one batch like the
    drag's later runs, not layer by layer (a depth-200 preview streamed into the plots redrew
    them ~10 times and starved the engine)."""
    gated_engine.step_seconds = 0.05  # ~0.4 s a run: streamed unless part of a drag
    lane = lane_factory(gated_engine, batch_seconds=0)
    got = _collector(lane)
    spec = NetworkSpec(depth=3, width=4, in_features=4)
    for burst in (False, True):
        got["ids"].clear()
        lane._times.set(None, 0.5)  # between WHOLE_BELOW and LET_FINISH
        with qtbot.waitSignal(lane.sigFinished, timeout=10000) as blocker:
            run = lane.submit(spec, coalesce=True, burst=burst)
        assert blocker.args == [run] and set(got["ids"]) == {run}
        assert (len(got["ids"]) == 1) == burst  # one batch in a drag, streamed otherwise


def test_a_drags_full_run_after_the_release_is_delivered_whole_up_to_two_seconds(
        qtbot, lane_factory, gated_engine):
    """After the release (``let_finish=False, burst=True``) the complete preview stays until the
    exact run replaces it in one go, for runs up to WHOLE_AFTER_DRAG (2 s); a run estimated
    longer, or submitted during the drag, streams (LET_FINISH, 1 s)."""
    gated_engine.step_seconds = 0.02
    lane = lane_factory(gated_engine, batch_seconds=0)
    got = _collector(lane)
    spec = NetworkSpec(depth=3, width=4, in_features=4)
    for estimate, let_finish, whole in ((1.5, False, True), (1.5, True, False),
                                        (2.5, False, False)):
        got["ids"].clear()
        lane._times.set(None, estimate)
        with qtbot.waitSignal(lane.sigFinished, timeout=10000) as blocker:
            run = lane.submit(spec, coalesce=True, burst=True, let_finish=let_finish)
        assert blocker.args == [run] and set(got["ids"]) == {run}
        assert (len(got["ids"]) == 1) == whole, (estimate, let_finish)


def test_of_two_runs_complete_in_one_delivery_only_the_later_is_drawn(qtbot):
    from PySide6.QtCore import Qt

    runner = JobRunner()
    lane = runner.lane("drag", lambda spec, ctx: iter([spec]))
    finished = threading.Event()
    ended, shown, target = [], [], []
    lane.sigEnded.connect(lambda i, ok: ended.append((i, ok)))
    lane.sigYielded.connect(lambda i, records: shown.append(i))
    try:
        lane.submit(NetworkSpec(gain=0.9))  # starts the worker thread
        with qtbot.waitSignal(lane.sigEnded, timeout=5000):
            pass
        lane._worker.sigEvent.connect(  # on the worker thread: no GUI event loop needed
            lambda i, kind, data: kind == "finished" and i in target and finished.set(),
            Qt.ConnectionType.DirectConnection)
        lane._times.set(None, 0.01)  # short runs: a coalesced value waits for the run in flight
        shown.clear()
        target.append(lane.latest_id + 2)  # before the run can end (it takes microseconds)
        first = lane.submit(NetworkSpec(gain=1.0), coalesce=True)
        second = lane.submit(NetworkSpec(gain=1.1), coalesce=True)
        assert target == [second]
        assert finished.wait(5)  # both complete while this (GUI) thread delivers nothing
        with qtbot.waitSignal(lane.sigEnded, timeout=5000,
                              check_params_cb=lambda i, ok: i == second):
            pass
        assert (first, False) in ended and (second, True) in ended
        assert shown == [second]
    finally:
        runner.shutdown()


def test_coalesce_cancels_a_run_that_will_not_end_soon(qtbot, lane_factory, gated_engine):
    lane = lane_factory(gated_engine)
    got = _collector(lane)
    gated_engine.step_seconds = 0.0
    with qtbot.waitSignal(lane.sigFinished, timeout=5000):
        lane.submit(NetworkSpec(depth=3, width=4, in_features=4))
    gated_engine.step_seconds = 0.2  # now a run lasts ~ 40 s against a learnt 0.0x s ...
    first = lane.submit(NetworkSpec(depth=200, width=4, in_features=4), coalesce=True)
    qtbot.waitUntil(lambda: not lane._finishes_soon(), timeout=5000)  # ... and it overran
    assert first not in got["ids"]  # a short run's value is delivered whole, at its end
    gated_engine.step_seconds = 0.0
    second = lane.submit(NetworkSpec(depth=3, width=4, in_features=4, gain=2.0), coalesce=True)
    assert (first, False) in got["ended"]  # cancelled at once, not waited for
    with qtbot.waitSignal(lane.sigFinished, timeout=5000) as blocker:
        pass
    assert blocker.args == [second]


def test_stale_records_never_reach_the_consumer(qtbot, lane_factory, gated_engine):
    lane = lane_factory(gated_engine)
    got = _collector(lane)
    first = lane.submit(NetworkSpec(depth=100, width=4, in_features=4))
    qtbot.waitUntil(lambda: first in got["ids"], timeout=5000)
    lane.cancel()
    n = len(got["ids"])
    with qtbot.assertNotEmitted(lane.sigYielded, wait=300):
        gated_engine.gate.set()
    assert len(got["ids"]) == n and (first, False) in got["ended"]


def test_spec_error_is_reported_with_field(qtbot, lane_factory, fake_engine):
    lane = lane_factory(fake_engine)
    got = _collector(lane)
    spec = NetworkSpec(input="file", input_path="/nonexistent/data.txt")
    with qtbot.waitSignal(lane.sigEnded, timeout=5000):
        run_id = lane.submit(spec)
    assert got["failed"] and got["failed"][0][:2] == (run_id, "input_path")
    assert not got["ids"]


def test_exception_in_engine_does_not_kill_thread(qtbot, lane_factory):
    def broken(spec):
        raise RuntimeError("boom")
        yield  # pragma: no cover

    lane = lane_factory(broken)
    got = _collector(lane)
    with qtbot.waitSignal(lane.sigEnded, timeout=5000):
        lane.submit(NetworkSpec())
    assert "boom" in got["failed"][0][2]
    assert lane.worker_thread().isRunning()


def test_pause_holds_the_job_and_resume_continues(qtbot, lane_factory, fake_engine):
    lane = lane_factory(fake_engine, batch_seconds=0.0)
    got = _collector(lane)
    gate = PauseGate()
    gate.pause()
    spec = NetworkSpec(depth=5, width=4, in_features=4)
    lane.submit(spec, gate=gate)
    qtbot.waitUntil(gate.is_waiting, timeout=5000)
    assert got["ids"] == [] and lane.is_running()
    with qtbot.waitSignal(lane.sigFinished, timeout=5000):
        gate.resume()
    assert got["result"].complete


def test_two_views_share_one_runner(qtbot, state_and_runner):
    """The Jacobian and Sweep views compute on lanes of one runner; its shutdown stops both."""
    from gradexplorer.gui.jacobian import JacobianView
    from gradexplorer.gui.sweep.view import SweepView

    spec = NetworkSpec(depth=4, width=16, in_features=16, batch=8, activation="relu",
                       init="kaiming_normal")
    state, runner = state_and_runner(spec)
    jac = JacobianView(state, runner, debounce_ms=0)
    sweep = SweepView(state, runner)
    for view in (jac, sweep):
        qtbot.addWidget(view)
        view.show()
    sweep.controls.set_range(0.5, 2.0, 3, True)
    sweep.controls.seeds.setValue(1)
    sweep.run()
    qtbot.waitUntil(lambda: jac.answer is not None and len(sweep.family.rows) == 3
                    and not sweep.is_running(), timeout=30000)
    assert {lane.name for lane in runner.lanes()} == {"jacobian", "sweep"}
    state.set_spec(spec.replace(depth=3), "test")  # both follow the state
    qtbot.waitUntil(lambda: jac.answer.job.spec.depth == 3, timeout=30000)
    runner.shutdown()
    assert not any(lane.worker_thread().isRunning() for lane in runner.lanes())


def test_shutdown_during_run_stops_thread(qtbot, gated_engine):
    runner = JobRunner()
    lane = runner.lane("layers", propagation_work(gated_engine))
    got = _collector(lane)
    lane.submit(NetworkSpec(depth=500, width=4, in_features=4))
    qtbot.waitUntil(lambda: bool(got["ids"]), timeout=5000)
    runner.shutdown()
    assert not lane.worker_thread().isRunning()
    assert got["result"].end is None



def test_a_coalesced_value_starts_when_the_run_in_flight_ends_without_the_gui(qtbot):
    """During a drag the GUI is busy drawing when the run in flight ends: the next value must
    start on the worker at once, not when the GUI gets round to that run's events."""
    release = threading.Event()
    started = {name: threading.Event() for name in ("first", "second", "third")}

    def work(payload, ctx):
        started[payload].set()
        if payload == "first":
            release.wait(5)
        yield payload

    runner = JobRunner()
    lane = runner.lane("drag", work)
    try:
        lane.submit("first", coalesce=True)
        assert started["first"].wait(5)
        lane._times.set(None, 0.01)  # the lane knows its runs are short: let the run finish
        lane.submit("second", coalesce=True)  # superseded before it starts: never runs
        third = lane.submit("third", coalesce=True)
        assert lane.has_queued()
        release.set()  # "first" ends while this (GUI) thread processes no events
        assert started["third"].wait(5), "the queued value waited for the GUI thread"
        assert not started["second"].is_set()
        with qtbot.waitSignal(lane.sigEnded, timeout=5000,
                              check_params_cb=lambda run_id, ok: run_id == third) as blocker:
            pass
        assert blocker.args == [third, True] and not lane.is_running()
    finally:
        runner.shutdown()


def test_run_time_estimates_are_kept_per_kind_of_run(qtbot):
    """A drag's previews (fewer rows) are not judged by the slow full runs before them: with
    one estimate for all, every preview was cancelled by the next value (a 200-layer drag
    showed one result in 4 s)."""
    runner = JobRunner()
    lane = runner.lane("kinds", lambda payload, ctx: iter([payload]),
                       cost_key=lambda payload: payload[0])
    try:
        lane._times.set("full", 2.5)  # a full run took 2.5 s
        lane._inflight_key = "preview"
        assert lane._duration == runner_module.LET_FINISH  # unknown kind: assumed short
        lane._inflight_key = "full"
        assert lane._duration == 2.5
        with qtbot.waitSignal(lane.sigEnded, timeout=5000):
            lane.submit(("preview", 1), coalesce=True)
        assert lane._times.estimate("full") == 2.5 and lane._times.estimate("preview") < 2.5
    finally:
        runner.shutdown()
