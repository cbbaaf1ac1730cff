"""Input batches: synthetic normal/uniform inputs, the bundled UCI digits, or a user's file."""

from __future__ import annotations

import functools
import math
import os
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gradexplorer.engine.compute.cancel import CancelCheck, Cancelled, draw_in_blocks
from gradexplorer.engine.data.arrayfiles import FileProblem, read_npy, read_npz
from gradexplorer.engine.data.tables import features, read_text_table, whole_labels
from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.resource_files import resource_path

#: (x, labels or None, per-feature mean, per-feature std) of a data set, read-only.
_Table = tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]

DIGITS_ROWS = 1797
DIGITS_FEATURES = 64
DIGITS_CLASSES = 10
EXTENSIONS = (".npy", ".npz", ".csv", ".txt")


class DataError(SpecError):
    """The input batch cannot be made; one line for the user, never a NumPy/csv traceback.

    ``field``: ``"input_path"`` (the user's file), ``"batch"`` (more rows asked than the data
    have) or ``"input"`` (the bundled digits cannot be read).
    """


@dataclass(frozen=True, eq=False)
class InputBatch:
    """One input batch ``a_0`` and, when the data have them, its class labels.

    Attributes
    ----------
    x : ndarray (B, n_0) in ``spec.dtype``, C-contiguous, freshly allocated (may be modified).
    labels : ndarray (B,) int64 in ``0 .. n_classes - 1``, or None (synthetic / unlabelled file).
    n_classes : max label of the WHOLE data set + 1 (10 for digits), or None.
    description : one line, e.g. ``"digits (UCI, 64 features), standardized, 256 of 1797 rows"``.
    """

    x: np.ndarray
    labels: np.ndarray | None
    n_classes: int | None
    description: str


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 UCI optical digits (8×8 images) bundled with the app, read once and cached.

    Returns
    -------
    x : ndarray (1797, 64) float64, read-only: pixel counts 0..16 of the row-major 8×8 image.
    labels : ndarray (1797,) int64, read-only: the digit 0..9 of each row.

    Raises
    ------
    DataError
        ``field="input"`` if the bundled file is missing or damaged.
    """
    x, y, _, _ = _digits()
    assert y is not None  # the digits are labelled
    return x, y


def load_table(path: str | os.PathLike[str], *, cancel: Callable[[], bool] | None = None
               ) -> tuple[np.ndarray, np.ndarray | None]:
    """Read features (and optional labels) from a ``.npy``, ``.npz``, ``.csv`` or ``.txt`` file.

    * ``.npy``: one 2-D numeric array (rows × features); a 1-D array is an error.
    * ``.npz``: array ``x`` (2-D, required) and optional ``y`` (integer labels, one per row).
    * ``.csv`` / ``.txt``: comma-separated numbers, blank lines ignored. The first row is a header
      when none of its cells is a number; a header column ``label`` or ``y`` (any case) holds
      the labels and is removed from the features. Message rows are 1-based file lines.

    NaN/inf cells are allowed. Results are cached per file (path, size, modification time).
    The size comes from the headers (``.npz``: also each member's declared size; ``.csv``: the
    first line and file size); more than MAX_WIDTH features or too large for memory is refused
    before the data are read (:mod:`~gradexplorer.engine.data.arrayfiles`).

    Parameters
    ----------
    path : str or os.PathLike; named as given in every error message.
    cancel : optional callable polled about every 50 ms while the file is read; True raises
        :class:`~gradexplorer.engine.compute.cancel.Cancelled`.

    Returns
    -------
    x : ndarray (rows, features) float64, read-only: the values as stored (any scale).
    labels : ndarray (rows,) int64, read-only, whole numbers 0..8191; or None (no labels).

    Raises
    ------
    DataError
        ``field="input_path"``: file not found, a folder, not readable, unknown extension, empty,
        not a 2-D numeric table, a non-numeric cell (row and column given), ragged rows, two label
        columns, no feature columns, labels that are not whole numbers ≥ 0, or a bad ``y``;
        more than MAX_WIDTH features; too large for the memory available.
    Cancelled
        See ``cancel``.
    """
    x, y, _, _ = _load_cached_entry(path, cancel)
    return x, y


def input_features(spec: NetworkSpec) -> int:
    """n_0, the number of input features, without drawing a batch.

    64 for ``digits``; the file's feature count for ``file`` (loads and caches the file, so a
    following :func:`make_inputs` does not read it again); ``spec.in_features`` otherwise.

    Raises
    ------
    DataError
        As :func:`load_table` / :func:`load_digits`.
    """
    if spec.input == "digits":
        return DIGITS_FEATURES
    if spec.input == "file":
        return int(load_table(str(spec.input_path))[0].shape[1])
    return spec.in_features


def make_inputs(spec: NetworkSpec, rng: np.random.Generator, *,
                cancel: Callable[[], bool] | None = None) -> InputBatch:
    """Draw the input batch described by ``spec`` using ``rng`` (same seed → same batch).

    * ``normal``: ``rng.standard_normal((B, in_features)) * input_std + input_mean``.
    * ``uniform``: uniform on ``input_mean ± √3·input_std`` (so mean input_mean, std input_std).
    * ``digits`` / ``file``: B distinct rows chosen by ``rng.permutation``, labels kept; with
      ``spec.standardize`` each feature is shifted and scaled to mean 0, std 1 (ddof 0) using
      the statistics of the WHOLE data set (finite cells only); constant features become 0.

    The result is cast to ``spec.dtype`` at the end (float32 overflow becomes ±inf).

    Returns
    -------
    InputBatch
        ``x`` (B, n_0) in ``spec.dtype``, labels (B,) int64 or None; see :class:`InputBatch`.

    Raises
    ------
    DataError
        ``field="batch"`` when B exceeds the rows of the data; file errors as :func:`load_table`.
    Cancelled
        ``cancel`` (optional, polled while a file is read) returned True.
    """
    b, m, s = spec.batch, float(spec.input_mean), float(spec.input_std)
    if spec.input in ("normal", "uniform"):
        n = spec.in_features
        check = CancelCheck(cancel) if cancel is not None else None
        if spec.input == "normal":
            x = draw_in_blocks(rng.standard_normal, (b, n), check)
            if check is not None:
                check()
            x = x * s + m
            desc = f"N({m:g}, {s:g}²) × {n} features"
        else:
            half = math.sqrt(3.0) * s
            x = draw_in_blocks(lambda shape: rng.uniform(m - half, m + half, size=shape),
                               (b, n), check)
            desc = f"U({m - half:.4g}, {m + half:.4g}) × {n} features (mean {m:g}, std {s:g})"
        return _finish(spec, x, None, None, desc)
    if spec.input == "digits":
        data, labels, mean, std = _digits()
        n_classes: int | None = DIGITS_CLASSES
        source, raw, name = f"digits (UCI, {DIGITS_FEATURES} features)", "raw pixels 0..16", \
            "the digits data set"
    else:
        data, labels, mean, std = _load_cached_entry(str(spec.input_path), cancel)
        n_classes = None if labels is None else int(labels.max()) + 1
        classes = "" if n_classes is None else f", {n_classes} classes"
        source = f"file {Path(str(spec.input_path)).name} ({data.shape[1]} features{classes})"
        raw, name = "raw values", f"the file {spec.input_path}"
    rows = data.shape[0]
    if b > rows:
        raise DataError("batch", f"batch {b} is larger than {name}, which has {rows} rows; "
                                 f"use a batch of at most {rows}")
    idx = rng.permutation(rows)[:b]
    x = data[idx]
    if spec.standardize:
        with np.errstate(all="ignore"):
            x = (x - mean) / std
    desc = f"{source}, {'standardized' if spec.standardize else raw}, {b} of {rows} rows"
    return _finish(spec, x, None if labels is None else labels[idx], n_classes, desc)


# --- internals ---------------------------------------------------------------------------------
def _finish(spec: NetworkSpec, x: np.ndarray, labels: np.ndarray | None, n_classes: int | None,
            desc: str) -> InputBatch:
    with np.errstate(all="ignore"):
        out = np.ascontiguousarray(x, dtype=spec.dtype)  # x is always freshly allocated
    bad = int(out.size - np.count_nonzero(np.isfinite(out)))
    if bad:
        desc += f", contains {bad} non-finite values"
    return InputBatch(out, labels, n_classes, desc)


def _bad(name: str, message: str) -> DataError:
    return DataError("input_path", f"{name}: {message}".replace("\n", " "))


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and std (ddof 0) over finite cells; constant features get (value, 1)."""
    with np.errstate(all="ignore"):
        fin = np.isfinite(x)
        count = np.maximum(fin.sum(axis=0), 1)
        mean = np.where(fin, x, 0.0).sum(axis=0) / count
        std = np.sqrt((np.where(fin, x - mean, 0.0) ** 2).sum(axis=0) / count)
        lo = np.where(fin, x, np.inf).min(axis=0)
        hi = np.where(fin, x, -np.inf).max(axis=0)
    constant = ~(hi > lo)
    mean = np.where(constant, np.where(np.isfinite(lo), lo, 0.0), mean)
    std = np.where(constant | ~(std > 0), 1.0, std)
    return mean, std


