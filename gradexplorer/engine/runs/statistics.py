"""Reductions and histograms for per-layer statistics, with exact power-of-two rescaling.

The engine keeps every array in range by dividing it by a power of two and carrying the exponent
(an ``int``, base 2). Multiplying by 2**k is exact in binary floating point, so a rescaled
computation gives the same bits as the unscaled one wherever the latter does not overflow or
underflow, and the ``log10`` of a statistic stays exact far beyond float64's range.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from gradexplorer.engine.runs.records import LOG10_BIN_WIDTH, Histogram

LOG10_2 = math.log10(2.0)

#: At most this many entries of a layer are binned into its histograms (leading batch rows).
HISTOGRAM_SAMPLE = 16384


def moments(x: np.ndarray) -> tuple[float, float, float]:
    """Mean, population std and second moment E[x²] over all entries of ``x``, in float64.

    Two-pass (mean first, then the mean squared deviation) with float64 accumulation, so the std
    of float32 data with a large mean (sigmoid activations) is not lost to cancellation. For
    float64 data the squared deviations are summed by one BLAS dot product (no squares array;
    the same value as a pairwise sum to ~1e-15 relative). Non-finite entries make the results
    non-finite.
    """
    flat = x.reshape(-1)
    n = flat.size
    mean = float(np.add.reduce(flat, dtype=np.float64)) / n
    if math.isfinite(mean):
        dev = np.subtract(flat, flat.dtype.type(mean))
        if dev.dtype == np.float64:
            var = float(np.vdot(dev, dev)) / n
        else:
            var = float(np.add.reduce(np.square(dev, out=dev), dtype=np.float64)) / n
    else:
        var = float(np.add.reduce(np.square(flat), dtype=np.float64)) / n
    second = var + mean * mean if math.isfinite(mean) else math.nan
    return mean, math.sqrt(var) if var >= 0 else math.nan, second


def rms(x: np.ndarray) -> float:
    """Root mean square of all entries of ``x``, via one BLAS dot product in x's dtype.

    For float32 the relative error is ~1e-7 (float32's own precision), 7× faster than a
    float64-accumulated mean of squares; float64 is exact to rounding.
    """
    flat = x.reshape(-1)
    return math.sqrt(float(np.vdot(flat, flat)) / flat.size)


def exponent_of(value: float) -> int:
    """The power of two k with 2**k closest to ``value`` (> 0, finite); 0 otherwise.

    Dividing an array whose RMS is ``value`` by 2**k brings its RMS into [1/√2, √2].
    """
    if not (value > 0 and math.isfinite(value)):
        return 0
    mantissa, exp = math.frexp(value)  # value = mantissa * 2**exp, mantissa in [0.5, 1)
    return exp - 1 if mantissa < math.sqrt(0.5) else exp


def log10_scaled(value: float, exp2: int) -> float:
    """log10(value · 2**exp2) computed without forming the product (−inf for 0, NaN for NaN)."""
    if math.isnan(value):
        return math.nan
    if value == 0:
        return -math.inf
    if math.isinf(value):
        return math.inf
    return math.log10(abs(value)) + exp2 * LOG10_2


def unscale(value: float, exp2: int) -> float:
    """Return value · 2**exp2 as a float64: ±inf on overflow, 0 on underflow, NaN stays NaN."""
    if not math.isfinite(value) or not exp2:
        return float(value)
    try:
        return math.ldexp(value, exp2)  # C ldexp, as np.ldexp: exact, rounds only subnormals
    except OverflowError:
        return math.copysign(math.inf, value)


@functools.lru_cache(maxsize=64)
def _edges(lo: float, hi: float, bins: int) -> np.ndarray:
    return np.linspace(lo, hi, bins + 1)


def sample_rows(x: np.ndarray, limit: int = HISTOGRAM_SAMPLE) -> np.ndarray:
    """The leading rows of a (B, n) array holding at most ``limit`` entries (at least one row)."""
    rows = max(1, limit // max(1, x.shape[1]))
    return x[:rows]


def linear_histogram(values: np.ndarray, lo: float, hi: float, bins: int, units: str,
                     scale: float = 1.0, *, finite: bool = False) -> Histogram:
    """Density histogram of ``values / scale`` on ``bins`` equal bins over [lo, hi].

    Values outside are counted in the end bins (``clipped`` says how many); non-finite values
    are left out. ``scale`` (> 0) expresses values in units of, e.g., the layer's RMS. The
    counts are those of ``np.histogram`` of the finite values clipped into [lo, hi].

    Parameters
    ----------
    values : ndarray, any shape
        Binned as float64.
    lo, hi : float
        The range, lo < hi.
    bins : int
        Number of equal bins.
    units : str
        What is binned (stored in the histogram).
    scale : float, default 1
        Values are divided by it when it is positive, finite and not 1.
    finite : bool, default False
        The caller knows every value is finite (e.g. their sum was): skips the check.

    Returns
    -------
    Histogram
        ``density`` (bins,), ``edges`` (bins + 1,).

    Notes
    -----
    One float64 buffer, transformed in place: bin index t = floor((v/scale − lo) · bins/(hi − lo)),
    the same operations in the same order as a direct computation, so the same bins; t is clipped
    to [−1, bins] so that a value near ±1e308 never reaches an undefined float-to-int cast, and
    one ``np.bincount`` over t + 1 counts both end overflows and the bins at once.
    """
    flat = values.reshape(-1)
    with np.errstate(over="ignore", invalid="ignore"):  # |v| near 1e308: inf, clipped below
        if scale > 0 and math.isfinite(scale) and scale != 1.0:
            t = np.divide(flat, scale, dtype=np.float64)
        else:
            t = flat.astype(np.float64)
        if not finite and not math.isfinite(float(np.add.reduce(t))):  # an inf or NaN (or a
            t = t[np.isfinite(t)]                                       # sum past 1e308)
        if lo:
            t -= lo
        t *= bins / (hi - lo)
    np.minimum(t, float(bins), out=t)  # = np.clip (no NaN here), without its Python wrapper
    np.maximum(t, -1.0, out=t)
    np.floor(t, out=t)
    t += 1.0  # exact: t is a whole number in [-1, bins]
    c = np.bincount(t.astype(np.intp), minlength=bins + 2)
    clipped = int(c[0] + c[-1])
    counts = c[1:-1].astype(np.float64)
    counts[0] += c[0]
    counts[-1] += c[-1]
    total = float(t.size)
    density = counts / (total * (hi - lo) / bins) if total else counts
    edges = _edges(lo, hi, bins).copy()
    return Histogram(edges=edges, density=density, units=units, n=int(t.size), clipped=clipped)


def log10_histogram(values: np.ndarray, exp2: int = 0, *, clean: bool = False) -> Histogram:
    """Density histogram of log10|values · 2**exp2| on the universal grid.

    Bin k covers [k·w, (k+1)·w) decades with w = :data:`LOG10_BIN_WIDTH`; the edges span only
    the occupied bins. Exact zeros and non-finite values are left out (``clipped`` counts them).

    Parameters
    ----------
    values : ndarray, any shape
        Carried values (the true ones are ``values · 2**exp2``).
    exp2 : int, default 0
        The power-of-two exponent the caller divided out.
    clean : bool, default False
        The caller knows there are no zeros and no inf/NaN among the values: skips the check.

    Returns
    -------
    Histogram
        Units ``"log10 |value|"``.

    Notes
    -----
    One float64 buffer transformed in place (|v|, log10, + exp2·log10 2, / w, floor); the
    filter for zeros and non-finite entries is built only when the smallest |v| or the sum
    says there are some.
    """
    v = np.abs(values.reshape(-1), dtype=np.float64)
    size = v.size
    if not clean and size:
        with np.errstate(over="ignore", invalid="ignore"):  # NaN: the minimum is NaN, not > 0
            clean = float(np.minimum.reduce(v)) > 0 and math.isfinite(float(np.add.reduce(v)))
    logs = v if clean else v[np.isfinite(v) & (v > 0)]
    if logs.size == 0:
        return Histogram(edges=np.array([0.0, LOG10_BIN_WIDTH]), density=np.zeros(1),
                         units="log10 |value|", n=0, clipped=int(size))
    np.log10(logs, out=logs)
    if exp2:
        logs += exp2 * LOG10_2
    logs /= LOG10_BIN_WIDTH
    np.floor(logs, out=logs)
    k = logs.astype(np.int64)
    k0 = int(k.min())
    k -= k0
    counts = np.bincount(k).astype(np.float64)
    edges = (k0 + np.arange(counts.size + 1)) * LOG10_BIN_WIDTH
    density = counts / (counts.sum() * LOG10_BIN_WIDTH)
    return Histogram(edges=edges, density=density, units="log10 |value|", n=int(logs.size),
                     clipped=int(size - logs.size))
