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
