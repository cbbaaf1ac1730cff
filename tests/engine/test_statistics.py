"""Per-layer reductions and histograms against independent computations (numpy's own)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradexplorer.engine.runs.records import LOG10_BIN_WIDTH
from gradexplorer.engine.runs.statistics import (
    frobenius,
    gram_is_cheaper,
    linear_histogram,
    log10_histogram,
    moments,
    product_norm,
)

RNG = np.random.default_rng(11)


def _with_specials(x: np.ndarray) -> np.ndarray:
    """``x`` with zeros, ±inf, NaN and huge finite values mixed in (results to bin, not errors)."""
    huge = float(np.finfo(x.dtype).max) / 2
    flat = x.reshape(-1).copy()
    idx = RNG.choice(flat.size, 40, replace=False)
    flat[idx[:10]] = 0.0
    flat[idx[10:15]] = np.inf
    flat[idx[15:20]] = -np.inf
    flat[idx[20:30]] = np.nan
    flat[idx[30:35]] = huge
    flat[idx[35:]] = -huge
    return flat.reshape(x.shape)


def _counts(h) -> np.ndarray:
    width = np.diff(h.edges)
    return np.rint(h.density * width * h.n)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("lo", "hi", "scale"), [(-4.0, 4.0, 2.7), (0.0, 1.0, 1.0),
                                                 (0.0, 4.0, 0.3)])
@pytest.mark.parametrize("special", [False, True])
def test_linear_histogram_counts_are_numpys(dtype, lo, hi, scale, special):
    x = (RNG.standard_normal((300, 70)) * 2.0).astype(dtype)
    x[0, :5] = [lo * scale, hi * scale, 0.0, (lo + 0.125 * (hi - lo)) * scale, -0.0]
    if special:
        x = _with_specials(x)
    h = linear_histogram(x, lo, hi, 64, "x", scale=scale)
    with np.errstate(over="ignore"):  # huge / 0.3: inf, left out as the engine does
        t = x.reshape(-1).astype(np.float64) / scale
    t = t[np.isfinite(t)]
    expected, edges = np.histogram(np.clip(t, lo, hi), bins=64, range=(lo, hi))
    np.testing.assert_array_equal(_counts(h), expected)
    np.testing.assert_allclose(h.edges, edges, rtol=0, atol=1e-15)
    assert h.n == t.size == int(expected.sum())
    assert h.clipped == int(np.count_nonzero((t < lo) | (t >= hi)))
    if not special:  # the caller's "all finite" shortcut gives the same histogram
        fast = linear_histogram(x, lo, hi, 64, "x", scale=scale, finite=True)
        np.testing.assert_array_equal(fast.density, h.density)
        assert (fast.n, fast.clipped) == (h.n, h.clipped)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("exp2", [0, -70, 900])
@pytest.mark.parametrize("special", [False, True])
def test_log10_histogram_counts_are_numpys(dtype, exp2, special):
    x = (RNG.standard_normal((200, 90)) * np.exp(RNG.uniform(-8, 8, (200, 90)))).astype(dtype)
    if special:
        x = _with_specials(x)
    h = log10_histogram(x, exp2)
    v = np.abs(x.reshape(-1).astype(np.float64))
    keep = np.isfinite(v) & (v > 0)
    logs = np.log10(v[keep]) + exp2 * math.log10(2.0)
    # numpy's bins on our edges: the grid k·w of the universal log10 axis
    np.testing.assert_allclose(h.edges / LOG10_BIN_WIDTH, np.round(h.edges / LOG10_BIN_WIDTH),
                               atol=1e-9)
    assert h.edges[0] <= logs.min() and logs.max() < h.edges[-1]
    expected, _ = np.histogram(logs, bins=h.edges)
    np.testing.assert_array_equal(_counts(h), expected)
    assert h.n == int(keep.sum()) and h.clipped == x.size - h.n
    if not special:  # the caller's "no zeros, all finite" shortcut gives the same histogram
        fast = log10_histogram(x, exp2, clean=True)
        np.testing.assert_array_equal(fast.density, h.density)
        np.testing.assert_array_equal(fast.edges, h.edges)


def test_log10_histogram_of_nothing_binnable():
    h = log10_histogram(np.array([0.0, np.nan, np.inf, -0.0]))
    assert h.n == 0 and h.clipped == 4 and not h.density.any()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("loc", [0.0, 0.5, 1e4])
def test_moments_match_numpy(dtype, loc):
    x = (loc + RNG.standard_normal((256, 128)) * 0.2).astype(dtype)
    mean, std, second = moments(x)
    x64 = x.astype(np.float64)
    rtol = 1e-12 if dtype == np.float64 else 1e-6
    assert mean == pytest.approx(float(np.mean(x64)), rel=1e-12)
    assert std == pytest.approx(float(np.std(x64)), rel=rtol)
    assert second == pytest.approx(float(np.mean(x64 * x64)), rel=rtol)


def test_moments_of_non_finite_data():
    x = np.ones((4, 5))
    x[1, 2] = np.inf
    mean, std, second = moments(x)
    assert mean == math.inf and std == math.inf and math.isnan(second)
    x[2, 3] = np.nan
    assert all(math.isnan(v) for v in moments(x))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("lo", "hi"), [(0.0, 1.0), (-1.0, 1.0)])
def test_linear_histogram_of_bounded_values_inside(dtype, lo, hi):
    """``inside`` (a bounded activation's outputs) bins as np.histogram, saturated ends too."""
    x = RNG.uniform(lo, hi, 20000).astype(dtype)
    one_below = np.nextafter(dtype(hi), dtype(lo))
    x[:40] = [lo, hi, one_below, np.nextafter(one_below, dtype(lo))] * 10
    x[40:50] = np.nextafter(dtype(lo), dtype(hi))
    h = linear_histogram(x, lo, hi, 64, "value", finite=True, inside=True)
    expected, _ = np.histogram(x.astype(np.float64), bins=64, range=(lo, hi))
    np.testing.assert_array_equal(_counts(h), expected)
    # clipped: the values at hi once shifted by −lo (1 ulp below 1 rounds to 2 in x + 1)
    shifted = x.astype(np.float64) - lo
    assert h.clipped == int(np.count_nonzero(shifted >= hi - lo)) >= 10
    general = linear_histogram(x, lo, hi, 64, "value", finite=True)
    np.testing.assert_array_equal(general.density, h.density)


@pytest.mark.parametrize("scale", [1e-300, 1e300, 1e-310])
def test_linear_histogram_of_extreme_scales(scale):
    """A scale whose k/scale over- or underflows still bins v/scale (divided first)."""
    x = RNG.standard_normal(5000) * scale
    h = linear_histogram(x, -4.0, 4.0, 64, "x", scale=scale, finite=True)
    t = x / scale
    expected, _ = np.histogram(np.clip(t, -4.0, 4.0), bins=64, range=(-4.0, 4.0))
    np.testing.assert_array_equal(_counts(h), expected)
    assert h.n == x.size


def test_frobenius_is_numpys_norm():
    for x in (RNG.standard_normal((37, 53)), RNG.standard_normal(300).astype(np.float32),
              RNG.standard_normal((40, 30)).T):
        assert frobenius(x) == float(np.linalg.norm(x))


@pytest.mark.parametrize(("batch", "m", "n", "mean"), [(1, 64, 64, 0.0), (16, 256, 256, 0.0),
                                                       (64, 128, 128, 0.5), (8, 40, 300, 0.0)])
def test_product_norm_is_the_norm_of_the_product(batch, m, n, mean):
    g = RNG.standard_normal((batch, m))
    a = mean + RNG.standard_normal((batch, n)) * 0.1  # sigmoid-like activations for mean 0.5
    direct = float(np.linalg.norm(g.T @ a))
    assert product_norm(g, a) == pytest.approx(direct, rel=1e-13)
    g32, a32 = g.astype(np.float32), a.astype(np.float32)
    exact = float(np.linalg.norm(g32.astype(np.float64).T @ a32.astype(np.float64)))
    assert product_norm(g32, a32) == pytest.approx(exact, rel=1e-13)
    assert product_norm(g32, a32) == pytest.approx(frobenius(g32.T @ a32), rel=1e-6)


def test_product_norm_edge_cases():
    g = RNG.standard_normal((4, 30))
    a = RNG.standard_normal((4, 20)) * 1e160  # A Aᵀ overflows, ‖gᵀa‖² does not: the product
    assert product_norm(g * 1e-100, a) == frobenius((g * 1e-100).T @ a)
    assert math.isfinite(product_norm(g * 1e-100, a))
    assert product_norm(g, np.zeros((4, 20))) == 0.0
    a = np.ones((4, 20))
    g[1] = -g[0]
    g[3] = -g[2]  # gᵀa = 0 exactly: the Gram sum cancels (may round either side of 0)
    assert product_norm(g, a) <= 1e-14 * np.linalg.norm(g) * np.linalg.norm(a)
    g[0, 0] = np.nan
    assert math.isnan(product_norm(g, a))


@pytest.mark.parametrize(("batch", "width", "gram"), [(16, 64, True), (32, 64, True),
                                                      (33, 64, False)])
def test_gram_is_cheaper_switch(batch, width, gram):
    assert gram_is_cheaper(batch, width, width) is gram
    # float32 data: float64 Grams cost about twice per multiply-add
    assert gram_is_cheaper(16, width, width, float32=True)
    assert not gram_is_cheaper(17, width, width, float32=True)
    assert not gram_is_cheaper(512, 1024, 1024, float32=True)  # 40 x 1024, batch 512


@pytest.mark.parametrize("loc", [0.0, 0.5, 2.0, 7.0, 8.5, 30.0, 1e4])
def test_moments_one_pass_within_1e13_of_two_pass(loc):
    """float64: E[x²] − mean² where E[x²]/var ≤ 64 (loc 7: 50, 8.5: 73), else two-pass."""
    x = loc + RNG.standard_normal((256, 128))
    mean, std, second = moments(x)
    flat = x.reshape(-1)
    ref_mean = float(np.add.reduce(flat)) / flat.size
    dev = flat - ref_mean
    ref_var = float(np.add.reduce(dev * dev)) / flat.size  # two-pass, pairwise sums
    assert mean == ref_mean  # the pairwise mean, bit for bit
    assert std == pytest.approx(math.sqrt(ref_var), rel=1e-13)
    assert second == pytest.approx(ref_var + ref_mean * ref_mean, rel=1e-13)
