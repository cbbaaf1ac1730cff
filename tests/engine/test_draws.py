"""Reused weight draws: a changed gain or bias std gives bit for bit a fresh run's numbers."""

import dataclasses
import math

import numpy as np
import pytest

from gradexplorer.engine.model import draws, network
from gradexplorer.engine.model.initializers import (
    base_weight,
    draw_kind,
    init_weight,
    weight_scale,
)
from gradexplorer.engine.model.network import STREAM_WEIGHTS, stream
from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.jacobian import compare_isometry
from gradexplorer.engine.runs.propagation import propagate
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


def _run(spec):
    arrays = {}
    records = [r for r in propagate(spec, arrays) if not isinstance(r, RunEnd)]
    return records, arrays


def _assert_identical(spec, warm_with):
    draws.clear()
    fresh_records, fresh_arrays = _run(spec)
    draws.clear()
    _run(warm_with)
    hits = draws.info()["hits"]
    warm_records, warm_arrays = _run(spec)
    assert draws.info()["hits"] > hits, "the second run did not reuse the draws"
    assert fresh_arrays.keys() == warm_arrays.keys()
    for name in fresh_arrays:
        assert fresh_arrays[name].dtype == warm_arrays[name].dtype, name
        assert np.array_equal(fresh_arrays[name], warm_arrays[name], equal_nan=True), name
    assert len(fresh_records) == len(warm_records)
    for a, b in zip(fresh_records, warm_records, strict=True):
        assert _same(a, b), type(a).__name__


SPECS = [
    NetworkSpec(depth=6, width=24, in_features=16, batch=32, activation="sigmoid",
                init="xavier_normal", gain=1.3),
    NetworkSpec(depth=5, width=20, in_features=16, batch=16, activation="leaky_relu",
                negative_slope=0.2, init="kaiming_uniform", mode="fan_out", gain=0.7,
                bias_init="normal", bias_std=0.3, seed=3),
    NetworkSpec(depth=4, widths=(12, 30, 8, 16), in_features=20, batch=8, activation="tanh",
                init="orthogonal", gain=1.1, dtype="float32"),
    NetworkSpec(depth=4, width=16, in_features=16, batch=64, activation="tanh", init="lsuv",
                gain=0.9, bias_init="normal", bias_std=0.1),
    NetworkSpec(depth=5, width=16, in_features=16, batch=16, activation="relu",
                init="torch_default", gain=2.0, dtype="float32", loss="cross_entropy"),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.init}-{s.dtype}")
def test_a_new_gain_reuses_the_draws_bit_for_bit(spec):
    _assert_identical(spec, warm_with=spec.replace(gain=spec.gain * 3.7))


BLOCK_SPECS = [
    NetworkSpec(depth=5, width=16, in_features=16, batch=8, activation="relu", norm="batch",
                bias_init="normal", bias_std=0.2),
    NetworkSpec(depth=5, width=16, in_features=16, batch=8, activation="tanh", norm="layer",
                residual=True, residual_scale=0.5, init="orthogonal"),
    NetworkSpec(depth=4, widths=(16, 16, 12, 12), in_features=16, batch=8, activation="relu",
                residual=True, init="kaiming_normal", dtype="float32"),
]


@pytest.mark.parametrize("spec", BLOCK_SPECS, ids=["batch", "layer-residual", "residual-f32"])
def test_block_networks_reuse_the_draws_bit_for_bit(spec):
    _assert_identical(spec, warm_with=spec.replace(gain=spec.gain * 2.3, residual_scale=0.25))


def test_an_orthogonal_draw_does_not_depend_on_the_blas_threads():
    from gradexplorer.engine.compute.blas import one_blas_thread

    with one_blas_thread():  # as a small run's draw
        small = base_weight("orthogonal", 300, 280, rng=stream(2, STREAM_WEIGHTS, 1))
    large = base_weight("orthogonal", 300, 280, rng=stream(2, STREAM_WEIGHTS, 1))
    assert np.array_equal(small, large)


