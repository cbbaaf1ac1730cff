"""Cancellation reaches inside long work (issue 12, case 2): LSUV, a training segment between
reports, file reads and propagate's setup raise the engine's one ``Cancelled`` within 0.5 s."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from gradexplorer.engine.compute.cancel import (
    CancelCheck,
    Cancelled,
    cancellable_matmul,
    cancellable_qr,
    raise_if_cancelled,
)
from gradexplorer.engine.data.inputs import load_table
from gradexplorer.engine.model.activations import get_activation
from gradexplorer.engine.model.lsuv import lsuv_rescale
from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.jacobian import JacobianCancelled
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.theory.phase_diagram import Cancelled as PhaseCancelled
from gradexplorer.engine.training.trainer import TrainConfig, train

LATENCY = 0.5


def _cancel_after(work, delay: float = 0.1):
    """Run ``work(cancel)`` in a thread, cancel after ``delay`` s; (exception, seconds from the
    cancel to the thread's end)."""
    flag = threading.Event()
    result: dict = {}

    def run():
        try:
            work(flag.is_set)
            result["exc"] = None
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            result["exc"] = exc
        result["end"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    fired = threading.Event()
    stamp = {}

    def fire():
        stamp["t"] = time.monotonic()
        flag.set()
        fired.set()

    timer = threading.Timer(delay, fire)
    timer.start()
    thread.join(60.0)
    assert fired.is_set() and not thread.is_alive()
    return result["exc"], result["end"] - stamp["t"]


def test_one_exception_type():
    assert PhaseCancelled is Cancelled and JacobianCancelled is Cancelled
    raise_if_cancelled(None)
    raise_if_cancelled(lambda: False)
    with pytest.raises(Cancelled):
        raise_if_cancelled(lambda: True)
    with pytest.raises(Cancelled):
        CancelCheck(lambda: True)()  # the first call polls


def test_blocked_matmul_is_exact_and_cancellable():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3000, 300)), rng.standard_normal((300, 200))
    np.testing.assert_allclose(cancellable_matmul(a, b, CancelCheck(lambda: False)), a @ b,
                               rtol=1e-12, atol=1e-12)
    calls = []
    with pytest.raises(Cancelled):
        cancellable_matmul(np.ones((20000, 2048)), np.ones((2048, 2048)),
                           CancelCheck(lambda: calls.append(1) or len(calls) > 1, 0.0))
    assert len(calls) == 2  # stopped at the second block, not after the whole product


def test_lsuv_10_x_2048_cancels_within_half_a_second():
    rng = np.random.default_rng(1)
    n = 2048
    weights = [rng.standard_normal((n, n)) / np.sqrt(n) for _ in range(10)]
    biases = [np.zeros(n) for _ in range(10)]
    x = rng.standard_normal((n, n))
    exc, latency = _cancel_after(lambda cancel: lsuv_rescale(
        weights, biases, x, get_activation("tanh"), cancel=cancel))
    assert isinstance(exc, Cancelled)
    assert latency < LATENCY


def test_training_segment_of_200_steps_cancels_within_half_a_second():
    spec = NetworkSpec(depth=6, width=256, in_features=64, batch=128, seed=3)
    config = TrainConfig(task="teacher", samples=2048, steps=200, eval_every=200,
                         batch_size=128)

    def work(cancel):
        records = train(spec, config, cancel=cancel)
        next(records)  # TrainStart; the next record needs all 200 steps
        for _ in records:
            pass

    exc, latency = _cancel_after(work)
    assert isinstance(exc, Cancelled)
    assert latency < LATENCY


def test_propagate_cancels_in_setup_and_between_layers():
    spec = NetworkSpec(depth=4, width=64, in_features=32, batch=32, init="lsuv")
    with pytest.raises(Cancelled):
        next(propagate(spec, cancel=lambda: True))
    calls = []
    records = propagate(spec, cancel=lambda: calls.append(1) or len(calls) > 8)
    with pytest.raises(Cancelled):
        for _ in records:
            pass
    assert len(calls) == 9
    # without cancel the same spec runs to the end
    assert sum(1 for _ in propagate(spec, cancel=lambda: False)) > 2 * spec.depth


