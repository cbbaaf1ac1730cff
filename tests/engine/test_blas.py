"""The BLAS thread policy: one thread for small products, restored afterwards."""

from threadpoolctl import threadpool_info

from gradexplorer.engine.compute.blas import SMALL_PRODUCT, blas_threads_for, largest_product
from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate


def blas_threads():
    return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]


def test_largest_product():
    assert largest_product(4, (3, 5, 2)) == 4 * 15


def test_small_runs_use_one_thread_and_restore_it():
    before = blas_threads()
    with blas_threads_for(8, (16, 16)):
        assert all(n == 1 for n in blas_threads())
    assert blas_threads() == before


def test_large_runs_keep_the_default():
    before = blas_threads()
    side = int(SMALL_PRODUCT ** (1 / 3)) + 1
    with blas_threads_for(side, (side, side)):
        assert blas_threads() == before


def test_propagate_restores_the_pool_even_when_closed_early():
    before = blas_threads()
    gen = propagate(NetworkSpec(depth=5, width=8, batch=4))
    next(gen), next(gen)
    assert all(n == 1 for n in blas_threads())
    gen.close()
    assert blas_threads() == before


# --- overlapping runs: the limit is reference counted (issue 8) --------------------------------

import itertools  # noqa: E402
import threading  # noqa: E402

import pytest  # noqa: E402

from gradexplorer.engine.compute import blas  # noqa: E402
from gradexplorer.engine.runs.jacobian import jacobian_spectrum  # noqa: E402
from gradexplorer.engine.training.trainer import TrainConfig, train  # noqa: E402

SMALL = NetworkSpec(depth=4, width=8, batch=4)


def _started(kind: str):
    """A started engine generator holding the one-thread limit."""
    if kind == "propagate":
        gen = propagate(SMALL)
    else:
        gen = train(SMALL.replace(in_features=6), TrainConfig(steps=40, eval_every=1,
                                                              batch_size=8, task="teacher",
                                                              samples=64, classes=3))
    next(gen), next(gen)
    return gen


def _finish(gen, how: str) -> None:
    if how == "close":
        gen.close()
    else:
        for _ in gen:
            pass


@pytest.fixture
def two_threads():
    """Start from a pool of two BLAS threads (so that being stuck at one is visible)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):
        assert all(n == 2 for n in blas_threads())
        yield


@pytest.mark.parametrize("kinds", [("propagate", "propagate"), ("propagate", "train"),
                                   ("train", "propagate")])
@pytest.mark.parametrize("order", ["first_in_first_out", "last_in_first_out"])
@pytest.mark.parametrize("how", ["close", "exhaust"])
def test_two_interleaved_runs_leave_the_thread_count_unchanged(two_threads, kinds, order, how):
    before = blas_threads()
    a = _started(kinds[0])
    b = _started(kinds[1])
    assert all(n == 1 for n in blas_threads())
    assert blas.holders() == 2
    first, second = (a, b) if order == "first_in_first_out" else (b, a)
    _finish(first, how)
    assert all(n == 1 for n in blas_threads()), "the other run still holds one thread"
    _finish(second, how)
    assert blas.holders() == 0
    assert blas_threads() == before


def test_three_runs_in_every_finishing_order(two_threads):
    before = blas_threads()
    for order in itertools.permutations(range(3)):
        gens = [_started("propagate") for _ in range(3)]
        for i in order:
            assert all(n == 1 for n in blas_threads())
            gens[i].close()
        assert blas_threads() == before


def test_a_jacobian_during_a_run_leaves_the_run_its_one_thread(two_threads):
    before = blas_threads()
    gen = _started("propagate")
    spectrum = jacobian_spectrum(NetworkSpec(depth=3, width=8, batch=2, init="orthogonal"))
    assert spectrum.eigenvalues.shape == (8,)
    assert all(n == 1 for n in blas_threads())
    gen.close()
    assert blas_threads() == before


def test_runs_in_threads_finishing_out_of_order(two_threads):
    before = blas_threads()
    entered = threading.Barrier(3)
    release = [threading.Event(), threading.Event()]

    def hold(i):
        with blas.one_blas_thread():
            entered.wait()
            release[i].wait(10)

    threads = [threading.Thread(target=hold, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    entered.wait()
    assert all(n == 1 for n in blas_threads())
    release[1].set()
    threads[1].join(10)
    assert all(n == 1 for n in blas_threads())
    release[0].set()
    threads[0].join(10)
    assert blas_threads() == before


def test_the_orthogonal_qr_runs_under_the_policy(monkeypatch):
    import scipy.linalg

    seen = []
    real_qr = scipy.linalg.qr

    def spy(*args, **kwargs):
        seen.append(blas.holders())
        return real_qr(*args, **kwargs)

    monkeypatch.setattr(scipy.linalg, "qr", spy)
    gen = propagate(NetworkSpec(depth=2, width=8, batch=4, init="orthogonal", seed=12345))
    next(gen)
    gen.close()
    assert seen and all(n >= 1 for n in seen)