def test_a_cancel_changes_neither_the_orthogonal_draw_nor_its_cache_entry():
    draws.clear()
    plain = network.base_weight_of(1, 1, "orthogonal", 300, 256)
    panels = network.base_weight_of(1, 1, "orthogonal", 300, 256, cancel=lambda: False)
    assert draws.info()["entries"] == 1 and draws.info()["hits"] == 1
    assert np.array_equal(panels, plain)
    assert np.array_equal(plain, init_weight("orthogonal", 300, 256, cancel=lambda: False,
                                             rng=stream(1, STREAM_WEIGHTS, 1)))
    draws.clear()


@pytest.mark.parametrize("spec", SPECS[1:2] + SPECS[3:4], ids=["kaiming", "lsuv"])
def test_a_new_bias_std_reuses_the_draws_bit_for_bit(spec):
    _assert_identical(spec, warm_with=spec.replace(bias_std=spec.bias_std * 5 + 0.01))


def test_activation_loss_and_initializer_of_the_same_kind_share_the_draws():
    spec = SPECS[0]
    _assert_identical(spec, warm_with=spec.replace(activation="relu", loss="mse",
                                                   init="kaiming_normal", gain=1.0))


def test_init_weight_is_the_base_draw_times_its_scale():
    for init in ("xavier_uniform", "kaiming_normal", "orthogonal", "lecun_uniform", "normal"):
        for shape in ((7, 5), (5, 7)):
            w = init_weight(init, *shape, gain=1.7, rng=stream(4, STREAM_WEIGHTS, 2))
            base = base_weight(draw_kind(init), *shape, rng=stream(4, STREAM_WEIGHTS, 2))
            assert np.array_equal(w, base * weight_scale(init, *shape, gain=1.7))


def test_jacobian_redraws_reuse_the_cache_bit_for_bit():
    spec = NetworkSpec(depth=4, width=12, in_features=12, batch=4, init="xavier_uniform")
    draws.clear()
    fresh = compare_isometry(spec)
    warm = compare_isometry(spec)
    assert draws.info()["hits"] > 0
    for a, b in zip(fresh, warm, strict=True):
        assert _same(a, b)


def test_the_cache_stays_within_its_budget(monkeypatch):
    monkeypatch.setattr(draws, "MAX_BYTES", 3 * 16 * 16 * 8)
    draws.clear()
    # batch 8 = fan_in / 2: the weights are formed (no cached norms of scaled layers)
    _run(NetworkSpec(depth=6, width=16, in_features=16, batch=8))
    assert draws.info()["bytes"] <= draws.MAX_BYTES
    assert draws.info()["entries"] == 3
    draws.clear()


# --- lean runs for sweeps: the same numbers, less work ------------------------------------------

from gradexplorer.engine.runs.propagation import NO_HISTOGRAM  # noqa: E402
from gradexplorer.engine.runs.records import BackwardLayer, ForwardLayer, TheoryLayers  # noqa: E402
from gradexplorer.engine.runs.sweep import sweep  # noqa: E402

_WEIGHT_GRAD_FIELDS = {"grad_weight_norm", "log10_grad_weight_norm", "grad_to_weight",
                       "log10_grad_to_weight"}


@pytest.mark.parametrize("spec", [SPECS[1], *BLOCK_SPECS],
                         ids=["plain", "batch", "layer-residual", "residual-f32"])
def test_a_lean_run_has_the_full_runs_numbers(spec):
    full = [r for r in propagate(spec) if not isinstance(r, (RunEnd, TheoryLayers))]
    lean = [r for r in propagate(spec, histograms=False, theory=False, weight_grads=False)
            if not isinstance(r, RunEnd)]
    assert len(full) == len(lean)
    for a, b in zip(full, lean, strict=True):
        for f in dataclasses.fields(a):
            x, y = getattr(a, f.name), getattr(b, f.name)
            if f.name.endswith("_hist"):
                assert y is NO_HISTOGRAM and x.n > 0
            elif isinstance(b, BackwardLayer) and f.name in _WEIGHT_GRAD_FIELDS:
                assert math.isnan(y) and math.isfinite(x)
            else:
                assert _same(x, y), (type(a).__name__, f.name)
    assert any(isinstance(r, ForwardLayer) for r in lean)


