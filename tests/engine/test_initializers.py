"""Initializers: torch.nn.init formulas, orthogonality, gain scaling, reproducibility."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradexplorer.engine.model.gains import recommended_gain
from gradexplorer.engine.model.initializers import (
    init_bias,
    init_weight,
    sigma_w2,
    weight_std,
)
from gradexplorer.engine.model.spec import INIT_NAMES

SHAPES = [(128, 256), (256, 128), (300, 300), (7, 1000)]  # (fan_out, fan_in)


def _rng(seed=0):
    return np.random.default_rng(seed)


def test_theory_md_example_values():
    # fan_in = 256, fan_out = 128 (theory.md §1)
    assert weight_std("xavier_normal", 128, 256) == pytest.approx(0.072169, abs=5e-7)
    assert weight_std("xavier_normal", 128, 256) ** 2 == pytest.approx(0.0052083, abs=5e-8)
    assert weight_std("xavier_uniform", 128, 256) == pytest.approx(0.072169, abs=5e-7)
    assert weight_std("kaiming_normal", 128, 256) == pytest.approx(0.088388, abs=5e-7)
    assert weight_std("kaiming_normal", 128, 256, mode="fan_out") == pytest.approx(0.125)
    assert weight_std("torch_default", 128, 256) * math.sqrt(3) == pytest.approx(0.0625)
    w = init_weight("torch_default", 128, 256, rng=_rng())
    assert np.abs(w).max() <= 0.0625 and np.abs(w).max() > 0.0624


@pytest.mark.parametrize(("init", "expected_var"), [
    ("normal", lambda fo, fi: 1.0),
    ("zeros", lambda fo, fi: 0.0),
    ("xavier_uniform", lambda fo, fi: 2 / (fi + fo)),
    ("xavier_normal", lambda fo, fi: 2 / (fi + fo)),
    ("kaiming_uniform", lambda fo, fi: 2 / fi),
    ("kaiming_normal", lambda fo, fi: 2 / fi),
    ("lecun_normal", lambda fo, fi: 1 / fi),
    ("lecun_uniform", lambda fo, fi: 1 / fi),
    ("orthogonal", lambda fo, fi: 1 / max(fo, fi)),
    ("torch_default", lambda fo, fi: 1 / (3 * fi)),
    ("lsuv", lambda fo, fi: 1 / max(fo, fi)),
])
@pytest.mark.parametrize(("fan_out", "fan_in"), SHAPES)
def test_empirical_std_matches_definition(init, expected_var, fan_out, fan_in):
    s = weight_std(init, fan_out, fan_in)
    assert s * s == pytest.approx(expected_var(fan_out, fan_in), rel=1e-12)
    assert sigma_w2(init, fan_out, fan_in) == pytest.approx(fan_in * s * s, rel=1e-15)
    w = init_weight(init, fan_out, fan_in, rng=_rng(1))
    assert w.shape == (fan_out, fan_in) and w.dtype == np.float64
    rms = math.sqrt(np.mean(w * w))
    if init in ("orthogonal", "lsuv"):  # the mean square is exact for orthogonal matrices
        assert rms == pytest.approx(s, rel=1e-12)
    else:  # the rms has sampling sd 0.71·s/√n (normal) or 0.45·s/√n (uniform)
        assert abs(rms - s) <= 4 * s / math.sqrt(fan_out * fan_in)


@pytest.mark.parametrize("init", ["xavier_uniform", "kaiming_uniform", "lecun_uniform",
                                  "torch_default"])
@pytest.mark.parametrize(("fan_out", "fan_in"), SHAPES)
def test_uniform_bounds_are_reached_not_exceeded(init, fan_out, fan_in):
    bound = weight_std(init, fan_out, fan_in, gain=1.3) * math.sqrt(3)
    w = init_weight(init, fan_out, fan_in, gain=1.3, rng=_rng(2))
    n = fan_out * fan_in
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > bound * (1 - 20 / n)  # the largest of n uniforms is within ~1/n
    assert w.min() < 0 < w.max()


def test_kaiming_modes_and_slope():
    fo, fi = 100, 400
    assert weight_std("kaiming_normal", fo, fi) == pytest.approx(math.sqrt(2 / fi))
    assert weight_std("kaiming_normal", fo, fi, mode="fan_out") == pytest.approx(math.sqrt(2 / fo))
    assert weight_std("kaiming_uniform", fo, fi, negative_slope=0.2) == pytest.approx(
        math.sqrt(2 / (1.04 * fi)))
    # the other initializers ignore the mode
    for init in ("xavier_normal", "lecun_uniform", "torch_default", "orthogonal"):
        assert weight_std(init, fo, fi, mode="fan_out") == weight_std(init, fo, fi)
    assert sigma_w2("kaiming_normal", fo, fi) == pytest.approx(2.0)
    assert sigma_w2("torch_default", fo, fi) == pytest.approx(1 / 3)
    assert sigma_w2("xavier_normal", 64, 64, gain=5 / 3) == pytest.approx(25 / 9)
    assert sigma_w2("zeros", fo, fi) == 0.0


@pytest.mark.parametrize("init", ["orthogonal", "lsuv"])
@pytest.mark.parametrize(("fan_out", "fan_in"), [(50, 50), (30, 80), (80, 30), (1, 5), (5, 1)])
@pytest.mark.parametrize("gain", [1.0, 1.7])
def test_orthogonal(init, fan_out, fan_in, gain):
    w = init_weight(init, fan_out, fan_in, gain=gain, rng=_rng(3))
    gram = w @ w.T if fan_out <= fan_in else w.T @ w
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(fan_out, fan_in)), rtol=0, atol=1e-12)
    assert w.flags.c_contiguous
    w32 = init_weight(init, fan_out, fan_in, gain=gain, rng=_rng(3), dtype=np.float32)
    gram32 = w32 @ w32.T if fan_out <= fan_in else w32.T @ w32
    assert w32.dtype == np.float32
    np.testing.assert_allclose(gram32, gain**2 * np.eye(min(fan_out, fan_in)), atol=2e-5)


def test_orthogonal_follows_torchs_algorithm():
    # Gaussian (max, min) → QR → columns times sign(diag R) → transposed back when wide
    fo, fi = 20, 60
    g = _rng(4).standard_normal((fo, fi)).T
    q, r = np.linalg.qr(g)
    expected = (q * np.sign(np.diag(r))).T
    np.testing.assert_allclose(init_weight("orthogonal", fo, fi, rng=_rng(4)), expected,
                               atol=1e-13)


@pytest.mark.parametrize("init", INIT_NAMES)
def test_gain_rescales_the_same_draw(init):
    base = init_weight(init, 40, 70, rng=_rng(5))
    for gain in (0.5, 2.0, 3.3):
        w = init_weight(init, 40, 70, gain=gain, rng=_rng(5))
        np.testing.assert_allclose(w, gain * base, rtol=1e-14, atol=0)
        assert weight_std(init, 40, 70, gain=gain) == pytest.approx(
            gain * weight_std(init, 40, 70), rel=1e-15)
    if init != "zeros":
        assert np.std(base) > 0


@pytest.mark.parametrize("init", INIT_NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reproducible_and_seed_dependent(init, dtype):
    a = init_weight(init, 33, 45, rng=_rng(6), dtype=dtype)
    b = init_weight(init, 33, 45, rng=_rng(6), dtype=dtype)
    assert a.dtype == dtype
    np.testing.assert_array_equal(a, b)
    c = init_weight(init, 33, 45, rng=_rng(7), dtype=dtype)
    assert np.array_equal(a, c) == (init == "zeros")


def test_draw_is_the_standard_variate_in_the_requested_dtype():
    s = weight_std("kaiming_normal", 8, 16)
    expected = _rng(8).standard_normal((8, 16), dtype=np.float32) * np.float32(s)
    got = init_weight("kaiming_normal", 8, 16, rng=_rng(8), dtype=np.float32)
    np.testing.assert_array_equal(got, expected)
    bound = weight_std("lecun_uniform", 8, 16) * math.sqrt(3)
    u = _rng(9).random((8, 16), dtype=np.float32) * np.float32(2) - np.float32(1)
    got = init_weight("lecun_uniform", 8, 16, rng=_rng(9), dtype="float32")
    np.testing.assert_allclose(got, u * np.float32(bound), rtol=1e-6)
    assert got.dtype == np.float32


def test_recommended_gain_values():
    sq2, sq3 = math.sqrt(2), math.sqrt(3)
    assert recommended_gain("tanh", "xavier_normal") == 5 / 3
    assert recommended_gain("tanh", "orthogonal") == 5 / 3
    assert recommended_gain("relu", "lecun_normal") == pytest.approx(sq2)
    assert recommended_gain("relu", "kaiming_normal") == pytest.approx(1.0)
    assert recommended_gain("leaky_relu", "kaiming_uniform", negative_slope=0.2) == 1.0
    assert recommended_gain("tanh", "kaiming_normal") == pytest.approx(5 / 3 / sq2)
    assert recommended_gain("linear", "kaiming_normal") == pytest.approx(1 / sq2)
    assert recommended_gain("relu", "torch_default") == pytest.approx(sq3 * sq2)
    assert recommended_gain("relu", "normal", fan_in=128) == pytest.approx(0.125)
    assert recommended_gain("selu", "lecun_uniform") == 0.75
    assert recommended_gain("sigmoid", "lsuv") == 1.0
    assert recommended_gain("tanh", "zeros") == 1.0
    for act in ("elu", "gelu", "silu", "softplus"):  # torch has no gain: 1, honestly
        assert recommended_gain(act, "xavier_uniform") == 1.0
        assert recommended_gain(act, "kaiming_normal") == pytest.approx(1 / sq2)
    with pytest.raises(ValueError, match="needs fan_in"):
        recommended_gain("relu", "normal")
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        recommended_gain("swish", "xavier_normal")
    with pytest.raises(ValueError, match="unknown initializer 'he'"):
        recommended_gain("relu", "he")


@pytest.mark.parametrize("act", ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu"])
@pytest.mark.parametrize("init", ["xavier_uniform", "kaiming_normal", "kaiming_uniform",
                                  "lecun_normal", "orthogonal", "torch_default", "normal"])
def test_recommended_gain_gives_torchs_variance_on_square_layers(act, init):
    from gradexplorer.engine.model.activations import calculate_gain
    n, slope = 200, 0.01
    g = recommended_gain(act, init, negative_slope=slope, fan_in=n)
    a = slope if act == "leaky_relu" else 0.0
    var = weight_std(init, n, n, gain=g, negative_slope=a) ** 2
    assert var == pytest.approx(calculate_gain(act, slope) ** 2 / n, rel=1e-12)


def test_errors():
    with pytest.raises(ValueError, match=r"unknown initializer 'he' \(choose from: normal"):
        init_weight("he", 3, 3, rng=_rng())
    with pytest.raises(ValueError, match=r"unknown mode 'fan_avg' \(choose from: fan_in, fan_out"):
        init_weight("kaiming_normal", 3, 3, mode="fan_avg", rng=_rng())
    with pytest.raises(ValueError, match="unknown mode"):
        weight_std("xavier_normal", 3, 3, mode="in")
    with pytest.raises(ValueError, match="fan_in must be a whole number >= 1"):
        init_weight("normal", 3, 0, rng=_rng())
    with pytest.raises(ValueError, match="gain must be a finite number >= 0"):
        sigma_w2("normal", 3, 3, gain=float("inf"))
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        init_weight("normal", 3, 3, rng=_rng(), dtype=np.float16)


def test_init_bias():
    np.testing.assert_array_equal(init_bias("zeros", 5, std=0.3, rng=_rng()), np.zeros(5))
    b = init_bias("normal", 100_000, std=0.3, rng=_rng(10))
    assert b.shape == (100_000,) and b.dtype == np.float64
    assert np.std(b) == pytest.approx(0.3, rel=0.01)
    np.testing.assert_array_equal(b, init_bias("normal", 100_000, std=0.3, rng=_rng(10)))
    expected = _rng(11).standard_normal(7, dtype=np.float32) * np.float32(0.5)
    b32 = init_bias("normal", 7, std=0.5, rng=_rng(11), dtype=np.float32)
    assert b32.dtype == np.float32
    np.testing.assert_array_equal(b32, expected)
    assert not init_bias("normal", 7, std=0.0, rng=_rng()).any()
    with pytest.raises(ValueError, match="unknown bias init 'uniform'"):
        init_bias("uniform", 5, std=1.0, rng=_rng())
    with pytest.raises(ValueError, match="bias std must be a finite number >= 0"):
        init_bias("normal", 5, std=-1.0, rng=_rng())
