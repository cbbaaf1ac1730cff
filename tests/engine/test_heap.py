"""Freed array memory stays in the process: a repeated run takes no page faults (Linux/glibc)."""

from __future__ import annotations

import sys

import pytest

from gradexplorer.engine.compute.heap import keep_freed_memory
from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import collect

resource = pytest.importorskip("resource")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt")
def test_a_repeated_run_reuses_the_pages_of_the_last_one():
    if not keep_freed_memory():
        pytest.skip("no glibc mallopt (e.g. musl)")
    assert keep_freed_memory()  # idempotent
    spec = NetworkSpec(depth=20, width=128, batch=256, activation="sigmoid",
                       init="xavier_normal")
    for _ in range(2):
        collect(propagate(spec))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    collect(propagate(spec))
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    # the run's arrays are 20 layers x ~4 arrays x 64 pages of 4 KB; fresh pages would fault
    # thousands of times (2 400 measured in the GUI process before)
    assert faults < 100
