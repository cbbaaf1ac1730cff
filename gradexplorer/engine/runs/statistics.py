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
#: :func:`moments` takes the one-pass variance E[x²] − mean² where E[x²] ≤ this × variance.
ONE_PASS_RATIO = 64.0


def moments(x: np.ndarray) -> tuple[float, float, float]:
    """Mean, population std and second moment E[x²] over all entries of ``x``, in float64.

    float64 data: the mean by NumPy's pairwise sum and E[x²] by one BLAS dot product; the
    variance is E[x²] − mean² where that loses at most ~6 bits to cancellation
    (var ≥ E[x²]/:data:`ONE_PASS_RATIO`), else two-pass (the mean squared deviation, one more
    dot). Std and E[x²] agree with the two-pass values to ~1e-14 relative (tests: 1e-13);
    the mean is the pairwise sum's, bit for bit. Other dtypes: two-pass with float64
    accumulation, so the std of float32 data with a large mean (sigmoid activations) is not
    lost to cancellation. Non-finite entries make the results non-finite.
    """
    flat = x.reshape(-1)
    n = flat.size
    mean = float(np.add.reduce(flat, dtype=np.float64)) / n
    if not math.isfinite(mean):
        var = float(np.add.reduce(np.square(flat), dtype=np.float64)) / n
        return mean, math.sqrt(var) if var >= 0 else math.nan, math.nan
    if flat.dtype == np.float64:
        second = float(np.vdot(flat, flat)) / n
        var = second - mean * mean
        if var * ONE_PASS_RATIO >= second:  # finite: the one-pass variance is accurate
            return mean, math.sqrt(var), second
    dev = np.subtract(flat, flat.dtype.type(mean))
    if dev.dtype == np.float64:
        var = float(np.vdot(dev, dev)) / n
    else:
        var = float(np.add.reduce(np.square(dev, out=dev), dtype=np.float64)) / n
    return mean, math.sqrt(var), var + mean * mean


def rms(x: np.ndarray) -> float:
    """Root mean square of all entries of ``x``, via one BLAS dot product in x's dtype.

    For float32 the relative error is ~1e-7 (float32's own precision), 7× faster than a
    float64-accumulated mean of squares; float64 is exact to rounding.
    """
    flat = x.reshape(-1)
    return math.sqrt(float(np.vdot(flat, flat)) / flat.size)


def frobenius(x: np.ndarray) -> float:
    """‖x‖_F (‖x‖_2 for a vector) as ``np.linalg.norm(x)``, bit for bit, without its wrapper.

    One BLAS dot in x's dtype (float32 data: a float32 norm, as NumPy's).
    """
    flat = x.ravel(order="K")
    return float(np.sqrt(flat.dot(flat)))


def gram_is_cheaper(batch: int, fan_in: int, fan_out: int, float32: bool = False) -> bool:
    """Whether :func:`product_norm` beats forming the (fan_out, fan_in) product.

    2B ≤ min(n) (B²(m + n) against B·m·n multiply-adds); for float32 data 4B ≤ min(n), as the
    Grams are float64 products, about twice the cost per multiply-add (at 40 × 1024, batch
    512, float32, the 2B rule made the run ~10 % slower).
    """
    return (4 if float32 else 2) * batch <= min(fan_in, fan_out)