def _frozen(x: np.ndarray, y: np.ndarray | None, mean: np.ndarray,
            std: np.ndarray) -> _Table:
    for a in (x, y, mean, std):
        if a is not None:
            a.flags.writeable = False
    return x, y, mean, std


@functools.lru_cache(maxsize=1)
def _digits() -> _Table:
    try:
        table = np.loadtxt(resource_path("data", "optdigits.csv.gz"), delimiter=",",
                           dtype=np.int64, ndmin=2)
    except Exception as exc:  # missing resource, damaged gzip, bad cell
        raise DataError("input", f"bundled digits unreadable: {_first_line(exc)}") from None
    if table.shape != (DIGITS_ROWS, DIGITS_FEATURES + 1):
        raise DataError("input", f"the bundled digits data has shape {table.shape}, expected "
                                 f"({DIGITS_ROWS}, {DIGITS_FEATURES + 1})")
    x = table[:, :DIGITS_FEATURES].astype(np.float64)
    return _frozen(x, table[:, DIGITS_FEATURES].copy(), *_stats(x))


_LOCAL = threading.local()  # the cancel check of the read in progress on this thread


def _load_cached_entry(path: str | os.PathLike[str],
                       cancel: Callable[[], bool] | None = None) -> _Table:
    """(x, labels, mean, std) of a user's file, from the cache when the file is unchanged."""
    name = os.fspath(path)
    p = Path(name)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise _bad(name, "file not found") from None
    except OSError as exc:
        raise _bad(name, f"cannot be read ({exc.strerror or _first_line(exc)})") from None
    ext = p.suffix.lower()
    if p.is_dir() or ext not in EXTENSIONS:
        raise _bad(name, "is a folder, not a data file" if p.is_dir() else
                   f"unknown file type '{p.suffix}'; use .npy, .npz, .csv or .txt")
    if not stat.S_ISREG(st.st_mode):  # a FIFO reports size 0 but is not "empty"
        raise _bad(name, "is not a regular file (a FIFO, device or socket); give a data file")
    if st.st_size == 0:
        raise _bad(name, "the file is empty")
    _LOCAL.check = CancelCheck(cancel)  # not part of the cache key: passed beside it
    try:
        return _read(str(p.resolve()), name, ext, st.st_size, st.st_mtime_ns)
    finally:
        _LOCAL.check = None