@pytest.mark.parametrize("ext", [".npy", ".npz", ".csv"])
def test_file_read_cancels_and_caches_nothing(tmp_path, ext):
    x = np.arange(600.0).reshape(200, 3)
    path = tmp_path / f"data{ext}"
    if ext == ".npy":
        np.save(path, x)
    elif ext == ".npz":
        np.savez_compressed(path, x=x)
    else:
        np.savetxt(path, x, delimiter=",")
    with pytest.raises(Cancelled):
        load_table(path, cancel=lambda: True)
    got, _ = load_table(path, cancel=lambda: False)  # the cancelled read was not cached
    np.testing.assert_array_equal(got, x)


def test_orthogonal_qr_by_panels_matches_and_cancels():
    rng = np.random.default_rng(4)
    from gradexplorer.engine.model.initializers import init_weight

    w = init_weight("orthogonal", 600, 300, rng=np.random.default_rng(5))
    w_panels = init_weight("orthogonal", 600, 300, rng=np.random.default_rng(5),
                           cancel=lambda: False)
    np.testing.assert_allclose(w_panels, w, rtol=0, atol=1e-13)  # same Q up to rounding
    np.testing.assert_allclose(w_panels.T @ w_panels, np.eye(300), atol=1e-13)
    a = rng.standard_normal((1500, 1500))
    exc, latency = _cancel_after(lambda cancel: cancellable_qr(a, CancelCheck(cancel)), 0.05)
    assert isinstance(exc, Cancelled) and latency < LATENCY


def test_propagate_lsuv_10_x_2048_cancels_within_half_a_second():
    """The issue's case end to end: orthogonal draws (QR) and LSUV inside propagate's setup."""
    spec = NetworkSpec(depth=10, width=2048, in_features=2048, batch=2048, init="lsuv")
    exc, latency = _cancel_after(lambda cancel: next(propagate(spec, cancel=cancel)))
    assert isinstance(exc, Cancelled)
    assert latency < LATENCY


def test_block_draws_are_bit_identical_to_one_draw():
    from gradexplorer.engine.compute.cancel import draw_in_blocks

    for draw in ("standard_normal", "random"):
        one = getattr(np.random.default_rng(7), draw)((3000, 1500))
        rng = np.random.default_rng(7)
        blocks = draw_in_blocks(getattr(rng, draw), (3000, 1500), CancelCheck(lambda: False))
        assert np.array_equal(one, blocks)
    rng = np.random.default_rng(8)
    uni = draw_in_blocks(lambda s: rng.uniform(-2.0, 3.0, size=s), (3000, 1500),
                         CancelCheck(lambda: False))
    assert np.array_equal(uni, np.random.default_rng(8).uniform(-2.0, 3.0, size=(3000, 1500)))


@pytest.mark.parametrize("norm", ["none", "batch"])
def test_one_long_training_step_cancels_between_its_layers(norm):
    # One step of 16 × 1024 at batch 1024 is ~100 GFLOP: seconds even on an idle machine, so
    # a check between steps alone would be late; the check before every layer is not.
    spec = NetworkSpec(depth=16, width=1024, in_features=64, batch=64, norm=norm, seed=3)
    config = TrainConfig(task="teacher", samples=2048, steps=1, eval_every=1, batch_size=1024)
    flag, stamp, out = threading.Event(), {}, {}

    def fire():
        stamp["t"] = time.monotonic()
        flag.set()

    records = train(spec, config, cancel=flag.is_set)
    next(records)  # TrainStart: the data and the weights are ready, the one step is next
    threading.Timer(0.2, fire).start()
    with pytest.raises(Cancelled):
        try:
            for _ in records:
                pass
        finally:
            out["end"] = time.monotonic()
    assert out["end"] - stamp["t"] < LATENCY
