"""Parameter sweeps: values, seed bands, streaming, cancellation and error messages."""

import math

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.sweep import lin_range, log_range, sweep

RELU_HE = NetworkSpec(depth=10, width=128, in_features=128, activation="relu",
                      init="kaiming_normal", batch=64, seed=0)


def test_gain_sweep_relu_he_gradient_ratio_is_depth_minus_one_times_log_gain():
    rows = list(sweep(RELU_HE, "gain", [0.5, 1.0, 2.0], seeds=2))
    assert [r.value for r in rows] == [0.5, 1.0, 2.0]
    base = rows[1].curves[:, 0] - rows[1].curves[:, -1]
    # measured at gain 1 (He), first − last layer: 0.085, 0.039 decades for seeds 0, 1; over
    # seeds 0..11 mean 0.003, std 0.07 (so ±0.15 is 3 standard deviations of a 2-seed mean)
    assert np.all(np.abs(base) < 0.15)
    for r in rows:
        expected = 9 * math.log10(r.value)  # (L − 1)·log10(gain): ±2.709 decades
        assert r.mean[0] - r.mean[-1] == pytest.approx(expected, abs=0.15)
        # gain only rescales the same draw and relu is homogeneous: exact up to rounding
        assert np.allclose(r.curves[:, 0] - r.curves[:, -1] - base, expected, atol=1e-9)
        assert r.spec.gain == r.value and r.seeds == (0, 1)


def test_seed_band_and_single_seed():
    small = RELU_HE.replace(depth=6, width=32, in_features=32, batch=16)
    (row,) = sweep(small.replace(bias_init="normal"), "bias_std", [0.1], seeds=4)
    assert row.curves.shape == (4, 6) and row.seeds == (0, 1, 2, 3)
    assert np.all(row.min <= row.mean) and np.all(row.mean <= row.max)
    assert np.all(row.max - row.min > 1e-3)  # the seeds really differ
    assert np.allclose(row.mean, row.curves.mean(axis=0))
    (one,) = sweep(small, "gain", [1.0], seeds=1, quantity="log10_preact_std")
    assert np.array_equal(one.min, one.mean) and np.array_equal(one.max, one.mean)
    assert np.array_equal(one.curves[0], one.mean)


def test_depth_sweep_curve_lengths():
    small = RELU_HE.replace(width=16, in_features=16, batch=8)
    depths = lin_range(2, 11, 4, integer=True)
    assert depths == [2, 5, 8, 11]
    rows = list(sweep(small, "depth", depths))
    assert [r.layers.size for r in rows] == depths == [r.mean.size for r in rows]
    for r, d in zip(rows, depths, strict=True):
        assert np.array_equal(r.layers, np.arange(1, d + 1))
    assert [(r.index, r.count) for r in rows] == [(0, 4), (1, 4), (2, 4), (3, 4)]


def test_rows_stream_one_value_at_a_time(fake_engine):
    spec = NetworkSpec(depth=4, width=8, in_features=8, batch=2)
    rows = sweep(spec, "gain", [1.0, 10.0, 100.0], seeds=3, engine=fake_engine)
    assert fake_engine.calls == 0  # lazy
    first = next(rows)
    assert fake_engine.calls == 3 and first.value == 1.0
    second = next(rows)
    assert fake_engine.calls == 6
    # fake: log10 RMS of layer l = (L − l)·log10(gain) + 0.001·seed
    assert np.allclose(second.mean, [3.001, 2.001, 1.001, 0.001])
    assert np.allclose(second.min, second.max - 0.002)


def test_cancel_between_runs_and_within_a_run(fake_engine):
    spec = NetworkSpec(depth=4, width=8, in_features=8, batch=2)
    assert list(sweep(spec, "gain", [1.0, 2.0], engine=fake_engine, cancel=lambda: True)) == []
    assert fake_engine.calls == 0  # polled before the first run
    polls = iter(range(1000))
    # cancel after 5 polls: inside the first run, so no row at all and only one run started
    out = list(sweep(spec, "gain", [1.0, 2.0], engine=fake_engine,
                     cancel=lambda: next(polls) >= 5))
    assert out == [] and fake_engine.calls == 1
    # cancel once the first row is out: exactly one row
    got = []
    for row in sweep(spec, "gain", [1.0, 2.0, 3.0], engine=fake_engine,
                     cancel=lambda: len(got) > 0):
        got.append(row)
    assert [r.value for r in got] == [1.0]


def test_engine_generator_is_closed_on_cancel():
    closed = []

    def engine(spec):
        try:
            yield from propagate(spec)
        finally:
            closed.append(spec.gain)

    ticks = iter(range(100))
    spec = NetworkSpec(depth=3, width=8, in_features=8, batch=4)
    assert list(sweep(spec, "gain", [2.0], engine=engine, cancel=lambda: next(ticks) >= 3)) == []
    assert closed == [2.0]


@pytest.mark.parametrize("field, values, name, words", [
    ("gian", [1.0], "gian", ["'gian'", "not a setting", "gain"]),
    ("activation", ["relu"], "activation", ["'activation'", "not a number"]),
    ("gain", [1.0, -1.0], "gain", ["gain must be positive", "-1.0"]),
    ("gain", ["abc"], "gain", ["gain must be a number", "'abc'"]),
    ("depth", [3, 0], "depth", ["depth must be between 1 and 1000", "got 0"]),
    ("depth", [2.5], "depth", ["depth must be a whole number", "2.5"]),
    ("width", [8], "width", ["no effect", "widths"]),
    ("bias_std", [0.1], "bias_std", ["no effect", "zeros"]),
    ("gain", [], "gain", ["at least one value"]),
])
def test_bad_field_or_value_is_a_spec_error_before_any_run(fake_engine, field, values, name,
                                                          words):
    spec = NetworkSpec(depth=3, width=8, in_features=8, batch=2,
                       widths=(8, 8, 8) if field == "width" else None)
    with pytest.raises(SpecError) as info:
        next(sweep(spec, field, values, engine=fake_engine))
    assert info.value.field == name
    assert all(w in str(info.value) for w in words), str(info.value)
    assert fake_engine.calls == 0


def test_bad_quantity_or_seeds(fake_engine):
    spec = NetworkSpec(depth=3, width=8, in_features=8, batch=2)
    with pytest.raises(ValueError, match="unknown quantity 'grad'"):
        next(sweep(spec, "gain", [1.0], quantity="grad", engine=fake_engine))
    with pytest.raises(ValueError, match="seeds must be a whole number"):
        next(sweep(spec, "gain", [1.0], seeds=0, engine=fake_engine))


def test_ranges():
    assert log_range(1, 100, 3) == pytest.approx([1.0, 10.0, 100.0])
    assert log_range(2, 0.5, 3) == pytest.approx([2.0, 1.0, 0.5])
    assert log_range(1, 1000, 10, integer=True) == [1, 2, 5, 10, 22, 46, 100, 215, 464, 1000]
    assert log_range(1, 3, 9, integer=True) == [1, 2, 3]
    assert lin_range(0, 1, 5) == [0.0, 0.25, 0.5, 0.75, 1.0] and lin_range(3, 3, 1) == [3.0]
    with pytest.raises(ValueError, match="lo must be a finite number > 0"):
        log_range(0, 1, 3)
    with pytest.raises(ValueError, match="whole number ≥ 1"):
        lin_range(0, 1, 0)