@pytest.mark.parametrize(("quantity", "spec"), [
    ("log10_grad_preact_rms", SPECS[0]), ("log10_grad_to_weight", SPECS[0]),
    ("act_std", SPECS[0]), ("log10_grad_preact_rms", BLOCK_SPECS[1]),
    ("log10_grad_to_weight", BLOCK_SPECS[0])])
def test_a_sweep_equals_full_runs_bit_for_bit(quantity, spec):
    draws.clear()
    rows = list(sweep(spec, "gain", [0.5, 1.0, 2.0], seeds=2, quantity=quantity))
    full = list(sweep(spec, "gain", [0.5, 1.0, 2.0], seeds=2, quantity=quantity,
                      engine=propagate))
    for a, b in zip(rows, full, strict=True):
        assert np.array_equal(a.curves, b.curves) and np.isfinite(a.curves).all()
    assert draws.info()["hits"] > 0


# --- the network is init_weight's draw, cast once; threads do not change it ----------------------

from gradexplorer.engine.model.activations import get_activation  # noqa: E402


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("init", ["xavier_normal", "kaiming_uniform", "orthogonal", "zeros"])
def test_the_network_is_init_weight_cast_to_the_dtype(init, dtype):
    spec = NetworkSpec(depth=3, widths=(9, 5, 7), in_features=6, init=init, gain=1.7,
                       mode="fan_out", dtype=dtype, seed=11)
    widths = spec.layer_widths()
    draws.clear()
    net = network.build_network(spec, widths, np.zeros((2, 6)), get_activation("tanh"))
    for idx, layer in enumerate(net.layers, 1):
        expected = init_weight(init, widths[idx], widths[idx - 1], gain=1.7, mode="fan_out",
                               rng=stream(11, STREAM_WEIGHTS, idx)).astype(dtype)
        assert layer.weight.dtype == np.dtype(dtype)
        assert np.array_equal(layer.weight, expected)


def test_parallel_draws_equal_serial_ones(monkeypatch):
    spec = NetworkSpec(depth=6, width=40, in_features=30, dtype="float32", seed=5,
                       bias_init="normal", bias_std=0.2)
    draws.clear()
    serial = _run(spec)[1]
    monkeypatch.setattr(network, "PARALLEL_DRAW_MIN", 0)
    draws.clear()
    parallel = _run(spec)[1]
    for name in serial:
        assert np.array_equal(serial[name], parallel[name]), name


@pytest.mark.parametrize(("init", "dtype", "depth", "width"), [
    ("xavier_normal", "float64", 6, 48), ("kaiming_uniform", "float32", 6, 48),
    ("orthogonal", "float64", 4, 40), ("lsuv", "float32", 4, 40), ("zeros", "float64", 3, 16),
    ("xavier_normal", "float64", 5, 1024)])  # 5 × 1024²: drawn in parallel threads
def test_weight_norm_computed_at_the_draw_is_numpys(init, dtype, depth, width):
    """‖W_l‖ taken in the build (in its thread) is np.linalg.norm of the final W_l, bit for bit."""
    spec = NetworkSpec(depth=depth, width=width, in_features=width, batch=8, init=init,
                       dtype=dtype, gain=1.7 if init != "lsuv" else 1.0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, width)).astype(dtype)
    from gradexplorer.engine.model.activations import get_activation

    net = network.build_network(spec, spec.layer_widths(), x, get_activation("tanh"))
    for layer in net.layers:
        assert layer.weight.dtype == np.dtype(dtype)
        assert layer.weight_norm == float(np.linalg.norm(layer.weight))