@functools.lru_cache(maxsize=4)
def _read(resolved: str, name: str, ext: str, size: int, mtime_ns: int) -> _Table:
    try:
        if ext in (".csv", ".txt"):
            check = _LOCAL.__dict__.get("check") or CancelCheck(None)
            x, y = read_text_table(resolved, size, check)
        else:
            x, y = _read_numpy(resolved, name, ext)
    except (DataError, Cancelled):
        raise
    except FileProblem as exc:
        raise _bad(name, str(exc)) from None
    except PermissionError:
        raise _bad(name, "cannot be read (permission denied)") from None
    except UnicodeDecodeError:
        raise _bad(name, "is not a UTF-8 text file") from None
    except Exception as exc:  # anything numpy/zipfile/csv raise becomes one line
        raise _bad(name, f"cannot be read as {ext} ({_first_line(exc)})") from None
    return _frozen(x, y, *_stats(x))


def _read_numpy(path: str, name: str, ext: str) -> tuple[np.ndarray, np.ndarray | None]:
    with open(path, "rb") as fh:
        magic = fh.read(6)
    if not magic.startswith(b"\x93NUMPY" if ext == ".npy" else b"PK"):
        raise _bad(name, f"is not a NumPy {ext} file")
    check = _LOCAL.__dict__.get("check") or CancelCheck(None)
    if ext == ".npy":
        return features(read_npy(path, check), "the array"), None
    x, y, files = read_npz(path, check)
    if x is None:
        raise _bad(name, f"has no array named 'x' (found: {', '.join(files) or 'none'})")
    x = features(x, "array x")
    if y is None:
        return x, None
    if y.ndim != 1 or y.shape[0] != x.shape[0]:
        raise _bad(name, f"array y has shape {y.shape}; expected ({x.shape[0]},), one label per "
                         "row of x")
    return x, whole_labels(y, lambda i: f"y[{i}]")


