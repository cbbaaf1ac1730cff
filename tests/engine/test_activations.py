"""Activations: values, derivatives (finite differences, torch's kink conventions), stability."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import expit, ndtr

from gradexplorer.engine.model.activations import (
    SATURATION_FRACTION,
    SELU_ALPHA,
    SELU_SCALE,
    calculate_gain,
    get_activation,
)
from gradexplorer.engine.model.spec import ACTIVATION_NAMES

LAM, ALPHA = SELU_SCALE, SELU_ALPHA


def test_selu_constants_are_torchs():
    assert LAM == 1.0507009873554805
    assert ALPHA == 1.6732632423543772


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_derivative_matches_central_differences(name):
    act = get_activation(name, 0.2)
    h = np.linspace(-8.0, 26.0, 3401)
    h = h[(np.abs(h) > 1e-3) & (np.abs(h - 20.0) > 1e-3)]  # away from the kinks at 0 and 20
    eps = 1e-6
    fd = (act.forward(h + eps) - act.forward(h - eps)) / (2 * eps)
    np.testing.assert_allclose(act.derivative(h), fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_forward_and_derivative_agree_with_separate_calls(name):
    act = get_activation(name)
    h = np.concatenate([np.linspace(-40, 40, 1001), [0.0, 20.0, np.inf, -np.inf, np.nan]])
    f, d = act.forward_and_derivative(h)
    np.testing.assert_array_equal(f, act.forward(h))
    np.testing.assert_array_equal(d, act.derivative(h))


LN2, LN3 = math.log(2.0), math.log(3.0)
HAND_VALUES = [  # (name, slope, h, φ(h), φ'(h)), each worked out by hand
    ("linear", 0.01, -2.5, -2.5, 1.0),
    ("sigmoid", 0.01, 0.0, 0.5, 0.25),
    ("sigmoid", 0.01, LN3, 0.75, 0.1875),  # 1/(1 + 1/3); s(1 - s)
    ("tanh", 0.01, LN2, 0.6, 0.64),  # (4 - 1)/(4 + 1); 1 - 0.36
    ("relu", 0.01, -2.0, 0.0, 0.0),
    ("relu", 0.01, 3.0, 3.0, 1.0),
    ("leaky_relu", 0.01, -2.0, -0.02, 0.01),
    ("leaky_relu", 0.2, -2.0, -0.4, 0.2),
    ("leaky_relu", 0.2, 3.0, 3.0, 1.0),
    ("elu", 0.01, -LN2, -0.5, 0.5),  # e^-ln2 - 1; e^-ln2
    ("elu", 0.01, 2.0, 2.0, 1.0),
    ("selu", 0.01, 1.0, LAM, LAM),
    ("selu", 0.01, -LN2, -0.5 * LAM * ALPHA, 0.5 * LAM * ALPHA),
    ("gelu", 0.01, 0.0, 0.0, 0.5),
    ("gelu", 0.01, 1.0, 0.8413447460685429, 0.8413447460685429 + 0.24197072451914337),
    ("gelu", 0.01, -1.0, -0.15865525393145707, 0.15865525393145707 - 0.24197072451914337),
    ("silu", 0.01, 0.0, 0.0, 0.5),
    ("silu", 0.01, LN3, 0.75 * LN3, 0.75 * (1 + LN3 * 0.25)),  # s(1 + h(1 - s))
    ("softplus", 0.01, 0.0, LN2, 0.5),
    ("softplus", 0.01, LN3, math.log(4.0), 0.75),
    ("softplus", 0.01, 25.0, 25.0, 1.0),  # above torch's threshold 20: identity
]


@pytest.mark.parametrize(("name", "slope", "h", "f", "d"), HAND_VALUES)
def test_values_at_hand_computed_points(name, slope, h, f, d):
    act = get_activation(name, slope)
    got_f, got_d = act.forward_and_derivative(np.array([h]))
    assert got_f[0] == pytest.approx(f, rel=1e-14, abs=1e-15)
    assert got_d[0] == pytest.approx(d, rel=1e-14, abs=1e-15)


def test_softplus_threshold_is_torchs():
    sp = get_activation("softplus")
    h = np.array([20.0, np.nextafter(20.0, 30.0)])
    f, d = sp.forward_and_derivative(h)
    assert f[0] == math.log1p(math.exp(20.0)) and f[0] > 20.0  # h = 20 still uses log1p(e^h)
    assert d[0] == pytest.approx(math.exp(20.0) / (math.exp(20.0) + 1.0), rel=1e-15) and d[0] < 1
    assert f[1] == h[1] and d[1] == 1.0


@pytest.mark.parametrize(("name", "expected"), [
    ("linear", 1.0), ("sigmoid", 0.25), ("tanh", 1.0), ("relu", 0.0), ("leaky_relu", 0.05),
    ("elu", 1.0), ("selu", LAM * ALPHA), ("gelu", 0.5), ("silu", 0.5), ("softplus", 0.5),
])
def test_derivative_at_zero_follows_torch_autograd(name, expected):
    act = get_activation(name, 0.05)
    for zero in (0.0, -0.0):
        assert act.derivative(np.array([zero]))[0] == expected
        assert act.forward_and_derivative(np.array([zero]))[1][0] == expected


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(name, dtype):
    act = get_activation(name)
    h = np.linspace(-30, 30, 60, dtype=dtype).reshape(3, 20)
    f, d = act.forward_and_derivative(h)
    for out in (f, d, act.forward(h), act.derivative(h)):
        assert out.dtype == dtype and out.shape == (3, 20)
    assert act.saturated(h).dtype == bool
    assert act.forward(np.arange(-3, 4)).dtype == np.float64  # integers become float64


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_no_warnings_and_limits_at_extremes(name, dtype):
    act = get_activation(name)
    big = 1e300 if dtype == np.float64 else 1e38
    h = np.array([big, -big, np.inf, -np.inf, np.nan], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f, d = act.forward_and_derivative(h)
        f2, d2 = act.forward(h), act.derivative(h)
        act.saturated(h)
    np.testing.assert_array_equal(f, f2)
    np.testing.assert_array_equal(d, d2)
    assert np.isnan(f[4]) and np.isnan(d[4])
    lim_pos = {"sigmoid": 1.0, "tanh": 1.0}.get(name, np.inf)
    lim_neg = {"sigmoid": 0.0, "tanh": -1.0, "relu": 0.0, "elu": -1.0, "selu": -LAM * ALPHA,
               "gelu": 0.0, "silu": 0.0, "softplus": 0.0}.get(name, -np.inf)
    assert f[2] == lim_pos and f[3] == lim_neg
    d_pos = {"sigmoid": 0.0, "tanh": 0.0, "selu": LAM}.get(name, 1.0)
    d_neg = {"linear": 1.0, "leaky_relu": 0.01}.get(name, 0.0)
    assert d[2] == pytest.approx(d_pos, rel=1e-6) and d[3] == pytest.approx(d_neg, rel=1e-6)
    assert np.all(np.isfinite(f[:2]) | (lim_pos == np.inf))
    assert np.all(np.isfinite(d[:4]))


def test_max_derivative_is_the_sup():
    h = np.linspace(-10, 30, 4_000_001)  # softplus reaches 1 only above its threshold 20
    for name in ACTIVATION_NAMES:
        act = get_activation(name)
        grid_max = np.abs(act.derivative(h)).max()
        assert grid_max <= act.max_derivative * (1 + 1e-15)
        assert grid_max == pytest.approx(act.max_derivative, rel=1e-9)
    # closed forms: gelu'(√2) = Φ(√2) + √2 φ(√2); silu' peaks where h·tanh(h/2) = 2
    assert get_activation("gelu").max_derivative == pytest.approx(1.1289041451851551, rel=1e-15)
    r = brentq(lambda t: t * math.tanh(t / 2) - 2, 1.0, 4.0, xtol=1e-15)
    silu_peak = float(get_activation("silu").derivative(np.array([r]))[0])
    assert get_activation("silu").max_derivative == pytest.approx(silu_peak, rel=1e-14)
    assert get_activation("selu").max_derivative == LAM * ALPHA
    assert get_activation("leaky_relu", 0.3).max_derivative == 1.0


def _roots(fun, lo, hi):
    return brentq(fun, lo, hi, xtol=1e-14)


def test_saturation_thresholds():
    assert SATURATION_FRACTION == 0.1
    gd = lambda t: ndtr(t) + t * math.exp(-t * t / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    sd = lambda t: expit(t) * (1 + t * (1 - expit(t)))  # noqa: E731
    gt = 0.1 * get_activation("gelu").max_derivative
    st = 0.1 * get_activation("silu").max_derivative
    edges = {  # name: boundaries between saturated / not saturated, and which side is saturated
        "tanh": [-math.atanh(math.sqrt(0.9)), math.atanh(math.sqrt(0.9))],
        "sigmoid": [-2 * math.atanh(math.sqrt(0.9)), 2 * math.atanh(math.sqrt(0.9))],
        "elu": [-math.log(10)], "selu": [-math.log(10)], "softplus": [-math.log(9)],
        "silu": [_roots(lambda t: sd(t) - st, -3, 0)],
        "gelu": [_roots(lambda t: gd(t) + gt, -6, -math.sqrt(2)),
                 _roots(lambda t: gd(t) + gt, -math.sqrt(2), -0.75),
                 _roots(lambda t: gd(t) - gt, -0.75, 0)],
    }
    assert edges["tanh"][1] == pytest.approx(1.818446459, abs=1e-9)
    assert edges["sigmoid"][1] == pytest.approx(3.636892918, abs=1e-9)
    assert edges["silu"][0] == pytest.approx(-0.882469, abs=1e-6)
    assert edges["gelu"] == pytest.approx([-1.728192, -1.158295, -0.532406], abs=1e-6)
    first_saturated = {"tanh": True, "sigmoid": True, "elu": True, "selu": True,
                       "softplus": True, "silu": True, "gelu": True}
    for name, bs in edges.items():
        act = get_activation(name)
        probe = np.sort(np.concatenate([[b - 1e-7, b + 1e-7] for b in bs] + [[-50.0, 50.0]]))
        mask = act.saturated(probe)
        expected, state = [], first_saturated[name]
        expected.append(state)  # at -50
        for _ in bs:
            expected += [state, not state]
            state = not state
        expected.append(state)  # at +50
        assert mask.tolist() == expected, name
    relu = get_activation("relu")
    assert relu.saturated(np.array([-1.0, -0.0, 0.0, 1e-300, 1.0])).tolist() == [
        True, True, True, False, False]
    assert get_activation("leaky_relu", 0.05).saturated(np.array([-1.0, 0.0, 1.0])).tolist() == [
        True, True, False]
    assert not get_activation("leaky_relu", 0.1).saturated(np.array([-1.0, 0.0])).any()
    assert not get_activation("linear").saturated(np.linspace(-1e3, 1e3, 11)).any()
    d = get_activation("tanh").derivative(np.array([0.0, 3.0]))
    assert get_activation("tanh").saturated(np.zeros(2), derivative=d).tolist() == [False, True]


def test_homogeneity_and_bounds_flags():
    h = np.linspace(-5, 5, 101)
    for name in ACTIVATION_NAMES:
        act = get_activation(name)
        homog = all(np.allclose(act.forward(c * h), c * act.forward(h), rtol=1e-14, atol=0)
                    for c in (0.3, 2.0, 7.0))
        assert homog == act.positively_homogeneous, name
        f = act.forward(np.linspace(-1e3, 1e3, 20001))
        if act.bounds is None:
            assert f.max() - f.min() > 100, name
        else:
            lo, hi = act.bounds
            assert lo <= f.min() < lo + 1e-6 and hi - 1e-6 < f.max() <= hi, name
    assert get_activation("tanh").bounds == (-1.0, 1.0)
    assert get_activation("sigmoid").bounds == (0.0, 1.0)


def test_gains_match_torch():
    assert calculate_gain("linear") == 1.0
    assert calculate_gain("conv2d") == 1.0
    assert calculate_gain("sigmoid") == 1.0
    assert calculate_gain("tanh") == 5.0 / 3.0
    assert calculate_gain("relu") == math.sqrt(2.0)
    assert calculate_gain("leaky_relu") == math.sqrt(2.0 / (1 + 0.01**2))
    assert calculate_gain("leaky_relu", 0.2) == math.sqrt(2.0 / 1.04)
    assert calculate_gain("leaky_relu", 0) == math.sqrt(2.0)
    assert calculate_gain("selu") == 0.75
    for name in ("elu", "gelu", "silu", "softplus", "swish"):
        with pytest.raises(ValueError, match=f"no gain for nonlinearity '{name}'"):
            calculate_gain(name)
    with pytest.raises(ValueError, match="not a valid number"):
        calculate_gain("leaky_relu", True)
    gains = {n: get_activation(n, 0.2).gain for n in ACTIVATION_NAMES}
    assert gains == {"linear": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "relu": math.sqrt(2),
                     "leaky_relu": math.sqrt(2 / 1.04), "elu": None, "selu": 0.75,
                     "gelu": None, "silu": None, "softplus": None}


def test_unknown_activation_raises_clear_error():
    with pytest.raises(ValueError, match=r"unknown activation 'swish' \(choose from: linear"):
        get_activation("swish")
    with pytest.raises(ValueError, match="negative slope must be a finite number"):
        get_activation("leaky_relu", float("nan"))


def test_activations_compare_by_name_and_slope():
    assert get_activation("leaky_relu", 0.2) == get_activation("leaky_relu", 0.2)
    assert get_activation("leaky_relu", 0.2) != get_activation("leaky_relu", 0.3)
    assert get_activation("leaky_relu", 0.2).negative_slope == 0.2
    assert get_activation("tanh").name == "tanh"


@pytest.mark.parametrize("slope", [-0.5, 1.5])
def test_leaky_relu_with_slopes_outside_unit_interval(slope):
    act = get_activation("leaky_relu", slope)
    h = np.array([-2.0, 0.0, 3.0, np.nan])
    f, d = act.forward_and_derivative(h)
    np.testing.assert_array_equal(f, [-2.0 * slope, 0.0, 3.0, np.nan])
    np.testing.assert_array_equal(d, [slope, slope, 1.0, np.nan])
    assert act.max_derivative == max(1.0, abs(slope))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_is_expit_to_the_last_bits_and_keeps_its_tails(dtype):
    # the fast kernel (numpy exp) vs scipy's expit: within 2 ulp (float64) / 4 ulp (float32)
    # of the float64 expit; in the tails (σ subnormal or 0), ±inf and NaN: expit's own values
    sig = get_activation("sigmoid")
    h = (np.random.default_rng(3).standard_normal(50_000) * 12).astype(dtype)
    exact = expit(h.astype(np.float64))
    got = sig.forward(h)
    assert got.dtype == dtype
    ulps = np.abs(got - exact) / np.spacing(np.abs(got).astype(dtype)).astype(np.float64)
    assert ulps.max() <= (2.0 if dtype == np.float64 else 4.0)
    tails = np.array([-745.0, -720.0, -100.0, -90.0, 0.0, 40.0, np.inf, -np.inf, np.nan],
                     dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning from e^{-h}
        np.testing.assert_array_equal(sig.forward(tails), expit(tails))
        np.testing.assert_array_equal(sig.forward_and_derivative(tails)[0], expit(tails))


def test_a_sigmoid_run_imports_no_scipy():
    """SciPy's special functions (~0.25 s to import) only serve tails the first-launch net
    never reaches: they load on first use, after the first result is on screen."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from gradexplorer.engine.model.spec import NetworkSpec\n"
            "from gradexplorer.engine.runs.propagation import propagate\n"
            "list(propagate(NetworkSpec(activation='sigmoid', init='xavier_normal', depth=20,"
            " width=32, in_features=32, batch=16)))\n"
            "print(sorted(m for m in sys.modules if m.startswith('scipy')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
    from gradexplorer.engine.model.activations import get_activation

    assert get_activation("sigmoid").forward(np.array([-800.0]))[0] == 0.0  # expit's tail


@pytest.mark.parametrize("name", ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu",
                                  "selu", "gelu", "silu", "softplus"])
@pytest.mark.parametrize("slope", [0.01, 0.3, -0.5])
def test_saturated_is_the_abs_threshold_mask(name, slope):
    """The φ' ≥ 0 shortcut gives the mask |φ'| < 0.1 sup|φ'| exactly, kinks, ±inf and NaN too."""
    act = get_activation(name, slope)
    h = np.concatenate([np.linspace(-50.0, 50.0, 20001), [0.0, -0.0, np.inf, -np.inf, np.nan]])
    d = act.derivative(h)
    want = np.abs(d) < SATURATION_FRACTION * act.max_derivative
    np.testing.assert_array_equal(act.saturated(h), want)
    np.testing.assert_array_equal(act.saturated(h, derivative=d), want)