def product_norm(g: np.ndarray, a: np.ndarray) -> float:
    """‖gᵀa‖_F for g (B, m), a (B, n) without the (m, n) product, e.g. ‖∂L/∂W‖ = ‖gᵀa‖.

    ‖GᵀA‖_F² = tr(AᵀG GᵀA) = Σ_bc (G Gᵀ)_bc (A Aᵀ)_bc: two (B, B) Gram matrices in float64,
    B²(m + n) multiply-adds instead of B·m·n and no (m, n) array (at B = 64, m = n = 256
    about 8× faster). Rounding differs from ``frobenius(g.T @ a)``: ≲ 1e-15 relative on random
    data (the tests bound it by 1e-13; float32 data: float64 Grams, closer to the exact value
    than the float32 product). Where the Gram sum is not finite (A Aᵀ overflows while gᵀa
    would not, or inf/NaN entries) the product is formed after all; a sum that rounds below
    0 (an exactly cancelling product) gives 0.
    """
    g64 = g if g.dtype == np.float64 else g.astype(np.float64)
    a64 = a if a.dtype == np.float64 else a.astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        sq = float(np.vdot(g64 @ g64.T, a64 @ a64.T))
    if not math.isfinite(sq):
        return frobenius(g.T @ a)
    return math.sqrt(sq) if sq > 0 else 0.0


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
                     scale: float = 1.0, *, finite: bool = False,
                     inside: bool = False) -> Histogram:
    """Density histogram of ``values / scale`` on ``bins`` equal bins over [lo, hi].

    Values outside are counted in the end bins (``clipped`` says how many); non-finite values
    are left out. ``scale`` (> 0) expresses values in units of, e.g., the layer's RMS. The
    counts are those of ``np.histogram`` of the finite values clipped into [lo, hi] (up to
    the rounding of a value within ~1e-16 relative of a bin edge).

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
    inside : bool, default False
        The caller knows every finite ``values / scale`` lies in [lo, hi] (a bounded
        activation's outputs): skips the clipping and bins with the unfused (v − lo)·k, so
        values a rounding away from an end (a saturated φ) land as before.

    Returns
    -------
    Histogram
        ``density`` (bins,), ``edges`` (bins + 1,).

    Notes
    -----
    Four passes over one float64 buffer: t = v·(k/scale) + (1 − lo·k) with k = bins/(hi − lo)
    (scale and offset folded into one multiply and one add), clipped to [0, bins + 1], the
    clipping's last pass writing the integer bin index (truncation equals floor for t ≥ 0):
    index 0 and bins + 1 are the two end overflows, 1..bins the bins, counted by one
    ``np.bincount``. The clipping also keeps a value near ±1e308 (inf after the multiply) out
    of an undefined float-to-int cast. The folded form rounds differently from
    (v/scale − lo)·k only for a value within ~1e-14 bin widths of an edge. ``inside``: two
    passes, (v − lo) then ·k written as the index: the unfused operations.
    """
    flat = values.reshape(-1)
    if not finite:
        with np.errstate(over="ignore", invalid="ignore"):
            t = np.divide(flat, scale, dtype=np.float64) if _scales(scale) else flat
            if not math.isfinite(float(np.add.reduce(t, dtype=np.float64))):  # inf/NaN (or a
                flat = flat[np.isfinite(t)]                         # sum past 1e308): left out
    k = bins / (hi - lo)
    idx = np.empty(flat.size, dtype=np.intp)
    with np.errstate(over="ignore", invalid="ignore"):  # |v| near 1e308: inf, clipped below
        if inside:  # (v/scale − lo)·k in [0, bins]: the unfused operations, floor = trunc
            t = np.divide(flat, scale, dtype=np.float64) if _scales(scale) else flat
            if lo:
                t = np.subtract(t, lo, dtype=np.float64)
            np.multiply(t, k, out=idx, dtype=np.float64, casting="unsafe")
            c = np.bincount(idx, minlength=bins + 1)
            low, high = 0, int(c[bins])
            c = c[:bins]
        else:
            factor = k / scale if _scales(scale) else k
            if math.isfinite(factor) and factor >= 1e-290:
                t = np.multiply(flat, factor, dtype=np.float64)
            else:  # scale below 1e-290 or above 1e290: divide first (k/scale over/underflows)
                t = np.divide(flat, scale, dtype=np.float64)
                t *= k
            t += 1.0 - lo * k  # t + 1 with t in bins from lo: index 0 is the low overflow
            np.minimum(t, float(bins + 1), out=t)  # = np.clip (no NaN here), without its wrapper
            np.maximum(t, 0.0, out=idx, casting="unsafe")  # t ≥ 0: truncation = floor
            c = np.bincount(idx, minlength=bins + 2)
            low, high = int(c[0]), int(c[bins + 1])
            c = c[1:bins + 1]
    c[0] += low
    c[-1] += high
    total = float(idx.size)
    density = c / (total * (hi - lo) / bins) if total else c.astype(np.float64)
    edges = _edges(lo, hi, bins).copy()
    return Histogram(edges=edges, density=density, units=units, n=int(idx.size),
                     clipped=low + high)


def _scales(scale: float) -> bool:
    """Whether :func:`linear_histogram` divides by ``scale`` (positive, finite, not 1)."""
    return scale > 0 and math.isfinite(scale) and scale != 1.0


def log10_histogram(values: np.ndarray, exp2: int = 0, *, clean: bool = False) -> Histogram:
    """Density histogram of log10|values · 2**exp2| on the universal grid.

    Bin k covers [k·w, (k+1)·w) decades with w = :data:`LOG10_BIN_WIDTH`; the edges span only
    the occupied bins. Exact zeros and non-finite values are left out (``clipped`` counts them).
    The counts are ``np.histogram``'s on these edges (up to the rounding of a value within
    ~1e-15 of a bin edge, in decades).

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
    One float64 buffer transformed in place: |v|, log10, one multiply by 1/w and one add of
    exp2·log10(2)/w − k0 whose pass writes the integer bin index directly. k0 is one bin
    below the smallest |v|'s bin (from a min reduction), so every index is ≥ 0 and truncation
    equals floor; the empty leading bins are dropped after the ``np.bincount``. The filter for
    zeros and non-finite entries is built only when the smallest |v| or the sum says there
    are some.
    """
    v = np.abs(values.reshape(-1), dtype=np.float64)
    size = v.size
    smallest = float(np.minimum.reduce(v)) if size else 0.0
    if not clean and size:
        with np.errstate(over="ignore", invalid="ignore"):  # NaN: the minimum is NaN, not > 0
            clean = smallest > 0 and math.isfinite(float(np.add.reduce(v)))
    logs = v if clean else v[np.isfinite(v) & (v > 0)]
    if logs.size == 0:
        return Histogram(edges=np.array([0.0, LOG10_BIN_WIDTH]), density=np.zeros(1),
                         units="log10 |value|", n=0, clipped=int(size))
    if not clean:
        smallest = float(np.minimum.reduce(logs))
    shift = exp2 * LOG10_2 / LOG10_BIN_WIDTH
    k0 = math.floor(math.log10(smallest) / LOG10_BIN_WIDTH + shift) - 1
    np.log10(logs, out=logs)
    logs *= 1.0 / LOG10_BIN_WIDTH
    k = np.empty(logs.size, dtype=np.intp)
    np.add(logs, shift - k0, out=k, casting="unsafe")  # ≥ 1 − rounding: truncation = floor
    counts = np.bincount(k)
    first = 0
    while not counts[first]:
        first += 1
    kmin = k0 + first
    counts = counts[first:]
    edges = (kmin + np.arange(counts.size + 1)) * LOG10_BIN_WIDTH
    density = counts / (logs.size * LOG10_BIN_WIDTH)
    return Histogram(edges=edges, density=density, units="log10 |value|", n=int(logs.size),
                     clipped=int(size - logs.size))
