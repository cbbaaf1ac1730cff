"""Statistics on the second core: the same records in the same order, from the other thread."""

from __future__ import annotations

import dataclasses
import math
import threading

import numpy as np
import pytest

from gradexplorer.engine.compute import overlap
from gradexplorer.engine.compute.overlap import BACKLOG, OrderedRecords, overlap_statistics
from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs import propagation
from gradexplorer.engine.runs.records import RunEnd


def _same(a, b) -> bool:
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and all(
            _same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


SPECS = [  # the thread is turned on for each below, whatever its size
    NetworkSpec(depth=6, width=128, in_features=64, batch=128, activation="sigmoid",
                init="xavier_normal", gain=1.3),
    NetworkSpec(depth=5, width=128, in_features=64, batch=64, activation="relu",
                init="kaiming_normal", gain=2.0),  # exact power-of-two forward rescaling
    NetworkSpec(depth=4, width=96, in_features=32, batch=128, activation="tanh",
                init="orthogonal", dtype="float32", bias_init="normal", bias_std=0.2),
    NetworkSpec(depth=4, width=128, in_features=128, batch=64, activation="tanh",
                norm="batch", residual=True, loss="cross_entropy"),
]


def _records(spec, monkeypatch, background: bool, threads: list[str] | None = None):
    monkeypatch.setattr(propagation, "overlap_statistics", lambda *a: background)
    # no taking back: every record is made there, however busy this machine is
    monkeypatch.setattr(overlap._Task, "result", lambda task: task.future.result())
    made = propagation._forward_record

    def forward_record(*args):  # which thread made it
        if threads is not None:
            threads.append(threading.current_thread().name)
        return made(*args)

    monkeypatch.setattr(propagation, "_forward_record", forward_record)
    return [r for r in propagation.propagate(spec) if not isinstance(r, RunEnd)]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.activation}-{s.norm}-{s.dtype}")
def test_the_statistics_thread_makes_the_same_records_in_the_same_order(spec, monkeypatch):
    threads: list[str] = []
    here = _records(spec, monkeypatch, background=False)
    there = _records(spec, monkeypatch, background=True, threads=threads)
    assert threads == ["gradexplorer-stats_0"] * spec.depth  # really made on the other thread
    assert [type(r).__name__ for r in there] == [type(r).__name__ for r in here]
    assert any(r.preact_hist.n for r in here if hasattr(r, "preact_hist"))  # real histograms
    for a, b in zip(here, there, strict=True):
        assert _same(a, b), type(a).__name__


def test_overlap_only_for_small_products_with_histograms_and_enough_entries(monkeypatch):
    monkeypatch.setattr(overlap, "_cores", lambda: 2)
    assert overlap_statistics(256, (128,) * 21, histograms=True)  # the first-launch network
    assert not overlap_statistics(256, (128,) * 21, histograms=False)  # sweeps
    assert not overlap_statistics(512, (1024,) * 41, histograms=True)  # BLAS uses every core
    assert not overlap_statistics(8, (256,) * 201, histograms=True)  # an 8-row preview
    assert not overlap_statistics(64, (128,) * 21, histograms=True)  # the 64-row preview
    monkeypatch.setattr(overlap, "_cores", lambda: 1)
    assert not overlap_statistics(256, (128,) * 21, histograms=True)


def test_records_come_out_in_order_and_wait_only_past_the_backlog():
    gate = threading.Event()
    queue: OrderedRecords[int] = OrderedRecords(background=True)
    queue.put(lambda: 0 if gate.wait(10) else -1)  # the statistics thread is busy until the gate
    queue.put(lambda: 1)
    assert list(queue.ready()) == []  # 0 comes first
    for i in range(2, BACKLOG):
        queue.put(lambda i=i: i)
    assert len(list(queue.ready())) == 0  # BACKLOG waiting: no wait yet
    threading.Timer(0.05, gate.set).start()
    queue.put(lambda: BACKLOG)
    first = list(queue.ready())  # one over the backlog: waits for the gate, then goes on
    assert first[:2] == [0, 1]
    assert first + list(queue.drain()) == list(range(BACKLOG + 1))


def test_an_error_making_a_record_is_raised_where_that_record_comes_out():
    queue: OrderedRecords[int] = OrderedRecords(background=True)
    queue.put(lambda: 1)
    queue.put(lambda: 1 // 0)
    out = queue.drain()
    assert next(out) == 1
    with pytest.raises(ZeroDivisionError):
        next(out)


def test_a_record_the_statistics_thread_has_not_started_is_made_here():
    gate = threading.Event()
    busy: OrderedRecords[str] = OrderedRecords(background=True)
    busy.put(lambda: "gate" if gate.wait(10) else "timed out")  # holds the statistics thread
    queue: OrderedRecords[str] = OrderedRecords(background=True)
    queue.put(lambda: threading.current_thread().name)
    assert list(queue.drain()) == [threading.current_thread().name]  # not waited for
    gate.set()
    assert list(busy.drain()) == ["gate"]
