"""Assembling per-layer histograms into the heatmaps' image (union grid, merging, streaming)."""

from __future__ import annotations

import numpy as np
import pytest

from gradexplorer.engine.runs.records import LOG10_BIN_WIDTH, Histogram
from gradexplorer.gui.plots.stack import HistogramStack, stack_histograms

W = LOG10_BIN_WIDTH


def hist(first_bin, density, width=W):
    edges = (first_bin + np.arange(len(density) + 1)) * width
    return Histogram(edges, np.asarray(density, dtype=float), "log10 |value|", 10)


def test_layers_are_placed_on_the_union_grid():
    a = hist(0, [1, 2, 3, 4])
    b = hist(-2, [5, 6])
    image, lo, hi = stack_histograms([a, None, b])
    assert image.shape == (3, 6)
    assert (lo, hi) == pytest.approx((-2 * W, 4 * W))
    np.testing.assert_array_equal(image[0], [0, 0, 1, 2, 3, 4])
    assert np.isnan(image[1]).all()  # layer not arrived: transparent
    np.testing.assert_array_equal(image[2], [5, 6, 0, 0, 0, 0])


def test_fine_grids_are_merged_to_at_most_max_bins():
    a = hist(0, [1, 2, 3, 4])
    b = hist(-2, [5, 6])
    image, lo, hi = stack_histograms([a, None, b], max_bins=3)
    assert image.shape == (3, 3)
    np.testing.assert_allclose(image[0], [0, 1.5, 3.5])  # mean density of merged bins
    np.testing.assert_allclose(image[2], [5.5, 0, 0])
    assert (lo, hi) == pytest.approx((-2 * W, 4 * W))
    wide = [hist(-6000 + 100 * i, np.ones(100)) for i in range(120)]  # 10^-300 .. 10^+300
    image, lo, hi = stack_histograms(wide)
    assert image.shape[1] <= 1024 and (lo, hi) == pytest.approx((-300, 300), abs=1)


def test_a_coarser_grid_spreads_over_the_fine_bins():
    fine = hist(0, [1, 1, 1, 1])
    coarse = hist(0, [2, 4], width=2 * W)
    image, lo, hi = stack_histograms([fine, coarse])
    np.testing.assert_array_equal(image[1], [2, 2, 4, 4])


def test_streaming_rows_are_kept_and_replaced():
    stack = HistogramStack()
    a = hist(0, [1, 2])
    stack.set(0, a)
    stack.set(0, a)  # the same histogram again: nothing to do
    stack.set(1, hist(3, [7]))
    image, lo, hi = stack.image(3)
    assert image.shape == (3, 4) and np.isnan(image[2]).all()
    stack.set(1, None)  # cleared
    image, _, _ = stack.image(3)
    assert image.shape == (3, 2) and np.isnan(image[1]).all()
    stack.reset()
    assert stack.image(3)[0].shape == (3, 0)


def test_undrawable_histograms_are_skipped():
    empty = Histogram(np.zeros(3), np.zeros(2), "value", 0)  # degenerate edges
    nan_edges = Histogram(np.array([0.0, np.nan, 1.0]), np.zeros(2), "value", 0)
    image, lo, hi = stack_histograms([empty, nan_edges, hist(0, [np.nan, np.inf, 1.0])])
    assert np.isnan(image[:2]).all()
    np.testing.assert_array_equal(image[2], [0, 0, 1])  # NaN/inf densities draw as 0
    assert stack_histograms([None, None])[0].shape == (2, 0)


def test_streamed_image_equals_a_rebuild_bit_for_bit():
    """Rows written into the kept image (growing range, merged bins) equal a full rebuild."""
    rng = np.random.default_rng(3)
    for max_bins in (5, 16, 1024):
        depth = 30
        stack, hists = HistogramStack(), [None] * depth
        for row in range(depth - 1, -1, -1):  # backward order, ranges drifting downwards
            hists[row] = hist(-3 * (depth - row) + int(rng.integers(-4, 4)),
                              rng.random(int(rng.integers(1, 20))))
            stack.set(row, hists[row])
            if row % 3 == 0:
                image, lo, hi = stack.image(depth, max_bins)
                want, want_lo, want_hi = stack_histograms(hists, max_bins)
                np.testing.assert_array_equal(image, want)
                assert (lo, hi) == pytest.approx((want_lo, want_hi))


def test_stack_checks_each_histogram_with_one_reduction_and_keeps_the_narrowest_bin():
    from gradexplorer.gui.plots.stack import _bin_width, valid_histogram

    middle_nan = Histogram(np.array([0.0, 1.0, np.nan, 3.0]), np.ones(3), "value", 3)
    assert not valid_histogram(middle_nan)  # a NaN inside the edges, not only at the ends
    assert not valid_histogram(Histogram(np.array([0.0, np.inf]), np.ones(1), "value", 1))
    assert valid_histogram(Histogram(np.linspace(-4, 4, 65), np.ones(64), "value", 64))
    uneven = Histogram(np.array([0.0, 1.0, 1.25, 2.0]), np.ones(3), "value", 3)
    assert _bin_width(uneven) == 0.25  # not the first bin: the narrowest
    grid = np.linspace(-4, 4, 65)
    assert _bin_width(Histogram(grid, np.ones(64), "value", 64)) == pytest.approx(
        float(np.min(np.diff(grid))), rel=1e-12)
